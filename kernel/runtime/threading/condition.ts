// Condition on shared memory. Each waiter takes a cell of the condition's
// memory and joins a FIFO queue of cells *before* it lets go of the lock, so
// a notify that comes between the release and the wait still wakes it;
// notify(n) wakes the n oldest waiters, as Python's does.
import { inspect } from "node:util";
import { RuntimeError, PyTypeError, ValueError } from "../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { wait } from "../core/blocking";
import { traceBegin, traceEnd, traceWoke } from "../core/trace";
import { Lock, RLock } from "./locks";
import { decode, encode } from "../core/share";

const CELLS = 256;
/** Int32 slots: a small spin lock over the queue, its head and length, then the queue, then the cells. */
const enum C {
  Guard = 0,
  Head = 1,
  Length = 2,
  Queue = 4,
  Cells = 4 + CELLS,
  Size = 4 + 2 * CELLS,
}
const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;

type AnyLock = Lock | RLock;

function guard(v: Int32Array, f: () => void): void {
  for (let spins = 0; Atomics.compareExchange(v, C.Guard, 0, 1) !== 0; spins++) {
    if (spins > 100) Atomics.wait(v, C.Guard, 1, 1);
  }
  try {
    f();
  } finally {
    Atomics.store(v, C.Guard, 0);
    Atomics.notify(v, C.Guard, 1);
  }
}

/**
 * Python's threading.Condition: a lock (a new RLock unless one is given; TypeError for anything else) and the threads
 * waiting to be notified. Hold it around wait() and notify(): `using _ = cond.hold()` is Python's `with cond:`.
 */
export class Condition {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in traces. @internal */
  declare readonly id: number;
  declare private readonly view: Int32Array;
  declare private readonly lock: AnyLock;

  constructor(lock?: AnyLock | null) {
    const l = lock ?? new RLock();
    if (!(l instanceof Lock) && !(l instanceof RLock)) throw new PyTypeError("Condition() takes a Lock or an RLock");
    initCondition(this, allocate("Condition", C.Size), l);
  }

  /** Acquires the underlying lock: its acquire(blocking, timeout), with the same result and errors. */
  acquire(blocking: boolean = true, timeout: number = -1): boolean {
    return this.lock.acquire(blocking, timeout);
  }
  /** Releases the underlying lock; raises RuntimeError as that lock's release() does. */
  release(): void {
    this.lock.release();
  }
  /**
   * Acquires the underlying lock and returns a Disposable that releases it: `using _ = cond.hold()` holds it until
   * the end of the block, like Python's `with cond:`.
   */
  hold(): Disposable {
    return this.lock.hold();
  }

  /**
   * Lets go of the lock (every level of an RLock), sleeps until notified or for `timeout` seconds (omitted or null:
   * no limit), then takes the lock back. Returns false on a timeout, true when notified. Raises RuntimeError when the
   * calling thread does not hold the lock.
   */
  wait(timeout?: number | null): boolean {
    if (!this.lock.isOwned()) throw new RuntimeError("cannot wait on un-acquired lock");
    const ms = timeoutMs(timeout);
    const v = this.view;
    let cell = -1;
    guard(v, () => {
      for (let i = 0; i < CELLS; i++) {
        if (Atomics.compareExchange(v, C.Cells + i, FREE, WAITING) === FREE) {
          cell = i;
          break;
        }
      }
      if (cell < 0) return;
      const len = v[C.Length];
      v[C.Queue + ((v[C.Head] + len) % CELLS)] = cell;
      v[C.Length] = len + 1;
    });
    if (cell < 0) throw new RuntimeError(`more than ${CELLS} threads wait on one Condition`);
    const span = traceBegin(this.id, "wait");
    const depth = this.lock instanceof RLock ? this.lock.releaseAll() : (this.lock.release(), 1);
    let notified = false;
    try {
      const deadline = performance.now() + ms;
      while (Atomics.load(v, C.Cells + cell) === WAITING) {
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) break;
        wait(v, C.Cells + cell, WAITING, left, this.id, "wait");
      }
    } finally {
      guard(v, () => {
        notified = Atomics.load(v, C.Cells + cell) === NOTIFIED;
        if (!notified) this.dequeue(cell); // timed out (or interrupted): leave the queue
        Atomics.store(v, C.Cells + cell, FREE);
      });
      try {
        if (this.lock instanceof RLock) this.lock.acquireAll(depth);
        else this.lock.acquire();
      } finally {
        traceEnd(span);
      }
    }
    return notified;
  }

  /**
   * Calls wait() until `predicate()` returns a truthy value, or until `timeout` seconds in all have passed; returns
   * the predicate's last value. Call it holding the lock: wait() raises RuntimeError otherwise.
   */
  waitFor(predicate: () => unknown, timeout?: number | null): unknown {
    if (typeof predicate !== "function") throw new PyTypeError("waitFor() takes a predicate function");
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    let result = predicate();
    if (result) return result;
    const span = traceBegin(this.id, "waitFor");
    try {
      while (!result) {
        const left = ms === Infinity ? null : (deadline - performance.now()) / 1000;
        if (left !== null && left <= 0) break;
        this.wait(left);
        result = predicate();
      }
    } finally {
      traceEnd(span);
    }
    return result;
  }

  /**
   * Wakes up to `n` of the threads waiting in wait(), those that have waited longest first. Raises RuntimeError when
   * the calling thread does not hold the lock, ValueError for a negative n.
   */
  notify(n: number = 1): void {
    if (!this.lock.isOwned()) throw new RuntimeError("cannot notify on un-acquired lock");
    if (typeof n !== "number" || Number.isNaN(n)) throw new PyTypeError("notify() takes a number of waiters");
    if (n < 0) throw new ValueError("notify() takes a non-negative number of waiters");
    const v = this.view;
    let woken = 0;
    guard(v, () => {
      while (n-- > 0 && v[C.Length] > 0) {
        woken++;
        const cell = v[C.Queue + v[C.Head]];
        v[C.Head] = (v[C.Head] + 1) % CELLS;
        v[C.Length]--;
        Atomics.store(v, C.Cells + cell, NOTIFIED);
        Atomics.notify(v, C.Cells + cell);
      }
    });
    // counted as notified, asleep yet or not: each wakes to this notify
    traceWoke(this.id, "notify", woken);
  }

  /** Wakes every thread waiting in wait() (Python's `notify_all`). Raises RuntimeError when the caller does not hold the lock. */
  notifyAll(): void {
    this.notify(CELLS);
  }

  /** How many threads wait in wait() now, not yet notified (Python keeps this private; here it is there to watch). */
  get waiting(): number {
    return Atomics.load(this.view, C.Length);
  }

  private dequeue(cell: number): void {
    const v = this.view;
    const kept: number[] = [];
    for (let i = 0; i < v[C.Length]; i++) {
      const c = v[C.Queue + ((v[C.Head] + i) % CELLS)];
      if (c !== cell) kept.push(c);
    }
    kept.forEach((c, i) => (v[C.Queue + ((v[C.Head] + i) % CELLS)] = c));
    v[C.Length] = kept.length;
  }

  toString(): string {
    return `<Condition(${String(this.lock)}, ${this.waiting})>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function initCondition(c: Condition, state: SharedState, lock: AnyLock): Condition {
  hidden(c, { id: state.id, view: new Int32Array(state.buffer), lock });
  return adopt(c, "Condition", state, () => encode(lock));
}
defineKind("Condition", (state, extra, lookup) =>
  initCondition(Object.create(Condition.prototype) as Condition, state, decode(extra, lookup) as AnyLock),
);
