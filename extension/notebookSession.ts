// Everything one open notebook has on the host side: its kernel process
// (spawned when the notebook opens with this kernel, or at the first run; again
// after a death or a restart), its serial execution queue and its execution order.
import * as path from "node:path";
import * as vscode from "vscode";
import type { CellError, CellResult, KernelOptions, OutputRecord } from "../kernel/protocol/messages";
import { ExecutionQueue } from "./executionQueue";
import { KernelClient, type KernelExit, type KernelRun } from "../kernel/client/kernelClient";
import { errorForDisplay, errorOfResult, extensionError, interruptedBeforeStart, kernelRestartedError } from "../kernel/client/kernelErrors";
import { OutputBatcher } from "./outputBatcher";
import { LiveOutput } from "./outputs";
import { threadProgram } from "./threadProgram";
import { cellLabel } from "./cellLabels";
import { isTimelineOutput, timelineOutput } from "./timelineOutput";
import type { Timeline } from "../kernel/protocol/timeline";
import { exercisesOf, roleOf } from "../kernel/protocol/exercises";
import { checkExercise, passed, verdictOf } from "../kernel/client/checks";
import type { ExerciseVerdicts } from "./exercises/verdicts";

/** Long enough to gather a burst of writes, short enough to look live. */
const OUTPUT_BATCH_MS = 50;

export interface SessionOptions {
  kernelPath: string;
  /** The learner's limits as the settings say now: read at each kernel start. */
  kernelOptions: () => KernelOptions;
  log: (line: string) => void;
  /** Where a check's verdict is shown on its exercise cell. */
  verdicts?: ExerciseVerdicts;
}

/** The cell that is running now, and how to stop it. */
interface ActiveCell {
  interrupted: boolean;
  run?: KernelRun;
}

/** One program a cell's execution sends to the kernel. */
interface Step {
  label: string;
  source: string;
  ephemeral: boolean;
  /** The cell whose text this step runs, to remember that the kernel has its definitions. */
  cell?: vscode.NotebookCell;
  /** Its metadata asks for its timeline (`{"timeline": true}`). */
  timeline?: boolean;
}

export class NotebookSession {
  private readonly queue: ExecutionQueue;
  private kernel: KernelClient | undefined;
  private order = 0;
  private active: ActiveCell | undefined;
  private disposed = false;
  /** The text of each cell as the current kernel last ran it without an error (by cell document URI). */
  private ran = new Map<string, string>();
  /** Each cell's last run (by cell document URI), whose timeline the kernel keeps for a while. */
  private readonly lastRun = new Map<string, { kernel: KernelClient; execId: number }>();

  constructor(
    readonly notebook: vscode.NotebookDocument,
    private readonly controller: vscode.NotebookController,
    private readonly options: SessionOptions,
  ) {
    this.queue = new ExecutionQueue((error) => this.log(`execution queue: ${messageOf(error)}`));
  }

  /** Queues the cells behind whatever runs now; resolves when each has run or been dropped. */
  async execute(cells: readonly vscode.NotebookCell[]): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const cell of cells) {
      let execution: vscode.NotebookCellExecution;
      try {
        execution = this.controller.createNotebookCellExecution(cell);
      } catch (error) {
        // e.g. the cell was deleted, or is already queued
        this.log(`cannot queue cell ${cell.index + 1}: ${messageOf(error)}`);
        continue;
      }
      const solution = roleOf(cell.metadata);
      if (solution?.role === "solution") {
        jobs.push(this.enqueueJob(execution, () => solutionNotRun(execution, solution.id)));
        continue;
      }
      const check = checkOf(cell);
      jobs.push(check ? this.enqueueJob(execution, () => this.runCheck(execution, check.exercise, check.id, check.runs)) : this.enqueue(execution, () => [cellStep(cell)]));
    }
    await Promise.all(jobs);
  }

  /**
   * Queues "Run in thread": `target(...args)` on a new thread, as the cell's
   * execution. The cell runs first when this kernel has not run its text (so
   * the function is not defined there, or not as written now); the thread's
   * program is ephemeral, so later cells see no trace of it.
   * Resolves when it has run or been dropped; false when it could not be queued.
   */
  async runInThread(cell: vscode.NotebookCell, target: string, args: string): Promise<boolean> {
    const program = threadProgram(target, args);
    let execution: vscode.NotebookCellExecution;
    try {
      execution = this.controller.createNotebookCellExecution(cell);
    } catch (error) {
      this.log(`cannot queue a thread of cell ${cell.index + 1}: ${messageOf(error)}`);
      return false;
    }
    const label = cellLabel(cell);
    await this.enqueue(execution, () => [
      // decided when its turn comes: a cell queued before it may have run it meanwhile
      ...(this.ran.get(cell.document.uri.toString()) === cell.document.getText() ? [] : [cellStep(cell)]),
      { label: `${label}, ${target} in a thread`, source: program, ephemeral: true },
    ]);
    return true;
  }

  /** Stops the running cell and drops the queued ones, as Ctrl+C would. */
  interrupt(): void {
    this.queue.clear();
    if (this.active) this.interruptCell(this.active);
  }

  /**
   * Starts the kernel ahead of the first run, as a notebook opens with this
   * kernel (Jupyter does the same): its process and warm threads are ready by
   * the time the learner has read the first cell. Resolves false if it did not start.
   */
  warm(): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return (this.kernel ?? this.startKernel()).started;
  }

  /** Kills the kernel (the running cell ends with KernelRestarted) and starts a fresh one. */
  async restart(): Promise<boolean> {
    if (this.disposed) return false;
    this.queue.clear();
    this.order = 0;
    this.ran.clear();
    const old = this.kernel;
    this.kernel = undefined;
    if (old) await old.shutdown(kernelRestartedError);
    if (this.disposed) return false;
    // A cell queued meanwhile may already have started the new kernel.
    return (this.kernel ?? this.startKernel()).started;
  }

  /** Drops the queue and stops the kernel; resolves when its process is gone. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.queue.dispose();
    const kernel = this.kernel;
    this.kernel = undefined;
    if (kernel) await kernel.shutdown();
  }

  private enqueue(execution: vscode.NotebookCellExecution, steps: () => Step[]): Promise<void> {
    return this.enqueueJob(execution, () => this.runCell(execution, steps));
  }

  private enqueueJob(execution: vscode.NotebookCellExecution, run: () => Promise<void>): Promise<void> {
    return this.queue.enqueue({
      token: execution.token,
      run,
      // Dropped cells keep their old output and get neither a tick nor a cross.
      skip: () => execution.end(undefined),
    });
  }

  /** Runs the steps one after the other in the cell's one execution, until one does not end ok. */
  private async runCell(execution: vscode.NotebookCellExecution, steps: () => Step[]): Promise<void> {
    const cell = execution.cell;
    if (cell.index < 0 || this.disposed) {
      execution.end(undefined); // deleted while it waited, or the notebook is closing
      return;
    }
    const active: ActiveCell = { interrupted: false };
    this.active = active;
    const onCancel = execution.token.onCancellationRequested(() => this.interruptCell(active));
    let success = false;
    try {
      execution.executionOrder = ++this.order;
      execution.start(Date.now());
      await execution.clearOutput();
      for (const step of steps()) {
        const { result, timeline } = active.interrupted ? { result: interruptedBeforeStart(), timeline: undefined } : await this.send(execution, active, step);
        if (result.status !== "ok") await appendError(execution, errorOfResult(result));
        // under the output and the error: a deadlock's picture follows its report
        if (timeline) await execution.appendOutput(timelineOutput(timeline));
        success = result.status === "ok";
        if (!success) break;
      }
    } catch (error) {
      this.log(`cell ${cell.index + 1} of ${this.name}: ${messageOf(error)}`);
      await appendError(execution, extensionError(error)).then(undefined, (e: unknown) =>
        this.log(`cannot show that error in the cell: ${messageOf(e)}`),
      );
    } finally {
      onCancel.dispose();
      if (this.active === active) this.active = undefined;
      try {
        execution.end(success, Date.now());
      } catch (error) {
        this.log(`cannot end cell ${cell.index + 1} of ${this.name}: ${messageOf(error)}`);
      }
    }
  }

  /**
   * A check cell's run (docs/API.md, "Exercises"): its exercise as the learner's cell says now, then the check, each a
   * program, `runs` times, with the runs so far shown as they go; then the check's output, the verdict, and the
   * verdict on the exercise cell's status bar. The execution passes only when every run did.
   */
  private async runCheck(execution: vscode.NotebookCellExecution, exercise: vscode.NotebookCell, id: string, runs: number): Promise<void> {
    const cell = execution.cell;
    if (cell.index < 0 || exercise.index < 0 || this.disposed) {
      execution.end(undefined);
      return;
    }
    const active: ActiveCell = { interrupted: false };
    this.active = active;
    const onCancel = execution.token.onCancellationRequested(() => this.interruptCell(active));
    let success = false;
    try {
      execution.executionOrder = ++this.order;
      execution.start(Date.now());
      const text = (t: string) => new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(t)]);
      await execution.replaceOutput([text(`Checking "${id}": ${runs === 1 ? "1 run" : `${runs} runs`}…`)]);
      const source = exercise.document.getText();
      this.options.verdicts?.runs(exercise, { done: 0, passed: 0, runs });
      const outcome = await checkExercise(
        async (c, onOutput) => {
          if (active.interrupted) return interruptedBeforeStart();
          const run = (this.kernel ?? this.startKernel()).run(c.label, c.source, onOutput);
          active.run = run;
          return run.result;
        },
        { id, cell: { label: cellLabel(exercise), source } },
        { cell: { label: cellLabel(cell), source: cell.document.getText() }, runs },
        {
          progress: (done, ok) => {
            void execution.replaceOutput([text(`Checking "${id}": run ${done} of ${runs}, ${ok} passed so far…`)]);
            if (done < runs) this.options.verdicts?.runs(exercise, { done, passed: ok, runs });
          },
        },
      );
      // the exercise's definitions are those of its last run now, which may not be its text's: it runs again before Run in thread
      this.ran.delete(exercise.document.uri.toString());
      success = passed(outcome);
      await execution.replaceOutput([]);
      const live = new LiveOutput(execution);
      await live.add(outcome.outputs);
      await live.end();
      const verdict = verdictOf(outcome);
      // the verdict first, then the first failing run's error, as a traceback
      await execution.appendOutput(text(`${success ? "✓" : "✗"} "${id}" ${verdict}`));
      if (!success && outcome.error) await appendError(execution, outcome.error);
      if (!outcome.stopped) await this.options.verdicts?.set(exercise, { passed: success, text: verdict, source });
    } catch (error) {
      this.log(`check of cell ${cell.index + 1}: ${messageOf(error)}`);
      await appendError(execution, extensionError(error)).then(undefined, () => {});
    } finally {
      onCancel.dispose();
      this.options.verdicts?.runs(exercise, undefined);
      if (this.active === active) this.active = undefined;
      execution.end(success, Date.now());
    }
  }

  private async send(execution: vscode.NotebookCellExecution, active: ActiveCell, step: Step): Promise<{ result: CellResult; timeline?: Timeline }> {
    const cell = execution.cell;
    const live = new LiveOutput(execution);
    const batcher = new OutputBatcher<OutputRecord>(
      (records) => live.add(records),
      OUTPUT_BATCH_MS,
      (error) => this.log(`cannot show output of cell ${cell.index + 1}: ${messageOf(error)}`),
    );
    const kernel = this.kernel ?? this.startKernel();
    const run = kernel.run(step.label, step.source, (records) => batcher.add(records), { ephemeral: step.ephemeral, timeline: step.timeline });
    active.run = run;
    this.lastRun.set(cell.document.uri.toString(), { kernel, execId: run.execId });
    const result = await run.result;
    await batcher.close();
    await live.end();
    if (step.cell && this.kernel === kernel) {
      const key = step.cell.document.uri.toString();
      if (result.status === "ok") this.ran.set(key, step.source);
      else this.ran.delete(key);
    }
    return { result, timeline: run.timeline() };
  }

  /**
   * The timeline of the cell's last run, asked of the kernel that ran it (it keeps the last few runs'): shown under
   * the cell's output, in place of one shown before. Resolves to why not when there is none to show.
   */
  async showTimeline(cell: vscode.NotebookCell): Promise<string | null> {
    const last = this.lastRun.get(cell.document.uri.toString());
    if (!last) return "this cell has not run since the kernel started: run it, then ask for its timeline";
    if (last.kernel !== this.kernel || !last.kernel.alive) return "the kernel that ran this cell is gone: run the cell again";
    if (this.active) return "a cell is running: ask again once it is done";
    const timeline = await last.kernel.timelineOf(last.execId);
    if (!timeline) return "the kernel keeps only the last runs' timelines: run the cell again";
    // an execution of its own that only adds the picture: the cell's order and verdict stay as they were
    const execution = this.controller.createNotebookCellExecution(cell);
    execution.executionOrder = cell.executionSummary?.executionOrder;
    execution.start(Date.now());
    try {
      const kept = cell.outputs.filter((o) => !isTimelineOutput(o));
      await execution.replaceOutput([...kept, timelineOutput(timeline)]);
    } finally {
      execution.end(cell.executionSummary?.success, Date.now());
    }
    return null;
  }

  private interruptCell(active: ActiveCell): void {
    active.interrupted = true;
    active.run?.interrupt();
  }

  private startKernel(): KernelClient {
    const kernel = new KernelClient({
      kernelPath: this.options.kernelPath,
      cwd: this.notebook.uri.scheme === "file" ? path.dirname(this.notebook.uri.fsPath) : undefined,
      log: this.options.log,
      kernelOptions: this.options.kernelOptions(),
    });
    this.log(`started kernel ${kernel.pid}`);
    this.ran.clear(); // a new kernel has run none of the cells
    kernel.onExit((exit) => this.kernelExited(kernel, exit));
    this.kernel = kernel;
    return kernel;
  }

  private kernelExited(kernel: KernelClient, exit: KernelExit): void {
    if (this.kernel !== kernel) return; // a kernel this session already let go of
    this.kernel = undefined;
    if (exit.requested) return;
    // Cells queued behind a crash were written for the state that just died.
    this.queue.clear();
    this.order = 0;
    this.log(`kernel ${kernel.pid} died; queued cells dropped, the next run starts a new kernel`);
  }

  private get name(): string {
    return path.basename(this.notebook.uri.path);
  }

  private log(line: string): void {
    this.options.log(`[${this.name}] ${line}`);
  }
}

async function appendError(execution: vscode.NotebookCellExecution, error: CellError): Promise<void> {
  await execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(errorForDisplay(error))]));
}

function cellStep(cell: vscode.NotebookCell): Step {
  const timeline = (cell.metadata as { timeline?: unknown } | undefined)?.timeline === true;
  return { label: cellLabel(cell), source: cell.document.getText(), ephemeral: false, cell, timeline };
}

/** A solution is read, not run with the notebook: run, it would answer its exercise in the learner's place. */
async function solutionNotRun(execution: vscode.NotebookCellExecution, id: string): Promise<void> {
  execution.start(Date.now());
  const why = `This is the solution of "${id}": it does not run with the notebook. To try it, copy it into the exercise's cell and run its check.`;
  await execution.replaceOutput([new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(why)])]);
  execution.end(undefined, Date.now());
}

/** The exercise a check cell checks, as the notebook's cells say now; undefined for any other cell. */
function checkOf(cell: vscode.NotebookCell): { id: string; runs: number; exercise: vscode.NotebookCell } | undefined {
  const role = roleOf(cell.metadata);
  if (role?.role !== "check") return undefined;
  const cells = cell.notebook.getCells().map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Code ? ("code" as const) : ("markdown" as const), metadata: c.metadata }));
  const ex = exercisesOf(cells).exercises.get(role.id);
  // a check whose metadata is wrong (no exercise before it, bad runs) runs as the code it is
  if (!ex?.check || ex.check.index !== cell.index) return undefined;
  return { id: role.id, runs: ex.check.runs, exercise: cell.notebook.cellAt(ex.exercise) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
