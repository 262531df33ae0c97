// asyncio's Semaphore and BoundedSemaphore: a counter that acquire() takes from (waiting at zero) and
// release() gives back; a release hands the unit straight to the first waiter (see locks.ts).
import { PyTypeError, ValueError } from "../core/errors";
import { Waiters } from "./locks";
import type { Op } from "./op";

/** Python's asyncio.Semaphore(value = 1): `await acquire()`, `release()`, `locked()`, `using _ = await sem.hold()`. */
export class Semaphore {
  #value: number;
  #waiters = new Waiters();

  constructor(value = 1) {
    if (typeof value !== "number" || !Number.isInteger(value)) throw new PyTypeError("the semaphore's value must be an integer");
    if (value < 0) throw new ValueError("Semaphore initial value must be >= 0");
    this.#value = value;
  }

  /** Takes a unit, waiting while there is none; gives true. */
  acquire(): Op<true> {
    return this.#waiters.wait(() => {
      if (this.#value <= 0 || this.#waiters.length > 0) return undefined;
      this.#value--;
      return true;
    });
  }

  /** Gives a unit back (to the first waiter, if any). */
  release(): void {
    if (!this.#waiters.wakeOne(true)) this.#value++;
  }

  /** True when acquire() would wait. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.length > 0;
  }

  /** Acquires a unit until the end of the block: `using _ = await sem.hold()` (`async with sem`). */
  async hold(): Promise<Disposable> {
    await this.acquire();
    return { [Symbol.dispose]: () => this.release() };
  }

  /** The units free now. @internal */
  protected get value(): number {
    return this.#value;
  }
}

/** A Semaphore that refuses to be released past its initial value (ValueError). */
export class BoundedSemaphore extends Semaphore {
  #bound: number;
  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }
  /** As Semaphore's; ValueError when it would go past the initial value. */
  override release(): void {
    if (this.value >= this.#bound) throw new ValueError("BoundedSemaphore released too many times");
    super.release();
  }
}
