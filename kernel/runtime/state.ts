// Layouts of the shared memory that describes threads and programs, and the
// blocking waits on it. Every worker maps the same buffers, so a Thread
// object copied into another thread still sees the one true state.
import { OverflowError, ValueError, PyTypeError } from "./errors";

/** Int32 slots of a thread's state buffer. */
export const enum T {
  State = 0,
  Ident = 1,
  NativeId = 2,
  /** While the thread waits with no timeout for longer than a moment: what on (see blocking.ts), else 0. */
  Blocked = 3,
  /** Counts those waits, so the kernel tells a thread still blocked from one blocked again. */
  BlockSeq = 4,
  Size = 8,
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
  /** Executors made by the program: numbers their threads' names, and tells the main thread how many to shut down. */
  Executors = 2,
  /** Counter behind default process names (Process-N). */
  Processes = 3,
  /** Counts setExcepthook() calls: a thread whose hook is older asks the kernel for the program's current one. */
  Excepthook = 4,
  /** Threads of the program alive now, daemons and the main thread included: start() checks it against MaxThreads. */
  Threads = 5,
  /** The cap on Threads (KernelOptions.maxThreads, or the default the kernel derived from memory). */
  MaxThreads = 6,
  Size = 7,
}

/** Int32 slots of the kernel-wide buffer. */
export const enum G {
  Ident = 0,
  /** Every write of every thread takes the next number: the kernel shows output in this order. */
  OutSeq = 1,
  /** Ids of runtime objects (locks, events, ...), unique in the kernel. */
  ObjectId = 2,
  /** Ids of shared buffers met inside values stored as bytes (runtime/transfer). */
  BufferId = 3,
  /** Bumped whenever any future finishes: what asCompleted() and wait() sleep on. */
  FutureDone = 4,
  /** Threads asleep on FutureDone: a finish wakes them only if there are some. */
  FutureWatchers = 5,
  Size = 8,
}

/** What a thread can wait on (T.Blocked), besides runtime objects (which are positive ids). */
export const JOINING_ALL = -1; // the main thread waiting for its non-daemon threads at the end
export const joiningThread = (ident: number) => -1_000_000 - ident;

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
