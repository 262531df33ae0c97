// asyncio.Future: an outcome that code on this thread's event loop sets, awaited without blocking. Task
// (task.ts) and gather's future (gather.ts) are Futures. Awaiting one registers in the awaiter's context:
// cancelling the awaiting task cancels the future, as in Python (`await task` passes a cancel on to the task).
// An exception nobody retrieved (no await, no result(), no exception()) is reported at the end of the run() or
// of the program, as Python reports it when the future is collected: "Task exception was never retrieved".
import { inspect } from "node:util";
import { write } from "../core/capture";
import { job } from "../core/context";
import { register as registerAtExit } from "../atexit/handlers";
import { formatTraceback, headline } from "../core/traceback";
import { currentBox, register, whenNewJob } from "./context";
import { CancelledError, InvalidStateError } from "./errors";
import { PyTypeError } from "../core/errors";

type State = "pending" | "cancelled" | "finished";

/** Futures failed and not yet retrieved, in the order they failed (reported by reportUnretrieved). */
let unretrieved = new Set<Future>();
/** Whether this job's program end will report them (an atexit handler of the main thread, registered once). */
let atEnd = false;
whenNewJob(() => {
  unretrieved = new Set();
  atEnd = false;
});

function reportAtEnd(): void {
  if (atEnd || !job().desc.isMain) return;
  atEnd = true;
  registerAtExit(function reportNeverRetrieved() {
    reportUnretrieved();
  });
}

/** Python's asyncio.Future: a result (or exception) set later, awaitable; `cancel()` cancels it. */
export class Future<T = unknown> implements PromiseLike<T> {
  constructor() {
    currentBox(); // a job's first use of asyncio starts its state afresh: before this future is counted in it
  }

  #state: State = "pending";
  #value: T | undefined;
  #error: unknown = null;
  #failed = false;
  #cancelMessage: string | undefined;
  #callbacks: Array<(f: Future<T>) => unknown> = [];

  /** True once it has a result or an exception, or was cancelled. */
  done(): boolean {
    return this.#state !== "pending";
  }
  /** True when it was cancelled. */
  cancelled(): boolean {
    return this.#state === "cancelled";
  }

  /** Its value; throws its exception, CancelledError if it was cancelled, InvalidStateError if it is not done. */
  result(): T {
    if (this.#state === "cancelled") throw new CancelledError(this.#cancelMessage);
    if (this.#state === "pending") throw new InvalidStateError("Result is not set.");
    unretrieved.delete(this as unknown as Future);
    if (this.#failed) throw this.#error;
    return this.#value as T;
  }

  /** Its exception (null if it has a result); CancelledError if it was cancelled, InvalidStateError if not done. */
  exception(): unknown {
    if (this.#state === "cancelled") throw new CancelledError(this.#cancelMessage);
    if (this.#state === "pending") throw new InvalidStateError("Exception is not set.");
    unretrieved.delete(this as unknown as Future);
    return this.#error;
  }

  /** Cancels it if pending (its callbacks run, awaiters get CancelledError): false if it was done. */
  cancel(message?: string): boolean {
    if (this.#state !== "pending") return false;
    this.#state = "cancelled";
    this.#cancelMessage = message;
    this.#scheduleCallbacks();
    return true;
  }

  /** Sets its result: awaiters resume, callbacks run. InvalidStateError if it is done. */
  setResult(value: T): void {
    if (this.#state !== "pending") throw new InvalidStateError(`invalid state: ${this}`);
    this.#value = value;
    this.#state = "finished";
    this.#scheduleCallbacks();
  }

  /** Sets its exception, which awaiters and result() throw. InvalidStateError if it is done. */
  setException(error: unknown): void {
    if (this.#state !== "pending") throw new InvalidStateError(`invalid state: ${this}`);
    this.#error = error ?? new Error("null exception");
    this.#failed = true;
    this.#state = "finished";
    unretrieved.add(this as unknown as Future);
    reportAtEnd();
    this.#scheduleCallbacks();
  }

  /** Calls fn(this) once it is done (soon after, on the event loop; at once when it is done already). */
  addDoneCallback(fn: (f: Future<T>) => unknown): void {
    if (typeof fn !== "function") throw new PyTypeError("the callback must be a function");
    if (this.#state !== "pending") queueMicrotask(() => callSafely(fn, this));
    else this.#callbacks.push(fn);
  }

  /** Removes every registration of fn; returns how many there were. */
  removeDoneCallback(fn: (f: Future<T>) => unknown): number {
    const before = this.#callbacks.length;
    this.#callbacks = this.#callbacks.filter((c) => c !== fn);
    return before - this.#callbacks.length;
  }

  /**
   * What makes `await future` work: settles with its value, or rejects with its exception or CancelledError. The
   * await is registered with the awaiting task: cancelling that task cancels this future.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const settled = new Promise<T>((resolve, reject) => {
      const deliver = () => {
        try {
          resolve(this.result());
        } catch (e) {
          reject(e);
        }
      };
      if (this.done()) return deliver();
      const unregister = register({ cancel: (message) => this.passCancel(message) });
      this.#callbacks.push(() => {
        unregister();
        deliver();
      });
    });
    return settled.then(onfulfilled, onrejected);
  }

  /** What cancelling an awaiter of this future does to it (a Task passes it on to its coroutine). @internal */
  passCancel(message: string | undefined): boolean {
    return this.cancel(message);
  }

  /** "Future" or "Task", for its string form and reports. @internal */
  protected get kind(): string {
    return "Future";
  }
  /** What its string form says after the state (a Task's name). @internal */
  protected get label(): string {
    return "";
  }

  toString(): string {
    const head = `<${this.kind} ${this.#state}${this.label}`;
    if (this.#state !== "finished") return `${head}>`;
    if (this.#error !== null) return `${head} exception=${pyRepr(this.#error)}>`;
    return `${head} result=${inspect(this.#value)}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }

  #scheduleCallbacks(): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    // the loop's call_soon: awaiters and callbacks resume after the code that finished the future
    if (callbacks.length > 0) queueMicrotask(() => callbacks.forEach((c) => callSafely(c, this)));
  }
}

/** `ValueError('boom')`, as Python's repr of an exception. */
function pyRepr(e: unknown): string {
  const h = headline(e);
  const colon = h.indexOf(": ");
  return colon > 0 ? `${h.slice(0, colon)}(${JSON.stringify(h.slice(colon + 2)).replace(/^"|"$/g, "'")})` : `${h}()`;
}

function callSafely<T>(fn: (f: Future<T>) => unknown, f: Future<T>): void {
  try {
    fn(f);
  } catch (e) {
    write("stderr", `Exception in callback for ${f}\n${formatTraceback(e)}`);
  }
}

/** Writes "Task exception was never retrieved" for each failed future of `which` that nobody asked (all: null). */
export function reportUnretrieved(which: ((f: Future) => boolean) | null = null): void {
  for (const f of [...unretrieved]) {
    if (which && !which(f)) continue;
    unretrieved.delete(f);
    const error = f.exception();
    write("stderr", `${(f as unknown as { kind: string }).kind} exception was never retrieved\nfuture: ${f}\n${formatTraceback(error)}`);
  }
}

/** Whether any failed future is still unretrieved (the program's end reports them). */
export function anyUnretrieved(): boolean {
  return unretrieved.size > 0;
}
