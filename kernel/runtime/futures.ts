// Future: the outcome of work done in another thread, in shared memory, so
// the same future can be waited on, cancelled or read from any thread. A
// future is 128 bytes of the kernel's arena (one per submitted task, so it
// must cost next to nothing to make and to send: it travels as an offset).
// The outcome is stored as bytes (runtime/transfer): inline when small, else
// in more arena space. Every finish bumps one kernel-wide word, which
// asCompleted() and wait() sleep on.
import { inspect } from "node:util";
import { globalSlots, job, rpc, send } from "./context";
import { arenaAlloc, arenaBuffer } from "./arena";
import { registerReviver, SHARE } from "./share";
import { define, pythonErrors, PyTypeError, RuntimeError } from "./errors";
import { lockMutex, unlockMutex } from "./locks";
import { G, timeoutMs } from "./state";
import { spinWhile, wait } from "./blocking";
import { pack, unpack } from "./transfer";
import { hereLookup } from "./scope";
import { functionSpec, resolveFunction } from "./scope";
import { write } from "./capture";
import { formatTraceback, framesOf, setFrames, type Frame } from "./traceback";

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

const enum F {
  Mutex = 0,
  /** Threads asleep in result() or exception(): a finish wakes them only if there are some. */
  Sleepers = 1,
  State = 3,
  /** 0 none yet, 1 a result, 2 an exception. */
  Outcome = 4,
  /** Bytes of the outcome: inline at INLINE_AT when they fit, else at arena offset OutcomeAt. */
  Length = 5,
  OutcomeAt = 6,
  /** Callbacks added while pending, stashed at the kernel under this future's key. */
  Callbacks = 7,
  Header = 8,
}
const INLINE_AT = F.Header * 4;
const SIZE = 128;
const INLINE_BYTES = SIZE - INLINE_AT;

interface Internal {
  view: Int32Array;
  bytes: Uint8Array;
}
const I = Symbol("concnb.future");

type Callback = (f: Future) => unknown;

export class Future<T = unknown> implements PromiseLike<T> {
  declare readonly id: number;
  declare [I]: Internal;

  constructor() {
    setup(this, Atomics.add(globalSlots, G.ObjectId, 1) + 1, arenaAlloc(SIZE));
  }

  done(): boolean {
    const s = this.state;
    return s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED;
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
    const view = this[I].view;
    let callbacks = false;
    lockMutex(view, Infinity, this.id, "acquire");
    try {
      const s = view[F.State];
      if (s === RUNNING || s === FINISHED) return false;
      if (s === CANCELLED || s === CANCELLED_AND_NOTIFIED) return true;
      view[F.State] = CANCELLED;
      callbacks = true;
      finished(view);
    } finally {
      unlockMutex(view);
    }
    if (callbacks) this.runCallbacks();
    return true;
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
    const view = this[I].view;
    lockMutex(view, Infinity, this.id, "acquire");
    const later = !this.done();
    try {
      if (later) {
        // the spec first: a function that cannot travel fails here, in the caller's thread
        send({ type: "stash", key: callbackKey(this.id), value: functionSpec(fn, "the callback") });
        view[F.Callbacks]++;
      }
    } finally {
      unlockMutex(view);
    }
    if (!later) callSafely(fn, this);
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
    const view = this[I].view;
    lockMutex(view, Infinity, this.id, "acquire");
    try {
      const s = view[F.State];
      if (s === CANCELLED) {
        view[F.State] = CANCELLED_AND_NOTIFIED;
        return false;
      }
      if (s !== PENDING) throw new RuntimeError(`Future in unexpected state: ${STATE_NAMES[s]}`);
      view[F.State] = RUNNING;
      return true;
    } finally {
      unlockMutex(view);
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
      : `<Future at #${this.id} state=finished returned ${value === null || value === undefined ? "None" : (value as object).constructor?.name ?? typeof value}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }

  get state(): number {
    return Atomics.load(this[I].view, F.State);
  }

  private finish(outcome: 1 | 2, value: unknown): void {
    const bytes = pack(outcome === 2 ? errorRecord(value) : value);
    const view = this[I].view;
    lockMutex(view, Infinity, this.id, "acquire");
    try {
      const s = view[F.State];
      if (s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED) {
        throw new InvalidStateError(`${STATE_NAMES[s].toUpperCase()}: ${this}`);
      }
      if (bytes.length <= INLINE_BYTES) this[I].bytes.set(bytes);
      else view[F.OutcomeAt] = storeLarge(bytes);
      view[F.Length] = bytes.length;
      view[F.Outcome] = outcome;
      view[F.State] = FINISHED;
      finished(view);
    } finally {
      unlockMutex(view);
    }
    this.runCallbacks();
  }

  private runCallbacks(): void {
    const n = Atomics.load(this[I].view, F.Callbacks);
    if (n === 0) return;
    const specs = rpc({ type: "rpc", op: "take", programId: job().ctx.programId, key: callbackKey(this.id), count: n }) as Parameters<typeof resolveFunction>[0][];
    for (const spec of specs) {
      let fn: Callback;
      try {
        fn = resolveFunction(spec) as Callback;
      } catch (e) {
        write("stderr", `exception calling callback for ${this}\n${formatTraceback(e)}`);
        continue;
      }
      callSafely(fn, this);
    }
  }

  /** Blocks until done, or throws TimeoutError. */
  private settle(timeout?: number | null): void {
    const ms = timeoutMs(timeout);
    const view = this[I].view;
    let s = Atomics.load(view, F.State);
    if (s !== PENDING && s !== RUNNING) return;
    const deadline = performance.now() + ms;
    // a tiny task's result is often back before a sleep would even begin (through RUNNING on its way)
    const spinEnd = performance.now() + Math.min(SPIN_US, ms * 1000) / 1000;
    while ((s === PENDING || s === RUNNING) && performance.now() < spinEnd) {
      spinWhile(view, F.State, s, (spinEnd - performance.now()) * 1000);
      s = Atomics.load(view, F.State);
    }
    if (s !== PENDING && s !== RUNNING) return;
    Atomics.add(view, F.Sleepers, 1);
    try {
      // the finisher reads Sleepers after it sets State: either it wakes us, or we see State changed
      for (s = Atomics.load(view, F.State); s === PENDING || s === RUNNING; s = Atomics.load(view, F.State)) {
        const left = ms === Infinity ? Infinity : deadline - performance.now();
        if (left <= 0) throw new TimeoutError();
        wait(view, F.State, s, left, this.id, "result");
      }
    } finally {
      Atomics.sub(view, F.Sleepers, 1);
    }
  }

  private outcome(): { outcome: number; value: unknown } {
    const { view, bytes } = this[I];
    const n = Atomics.load(view, F.Length);
    const raw = n <= INLINE_BYTES ? bytes.slice(0, n) : new Uint8Array(arenaBuffer(), view[F.OutcomeAt], n).slice();
    const value = unpack(raw);
    return { outcome: view[F.Outcome], value: view[F.Outcome] === 2 ? reviveError(value) : value };
  }

  /** Resolves when done, without blocking this thread's event loop. */
  private whenDone(): Promise<void> {
    const view = this[I].view;
    const s = Atomics.load(view, F.State);
    if (s !== PENDING && s !== RUNNING) return Promise.resolve();
    Atomics.add(view, F.Sleepers, 1); // as settle(): so that the finish wakes this wait too
    const w = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(view, F.State, s);
    return (w.async ? (w.value as Promise<string>) : Promise.resolve()).then(() => {
      Atomics.sub(view, F.Sleepers, 1);
      return this.whenDone();
    });
  }
}

/** Atomics.waitAsync (ES2024; Node 20 has it, the project's lib is ES2022). */
type WaitAsync = (v: Int32Array, i: number, value: number) => { async: boolean; value: Promise<string> | string };

const SPIN_US = 50;

function finished(view: Int32Array): void {
  if (Atomics.load(view, F.Sleepers) > 0) Atomics.notify(view, F.State);
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
  new Uint8Array(arenaBuffer(), at, bytes.length).set(bytes);
  return at;
}

/** An exception as data: its name, message and stack (the stack's frames are the cell's lines) travel too. */
function errorRecord(e: unknown): unknown {
  if (e instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const k of Object.keys(e)) fields[k] = (e as unknown as Record<string, unknown>)[k];
    return { __concnb_error__: { cls: e.constructor?.name ?? "Error", name: e.name, message: e.message, stack: e.stack, frames: framesOf(e), fields } };
  }
  return { __concnb_thrown__: e };
}

const builtinErrors: Record<string, Function> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The exception again, of its class where this thread knows it (the runtime's, JS's, or the notebook's own). */
function reviveError(v: unknown): unknown {
  type Record_ = { cls: string; name: string; message: string; stack?: string; frames: Frame[]; fields: object };
  const r = v as { __concnb_error__?: Record_; __concnb_thrown__?: unknown };
  if (!r || typeof r !== "object") return v;
  if ("__concnb_thrown__" in r) return r.__concnb_thrown__;
  const d = r.__concnb_error__;
  if (!d) return v;
  // the notebook's own class first: it may reuse a Python name
  const cls = hereLookup()(d.cls) ?? pythonErrors.get(d.cls) ?? builtinErrors[d.cls] ?? Error;
  const e = Object.create((cls as { prototype: object }).prototype ?? Error.prototype) as Error;
  Object.defineProperty(e, "message", { value: d.message, writable: true, configurable: true });
  if (e.name !== d.name) Object.defineProperty(e, "name", { value: d.name, writable: true, configurable: true });
  Object.assign(e, d.fields);
  Object.defineProperty(e, "stack", { value: d.stack ?? `${d.name}: ${d.message}`, writable: true, configurable: true });
  setFrames(e, d.frames ?? []);
  return e;
}

/** This thread's object for each future it has met, so one future is one object here too. */
const live = new Map<number, WeakRef<Future>>();
let sweepAt = 1024;
/** Drops the entries of futures this thread no longer holds (cheaper than a finalizer per future). */
function sweep(): void {
  for (const [id, ref] of live) if (ref.deref() === undefined) live.delete(id);
  sweepAt = Math.max(1024, live.size * 2);
}

function setup<T>(f: Future<T>, id: number, at: number): Future<T> {
  const arena = arenaBuffer();
  Object.defineProperty(f, "id", { value: id });
  Object.defineProperty(f, I, {
    value: { view: new Int32Array(arena, at, F.Header), bytes: new Uint8Array(arena, at + INLINE_AT, INLINE_BYTES) } satisfies Internal,
  });
  Object.defineProperty(f, SHARE, { value: () => ({ kind: "Future", data: { id, at } }) });
  live.set(id, new WeakRef(f as Future));
  if (live.size > sweepAt) sweep();
  return f;
}
registerReviver("Future", (data) => {
  const { id, at } = data as { id: number; at: number };
  return live.get(id)?.deref() ?? setup(Object.create(Future.prototype) as Future, id, at);
});
