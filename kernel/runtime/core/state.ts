// Timeouts as Python takes them, for every blocking wait of the runtime. The
// shared memory of threads and programs that these waits sleep on is laid out
// in kernel/protocol/layout.ts, which the kernel shares.
import { OverflowError, ValueError, PyTypeError } from "./errors";

/** Python's threading.TIMEOUT_MAX, in seconds (what Atomics.wait can honour). */
export const TIMEOUT_MAX = 2 ** 31 / 1000;

/**
 * Seconds (Python's way: null, undefined or -1 wait forever) to milliseconds,
 * Infinity meaning forever. `negative` says what a negative timeout means.
 */
export function timeoutMs(timeout: unknown, negative: "zero" | "error" = "zero"): number {
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== "number") throw new PyTypeError(`timeout must be a number of seconds, not ${typeof timeout}`);
  if (Number.isNaN(timeout)) throw new ValueError("timeout must not be NaN");
  if (timeout === -1 && negative === "error") return Infinity;
  if (timeout < 0) {
    if (negative === "error") throw new ValueError("timeout value must be a non-negative number");
    return 0;
  }
  if (timeout > TIMEOUT_MAX) throw new OverflowError("timeout value is too large");
  return timeout * 1000;
}
