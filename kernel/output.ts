// Turns the writes of each thread into whole lines, batched per turn of the
// event loop, so 1,000 quick prints reach the notebook in a few messages
// while each line still shows as soon as it is written.
import type { OutputRecord } from "./protocol/messages";

export class LineCollector {
  private readonly partial = new Map<string, { thread: string; text: string }>();
  private pending: OutputRecord[] = [];
  private scheduled = false;

  constructor(private readonly emit: (records: OutputRecord[]) => void) {}

  /** `source` tells writers apart (one per worker), `thread` is what the lines are marked with. */
  write(source: string, stream: OutputRecord["stream"], thread: string, text: string): void {
    const key = `${source}\0${stream}`;
    const held = this.partial.get(key);
    let all = held ? held.text + text : text;
    const cut = all.lastIndexOf("\n");
    if (cut >= 0) {
      this.push({ stream, thread, text: all.slice(0, cut + 1) });
      all = all.slice(cut + 1);
    }
    if (all) this.partial.set(key, { thread, text: all });
    else this.partial.delete(key);
  }

  /** Ends the lines a source left open (its thread ended). */
  close(source: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${source}\0${stream}`;
      const held = this.partial.get(key);
      if (held) this.push({ stream, thread: held.thread, text: held.text + "\n" });
      this.partial.delete(key);
    }
  }

  /** Emits everything held now (the program is ending). */
  flush(): void {
    for (const key of [...this.partial.keys()]) this.close(key.split("\0")[0]);
    this.emitPending();
  }

  private emitPending(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.emit(batch);
  }

  private push(r: OutputRecord): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.stream === r.stream && last.thread === r.thread) last.text += r.text;
    else this.pending.push(r);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        if (this.scheduled) this.emitPending();
      });
    }
  }
}
