// Semaphore and BoundedSemaphore: a counter in shared memory; acquire takes
// one with a compare-and-swap, or waits until a release makes one.
import { inspect } from "node:util";
import { OverflowError, PyTypeError, ValueError } from "../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { wait } from "../core/blocking";
import { notifyTraced, traceBegin, traceEnd, type OpenSpan } from "../core/trace";

/** The counter is an Int32: Python's is unbounded, so past this we say so rather than wrap around to negative. */
const MAX_VALUE = 2 ** 31 - 1;

const enum S {
  Value = 0,
  /** The initial value (a BoundedSemaphore's bound), or -1 for an unbounded Semaphore. */
  Bound = 1,
  Size = 2,
}

/** Python checks only `value < 0`; a count that is not a whole number is ours to refuse (Python's would misbehave). */
function checkValue(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new PyTypeError("semaphore value must be an integer");
  if (value < 0) throw new ValueError("semaphore initial value must be >= 0");
  if (!Number.isInteger(value)) throw new PyTypeError("semaphore value must be an integer");
  if (value > MAX_VALUE) throw new OverflowError(`semaphore initial value must be at most ${MAX_VALUE}`);
  return value;
}

/**
 * Python's threading.Semaphore: a count of permits (`value`, 1 by default; ValueError if negative). acquire() takes
 * one, waiting while there are none; release() gives permits back. `using _ = sem.hold()` is Python's `with sem:`.
 */
export class Semaphore {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  declare protected readonly view: Int32Array;

  constructor(value: number = 1) {
    const v = checkValue(value);
    initSemaphore(this, allocate(new.target.name, S.Size), new.target === BoundedSemaphore ? "BoundedSemaphore" : "Semaphore");
    Atomics.store(this.view, S.Value, v);
    Atomics.store(this.view, S.Bound, new.target === BoundedSemaphore ? v : -1);
  }

  /**
   * Takes one permit, waiting while there are none: for up to `timeout` seconds (omitted or null: no limit; a negative
   * one only tries), or not at all when `blocking` is false. Returns true once taken, false if not. Raises ValueError
   * for a timeout with blocking false.
   */
  acquire(blocking: boolean = true, timeout: number | null = null): boolean {
    if (typeof blocking !== "boolean" && typeof blocking !== "number") throw new PyTypeError("blocking must be a boolean");
    if (!blocking && timeout !== null && timeout !== undefined) throw new ValueError("can't specify timeout for non-blocking acquire");
    // Unlike Lock's, Python's semaphore gives -1 no meaning: any negative timeout only tries, as Condition.wait's does.
    const ms = blocking ? timeoutMs(timeout, "zero") : 0;
    const v = this.view;
    const deadline = performance.now() + ms;
    let span: OpenSpan | null | undefined;
    try {
      for (;;) {
        const n = Atomics.load(v, S.Value);
        if (n > 0) {
          if (Atomics.compareExchange(v, S.Value, n, n - 1) === n) return true;
          continue;
        }
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) return false;
        if (span === undefined) span = traceBegin(this.id, "acquire");
        wait(v, S.Value, 0, left, this.id, "acquire");
      }
    } finally {
      if (span !== undefined) traceEnd(span);
    }
  }

  /**
   * Gives back `n` permits (1 by default), waking up to n waiting threads. Raises ValueError when n is below 1, or
   * when a BoundedSemaphore would go above its initial value.
   */
  release(n: number = 1): void {
    if (typeof n !== "number" || Number.isNaN(n)) throw new PyTypeError("release() takes an integer");
    if (n < 1) throw new ValueError("n must be one or more");
    if (!Number.isInteger(n)) throw new PyTypeError("release() takes an integer");
    const v = this.view;
    const bound = Atomics.load(v, S.Bound);
    for (;;) {
      const cur = Atomics.load(v, S.Value);
      if (bound >= 0 && cur + n > bound) throw new ValueError("Semaphore released too many times");
      if (cur + n > MAX_VALUE) throw new OverflowError(`semaphore value must stay at most ${MAX_VALUE}`);
      if (Atomics.compareExchange(v, S.Value, cur, cur + n) === cur) break;
    }
    notifyTraced(this.id, "release", v, S.Value, n);
  }

  /**
   * Acquires a permit (waiting for one) and returns a Disposable that releases it: `using _ = sem.hold()` holds the
   * permit until the end of the block, like Python's `with sem:`.
   */
  hold(): Disposable {
    this.acquire();
    return { [Symbol.dispose]: () => this.release() };
  }

  /** The counter now (Python's private _value, handy to watch in lessons). */
  get value(): number {
    return Atomics.load(this.view, S.Value);
  }

  toString(): string {
    const bound = Atomics.load(this.view, S.Bound);
    return `<${this.constructor.name} at #${this.id}: value=${this.value}${bound >= 0 ? `/${bound}` : ""}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Python's threading.BoundedSemaphore: a Semaphore that may not go above its initial value. A release() past it
 * raises ValueError, which catches a release without its acquire.
 */
export class BoundedSemaphore extends Semaphore {}

function initSemaphore(s: Semaphore, state: SharedState, kind: string): Semaphore {
  hidden(s, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(s, kind, state);
}
defineKind("Semaphore", (state) => initSemaphore(Object.create(Semaphore.prototype) as Semaphore, state, "Semaphore"));
defineKind("BoundedSemaphore", (state) =>
  initSemaphore(Object.create(BoundedSemaphore.prototype) as Semaphore, state, "BoundedSemaphore"),
);
