// The entry of a multiprocessing child (kernel/processes.ts starts it): a
// kernel of its own, on the notebook's definitions, that sends its output and
// its results to the parent over IPC. As a Process it runs one program,
// `target(...args)`, and exits as Python's does: 0, the code given to
// sys.exit(), or 1 after an exception (whose traceback goes to stderr). As a
// pool's worker it runs its initializer, if any, then task after task, each a
// program on a warm worker thread (the notebook's definitions already
// evaluated there), until it is told to stop or its parent is gone. As a
// Python worker process keeps its globals, what the initializer and each task
// leave in the notebook's bindings is what the next task sees: it is merged
// into the chain the next program gets, whichever worker thread runs it.
// Its programs come compiled by its parent (kernel/childPrograms): a child
// never loads the compiler.
import { join } from "node:path";
import type { FromChild, ToChild } from "./protocol/process";
import type { ChainLink, ChainValues } from "./protocol/worker";
import type { CellError, CellResult, OutputRecord } from "./protocol/messages";
import type { CompiledCell } from "./compiler/compile";
import { TRACING, WorkerPool } from "./pool";
import { poolTaskTimeline } from "./timeline";
import { nowUs } from "./protocol/clock";
import { DEFAULT_OUTPUT_LINES, outputFileFor } from "./output";
import { Program } from "./program";
import { QueueForwarder } from "./mpQueues";


function send(m: FromChild): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}
const sendRecords = (records: OutputRecord[]) => void send({ type: "records", records });

const pool = new WorkerPool(join(__dirname, "thread.js"), 1);
/** A multiprocessing Queue's items live in the notebook's kernel: this child's programs ask the parent. */
const queues = new QueueForwarder((m) => void send(m));
/** Set by "serve": who this worker is and the notebook it runs on, as its last program left the bindings. */
let worker: { name: string; chain: ChainLink[] } | null = null;
/** The initializer raised: the parent fails the pool's work, and this worker runs no task while it exits. */
let initFailed = false;
let valuesSeq = 0;
/** Tasks run one after the other; "stop" waits for the one in hand. */
let queue: Promise<void> = Promise.resolve();
let programSeq = 0;
/** A pool worker's lane in the timeline is idle from here until its next task comes: when it came up, or its last task ended. */
let idleSince = nowUs();

process.on("message", (m: ToChild) => {
  switch (m.type) {
    case "run":
      void runProcess(m);
      break;
    case "serve": {
      worker = { name: m.name, chain: m.chain };
      idleSince = nowUs();
      const init = m.init;
      if (init) queue = queue.then(() => initialize(init)).catch((e: unknown) => initializerFault(e));
      break;
    }
    case "task": {
      const came = nowUs();
      queue = queue.then(() => runTask(m, came)).catch((e: unknown) => fail(m.id, e));
      break;
    }
      break;
    case "stop":
      queue = queue.then(() => leave(0));
      break;
    case "queueReply":
      queues.answer(m.id, m.answer);
      break;
  }
});
// the kernel that started this child is gone (restarted, closed): nobody is left to read its output
process.once("disconnect", () => process.exit(1));

/** A fault of this file, not of the task's code: the caller hears of it rather than waiting for ever. */
async function fail(id: number, e: unknown): Promise<void> {
  const message = `the worker process failed: ${String((e as Error)?.stack ?? e)}`;
  await send({ type: "taskDone", id, result: { status: "error", durationMs: 0, error: { name: "ProcessError", message } } });
}

async function leave(code: number): Promise<never> {
  await pool.dispose();
  process.exit(code);
}

function run(name: string, chain: ChainLink[], cell: Pick<CompiledCell, "full" | "defs">, args: unknown): Program {
  const programId = ++programSeq;
  // the parent's cell has its own limit over everything this child writes; this one only bounds the child
  const outputLimit = { lines: DEFAULT_OUTPUT_LINES, file: outputFileFor(`${name}`, programId) };
  return new Program(pool, { programId, full: cell.full, defs: cell.defs, chain, process: { name, args }, queues, outputLimit }, sendRecords);
}

/** What a program left in the notebook's bindings (its chainValues): the values the next program starts from. */
function keep(chainValues: ChainValues | null): void {
  if (!worker || !chainValues?.some((v) => v)) return;
  // a new valuesId: a worker thread that holds the link puts its bindings to these values (runtime/core/bindings)
  worker.chain = worker.chain.map((l, i) => {
    const changed = chainValues[i];
    return changed ? { ...l, values: { ...l.values, ...changed }, valuesId: `${l.id}/values-${++valuesSeq}` } : l;
  });
}

/** The first frame of a child's traceback is the call this file wrote, not the learner's code. */
function learnersTraceback(name: string, error: CellError | undefined): string {
  return (error?.traceback ?? `${error?.name}: ${error?.message}\n`).replace(
    new RegExp(`  File "${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}", line 1, in <module>\n.*\n`),
    "",
  );
}

/** The pool's initializer, once, before any task; if it raises, Python's message on stderr, the parent told, and exit. */
async function initialize(init: NonNullable<Extract<ToChild, { type: "serve" }>["init"]>): Promise<void> {
  const name = worker!.name;
  let result: CellResult;
  if (init.program.error) result = { status: "error", durationMs: 0, error: init.program.error };
  else {
    const outcome = await run(name, worker!.chain, init.program, init.args).done;
    keep(outcome.chainValues);
    result = outcome.result;
  }
  idleSince = nowUs();
  if (result.status === "ok") return;
  const error = result.error ?? { name: "ProcessError", message: `the initializer ended: ${result.status}` };
  await failInitializer(`Exception in initializer:\n${learnersTraceback(name, error)}`, error);
}

/** A fault of this file while running the initializer: the pool must still hear that this worker cannot serve. */
async function initializerFault(e: unknown): Promise<void> {
  const message = `the worker process failed: ${String((e as Error)?.stack ?? e)}`;
  await failInitializer(`Exception in initializer:\n${message}\n`, { name: "ProcessError", message });
}

async function failInitializer(text: string, error: CellError): Promise<void> {
  initFailed = true;
  await send({ type: "records", records: [{ stream: "stderr", thread: "MainThread", text }] });
  await send({ type: "initFailed", error });
  await leave(1);
}

/** A pool's task; `came`: when it reached this worker (an idle worker's wait for work ends there). */
async function runTask(m: Extract<ToChild, { type: "task" }>, came: number): Promise<void> {
  if (!worker) throw new Error("a task came before the worker was told what it serves");
  if (initFailed) return; // the parent has failed it already
  if (m.program.error) {
    await send({ type: "taskDone", id: m.id, result: { status: "error", durationMs: 0, error: m.program.error } });
    return;
  }
  const cell = m.program;
  // a pool's task gives its exception back to the caller; the worker prints nothing and carries on
  const { result, values, chainValues, timeline } = await run(worker.name, worker.chain, cell, [m.items]).done;
  keep(chainValues);
  const idle = { from: idleSince, to: Math.max(idleSince, came) };
  idleSince = nowUs();
  await send({ type: "taskDone", id: m.id, result, value: values?.__concnb_result__, ...(TRACING ? { timeline: poolTaskTimeline(timeline(), idle) } : {}) });
}

async function runProcess(m: Extract<ToChild, { type: "run" }>): Promise<void> {
  let exitCode = 1;
  try {
    const { result, timeline } = m.program.error
      ? { result: { status: "error", durationMs: 0, error: m.program.error } satisfies CellResult, timeline: undefined }
      : await run(m.name, m.chain, m.program, m.args).done;
    // a Process prints its exception, as Python's does
    if (result.status === "error" && result.error?.name !== "SystemExit") {
      await send({ type: "records", records: [{ stream: "stderr", thread: "MainThread", text: `Process ${m.name}:\n${learnersTraceback(m.name, result.error)}` }] });
    }
    exitCode = result.status === "ok" ? 0 : result.error?.name === "SystemExit" ? Number(result.error.message) || 1 : 1;
    await send({ type: "done", result, ...(timeline ? { timeline: timeline() } : {}) });
  } finally {
    await leave(exitCode);
  }
}
