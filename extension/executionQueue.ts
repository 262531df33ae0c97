// One serial queue per notebook: the kernel runs one cell at a time, and cells
// run in the order the user asked for them. Kept free of `vscode` so plain
// mocha can test it; a vscode.CancellationToken fits CancellationLike as is.

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export interface QueuedJob {
  /** Called at most once, when it is the job's turn and it has not been cancelled. */
  run(): Promise<void>;
  /** Called instead of run when the job is dropped before its turn; must not throw. */
  skip(): void;
  /** Cancelling it while the job waits drops the job at once. */
  token?: CancellationLike;
}

interface Entry {
  job: QueuedJob;
  settle: () => void;
  cancelSub?: { dispose(): unknown };
}

export class ExecutionQueue {
  private readonly waiting: Entry[] = [];
  private runningJob = false;
  private disposed = false;

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /** Whether a job is running now. */
  get busy(): boolean {
    return this.runningJob;
  }

  /** How many jobs wait behind the running one. */
  get pending(): number {
    return this.waiting.length;
  }

  /**
   * Resolves once the job has run (whether or not its run threw: a failing
   * cell must not stop the queue, so the error goes to `onError`) or been skipped.
   */
  enqueue(job: QueuedJob): Promise<void> {
    return new Promise<void>((settle) => {
      if (this.disposed || job.token?.isCancellationRequested) {
        this.safeSkip(job);
        settle();
        return;
      }
      const entry: Entry = { job, settle };
      // Without this, a cancelled cell would look queued until the cells before it finish.
      entry.cancelSub = job.token?.onCancellationRequested(() => this.drop(entry));
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** Skips every job that has not started; the running one is not touched. */
  clear(): void {
    for (const entry of this.waiting.splice(0)) this.finishSkipped(entry);
  }

  /** Clears the queue and skips every job enqueued from now on. */
  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private drop(entry: Entry): void {
    const i = this.waiting.indexOf(entry);
    if (i < 0) return; // already running or finished: cancelling it is the job's business
    this.waiting.splice(i, 1);
    this.finishSkipped(entry);
  }

  private finishSkipped(entry: Entry): void {
    entry.cancelSub?.dispose();
    this.safeSkip(entry.job);
    entry.settle();
  }

  private safeSkip(job: QueuedJob): void {
    try {
      job.skip();
    } catch (error) {
      this.onError(error);
    }
  }

  private pump(): void {
    if (this.runningJob) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    entry.cancelSub?.dispose();
    this.runningJob = true;
    let running: Promise<void>;
    try {
      running = entry.job.run();
    } catch (error) {
      running = Promise.reject(error);
    }
    running
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.runningJob = false;
        entry.settle();
        this.pump();
      })
      .catch((error: unknown) => this.onError(error));
  }
}
