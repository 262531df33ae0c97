// The kernel: one notebook's state (the definitions and values of the cells
// it has run) and the runs of its cells, one at a time. The kernel process,
// the CLI and the tests all drive this same class.
import type { CellError, CellResult, KernelOptions, OutputRecord, RunRequest } from "./protocol/messages";
import type { ChainLink, EncodedValues } from "./protocol/worker";
import { compileCell, CompileError, type CompiledCell } from "./compiler/compile";
import { warm as warmCompiler } from "./compiler/esbuild";
import { WorkerPool } from "./pool";
import { defaultMaxThreads } from "./threadCap";
import { Program } from "./program";
import { DEFAULT_OUTPUT_LINES, outputFileFor } from "./output";
import { QueueStore } from "./mpQueues";
import type { Timeline } from "./protocol/timeline";

/** Runs whose timeline the kernel keeps, newest first, for a timeline asked for after the run. */
const KEPT_TIMELINES = 16;

export class Kernel {
  private readonly pool: WorkerPool;
  /** The cap on a program's live threads: the learner's setting, or what memory allows. */
  private readonly maxThreads: number;
  /** The items of every multiprocessing Queue of the notebook, whichever process made it. */
  private readonly queues = new QueueStore();
  private chain: ChainLink[] = [];
  private linkSeq = 0;
  /** The names each link of the chain defines, to tell which a partial run's later cells see from an earlier run. */
  private readonly linkNames = new Map<string, string[]>();
  private valuesSeq = 0;
  private programSeq = 0;
  private current: { execId: number; program: Program | null; stopped: "interrupted" | "timeout" | null } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * True while whoever takes the output (the IPC channel to VS Code, the terminal) is behind: programs
   * then leave their threads' output rings to fill, and the writing threads block (back-pressure).
   */
  outputBlocked: () => boolean = () => false;
  private readonly timelines = new Map<number, () => Timeline>();
  /** Re-running an unchanged cell, the most common thing a learner does, skips compiling. */
  private readonly compiled = new Map<string, CompiledCell>();

  constructor(
    /** The learner's limits; see KernelOptions. */
    readonly options: KernelOptions = {},
    threadEntry?: string,
  ) {
    this.pool = new WorkerPool(threadEntry, undefined, options.memoryBudgetMb);
    warmCompiler(); // its start overlaps the pool's: the wasm engine takes some hundreds of ms (compiler.bench)
    this.maxThreads = options.maxThreads ?? defaultMaxThreads(options.memoryBudgetMb);
  }

  /** Runs a cell after any run before it; `onRecords` gets output as it is written. */
  run(req: RunRequest, onRecords: (records: OutputRecord[]) => void): Promise<CellResult> {
    const next = this.queue.then(() => this.runNow(req, onRecords));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** What the threads of this run did (protocol/timeline), while it is among the last KEPT_TIMELINES runs. */
  timelineOf(execId: number): Timeline | null {
    return this.timelines.get(execId)?.() ?? null;
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
        {
          programId: ++this.programSeq,
          full: compiled.full,
          defs: compiled.defs,
          chain: this.chain,
          queues: this.queues,
          outputLimit: { lines: this.options.outputLineLimit ?? DEFAULT_OUTPUT_LINES, file: outputFileFor(req.cellLabel, this.programSeq) },
          outputBlocked: () => this.outputBlocked(),
          maxThreads: this.maxThreads,
        },
        onRecords,
      );
      this.current.program = program;
      const { result, values, chainValues, defined, timeline } = await program.done;
      this.timelines.set(req.execId, timeline);
      // the last few runs' timelines, for a learner who asks for one after the run
      for (const id of this.timelines.keys()) if (this.timelines.size > KEPT_TIMELINES) this.timelines.delete(id);
      // what the cell left in earlier cells' bindings (`limit = 5`) is what later cells and threads see
      if (chainValues) {
        this.chain = this.chain.map((l, i) => {
          const changed = chainValues[i];
          return changed ? { ...l, values: { ...l.values, ...changed }, valuesId: `values-${++this.valuesSeq}` } : l;
        });
      }
      if (!req.ephemeral) {
        const note = await this.remember(req, compiled, result, values, defined);
        if (note) onRecords([{ stream: "stderr", thread: "MainThread", text: `${note}\n` }]);
      }
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

  /**
   * Later cells and threads see what this run of the cell defined, in the cell's place in the notebook's
   * order: a cell run again replaces its earlier run where it stands, so the cells after it that use its
   * names see the new ones (as Python's globals would). A run that did not get to define everything (an
   * error on the way, or stopped, its variables then unknown) keeps what it did define; the names it left
   * out are seen as its last complete run left them, or not at all: the note returned says which.
   */
  private async remember(
    req: RunRequest,
    compiled: CompiledCell,
    result: CellResult,
    values: EncodedValues | null,
    defined: string[] | null,
  ): Promise<string | null> {
    const key = req.cellLabel;
    const at = this.chain.findIndex((l) => l.key === key);
    let end = at;
    while (at >= 0 && end < this.chain.length && this.chain[end].key === key) end++;
    const complete = at >= 0 ? this.chain.slice(at, end).find((l) => !l.lost) : undefined;
    const lost = lostNames(compiled, values, defined);
    let link: ChainLink = { id: `link-${++this.linkSeq}`, key, defs: compiled.defs, values: values ?? {}, reads: compiled.reads };
    let note: string | null = null;
    if (lost.length > 0) {
      const why = values === null ? `${key} ${stoppedHow(result)} before its variables were kept` : `${key} failed before defining it (${short(result.error)})`;
      link = { ...link, defs: await this.compileWithout(req, lost), lost: { names: lost, why } };
      const before = complete ? lost.filter((n) => this.linkNames.get(complete.id)?.includes(n)) : [];
      note = lostNote(key, values === null ? stoppedHow(result) : null, lost, before);
    }
    const kept = lost.length > 0 && complete ? [complete] : [];
    for (const l of this.chain.slice(Math.max(at, 0), Math.max(end, 0))) if (!kept.includes(l)) this.linkNames.delete(l.id);
    this.linkNames.set(link.id, compiled.names);
    this.chain = at < 0 ? [...this.chain, link] : [...this.chain.slice(0, at), ...kept, link, ...this.chain.slice(end)];
    return note;
  }

  /** The cell's definitions chunk without those of `names` (already compiled once: this cannot fail to compile). */
  private async compileWithout(req: RunRequest, names: string[]): Promise<ChainLink["defs"]> {
    return (await compileCell(req.source, req.cellLabel, undefined, new Set(names))).defs;
  }
}

/** The cell's names its run did not define: those it never reached, or, stopped, its variables (their values unknown). */
function lostNames(compiled: CompiledCell, values: EncodedValues | null, defined: string[] | null): string[] {
  if (values === null || defined === null) return compiled.names.filter((n) => compiled.valueNames.includes(n));
  return compiled.names.filter((n) => !defined.includes(n));
}

/** The line a cell's output ends with when later cells do not see all it defines. */
function lostNote(key: string, stopped: string | null, lost: string[], before: string[]): string {
  const list = (names: string[]) => names.map((n) => `'${n}'`).join(", ");
  const head = stopped
    ? `note: ${key} ${stopped}, so the value${lost.length > 1 ? "s" : ""} of ${list(lost)} ${lost.length > 1 ? "are" : "is"} not kept`
    : `note: ${key} stopped before defining ${list(lost)}`;
  const unseen = lost.filter((n) => !before.includes(n));
  const parts: string[] = [];
  if (before.length > 0) parts.push(`later cells see ${list(before)} as its last complete run left ${before.length > 1 ? "them" : "it"}`);
  if (unseen.length > 0) parts.push(`later cells do not see ${unseen.length === lost.length ? (lost.length > 1 ? "them" : "it") : list(unseen)}`);
  return `${head}: ${parts.join("; ")}`;
}

function stoppedHow(result: CellResult): string {
  if (result.status === "interrupted") return "was interrupted";
  if (result.status === "timeout") return "ran past its time limit";
  if (result.error?.name === "DeadlockError") return "deadlocked";
  return `ended (${short(result.error)})`;
}

/** An error's name and the first sentence of its message, for a note. */
function short(error: CellError | undefined): string {
  if (!error) return "an error";
  const message = error.message.replace(/ \(cell [^)]*\)$/, "");
  const cut = message.indexOf(". ");
  return `${error.name}: ${cut > 0 ? message.slice(0, cut) : message}`;
}

function since(t: number): number {
  return Math.round((performance.now() - t) * 100) / 100;
}
