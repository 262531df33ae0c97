// multiprocessing's Pool: worker processes that the kernel starts with the
// pool (kernel/processPool.ts) and keeps for its life, each running task
// after task, so only the first task pays for a process start. A
// ProcessPoolExecutor's tasks run on such workers too (runInProcess). Items,
// arguments and results are copies; a task's exception comes back rebuilt.
import { inspect } from "node:util";
import { job, rpc, send } from "./context";
import { PyTypeError, ValueError } from "./errors";
import { decode } from "./share";
import { functionSpec, hereLookup } from "./scope";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { currentValues as valuesForThreads } from "./threading";
import { forProcess, remoteError } from "./crossProcess";
import type { TaskMode, TaskOutcome } from "../protocol/process";
import type { TargetSpec } from "../protocol/worker";
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

/** fn over each chunk of encoded items on pool `pool`'s worker processes: the results in order, or the first failure thrown. */
function onWorkers(pool: number, size: number, mode: TaskMode, target: TargetSpec, chunks: unknown[][]): unknown[] {
  const j = job();
  const r = rpc({ type: "rpc", op: "poolMap", programId: j.ctx.programId, pool, size, mode, target, chunks, values: valuesForThreads() }) as TaskOutcome;
  if ("error" in r) throw remoteError(r.error);
  return r.results.map((x) => decode(x, hereLookup()));
}

/** In a ProcessPoolExecutor's thread: one task, fn(...args), on one of the executor's (up to maxWorkers) worker processes. */
export function runInProcess(executor: { id: number; maxWorkers: number }, fn: Function, args: unknown[]): unknown {
  return onWorkers(executor.id, executor.maxWorkers, "apply", functionSpec(fn, "the function"), [[forProcess(args, "args")]])[0];
}

/** An executor has shut down and its threads have left: its worker processes exit. */
export function releaseProcesses(executor: { id: number }): void {
  send({ type: "poolClose", programId: job().ctx.programId, pool: executor.id });
}

/** Refuses, at submit, what a process cannot be given. */
export function checkForProcess(args: unknown[]): void {
  forProcess(args, "args");
}

/** A pool of worker processes, started with it and kept for its life. */
export class Pool {
  declare readonly id: number;
  declare readonly processes: number;
  declare private readonly view: Int32Array;

  constructor(processes?: number | null) {
    const n = processes ?? cpus().length;
    if (typeof n !== "number" || !Number.isInteger(n)) throw new PyTypeError("processes must be an integer");
    if (n < 1) throw new ValueError("Number of processes must be at least 1");
    setup(this, allocate("Pool", PL.Size), n);
    // Python's pool starts its processes now: by the first map they have had time to boot
    send({ type: "poolStart", programId: job().ctx.programId, pool: this.id, size: n, values: valuesForThreads() });
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

  /** No more work: the workers exit once the work already given is done. */
  close(): void {
    if (Atomics.compareExchange(this.view, PL.State, RUN, CLOSE) === RUN) {
      send({ type: "poolClose", programId: job().ctx.programId, pool: this.id });
    }
  }

  /** Kills the workers now; returns once they have exited. */
  terminate(): void {
    Atomics.store(this.view, PL.State, TERMINATE);
    rpc({ type: "rpc", op: "poolTerminate", programId: job().ctx.programId, pool: this.id });
  }

  /** Waits for the workers to exit, after close() or terminate(). */
  join(): void {
    if (Atomics.load(this.view, PL.State) === RUN) throw new ValueError("Pool is still running");
    rpc({ type: "rpc", op: "poolJoin", programId: job().ctx.programId, pool: this.id });
  }

  /** `using pool = new Pool()` ends as Python's `with Pool() as pool:` does: terminate(). */
  [Symbol.dispose](): void {
    this.terminate();
  }

  toString(): string {
    return `<Pool state=${STATES[Atomics.load(this.view, PL.State)]} processes=${this.processes}>`;
  }
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
    return onWorkers(this.id, this.processes, mode, functionSpec(fn, "the function"), chunks);
  }
}

function setup(p: Pool, state: SharedState, processes: number): Pool {
  hidden(p, { id: state.id, view: new Int32Array(state.buffer), processes });
  return adopt(p, "Pool", state, () => ({ processes }));
}
defineKind("Pool", (state, extra) => setup(Object.create(Pool.prototype) as Pool, state, (extra as { processes: number }).processes));
