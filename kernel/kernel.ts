// The kernel: one notebook's state (the definitions and values of the cells
// it has run) and the runs of its cells, one at a time. The kernel process,
// the CLI and the tests all drive this same class.
import type { CellResult, KernelOptions, OutputRecord, RunRequest } from "./protocol/messages";
import type { ChainLink } from "./protocol/worker";
import { compileCell, CompileError, type CompiledCell } from "./compiler/compile";
import { WorkerPool, defaultMaxThreads } from "./pool";
import { Program } from "./program";
import { QueueStore } from "./mpQueues";

export class Kernel {
  private readonly pool: WorkerPool;
  /** The cap on a program's live threads: the learner's setting, or what memory allows. */
  private readonly maxThreads: number;
  /** The items of every multiprocessing Queue of the notebook, whichever process made it. */
  private readonly queues = new QueueStore();
  private chain: ChainLink[] = [];
  private linkSeq = 0;
  private valuesSeq = 0;
  private programSeq = 0;
  private current: { execId: number; program: Program | null; stopped: "interrupted" | "timeout" | null } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Re-running an unchanged cell, the most common thing a learner does, skips compiling. */
  private readonly compiled = new Map<string, CompiledCell>();

  constructor(
    /** The learner's limits; see KernelOptions. */
    readonly options: KernelOptions = {},
    threadEntry?: string,
  ) {
    this.pool = new WorkerPool(threadEntry);
    this.maxThreads = options.maxThreads ?? defaultMaxThreads(options.memoryBudgetMb);
  }

  /** Runs a cell after any run before it; `onRecords` gets output as it is written. */
  run(req: RunRequest, onRecords: (records: OutputRecord[]) => void): Promise<CellResult> {
    const next = this.queue.then(() => this.runNow(req, onRecords));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops the run with this execId (queued or running); `status` is how it is reported. */
  interrupt(execId: number, status: "interrupted" | "timeout" = "interrupted"): void {
    if (this.current?.execId !== execId) return;
    this.current.stopped = status;
    this.current.program?.stop(status);
  }

  async dispose(): Promise<void> {
    // a program still running stops first: its child processes must not outlive the kernel
    const program = this.current?.program;
    if (program) {
      program.stop("interrupted");
      await program.done;
    }
    this.queues.dispose();
    await this.pool.dispose();
  }

  private async runNow(req: RunRequest, onRecords: (records: OutputRecord[]) => void): Promise<CellResult> {
    const startedAt = performance.now();
    this.current = { execId: req.execId, program: null, stopped: null };
    try {
      let compiled;
      try {
        compiled = await this.compile(req.source, req.cellLabel);
      } catch (e) {
        if (e instanceof CompileError) return { status: "error", durationMs: since(startedAt), error: e.cellError };
        throw e;
      }
      if (this.current.stopped) return { status: this.current.stopped, durationMs: since(startedAt) };
      const program = new Program(
        this.pool,
        { programId: ++this.programSeq, full: compiled.full, defs: compiled.defs, chain: this.chain, queues: this.queues, maxThreads: this.maxThreads },
        onRecords,
      );
      this.current.program = program;
      const { result, values, chainValues } = await program.done;
      // what the cell left in earlier cells' bindings (`limit = 5`) is what later cells and threads see
      if (chainValues) {
        this.chain = this.chain.map((l, i) => {
          const changed = chainValues[i];
          return changed ? { ...l, values: { ...l.values, ...changed }, valuesId: `values-${++this.valuesSeq}` } : l;
        });
      }
      if (!req.ephemeral) this.remember({ id: `link-${++this.linkSeq}`, key: req.cellLabel, defs: compiled.defs, values: values ?? {} });
      return result;
    } finally {
      this.current = null;
    }
  }

  private async compile(source: string, label: string): Promise<CompiledCell> {
    const key = `${label}\0${source}`;
    const hit = this.compiled.get(key);
    if (hit) return hit;
    // imports are checked against what the runtime's modules export, as the runtime itself reports it
    const compiled = await compileCell(source, label, (await this.pool.runtimeExports()) ?? undefined);
    if (this.compiled.size >= 200) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(key, compiled);
    return compiled;
  }

  /** Later cells and threads see this cell's definitions; re-running the last cell replaces it. */
  private remember(link: ChainLink): void {
    const last = this.chain[this.chain.length - 1];
    this.chain = last?.key === link.key ? [...this.chain.slice(0, -1), link] : [...this.chain, link];
  }
}

function since(t: number): number {
  return Math.round((performance.now() - t) * 100) / 100;
}
