// The timeline's commands: "Show Thread Timeline" on a cell (its last run's
// picture, from the kernel), and what the renderer asks of the extension: a
// click on a span reveals the line of the cell the thread waited at.
import * as vscode from "vscode";
import type { NotebookKernels } from "./notebookKernels";
import { NOTEBOOK_TYPE } from "./controller";
import { cellIndexOf } from "./cellLabels";
import { isTimelineRendererMessage, TIMELINE_RENDERER_ID } from "./renderer/timeline/messages";

export const SHOW_TIMELINE_COMMAND = "concnb.showTimeline";

export class TimelineCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly kernels: NotebookKernels,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand(SHOW_TIMELINE_COMMAND, (arg?: unknown) => this.show(arg)),
      vscode.notebooks.createRendererMessaging(TIMELINE_RENDERER_ID).onDidReceiveMessage(({ editor, message }) => {
        if (isTimelineRendererMessage(message)) void this.reveal(editor, message.cell, message.line).catch((e: unknown) => this.log(`timeline: cannot reveal ${message.cell}, line ${message.line}: ${String(e)}`));
      }),
    );
  }

  /** The cell it is given (the cell toolbar passes it), or the active notebook's selected one. */
  private async show(arg: unknown): Promise<void> {
    const cell = isCell(arg) ? arg : activeCell();
    if (!cell) {
      void vscode.window.showInformationMessage("Select a code cell of a concurrency notebook to see its thread timeline.");
      return;
    }
    const why = await this.kernels.showTimeline(cell);
    if (why) void vscode.window.showInformationMessage(`No timeline for cell ${cell.index + 1}: ${why}.`);
  }

  /** "cell 3" (also "cell 3, worker in a thread") and a line: that cell's editor, the cursor on the line. */
  private async reveal(editor: vscode.NotebookEditor, label: string, line: number): Promise<void> {
    const index = cellIndexOf(label);
    const cell = index >= 0 && index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
    if (!cell) return;
    editor.revealRange(new vscode.NotebookRange(index, index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    const at = new vscode.Position(Math.max(0, Math.min(line - 1, cell.document.lineCount - 1)), 0);
    const end = cell.document.lineAt(at.line).range.end;
    await vscode.window.showTextDocument(cell.document, { viewColumn: editor.viewColumn, selection: new vscode.Range(at, end), preserveFocus: false });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isCell(x: unknown): x is vscode.NotebookCell {
  return typeof x === "object" && x !== null && "notebook" in x && "document" in x && "index" in x;
}

function activeCell(): vscode.NotebookCell | undefined {
  const editor = vscode.window.activeNotebookEditor;
  if (editor?.notebook.notebookType !== NOTEBOOK_TYPE) return undefined;
  const index = editor.selection.start;
  return index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
}
