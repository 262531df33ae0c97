// Each exercise where the learner looks: the status bar of its exercise cell.
// On the left its latest verdict ("✓ passed 20 of 20 runs", "✗ failed 3 of 20
// runs: expected 200000, got 187411"), remembered across restarts (progress),
// or the runs so far while its check runs; on the right what can be done with
// it: Check, the next hint (once a check has failed), the solution, Reset
// (once the text is not the lesson's). The check cell's run sets the verdict
// (notebookSession); an edit of the exercise's text leaves it, marked as about
// the text before.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../controller";
import { exerciseOfCell } from "./inNotebook";
import type { Originals } from "./originals";
import type { Progress, Verdict } from "./progress";

export const CHECK_COMMAND = "concnb.exercise.check";
export const HINT_COMMAND = "concnb.exercise.showHint";
export const SOLUTION_COMMAND = "concnb.exercise.showSolution";
export const RESET_COMMAND = "concnb.exercise.reset";

export class ExerciseVerdicts implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  /** Checks under way, by exercise cell: runs done, passed, in all. */
  private readonly checking = new Map<string, { done: number; passed: number; runs: number }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly progress: Progress,
    private readonly originals: Originals,
  ) {
    this.disposables = [
      vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, this),
      progress.onDidChange(() => this.changed.fire()),
      // "(before your last edit)", Reset: both follow the text
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === "vscode-notebook-cell") this.changed.fire();
      }),
      // a hint or the solution shown changes what is left to show
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook.notebookType === NOTEBOOK_TYPE && (e.metadata || e.contentChanges.length > 0)) this.changed.fire();
      }),
    ];
  }

  /** The verdict of the exercise whose cell this is: remembered, and shown. */
  async set(exercise: vscode.NotebookCell, verdict: Omit<Verdict, "at">): Promise<void> {
    const id = exerciseOfCell(exercise)?.id;
    this.checking.delete(exercise.document.uri.toString());
    if (id) await this.progress.record(exercise.notebook.uri, id, verdict);
    this.changed.fire();
  }

  /** A check's runs so far, shown on its exercise cell while it runs; undefined when it has ended. */
  runs(exercise: vscode.NotebookCell, runs: { done: number; passed: number; runs: number } | undefined): void {
    if (runs) this.checking.set(exercise.document.uri.toString(), runs);
    else this.checking.delete(exercise.document.uri.toString());
    this.changed.fire();
  }

  async provideCellStatusBarItems(cell: vscode.NotebookCell): Promise<vscode.NotebookCellStatusBarItem[]> {
    const ex = exerciseOfCell(cell);
    if (!ex || ex.exercise !== cell.index) return [];
    const items: vscode.NotebookCellStatusBarItem[] = [];
    const args = [cell.notebook.uri, ex.id];
    const left = vscode.NotebookCellStatusBarAlignment.Left;
    const right = vscode.NotebookCellStatusBarAlignment.Right;
    const running = this.checking.get(cell.document.uri.toString());
    const verdict = this.progress.get(cell.notebook.uri, ex.id);
    if (running) {
      const item = new vscode.NotebookCellStatusBarItem(`$(sync~spin) checking: run ${running.done + 1} of ${running.runs}, ${running.passed} passed so far`, left);
      item.accessibilityInformation = { label: `Checking: ${running.done} of ${running.runs} runs done, ${running.passed} passed` };
      items.push(item);
    } else if (verdict) {
      const stale = cell.document.getText() !== verdict.source ? " (before your last edit)" : "";
      const item = new vscode.NotebookCellStatusBarItem(`${verdict.passed ? "✓" : "✗"} ${verdict.text}${stale}`, left);
      item.tooltip = verdict.passed
        ? `Every run of this exercise's check passed (${new Date(verdict.at).toLocaleString()}).`
        : "The check's first failing run, and how many failed: change the exercise, then check it again.";
      item.accessibilityInformation = { label: `Exercise ${verdict.passed ? "passed" : "failed"}: ${verdict.text}${stale}` };
      items.push(item);
    }
    if (ex.check && !running) items.push(action("$(play) Check", CHECK_COMMAND, args, right, `Run the exercise and its check (${ex.check.runs === 1 ? "1 run" : `${ex.check.runs} runs`})`));
    const hints = ex.folded.filter((f) => f.role === "hint").length;
    if (hints > 0 && verdict && !verdict.passed) {
      const next = ex.hints.length + 1;
      items.push(action(`$(lightbulb) Hint ${next} of ${ex.hints.length + hints}`, HINT_COMMAND, args, right, "Show the next hint below the check"));
    }
    if (ex.folded.some((f) => f.role === "solution")) items.push(action("$(eye) Solution", SOLUTION_COMMAND, args, right, "Show the lesson's solution (asks first)"));
    const original = await this.originals.of(cell.notebook, ex.id);
    if (original !== undefined && original !== cell.document.getText()) {
      items.push(action("$(discard) Reset", RESET_COMMAND, args, right, "Put back the exercise's text as the lesson gives it (asks first; Undo brings yours back)"));
    }
    return items;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

function action(text: string, command: string, args: unknown[], alignment: vscode.NotebookCellStatusBarAlignment, tooltip: string): vscode.NotebookCellStatusBarItem {
  const item = new vscode.NotebookCellStatusBarItem(text, alignment);
  item.command = { command, title: tooltip, arguments: args };
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `${text.replace(/^\$\([^)]*\)\s*/, "")}: ${tooltip}` };
  return item;
}
