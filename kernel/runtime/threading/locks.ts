// Lock and RLock on shared memory: a futex-style mutex (0 free, 1 locked,
// 2 locked with waiters) whose uncontended acquire and release are one
// compare-and-swap each, and whose waits block only the calling thread.
import { inspect } from "node:util";
import { job } from "../core/context";
import { RuntimeError, ValueError, PyTypeError, OverflowError } from "../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { L } from "../../protocol/layout";
import { wait } from "../core/blocking";
import { notifyTraced, traceBegin, traceEnd, type OpenSpan } from "../core/trace";


const me = () => job().desc.ident;

/** Python turns a timeout into int64 nanoseconds before it looks at it: past this, that conversion overflows. */
const PYTIME_MAX_SECONDS = 2 ** 63 / 1e9;

/**
 * Python's checks of acquire's arguments, and the wait they ask for in ms (0: don't wait).
 * The order is Python's: converting the timeout fails first, so acquire(false, 1e100)
 * and acquire(true, -Infinity) are OverflowErrors, not ValueErrors.
 */
export function acquireMs(blocking: unknown, timeout: unknown): number {
  if (typeof blocking !== "boolean" && typeof blocking !== "number") throw new PyTypeError("blocking must be a boolean");
  const t = timeout === undefined || timeout === null ? -1 : timeout;
  if (typeof t !== "number") throw new PyTypeError(`timeout must be a number of seconds, not ${typeof t}`);
  if (Number.isNaN(t)) throw new ValueError("Invalid value NaN (not a number)");
  if (Math.abs(t) >= PYTIME_MAX_SECONDS) throw new OverflowError("timestamp too large to convert to C PyTime_t");
  if (!blocking) {
    if (t !== -1) throw new ValueError("can't specify a timeout for a non-blocking call");
    return 0;
  }
  return timeoutMs(t, "error");
}

/** Spins before sleeping: a lock held for a few instructions is usually free again sooner than a futex wake-up. */
const SPINS = 200;

/** Takes the mutex in view: true when taken, false when ms ran out. */
export function lockMutex(view: Int32Array, ms: number, id: number, op: string): boolean {
  let c = Atomics.compareExchange(view, L.State, 0, 1);
  if (c === 0) return true;
  if (ms === 0) return false;
  for (let i = 0; i < SPINS; i++) {
    if (Atomics.load(view, L.State) === 0) {
      c = Atomics.compareExchange(view, L.State, 0, 1);
      if (c === 0) return true;
    }
  }
  const deadline = performance.now() + ms;
  // a span only once the thread really goes to sleep: a lock that frees up as the spin ends records nothing
  let span: OpenSpan | null | undefined;
  try {
    do {
      if (c === 2 || Atomics.compareExchange(view, L.State, 1, 2) !== 0) {
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) return false;
        if (span === undefined) span = traceBegin(id, op);
        wait(view, L.State, 2, left, id, op);
      }
      c = Atomics.compareExchange(view, L.State, 0, 2);
    } while (c !== 0);
    return true;
  } finally {
    if (span !== undefined) traceEnd(span);
  }
}

/**
 * Lets go of the mutex; false if it was not locked. One compare-and-swap both
 * checks and unlocks, so of two threads releasing a Lock held once, exactly
 * one succeeds (the other gets Python's RuntimeError), never both.
 */
export function unlockMutex(view: Int32Array, id?: number): boolean {
  for (;;) {
    const c = Atomics.load(view, L.State);
    if (c === 0) return false;
    if (Atomics.compareExchange(view, L.State, c, 0) === c) {
      // a queue's own mutex (no id) is its plumbing, not a hand-off the learner made
      if (c === 2) {
        if (id === undefined) Atomics.notify(view, L.State, 1);
        else notifyTraced(id, "release", view, L.State, 1);
      }
      return true;
    }
  }
}

/** What `using _ = x.hold()` returns: releases x at the end of the block. */
function holder(release: () => void): Disposable {
  return { [Symbol.dispose]: release };
}

/**
 * Python's threading.Lock: one thread at a time holds it; any thread may release it. Not reentrant: a thread that
 * acquires it again while it holds it waits for itself (use RLock). `using _ = lock.hold()` is Python's `with lock:`.
 */
export class Lock {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  declare private readonly view: Int32Array;

  constructor() {
    // cells are not type-checked, and Python's Lock(1) is a TypeError, not a Lock
    if (arguments.length > 0) throw new PyTypeError("Lock() takes no arguments");
    initLock(this, allocate("Lock", L.Size));
  }

  /**
   * Takes the lock, waiting while another thread holds it: for up to `timeout` seconds (-1: no limit), or not at all
   * when `blocking` is false (positional, as in Python: `lock.acquire(false)`, `lock.acquire(true, 0.5)`). Returns
   * true once taken, false if not. Raises ValueError when a timeout comes with blocking false, or is negative but not -1.
   */
  acquire(blocking: boolean = true, timeout: number = -1): boolean {
    const ms = acquireMs(blocking, timeout);
    const ok = lockMutex(this.view, ms, this.id, "acquire");
    if (ok) Atomics.store(this.view, L.Owner, me());
    return ok;
  }

  /** Unlocks it, waking one waiting thread; any thread may. Raises RuntimeError when the lock is not locked. */
  release(): void {
    // the owner is cleared first: once unlocked, another thread may take it and record itself
    Atomics.store(this.view, L.Owner, 0);
    if (!unlockMutex(this.view, this.id)) throw new RuntimeError("release unlocked lock");
  }

  /** True while some thread holds the lock (it may be free again a moment later). */
  locked(): boolean {
    return Atomics.load(this.view, L.State) !== 0;
  }

  /**
   * Acquires the lock (waiting for it) and returns a Disposable that releases it: `using _ = lock.hold()` holds the
   * lock until the end of the block, like Python's `with lock:`, and lets it go however the block is left.
   */
  hold(): Disposable {
    this.acquire();
    return holder(() => this.release());
  }

  /** For Condition: whether the calling thread holds it (a Lock has no owner in Python; we know who took it). @internal */
  isOwned(): boolean {
    return this.locked() && Atomics.load(this.view, L.Owner) === me();
  }

  toString(): string {
    return `<${this.locked() ? "locked" : "unlocked"} Lock object #${this.id}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function initLock(lock: Lock, state: SharedState): Lock {
  hidden(lock, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(lock, "Lock", state);
}
defineKind("Lock", (state) => initLock(Object.create(Lock.prototype) as Lock, state));

/**
 * Python's threading.RLock, a reentrant lock: the thread that holds it may acquire it again, and must release it as
 * many times before another thread can take it. Only that thread may release it. `using _ = rlock.hold()` is `with`.
 */
export class RLock {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  declare private readonly view: Int32Array;

  constructor() {
    if (arguments.length > 0) throw new PyTypeError("RLock() takes no arguments");
    initRLock(this, allocate("RLock", L.Size));
  }

  /**
   * Takes the lock, or one more level of it at once if the calling thread holds it already; else waits as
   * Lock.acquire does (`timeout` seconds, -1: no limit; none with blocking false). Returns true once taken, false if
   * not. Raises ValueError when a timeout comes with blocking false, or is negative but not -1.
   */
  acquire(blocking: boolean = true, timeout: number = -1): boolean {
    const ms = acquireMs(blocking, timeout);
    if (Atomics.load(this.view, L.Owner) === me() && Atomics.load(this.view, L.State) !== 0) {
      Atomics.add(this.view, L.Count, 1);
      return true;
    }
    if (!lockMutex(this.view, ms, this.id, "acquire")) return false;
    Atomics.store(this.view, L.Owner, me());
    Atomics.store(this.view, L.Count, 1);
    return true;
  }

  /**
   * Lets go of one level: the lock is free once every acquire has had its release. Raises RuntimeError when the
   * calling thread does not hold it (not locked, locked by another thread, or released once too often).
   */
  release(): void {
    if (Atomics.load(this.view, L.State) === 0 || Atomics.load(this.view, L.Owner) !== me()) {
      throw new RuntimeError("cannot release un-acquired lock");
    }
    if (Atomics.sub(this.view, L.Count, 1) === 1) {
      Atomics.store(this.view, L.Owner, 0);
      unlockMutex(this.view, this.id);
    }
  }

  /** True while some thread holds the lock, at any depth. */
  locked(): boolean {
    return Atomics.load(this.view, L.State) !== 0;
  }

  /**
   * Acquires one level (waiting if another thread holds it) and returns a Disposable that releases it:
   * `using _ = rlock.hold()` holds it until the end of the block, like Python's `with rlock:`; such blocks may nest.
   */
  hold(): Disposable {
    this.acquire();
    return holder(() => this.release());
  }

  /** For Condition: whether the calling thread holds it (Python's private `_is_owned`). @internal */
  isOwned(): boolean {
    return this.locked() && Atomics.load(this.view, L.Owner) === me();
  }

  /** For Condition.wait: let go of every level at once, and get them all back. @internal */
  releaseAll(): number {
    if (!this.isOwned()) throw new RuntimeError("cannot release un-acquired lock");
    const depth = Atomics.load(this.view, L.Count);
    Atomics.store(this.view, L.Count, 0);
    Atomics.store(this.view, L.Owner, 0);
    unlockMutex(this.view, this.id);
    return depth;
  }
  /** releaseAll()'s other half, for Condition.wait: waits for the lock and takes it at `depth` levels. @internal */
  acquireAll(depth: number): void {
    lockMutex(this.view, Infinity, this.id, "acquire");
    Atomics.store(this.view, L.Owner, me());
    Atomics.store(this.view, L.Count, depth);
  }

  toString(): string {
    const owner = Atomics.load(this.view, L.Owner);
    return `<${this.locked() ? "locked" : "unlocked"} RLock object #${this.id} owner=${owner} count=${Atomics.load(this.view, L.Count)}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function initRLock(lock: RLock, state: SharedState): RLock {
  hidden(lock, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(lock, "RLock", state);
}
defineKind("RLock", (state) => initRLock(Object.create(RLock.prototype) as RLock, state));
