// A future's memory: 128 bytes of the kernel's arena, its states and its Int32
// words, read and written by every thread that holds the future (future.ts).

/** A future's states, in the low bits of its State word. */
export const PENDING = 0;
export const RUNNING = 1;
export const CANCELLED = 2;
export const CANCELLED_AND_NOTIFIED = 3;
export const FINISHED = 4;
export const STATE_NAMES = ["pending", "running", "cancelled", "cancelled", "finished"];

/**
 * Int32 words of a future. The State word holds the state in its low 3 bits
 * and, above them, the number of callbacks added while pending: one
 * compare-and-swap moves the state and reads the callbacks that the finish
 * must run, so no mutex is needed anywhere.
 */
export const enum F {
  State = 0,
  /** Threads asleep in result() or exception(): a finish wakes them only if there are some. */
  Sleepers = 1,
  /** 0 none yet, 1 a result, 2 an exception. */
  Outcome = 2,
  /** Bytes of the outcome: inline at INLINE_AT when they fit, else at arena offset OutcomeAt. */
  Length = 3,
  OutcomeAt = 4,
  Header = 6,
}
/** A finish has claimed the future and is writing its outcome: not done yet, and no one else may finish it. */
export const FINISHING = 5;
export const STATE_BITS = 7;
export const ONE_CALLBACK = 8;
export const INLINE_AT = F.Header * 4;
export const SIZE = 128;
export const INLINE_BYTES = SIZE - INLINE_AT;

export const isDone = (s: number) => s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED;
export const isWaiting = (s: number) => s === PENDING || s === RUNNING || s === FINISHING;
