// Layouts of the shared memory that describes threads and programs, and the
// blocking waits on it. Every worker maps the same buffers, so a Thread
// object copied into another thread still sees the one true state.
import { OverflowError, ValueError, PyTypeError } from "./errors";

/** Int32 slots of a thread's state buffer. */
export const enum T {
  State = 0,
  Ident = 1,
  NativeId = 2,
  Size = 4,
}
export const NEW = 0;
export const STARTED = 1;
export const FINISHED = 2;

/** Int32 slots of a program's shared buffer. */
export const enum P {
  /** Counter behind default thread names (Thread-N), per program as in a fresh Python process. */
  ThreadNames = 0,
  /** Non-daemon threads started and not finished; the main thread waits for 0. */
  Live = 1,
  Size = 4,
}

/** Int32 slots of the kernel-wide buffer. */
export const enum G {
  Ident = 0,
  /** Every write of every thread takes the next number: the kernel shows output in this order. */
  OutSeq = 1,
  Size = 4,
}

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

/** Blocks until view[slot] !== value, or the deadline passes; true if it changed. Recomputes the time left after every wake-up. */
export function waitWhile(view: Int32Array, slot: number, value: number, ms: number): boolean {
  const deadline = performance.now() + ms;
  while (Atomics.load(view, slot) === value) {
    const left = ms === Infinity ? Infinity : deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(view, slot, value, left);
  }
  return true;
}
