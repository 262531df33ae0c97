// The command of the "Run in thread" code lens (the language server puts it
// above each top-level function of a cell): asks for the arguments when the
// function takes some, has the language server check them as they are typed,
// and hands the run to the notebook's kernels.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "./controller";
import type { LanguageFeatures } from "./languageClient";
import type { NotebookKernels } from "./notebookKernels";
import { isRunInThreadArgs, RUN_IN_THREAD_COMMAND, type ParamInfo, type RunInThreadArgs } from "./server/protocol";
import { trusted } from "./trust";

export class RunInThreadCommand implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly kernels: NotebookKernels,
    private readonly language: LanguageFeatures,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(vscode.commands.registerCommand(RUN_IN_THREAD_COMMAND, (arg?: unknown) => this.run(arg)));
  }

  /** Resolves when the run has ended (or did not start: cancelled, invalid, the cell gone). */
  async run(arg: unknown): Promise<void> {
    if (!isRunInThreadArgs(arg)) {
      this.log(`${RUN_IN_THREAD_COMMAND}: not the arguments of a Run in thread lens: ${JSON.stringify(arg)}`);
      return;
    }
    const cell = cellOf(arg.cell);
    if (!cell) {
      void vscode.window.showWarningMessage(`Run in thread: the cell of ${arg.name} is no longer open.`);
      return;
    }
    // in Restricted Mode nothing runs (the kernels say why in the cell): asking for arguments first would waste the learner's typing
    const args = trusted() ? await this.argumentsOf(arg) : "";
    if (args === undefined) return;
    const queued = await this.kernels.runInThread(cell, arg.name, args);
    if (!queued) {
      void vscode.window.showWarningMessage(
        `Run in thread: cell ${cell.index + 1} could not run: it is already queued or running, or the notebook's kernel is not Concurrency Notebooks.`,
      );
    }
  }

  /** The argument list to run with; undefined when the user cancelled or the given list is not valid. */
  private async argumentsOf(arg: RunInThreadArgs): Promise<string | undefined> {
    const check = (text: string) =>
      this.language.checkArguments(text, arg.params, { cell: arg.cell, name: arg.name }).catch((error: unknown) => {
        this.log(`checking arguments: ${error instanceof Error ? error.message : String(error)}`);
        return undefined; // the kernel reports a bad list when it runs
      });
    if (arg.args !== undefined) {
      const error = await check(arg.args);
      if (error === undefined) return arg.args;
      void vscode.window.showErrorMessage(`Run ${arg.name} in a thread: ${error}`);
      return undefined;
    }
    if (arg.params.length === 0) return "";
    // Escape resolves undefined: nothing runs
    return vscode.window.showInputBox({
      title: `Run ${arg.name} in a thread`,
      prompt: `Arguments for ${arg.name}(${arg.params.map(show).join(", ")}), as in a call`,
      placeHolder: `3, "a"`,
      ignoreFocusOut: true,
      validateInput: check,
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function cellOf(uri: string): vscode.NotebookCell | undefined {
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.notebookType !== NOTEBOOK_TYPE) continue;
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === uri);
    if (cell) return cell;
  }
  return undefined;
}

function show(p: ParamInfo): string {
  return `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}`;
}
