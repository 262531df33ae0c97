// Task: a coroutine run on the event loop, as asyncio's. JS has already started the coroutine when createTask
// gets its promise (work() runs up to its first await as it is called): the task takes over the context work()
// was called in (context.ts), so its awaits are the task's, and cancel() reaches them. cancel() rejects what
// the coroutine awaits with CancelledError; the coroutine may catch it; the task ends cancelled if it escapes.
import { inspect } from "node:util";
import { PyTypeError } from "../core/errors";
import { cancelWaiters, currentBox, currentRunner, handOver, runIn, whenNewJob, type Box, type Owner, type Runner } from "./context";
import { CancelledError } from "./errors";
import { Future } from "./future";
import { Op } from "./op";

let counter = 0;
/** The tasks of this job not yet done (Python's all_tasks()). */
let live = new Set<Task>();
whenNewJob(() => {
  counter = 0;
  live = new Set();
});

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";

/** Python's asyncio.Task: awaitable; `cancel()`, `cancelled()`, `done()`, `result()`, `exception()`, `getName()`. */
export class Task<T = unknown> extends Future<T> implements Owner {
  #name: string;
  #requests = 0;
  #pending: { message: string | undefined } | undefined;
  /** @internal */
  readonly boxes = new Set<Box>();
  /** The run() it was made under, if any (run.ts cancels what is left of them). @internal */
  runner: Runner | null;

  /** @internal (createTask makes tasks) */
  constructor(coro: PromiseLike<T> | (() => PromiseLike<T>), name?: string | null, runner?: Runner) {
    super();
    this.#name = name === undefined || name === null ? `Task-${++counter}` : String(name);
    live.add(this as unknown as Task);
    let started: PromiseLike<T>;
    if (typeof coro === "function") {
      this.runner = runner ?? currentRunner();
      started = runIn(this, this.runner, coro);
    } else if (coro instanceof Promise) {
      this.runner = handOver(this, runner);
      started = coro;
    } else {
      // a wait of this module's (or another thenable) starts when awaited: the task awaits it in a box of its own
      this.runner = runner ?? currentRunner();
      started = runIn(this, this.runner, () => Promise.resolve().then(() => coro));
    }
    this.runner?.tasks.add(this);
    if (!this.runner) madeNow(this as unknown as Task);
    Promise.resolve(started).then(
      (value) => this.#end(() => (this.#pending ? this.#cancelled(this.#pending.message) : this.setResult(value))),
      (error) => this.#end(() => (error instanceof CancelledError ? this.#cancelled(error.message || undefined) : this.setException(error))),
    );
  }

  #end(finish: () => void): void {
    live.delete(this as unknown as Task);
    this.#pending = undefined;
    finish();
  }

  #cancelled(message: string | undefined): void {
    super.cancel(message);
  }

  /**
   * Asks the task to stop: what its coroutine awaits now (or, if nothing of asyncio's, its next await) rejects with
   * CancelledError(message). False when the task is done already.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    this.#requests++;
    if (!cancelWaiters(this, message)) this.#pending = { message };
    return true;
  }

  /** How many cancel() requests are outstanding (Python's cancelling()). */
  cancelling(): number {
    return this.#requests;
  }
  /** Takes back one cancel() request; returns how many are left (Python's uncancel(), for timeout()). */
  uncancel(): number {
    if (this.#requests > 0) this.#requests--;
    if (this.#requests === 0) this.#pending = undefined;
    return this.#requests;
  }

  /** Its name: `Task-N` unless one was given. */
  getName(): string {
    return this.#name;
  }
  /** Renames it. */
  setName(name: unknown): void {
    this.#name = String(name);
  }

  /** @internal */
  override passCancel(message: string | undefined): boolean {
    return this.cancel(message);
  }
  /** @internal */
  takePendingCancel(): { message: string | undefined } | undefined {
    const p = this.#pending;
    this.#pending = undefined;
    return p;
  }
  /** @internal */
  protected override get kind(): string {
    return "Task";
  }
  /** @internal */
  protected override get label(): string {
    return ` name='${this.#name}'`;
  }
}

/** Tasks made outside any run() in the current synchronous stretch of code (see adoptTasksMadeNow). */
let stretch: Task[] = [];

function madeNow(t: Task): void {
  if (stretch.length === 0) queueMicrotask(() => (stretch = []));
  stretch.push(t);
}

/**
 * Gives the tasks made outside any run() in this stretch of code to `runner`: `run(main())` calls main() before
 * run() is called, and the tasks main() made before its first await are the run's, as in Python. @internal
 */
export function adoptTasksMadeNow(runner: Runner): void {
  for (const t of stretch) {
    if (t.runner || t.done()) continue;
    t.runner = runner;
    runner.tasks.add(t);
    for (const box of t.boxes) box.runner ??= runner;
  }
  stretch = [];
}

/**
 * Runs a coroutine as a task, concurrently with the code that made it, and returns the Task (awaitable).
 * `createTask(work())`; `{ name }` names it. TypeError when given something that is not awaitable.
 */
export function createTask<T>(coro: PromiseLike<T>, options: { name?: string | null } = {}): Task<Awaited<T>> {
  if (coro instanceof Future) throw new PyTypeError(`a coroutine was expected, got ${coro}`);
  if (!isThenable(coro)) throw new PyTypeError(`a coroutine was expected, got ${describe(coro)}`);
  return new Task(coro as PromiseLike<Awaited<T>>, options?.name);
}

/** A task for each awaitable that is not one of asyncio's futures already (Python's ensure_future). @internal */
export function ensureFuture<T>(aw: PromiseLike<T> | Future<T>): Future<T> {
  if (aw instanceof Future) return aw;
  if (!isThenable(aw)) throw new PyTypeError(`An asyncio.Future, a coroutine or an awaitable is required, not ${describe(aw)}`);
  return new Task(aw);
}

/** The task whose code is running (null at a cell's top level, outside any task). */
export function currentTask(): Task | null {
  const owner = currentBox().owner;
  return owner instanceof Task ? owner : null;
}

/** The tasks not yet done. */
export function allTasks(): Set<Task> {
  return new Set(live);
}

/** Waits for `aw` without passing a cancel of the awaiting task on to it (Python's shield). */
export function shield<T>(aw: PromiseLike<T>): Op<T> {
  const inner = ensureFuture(aw);
  return new Op<T>((resolve, reject) => {
    inner.addDoneCallback(() => {
      try {
        resolve(inner.result());
      } catch (e) {
        reject(e);
      }
    });
  });
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "function") return `a function (${v.name || "<lambda>"}): call it, createTask(${v.name || "f"}())`;
  return `${typeof v} ${inspect(v)}`;
}
