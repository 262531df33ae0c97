// The one owner of the host side of running cells: the controller, a session
// (kernel process + queue) per open notebook, the restart command, and the
// shutdown of every kernel when notebooks close or the extension goes away.
import * as vscode from "vscode";
import type { ExerciseVerdicts } from "./exercises/verdicts";
import { CONTROLLER_ID, ConcnbController, NOTEBOOK_TYPE } from "./controller";
import { NotebookSession } from "./notebookSession";
import { kernelOptionsFromSettings } from "./settings";
import { explainNotTrusted, onTrusted, refuseCells, trusted } from "./trust";

export const RESTART_COMMAND = "concnb.restartKernel";
const SELECT_WAIT_MS = 5000;

export class NotebookKernels implements vscode.Disposable {
  private readonly sessions = new Map<string, NotebookSession>();
  /** Kernels still on their way out, so deactivate can wait for them. */
  private readonly stopping = new Set<Promise<void>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly controller: ConcnbController;
  private readonly kernelPath: string;
  /** Notebooks whose selected kernel is ours: only they can run a cell's execution. */
  private readonly selected = new Set<string>();

  constructor(
    extensionUri: vscode.Uri,
    private readonly channel: vscode.OutputChannel,
    private readonly extensionId: string,
    /** Where exercises' verdicts are shown (extension/exercises/verdicts). */
    private readonly verdicts?: ExerciseVerdicts,
  ) {
    this.kernelPath = vscode.Uri.joinPath(extensionUri, "out", "kernel.js").fsPath;
    this.controller = new ConcnbController({
      // The workbench asks for trust before it runs a cell; this holds whoever calls.
      execute: (cells, notebook) =>
        trusted() ? this.sessionOf(notebook).execute(cells) : refuseCells(this.controller.controller, cells, (line) => this.log(line)),
      interrupt: (notebook) => this.sessions.get(key(notebook))?.interrupt(),
    });
    this.disposables.push(
      this.controller,
      this.controller.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        if (selected) {
          this.selected.add(key(notebook));
          this.warm(notebook);
        } else {
          this.selected.delete(key(notebook));
          this.close(notebook); // another kernel took over; ours holds memory for nothing
        }
      }),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => this.close(notebook)),
      vscode.commands.registerCommand(RESTART_COMMAND, (arg?: unknown) => this.restart(arg)),
      // what opening them would have started, had the folder been trusted then
      onTrusted(() => {
        for (const notebook of vscode.workspace.notebookDocuments) if (this.selected.has(key(notebook))) this.warm(notebook);
      }),
    );
  }

  /** Starts the notebook's kernel ahead of its first run; never in Restricted Mode. */
  private warm(notebook: vscode.NotebookDocument): void {
    if (!trusted()) return;
    void this.sessionOf(notebook)
      .warm()
      .then((started) => started || this.log(`the kernel of ${notebook.uri.toString()} did not start ahead of its first run`));
  }

  /** Restarts the kernel of the notebook the command was invoked for (or the active one). */
  async restart(arg?: unknown): Promise<void> {
    const notebook = notebookOf(arg);
    if (!notebook) {
      this.log(`${RESTART_COMMAND}: no Concurrency Notebook to restart`);
      return;
    }
    if (!trusted()) {
      explainNotTrusted(); // no kernel process in Restricted Mode, as none starts at open
      return;
    }
    const started = await this.sessionOf(notebook).restart();
    if (!started) this.log(`${RESTART_COMMAND}: the new kernel for ${notebook.uri.toString()} did not start`);
  }

  /**
   * Runs `target(...args)` on a new thread of the notebook's kernel, as the
   * cell's execution (see NotebookSession.runInThread). Resolves when it has
   * run; false when it could not be queued.
   */
  async runInThread(cell: vscode.NotebookCell, target: string, args: string): Promise<boolean> {
    if (!(await this.select(cell.notebook))) {
      this.log(`run in thread: the notebook ${cell.notebook.uri.toString()} did not take our kernel`);
      return false;
    }
    // the lens runs through no workbench trust request: this is the only gate
    if (!trusted()) {
      await refuseCells(this.controller.controller, [cell], (line) => this.log(line));
      return true;
    }
    return this.sessionOf(cell.notebook).runInThread(cell, target, args);
  }

  /** Shows the timeline of the cell's last run under its output; resolves to why not when there is none. */
  async showTimeline(cell: vscode.NotebookCell): Promise<string | null> {
    const session = this.sessions.get(key(cell.notebook));
    return session ? session.showTimeline(cell) : "this notebook has no kernel yet: run the cell, then ask for its timeline";
  }

  /**
   * Makes ours the notebook's kernel, as running a cell does when none is
   * selected yet: the lens may be the first thing run in a notebook. Through
   * the workbench's own command (the API has none), on the notebook's editor.
   */
  private async select(notebook: vscode.NotebookDocument): Promise<boolean> {
    if (this.selected.has(key(notebook))) return true;
    let sub: vscode.Disposable | undefined;
    const taken = new Promise<void>((resolve) => {
      sub = this.controller.controller.onDidChangeSelectedNotebooks((e) => {
        if (e.selected && key(e.notebook) === key(notebook)) resolve();
      });
    });
    try {
      await vscode.window.showNotebookDocument(notebook, { preserveFocus: true });
      const ok = await vscode.commands.executeCommand<boolean>("_notebook.selectKernel", { id: CONTROLLER_ID, extension: this.extensionId });
      if (ok === false) return false;
      // the selection reaches this side as an event; if it never comes, creating the execution says why
      let timer: NodeJS.Timeout | undefined;
      if (!this.selected.has(key(notebook))) await Promise.race([taken, new Promise<void>((r) => (timer = setTimeout(r, SELECT_WAIT_MS)))]);
      clearTimeout(timer);
      return true;
    } finally {
      sub?.dispose();
    }
  }

  /** Stops every kernel and resolves when their processes are gone. */
  async shutdown(): Promise<void> {
    for (const session of [...this.sessions.values()]) this.close(session.notebook);
    await Promise.all([...this.stopping]);
  }

  dispose(): void {
    for (const session of [...this.sessions.values()]) this.close(session.notebook);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private sessionOf(notebook: vscode.NotebookDocument): NotebookSession {
    let session = this.sessions.get(key(notebook));
    if (!session) {
      session = new NotebookSession(notebook, this.controller.controller, {
        kernelPath: this.kernelPath,
        kernelOptions: kernelOptionsFromSettings,
        log: (line) => this.log(line),
        verdicts: this.verdicts,
      });
      this.sessions.set(key(notebook), session);
    }
    return session;
  }

  private close(notebook: vscode.NotebookDocument): void {
    const session = this.sessions.get(key(notebook));
    if (!session) return;
    this.sessions.delete(key(notebook));
    const stopped: Promise<void> = session
      .dispose()
      .catch((error: unknown) => this.log(`stopping the kernel of ${notebook.uri.toString()}: ${String(error)}`))
      .finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  private log(line: string): void {
    try {
      this.channel.appendLine(line);
    } catch {
      /* the channel is gone during shutdown; nothing else to tell */
    }
  }
}

function key(notebook: vscode.NotebookDocument): string {
  return notebook.uri.toString();
}

/**
 * The toolbar passes the notebook (VS Code turns its context into the
 * NotebookDocument); other callers may pass a Uri or `{ notebookEditor: { notebookUri } }`.
 */
function notebookOf(arg: unknown): vscode.NotebookDocument | undefined {
  const uri = uriOf(arg) ?? vscode.window.activeNotebookEditor?.notebook.uri;
  if (!uri) return undefined;
  return vscode.workspace.notebookDocuments.find(
    (d) => d.notebookType === NOTEBOOK_TYPE && d.uri.toString() === uri.toString(),
  );
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg !== "object" || arg === null) return undefined;
  const a = arg as { uri?: unknown; notebookEditor?: { notebookUri?: unknown } };
  if (a.uri instanceof vscode.Uri) return a.uri;
  if (a.notebookEditor?.notebookUri instanceof vscode.Uri) return a.notebookEditor.notebookUri;
  return undefined;
}
