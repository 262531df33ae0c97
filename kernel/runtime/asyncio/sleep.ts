// asyncio.sleep: a timer on this thread's event loop, so other tasks run meanwhile (time.sleep blocks the
// thread, and every task on it). The timer is the runtime's tracked setTimeout: a sleeping task keeps the
// cell's program going, as a pending timer keeps `node` going; a cancelled sleep clears it.
import { PyTypeError, ValueError } from "../core/errors";
import { Op } from "./op";

/**
 * Waits `seconds` without blocking the thread, then gives `value` (`await sleep(0.5)`). Zero or less: yields to the
 * other tasks once. Cancellable: a cancelled task's sleep rejects with CancelledError.
 */
export function sleep<T = undefined>(seconds: number, value?: T): Op<T> {
  if (typeof seconds !== "number") throw new PyTypeError(`sleep() takes a number of seconds, not ${typeof seconds}`);
  if (Number.isNaN(seconds)) throw new ValueError("Invalid value NaN (not a number)");
  return new Op<T>((resolve) => {
    if (seconds <= 0) {
      const h = setImmediate(() => resolve(value as T));
      return () => clearImmediate(h);
    }
    const h = setTimeout(() => resolve(value as T), seconds * 1000);
    return () => clearTimeout(h);
  });
}
