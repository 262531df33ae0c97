// multiprocessing's children, from the kernel's side: real OS processes
// (kernel/processMain.ts) on the notebook's definitions. A Process's child
// runs its target as a program of its own; a pool's children (processPool.ts)
// run task after task. Their output joins the cell's, every line marked with
// the process (and, for its other threads, the thread) that wrote it. A
// Process's life is mirrored into its object's shared memory, so join() and
// exitcode work from any thread of the cell. No child outlives the program:
// at its end (or interrupt) every one still there is killed, and the program
// ends only once they have exited.
import { fork, type ChildProcess } from "node:child_process";
import { deserialize } from "node:v8";
import { isStored, type ChainLink, type Chunk, type EncodedValues, type TargetSpec } from "./protocol/worker";
import type { CellError } from "./protocol/messages";
import { CROSSES_PROCESSES, type FromChild, type PoolInit, type TaskMode, type TaskOutcome, type ToChild } from "./protocol/process";
import { AsyncSlot, AsyncState, FINISHED, P, PS } from "./protocol/layout";
import { ProcessPool, type StartWorker, type WorkerProcess } from "./processPool";
import type { QueueService } from "./mpQueues";
import { childProgram } from "./childPrograms";
import type { Timeline } from "./protocol/timeline";

/** How long the end of a program waits for killed children to be gone before it gives up on them. */
const EXIT_WAIT_MS = 3000;

interface Child {
  child: ChildProcess;
  name: string;
  /** A Process object's child (a pool's workers are not counted here). */
  process: boolean;
  exited: Promise<void>;
}

export class ChildProcesses {
  private readonly children = new Set<Child>();
  private readonly pools = new Map<number, ProcessPool>();
  /** Outcomes of applyAsync tasks, by AsyncResult id. */
  private readonly results = new Map<number, TaskOutcome>();
  private seq = 0;
  private workers = 0;

  /** Children that can still act on the program: running Processes, and pool workers busy with a task. */
  get running(): number {
    let n = 0;
    for (const c of this.children) if (c.process) n++;
    for (const p of this.pools.values()) n += p.busy;
    return n;
  }

  constructor(
    private readonly cell: { chain: ChainLink[]; defs: Chunk },
    private readonly programSlots: Int32Array,
    private readonly write: (source: string, stream: "stdout" | "stderr", thread: string, text: string) => void,
    /** out/process.js */
    private readonly entry: string,
    /** Where the Queue operations of children go (the kernel's store, or this process's parent). */
    private readonly queues: QueueService,
    /** A child Process's timeline, as it ends; a pool task's, with the object its end wakes (see TimelineRecorder.addProcess). */
    private readonly onTimeline: (timeline: Timeline, wakes?: number) => void = () => {},
  ) {}

  /** A Process.start(): the child runs target(...args); its end is written into the Process's memory. */
  start(m: { name: string; daemon: boolean; state: SharedArrayBuffer; target: TargetSpec; args: unknown; values: EncodedValues }): void {
    const state = new Int32Array(m.state);
    // its threads' lanes join the cell's timeline, under the Process's name
    const c = this.spawn(m.name, true, (done) => {
      if (done.type === "done" && done.timeline) this.onTimeline(done.timeline);
    });
    const chain = this.chainWith(m.values);
    void childProgram("call", m.target, m.name).then((program) => {
      if (c.child.connected) c.child.send({ type: "run", name: m.name, chain, program, args: m.args } satisfies ToChild);
    });
    Atomics.store(state, PS.Pid, c.child.pid ?? 0);
    Atomics.notify(state, PS.Pid); // a terminate() may be waiting for it
    c.child.once("exit", (code, signal) => {
      Atomics.store(state, PS.ExitCode, code ?? -(signalNumber(signal) || 1));
      Atomics.store(state, PS.State, FINISHED);
      Atomics.notify(state, PS.State);
      if (!m.daemon) {
        Atomics.sub(this.programSlots, P.Live, 1);
        Atomics.notify(this.programSlots, P.Live);
      }
    });
  }

  /**
   * A Process started, or an applyAsync task sent, as the program was being stopped: it ends at once (the
   * Process as if killed, the task failed), so that no join() or get() in a later cell waits for ever.
   */
  neverStarted(what: "process" | "task", shared: SharedArrayBuffer): void {
    const view = new Int32Array(shared);
    if (what === "process") Atomics.store(view, PS.ExitCode, -9);
    Atomics.store(view, PS.State, what === "process" ? FINISHED : AsyncState.Failed);
    Atomics.notify(view, PS.State);
  }

  /** The pool of this id, made (its workers to be started with these values of the cell, each running `init` first) if new to this program. */
  pool(id: number, size: number, values: EncodedValues, init: PoolInit | null): ProcessPool {
    let pool = this.pools.get(id);
    if (!pool) {
      const chain = this.chainWith(values);
      const serve = init && { target: init.target, args: init.args };
      pool = new ProcessPool(size, (task, timeline) => this.onTimeline(timeline, task.wakes), (events) => this.startWorker(chain, serve, events), init?.executor ? brokenExecutor : brokenPool);
      this.pools.set(id, pool);
    }
    return pool;
  }

  /** A pool known to this program, if it has started one. */
  existingPool(id: number): ProcessPool | undefined {
    return this.pools.get(id);
  }

  /** fn over the items, in chunks, on the pool's workers; calls back with every result in order, or the first error. */
  map(pool: ProcessPool, wakes: number, mode: TaskMode, target: TargetSpec, chunks: unknown[][], then: (r: TaskOutcome) => void): void {
    if (chunks.length === 0) return then({ results: [] });
    const results: unknown[][] = new Array(chunks.length);
    let left = chunks.length;
    let failed = false;
    chunks.forEach((items, i) =>
      pool.submit({
        target,
        mode,
        items,
        wakes,
        then: (outcome) => {
          if (failed) return;
          if ("error" in outcome) {
            failed = true;
            return then(outcome);
          }
          results[i] = outcome.results;
          if (--left === 0) then({ results: results.flat() });
        },
      }),
    );
  }

  /** applyAsync: fn(...args) as one task; its outcome is kept for result(), then its end written into the AsyncResult's memory. */
  apply(pool: ProcessPool, target: TargetSpec, args: unknown[], id: number, state: SharedArrayBuffer): void {
    const view = new Int32Array(state);
    pool.submit({
      target,
      mode: "apply",
      items: [args],
      wakes: id,
      then: (outcome) => {
        this.results.set(id, outcome);
        Atomics.store(view, AsyncSlot.State, "error" in outcome ? AsyncState.Failed : AsyncState.Done);
        Atomics.notify(view, AsyncSlot.State);
      },
    });
  }

  /** The outcome of an applyAsync task of this program; kept as long as the program (as its pool's processes are). */
  result(id: number): TaskOutcome {
    const message = "this task's result was kept by the cell that started it, which has ended: read it in that cell";
    return this.results.get(id) ?? { error: { name: "ProcessError", message, traceback: `ProcessError: ${message}\n` } };
  }

  /** The program is over, or stopped: every child still there is killed; resolves once they have all exited. */
  stopAll(): Promise<void> {
    for (const p of this.pools.values()) p.terminate();
    for (const c of this.children) c.child.kill("SIGKILL");
    if (this.children.size === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all([...this.children].map((c) => c.exited));
    const late = new Promise<void>((r) => (timer = setTimeout(r, EXIT_WAIT_MS)));
    return Promise.race([all, late]).then(() => clearTimeout(timer));
  }

  private startWorker(chain: ChainLink[], init: Omit<PoolInit, "executor"> | null, events: Parameters<StartWorker>[0]): WorkerProcess {
    const name = `ForkPoolWorker-${++this.workers}`;
    let stopped = false;
    const c = this.spawn(name, false, (m) => {
      if (m.type === "initFailed") return events.initFailed(m.error);
      if (m.type !== "taskDone") return;
      events.taskDone(m.id, m.result.status === "ok" ? { results: m.value as unknown[] } : { error: m.result.error ?? { name: "ProcessError", message: m.result.status } }, m.timeline);
    });
    c.child.once("exit", (code, signal) => {
      events.exited(`${name} exited with ${signal ?? `code ${code}`} before it finished its task`);
    });
    // in the order they are made: a task's program may take a moment to compile, the "stop" after it may not
    let sent = Promise.resolve();
    const send = (m: ToChild | Promise<ToChild>) => {
      sent = sent.then(() => m).then((ready) => {
        if (c.child.connected) c.child.send(ready);
      });
    };
    send(
      init
        ? childProgram("call", init.target, name).then((program): ToChild => ({ type: "serve", name, chain, init: { program, args: init.args } }))
        : { type: "serve", name, chain, init: null },
    );
    return {
      name,
      run: (id, task) => send(childProgram(task.mode, task.target, name).then((program): ToChild => ({ type: "task", id, program, items: task.items }))),
      stop: () => {
        if (!stopped) send({ type: "stop" });
        stopped = true;
      },
      kill: () => c.child.kill("SIGKILL"),
    };
  }

  private spawn(name: string, isProcess: boolean, onMessage: (m: Extract<FromChild, { type: "done" | "taskDone" | "initFailed" }>) => void): Child {
    const child = fork(this.entry, [], { stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const c: Child = { child, name, process: isProcess, exited };
    this.children.add(c);
    const source = `process ${child.pid}`;
    // the child's Queue operations, named by the child they came through (its exit voids those still waiting)
    const owner = `c${child.pid}/`;
    child.on("message", (m: FromChild) => {
      if (m.type === "records") {
        for (const r of m.records) this.write(source, r.stream, r.thread === "MainThread" ? name : `${name}: ${r.thread}`, r.text);
      } else if (m.type === "queue") {
        this.queues.request(owner + m.owner, m.request, (answer) => {
          if (child.connected) child.send({ type: "queueReply", id: m.id, answer } satisfies ToChild);
        });
      } else if (m.type === "queueCancel") {
        this.queues.cancel(owner + m.owner);
      } else onMessage(m);
    });
    child.once("exit", () => this.queues.cancel(owner));
    child.stdout?.setEncoding("utf8").on("data", (t: string) => this.write(`${source} native`, "stdout", name, t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => this.write(`${source} native`, "stderr", name, t));
    child.once("exit", () => this.children.delete(c));
    // a child that cannot be sent to (it died at once) must not take the kernel down
    child.on("error", () => {});
    return c;
  }

  /** The notebook's links, then the running cell's definitions with the starting thread's values, as a child gets them. */
  private chainWith(values: EncodedValues): ChainLink[] {
    const link: ChainLink = { id: `process-cell-${++this.seq}`, key: "process-cell", defs: this.cell.defs, values };
    return [...this.cell.chain, link].map((l) => ({ ...l, values: withoutSharedMemory(l.values) as EncodedValues }));
  }
}

/**
 * The notebook's values as a child process gets them: runtime objects (the
 * encoded handles of runtime/core/share) are memory of this process, so in the
 * child they become stand-ins that say so when used; a multiprocessing Queue
 * is not, and goes as it is (as a child inherits one in Python).
 */
function withoutSharedMemory(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof SharedArrayBuffer) return null;
  if (seen.has(v)) return seen.get(v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(withoutSharedMemory(x, seen));
    return out;
  }
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [withoutSharedMemory(k, seen), withoutSharedMemory(x, seen)]));
  if (v instanceof Set) return new Set([...v].map((x) => withoutSharedMemory(x, seen)));
  if (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer) return null;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const rec = v as Record<string, unknown>;
  // a big value the kernel keeps in shared memory: the child gets it in the message, parsed
  if (isStored(v)) return v.numbers ? Array.from(new Float64Array(v.bytes)) : withoutSharedMemory(deserialize(new Uint8Array(v.bytes).slice()), seen);
  if (rec.__concnb_shared__ === "handle" && !CROSSES_PROCESSES.includes(String(rec.kind))) {
    return { __concnb_shared__: "unavailable", what: `the ${String(rec.kind)} of the parent process (processes share no memory)` };
  }
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(rec)) out[k] = withoutSharedMemory(rec[k], seen);
  return out;
}

/** Where the initializer failed, in words: "ValueError: no table (cell 2, line 4)". */
const causeOf = (cause: CellError) => `${cause.name}${cause.message ? `: ${cause.message}` : ""}`;

/** A ProcessPoolExecutor's tasks, once an initializer failed: BrokenProcessPool (runtime/concurrent/futures/executor), as in Python. */
function brokenExecutor(worker: string, cause: CellError): CellError {
  const message = `A process in the process pool (${worker}) failed in its initializer with ${causeOf(cause)}; the process pool is not usable anymore`;
  return { name: "BrokenProcessPool", message, traceback: `BrokenProcessPool: ${message}\n` };
}

/** A Pool's tasks, once an initializer failed (Python's Pool would start workers for ever). */
function brokenPool(worker: string, cause: CellError): CellError {
  const message = `the pool's initializer failed in ${worker} with ${causeOf(cause)}; the pool runs no more tasks`;
  return { name: "ProcessError", message, traceback: `ProcessError: ${message}\n` };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11 } as Record<string, number>)[signal] ?? 1 : 0;
}
