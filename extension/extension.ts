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
import { ExerciseCommands } from "./exercises/commands";
import { LessonsView } from "./exercises/lessonsView";
import { Originals } from "./exercises/originals";
import { Progress } from "./exercises/progress";
import { ExerciseVerdicts } from "./exercises/verdicts";
import { OpenLessons } from "./lessons/openLessons";
import { WalkthroughSteps } from "./lessons/walkthrough";

/** Kept for deactivate, which must wait until every kernel process and the language server are gone. */
let kernels: NotebookKernels | undefined;
let language: LanguageFeatures | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Concurrency Notebooks");
  const serializer = new ConcnbSerializer({
    saveOutputs: () => vscode.workspace.getConfiguration("concnb").get<boolean>("saveOutputs", false),
  });
  // exercises: progress and original texts in global storage, never in the lesson file
  const progress = new Progress(context.globalState);
  const originals = new Originals(context.extensionUri, context.globalState);
  const verdicts = new ExerciseVerdicts(progress, originals);
  kernels = new NotebookKernels(context.extensionUri, channel, context.extension.id, verdicts);
  language = new LanguageFeatures(context.extensionUri, channel);
  context.subscriptions.push(
    channel,
    progress,
    verdicts,
    new ExerciseCommands(originals),
    new LessonsView(progress),
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, serializer, { transientOutputs: false }),
    kernels,
    language,
    new RunInThreadCommand(kernels, language, (line) => channel.appendLine(line)),
    new TimelineCommands(kernels, (line) => channel.appendLine(line)),
    // after the serializer: a lesson left to open by a run before the window reloaded is opened from here
    new OpenLessons(context.extensionUri, context.globalState, String(context.extension.packageJSON.version ?? "new")),
    new WalkthroughSteps(context.globalState, progress),
  );
}

export async function deactivate(): Promise<void> {
  const [k, l] = [kernels, language];
  kernels = undefined;
  language = undefined;
  await Promise.all([k?.shutdown(), l?.stop()]);
}
