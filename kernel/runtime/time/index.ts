// "time": sleep blocks only the calling thread (Atomics.wait), as in Python.
import { ValueError, PyTypeError, OverflowError } from "../core/errors";
import { TIMEOUT_MAX } from "../core/state";
import { traceBegin, traceEnd } from "../core/trace";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the calling thread, and only it, for `seconds` (fractions allowed: `sleep(0.5)`). Raises ValueError for a
 * negative number or NaN, TypeError for a value that is not a number.
 */
export function sleep(seconds: number): void {
  if (typeof seconds !== "number") throw new PyTypeError(`sleep() takes a number of seconds, not ${typeof seconds}`);
  if (Number.isNaN(seconds)) throw new ValueError("Invalid value NaN (not a number)");
  if (seconds < 0) throw new ValueError("sleep length must be non-negative");
  if (seconds > TIMEOUT_MAX * 1000) throw new OverflowError("sleep length is too large");
  const deadline = performance.now() + seconds * 1000;
  if (seconds === 0) return;
  // a sleep's span says how long it was asked for: "sleep 0.5"
  const span = traceBegin(Math.round(seconds * 1000), "sleep");
  try {
    for (let left = seconds * 1000; left > 0; left = deadline - performance.now()) Atomics.wait(sleeper, 0, 0, left);
  } finally {
    traceEnd(span);
  }
}

/**
 * Seconds, with a fraction, on a high-resolution clock for timing code: only the difference of two readings means
 * something. One clock shared by every thread (workers' performance.now() have different origins).
 */
export function perfCounter(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Seconds on a clock that never goes back, for measuring how long something took: the same clock as perfCounter(). */
export const monotonic = perfCounter;

/** The time now, in seconds since the Unix epoch (1970-01-01 UTC), with a fraction (millisecond precision). */
export function time(): number {
  return Date.now() / 1000;
}
