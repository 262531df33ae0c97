// multiprocessing's Pool: worker processes that the kernel starts with the
// pool (kernel/processPool.ts) and keeps for its life, each running task
// after task, so only the first task pays for a process start. map() blocks
// for its results; applyAsync() gives an AsyncResult at once, whose end the
// kernel writes into its shared memory (so any thread can wait on it) and
// whose value it keeps until asked. A ProcessPoolExecutor's tasks run on such
// workers too (runInProcess). Items, arguments and results are copies; a
// task's exception comes back rebuilt. An initializer runs in each worker
// process, before its first task (kernel/processMain), never in this one.
import { inspect } from "node:util";
import { job, rpc, send } from "../core/context";
import { PyTypeError, ValueError } from "../core/errors";
import { waitWhile } from "../core/blocking";
import { traced } from "../core/trace";
import { timeoutMs } from "../core/state";
import { framesOf, setFrames, type Frame } from "../core/traceback";
import { decode } from "../core/share";
import { functionSpec, hereLookup } from "../core/scope";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { currentValues as valuesForThreads } from "../threading/thread";
import { forProcess, remoteError, TimeoutError } from "./crossProcess";
import { resultHandler, type ResultCallbacks } from "./resultHandler";
import type { PoolInit, TaskMode } from "../../protocol/process";
import { AsyncSlot, AsyncState } from "../../protocol/layout";
import type { TargetSpec } from "../../protocol/worker";
import { cpus } from "node:os";

/** Int32 slots of a Pool's memory: every thread holding the pool sees it closed at once. */
const enum PL {
  State = 0,
  Size = 2,
}
const RUN = 0;
const CLOSE = 1;
const TERMINATE = 2;
const STATES = ["RUN", "CLOSE", "TERMINATE"];

/**
 * fn over each chunk of encoded items on pool `pool`'s worker processes: the results in order, or the first failure
 * thrown. The wait is a span of the timeline (`op`), which the last task's end hands off (kernel/timeline).
 */
function onWorkers(pool: number, size: number, init: PoolInit | null, mode: TaskMode, target: TargetSpec, chunks: unknown[][], op: "map" | "run in"): unknown[] {
  const r = traced(pool, op, () => rpc("poolMap", { pool, size, mode, target, chunks, values: valuesForThreads(), init }));
  if ("error" in r) throw remoteError(r.error);
  return r.results.map((x) => decode(x, hereLookup()));
}

/** In a ProcessPoolExecutor's thread: one task, fn(...args), on one of the executor's (up to maxWorkers) worker processes. */
export function runInProcess(executor: { id: number; maxWorkers: number }, init: PoolInit | null, fn: Function, args: unknown[]): unknown {
  return onWorkers(executor.id, executor.maxWorkers, init, "apply", functionSpec(fn, "the function"), [[forProcess(args, "args")]], "run in")[0];
}

/** An initializer and its arguments as each worker process gets them; a TypeError for what cannot be one or go there. */
export function poolInit(initializer: unknown, initargs: unknown, executor: boolean): PoolInit | null {
  if (initializer === undefined || initializer === null) return null;
  if (typeof initializer !== "function") throw new PyTypeError("initializer must be a function");
  if (!Array.isArray(initargs)) throw new PyTypeError("initargs must be an array");
  return { target: functionSpec(initializer, "the initializer"), args: forProcess(initargs, "initargs"), executor };
}

/** An executor has shut down and its threads have left: its worker processes exit. */
export function releaseProcesses(executor: { id: number }): void {
  send({ type: "poolClose", programId: job().ctx.programId, pool: executor.id });
}

/** Refuses, at submit, what a process cannot be given. */
export function checkForProcess(args: unknown[]): void {
  forProcess(args, "args");
}

/** Pool's arguments as an options object: `new Pool({ processes, initializer, initargs })`. */
export interface PoolOptions {
  /** How many worker processes; by default one per CPU. ValueError below 1. */
  processes?: number | null;
  /** Run once in each worker process, before its first task: what it sets in the notebook's globals, that process's tasks see. */
  initializer?: ((...args: never[]) => unknown) | null;
  /** The initializer's arguments, an array copied into each worker process. */
  initargs?: unknown[];
}

/**
 * A pool of worker processes, started with it and kept for its life. Once it is closed or terminated, giving it work
 * raises ValueError. `using pool = new Pool(4)` terminates it at the end of the block, as Python's `with` does.
 */
export class Pool {
  /** Its kernel-wide id, which the kernel knows the pool by. @internal */
  declare readonly id: number;
  /** How many worker processes it has (Python keeps this private, as `_processes`). */
  declare readonly processes: number;
  declare private readonly view: Int32Array;
  declare private readonly init: PoolInit | null;

  /** Python's `Pool(processes, initializer, initargs)`, positional or as an options object. */
  constructor(processes?: number | PoolOptions | null, initializer?: ((...args: never[]) => unknown) | null, initargs?: unknown[]) {
    const o: PoolOptions = processes !== null && typeof processes === "object" ? processes : { processes, initializer, initargs };
    const n = o.processes ?? cpus().length;
    if (typeof n !== "number" || !Number.isInteger(n)) throw new PyTypeError("processes must be an integer");
    if (n < 1) throw new ValueError("Number of processes must be at least 1");
    const init = poolInit(o.initializer, o.initargs ?? [], false);
    setup(this, allocate("Pool", PL.Size), n, init);
    // Python's pool starts its processes now: by the first map they have had time to boot
    send({ type: "poolStart", programId: job().ctx.programId, pool: this.id, size: n, values: valuesForThreads(), init });
  }

  /** fn(item) for every item, on the workers, a slice each (or `chunksize` items a task); the results in order. */
  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>, chunksize?: number | null): R[] {
    this.running();
    if (typeof fn !== "function") throw new PyTypeError("map() needs a function");
    const items = [...iterable].map((x) => forProcess(x, "an item"));
    return this.onWorkers("map", fn, items, chunksize) as R[];
  }

  /** fn(...args) for every args array, as map() does: Python's starmap. */
  starmap<R>(fn: (...args: never[]) => R, iterable: Iterable<Iterable<unknown>>, chunksize?: number | null): R[] {
    this.running();
    if (typeof fn !== "function") throw new PyTypeError("starmap() needs a function");
    const items = [...iterable].map((a) => {
      if (a === null || typeof a !== "object" || !(Symbol.iterator in a)) throw new PyTypeError("starmap() items must be arrays of arguments");
      return forProcess([...a], "an item");
    });
    return this.onWorkers("apply", fn, items, chunksize) as R[];
  }

  /**
   * fn(...args) on one of the workers; returns at once an AsyncResult, whose get() gives its value.
   * `callback(value)` or `errorCallback(exception)`, if given, is called in a thread of this process.
   */
  applyAsync<R>(fn: (...args: never[]) => R, args: unknown[] = [], callbacks?: ResultCallbacks<Awaited<R>>): AsyncResult<Awaited<R>> {
    this.running();
    if (typeof fn !== "function") throw new PyTypeError("applyAsync() needs a function");
    if (!Array.isArray(args)) throw new PyTypeError("args must be an array");
    const handler = resultHandler(callbacks, false);
    const encoded = forProcess(args, "args") as unknown[];
    const target = functionSpec(fn, "the function");
    const result = new AsyncResult<Awaited<R>>();
    send({
      type: "poolApply",
      programId: job().ctx.programId,
      pool: this.id,
      size: this.processes,
      target,
      args: encoded,
      values: valuesForThreads(),
      init: this.init,
      result: result.id,
      state: result[STATE].buffer as SharedArrayBuffer,
    });
    handler?.([result]);
    return result;
  }

  /** map() that returns at once: a MapResult whose get() gives the list, in order (one task per item). */
  mapAsync<T, R>(fn: (item: T) => R, iterable: Iterable<T>, callbacks?: ResultCallbacks<Awaited<R>[]>): MapResult<Awaited<R>> {
    const handler = resultHandler(callbacks, true);
    const parts = this.each(fn, iterable, "mapAsync");
    handler?.(parts);
    return new MapResult(parts);
  }

  /** starmap() that returns at once, as mapAsync() does. */
  starmapAsync<R>(fn: (...args: never[]) => R, iterable: Iterable<Iterable<unknown>>, callbacks?: ResultCallbacks<Awaited<R>[]>): MapResult<Awaited<R>> {
    this.running();
    if (typeof fn !== "function") throw new PyTypeError("starmapAsync() needs a function");
    const handler = resultHandler(callbacks, true);
    const parts = [...iterable].map((a) => this.applyAsync(fn, [...a]));
    handler?.(parts);
    return new MapResult(parts);
  }

  /** fn(item) for every item, all sent now; yields each result in input order as it is ready. */
  *imap<T, R>(fn: (item: T) => R, iterable: Iterable<T>): Generator<Awaited<R>, void, undefined> {
    for (const r of this.each(fn, iterable, "imap")) yield r.get();
  }

  /** As imap(), but yields each result as soon as it is ready, whatever its place. */
  *imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T>): Generator<Awaited<R>, void, undefined> {
    const pending = this.each(fn, iterable, "imapUnordered");
    while (pending.length > 0) {
      const i = pending.findIndex((r) => r.ready());
      if (i >= 0) yield pending.splice(i, 1)[0].get();
      // no one word to sleep on for many results: a short wait on the oldest, then look at all again
      else pending[0].wait(UNORDERED_POLL_S);
    }
  }

  /** One applyAsync per item: the tasks of mapAsync and imap. */
  private each<T, R>(fn: (item: T) => R, iterable: Iterable<T>, what: string): AsyncResult<Awaited<R>>[] {
    this.running();
    if (typeof fn !== "function") throw new PyTypeError(`${what}() needs a function`);
    return [...iterable].map((x) => this.applyAsync(fn as (x: unknown) => R, [x]));
  }

  /** fn(...args) on one of the workers, waiting for its value: Python's apply(). */
  apply<R>(fn: (...args: never[]) => R, args: unknown[] = []): Awaited<R> {
    return this.applyAsync(fn, args).get();
  }

  /** No more work: the workers exit once the work already given is done. */
  close(): void {
    if (Atomics.compareExchange(this.view, PL.State, RUN, CLOSE) === RUN) {
      send({ type: "poolClose", programId: job().ctx.programId, pool: this.id });
    }
  }

  /** Kills the workers now; returns once they have exited. */
  terminate(): void {
    Atomics.store(this.view, PL.State, TERMINATE);
    rpc("poolTerminate", { pool: this.id });
  }

  /** Waits for the workers to exit, after close() or terminate(). */
  join(): void {
    if (Atomics.load(this.view, PL.State) === RUN) throw new ValueError("Pool is still running");
    rpc("poolJoin", { pool: this.id });
  }

  /** `using pool = new Pool()` ends as Python's `with Pool() as pool:` does: terminate(). */
  [Symbol.dispose](): void {
    this.terminate();
  }

  toString(): string {
    return `<Pool state=${STATES[Atomics.load(this.view, PL.State)]} processes=${this.processes}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }

  private running(): void {
    if (Atomics.load(this.view, PL.State) !== RUN) throw new ValueError("Pool not running");
  }

  private onWorkers(mode: TaskMode, fn: Function, items: unknown[], chunksize: number | null | undefined): unknown[] {
    const size = chunksize ?? Math.max(1, Math.ceil(items.length / this.processes));
    if (typeof size !== "number" || !Number.isInteger(size)) throw new PyTypeError("chunksize must be an integer");
    if (size < 1) throw new ValueError(`Chunksize must be 1+, not ${size}`);
    const chunks: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return onWorkers(this.id, this.processes, this.init, mode, functionSpec(fn, "the function"), chunks, "map");
  }
}

function setup(p: Pool, state: SharedState, processes: number, init: PoolInit | null): Pool {
  hidden(p, { id: state.id, view: new Int32Array(state.buffer), processes, init });
  return adopt(p, "Pool", state, () => ({ processes, init }));
}
defineKind("Pool", (state, extra) => {
  const { processes, init } = extra as { processes: number; init: PoolInit | null };
  return setup(Object.create(Pool.prototype) as Pool, state, processes, init);
});

const STATE = Symbol("concnb.asyncResult");

/** The result of Pool.applyAsync(): get() waits for it, and gives its value or throws its exception. */
export class AsyncResult<R = unknown> {
  /** Its kernel-wide id, which the kernel keeps its value under. @internal */
  declare readonly id: number;
  /** @internal */
  declare [STATE]: Int32Array;
  /** What get() gives, once read from the kernel (each thread reads it once). */
  declare private outcome: { value: R } | { error: Error; frames: Frame[] } | null;

  constructor() {
    setupResult(this, allocate("AsyncResult", AsyncSlot.Size));
  }

  /** Waits (up to `timeout` seconds) for the task to end. */
  wait(timeout?: number | null): void {
    const view = this[STATE];
    waitWhile(view, AsyncSlot.State, AsyncState.Pending, timeoutMs(timeout), this.id, "result");
  }

  /** The task's value; its exception, thrown here; TimeoutError (of "multiprocessing") if it has not ended within `timeout` seconds. */
  get(timeout?: number | null): R {
    this.wait(timeout);
    if (!this.ready()) throw new TimeoutError();
    if (!this.outcome) {
      const r = rpc("poolResult", { result: this.id });
      if ("error" in r) {
        const error = remoteError(r.error);
        this.outcome = { error, frames: framesOf(error) };
      } else this.outcome = { value: decode(r.results[0], hereLookup()) as R };
    }
    if ("error" in this.outcome) {
      // as Python's traceback: where get() was called, then where the task raised
      setFrames(this.outcome.error, [...framesOf(new Error()), ...this.outcome.frames]);
      throw this.outcome.error;
    }
    return this.outcome.value;
  }

  /** True once the task has ended, with a value or an exception. */
  ready(): boolean {
    return Atomics.load(this[STATE], AsyncSlot.State) !== AsyncState.Pending;
  }

  /** Whether the task ended without an exception; ValueError while it has not ended, as in Python. */
  successful(): boolean {
    if (!this.ready()) throw new ValueError(`${this} not ready`);
    return Atomics.load(this[STATE], AsyncSlot.State) === AsyncState.Done;
  }

  toString(): string {
    const s = Atomics.load(this[STATE], AsyncSlot.State);
    return `<AsyncResult #${this.id} ${s === AsyncState.Pending ? "pending" : s === AsyncState.Done ? "done" : "failed"}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

const UNORDERED_POLL_S = 0.005;

/** The result of mapAsync(): an AsyncResult of the whole list, made of one per item. */
export class MapResult<R = unknown> {
  constructor(private readonly parts: AsyncResult<R>[]) {}

  /** Waits (up to `timeout` seconds) for every item's task to end. */
  wait(timeout?: number | null): void {
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    for (const p of this.parts) p.wait(ms === Infinity ? null : Math.max(0, (deadline - performance.now()) / 1000));
  }

  /** The list of values, in order; the first item's exception (in input order), thrown here; TimeoutError past `timeout`. */
  get(timeout?: number | null): R[] {
    this.wait(timeout);
    if (!this.ready()) throw new TimeoutError();
    return this.parts.map((p) => p.get());
  }

  /** True once every item's task has ended. */
  ready(): boolean {
    return this.parts.every((p) => p.ready());
  }

  /** Whether every item's task ended without an exception; ValueError while one has not ended. */
  successful(): boolean {
    if (!this.ready()) throw new ValueError(`${this} not ready`);
    return this.parts.every((p) => p.successful());
  }

  toString(): string {
    return `<MapResult of ${this.parts.length}: ${this.parts.filter((p) => p.ready()).length} ready>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function setupResult<R>(r: AsyncResult<R>, state: SharedState): AsyncResult<R> {
  hidden(r, { id: state.id, outcome: null });
  Object.defineProperty(r, STATE, { value: new Int32Array(state.buffer) });
  return adopt(r, "AsyncResult", state);
}
defineKind("AsyncResult", (state) => setupResult(Object.create(AsyncResult.prototype) as AsyncResult, state));
