// One run of one cell: its main thread and every thread it starts, each on a
// pool worker. The program ends as Python's does: main code done, every
// non-daemon thread done; then daemon threads are stopped, with a note.
// Interrupt and timeout stop every worker of the program at once.
import type { CellError, CellResult, CellStatus, OutputRecord } from "./protocol/messages";
import { mainUsesOrAll } from "./mainUses";
import type { ChainValues, EncodedValues, FromWorker, Job, ProgramContext, TargetSpec, ThreadDesc, Uses } from "./protocol/worker";
import { CellOutput } from "./output";
import { OutputPump } from "./outputPump";
import { contextFor, holdsAll } from "./programContext";
import type { Owner, PoolWorker, WorkerPool } from "./pool";
import { defaultMaxThreads } from "./threadCap";
import { memoryExit } from "./memory";
import { FINISHED, G, P, STARTED, T } from "./protocol/layout";
import { CHECK_MS, DeadlockWatch } from "./deadlock";
import { ChildProcesses } from "./processes";
import { ProgramProcesses } from "./programProcesses";
import { programRpc, type RpcContext } from "./programRpc";
import { dispatchRpc, type ExitHandlerSpec } from "./protocol/rpc";
import { dirname, join } from "node:path";
import { directChildren, killDescendants } from "./descendants";
import { TimelineRecorder } from "./timeline";
import type { ProgramOutcome, ProgramSpec } from "./programSpec";

/** How long a stop waits for its threads' workers to end before it says which could not be stopped. */
const STUCK_MS = 500;

const state = (d: ThreadDesc) => new Int32Array(d.state);

export class Program implements Owner {
  readonly done: Promise<ProgramOutcome>;
  private resolve!: (o: ProgramOutcome) => void;
  private readonly slots = new Int32Array(new SharedArrayBuffer(P.Size * 4));
  private readonly ctx: ProgramContext;
  /** Busy workers of this program and the thread each runs. */
  private readonly running = new Map<PoolWorker, ThreadDesc>();
  /** Threads started and waiting for a worker (the pool boots a few at a time). */
  private readonly starting = new Set<ThreadDesc>();
  private readonly threads = new Map<number, ThreadDesc>();
  private readonly output: CellOutput;
  private readonly pump: OutputPump;
  private readonly startedAt = performance.now();
  private mainEnded = false;
  private mainError: CellError | undefined;
  private values: EncodedValues | null = null;
  private chainValues: ChainValues | null = null;
  private defined: string[] | null = null;
  private over = false;
  private readonly deadlocks: DeadlockWatch;
  private readonly timeline: TimelineRecorder;
  private readonly processes: ProgramProcesses;
  private readonly rpcContext: RpcContext;
  private watchTimer: NodeJS.Timeout | null = null;
  /** The program's threading.excepthook, as the latest setExcepthook() left it (spec null: the default). */
  private excepthook: { seq: number; spec: TargetSpec | null } = { seq: 0, spec: null };
  /** Exit handlers registered by threads other than main, for the main thread to run at the end. */
  private readonly exitHandlers: ExitHandlerSpec[] = [];
  /** Set as the program starts to end: no new threads, no second ending. */
  private closing = false;
  /** Set while messages are taken off a worker's port out of turn (drainWorker). */
  private draining = false;
  /** The kernel's child processes before this program ran (the compiler's service): not the program's to kill. */
  private readonly childrenBefore = directChildren();

  constructor(
    private readonly pool: WorkerPool,
    private readonly spec: ProgramSpec,
    onRecords: (records: OutputRecord[]) => void,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    // objects of earlier cells (a lock made in cell 1, used in cell 2) are named in reports too
    this.deadlocks = new DeadlockWatch(pool.objects);
    // a child process's lanes are named for its Process ("Process-1"), under its own pid
    const proc = spec.process ? { pid: process.pid, name: spec.process.name } : undefined;
    this.timeline = new TimelineRecorder([spec.full, spec.defs, ...spec.chain.map((l) => l.defs)], (id) => pool.objects.get(id)?.kind, proc);
    this.output = new CellOutput(onRecords, spec.outputLimit);
    this.pump = new OutputPump(this.output, () => this.running.keys(), spec.outputBlocked);
    const main: ThreadDesc = {
      ident: Atomics.add(new Int32Array(pool.global), G.Ident, 1) + 1,
      name: "MainThread",
      daemon: false,
      state: new SharedArrayBuffer(T.Size * 4),
      isMain: true,
    };
    Atomics.store(this.slots, P.Threads, 1); // the main thread
    Atomics.store(this.slots, P.MaxThreads, spec.maxThreads ?? defaultMaxThreads());
    Atomics.store(state(main), T.State, STARTED);
    Atomics.store(state(main), T.Ident, main.ident);
    this.ctx = {
      programId: spec.programId,
      shared: this.slots.buffer,
      chainIds: spec.chain.map((l) => l.id),
      chain: spec.chain,
      chainFrom: 0,
      main,
      full: spec.full,
      defs: spec.defs,
      ...(spec.process ? { process: spec.process } : {}),
    };
    const children = new ChildProcesses(
      { chain: spec.chain, defs: spec.defs },
      this.slots,
      (source, stream, thread, text) => this.output.write(source, stream, thread, text, this.nextSeq()),
      join(dirname(pool.entry), "process.js"),
      spec.queues,
      (timeline, wakes) => this.timeline.addProcess(timeline, wakes),
    );
    this.processes = new ProgramProcesses(children, spec.queues, `p${spec.programId}/`, () => this.closing);
    this.rpcContext = {
      pool,
      processes: this.processes,
      drain: () => this.drain(),
      liveThreads: () => [...this.threads.values()].filter((d) => Atomics.load(state(d), T.State) === STARTED),
      takeExitHandlers: () => this.exitHandlers.splice(0),
      excepthook: () => this.excepthook,
    };
    this.threads.set(main.ident, main);
    // a child process's program runs a target it is sent (kernel/processMain): it gets every binding
    const uses = spec.process ? null : mainUsesOrAll(spec.full.source, spec.chain);
    this.run(main, (w) => ({ kind: "main", ctx: this.contextFor(w, uses), thread: main }));
  }

  /** Runs a thread on the next worker the pool has for it; until then it waits in `starting`. */
  private run(desc: ThreadDesc, job: (w: PoolWorker) => Job): void {
    this.starting.add(desc);
    this.pool.acquire(this, (w) => {
      this.starting.delete(desc);
      this.running.set(w, desc);
      this.timeline.watch(w.trace, desc);
      w.post({ type: "job", job: job(w) });
      w.lastProgram = this.spec.programId;
    });
  }

  /** Threads still waiting for a worker when the program is stopped: they never run. */
  private dropStarting(): ThreadDesc[] {
    this.pool.forget(this);
    const dropped = [...this.starting];
    this.starting.clear();
    for (const desc of dropped) this.finishThread(desc);
    return dropped;
  }

  /** Interrupt or timeout: every thread of the program stops now. */
  stop(status: Extract<CellStatus, "interrupted" | "timeout">): void {
    const message = status === "timeout" ? "the cell ran past its time limit and was stopped" : "interrupted by the user";
    this.abort(status, { name: status === "timeout" ? "TimeoutError" : "KeyboardInterrupt", message });
  }

  private abort(status: CellStatus, error: CellError): void {
    if (this.closing) return;
    this.closing = true;
    this.drain();
    // the threads whose workers have not ended yet
    const pending = new Set<ThreadDesc>();
    const stopping: Array<Promise<void>> = [];
    this.dropStarting();
    for (const [w, desc] of this.running) {
      this.finishThread(desc);
      pending.add(desc);
      stopping.push(this.pool.discard(w).then(() => void pending.delete(desc)));
    }
    this.running.clear();
    // processes the program started itself (execSync, spawn): a thread blocked on one ends only when it is gone
    killDescendants(this.childrenBefore);
    this.processes.cancelQueues(); // the threads that waited on a multiprocessing Queue are gone
    // a stopped thread cannot release what it held: left locked, a lock of the notebook would block every later cell
    this.deadlocks.releaseHeldBy(new Set(this.threads.keys()));
    const ended = Promise.race([Promise.all(stopping), new Promise((r) => setTimeout(r, STUCK_MS))]);
    void Promise.all([ended, this.processes.children.stopAll()]).then(() => {
      // a worker still there now is stuck in a call no interrupt reaches, or one of many still being torn down
      const left = [...pending];
      if (left.length > 0) {
        const who = left.length <= 3 ? left.map((d) => d.name).join(", ") : `${left.length} threads (${left.slice(0, 3).map((d) => d.name).join(", ")}, ...)`;
        const text = `${who} could not be stopped yet: inside a call that no interrupt reaches (a blocking read, say), a thread is left to end in the kernel; Restart Kernel ends it for sure\n`;
        this.output.write("kernel", "stderr", left[0].name, text, this.nextSeq());
      }
      this.settle(status, error);
    });
  }

  private watchForDeadlock(): void {
    if (this.processes.children.running > 0) return; // a child process can still set things going
    const report = this.deadlocks.check([...this.threads.values()]);
    if (report) this.abort("error", { name: "DeadlockError", message: this.deadlocks.message(report), traceback: report });
  }

  /** The program's part of the one dispatch of worker messages (the pool takes its own first: WorkerPool.dispatch). */
  onMessage(w: PoolWorker, m: FromWorker): void {
    switch (m.type) {
      case "rpc":
        dispatchRpc(programRpc, m, (value) => w.reply(m.id, value), this.rpcContext);
        break;
      case "start":
        this.startThread(m);
        break;
      case "mainDone":
        this.mainEnded = true;
        this.mainError = m.error;
        this.values = m.values;
        this.chainValues = m.chainValues;
        this.defined = m.defined;
        // taken in a drain (the program may be in the middle of ending): end once the drain is over
        if (this.draining) setImmediate(() => this.end());
        else this.end();
        break;
      case "jobDone":
        // the job is over, so is its writing: all of it is in the ring, which the next job must find empty
        this.pump.read(w);
        this.output.close(String(w.worker.threadId));
        this.timeline.take(w.trace);
        this.running.delete(w);
        this.pool.release(w);
        this.checkEnd();
        break;
      case "process":
      case "poolStart":
      case "poolApply":
      case "poolClose":
        this.processes.onMessage(m);
        break;
      case "object":
        this.deadlocks.object(m.id, m.kind, m.state, m.where);
        break;
      case "blocked": {
        this.deadlocks.block(m.ident, m);
        // a cycle of lock and join waits this one closed is certain at once; other waits are the poll's to judge
        const report = this.deadlocks.cycleReport([...this.threads.values()]);
        if (report) {
          this.abort("error", { name: "DeadlockError", message: this.deadlocks.message(report), traceback: report });
          break;
        }
        this.watchTimer ??= setInterval(() => this.watchForDeadlock(), CHECK_MS);
        break;
      }
      case "excepthook":
        if (m.seq > this.excepthook.seq) this.excepthook = { seq: m.seq, spec: m.spec };
        break;
      case "atexit":
        this.exitHandlers.push({ seq: m.seq, spec: m.spec, args: m.args });
        break;
      // the pool's own: WorkerPool.dispatch handles them before the owner is asked
      case "ready":
      case "buffer":
      case "stash":
        break;
    }
  }

  onExit(w: PoolWorker, code: number, error: Error | undefined): void {
    const desc = this.running.get(w);
    this.running.delete(w);
    if (!desc || this.closing) return;
    this.drainWorker(w);
    const source = String(w.worker.threadId);
    const memory = memoryExit(w, error, desc.name, this.pool.heapMb, this.pool.memory.budgetMb);
    const why = memory ? `MemoryError: ${memory}` : `${desc.name} ended: its worker exited with code ${code}${error ? ` (${error.message})` : ""}`;
    // the main thread's MemoryError is the cell's error, shown once, there
    if (!(memory && desc.isMain)) this.output.write(source, "stderr", desc.name, `${why}\n`, this.nextSeq());
    this.output.close(source);
    this.finishThread(desc);
    if (desc.isMain) {
      this.mainEnded = true;
      this.mainError = memory
        ? { name: "MemoryError", message: memory }
        : code === 0
          ? undefined
          : { name: "SystemExit", message: `process.exit(${code}) ended the main thread` };
    }
    this.checkEnd();
  }

  onNativeOutput(w: PoolWorker, stream: "stdout" | "stderr", text: string): void {
    const desc = this.running.get(w);
    this.output.write(`native${w.worker.threadId}`, stream, desc?.name ?? "kernel", text, this.nextSeq());
  }

  private startThread(m: Extract<FromWorker, { type: "start" }>): void {
    if (this.closing) {
      this.finishThread(m.thread); // started while the program was being torn down: it never runs
      return;
    }
    this.threads.set(m.thread.ident, m.thread);
    const { self, target, args, kwargs, values, chainValues } = m;
    this.run(m.thread, (w) => ({ kind: "thread", ctx: this.sameContext(w, m.uses) ? null : this.contextFor(w, m.uses), thread: m.thread, self, target, args, kwargs, values, chainValues }));
  }

  /** The worker's last job was of this program, and it holds the chain with the values it has now, those `uses` names among them. */
  private sameContext(w: PoolWorker, uses: Uses): boolean {
    return w.lastProgram === this.spec.programId && holdsAll(w, this.spec.chain, uses);
  }

  private contextFor(w: PoolWorker, uses: Uses = null): ProgramContext {
    return contextFor(this.ctx, this.spec.chain, w, uses);
  }

  /** The main thread's worker died: the program still ends only when non-daemon threads have. */
  private checkEnd(): void {
    if (this.mainEnded && !this.closing && Atomics.load(this.slots, P.Live) <= 0) this.end();
  }

  private end(): void {
    if (this.closing) return;
    this.closing = true;
    this.drain();
    // only daemon threads can still be waiting for a worker here (the program waited for the others)
    for (const desc of this.dropStarting()) {
      this.output.write(`starting${desc.ident}`, "stderr", desc.name, "daemon thread stopped: the program ended before it could run\n", this.nextSeq());
      this.output.close(`starting${desc.ident}`);
    }
    for (const [w, desc] of this.running) {
      if (desc.isMain || Atomics.load(state(desc), T.State) !== STARTED) continue;
      this.output.write(String(w.worker.threadId), "stderr", desc.name, "daemon thread stopped: the program ended while it was still running\n", this.nextSeq());
      this.output.close(String(w.worker.threadId));
      this.finishThread(desc);
      this.running.delete(w);
      void this.pool.discard(w);
    }
    this.processes.cancelQueues(); // daemon threads that waited on a multiprocessing Queue are gone
    // daemon processes are stopped, as Python's are; a pool's workers too (Python's pools are daemons)
    const error = this.mainError;
    void this.processes.children.stopAll().then(() => (error ? this.settle("error", error) : this.settle("ok")));
  }

  private settle(status: CellStatus, error?: CellError): void {
    this.over = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.pump.stop();
    this.output.flush();
    const result: CellResult = { status, durationMs: Math.round((performance.now() - this.startedAt) * 100) / 100 };
    if (error) result.error = error;
    const ran = status === "ok" || status === "error";
    const cycle = error?.name === "DeadlockError" ? this.deadlocks.cycle : undefined;
    const deadlock = cycle ? { cycle: cycle.map((c) => ({ lane: c.ident, waitsFor: c.waitsFor, ...(c.heldBy === undefined ? {} : { heldBy: c.heldBy }) })) } : undefined;
    const waitingAt = (ident: number) => {
      const w = this.deadlocks.whereBlocked(ident);
      return w ? { cell: w.label, line: w.line, code: w.code } : undefined;
    };
    const timeline = this.timeline.close(this.spec.full.label, deadlock, waitingAt);
    this.resolve({ result, values: ran ? this.values : null, chainValues: ran ? this.chainValues : null, defined: ran ? this.defined : null, timeline });
  }

  /** Messages already sent by this program's workers but not yet delivered: take them now, in order. */
  private drain(): void {
    for (const w of [...this.running.keys()]) this.drainWorker(w);
  }

  private drainWorker(w: PoolWorker): void {
    this.pump.read(w); // what is in the ring now: a writer still flooding must not keep this loop going
    this.draining = true;
    try {
      this.pool.drain(w);
    } finally {
      this.draining = false;
    }
  }

  /** A number for a line the kernel itself writes: after everything written so far. */
  private nextSeq(): number {
    return Atomics.add(new Int32Array(this.pool.global), G.OutSeq, 1);
  }

  /** Marks a thread finished on behalf of a worker that can no longer do it. */
  private finishThread(desc: ThreadDesc): void {
    const s = state(desc);
    if (Atomics.compareExchange(s, T.State, STARTED, FINISHED) !== STARTED) return;
    if (!desc.isMain) Atomics.sub(this.slots, P.Threads, 1); // before a joiner wakes
    Atomics.notify(s, T.State);
    if (!desc.daemon && !desc.isMain) {
      Atomics.sub(this.slots, P.Live, 1);
      Atomics.notify(this.slots, P.Live);
    }
  }
}
