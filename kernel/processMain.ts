// The entry of a multiprocessing child (kernel/processes.ts starts it): a
// kernel of its own, on the notebook's definitions, that sends its output and
// its results to the parent over IPC. As a Process it runs one program,
// `target(...args)`, and exits as Python's does: 0, the code given to
// sys.exit(), or 1 after an exception (whose traceback goes to stderr). As a
// pool's worker it runs task after task, each a program on the same warm
// worker thread (the notebook's definitions already evaluated there), until
// it is told to stop or its parent is gone.
import { join } from "node:path";
import type { FromChild, TaskMode, ToChild } from "./protocol/process";
import type { ChainLink, TargetSpec } from "./protocol/worker";
import type { OutputRecord } from "./protocol/messages";
import { compileCell, CompileError, type CompiledCell } from "./compiler/compile";
import { WorkerPool } from "./pool";
import { Program } from "./program";
import { QueueForwarder } from "./mpQueues";

const IDENT = /^[A-Za-z_$][\w$]*$/;

function send(m: FromChild): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}
const sendRecords = (records: OutputRecord[]) => void send({ type: "records", records });

const pool = new WorkerPool(join(__dirname, "thread.js"), 1);
/** A multiprocessing Queue's items live in the notebook's kernel: this child's programs ask the parent. */
const queues = new QueueForwarder((m) => void send(m));
/** Set by "serve": who this worker is and the notebook it runs on. */
let worker: { name: string; chain: ChainLink[] } | null = null;
/** Tasks run one after the other; "stop" waits for the one in hand. */
let queue: Promise<void> = Promise.resolve();
let programSeq = 0;

process.on("message", (m: ToChild) => {
  switch (m.type) {
    case "run":
      void runProcess(m);
      break;
    case "serve":
      worker = { name: m.name, chain: m.chain };
      break;
    case "task":
      queue = queue.then(() => runTask(m)).catch((e: unknown) => fail(m.id, e));
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

/** A task's program: the function over the items the parent sent (args[0]), its results kept in __concnb_result__. */
function source(mode: TaskMode | "call", target: TargetSpec): string {
  const fn = IDENT.test(target.name) ? target.name : `(${target.source})`;
  return mode === "call"
    ? `await ${fn}(...__concnb_rt.processArgs());\n`
    : mode === "map"
      ? `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[]).map((x) => ${fn}(x));\n`
      : `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[][]).map((a) => ${fn}(...a));\n`;
}

/** Compiling costs a few milliseconds: a worker given the same function again reuses its program. */
const compiled = new Map<string, Promise<CompiledCell>>();
function compiledFor(mode: TaskMode | "call", target: TargetSpec, label: string): Promise<CompiledCell> {
  const key = `${mode}\n${target.name}\n${target.source}`;
  let c = compiled.get(key);
  if (!c) {
    compiled.set(key, (c = compileCell(source(mode, target), label)));
    c.catch(() => compiled.delete(key));
  }
  return c;
}

function run(name: string, chain: ChainLink[], cell: CompiledCell, args: unknown): Program {
  return new Program(pool, { programId: ++programSeq, full: cell.full, defs: cell.defs, chain, process: { name, args }, queues }, sendRecords);
}

async function runTask(m: Extract<ToChild, { type: "task" }>): Promise<void> {
  if (!worker) throw new Error("a task came before the worker was told what it serves");
  let cell: CompiledCell;
  try {
    cell = await compiledFor(m.mode, m.target, worker.name);
  } catch (e) {
    const error = e instanceof CompileError ? e.cellError : { name: "SyntaxError", message: String(e) };
    await send({ type: "taskDone", id: m.id, result: { status: "error", durationMs: 0, error } });
    return;
  }
  // a pool's task gives its exception back to the caller; the worker prints nothing and carries on
  const { result, values } = await run(worker.name, worker.chain, cell, [m.items]).done;
  await send({ type: "taskDone", id: m.id, result, value: values?.__concnb_result__ });
}

async function runProcess(m: Extract<ToChild, { type: "run" }>): Promise<void> {
  let exitCode = 1;
  try {
    const cell = await compiledFor("call", m.target, m.name);
    const { result } = await run(m.name, m.chain, cell, m.args).done;
    // a Process prints its exception, as Python's does
    if (result.status === "error" && result.error?.name !== "SystemExit") {
      // the first frame is the call this file wrote, not the learner's code
      const traceback = (result.error?.traceback ?? `${result.error?.name}: ${result.error?.message}\n`).replace(
        new RegExp(`  File "${m.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}", line 1, in <module>\n.*\n`),
        "",
      );
      await send({ type: "records", records: [{ stream: "stderr", thread: "MainThread", text: `Process ${m.name}:\n${traceback}` }] });
    }
    exitCode = result.status === "ok" ? 0 : result.error?.name === "SystemExit" ? Number(result.error.message) || 1 : 1;
    await send({ type: "done", result });
  } finally {
    await leave(exitCode);
  }
}
