// Warm workers. Starting a worker_threads Worker costs tens of milliseconds,
// a Python thread starts in microseconds: so threads and cell programs run
// on workers started ahead of time, kept loaded with the runtime (and with
// the notebook's definitions) and reused when their job is done.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { cpus } from "node:os";
import { join } from "node:path";
import { Retire, type FromWorker, type ModuleExports, type ToWorker, type WorkerBoot } from "./protocol/worker";
import { G, newArena, TR } from "./protocol/layout";
import { LOADER } from "./workerLoader";
import type { ObjectRegistry } from "./deadlock";
import { ThreadStore } from "./threadStore";
import { newOutputRing, RingReader } from "./protocol/outputRing";
import { MemoryWatch, type MemoryKill } from "./memory";
import { defaultBudgetMb, limitOf, MEMORY_SLOTS } from "./protocol/memory";

export interface Owner {
  onMessage(w: PoolWorker, m: FromWorker): void;
  onExit(w: PoolWorker, code: number, error: Error | undefined): void;
  onNativeOutput(w: PoolWorker, stream: "stdout" | "stderr", text: string): void;
}

/**
 * Workers booting at once. Booting is CPU work (a V8 isolate, Node's environment, the runtime): past a
 * couple per core more only slow each other down, hold memory before they can run anything, and starve the
 * kernel's own thread (its timers, an interrupt, --timeout) among hundreds of runnable threads.
 */
const MAX_BOOTING = Math.max(4, cpus().length * 2);

/** The timeline's recording, always on but for the benchmarks that measure what it costs (test/bench/sync.bench.ts). */
export const TRACING = process.env.CONCNB_TRACE !== "off";

export class PoolWorker {
  owner: Owner | null = null;
  /** Why the memory watchdog stopped this worker, for the MemoryError its thread ends with. */
  memoryKill: MemoryKill | null = null;
  /** What it held when its job started: a job that leaves much more behind leaves its worker unfit to reuse. */
  heldAtStart = 0;
  /**
   * Per link it holds, the names whose values it was given (null: all of them), as Program.contextFor sent
   * them: a thread is given only the values it uses, and a link evaluated without a `const`'s value cannot be
   * given it later, so a job that uses a name a link was not given evaluates that link again.
   */
  linkNames: Array<ReadonlySet<string> | null> = [];
  /** Being terminated: its memory counts until it has exited. */
  exiting = false;
  /** The notebook links this worker holds evaluated (from its last jobDone). */
  chainIds: string[] = [];
  /** Which values of those links it holds (ChainLink.valuesId), from the same jobDone. */
  valuesIds: string[] = [];
  dead = false;
  /** The program of the last job posted to it: a next job of the same program may leave its context out. */
  lastProgram = 0;
  /** Its thread has started running JS (the 'online' event): it no longer counts among the workers booting. */
  online = false;
  constructor(
    readonly worker: Worker,
    /** Kernel's end of the worker's out port: drained synchronously at a program's end. */
    readonly out: MessagePort,
    private readonly rpcPort: MessagePort,
    private readonly rpcFlag: Int32Array,
    /** What the worker's threads print (protocol/outputRing): its owner reads it. */
    readonly ring: RingReader,
    /** Its figures in the memory budget's shared memory (protocol/memory); -1 for none. */
    readonly memorySlot: number,
    /** WorkerBoot.retire: set by the worker when its last job left it unfit for another. */
    readonly retire: Int32Array,
    /** WorkerBoot.trace: what its thread did, for the timeline (kernel/timeline reads it). */
    readonly trace: SharedArrayBuffer,
  ) {}

  /** Running a job: the memory watchdog may stop it. */
  get busy(): boolean {
    return this.owner !== null && !this.dead;
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  reply(id: number, value: unknown): void {
    this.rpcPort.postMessage({ type: "rpcReply", id, value });
    Atomics.store(this.rpcFlag, 0, 1);
    Atomics.notify(this.rpcFlag, 0);
  }
}

export class WorkerPool {
  readonly global = new SharedArrayBuffer(G.Size * 4);
  readonly arena = newArena();
  /** Every runtime object made in this kernel, for deadlock reports (kernel/deadlock). */
  readonly objects: ObjectRegistry = new Map();
  private readonly idle: PoolWorker[] = [];
  /** Acquisitions waiting for a worker, in order: a burst of start() calls is served as workers come. */
  private readonly waiting: Array<{ owner: Owner; then: (w: PoolWorker) => void }> = [];
  /** Workers spawned and not yet online. */
  private booting = 0;
  private readonly all = new Set<PoolWorker>();
  /** Idle workers kept, past minIdle: a worker given back must find room, or each cell would start one and stop one. */
  private readonly maxIdle: number;
  /** What threads leave with the kernel for other threads (shared buffers, stashed values): see ThreadStore. */
  readonly store = new ThreadStore();
  private disposed = false;
  /** V8's code cache for the thread bundle, in shared memory so that no worker's boot copies it (see LOADER). */
  private codeCache: Uint8Array | null = null;
  /** What the runtime's modules export, from the first worker that loaded it (see runtimeExports). */
  private exports: ModuleExports | null = null;
  private exportsWaiters: Array<(e: ModuleExports | null) => void> = [];
  private exportsTimer: NodeJS.Timeout | null = null;
  /** The kernel's memory budget (KernelOptions.memoryBudgetMb), kept by every worker's checks and this watchdog. */
  readonly memory: MemoryWatch;
  /** Each worker's heap limit (V8's own): no thread's heap alone may pass what the kernel may use in all. */
  readonly heapMb: number;
  private readonly freeSlots: number[] = [];
  private slotsUsed = 0;
  private busyCount = 0;

  constructor(
    /** The thread entry; the other bundled entries (process.js) sit beside it. */
    readonly entry = join(__dirname, "thread.js"),
    // a cell's main thread and a pool of four start without waiting for a worker to load
    private readonly minIdle = 4,
    budgetMb = defaultBudgetMb(),
  ) {
    this.maxIdle = minIdle + Math.max(4, cpus().length * 2);
    this.heapMb = Math.max(64, limitOf(budgetMb));
    this.memory = new MemoryWatch(budgetMb, () => this.all, (w, why) => this.stopForMemory(w as PoolWorker, why));
    this.warm();
  }

  /** The watchdog found this worker's thread over the budget: it ends now, with a MemoryError (see Program.onExit). */
  private stopForMemory(w: PoolWorker, why: MemoryKill): void {
    if (w.dead) return;
    w.memoryKill = why;
    this.memory.exiting(1);
    w.exiting = true;
    void w.worker.terminate();
  }

  private busyChanged(delta: number): void {
    this.busyCount += delta;
    this.memory.setActive(this.busyCount > 0);
  }

  /**
   * Calls `then` with an idle worker now, else with a new one as soon as fewer than MAX_BOOTING are booting
   * (its jobs queue until it has loaded), else with the first worker released.
   */
  acquire(owner: Owner, then: (w: PoolWorker) => void): void {
    const w = this.takeFit();
    if (w) {
      this.hand(w, owner, then);
      setImmediate(() => this.warm());
      return;
    }
    this.waiting.push({ owner, then });
    this.pump();
  }

  /** Drops the acquisitions of `owner` still waiting for a worker (a program being stopped). */
  forget(owner: Owner): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i].owner === owner) this.waiting.splice(i, 1);
  }

  /**
   * The idle worker used last whose last job left it fit for another (WorkerBoot.retire): one still checking is
   * waited for (tens of microseconds), one left unfit is retired.
   */
  private takeFit(): PoolWorker | undefined {
    // first, the last used of those whose check is over: the worker that ended the thread just joined is often
    // still checking, and waiting for it would hold the kernel and the starting thread
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const w = this.idle[i];
      const retire = Atomics.load(w.retire, 0);
      if (retire === Retire.Checking) continue;
      this.idle.splice(i, 1);
      if (retire === Retire.Fit) return w;
      void this.discard(w);
    }
    for (let w = this.idle.pop(); w; w = this.idle.pop()) {
      if (this.isFit(w)) return w;
      void this.discard(w); // unfit, or a check that never ended: a fresh worker is the safe choice
    }
    return undefined;
  }

  release(w: PoolWorker): void {
    if (w.busy) this.busyChanged(-1);
    w.owner = null;
    if (w.dead) return;
    // what a job left behind that a collection could not free (a thread that died holding a bomb's arrays keeps
    // them reachable somewhere in the runtime) would count against every later thread: only a new worker is clean
    const leftBehind = this.memory.held(w) - w.heldAtStart > Math.max(128, this.memory.budgetMb / 8) * 2 ** 20;
    const fit = !this.disposed && !leftBehind && this.isFit(w);
    // a thread waiting to start takes a worker whose thread has ended: no boot at all
    const next = fit ? this.waiting.shift() : undefined;
    if (next) return this.hand(w, next.owner, next.then);
    w.worker.unref();
    w.out.unref();
    if (!fit || this.idle.length >= this.maxIdle) {
      void this.discard(w);
      this.pump(); // a thread waiting for this worker gets a new one
    } else this.idle.push(w);
  }

  /** Whether the worker's last job left it fit for another (WorkerBoot.retire), waiting for its check if need be. */
  private isFit(w: PoolWorker): boolean {
    Atomics.wait(w.retire, 0, Retire.Checking, 100);
    return Atomics.load(w.retire, 0) === Retire.Fit;
  }

  private hand(w: PoolWorker, owner: Owner, then: (w: PoolWorker) => void): void {
    if (!w.busy) this.busyChanged(1);
    w.heldAtStart = this.memory.held(w);
    w.owner = owner;
    w.worker.ref(); // a running job keeps the process (the CLI's, say) alive
    w.out.ref();
    then(w);
  }

  /** Spawns workers for waiting acquisitions, MAX_BOOTING at a time. */
  private pump(): void {
    while (!this.disposed && this.waiting.length > 0 && this.booting < MAX_BOOTING) {
      const { owner, then } = this.waiting.shift()!;
      this.hand(this.spawn(), owner, then);
    }
    if (this.waiting.length === 0) this.warm();
  }

  /** Stops a worker whatever it is doing (an endless loop included). */
  async discard(w: PoolWorker): Promise<void> {
    if (w.busy) this.busyChanged(-1);
    w.dead = true;
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    this.all.delete(w);
    if (!w.exiting) this.memory.exiting(1);
    w.exiting = true;
    await w.worker.terminate();
  }

  /** Workers alive now (idle or running a thread): what the kernel's threads cost in memory is per worker. */
  get size(): number {
    return this.all.size;
  }

  /**
   * What each runtime module exports, as a worker that loaded the runtime reported it; null if none has
   * within 10 s (the kernel then compiles without checking imports rather than hang).
   */
  runtimeExports(): Promise<ModuleExports | null> {
    if (this.exports || this.disposed) return Promise.resolve(this.exports);
    // a ref'd timer: idle workers are unref'd, and waiting for them must still keep a CLI process alive
    this.exportsTimer ??= setTimeout(() => this.settleExports(null), 10_000);
    return new Promise((resolve) => this.exportsWaiters.push(resolve));
  }

  /** A worker's ready message (also called by a program that drained it off the port). */
  addExports(exports: ModuleExports): void {
    this.exports ??= exports;
    this.settleExports(this.exports);
  }

  private settleExports(exports: ModuleExports | null): void {
    if (this.exportsTimer) clearTimeout(this.exportsTimer);
    this.exportsTimer = null;
    for (const resolve of this.exportsWaiters.splice(0)) resolve(exports);
  }

  /**
   * The one dispatcher of worker messages, whether they arrive on the port or are taken off it out of
   * turn (drain): the pool keeps what is the pool's, the worker's owner (its program) gets the rest.
   */
  dispatch(w: PoolWorker, m: FromWorker): void {
    switch (m.type) {
      case "ready":
        return this.addExports(m.exports);
      case "buffer":
        return this.store.addBuffer(m.id, m.buffer);
      case "stash":
        return this.store.stash(m.key, m.value);
      case "jobDone":
        [w.chainIds, w.valuesIds] = [m.chainIds, m.valuesIds];
        break;
      // the program's (Program.onMessage)
      case "rpc":
      case "start":
      case "mainDone":
      case "process":
      case "poolStart":
      case "poolApply":
      case "poolClose":
      case "object":
      case "blocked":
      case "excepthook":
      case "atexit":
        break;
    }
    w.owner?.onMessage(w, m);
  }

  /** Takes the messages a worker has sent and that are not delivered yet, now, in order. */
  drain(w: PoolWorker): void {
    for (let m = receiveMessageOnPort(w.out); m; m = receiveMessageOnPort(w.out)) this.dispatch(w, m.message as FromWorker);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.memory.dispose();
    this.waiting.length = 0;
    this.settleExports(this.exports);
    await Promise.all([...this.all].map((w) => this.discard(w)));
  }

  private warm(): void {
    while (!this.disposed && this.waiting.length === 0 && this.idle.length < this.minIdle && this.booting < MAX_BOOTING) {
      this.idle.push(this.spawn());
    }
  }

  private online(w: PoolWorker): void {
    if (w.online) return;
    w.online = true;
    this.booting--;
    this.pump();
  }

  private spawn(): PoolWorker {
    const out = new MessageChannel();
    const rpc = new MessageChannel();
    const rpcFlag = new SharedArrayBuffer(4);
    const outRing = newOutputRing();
    const retire = new SharedArrayBuffer(4);
    const trace = new SharedArrayBuffer((TR.Header + TR.Capacity * TR.Words) * 4);
    const memorySlot = this.freeSlots.pop() ?? (this.slotsUsed < MEMORY_SLOTS ? this.slotsUsed++ : -1);
    this.memory.slotsInUse(this.slotsUsed);
    const boot: WorkerBoot = {
      global: this.global, arena: this.arena, memory: this.memory.buffer, memorySlot, rpcFlag, retire, rpcPort: rpc.port2, outPort: out.port2, outRing,
      trace, tracing: TRACING,
    };
    const worker = new Worker(LOADER, {
      eval: true,
      workerData: { ...boot, runtime: { filename: this.entry, cache: this.codeCache } },
      transferList: [rpc.port2, out.port2],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const w = new PoolWorker(worker, out.port1, rpc.port1, new Int32Array(rpcFlag), new RingReader(outRing), memorySlot, new Int32Array(retire), trace);
    this.all.add(w);
    this.booting++;
    worker.once("online", () => this.online(w));
    // parentPort carries nothing else from a worker (its messages go to `out`)
    worker.once("message", (m: { codeCache?: Uint8Array }) => {
      if (!m?.codeCache || this.codeCache) return;
      const shared = new Uint8Array(new SharedArrayBuffer(m.codeCache.byteLength));
      shared.set(m.codeCache);
      this.codeCache = shared;
    });
    out.port1.on("message", (m: FromWorker) => this.dispatch(w, m));
    let error: Error | undefined;
    worker.on("error", (e) => (error = e));
    worker.on("exit", (code) => {
      this.online(w);
      const wasDead = w.dead;
      if (w.busy) this.busyChanged(-1);
      w.dead = true;
      this.memory.forget(w);
      if (w.exiting) this.memory.exiting(-1);
      if (memorySlot >= 0) this.freeSlots.push(memorySlot);
      this.all.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      out.port1.close();
      rpc.port1.close();
      if (!wasDead) w.owner?.onExit(w, code, error);
    });
    worker.stdout.setEncoding("utf8").on("data", (t: string) => w.owner?.onNativeOutput(w, "stdout", t));
    worker.stderr.setEncoding("utf8").on("data", (t: string) => w.owner?.onNativeOutput(w, "stderr", t));
    // idle workers must not keep a CLI process alive
    worker.unref();
    out.port1.unref();
    return w;
  }
}
