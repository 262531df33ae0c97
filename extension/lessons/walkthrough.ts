// The walkthrough's steps that complete on something the learner does, not on
// a command: a cell run to its end, a thread's exception on stderr, an
// exercise passed. Each sets a context key the walkthrough's completionEvents
// wait on ("onContext:concnb.walkthrough.ranCell"). A key is also remembered
// in global storage and set again at each activation: VS Code keeps a step's
// completion itself, but a context key lives only as long as the window, and
// setting a key that is already true changes nothing. Once every key is set
// the listeners go, so a finished walkthrough costs nothing per output.
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../controller";
import { exercisesIn } from "../exercises/inNotebook";
import { lessonKey, type Progress } from "../exercises/progress";

export const RAN_CELL = "concnb.walkthrough.ranCell";
export const THREAD_EXCEPTION = "concnb.walkthrough.threadException";
export const PASSED_EXERCISE = "concnb.walkthrough.passedExercise";
const KEYS = [RAN_CELL, THREAD_EXCEPTION, PASSED_EXERCISE] as const;
type Key = (typeof KEYS)[number];

const STORE = "concnb.walkthrough.done";
/** How VS Code marks a stderr output item (NotebookCellOutputItem.stderr), which is where the kernel writes a thread's traceback. */
const STDERR = "application/vnd.code.notebook.stderr";
/** The first line threading's default excepthook writes for an exception a thread did not catch. */
const THREAD_EXCEPTION_TEXT = "Exception in thread ";

export class WalkthroughSteps implements vscode.Disposable {
  private readonly done: Set<Key>;
  private listeners: vscode.Disposable[] = [];

  constructor(
    private readonly memento: vscode.Memento,
    private readonly progress: Progress,
  ) {
    const stored = memento.get<unknown>(STORE);
    this.done = new Set(KEYS.filter((k) => Array.isArray(stored) && stored.includes(k)));
    for (const key of this.done) void setContext(key);
    if (this.done.size === KEYS.length) return;
    this.listeners = [
      vscode.workspace.onDidChangeNotebookDocument((e) => this.changed(e)),
      progress.onDidChange((key) => {
        if (key === undefined) return; // progress forgotten: a step done stays done
        for (const n of vscode.workspace.notebookDocuments) if (lessonKey(n.uri) === key) this.checkPassed(n);
      }),
      // a verdict passed before this window (or before this step existed) counts when its lesson is opened
      vscode.workspace.onDidOpenNotebookDocument((n) => this.checkPassed(n)),
    ];
    for (const n of vscode.workspace.notebookDocuments) this.checkPassed(n);
  }

  private changed(e: vscode.NotebookDocumentChangeEvent): void {
    if (e.notebook.notebookType !== NOTEBOOK_TYPE) return;
    for (const change of e.cellChanges) {
      if (change.executionSummary?.timing?.endTime !== undefined) this.mark(RAN_CELL);
      if (change.outputs && !this.done.has(THREAD_EXCEPTION) && change.outputs.some(hasThreadException)) this.mark(THREAD_EXCEPTION);
    }
  }

  private checkPassed(notebook: vscode.NotebookDocument): void {
    if (this.done.has(PASSED_EXERCISE) || notebook.notebookType !== NOTEBOOK_TYPE) return;
    const passed = [...exercisesIn(notebook).keys()].some((id) => this.progress.get(notebook.uri, id)?.passed);
    if (passed) this.mark(PASSED_EXERCISE);
  }

  private mark(key: Key): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    void setContext(key);
    void this.memento.update(STORE, [...this.done]);
    if (this.done.size === KEYS.length) this.stopListening();
  }

  private stopListening(): void {
    for (const d of this.listeners.splice(0)) d.dispose();
  }

  dispose(): void {
    this.stopListening();
  }
}

function hasThreadException(output: vscode.NotebookCellOutput): boolean {
  const decoder = new TextDecoder();
  return output.items.some((i) => i.mime === STDERR && decoder.decode(i.data).includes(THREAD_EXCEPTION_TEXT));
}

function setContext(key: Key): Thenable<unknown> {
  return vscode.commands.executeCommand("setContext", key, true);
}
