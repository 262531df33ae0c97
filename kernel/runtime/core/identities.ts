// One object per id in each thread: a runtime object (a lock, a thread, a
// future, a queue) that comes back to a thread, through args, a queue or a
// result, is the object that thread already has, as Python's are. Held
// weakly; a program may make objects by the hundred thousand, so now and then
// the entries nobody holds any more are dropped (cheaper than a finalizer per
// object).
export class Identities<T extends object> {
  private readonly refs = new Map<number, WeakRef<T>>();
  private sweepAt = 1024;

  get(id: number): T | undefined {
    return this.refs.get(id)?.deref();
  }

  /** Makes `obj` this thread's object for `id`; returns it. */
  set(id: number, obj: T): T {
    if (this.refs.size >= this.sweepAt) {
      for (const [k, ref] of this.refs) if (ref.deref() === undefined) this.refs.delete(k);
      this.sweepAt = Math.max(1024, this.refs.size * 2);
    }
    this.refs.set(id, new WeakRef(obj));
    return obj;
  }
}
