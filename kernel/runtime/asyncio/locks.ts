// asyncio's Lock, Event and Condition: waits on this thread's event loop, never blocking the thread. Waiters
// are served first come, first served; a release hands the lock straight to the first waiter, so a waiter
// cancelled while it waits only leaves the queue, and no wake-up is ever lost to a cancellation.
import { PyTypeError, RuntimeError } from "../core/errors";
import { CancelledError } from "./errors";
import { Op } from "./op";

/** The waiters of a primitive, in arrival order: each is woken once. @internal */
export class Waiters<V = true> {
  #queue: Array<(v: V) => void> = [];
  get length(): number {
    return this.#queue.length;
  }
  /** An Op that waits until woken (or gives `ready()`'s value at once when it is not undefined). */
  wait(ready: () => V | undefined): Op<V> {
    return new Op<V>((resolve) => {
      const now = ready();
      if (now !== undefined) return resolve(now);
      this.#queue.push(resolve);
      return () => {
        const at = this.#queue.indexOf(resolve);
        if (at >= 0) this.#queue.splice(at, 1);
      };
    });
  }
  /** Wakes the first waiter with v: false if there was none. */
  wakeOne(v: V): boolean {
    const w = this.#queue.shift();
    w?.(v);
    return w !== undefined;
  }
  wakeAll(v: V): void {
    for (const w of this.#queue.splice(0)) w(v);
  }
}

/** Held until the end of its block: `using _ = await lock.hold()`. */
function holder(release: () => void): Disposable {
  return { [Symbol.dispose]: release };
}

/** Python's asyncio.Lock: `await lock.acquire()`, `release()`, `locked()`; `using _ = await lock.hold()`. */
export class Lock {
  #locked = false;
  #waiters = new Waiters();

  /** Waits until the lock is free and takes it; gives true. Any task may release it (it has no owner). */
  acquire(): Op<true> {
    return this.#waiters.wait(() => {
      if (this.#locked || this.#waiters.length > 0) return undefined;
      this.#locked = true;
      return true;
    });
  }

  /** Frees the lock, or hands it to the first waiter. RuntimeError when it is not locked. */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    if (!this.#waiters.wakeOne(true)) this.#locked = false;
  }

  /** True while some task holds it. */
  locked(): boolean {
    return this.#locked;
  }

  /** Acquires it and gives what releases it at the end of the block: `using _ = await lock.hold()` (`async with lock`). */
  async hold(): Promise<Disposable> {
    await this.acquire();
    return holder(() => this.release());
  }

  toString(): string {
    return `<asyncio.locks.Lock [${this.#locked ? "locked" : "unlocked"}${this.#waiters.length ? `, waiters:${this.#waiters.length}` : ""}]>`;
  }
}

/** Python's asyncio.Event: `set()`, `clear()`, `isSet()`, `await event.wait()`. */
export class Event {
  #set = false;
  #waiters = new Waiters();

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    this.#waiters.wakeAll(true);
  }
  /** Clears the flag: later waits wait. */
  clear(): void {
    this.#set = false;
  }
  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#set;
  }
  /** Waits until the flag is set; gives true. */
  wait(): Op<true> {
    return this.#waiters.wait(() => (this.#set ? true : undefined));
  }
  toString(): string {
    return `<asyncio.locks.Event [${this.#set ? "set" : "unset"}${this.#waiters.length ? `, waiters:${this.#waiters.length}` : ""}]>`;
  }
}

/** Python's asyncio.Condition(lock?): `await wait()`, `await waitFor(pred)`, `notify(n)`, `notifyAll()`, and the lock's methods. */
export class Condition {
  #lock: Lock;
  #waiters = new Waiters();

  constructor(lock: Lock | null = null) {
    if (lock !== null && !(lock instanceof Lock)) throw new PyTypeError("Condition(lock): lock must be an asyncio Lock");
    this.#lock = lock ?? new Lock();
  }

  /** The lock's acquire(). */
  acquire(): Op<true> {
    return this.#lock.acquire();
  }
  /** The lock's release(). */
  release(): void {
    this.#lock.release();
  }
  /** The lock's locked(). */
  locked(): boolean {
    return this.#lock.locked();
  }
  /** Acquires the lock until the end of the block: `using _ = await cond.hold()`. */
  hold(): Promise<Disposable> {
    return this.#lock.hold();
  }

  /**
   * Releases the lock, waits to be notified, takes the lock again (even when cancelled meanwhile: the
   * CancelledError comes after) and gives true. RuntimeError without the lock.
   */
  async wait(): Promise<true> {
    if (!this.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    this.release();
    let error: unknown = null;
    let failed = false;
    try {
      await this.#waiters.wait(() => undefined);
    } catch (e) {
      error = e;
      failed = true;
    }
    for (;;) {
      try {
        await this.#lock.acquire();
        break;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        if (!failed) error = e;
        failed = true;
      }
    }
    if (failed) throw error;
    return true;
  }

  /** Waits until predicate() is true (checked first, then after each notify); gives its last value. */
  async waitFor<T>(predicate: () => T): Promise<T> {
    let result = predicate();
    while (!result) {
      await this.wait();
      result = predicate();
    }
    return result;
  }

  /** Wakes up to n waiters. RuntimeError without the lock. */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    for (let i = 0; i < n && this.#waiters.wakeOne(true); i++);
  }
  /** Wakes every waiter. RuntimeError without the lock. */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }
}
