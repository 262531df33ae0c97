// Future: the outcome of work done in another thread, in shared memory, so
// the same future can be waited on, cancelled or read from any thread. A
// future is 128 bytes of the kernel's arena (one per submitted task, so it
// must cost next to nothing to make and to send: it travels as an offset).
// The outcome is stored as bytes (runtime/transfer): inline when small, else
// in more arena space. Every finish bumps one kernel-wide word, which
// asCompleted() and wait() sleep on.
import { inspect } from "node:util";
import { globalSlots, rpc, send } from "./context";
import { arenaAlloc, arenaBytes, arenaWords } from "./arena";
import { registerReviver, SHARE } from "./share";
import { define, PyTypeError, RuntimeError } from "./errors";
import { timeoutMs } from "./state";
import { G } from "../protocol/layout";
import { spinWhile, wait } from "./blocking";
import { pack, unpack } from "./transfer";
import { functionSpec, resolveFunction } from "./scope";
import { write } from "./capture";
import { formatTraceback, framesOf, setFrames } from "./traceback";
import { errorRecord, reviveError } from "./errorRecord";

export const CancelledError = define("CancelledError");
export const InvalidStateError = define("InvalidStateError");
// Python's concurrent.futures.TimeoutError is the built-in TimeoutError
export const TimeoutError = define("TimeoutError");

export const PENDING = 0;
export const RUNNING = 1;
export const CANCELLED = 2;
export const CANCELLED_AND_NOTIFIED = 3;
export const FINISHED = 4;
const STATE_NAMES = ["pending", "running", "cancelled", "cancelled", "finished"];

/**
 * Int32 words of a future. The State word holds the state in its low 3 bits
 * and, above them, the number of callbacks added while pending: one
 * compare-and-swap moves the state and reads the callbacks that the finish
 * must run, so no mutex is needed anywhere.
 */
const enum F {
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
const FINISHING = 5;
const STATE_BITS = 7;
const ONE_CALLBACK = 8;
const INLINE_AT = F.Header * 4;
const SIZE = 128;
const INLINE_BYTES = SIZE - INLINE_AT;

const isDone = (s: number) => s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED;
const isWaiting = (s: number) => s === PENDING || s === RUNNING || s === FINISHING;

type Callback = (f: Future) => unknown;

const PLACE = Symbol("concnb.future.place");

/** Set while a future already in the arena is given its object here (see adoptFuture). */
let adopting: { id: number; at: number } | null = null;

export class Future<T = unknown> implements PromiseLike<T> {
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

  done(): boolean {
    return isDone(this.state);
  }
  running(): boolean {
    return this.state === RUNNING;
  }
  cancelled(): boolean {
    const s = this.state;
    return s === CANCELLED || s === CANCELLED_AND_NOTIFIED;
  }

  /** Cancels the future if it has not started: true when it is (now or already) cancelled. */
  cancel(): boolean {
    const words = this.words();
    const at = this.#w + F.State;
    for (;;) {
      const w = Atomics.load(words, at);
      const s = w & STATE_BITS;
      if (s === CANCELLED || s === CANCELLED_AND_NOTIFIED) return true;
      if (s !== PENDING) return false;
      if (Atomics.compareExchange(words, at, w, (w & ~STATE_BITS) | CANCELLED) === w) {
        finished(words, this.#w);
        this.runCallbacks(w >>> 3);
        return true;
      }
    }
  }

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

  exception(timeout?: number | null): unknown {
    this.settle(timeout);
    if (this.cancelled()) throw new CancelledError();
    const { outcome, value } = this.outcome();
    return outcome === 2 ? value : null;
  }

  /** Calls fn(this) when the future is done: at once if it is, else in the thread that finishes it. */
  addDoneCallback(fn: Callback): void {
    if (typeof fn !== "function") throw new PyTypeError("the callback must be a function");
    // the spec first: a function that cannot travel fails here, in the caller's thread
    const spec = functionSpec(fn, "the callback");
    const words = this.words();
    const at = this.#w + F.State;
    for (;;) {
      const w = Atomics.load(words, at);
      if (isDone(w & STATE_BITS)) return callSafely(fn, this);
      if (Atomics.compareExchange(words, at, w, w + ONE_CALLBACK) === w) {
        // counted before it is stashed: the finisher's take waits for as many as it counted
        send({ type: "stash", key: callbackKey(this.id), value: spec });
        return;
      }
    }
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.whenDone().then(() => this.result(0)).then(onfulfilled, onrejected);
  }

  // ---- for executors (and Python's unit-test style use) ----

  /** PENDING → RUNNING: false when it was cancelled (and marks that noticed, as Python's does). */
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

  setResult(value: T): void {
    this.finish(1, value);
  }

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
  [inspect.custom](): string {
    return this.toString();
  }

  /** PENDING, RUNNING (a finish under way included), CANCELLED, CANCELLED_AND_NOTIFIED or FINISHED. */
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
    finished(words, base);
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
    try {
      // the finisher reads Sleepers after it sets State: either it wakes us, or we see State changed
      for (w = Atomics.load(words, at); isWaiting(w & STATE_BITS); w = Atomics.load(words, at)) {
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) throw new TimeoutError();
        wait(words, at, w, left, this.id, "result");
      }
    } finally {
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

  /** Its arena offset, in bytes (see futurePlace). */
  [PLACE](): number {
    return this.#w << 2;
  }

  /** How the future travels: its id and its place in the arena (see adoptFuture). */
  [SHARE](): { kind: string; data: unknown } {
    known(this);
    return { kind: "Future", data: { id: this.id, at: this.#w << 2 } };
  }
}

/** Atomics.waitAsync (ES2024; Node 20 has it, the project's lib is ES2022). */
type WaitAsync = (v: Int32Array, i: number, value: number) => { async: boolean; value: Promise<string> | string };

const SPIN_US = 50;

function finished(words: Int32Array, base: number): void {
  if (Atomics.load(words, base + F.Sleepers) > 0) Atomics.notify(words, base + F.State);
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
const live = new Map<number, WeakRef<Future>>();
let sweepAt = 1024;
/** Drops the entries of futures this thread no longer holds (cheaper than a finalizer per future). */
function sweep(): void {
  for (const [id, ref] of live) if (ref.deref() === undefined) live.delete(id);
  sweepAt = Math.max(1024, live.size * 2);
}

function known(f: Future): void {
  if (live.get(f.id)?.deref() === f) return;
  live.set(f.id, new WeakRef(f));
  if (live.size > sweepAt) sweep();
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
  const here = live.get(id)?.deref();
  if (here) return here;
  const f = adoptFuture(id, at);
  known(f);
  return f;
});
