// Activation only wires features together; NotebookKernels owns the state of
// running cells, and each feature owns its own disposables.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "./controller";
import { NotebookKernels } from "./notebookKernels";
import { ConcnbSerializer } from "./serializer";

/** Kept for deactivate, which must wait until every kernel process is gone. */
let kernels: NotebookKernels | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Concurrency Notebooks");
  const serializer = new ConcnbSerializer({
    saveOutputs: () => vscode.workspace.getConfiguration("concnb").get<boolean>("saveOutputs", false),
  });
  kernels = new NotebookKernels(context.extensionUri, channel);
  context.subscriptions.push(
    channel,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, serializer, { transientOutputs: false }),
    kernels,
  );
}

export async function deactivate(): Promise<void> {
  const owner = kernels;
  kernels = undefined;
  await owner?.shutdown();
}
