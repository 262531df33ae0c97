// What a learner does with an exercise, from its cell's status bar, the
// Lessons view or the palette: Check (runs its check cell, which runs the
// exercise and the check every run), the next hint, the solution (after a
// confirmation), Reset (after a confirmation; an edit, so Undo brings the
// learner's text back). A hint or solution shown is a cell inserted from the
// folded ones, the notebook's metadata changed in the same edit, so the file
// never holds it twice nor loses it.
import * as vscode from "vscode";
import { fromCellData, toCellData } from "../serializer";
import { placeOf, type FoldedCell } from "./folding";
import { exerciseFrom, foldedIn, type NotebookExercise } from "./inNotebook";
import type { Originals } from "./originals";
import { CHECK_COMMAND, HINT_COMMAND, RESET_COMMAND, SOLUTION_COMMAND } from "./verdicts";

type Found = { notebook: vscode.NotebookDocument; exercise: NotebookExercise };

export class ExerciseCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly originals: Originals) {
    const on = (command: string, run: (found: Found) => Promise<unknown>) =>
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        const found = exerciseFrom(args);
        if (!found) {
          void vscode.window.showInformationMessage("Select a cell of an exercise first (its exercise, check, hint or solution cell).");
          return;
        }
        await run(found);
      });
    this.disposables = [
      on(CHECK_COMMAND, (f) => this.check(f)),
      on(HINT_COMMAND, (f) => this.show(f, "hint")),
      on(SOLUTION_COMMAND, (f) => this.solution(f)),
      on(RESET_COMMAND, (f) => this.reset(f)),
      vscode.workspace.onDidOpenNotebookDocument((n) => void originals.remember(n)),
    ];
    for (const n of vscode.workspace.notebookDocuments) void originals.remember(n);
  }

  /** Runs the check cell as its run button does: the kernel, trust and progress are the notebook's own. */
  private async check({ notebook, exercise }: Found): Promise<void> {
    if (!exercise.check) {
      void vscode.window.showInformationMessage(`The exercise "${exercise.id}" has no check cell to run.`);
      return;
    }
    const at = exercise.check.index;
    await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(exercise.exercise, exercise.exercise + 1)], preserveFocus: true });
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: at, end: at + 1 }], document: notebook.uri });
  }

  /** Shows the next folded hint (or the solution): inserted where the file keeps it, and revealed. */
  private async show({ notebook, exercise }: Found, role: FoldedCell["role"]): Promise<boolean> {
    const folded = foldedIn(notebook);
    const which = folded.findIndex((f) => f.exercise === exercise.id && f.role === role);
    if (which < 0) {
      void vscode.window.showInformationMessage(role === "hint" ? `Every hint of "${exercise.id}" is shown.` : `The solution of "${exercise.id}" is shown already.`);
      return false;
    }
    const shown = notebook.getCells().map((c) => fromCellData(dataOf(c)));
    const after = placeOf(shown, folded[which]);
    const at = after < 0 ? notebook.cellCount : after + 1;
    const rest = folded.filter((_, i) => i !== which);
    const state = { ...(notebook.metadata?.concnb as Record<string, unknown> | undefined) };
    if (rest.length > 0) state.folded = rest;
    else delete state.folded;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [
      vscode.NotebookEdit.insertCells(at, [toCellData(folded[which].cell)]),
      vscode.NotebookEdit.updateNotebookMetadata({ ...notebook.metadata, concnb: state }),
    ]);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Could not show the ${role} of "${exercise.id}": the notebook refused the edit.`);
      return false;
    }
    const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: true });
    editor.revealRange(new vscode.NotebookRange(at, at + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  private async solution(found: Found): Promise<void> {
    const show = "Show the Solution";
    const answer = await vscode.window.showWarningMessage(
      `Show the solution of "${found.exercise.id}"?`,
      {
        modal: true,
        detail:
          "You learn most from finding it yourself: the hints come one at a time after a failed check. The solution is shown as a cell below the exercise; it does not run with the notebook, and your exercise stays as you wrote it.",
      },
      show,
    );
    if (answer === show) await this.show(found, "solution");
  }

  private async reset({ notebook, exercise }: Found): Promise<void> {
    const cell = notebook.cellAt(exercise.exercise);
    const original = await this.originals.of(notebook, exercise.id);
    if (original === undefined) {
      void vscode.window.showInformationMessage(`The original text of "${exercise.id}" is not known here, so it cannot be reset.`);
      return;
    }
    if (original === cell.document.getText()) return;
    const reset = "Reset";
    const answer = await vscode.window.showWarningMessage(
      `Reset "${exercise.id}" to the lesson's text?`,
      { modal: true, detail: "Your version of the exercise is replaced. Undo (Ctrl+Z) in the cell brings it back." },
      reset,
    );
    if (answer !== reset) return;
    const edit = new vscode.WorkspaceEdit();
    const whole = new vscode.Range(new vscode.Position(0, 0), cell.document.lineAt(cell.document.lineCount - 1).range.end);
    edit.replace(cell.document.uri, whole, original);
    await vscode.workspace.applyEdit(edit);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A cell of the notebook as the serializer reads cells, for placing a folded one among them. */
function dataOf(cell: vscode.NotebookCell): vscode.NotebookCellData {
  const data = new vscode.NotebookCellData(cell.kind, cell.document.getText(), cell.document.languageId);
  data.metadata = cell.metadata;
  return data;
}
