// The entry of every pool worker: it boots the runtime once (capture,
// tracebacks, the globals compiled cells call), then runs jobs the kernel
// hands it, one at a time: a cell's main program, or a thread.
import { parentPort, threadId } from "node:worker_threads";
import type { ChainValues, Job, ProgramContext, ToWorker, ThreadDesc } from "../protocol/worker";
import type { CellError } from "../protocol/messages";
import { installCapture, setThreadName, write } from "./capture";
import { job, send, setCurrent } from "./context";
import { SystemExit } from "./errors";
import { importDefault, importModule, moduleExports } from "./modules";
import {
  hereLookup, heldChainIds, heldValuesIds, setHere, setHereLookup, chainScope, classLookup, enterDefs, evalChunk, resolveTarget, takeValues,
} from "./scope";
import { applyChainDelta, chainDelta, rebaseChain, restoreChain } from "./bindings";
import { decode, encode } from "./share";
import { FINISHED, P, STARTED, T } from "./state";
import { JOINING_ALL, wait } from "./blocking";
import { runExitHandlers, resetExitHandlers } from "./atexit";
import { shutdownExecutors } from "./executor";
import { reportThreadException, resetHook, reviveSelf, setValuesForThreads, threadFromDesc } from "./threading";
import { formatTraceback, framesOf, headline, installTracebacks } from "./traceback";

let cellSnapshot: () => Record<string, unknown> = () => ({});

installCapture();
installTracebacks();
const importFn = Object.assign((spec: string) => importModule(spec), { default: importDefault });
Object.defineProperty(globalThis, "__concnb_import", { value: importFn });
Object.defineProperty(globalThis, "__concnb_rt", {
  value: {
    takeValues,
    /** In a multiprocessing child: the target's arguments, as the parent passed them. */
    processArgs(): unknown[] {
      return decode(job().ctx.process?.args ?? [], hereLookup()) as unknown[];
    },
    /** Called first thing by a cell's program: how threads (and later cells) get the values of its bindings. */
    enterCell(snapshot: () => Record<string, unknown>, scope: (code: string) => unknown) {
      cellSnapshot = () => encode(snapshot()) as Record<string, unknown>;
      setValuesForThreads(cellSnapshot);
      setHereLookup(classLookup(scope));
    },
  },
});

// A rejected promise nobody awaited belongs to the thread that made it: report it like Python
// reports an exception that escapes a thread, and keep the worker alive.
process.on("unhandledRejection", (reason) => {
  write("stderr", `Unhandled promise rejection:\n${formatTraceback(reason)}`);
});

parentPort!.on("message", (m: ToWorker) => {
  if (m.type === "job") void runJob(m.job);
});
send({ type: "ready", exports: moduleExports() });

/** The context of this worker's last job, for a next job of the same program that comes without one. */
let lastCtx: ProgramContext | null = null;

async function runJob(j: Job): Promise<void> {
  try {
    if (j.kind === "main") await runMain((lastCtx = j.ctx), j.thread);
    else await runThread({ ...j, ctx: (lastCtx = j.ctx ?? sameProgram(lastCtx)) });
  } finally {
    send({ type: "jobDone", chainIds: heldChainIds(), valuesIds: heldValuesIds() });
  }
}

/** The last job's context for a next job of its program: the worker holds every link of its chain already. */
function sameProgram(ctx: ProgramContext | null): ProgramContext {
  if (!ctx) throw new Error("a job came without its program's context to a worker that has none");
  return { ...ctx, chainFrom: ctx.chainIds.length, chain: [], chainRebase: undefined };
}

function enter(ctx: ProgramContext, desc: ThreadDesc, thread: unknown): void {
  setCurrent(ctx, desc, thread);
  setThreadName(desc.name);
  Atomics.store(new Int32Array(desc.state), T.NativeId, threadId);
}

async function runMain(ctx: ProgramContext, desc: ThreadDesc): Promise<void> {
  enter(ctx, desc, null);
  resetHook();
  const me = threadFromDesc(desc);
  setCurrent(ctx, desc, me);
  cellSnapshot = () => ({});
  setValuesForThreads(cellSnapshot);
  resetExitHandlers();
  let error: CellError | undefined;
  let exitCode = 0;
  try {
    const scope = chainScope(ctx.chainIds, ctx.chainFrom, ctx.chain);
    rebaseChain(ctx.chainRebase);
    // an earlier job of this worker may have changed its copies of the notebook's values. In a pool's
    // worker process too: what its last task left, it gives the next one as the chain's values (processMain).
    restoreChain(classLookup(scope));
    setHere(() => enterDefs(scope, ctx.defs, cellSnapshot()), ctx.full, true);
    await evalChunk(scope, ctx.full);
  } catch (e) {
    if (e instanceof SystemExit) {
      exitCode = typeof e.code === "number" ? e.code : e.code ? 1 : 0;
      if (typeof e.code === "string") write("stderr", `${e.code}\n`);
      if (exitCode !== 0) error = { name: "SystemExit", message: String(e.code) };
    } else {
      exitCode = 1;
      error = cellError(e);
    }
  }
  // Python's shutdown: the main thread stops, executors stop taking work, then it waits for every non-daemon thread.
  try {
    shutdownExecutors();
  } catch (e) {
    write("stderr", `Exception while shutting down executors:\n${formatTraceback(e)}`);
  }
  const state = new Int32Array(desc.state);
  Atomics.store(state, T.State, FINISHED);
  Atomics.notify(state, T.State);
  const slots = job().programSlots;
  // As Python does, the main thread's traceback comes before a long wait for threads (a deadlock report would
  // hide it); threads that end at once (a pool shut down by `using`) are not a long wait, and the cell shows it anyway.
  if (error?.traceback && !waitForThreads(slots, 250)) write("stderr", error.traceback);
  for (let live = Atomics.load(slots, P.Live); live > 0; live = Atomics.load(slots, P.Live)) {
    wait(slots, P.Live, live, Infinity, JOINING_ALL, "wait for its non-daemon threads");
  }
  runExitHandlers();
  const values = snapshotValues();
  send({ type: "mainDone", error, exitCode, values, chainValues: snapshotChain() });
}

/** Waits up to ms for the program's non-daemon threads to end: true if they have. */
function waitForThreads(slots: Int32Array, ms: number): boolean {
  const deadline = performance.now() + ms;
  for (let live = Atomics.load(slots, P.Live); live > 0; live = Atomics.load(slots, P.Live)) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(slots, P.Live, live, left);
  }
  return true;
}

function snapshotChain(): ChainValues {
  try {
    return chainDelta();
  } catch {
    return [];
  }
}

function snapshotValues(): Record<string, unknown> {
  try {
    return cellSnapshot();
  } catch {
    return {};
  }
}

function cellError(e: unknown): CellError {
  const traceback = formatTraceback(e);
  const frames = framesOf(e);
  const where = frames.length > 0 ? ` (${frames[frames.length - 1].label}, line ${frames[frames.length - 1].line})` : "";
  const h = headline(e);
  const colon = h.indexOf(": ");
  return {
    name: colon > 0 ? h.slice(0, colon) : h,
    message: (colon > 0 ? h.slice(colon + 2) : "") + where,
    traceback,
  };
}

async function runThread(j: Extract<Job, { kind: "thread" }> & { ctx: ProgramContext }): Promise<void> {
  enter(j.ctx, j.thread, null);
  resetHook();
  const state = new Int32Array(j.thread.state);
  let self: ReturnType<typeof threadFromDesc> | null = null;
  try {
    const outer = chainScope(j.ctx.chainIds, j.ctx.chainFrom, j.ctx.chain);
    rebaseChain(j.ctx.chainRebase);
    const scope = enterDefs(outer, j.ctx.defs, j.values);
    // the earlier cells' bindings as the starting thread saw them, whatever an earlier job of this worker left in them
    restoreChain(classLookup(scope));
    applyChainDelta(j.chainValues, classLookup(scope));
    setHere(scope, j.ctx.full);
    const lookup = classLookup(scope);
    const args = decode(j.args, lookup) as unknown[];
    const kwargs = decode(j.kwargs, lookup);
    const target = j.target ? resolveTarget(j.target, scope, j.ctx.full) : null;
    self = reviveSelf(j.thread, j.self as { cls: string | null; fields: unknown }, lookup, target, args, kwargs);
    setCurrent(j.ctx, j.thread, self);
    setValuesForThreads(() => j.values);
    const r = self.run();
    if (r && typeof (r as PromiseLike<unknown>).then === "function") await r;
  } catch (e) {
    reportThreadException(e, self ?? threadFromDesc(j.thread)); // the default hook ignores SystemExit; a custom one sees it
  } finally {
    // only the first to finish the thread (here, or the kernel if this worker dies) counts it
    if (Atomics.compareExchange(state, T.State, STARTED, FINISHED) === STARTED) {
      // its place is given back before a joiner wakes, so that the joiner can start another at once
      Atomics.sub(job().programSlots, P.Threads, 1);
      Atomics.notify(state, T.State);
      if (!j.thread.daemon) {
        const slots = job().programSlots;
        Atomics.sub(slots, P.Live, 1);
        Atomics.notify(slots, P.Live);
      }
    }
  }
}

