// The entry of every pool worker: it boots the runtime once (capture,
// tracebacks, the globals compiled cells call), then runs jobs the kernel
// hands it, one at a time: a cell's main program, or a thread.
import { parentPort, threadId } from "node:worker_threads";
import { Retire, type ChainValues, type Job, type ProgramContext, type ToWorker, type ThreadDesc } from "../protocol/worker";
import type { CellError } from "../protocol/messages";
import { installCapture, setThreadName, write } from "./core/capture";
import { boot, job, send, setCurrent } from "./core/context";
import { SystemExit } from "./core/errors";
import { importDefault, importModule, moduleExports } from "./modules";
import {
  hereLookup, heldChainIds, heldValuesIds, setHere, setHereLookup, chainScope, classLookup, enterDefs, enterScope, evalChunk, resolveTarget,
  takeValues, threadScope,
} from "./core/scope";
import { applyChainDelta, chainDelta, rebaseChain, refreshScope, restoreChain } from "./core/bindings";
import { decode, encode, encodeKept } from "./core/share";
import { FINISHED, JOINING_ALL, joiningThread, P, STARTED, T } from "../protocol/layout";
import { waitForZero } from "./core/blocking";
import { notifyTraced, traceFinish, traceStart } from "./core/trace";
import { runExitHandlers, resetExitHandlers } from "./atexit/handlers";
import { shutdownExecutors } from "./concurrent/futures/executor";
import { reportThreadException, resetHook, reviveSelf, setValuesForThreads, threadFromDesc } from "./threading/thread";
import { formatTraceback, framesOf, headline, installTracebacks } from "./core/traceback";
import { approxBytes, budgetText, fits, installMemoryChecks, jobEnds, jobStarts } from "./core/memory";
import { formatBytes } from "../protocol/memory";
import { pick } from "./core/uses";
import { beginTimers, cancelTimers, eventLoopBusy, failJob, installTimers, leftResources, probeSeen, rejectionsReported, settle } from "./core/timers";
import { takePristine, tainted } from "./core/pristine";

let cellSnapshot: (uses?: ReadonlySet<string> | null) => Record<string, unknown> = () => ({});
let rawSnapshot: () => Record<string, unknown> = () => ({});
/** The cell's top-level names its run has defined so far (compile's __concnb_defined__); none before it starts. */
let cellDefined: () => string[] = () => [];

installCapture();
installTracebacks();
installMemoryChecks();
const importFn = Object.assign((spec: string) => importModule(spec), { default: importDefault });
Object.defineProperty(globalThis, "__concnb_import", { value: importFn });
Object.defineProperty(globalThis, "__concnb_rt", {
  value: {
    takeValues,
    enterScope,
    /** In a multiprocessing child: the target's arguments, as the parent passed them. */
    processArgs(): unknown[] {
      return decode(job().ctx.process?.args ?? [], hereLookup()) as unknown[];
    },
    /** Called first thing by a cell's program: how threads (and later cells) get the values of its bindings. */
    enterCell(snapshot: () => Record<string, unknown>, scope: (code: string) => unknown, defined: () => string[]) {
      rawSnapshot = snapshot;
      cellSnapshot = (uses = null) => encode(pick(snapshot(), uses)) as Record<string, unknown>;
      cellDefined = defined;
      setValuesForThreads(cellSnapshot);
      setHereLookup(classLookup(scope));
    },
  },
});

installTimers();
/** What the running job is: a rejection nobody handled fails a cell's main program (as it ends `node`), not a thread. */
let running: { kind: "main" | "thread"; name: string } | null = null;

// A rejected promise nobody handled belongs to the job that made it (settle() lets it be seen before the job
// ends): in the main thread it ends the program with an error, as it ends `node script.js`; in a thread it is
// reported as Python reports an exception that escapes a thread, and the thread carries on.
process.on("unhandledRejection", (reason) => {
  if (probeSeen(reason)) return;
  if (running?.kind === "main") failJob(new UnhandledRejection(reason));
  else write("stderr", `Unhandled promise rejection in thread ${running?.name ?? "(none)"}:\n${formatTraceback(reason)}`);
});

/** A rejection nobody handled, as the main thread's error: the reason's traceback, with what happened said first. */
class UnhandledRejection {
  constructor(readonly reason: unknown) {}
}

// what every job must leave as it found it, now that the runtime is in place (see pristine.ts)
takePristine();
const retire = new Int32Array(boot.retire);

parentPort!.on("message", (m: ToWorker) => {
  if (m.type === "job") void runJob(m.job);
});
send({ type: "ready", exports: moduleExports() });

/** The context of this worker's last job, for a next job of the same program that comes without one. */
let lastCtx: ProgramContext | null = null;

async function runJob(j: Job): Promise<void> {
  jobStarts();
  traceStart();
  try {
    if (j.kind === "main") await runMain((lastCtx = j.ctx), j.thread);
    else await runThread({ ...j, ctx: (lastCtx = j.ctx ?? sameProgram(lastCtx)) });
  } finally {
    jobEnds();
    running = null;
    Atomics.store(retire, 0, Retire.Checking);
    send({ type: "jobDone", chainIds: heldChainIds(), valuesIds: heldValuesIds() });
    // off the path of whoever waits for this job: the pool waits for the answer only to give this worker another
    Atomics.store(retire, 0, leftResources() || tainted(j.kind === "main") ? Retire.Unfit : Retire.Fit);
    Atomics.notify(retire, 0);
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
  rawSnapshot = () => ({});
  cellDefined = () => [];
  setValuesForThreads(cellSnapshot);
  resetExitHandlers();
  let error: CellError | undefined;
  let exitCode = 0;
  let later: { e: unknown } | null = null;
  running = { kind: "main", name: desc.name };
  beginTimers((e) => (later ??= { e }));
  try {
    const scope = chainScope(ctx.chainIds, ctx.chainFrom, ctx.chain);
    rebaseChain(ctx.chainRebase);
    // an earlier job of this worker may have changed its copies of the notebook's values. In a pool's
    // worker process too: what its last task left, it gives the next one as the chain's values (processMain).
    restoreChain(classLookup(scope));
    setHere(() => enterDefs(scope, ctx.defs, cellSnapshot()), ctx.full, true);
    await evalChunk(scope, ctx.full);
    await settle((t) => write("stderr", t)); // the main code is done when what it left for the event loop is
    if (later) throw (later as { e: unknown }).e;
  } catch (e) {
    if (e instanceof SystemExit) {
      exitCode = typeof e.code === "number" ? e.code : e.code ? 1 : 0;
      if (typeof e.code === "string") write("stderr", `${e.code}\n`);
      if (exitCode !== 0) error = { name: "SystemExit", message: String(e.code) };
    } else {
      exitCode = 1;
      error = e instanceof UnhandledRejection ? rejectionError(e.reason) : cellError(e);
    }
  }
  const cancelled = cancelTimers();
  if (cancelled) write("stderr", cancelled);
  // Python's shutdown: the main thread stops, executors stop taking work, then it waits for every non-daemon thread.
  try {
    shutdownExecutors();
  } catch (e) {
    write("stderr", `Exception while shutting down executors:\n${formatTraceback(e)}`);
  }
  const state = new Int32Array(desc.state);
  Atomics.store(state, T.State, FINISHED);
  notifyTraced(joiningThread(desc.ident), "finish", state, T.State);
  const slots = job().programSlots;
  // As Python does, the main thread's traceback comes before a long wait for threads (a deadlock report would
  // hide it); threads that end at once (a pool shut down by `using`) are not a long wait, and the cell shows it anyway.
  if (error?.traceback && !waitForThreads(slots, 250)) write("stderr", error.traceback);
  waitForZero(slots, P.Live, JOINING_ALL, "wait for its non-daemon threads");
  runExitHandlers();
  traceFinish();
  const values = snapshotValues();
  const chainValues = snapshotChain();
  const defined = cellDefined();
  // the cell's scope goes with its program (its snapshot and class look-up held all its bindings), and the
  // memory it leaves is collected before the kernel runs the next cell, which may need that memory
  cellSnapshot = rawSnapshot = () => ({});
  cellDefined = () => [];
  setValuesForThreads(cellSnapshot);
  setHereLookup(null);
  jobEnds();
  send({ type: "mainDone", error, exitCode, values, chainValues, defined });
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

/**
 * The cell's bindings for later cells and threads. They are copied into the kernel: a binding whose copy
 * would not fit in the memory budget is not kept (later cells see it undefined), and the cell says so.
 */
function snapshotValues(): Record<string, unknown> {
  try {
    const raw = rawSnapshot();
    const sizes = Object.keys(raw).map((name) => ({ name, bytes: approxBytes(raw[name]) }));
    // the copy serialized, and its bytes (kept in shared memory for a big one, or decoded in the kernel)
    let total = sizes.reduce((n, s) => n + s.bytes, 0) * 2;
    const dropped: string[] = [];
    sizes.sort((a, b) => b.bytes - a.bytes);
    for (const s of sizes) {
      if (total < 2 ** 20 || fits(total)) break;
      dropped.push(`${s.name} (${formatBytes(s.bytes)})`);
      delete raw[s.name];
      total -= s.bytes * 2;
    }
    if (dropped.length > 0) {
      write("stderr", `MemoryError: ${dropped.join(", ")} not kept for later cells and threads: a copy would not fit; ${budgetText()}\n`);
    }
    // a child process's values go back to its parent through a pipe, where shared memory cannot go
    if (job().ctx.process) return encode(raw) as Record<string, unknown>;
    const bytes = new Map(sizes.map((s) => [s.name, s.bytes]));
    return encodeKept(raw, (name) => bytes.get(name) ?? 0);
  } catch {
    return {};
  }
}

function rejectionError(reason: unknown): CellError {
  const e = cellError(reason);
  const what = "A promise was rejected and nothing handled it (no await, no .catch()):\n";
  return { ...e, message: `${e.message} (an unhandled promise rejection)`, traceback: what + (e.traceback ?? "") };
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
  let later: { e: unknown } | null = null;
  running = { kind: "thread", name: j.thread.name };
  beginTimers((e) => (later ??= { e }));
  const state = new Int32Array(j.thread.state);
  let self: ReturnType<typeof threadFromDesc> | null = null;
  try {
    const outer = chainScope(j.ctx.chainIds, j.ctx.chainFrom, j.ctx.chain);
    rebaseChain(j.ctx.chainRebase);
    const scope = threadScope(outer, j.ctx.defs, j.values, (held) => refreshScope(held, j.values, classLookup(held)));
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
    setValuesForThreads((uses) => pick(j.values, uses));
    const r = self.run();
    // run() is typed void, but a learner's override may be async: the thread lasts until it settles
    if (r && typeof (r as PromiseLike<unknown>).then === "function") await (r as PromiseLike<unknown>);
    // the thread is done when what its run() left for the event loop is (asked first: start+join is a hot path),
    // and once a promise rejected and never handled has been reported in this thread
    if (eventLoopBusy()) await settle((t) => write("stderr", t));
    else await rejectionsReported();
    if (later) throw (later as { e: unknown }).e;
  } catch (e) {
    reportThreadException(e, self ?? threadFromDesc(j.thread)); // the default hook ignores SystemExit; a custom one sees it
  } finally {
    const cancelled = cancelTimers();
    if (cancelled) write("stderr", cancelled);
    traceFinish();
    // only the first to finish the thread (here, or the kernel if this worker dies) counts it
    if (Atomics.compareExchange(state, T.State, STARTED, FINISHED) === STARTED) {
      // its place is given back before a joiner wakes, so that the joiner can start another at once
      Atomics.sub(job().programSlots, P.Threads, 1);
      notifyTraced(joiningThread(j.thread.ident), "finish", state, T.State);
      if (!j.thread.daemon) {
        const slots = job().programSlots;
        Atomics.sub(slots, P.Live, 1);
        Atomics.notify(slots, P.Live);
      }
    }
  }
}

