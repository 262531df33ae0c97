// Condition on shared memory. Each waiter takes a cell of the condition's
// memory and joins a FIFO queue of cells *before* it lets go of the lock, so
// a notify that comes between the release and the wait still wakes it;
// notify(n) wakes the n oldest waiters, as Python's does.
import { inspect } from "node:util";
import { RuntimeError, PyTypeError, ValueError } from "./errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { timeoutMs } from "./state";
import { wait } from "./blocking";
import { Lock, RLock } from "./locks";
import { decode, encode } from "./share";

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

export class Condition {
  declare readonly id: number;
  declare private readonly view: Int32Array;
  declare private readonly lock: AnyLock;

  constructor(lock?: AnyLock | null) {
    const l = lock ?? new RLock();
    if (!(l instanceof Lock) && !(l instanceof RLock)) throw new PyTypeError("Condition() takes a Lock or an RLock");
    initCondition(this, allocate("Condition", C.Size), l);
  }

  acquire(blocking: boolean = true, timeout: number = -1): boolean {
    return this.lock.acquire(blocking, timeout);
  }
  release(): void {
    this.lock.release();
  }
  hold(): Disposable {
    return this.lock.hold();
  }

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
      if (this.lock instanceof RLock) this.lock.acquireAll(depth);
      else this.lock.acquire();
    }
    return notified;
  }

  waitFor(predicate: () => unknown, timeout?: number | null): unknown {
    if (typeof predicate !== "function") throw new PyTypeError("waitFor() takes a predicate function");
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    let result = predicate();
    while (!result) {
      const left = ms === Infinity ? null : (deadline - performance.now()) / 1000;
      if (left !== null && left <= 0) break;
      this.wait(left);
      result = predicate();
    }
    return result;
  }

  notify(n: number = 1): void {
    if (!this.lock.isOwned()) throw new RuntimeError("cannot notify on un-acquired lock");
    if (typeof n !== "number" || Number.isNaN(n)) throw new PyTypeError("notify() takes a number of waiters");
    if (n < 0) throw new ValueError("notify() takes a non-negative number of waiters");
    const v = this.view;
    guard(v, () => {
      while (n-- > 0 && v[C.Length] > 0) {
        const cell = v[C.Queue + v[C.Head]];
        v[C.Head] = (v[C.Head] + 1) % CELLS;
        v[C.Length]--;
        Atomics.store(v, C.Cells + cell, NOTIFIED);
        Atomics.notify(v, C.Cells + cell);
      }
    });
  }

  notifyAll(): void {
    this.notify(CELLS);
  }

  /** Waiters in the queue now (for Barrier and tests). */
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
