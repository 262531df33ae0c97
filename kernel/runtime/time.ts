// "time": sleep blocks only the calling thread (Atomics.wait), as in Python.
import { ValueError, PyTypeError, OverflowError } from "./errors";
import { TIMEOUT_MAX } from "./state";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sleep(seconds: number): void {
  if (typeof seconds !== "number") throw new PyTypeError(`sleep() takes a number of seconds, not ${typeof seconds}`);
  if (Number.isNaN(seconds)) throw new ValueError("Invalid value NaN (not a number)");
  if (seconds < 0) throw new ValueError("sleep length must be non-negative");
  if (seconds > TIMEOUT_MAX * 1000) throw new OverflowError("sleep length is too large");
  const deadline = performance.now() + seconds * 1000;
  for (let left = seconds * 1000; left > 0; left = deadline - performance.now()) Atomics.wait(sleeper, 0, 0, left);
}

/** Seconds on a clock shared by every thread (workers' performance.now() have different origins). */
export function perfCounter(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export const monotonic = perfCounter;

export function time(): number {
  return Date.now() / 1000;
}
