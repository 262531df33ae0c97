// ThreadPoolExecutor, as Python's: a work queue, threads started on demand
// up to maxWorkers and reused when idle, futures for results. Everything it
// shares lives in shared memory (the queue, the futures, a few counters), so
// any thread can submit to it. When a cell's main code ends, the program shuts
// down every executor it made (waiting for the work already submitted), as
// Python's interpreter does at exit. A ProcessPoolExecutor's initializer runs
// in each of its worker processes (runtime/multiprocessing/pool), not in its threads here.
import { cpus } from "node:os";
import { inspect } from "node:util";
import { job, rpc, send } from "../../core/context";
import { define, PyTypeError, RuntimeError, ValueError } from "../../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../../core/shared";
import { P } from "../../../protocol/layout";
import { waitForZero } from "../../core/blocking";
import { notifyTraced, traced } from "../../core/trace";
import { encode, decode } from "../../core/share";
import { functionSpec, resolveFunction, hereLookup } from "../../core/scope";
import { Queue } from "../../queue/queue";
import { adoptFuture, Future, futurePlace } from "./future";
import { bufferOf, idOfBuffer, pack, unpack } from "../../core/transfer";
import { Thread, registerThreadClass } from "../../threading/thread";
import { write } from "../../core/capture";
import { formatTraceback } from "../../core/traceback";
import type { TargetSpec } from "../../../protocol/worker";
import { checkForProcess, poolInit, releaseProcesses, runInProcess } from "../../multiprocessing/pool";
import type { PoolInit } from "../../../protocol/process";

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";

/** The base of BrokenThreadPool and BrokenProcessPool: an executor that can run no more tasks. */
export const BrokenExecutor = define("BrokenExecutor");
/** A ThreadPoolExecutor whose initializer failed: its queued futures fail with it, and so do later submit() calls. */
export const BrokenThreadPool = define("BrokenThreadPool", BrokenExecutor);
/** A ProcessPoolExecutor whose worker process failed in its initializer: its pending and later futures fail with it. */
export const BrokenProcessPool = define("BrokenProcessPool", BrokenExecutor);

const enum X {
  Shutdown = 0,
  /** Threads started so far (also the number in the next one's name). */
  Threads = 1,
  /** Threads that finished a task and wait for the next: submit reuses one instead of starting another. */
  Idle = 2,
  /** Threads not yet ended: shutdown({ wait: true }) waits for 0. */
  Live = 3,
  Broken = 4,
  Size = 5,
}

/** What an executor's constructor takes: Python's keyword arguments, as an options object. */
export interface ExecutorOptions {
  /** How many tasks run at once, at most; by default min(32, CPUs + 4) threads, or one process per CPU. */
  maxWorkers?: number | null;
  /** Names its threads `PREFIX_K`; the prefix is `ThreadPoolExecutor-N` by default (`ProcessPoolExecutor-N`). */
  threadNamePrefix?: string;
  /** Called with initargs in each new worker thread (worker process) before its first task; if it raises, the pool is broken. */
  initializer?: ((...args: never[]) => unknown) | null;
  /** The initializer's arguments, an array. */
  initargs?: unknown[];
}

interface Config {
  /** A ProcessPoolExecutor's: each task runs on one of its worker processes, its thread waiting for it. */
  inProcess: boolean;
  maxWorkers: number;
  prefix: string;
  /** A ThreadPoolExecutor's, run by each of its threads. */
  initializer: TargetSpec | null;
  initargs: unknown;
  /** A ProcessPoolExecutor's, run by each of its worker processes. */
  processInit: PoolInit | null;
  work: Queue;
}

/**
 * A task in the work queue: the function's kernel-wide id (see specId), its
 * arguments, and its future's id and arena offset. Small and flat, so that
 * putting and taking one costs a fraction of a microsecond.
 */
type WorkItem = [fn: number, args: unknown[], futureId: number, futureAt: number];

const futureOf = (item: WorkItem) => adoptFuture(item[2], item[3]);

const I = Symbol("concnb.executor");

/**
 * Python's ThreadPoolExecutor: runs submitted calls on up to maxWorkers threads, started as needed and reused.
 * `new ThreadPoolExecutor(4)` or `({ maxWorkers, threadNamePrefix, initializer, initargs })`; ValueError when
 * maxWorkers <= 0. `using pool = new ThreadPoolExecutor(4)` shuts it down at the end of the block, like `with`.
 */
export class ThreadPoolExecutor {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  /** @internal */
  declare [I]: { view: Int32Array; config: Config };

  constructor(options: number | ExecutorOptions | null = {}) {
    const o: ExecutorOptions = typeof options === "number" || options === null ? { maxWorkers: options } : (options ?? {});
    const inProcess = new.target === ProcessPoolExecutor;
    const maxWorkers = o.maxWorkers ?? (inProcess ? cpus().length : Math.min(32, cpus().length + 4));
    if (typeof maxWorkers !== "number" || !Number.isInteger(maxWorkers)) throw new PyTypeError("maxWorkers must be an integer");
    if (maxWorkers <= 0) throw new ValueError("maxWorkers must be greater than 0");
    if (o.initializer !== undefined && o.initializer !== null && typeof o.initializer !== "function") throw new PyTypeError("initializer must be a function");
    // everything that can fail comes before the count: the main thread waits for every executor counted
    const processInit = inProcess ? poolInit(o.initializer, o.initargs ?? [], true) : null;
    const initializer = o.initializer && !inProcess ? functionSpec(o.initializer, "the initializer") : null;
    const initargs = inProcess ? null : encode(o.initargs ?? []);
    const n = Atomics.add(job().programSlots, P.Executors, 1);
    const config: Config = {
      inProcess,
      maxWorkers,
      prefix: o.threadNamePrefix ?? `${inProcess ? "ProcessPoolExecutor" : "ThreadPoolExecutor"}-${n}`,
      initializer,
      initargs,
      processInit,
      work: new Queue(),
    };
    // named for what it is in the kernel's reports and timelines; it travels as a ThreadPoolExecutor either way
    setup(this, allocate(inProcess ? "ProcessPoolExecutor" : "ThreadPoolExecutor", X.Size), config);
    // the program's main thread shuts down every executor of the program when its code ends
    send({ type: "stash", key: executorsKey(job().ctx.programId), value: encode(this) });
  }

  /** The most tasks it runs at once (Python keeps this private, as `_max_workers`). */
  get maxWorkers(): number {
    return this[I].config.maxWorkers;
  }

  /**
   * Schedules fn(...args) and returns its Future at once. Raises RuntimeError after shutdown(), BrokenThreadPool (or
   * BrokenProcessPool) once an initializer has failed, TypeError when fn is not a function.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    if (typeof fn !== "function") throw new PyTypeError("submit() needs a function to call");
    const { view, config } = this[I];
    if (Atomics.load(view, X.Broken)) throw brokenError(config);
    if (Atomics.load(view, X.Shutdown)) {
      throw new RuntimeError("cannot schedule new futures after shutdown (an executor lives as long as the cell that made it)");
    }
    if (config.inProcess) checkForProcess(args);
    const future = new Future<Awaited<R>>();
    const [id, at] = futurePlace(future);
    config.work.put([specId(fn), args, id, at] satisfies WorkItem);
    this.adjustThreads();
    return future;
  }

  /**
   * Results in input order, each as iteration reaches it; tasks are all submitted now.
   * A last argument `{ timeout }` limits the whole iteration, counted from this call.
   */
  map<R>(fn: (...args: never[]) => R, ...iterables: unknown[]): Generator<Awaited<R>, void, undefined> {
    let timeout: number | null = null;
    const last = iterables.at(-1);
    if (last !== null && typeof last === "object" && !(Symbol.iterator in last)) {
      timeout = ((iterables.pop() as { timeout?: number | null }).timeout ?? null);
    }
    const end = timeout === null ? null : performance.now() + timeout * 1000;
    const columns = iterables.map((it) => {
      if (it === null || typeof it !== "object" || !(Symbol.iterator in it)) throw new PyTypeError("map() arguments after the function must be iterable");
      return [...(it as Iterable<unknown>)];
    });
    const n = columns.length === 0 ? 0 : Math.min(...columns.map((c) => c.length));
    const futures: Future<Awaited<R>>[] = [];
    for (let i = 0; i < n; i++) futures.push(this.submit(fn as (...a: unknown[]) => R, ...columns.map((c) => c[i])));
    return (function* results() {
      try {
        while (futures.length > 0) {
          const f = futures.shift()!;
          yield end === null ? f.result() : f.result(Math.max(0, (end - performance.now()) / 1000));
        }
      } finally {
        for (const f of futures) f.cancel();
      }
    })();
  }

  /**
   * Takes no more work (a later submit() raises RuntimeError). `wait` (default true) blocks until the tasks already
   * submitted have run; `cancelFutures` cancels those not yet started. Python's keyword arguments, as an object.
   */
  shutdown(options: { wait?: boolean; cancelFutures?: boolean } = {}): void {
    const { wait: waitForThreads = true, cancelFutures = false } = options ?? {};
    const { view, config } = this[I];
    if (cancelFutures) {
      // take every queued item: its future is cancelled (a running one is not queued any more)
      let sentinel = false;
      for (;;) {
        let item: WorkItem | null;
        try {
          item = config.work.get(false) as WorkItem | null;
        } catch {
          break;
        }
        if (item) futureOf(item).cancel();
        else sentinel = true;
      }
      if (sentinel) config.work.put(null); // the threads' signal to leave, taken along: give it back
    }
    if (Atomics.exchange(view, X.Shutdown, 1) === 0) config.work.put(null); // wakes a thread, which passes it on
    if (waitForThreads) waitForZero(view, X.Live, this.id, "shutdown");
  }

  /**
   * shutdown(), waiting: `using pool = new ThreadPoolExecutor()` shuts the pool down at the end of the block, like
   * Python's `with ThreadPoolExecutor() as pool:`.
   */
  [Symbol.dispose](): void {
    this.shutdown();
  }

  toString(): string {
    return `<ThreadPoolExecutor #${this.id} maxWorkers=${this.maxWorkers}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }

  /** Reuses an idle thread if there is one, else starts one while under maxWorkers. */
  private adjustThreads(): void {
    const { view, config } = this[I];
    for (let idle = Atomics.load(view, X.Idle); idle > 0; idle = Atomics.load(view, X.Idle)) {
      if (Atomics.compareExchange(view, X.Idle, idle, idle - 1) === idle) return;
    }
    const k = Atomics.add(view, X.Threads, 1);
    if (k >= config.maxWorkers) {
      Atomics.sub(view, X.Threads, 1);
      return;
    }
    Atomics.add(view, X.Live, 1);
    const t = new PoolThread({ name: `${config.prefix}_${k}` });
    t.executor = this;
    t.start();
  }
}

/**
 * ProcessPoolExecutor: the same executor, each task run on one of its worker
 * processes (up to maxWorkers, started as needed and reused: runtime/multiprocessing/pool)
 * while one of its threads waits for the result. Its arguments and results
 * are copies; runtime objects cannot be sent.
 */
export class ProcessPoolExecutor extends ThreadPoolExecutor {
  override toString(): string {
    return `<ProcessPoolExecutor #${this.id} maxWorkers=${this.maxWorkers}>`;
  }
}

/** A thread of a ThreadPoolExecutor: takes work items until the executor shuts down. */
class PoolThread extends Thread {
  executor: ThreadPoolExecutor | null = null;

  override async run(): Promise<void> {
    const ex = this.executor!;
    const { view, config } = ex[I];
    const functions = new Map<number, (...a: unknown[]) => unknown>();
    try {
      if (config.initializer && !initialize(config)) {
        Atomics.store(view, X.Broken, 1);
        failQueued(config);
        return;
      }
      for (;;) {
        // a pool thread waiting for work is idle, not blocked: the timeline says so
        const item = traced(config.work.id, "idle", () => config.work.get()) as WorkItem | null;
        if (item === null) {
          config.work.put(null); // for the next thread
          return;
        }
        const [fnId, args] = item;
        const future = futureOf(item);
        if (future.setRunningOrNotifyCancel()) {
          try {
            let fn = functions.get(fnId);
            if (!fn) functions.set(fnId, (fn = resolveFunction(specOfId(fnId))));
            let r = config.inProcess ? runInProcess(ex, config.processInit, fn, args) : fn(...args);
            if (isThenable(r)) r = await r; // an async fn: its result is what it settles to
            // idle before the result is out: a submit made as soon as result() returns must find this thread
            Atomics.add(view, X.Idle, 1);
            future.setResult(r);
          } catch (e) {
            // broken before the future says so: a submit made as soon as result() raises is refused
            if (e instanceof BrokenProcessPool) Atomics.store(view, X.Broken, 1);
            Atomics.add(view, X.Idle, 1);
            future.setException(e);
          }
        } else Atomics.add(view, X.Idle, 1);
      }
    } finally {
      // the last thread of a process pool to leave lets its worker processes go
      if (Atomics.sub(view, X.Live, 1) === 1 && config.inProcess) releaseProcesses(ex);
      notifyTraced(ex.id, "finish", view, X.Live);
    }
  }
}
registerThreadClass(PoolThread);

function initialize(config: Config): boolean {
  try {
    resolveFunction(config.initializer!)(...(decode(config.initargs, hereLookup()) as unknown[]));
    return true;
  } catch (e) {
    write("stderr", `Exception in initializer:\n${formatTraceback(e)}`);
    return false;
  }
}

function brokenError(config: Config): Error {
  return config.inProcess
    ? new BrokenProcessPool("A process in the process pool failed in its initializer, the process pool is not usable anymore")
    : new BrokenThreadPool("A thread initializer failed, the thread pool is not usable anymore");
}

function failQueued(config: Config): void {
  const { work } = config;
  for (;;) {
    let item: WorkItem | null;
    try {
      item = work.get(false) as WorkItem | null;
    } catch {
      return;
    }
    if (item) {
      const future = futureOf(item);
      if (future.setRunningOrNotifyCancel()) future.setException(brokenError(config));
    }
    if (!item) {
      work.put(null);
      return;
    }
  }
}

/**
 * A submitted function travels as a number: its spec (name and source, which
 * can be long) is written once into a small shared buffer, whose kernel-wide
 * id every thread can resolve (runtime/core/transfer), once per thread.
 */
const specIds = new WeakMap<Function, number>();
function specId(fn: Function): number {
  let id = specIds.get(fn);
  if (id === undefined) {
    const bytes = pack(functionSpec(fn, "the function"));
    const buffer = new SharedArrayBuffer(bytes.length);
    new Uint8Array(buffer).set(bytes);
    specIds.set(fn, (id = idOfBuffer(buffer)));
  }
  return id;
}
function specOfId(id: number): TargetSpec {
  return unpack(new Uint8Array(bufferOf(id))) as TargetSpec;
}

const executorsKey = (programId: number) => `executors:${programId}`;

/** At the end of a cell's main code: every executor of the program stops taking work and lets its threads end. */
export function shutdownExecutors(): void {
  const j = job();
  const count = Atomics.load(j.programSlots, P.Executors);
  if (count === 0) return;
  const all = rpc("take", { key: executorsKey(j.ctx.programId), count });
  for (const encoded of all) (decode(encoded, hereLookup()) as ThreadPoolExecutor).shutdown({ wait: false });
}

function setup(x: ThreadPoolExecutor, state: SharedState, config: Config): ThreadPoolExecutor {
  hidden(x, { id: state.id });
  Object.defineProperty(x, I, { value: { view: new Int32Array(state.buffer), config } });
  return adopt(x, "ThreadPoolExecutor", state, () => encode(config));
}
defineKind("ThreadPoolExecutor", (state, extra, lookup) => {
  const config = decode(extra, lookup) as Config;
  const cls = config.inProcess ? ProcessPoolExecutor : ThreadPoolExecutor;
  return setup(Object.create(cls.prototype) as ThreadPoolExecutor, state, config);
});
