// A notebook's exercises as VS Code shows it: the cells in sight (read with
// the same exercisesOf as the CLI) and the hints and solutions still folded
// (kept in the notebook's metadata by the serializer).
import * as vscode from "vscode";
import { exercisesOf, roleOf, type Exercise } from "../../kernel/protocol/exercises";
import { foldedOf, type FoldedCell } from "./folding";

const KEY = "concnb";

export interface NotebookExercise extends Exercise {
  /** Its hints and solution not shown yet, in file order. */
  folded: FoldedCell[];
}

export function foldedIn(notebook: vscode.NotebookDocument): FoldedCell[] {
  const state = notebook.metadata?.[KEY] as { folded?: unknown } | undefined;
  return foldedOf(state?.folded);
}

export function exercisesIn(notebook: vscode.NotebookDocument): Map<string, NotebookExercise> {
  const cells = notebook.getCells().map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Markup ? ("markdown" as const) : ("code" as const), metadata: c.metadata }));
  const folded = foldedIn(notebook);
  const out = new Map<string, NotebookExercise>();
  for (const [id, ex] of exercisesOf(cells).exercises) out.set(id, { ...ex, folded: folded.filter((f) => f.exercise === id) });
  return out;
}

/** The exercise a cell belongs to (as its exercise, check, hint or solution), if its metadata names one that is there. */
export function exerciseOfCell(cell: vscode.NotebookCell): NotebookExercise | undefined {
  const role = roleOf(cell.metadata);
  return role ? exercisesIn(cell.notebook).get(role.id) : undefined;
}

/** The exercise cell of the exercise the active notebook editor's selected cell belongs to (for the palette's commands). */
export function activeExercise(): { notebook: vscode.NotebookDocument; exercise: NotebookExercise } | undefined {
  const editor = vscode.window.activeNotebookEditor;
  if (!editor) return undefined;
  const index = editor.selection.start;
  if (index >= editor.notebook.cellCount) return undefined;
  const exercise = exerciseOfCell(editor.notebook.cellAt(index));
  return exercise ? { notebook: editor.notebook, exercise } : undefined;
}

/** The exercise by the arguments a status bar item or the Lessons view passes (notebook uri, id), or the active one. */
export function exerciseFrom(args: unknown[]): { notebook: vscode.NotebookDocument; exercise: NotebookExercise } | undefined {
  const [uri, id] = args;
  if ((uri instanceof vscode.Uri || typeof uri === "string") && typeof id === "string") {
    const wanted = uri.toString();
    const notebook = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === wanted);
    const exercise = notebook && exercisesIn(notebook).get(id);
    return notebook && exercise ? { notebook, exercise } : undefined;
  }
  return activeExercise();
}
