// Threads can write thousands of lines a second; one notebook output per
// kernel message would flood the editor. Records are gathered for a short
// while and appended together, and never more than one append is in flight,
// so a slow editor makes batches bigger instead of queueing appends.

export class OutputBatcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly flushTo: (items: T[]) => PromiseLike<void>,
    private readonly delayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(items: readonly T[]): void {
    if (items.length === 0) return;
    for (const item of items) this.items.push(item); // never spread: a batch can be long
    this.schedule();
  }

  /** Appends what is left and resolves when every append has finished. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight || this.items.length > 0) {
      if (!this.inFlight) this.drain();
      await this.inFlight;
    }
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.closing) return; // a running append reschedules when it ends
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, this.delayMs);
  }

  private drain(): void {
    if (this.inFlight || this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.inFlight = Promise.resolve()
      .then(() => this.flushTo(batch))
      .then(undefined, (error: unknown) => this.onError(error))
      .finally(() => {
        this.inFlight = undefined;
        if (this.items.length > 0) this.schedule();
      });
  }
}
