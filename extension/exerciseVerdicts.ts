// Each exercise's latest verdict, where the learner looks: the status bar of
// the exercise cell ("✓ passed 20 of 20 runs", "✗ failed 3 of 20 runs:
// expected 200000, got 187411"). The check cell's run sets it
// (notebookSession); an edit of the exercise's text leaves it, marked as
// about the text before.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "./controller";

export interface Verdict {
  passed: boolean;
  /** "passed 20 of 20 runs", "failed 3 of 20 runs: expected 200000, got 187411 (cell 6, line 3)". */
  text: string;
  /** The exercise's text the verdict is about. */
  source: string;
}

export class ExerciseVerdicts implements vscode.NotebookCellStatusBarItemProvider, vscode.Disposable {
  private readonly byCell = new Map<string, Verdict>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;
  private readonly registration = vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, this);
  private readonly edits = vscode.workspace.onDidChangeTextDocument((e) => {
    if (this.byCell.has(e.document.uri.toString())) this.changed.fire();
  });

  /** The verdict of the exercise whose cell this is. */
  set(exercise: vscode.NotebookCell, verdict: Verdict): void {
    this.byCell.set(exercise.document.uri.toString(), verdict);
    this.changed.fire();
  }

  get(exercise: vscode.NotebookCell): Verdict | undefined {
    return this.byCell.get(exercise.document.uri.toString());
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const v = this.byCell.get(cell.document.uri.toString());
    if (!v) return [];
    const stale = cell.document.getText() !== v.source ? " (before your last edit)" : "";
    const item = new vscode.NotebookCellStatusBarItem(`${v.passed ? "✓" : "✗"} ${v.text}${stale}`, vscode.NotebookCellStatusBarAlignment.Left);
    item.tooltip = v.passed ? "Every run of this exercise's check passed." : "The check's first failing run, and how many failed: run the check cell again once you have changed the exercise.";
    item.accessibilityInformation = { label: `Exercise ${v.passed ? "passed" : "failed"}: ${v.text}${stale}` };
    return [item];
  }

  dispose(): void {
    this.registration.dispose();
    this.edits.dispose();
    this.changed.dispose();
  }
}
