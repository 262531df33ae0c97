// The worker processes of one multiprocessing Pool (or one
// ProcessPoolExecutor), from the kernel's side. A process costs hundreds of
// milliseconds to start and a task a few, so workers are kept: each takes one
// task at a time and, done, the next one queued. A worker is given a task as
// soon as it is started (the task waits in its IPC pipe while it boots), so a
// map's slices go to distinct workers even on a fresh pool. A worker whose
// initializer fails breaks the pool: its work, in hand or to come, fails.
import type { CellError } from "./protocol/messages";
import type { TaskMode, TaskOutcome } from "./protocol/process";
import type { TargetSpec } from "./protocol/worker";
import type { Timeline } from "./protocol/timeline";

export interface PoolTask {
  target: TargetSpec;
  mode: TaskMode;
  items: unknown[];
  /** The runtime object whose waiters this task's end wakes (the Pool a map waits on, an AsyncResult): the timeline's hand-off. */
  wakes: number;
  then(outcome: TaskOutcome): void;
}

/** A worker process as the pool drives it (kernel/processes.ts makes them). */
export interface WorkerProcess {
  readonly name: string;
  run(id: number, task: PoolTask): void;
  stop(): void;
  kill(): void;
}

/** How the pool starts a worker, and is told what becomes of it. */
export type StartWorker = (events: {
  /** `timeline`: what the worker did for the task, when the run records it. */
  taskDone(id: number, outcome: TaskOutcome, timeline?: Timeline): void;
  /** Its initializer raised: the pool is broken (the worker exits next). */
  initFailed(error: CellError): void;
  exited(why: string): void;
}) => WorkerProcess;

interface Slot {
  worker: WorkerProcess;
  task: { id: number; task: PoolTask } | null;
}

export class ProcessPool {
  /** Workers that take tasks (started, not told to stop). */
  private readonly workers = new Set<Slot>();
  private readonly idle: Slot[] = [];
  private readonly queue: PoolTask[] = [];
  /** Every process of the pool not yet exited, those told to stop included. */
  private readonly alive = new Set<Slot>();
  private readonly whenGone: Array<() => void> = [];
  private taskSeq = 0;
  /** Workers stop when there is no work left for them; a task that still comes starts one again. */
  private closing = false;
  private terminated = false;
  /** Set when a worker's initializer failed: what every task of the pool fails with from then on. */
  private broken: CellError | null = null;

  constructor(
    readonly size: number,
    /** A task's timeline, as its worker sends it back (kernel/timeline joins it to the cell's). */
    private readonly onTimeline: (task: PoolTask, timeline: Timeline) => void,
    private readonly startWorker: StartWorker,
    /** The error tasks get once an initializer has failed (in `worker`, with `cause`). */
    private readonly brokenError: (worker: string, cause: CellError) => CellError = (worker, cause) => cause,
  ) {}

  /** Workers running a task: they can still change things in the program (put, set, print). */
  get busy(): number {
    return this.alive.size - this.idle.length; // the idle are among the alive; the rest have a task, or are finishing one
  }

  /** Starts every worker now, as Python's Pool does at construction. */
  fill(): void {
    while (!this.terminated && this.workers.size < this.size) this.idle.push(this.start());
  }

  submit(task: PoolTask): void {
    if (this.broken) return task.then({ error: this.broken });
    if (this.terminated) return task.then({ error: terminatedError() });
    this.queue.push(task);
    this.dispatch();
  }

  /** No more work is coming: each worker exits once the queue is empty (close() of a Pool, an executor's shutdown). */
  close(): void {
    this.closing = true;
    this.dispatch();
  }

  /** Every worker is killed now; work not finished fails. */
  terminate(): void {
    this.closing = true;
    this.terminated = true;
    for (const t of this.queue.splice(0)) t.then({ error: terminatedError() });
    for (const s of this.alive) s.worker.kill();
  }

  /** Calls back once every process of the pool has exited. */
  whenExited(then: () => void): void {
    if (this.alive.size === 0) then();
    else this.whenGone.push(then);
  }

  /**
   * An initializer failed: Python's executor calls its pool broken, fails every pending future and ends
   * its processes; its Pool would start workers for ever. Here both fail their work, in hand and to come.
   */
  private break(error: CellError): void {
    if (this.broken) return;
    this.broken = error;
    const lost = this.queue.splice(0);
    for (const s of this.alive) {
      if (s.task) lost.push(s.task.task);
      s.task = null;
    }
    this.terminate();
    for (const t of lost) t.then({ error });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.idle.shift();
      if (!slot) {
        if (this.workers.size >= this.size) return;
        slot = this.start();
      }
      const task = this.queue.shift()!;
      slot.task = { id: ++this.taskSeq, task };
      slot.worker.run(slot.task.id, task);
    }
    if (this.closing) {
      for (const s of this.idle.splice(0)) {
        this.workers.delete(s);
        s.worker.stop();
      }
    }
  }

  private start(): Slot {
    const slot: Slot = { worker: null as unknown as WorkerProcess, task: null };
    slot.worker = this.startWorker({
      taskDone: (id, outcome, timeline) => {
        if (slot.task?.id !== id) return;
        const { task } = slot.task;
        slot.task = null;
        if (timeline) this.onTimeline(task, timeline);
        // idle before the caller hears: work it sends as soon as it has this answer finds the worker free
        if (this.workers.has(slot)) this.idle.push(slot);
        this.dispatch();
        task.then(outcome);
      },
      initFailed: (cause) => this.break(this.brokenError(slot.worker.name, cause)),
      exited: (why) => {
        this.workers.delete(slot);
        this.alive.delete(slot);
        const i = this.idle.indexOf(slot);
        if (i >= 0) this.idle.splice(i, 1);
        const lost = slot.task;
        slot.task = null;
        if (lost) lost.task.then({ error: this.terminated ? terminatedError() : { name: "ProcessError", message: why, traceback: `ProcessError: ${why}\n` } });
        if (!this.terminated) this.dispatch(); // a worker that died is replaced, for the work still queued
        if (this.alive.size === 0) for (const then of this.whenGone.splice(0)) then();
      },
    });
    this.workers.add(slot);
    this.alive.add(slot);
    return slot;
  }
}

function terminatedError(): CellError {
  const message = "the pool was terminated before this task finished";
  return { name: "ProcessError", message, traceback: `ProcessError: ${message}\n` };
}
