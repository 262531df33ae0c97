// The main thread's end of the TypeScript worker (typesWorker.ts): one request
// at a time, each timed, those the learner waits on (completion, hover, an
// edit) before the notebook's background checks, which give way mid-check when
// one comes; so a keystroke's completion never queues behind 300 cells' type
// errors. A worker that runs out of its heap, or takes too long on
// one request, is ended; the notebook it was working on is set aside (its
// cells get a problem saying why, instead of types) until it changes, and
// the other notebooks are sent to a new worker. So a cell with a type that
// instantiates without end costs that notebook its types for a moment, never
// the server, and the server's memory stays within the worker's cap.
import { Worker } from "node:worker_threads";
import type { ModuleExports } from "../../kernel/protocol/worker";
import { BACKGROUND_OPS, CONTROL, NOTEBOOK_OPS, UNQUEUED_OPS, type TypesOp, type TypesOps, type TypesReply } from "./typesProtocol";

/** Why the types of a notebook are not there: said in the cell, where the learner looks. */
export class TypesUnavailable extends Error {
  override name = "TypesUnavailable";
}

export interface TypesHostOptions {
  /** The worker's heap, in MB (its old generation: V8's resourceLimits). */
  heapMb: number;
  /** A request that takes longer ends the worker. */
  timeoutMs: number;
  /** After a failure, a changed notebook is tried again once this long has passed. */
  retryAfterMs: number;
  log: (line: string) => void;
  /** A notebook set aside is given to TypeScript again: its cells are worth asking about anew. */
  onRetry: (notebook: string) => void;
}

type Cells = TypesOps["setNotebook"]["args"]["cells"];

/** A request, from when it is asked until its answer. */
interface Job {
  op: TypesOp;
  args: unknown;
  notebook: string | undefined;
  /** Everyone who asked it: a background check asked again before it ran is one job. */
  waiters: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  id?: number;
  timer?: NodeJS.Timeout;
  /** A background job's op and arguments, as one string: the same check asked again finds it. */
  key?: string;
}

export class TypesHost {
  private worker: Worker | undefined;
  private nextId = 0;
  /** Sent and not answered: the one queued job in its turn, and any unqueued ones. */
  private readonly sent = new Map<number, Job>();
  private turn: Job | undefined;
  private readonly foreground: Job[] = [];
  private readonly background: Job[] = [];
  /** What each open notebook's cells are now: sent again to a new worker. */
  private readonly notebooks = new Map<string, Cells>();
  private readonly notebookOf = new Map<string, string>(); // cell URI → notebook
  /** Notebooks set aside after a failure: why, when, and whether they changed since. */
  private readonly failed = new Map<string, { reason: string; at: number; retry?: NodeJS.Timeout }>();
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.LENGTH * 4));

  constructor(
    private readonly entry: string,
    private readonly data: { typings: string; exports: ModuleExports | undefined },
    private readonly options: TypesHostOptions,
  ) {}

  setNotebook(notebook: string, cells: Cells): void {
    for (const [uri, nb] of this.notebookOf) if (nb === notebook) this.notebookOf.delete(uri);
    for (const c of cells) this.notebookOf.set(c.uri, notebook);
    this.notebooks.set(notebook, cells);
    const failure = this.failed.get(notebook);
    if (!failure) {
      if (this.worker) this.sendCells(notebook);
      return;
    }
    // changed since it failed: tried again once a moment has passed (typing on does not end a worker per keystroke)
    failure.retry ??= setTimeout(() => this.retry(notebook), Math.max(0, failure.at + this.options.retryAfterMs - Date.now()));
  }

  /** The notebook's cells as they are now, to the worker; keystrokes that come while it is busy go as one. */
  private sendCells(notebook: string): void {
    const last = this.foreground.at(-1);
    if (last?.op === "setNotebook" && last.notebook === notebook) {
      last.args = { notebook, cells: this.notebooks.get(notebook) ?? [] };
      return;
    }
    void this.post("setNotebook", { notebook, cells: this.notebooks.get(notebook) ?? [] }, notebook).catch(() => {});
  }

  private retry(notebook: string): void {
    if (!this.failed.delete(notebook) || !this.notebooks.has(notebook)) return;
    if (this.worker) this.sendCells(notebook);
    this.options.onRetry(notebook);
  }

  closeNotebook(notebook: string): void {
    this.notebooks.delete(notebook);
    clearTimeout(this.failed.get(notebook)?.retry);
    this.failed.delete(notebook);
    for (const [uri, nb] of this.notebookOf) if (nb === notebook) this.notebookOf.delete(uri);
    if (this.worker) this.post("closeNotebook", { notebook }, undefined).catch(() => {});
  }

  /** Asks about a cell; rejects with TypesUnavailable when its notebook's types are set aside. */
  ask<K extends Exclude<TypesOp, "setNotebook" | "closeNotebook">>(op: K, args: TypesOps[K]["args"]): Promise<TypesOps[K]["result"]> {
    const uri = NOTEBOOK_OPS.has(op) && "uri" in args ? args.uri : undefined;
    const notebook = uri === undefined ? undefined : this.notebookOf.get(uri);
    const failure = notebook === undefined ? undefined : this.failed.get(notebook);
    if (failure) return Promise.reject(new TypesUnavailable(failure.reason));
    return this.post(op, args, notebook);
  }

  async dispose(): Promise<void> {
    for (const f of this.failed.values()) clearTimeout(f.retry);
    for (const job of [...this.sent.values(), ...this.foreground, ...this.background]) clearTimeout(job.timer);
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.entry, {
      workerData: { ...this.data, control: this.control.buffer },
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb },
    });
    worker.on("message", (reply: TypesReply) => this.answered(reply));
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.fail(why);
    };
    worker.on("error", (e: Error & { code?: string }) =>
      lost(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? `TypeScript ran out of its ${this.options.heapMb} MB on this notebook` : `TypeScript's worker failed: ${e.message}`),
    );
    worker.on("exit", (code) => lost(`TypeScript's worker exited (${code})`));
    worker.unref();
    this.worker = worker;
    // a new worker gets every notebook that is not set aside, as it is now, before anything is asked of it
    for (let i = this.foreground.length - 1; i >= 0; i--) {
      const job = this.foreground[i];
      if (job.op !== "setNotebook") continue;
      this.foreground.splice(i, 1);
      for (const w of job.waiters) w.resolve(null);
    }
    for (const [notebook, cells] of this.notebooks) {
      if (!this.failed.has(notebook)) this.send({ op: "setNotebook", args: { notebook, cells }, notebook, waiters: [] });
    }
    return worker;
  }

  private post<K extends TypesOp>(op: K, args: TypesOps[K]["args"], notebook: string | undefined): Promise<TypesOps[K]["result"]> {
    return new Promise((resolve, reject) => {
      const waiter = { resolve: resolve as (v: unknown) => void, reject };
      if (BACKGROUND_OPS.has(op)) {
        // asked again before it ran (the server checks each cell after every pause in typing): one check answers both
        const key = `${op}\0${JSON.stringify(args)}`;
        const same = this.background.find((j) => j.key === key);
        if (same) same.waiters.push(waiter);
        else this.background.push({ op, args, notebook, waiters: [waiter], key });
      } else {
        const job: Job = { op, args, notebook, waiters: [waiter] };
        if (UNQUEUED_OPS.has(op)) return this.send(job);
        this.foreground.push(job);
        // the learner waits on this one: a background check running now gives way
        if (this.turn && BACKGROUND_OPS.has(this.turn.op)) Atomics.store(this.control, CONTROL.GIVE_WAY, 1);
      }
      this.next();
    });
  }

  /** Gives the worker its next job, if it has none: the learner's before the background's. */
  private next(): void {
    if (this.turn) return;
    const job = this.foreground.shift() ?? this.background.shift();
    if (!job) return;
    this.turn = job;
    Atomics.store(this.control, CONTROL.GIVE_WAY, 0);
    this.send(job);
  }

  private send(job: Job): void {
    const worker = this.worker ?? this.start();
    job.id = ++this.nextId;
    job.timer = setTimeout(() => this.fail(`TypeScript took over ${this.options.timeoutMs / 1000} s on this notebook`), this.options.timeoutMs);
    this.sent.set(job.id, job);
    worker.postMessage({ id: job.id, op: job.op, args: job.args });
  }

  private answered(reply: TypesReply): void {
    const job = this.sent.get(reply.id);
    if (!job) return;
    this.sent.delete(reply.id);
    clearTimeout(job.timer);
    if (this.turn === job) this.turn = undefined;
    if ("cancelled" in reply) this.background.unshift(job); // asked again once the learner's requests are answered
    else if ("error" in reply) for (const w of job.waiters) w.reject(new Error(reply.error));
    else for (const w of job.waiters) w.resolve(reply.result);
    this.next();
  }

  /**
   * Ends the worker: the request it was running sets its notebook aside, the requests sent to it and those queued for
   * that notebook are refused with the reason, and the rest go to a new worker.
   */
  private fail(reason: string): void {
    const worker = this.worker;
    this.worker = undefined;
    const blamed = this.sent.get(Atomics.load(this.control, CONTROL.CURRENT)) ?? this.turn ?? [...this.sent.values()][0];
    if (blamed?.notebook) this.failed.set(blamed.notebook, { reason, at: Date.now() });
    this.options.log(`concnb language server: ${reason}; types of that notebook are set aside until it changes`);
    const refuse = (job: Job) => {
      clearTimeout(job.timer);
      for (const w of job.waiters) w.reject(new TypesUnavailable(reason));
    };
    for (const job of this.sent.values()) refuse(job);
    this.sent.clear();
    this.turn = undefined;
    for (const queue of [this.foreground, this.background]) {
      const kept = queue.filter((j) => j.notebook === undefined || !this.failed.has(j.notebook));
      for (const j of queue) if (!kept.includes(j)) refuse(j);
      queue.splice(0, queue.length, ...kept);
    }
    void worker?.terminate();
    this.next();
  }
}
