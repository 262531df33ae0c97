// One run of one cell: its main thread and every thread it starts, each on a
// pool worker. The program ends as Python's does: main code done, every
// non-daemon thread done; then daemon threads are stopped, with a note.
// Interrupt and timeout stop every worker of the program at once.
import { receiveMessageOnPort } from "node:worker_threads";
import type { CellError, CellResult, CellStatus, OutputRecord } from "./protocol/messages";
import type { Chunk, ChainLink, ChainValues, EncodedValues, FromWorker, Job, ProgramContext, TargetSpec, ThreadDesc } from "./protocol/worker";
import { LineCollector } from "./output";
import { WORKER_HEAP_MB, defaultMaxThreads, type Owner, type PoolWorker, type WorkerPool } from "./pool";
import { FINISHED, G, P, STARTED, T } from "./runtime/state";
import { CHECK_MS, DeadlockWatch } from "./deadlock";
import { ChildProcesses } from "./processes";
import type { QueueService } from "./mpQueues";
import { dirname, join } from "node:path";

export interface ProgramOutcome {
  result: CellResult;
  /** The cell's bindings at the end, for later cells; null if the main thread never got there. */
  values: EncodedValues | null;
  /** What the cell left in the earlier cells' bindings that differs from the kernel's values; null as for values. */
  chainValues: ChainValues | null;
}

export interface ProgramSpec {
  programId: number;
  full: Chunk;
  defs: Chunk;
  chain: ChainLink[];
  /** This program is a multiprocessing child (kernel/processMain). */
  process?: ProgramContext["process"];
  /** Who keeps multiprocessing Queues: the kernel's store, or in a child process its parent. */
  queues: QueueService;
  /** Live threads the program may have (KernelOptions.maxThreads); unset: derived from memory. */
  maxThreads?: number;
}

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
  private readonly output: LineCollector;
  private readonly startedAt = performance.now();
  private mainEnded = false;
  private mainError: CellError | undefined;
  private values: EncodedValues | null = null;
  private chainValues: ChainValues | null = null;
  private over = false;
  private readonly deadlocks: DeadlockWatch;
  private readonly children: ChildProcesses;
  private watchTimer: NodeJS.Timeout | null = null;
  /** The program's threading.excepthook, as the latest setExcepthook() left it (spec null: the default). */
  private excepthook: { seq: number; spec: TargetSpec | null } = { seq: 0, spec: null };
  /** Exit handlers registered by threads other than main, for the main thread to run at the end. */
  private readonly exitHandlers: unknown[] = [];
  /** Set as the program starts to end: no new threads, no second ending. */
  private closing = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly spec: ProgramSpec,
    onRecords: (records: OutputRecord[]) => void,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    // objects of earlier cells (a lock made in cell 1, used in cell 2) are named in reports too
    this.deadlocks = new DeadlockWatch(pool.objects);
    this.output = new LineCollector(onRecords, () => this.drain());
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
      shared: this.slots.buffer as SharedArrayBuffer,
      chainIds: spec.chain.map((l) => l.id),
      chain: spec.chain,
      chainFrom: 0,
      main,
      full: spec.full,
      defs: spec.defs,
      ...(spec.process ? { process: spec.process } : {}),
    };
    this.children = new ChildProcesses(
      { chain: spec.chain, defs: spec.defs },
      this.slots,
      (source, stream, thread, text) => this.output.write(source, stream, thread, text, this.nextSeq()),
      join(dirname(pool.entry), "process.js"),
      spec.queues,
    );
    this.threads.set(main.ident, main);
    this.run(main, (w) => ({ kind: "main", ctx: this.contextFor(w), thread: main }));
  }

  /** Runs a thread on the next worker the pool has for it; until then it waits in `starting`. */
  private run(desc: ThreadDesc, job: (w: PoolWorker) => Job): void {
    this.starting.add(desc);
    this.pool.acquire(this, (w) => {
      this.starting.delete(desc);
      this.running.set(w, desc);
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

  /** How this program's threads are named to the multiprocessing Queue store (see QueueService). */
  private get queueOwner(): string {
    return `p${this.spec.programId}/`;
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
    this.dropStarting();
    for (const [w, desc] of this.running) {
      this.finishThread(desc);
      void this.pool.discard(w);
    }
    this.running.clear();
    this.spec.queues.cancel(this.queueOwner); // the threads that waited on a multiprocessing Queue are gone
    // a stopped thread cannot release what it held: left locked, a lock of the notebook would block every later cell
    this.deadlocks.releaseHeldBy(new Set(this.threads.keys()));
    void this.children.stopAll().then(() => this.settle(status, error));
  }

  private watchForDeadlock(): void {
    if (this.children.running > 0) return; // a child process can still set things going
    const report = this.deadlocks.check([...this.threads.values()]);
    if (report) {
      const names = report.match(/^Thread (.*)$/gm)?.map((l) => l.slice(7)) ?? [];
      this.abort("error", { name: "DeadlockError", message: `every thread is blocked: ${names.join(", ")}`, traceback: report });
    }
  }

  onMessage(w: PoolWorker, m: FromWorker): void {
    switch (m.type) {
      case "out":
        this.output.write(String(w.worker.threadId), m.stream, m.thread, m.text, m.seq);
        break;
      case "start":
        this.startThread(m);
        break;
      case "mainDone":
        this.mainEnded = true;
        this.mainError = m.error;
        this.values = m.values;
        this.chainValues = m.chainValues;
        this.end();
        break;
      case "jobDone":
        this.output.close(String(w.worker.threadId));
        this.running.delete(w);
        this.pool.release(w);
        this.checkEnd();
        break;
      case "rpc":
        // each worker has its own port: what other threads sent before this (a thread they
        // started, an exit handler they registered) may not have been read yet, and must count
        if (m.op === "enumerate" || m.op === "atexit" || m.op === "excepthook") this.drain();
        if (m.op === "enumerate") {
          w.reply(m.id, [...this.threads.values()].filter((d) => Atomics.load(state(d), T.State) === STARTED));
        } else if (m.op === "atexit") {
          w.reply(m.id, this.exitHandlers.splice(0));
        } else if (m.op === "excepthook") {
          w.reply(m.id, this.excepthook);
        } else if (m.op === "buffer") {
          this.pool.whenBuffer(m.bufferId, (b) => w.reply(m.id, b));
        } else if (m.op === "take") {
          this.pool.take(m.key, m.count, (values) => w.reply(m.id, values));
        } else if (m.op === "poolMap") {
          if (this.closing) break; // from a thread being stopped: no process may start after the program's are killed
          this.children.map(this.children.pool(m.pool, m.size, m.values, m.init), m.mode, m.target, m.chunks, (r) => w.reply(m.id, r));
        } else if (m.op === "mpQueue") {
          // a thread being stopped with the program asks no more: its wait would take an item from the next cell
          if (!this.closing) this.spec.queues.request(this.queueOwner, m.request, (a) => w.reply(m.id, a));
        } else if (m.op === "poolResult") {
          w.reply(m.id, this.children.result(m.result));
        } else if (m.op === "poolTerminate" || m.op === "poolJoin") {
          const pool = this.children.existingPool(m.pool);
          if (m.op === "poolTerminate") pool?.terminate();
          if (pool) pool.whenExited(() => w.reply(m.id, null));
          else w.reply(m.id, null);
        }
        break;
      // from a thread being stopped as the program ends: no process may start after the program's are killed
      case "process":
        if (this.closing) this.children.neverStarted("process", m.state);
        else this.children.start(m);
        break;
      case "poolStart":
        if (!this.closing) this.children.pool(m.pool, m.size, m.values, m.init).fill();
        break;
      case "poolApply":
        if (this.closing) this.children.neverStarted("task", m.state);
        else this.children.apply(this.children.pool(m.pool, m.size, m.values, m.init), m.target, m.args, m.result, m.state);
        break;
      case "poolClose":
        this.children.existingPool(m.pool)?.close();
        break;
      case "object":
        this.deadlocks.object(m.id, m.kind, m.state, m.where);
        break;
      case "blocked":
        this.deadlocks.block(m.ident, m);
        this.watchTimer ??= setInterval(() => this.watchForDeadlock(), CHECK_MS);
        break;
      case "excepthook":
        if (m.seq > this.excepthook.seq) this.excepthook = { seq: m.seq, spec: m.spec };
        break;
      case "atexit":
        this.exitHandlers.push({ seq: m.seq, spec: m.spec, args: m.args });
        break;
      case "ready":
        this.pool.addExports(m.exports);
        break;
      // the pool keeps these; they come here only when drainWorker took them off the port before the pool saw them
      case "buffer":
        this.pool.addBuffer(m.id, m.buffer);
        break;
      case "stash":
        this.pool.stash(m.key, m.value);
        break;
    }
  }

  onExit(w: PoolWorker, code: number, error: Error | undefined): void {
    const desc = this.running.get(w);
    this.running.delete(w);
    if (!desc || this.closing) return;
    this.drainWorker(w);
    const source = String(w.worker.threadId);
    const oom = (error as { code?: string } | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
    const why = oom
      ? `MemoryError: ${desc.name} used more than its ${WORKER_HEAP_MB} MB of heap and was stopped`
      : `${desc.name} ended: its worker exited with code ${code}${error ? ` (${error.message})` : ""}`;
    this.output.write(source, "stderr", desc.name, `${why}\n`, this.nextSeq());
    this.output.close(source);
    this.finishThread(desc);
    if (desc.isMain) {
      this.mainEnded = true;
      this.mainError = oom
        ? { name: "MemoryError", message: `the main thread used more than ${WORKER_HEAP_MB} MB of heap` }
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
    this.run(m.thread, (w) => ({ kind: "thread", ctx: this.sameContext(w) ? null : this.contextFor(w), thread: m.thread, self, target, args, kwargs, values, chainValues }));
  }

  /** The worker's last job was of this program, and it holds the chain with the values it has now. */
  private sameContext(w: PoolWorker): boolean {
    const chain = this.spec.chain;
    return (
      w.lastProgram === this.spec.programId &&
      w.chainIds.length === chain.length &&
      chain.every((l, i) => w.chainIds[i] === l.id && w.valuesIds[i] === (l.valuesId ?? l.id))
    );
  }

  private contextFor(w: PoolWorker): ProgramContext {
    let from = 0;
    while (from < w.chainIds.length && from < this.spec.chain.length && w.chainIds[from] === this.spec.chain[from].id) from++;
    // links the worker holds, whose values a later cell changed: it gets the new values (runtime/bindings)
    const chainRebase = this.spec.chain.slice(0, from).map((l, i) => {
      const valuesId = l.valuesId ?? l.id;
      return w.valuesIds[i] === valuesId ? null : { valuesId, values: l.values };
    });
    return { ...this.ctx, chainFrom: from, chain: this.spec.chain.slice(from), chainRebase };
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
    this.spec.queues.cancel(this.queueOwner); // daemon threads that waited on a multiprocessing Queue are gone
    // daemon processes are stopped, as Python's are; a pool's workers too (Python's pools are daemons)
    const error = this.mainError;
    void this.children.stopAll().then(() => (error ? this.settle("error", error) : this.settle("ok")));
  }

  private settle(status: CellStatus, error?: CellError): void {
    this.over = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.output.flush();
    const result: CellResult = { status, durationMs: Math.round((performance.now() - this.startedAt) * 100) / 100 };
    if (error) result.error = error;
    const ran = status === "ok" || status === "error";
    this.resolve({ result, values: ran ? this.values : null, chainValues: ran ? this.chainValues : null });
  }

  /** Messages already sent by this program's workers but not yet delivered: take them now, in order. */
  private drain(): void {
    for (const w of [...this.running.keys()]) this.drainWorker(w);
  }

  private drainWorker(w: PoolWorker): void {
    for (let m = receiveMessageOnPort(w.out); m; m = receiveMessageOnPort(w.out)) {
      const msg = m.message as FromWorker;
      if (msg.type === "jobDone") [w.chainIds, w.valuesIds] = [msg.chainIds, msg.valuesIds];
      if (msg.type !== "mainDone") this.onMessage(w, msg);
      else {
        // taken here rather than delivered: end the program once this drain is over
        this.mainEnded = true;
        this.mainError = msg.error;
        this.values = msg.values;
        this.chainValues = msg.chainValues;
        setImmediate(() => this.end());
      }
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
