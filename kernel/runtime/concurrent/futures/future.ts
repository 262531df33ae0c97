// Future: the outcome of work done in another thread, in shared memory, so
// the same future can be waited on, cancelled or read from any thread. A
// future is 128 bytes of the kernel's arena (one per submitted task, so it
// must cost next to nothing to make and to send: it travels as an offset).
// The outcome is stored as bytes (runtime/core/transfer): inline when small, else
// in more arena space. Every finish bumps one kernel-wide word, which
// asCompleted() and wait() sleep on.
import { inspect } from "node:util";
import { globalSlots, rpc, send } from "../../core/context";
import { arenaAlloc, arenaBytes, arenaWords } from "../../core/arena";
import { registerReviver, SHARE } from "../../core/share";
import { define, PyTypeError, RuntimeError } from "../../core/errors";
import { timeoutMs } from "../../core/state";
import { G } from "../../../protocol/layout";
import { spinWhile, wait } from "../../core/blocking";
import { notifyTraced, traceBegin, traceEnd } from "../../core/trace";
import { Identities } from "../../core/identities";
import { pack, unpack } from "../../core/transfer";
import { functionSpec, resolveFunction } from "../../core/scope";
import { write } from "../../core/capture";
import { formatTraceback, framesOf, setFrames } from "../../core/traceback";
import { errorRecord, reviveError } from "../../core/errorRecord";
import { CANCELLED, CANCELLED_AND_NOTIFIED, F, FINISHED, FINISHING, INLINE_AT, INLINE_BYTES, isDone, isWaiting, ONE_CALLBACK, PENDING, RUNNING, SIZE, STATE_BITS, STATE_NAMES } from "./futureWords";

/** Raised by a cancelled future's result() and exception(). */
export const CancelledError = define("CancelledError");
/** Raised by setResult() or setException() on a future that is already done (finished or cancelled). */
export const InvalidStateError = define("InvalidStateError");
// Python's concurrent.futures.TimeoutError is the built-in TimeoutError
/** Raised when result(), exception(), asCompleted() or an executor's map() runs out of time. */
export const TimeoutError = define("TimeoutError");

type Callback = (f: Future) => unknown;

const PLACE = Symbol("concnb.future.place");

/** Set while a future already in the arena is given its object here (see adoptFuture). */
let adopting: { id: number; at: number } | null = null;

/**
 * Python's concurrent.futures.Future: the outcome of a call run elsewhere, as an executor's submit() returns it. It
 * is the same object in every thread, and awaitable (`await future`) as well as blocking (`future.result()`).
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /** Its kernel-wide id, the same in every thread: the `#N` of its string form and of traces. */
  readonly id: number;
  /** Where its words begin in the arena, in Int32 words. */
  readonly #w: number;

  constructor() {
    if (adopting) {
      this.id = adopting.id;
      this.#w = adopting.at >> 2;
      adopting = null;
    } else {
      this.id = Atomics.add(globalSlots, G.ObjectId, 1) + 1;
      this.#w = arenaAlloc(SIZE) >> 2;
    }
  }

  /** True once the call has returned or raised, or the future was cancelled. */
  done(): boolean {
    return isDone(this.state);
  }
  /** True while the call runs (too late to cancel it). */
  running(): boolean {
    return this.state === RUNNING;
  }
  /** True when the future was cancelled before it ran. */
  cancelled(): boolean {
    const s = this.state;
    return s === CANCELLED || s === CANCELLED_AND_NOTIFIED;
  }

  /** Cancels the future if it has not started: true when it is (now or already) cancelled, false once it ran or runs. */
  cancel(): boolean {
    const words = this.words();
    const at = this.#w + F.State;
    for (;;) {
      const w = Atomics.load(words, at);
      const s = w & STATE_BITS;
      if (s === CANCELLED || s === CANCELLED_AND_NOTIFIED) return true;
      if (s !== PENDING) return false;
      if (Atomics.compareExchange(words, at, w, (w & ~STATE_BITS) | CANCELLED) === w) {
        finished(words, this.#w, this.id);
        this.runCallbacks(w >>> 3);
        return true;
      }
    }
  }

  /**
   * Waits for the call, up to `timeout` seconds (omitted or null: no limit), and returns its value, or throws what it
   * raised. Raises TimeoutError when the time runs out, CancelledError when the future was cancelled.
   */
  result(timeout?: number | null): T {
    this.settle(timeout);
    if (this.cancelled()) throw new CancelledError();
    const { outcome, value } = this.outcome();
    if (outcome === 2) {
      // as Python's traceback: where result() was called, then where the task raised
      if (typeof value === "object" && value !== null) setFrames(value, [...framesOf(new Error()), ...framesOf(value)]);
      throw value;
    }
    return value as T;
  }

  /**
   * Waits as result() does, and returns the exception the call raised, or null if it returned. Raises TimeoutError
   * when the time runs out, CancelledError when the future was cancelled.
   */
  exception(timeout?: number | null): unknown {
    this.settle(timeout);
    if (this.cancelled()) throw new CancelledError();
    const { outcome, value } = this.outcome();
    return outcome === 2 ? value : null;
  }

  /**
   * Calls fn(this) when the future is done: at once if it is, else in the thread that finishes it. An exception in fn
   * is printed, not raised. Raises TypeError when fn is not a function.
   */
  addDoneCallback(fn: (f: Future<T>) => unknown): void {
    if (typeof fn !== "function") throw new PyTypeError("the callback must be a function");
    // the spec first: a function that cannot travel fails here, in the caller's thread
    const spec = functionSpec(fn, "the callback");
    const words = this.words();
    const at = this.#w + F.State;
    for (;;) {
      const w = Atomics.load(words, at);
      if (isDone(w & STATE_BITS)) return callSafely(fn as Callback, this);
      if (Atomics.compareExchange(words, at, w, w + ONE_CALLBACK) === w) {
        // counted before it is stashed: the finisher's take waits for as many as it counted
        send({ type: "stash", key: callbackKey(this.id), value: spec });
        return;
      }
    }
  }

  /**
   * What makes `await future` work: settles with the future's value once it is done (rejects with its exception, or
   * CancelledError), without blocking the thread.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.whenDone().then(() => this.result(0)).then(onfulfilled, onrejected);
  }

  // ---- for executors (and Python's unit-test style use) ----

  /**
   * For executors and tests (Python's `set_running_or_notify_cancel`). PENDING → RUNNING, and true: false when it was
   * cancelled (and marks that noticed, as Python's does). Raises RuntimeError when it is neither pending nor cancelled.
   */
  setRunningOrNotifyCancel(): boolean {
    const words = this.words();
    const at = this.#w + F.State;
    for (;;) {
      const w = Atomics.load(words, at);
      const s = w & STATE_BITS;
      if (s === CANCELLED) {
        if (Atomics.compareExchange(words, at, w, (w & ~STATE_BITS) | CANCELLED_AND_NOTIFIED) === w) return false;
        continue;
      }
      if (s !== PENDING) throw new RuntimeError(`Future in unexpected state: ${STATE_NAMES[s === FINISHING ? RUNNING : s]}`);
      if (Atomics.compareExchange(words, at, w, (w & ~STATE_BITS) | RUNNING) === w) return true;
    }
  }

  /** Finishes the future with `value` (for executors and tests): waiters wake, callbacks run. InvalidStateError if done. */
  setResult(value: T): void {
    this.finish(1, value);
  }

  /** Finishes the future with `error`, which result() will throw (for executors and tests). InvalidStateError if done. */
  setException(error: unknown): void {
    this.finish(2, error);
  }

  toString(): string {
    const s = this.state;
    if (s !== FINISHED) return `<Future at #${this.id} state=${STATE_NAMES[s]}>`;
    const { outcome, value } = this.outcome();
    return outcome === 2
      ? `<Future at #${this.id} state=finished raised ${(value as Error)?.name ?? typeof value}>`
      : `<Future at #${this.id} state=finished returned ${value === null || value === undefined ? "None" : value.constructor?.name ?? typeof value}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }

  /** PENDING, RUNNING (a finish under way included), CANCELLED, CANCELLED_AND_NOTIFIED or FINISHED. @internal */
  get state(): number {
    const s = Atomics.load(this.words(), this.#w + F.State) & STATE_BITS;
    return s === FINISHING ? RUNNING : s;
  }

  /** The arena's words, covering this future. */
  private words(): Int32Array {
    return arenaWords((this.#w << 2) + SIZE);
  }

  private finish(outcome: 1 | 2, value: unknown): void {
    const bytes = pack(outcome === 2 ? errorRecord(value) : value);
    const words = this.words();
    const base = this.#w;
    // claim it: of two finishes (or a finish and a cancel) exactly one wins
    for (;;) {
      const w = Atomics.load(words, base + F.State);
      const s = w & STATE_BITS;
      if (s !== PENDING && s !== RUNNING) {
        throw new InvalidStateError(`${(s === FINISHING ? "finished" : STATE_NAMES[s]).toUpperCase()}: ${this}`);
      }
      if (Atomics.compareExchange(words, base + F.State, w, (w & ~STATE_BITS) | FINISHING) === w) break;
    }
    if (bytes.length <= INLINE_BYTES) arenaBytes((base << 2) + SIZE).set(bytes, (base << 2) + INLINE_AT);
    else words[base + F.OutcomeAt] = storeLarge(bytes);
    words[base + F.Length] = bytes.length;
    words[base + F.Outcome] = outcome;
    // FINISHING → FINISHED, with whatever callbacks were added meanwhile (the store publishes the outcome)
    let w = Atomics.load(words, base + F.State);
    while (Atomics.compareExchange(words, base + F.State, w, (w & ~STATE_BITS) | FINISHED) !== w) w = Atomics.load(words, base + F.State);
    finished(words, base, this.id);
    this.runCallbacks(w >>> 3);
  }

  private runCallbacks(n: number): void {
    if (n === 0) return;
    const specs = rpc("take", { key: callbackKey(this.id), count: n }) as Parameters<typeof resolveFunction>[0][];
    for (const spec of specs) {
      let fn: Callback;
      try {
        fn = resolveFunction(spec);
      } catch (e) {
        write("stderr", `exception calling callback for ${this}\n${formatTraceback(e)}`);
        continue;
      }
      callSafely(fn, this);
    }
  }

  /** Blocks until done, or throws TimeoutError. */
  private settle(timeout?: number | null): void {
    const words = this.words();
    const at = this.#w + F.State;
    let w = Atomics.load(words, at);
    if (!isWaiting(w & STATE_BITS)) return;
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    // a tiny task's result is often back before a sleep would even begin (through RUNNING on its way)
    const spinEnd = performance.now() + Math.min(SPIN_US, ms * 1000) / 1000;
    while (isWaiting(w & STATE_BITS) && performance.now() < spinEnd) {
      spinWhile(words, at, w, (spinEnd - performance.now()) * 1000);
      w = Atomics.load(words, at);
    }
    if (!isWaiting(w & STATE_BITS)) return;
    Atomics.add(words, this.#w + F.Sleepers, 1);
    const span = traceBegin(this.id, "result");
    try {
      // the finisher reads Sleepers after it sets State: either it wakes us, or we see State changed
      for (w = Atomics.load(words, at); isWaiting(w & STATE_BITS); w = Atomics.load(words, at)) {
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) throw new TimeoutError();
        wait(words, at, w, left, this.id, "result");
      }
    } finally {
      traceEnd(span);
      Atomics.sub(words, this.#w + F.Sleepers, 1);
    }
  }

  private outcome(): { outcome: number; value: unknown } {
    const base = this.#w;
    const words = this.words();
    const n = Atomics.load(words, base + F.Length);
    const from = n <= INLINE_BYTES ? (base << 2) + INLINE_AT : words[base + F.OutcomeAt];
    const value = unpack(arenaBytes(from + n).subarray(from, from + n));
    const outcome = words[base + F.Outcome];
    return { outcome, value: outcome === 2 ? reviveError(value) : value };
  }

  /** Resolves when done, without blocking this thread's event loop. */
  private whenDone(): Promise<void> {
    const words = this.words();
    const at = this.#w + F.State;
    const w = Atomics.load(words, at);
    if (!isWaiting(w & STATE_BITS)) return Promise.resolve();
    Atomics.add(words, this.#w + F.Sleepers, 1); // as settle(): so that the finish wakes this wait too
    const r = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(words, at, w);
    return (r.async ? (r.value as Promise<string>) : Promise.resolve()).then(() => {
      Atomics.sub(words, this.#w + F.Sleepers, 1);
      return this.whenDone();
    });
  }

  /** Its arena offset, in bytes (see futurePlace). @internal */
  [PLACE](): number {
    return this.#w << 2;
  }

  /** How the future travels: its id and its place in the arena (see adoptFuture). @internal */
  [SHARE](): { kind: string; data: unknown } {
    known(this);
    return { kind: "Future", data: { id: this.id, at: this.#w << 2 } };
  }
}

/** Atomics.waitAsync (ES2024; Node 20 has it, the project's lib is ES2022). */
type WaitAsync = (v: Int32Array, i: number, value: number) => { async: boolean; value: Promise<string> | string };

const SPIN_US = 50;

function finished(words: Int32Array, base: number, id: number): void {
  if (Atomics.load(words, base + F.Sleepers) > 0) notifyTraced(id, "finish", words, base + F.State);
  Atomics.add(globalSlots, G.FutureDone, 1);
  if (Atomics.load(globalSlots, G.FutureWatchers) > 0) Atomics.notify(globalSlots, G.FutureDone);
}

function callSafely(fn: Callback, f: Future): void {
  try {
    fn(f);
  } catch (e) {
    write("stderr", `exception calling callback for ${f}\n${formatTraceback(e)}`);
  }
}

const callbackKey = (id: number) => `future-callbacks:${id}`;

/** An outcome too large to sit inline: more arena space, at the offset returned. */
function storeLarge(bytes: Uint8Array): number {
  const at = arenaAlloc(bytes.length);
  arenaBytes(at + bytes.length).set(bytes, at);
  return at;
}

/**
 * This thread's object for each future that has travelled through it (sent
 * or received), so that one future is one object here too. A future that
 * never left the thread that made it needs no entry: nothing can bring it back.
 */
const live = new Identities<Future>();

function known(f: Future): void {
  if (live.get(f.id) !== f) live.set(f.id, f);
}

/** Where a future is: its id and arena offset, for adoptFuture in another thread. */
export function futurePlace(f: Future): [id: number, at: number] {
  return [f.id, f[PLACE]()];
}

/** The object of a future already in the arena (made by any thread), without registering it here. */
export function adoptFuture(id: number, at: number): Future {
  adopting = { id, at };
  return new Future();
}

registerReviver("Future", (data) => {
  const { id, at } = data as { id: number; at: number };
  const here = live.get(id);
  if (here) return here;
  const f = adoptFuture(id, at);
  known(f);
  return f;
});
