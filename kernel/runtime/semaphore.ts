// Semaphore and BoundedSemaphore: a counter in shared memory; acquire takes
// one with a compare-and-swap, or waits until a release makes one.
import { inspect } from "node:util";
import { PyTypeError, ValueError } from "./errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { acquireMs } from "./locks";
import { wait } from "./blocking";

const enum S {
  Value = 0,
  /** The initial value (a BoundedSemaphore's bound), or -1 for an unbounded Semaphore. */
  Bound = 1,
  Size = 2,
}

function checkValue(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new PyTypeError("semaphore value must be an integer");
  if (value < 0) throw new ValueError("semaphore initial value must be >= 0");
  if (value > 2 ** 31 - 1) throw new ValueError("semaphore initial value is too large");
  return value;
}

export class Semaphore {
  declare readonly id: number;
  declare protected readonly view: Int32Array;

  constructor(value: number = 1) {
    const v = checkValue(value);
    initSemaphore(this, allocate(new.target.name, S.Size), new.target === BoundedSemaphore ? "BoundedSemaphore" : "Semaphore");
    Atomics.store(this.view, S.Value, v);
    Atomics.store(this.view, S.Bound, new.target === BoundedSemaphore ? v : -1);
  }

  acquire(blocking: boolean = true, timeout: number | null = null): boolean {
    const ms = acquireMs(blocking, timeout ?? -1);
    const v = this.view;
    const deadline = performance.now() + ms;
    for (;;) {
      const n = Atomics.load(v, S.Value);
      if (n > 0) {
        if (Atomics.compareExchange(v, S.Value, n, n - 1) === n) return true;
        continue;
      }
      const left = ms === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return false;
      wait(v, S.Value, 0, left, this.id, "acquire");
    }
  }

  release(n: number = 1): void {
    if (typeof n !== "number" || !Number.isInteger(n)) throw new PyTypeError("release() takes an integer");
    if (n < 1) throw new ValueError("n must be one or more");
    const v = this.view;
    const bound = Atomics.load(v, S.Bound);
    for (;;) {
      const cur = Atomics.load(v, S.Value);
      if (bound >= 0 && cur + n > bound) throw new ValueError("Semaphore released too many times");
      if (Atomics.compareExchange(v, S.Value, cur, cur + n) === cur) break;
    }
    Atomics.notify(v, S.Value, n);
  }

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
  [inspect.custom](): string {
    return this.toString();
  }
}

export class BoundedSemaphore extends Semaphore {}

function initSemaphore(s: Semaphore, state: SharedState, kind: string): Semaphore {
  hidden(s, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(s, kind, state);
}
defineKind("Semaphore", (state) => initSemaphore(Object.create(Semaphore.prototype) as Semaphore, state, "Semaphore"));
defineKind("BoundedSemaphore", (state) =>
  initSemaphore(Object.create(BoundedSemaphore.prototype) as Semaphore, state, "BoundedSemaphore"),
);
