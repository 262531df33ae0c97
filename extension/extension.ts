// Activation only wires features together; NotebookKernels owns the state of
// running cells, LanguageFeatures the language server, and each feature owns
// its own disposables.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "./controller";
import { LanguageFeatures } from "./languageClient";
import { NotebookKernels } from "./notebookKernels";
import { RunInThreadCommand } from "./runInThread";
import { ConcnbSerializer } from "./serializer";
import { TimelineCommands } from "./timelineCommands";
import { ExerciseVerdicts } from "./exerciseVerdicts";

/** Kept for deactivate, which must wait until every kernel process and the language server are gone. */
let kernels: NotebookKernels | undefined;
let language: LanguageFeatures | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Concurrency Notebooks");
  const serializer = new ConcnbSerializer({
    saveOutputs: () => vscode.workspace.getConfiguration("concnb").get<boolean>("saveOutputs", false),
  });
  const verdicts = new ExerciseVerdicts();
  kernels = new NotebookKernels(context.extensionUri, channel, context.extension.id, verdicts);
  language = new LanguageFeatures(context.extensionUri, channel);
  context.subscriptions.push(
    channel,
    verdicts,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, serializer, { transientOutputs: false }),
    kernels,
    language,
    new RunInThreadCommand(kernels, language, (line) => channel.appendLine(line)),
    new TimelineCommands(kernels, (line) => channel.appendLine(line)),
  );
}

export async function deactivate(): Promise<void> {
  const [k, l] = [kernels, language];
  kernels = undefined;
  language = undefined;
  await Promise.all([k?.shutdown(), l?.stop()]);
}
