// Workspace Trust. A cell is code from the folder, and running it runs that
// code on this machine; so in Restricted Mode (a folder the learner has not
// trusted) nothing of ours runs a cell: not the controller, not "Run in
// thread", and no kernel starts ahead of a run. The language server stays:
// it only parses cells. The learner is told why in the cell they ran, and
// offered the workbench's trust editor; once trust is granted, cells run
// without a reload.
import * as vscode from "vscode";
import type { CellError } from "../kernel/protocol/messages";
import { errorForDisplay } from "../kernel/client/kernelErrors";

export const WorkspaceNotTrusted = "WorkspaceNotTrusted";
/** The workbench's Workspace Trust editor, where the folder is trusted. */
export const MANAGE_TRUST_COMMAND = "workbench.trust.manage";
const MANAGE = "Manage Workspace Trust";

export const notTrustedMessage =
  "This folder is not trusted: Concurrency Notebooks runs no code in Restricted Mode. Trust the folder to run cells (Manage Workspace Trust).";

export const notTrustedError: CellError = { name: WorkspaceNotTrusted, message: notTrustedMessage };

/** Whether code from this workspace may run now; true outside Restricted Mode (and when trust is off). */
export function trusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Calls `listener` once the learner trusts the workspace (trust is never taken back without a reload). */
export function onTrusted(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(listener);
}

/** One notification at a time: running every cell of a lesson must not stack one per cell. */
let notifying: Thenable<void> | undefined;

/** Tells the learner why nothing ran, with a button to the trust editor. */
export function explainNotTrusted(): void {
  if (notifying) return;
  notifying = vscode.window.showWarningMessage(notTrustedMessage, MANAGE).then(
    async (choice) => {
      notifying = undefined;
      if (choice === MANAGE) await vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
    },
    () => {
      notifying = undefined;
    },
  );
}

/**
 * Ends each cell's execution at once, its output the reason it did not run,
 * and tells the learner. No kernel starts and no code runs.
 */
export async function refuseCells(
  controller: vscode.NotebookController,
  cells: readonly vscode.NotebookCell[],
  log: (line: string) => void,
): Promise<void> {
  explainNotTrusted();
  for (const cell of cells) {
    let execution: vscode.NotebookCellExecution;
    try {
      execution = controller.createNotebookCellExecution(cell);
    } catch (error) {
      log(`cannot show why cell ${cell.index + 1} did not run: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    execution.start(Date.now());
    try {
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(errorForDisplay(notTrustedError))]));
    } finally {
      execution.end(false, Date.now());
    }
  }
  log(`Restricted Mode: ${cells.length} cell(s) not run, the folder is not trusted`);
}
