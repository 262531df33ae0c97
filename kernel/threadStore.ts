// What threads leave with the kernel for other threads to take: the shared
// memory that values stored as bytes refer to (runtime/core/transfer), and values
// stashed under a key (a future's callbacks, a program's executors). Each
// arrives on its sender's own port, so a taker may come first and wait.
export class ThreadStore {
  /** Shared memory that values stored as bytes refer to, by id (runtime/core/transfer). */
  private readonly buffers = new Map<number, SharedArrayBuffer>();
  private readonly bufferWaiters = new Map<number, Array<(b: SharedArrayBuffer) => void>>();
  private readonly stashes = new Map<string, unknown[]>();
  private readonly takers = new Map<string, { count: number; then: (values: unknown[]) => void }>();

  /**
   * Calls back with the buffer of `id`. Its owner announced it before the value
   * that refers to it was stored, but on another port, so it may not be here yet.
   */
  whenBuffer(id: number, then: (b: SharedArrayBuffer) => void): void {
    const b = this.buffers.get(id);
    if (b) return then(b);
    const waiting = this.bufferWaiters.get(id) ?? [];
    waiting.push(then);
    this.bufferWaiters.set(id, waiting);
  }

  /**
   * Calls back with every value stashed under `key` (removing them) once there
   * are at least `count`: a thread counts what it stashes in shared memory
   * before the message is here, so a taker may have to wait for the rest.
   */
  take(key: string, count: number, then: (values: unknown[]) => void): void {
    const have = this.stashes.get(key) ?? [];
    if (have.length >= count) {
      this.stashes.delete(key);
      return then(have);
    }
    this.takers.set(key, { count, then });
  }

  /** Keeps a value stashed by a thread (also called by a program that drained the message off the port). */
  stash(key: string, value: unknown): void {
    const have = this.stashes.get(key) ?? [];
    have.push(value);
    this.stashes.set(key, have);
    const taker = this.takers.get(key);
    if (taker && have.length >= taker.count) {
      this.takers.delete(key);
      this.stashes.delete(key);
      taker.then(have);
    }
  }

  /** Keeps a buffer a thread announced (also called by a program that drained the message off the port). */
  addBuffer(id: number, buffer: SharedArrayBuffer): void {
    this.buffers.set(id, buffer);
    for (const then of this.bufferWaiters.get(id) ?? []) then(buffer);
    this.bufferWaiters.delete(id);
  }
}
