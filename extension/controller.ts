// The notebook controller VS Code shows as the kernel of .concnb notebooks.
// It only routes: executing and interrupting are the owner's business.
import * as vscode from "vscode";

export const NOTEBOOK_TYPE = "concnb";
export const CONTROLLER_ID = "concnb-kernel";

export interface ControllerHandlers {
  /** Resolves when every cell has ended (run or dropped); must not reject. */
  execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void>;
  interrupt(notebook: vscode.NotebookDocument): void;
}

export class ConcnbController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(handlers: ControllerHandlers) {
    const c = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, "Concurrency Notebooks");
    c.supportedLanguages = ["typescript"];
    c.supportsExecutionOrder = true;
    c.description = "TypeScript on real threads";
    c.executeHandler = (cells, notebook) => handlers.execute(cells, notebook);
    // With an interrupt handler VS Code never cancels execution tokens from the
    // UI: every stop (a cell's, the toolbar's) arrives here, once per notebook.
    c.interruptHandler = (notebook) => handlers.interrupt(notebook);
    this.controller = c;
    this.disposables.push(c);

    // Preferred affinity makes VS Code pick this controller without asking the user.
    for (const notebook of vscode.workspace.notebookDocuments) this.prefer(notebook);
    this.disposables.push(vscode.workspace.onDidOpenNotebookDocument((notebook) => this.prefer(notebook)));
  }

  private prefer(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType === NOTEBOOK_TYPE) {
      this.controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
