// "Open Lessons": the lessons the extension ships, copied into a folder of the
// learner's, then the first one opened. The folder is theirs: the bundled
// files are read-only in an installed extension and replaced by each update,
// so edits there would be lost. What was copied is remembered (by hash, in
// global storage, as progress is) so a later run can tell the learner's edits
// from the copy; copy.ts and plan.ts decide what is written.
//
// A folder not in the workspace is opened (the window reloads, or a new one
// opens), so the first lesson cannot be opened by this run: a marker in
// global storage says which, and the activation in that window opens it.
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../controller";
import { copyLessons, LessonCopyError } from "./copy";
import type { Step } from "./plan";
import { summarize } from "./summary";

export const OPEN_LESSONS_COMMAND = "concnb.openLessons";
const COPIED_KEY = "concnb.lessons.copied";
const PENDING_KEY = "concnb.lessons.pending";
/** A marker older than this is from a folder opening that never happened (cancelled, crashed): dropped, not acted on. */
const PENDING_FOR_MS = 10 * 60_000;
const DEFAULT_FOLDER = "Concurrency Lessons";

/** Folder (as its URI string) → lesson file name → hash of what was copied there. */
type Copied = Record<string, Record<string, string>>;
interface Pending {
  lesson: string;
  at: number;
}

/** The command's optional second argument: `from` is a folder of lessons to copy instead of the bundled ones. */
interface Options {
  from?: vscode.Uri;
}

export class OpenLessons implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
    /** The extension's version, in the names of side copies. */
    private readonly version: string,
  ) {
    this.disposables = [vscode.commands.registerCommand(OPEN_LESSONS_COMMAND, (target?: unknown, options?: unknown) => this.run(target, options))];
    void this.openPending();
  }

  /**
   * Copies into `target` (a folder URI; asked for when not given) and opens the first lesson.
   * Resolves with the steps taken (for tests and other callers), or undefined when nothing was copied.
   */
  async run(target?: unknown, options?: unknown): Promise<Step[] | undefined> {
    const folder = target instanceof vscode.Uri ? target : await this.pick();
    if (!folder) return undefined;
    if (folder.scheme !== "file" && folder.scheme !== "vscode-remote") {
      void vscode.window.showErrorMessage(`Cannot copy the lessons into ${folder.toString()}: it is not a folder on disk.`);
      return undefined;
    }
    const from = isOptions(options) && options.from ? options.from : vscode.Uri.joinPath(this.extensionUri, "notebooks");
    let result;
    try {
      result = await copyLessons({ from: from.fsPath, to: folder.fsPath, recorded: this.copiedInto(folder), unsaved: unsavedIn(folder), label: this.version });
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not copy the lessons into ${folder.fsPath}: ${e instanceof LessonCopyError ? `${e.path}: ${e.reason}` : String(e)}.`);
      return undefined;
    }
    await this.remember(folder, result.recorded);
    if (result.error) {
      const written = result.done.length > 0 ? ` The lessons before it were copied.` : "";
      void vscode.window.showErrorMessage(`Could not copy the lessons into ${folder.fsPath}: ${result.error.path}: ${result.error.reason}.${written}`);
      return undefined;
    }
    const summary = summarize(result.steps, folder.fsPath);
    void (summary.level === "warning" ? vscode.window.showWarningMessage(summary.text) : vscode.window.showInformationMessage(summary.text));
    const first = vscode.Uri.joinPath(folder, result.steps[0].name);
    if (vscode.workspace.getWorkspaceFolder(first)) await openLesson(first);
    else await this.openFolder(folder, first);
    return result.steps;
  }

  /** The learner's choice of folder: ~/Concurrency Lessons offered first when it would do, else the folder dialog. */
  private async pick(): Promise<vscode.Uri | undefined> {
    const home = await dirOrUndefined(homedir());
    const suggested = home === undefined ? undefined : join(home, DEFAULT_FOLDER);
    const state = suggested === undefined ? "none" : await kindOf(suggested);
    if (suggested !== undefined && state === "missing") {
      const create = `Create ${suggested}`;
      const choose = "Choose Another Folder…";
      const answer = await vscode.window.showInformationMessage(
        "Where should the lessons go?",
        {
          modal: true,
          detail: `They are copied into a folder of yours, where your changes stay yours: opening the lessons again later adds newer lessons without writing over what you changed.`,
        },
        create,
        choose,
      );
      if (answer === create) return vscode.Uri.file(suggested);
      if (answer !== choose) return undefined;
    }
    const start = suggested !== undefined && state === "folder" ? suggested : home;
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: start === undefined ? undefined : vscode.Uri.file(start),
      openLabel: "Copy Lessons Here",
      title: "Copy the lessons into a folder",
    });
    return picked?.[0];
  }

  /** Opens the folder, asking first when it would replace the one open here; the first lesson opens there (openPending). */
  private async openFolder(folder: vscode.Uri, first: vscode.Uri): Promise<void> {
    let newWindow = false;
    if ((vscode.workspace.workspaceFolders?.length ?? 0) > 0 || vscode.workspace.workspaceFile) {
      const here = "Open in This Window";
      const apart = "Open in New Window";
      const answer = await vscode.window.showInformationMessage(
        `Open ${folder.fsPath} to run the lessons?`,
        { modal: true, detail: "The lessons are copied there. The first lesson opens with the folder." },
        here,
        apart,
      );
      if (answer === undefined) return;
      newWindow = answer === apart;
    }
    await this.memento.update(PENDING_KEY, { lesson: first.toString(), at: Date.now() } satisfies Pending);
    await vscode.commands.executeCommand("vscode.openFolder", folder, newWindow ? { forceNewWindow: true } : { forceReuseWindow: true });
  }

  /** At activation: the lesson a run in another window (or before this reload) meant to open here. */
  private async openPending(): Promise<void> {
    const pending = this.memento.get<unknown>(PENDING_KEY);
    if (!isPending(pending)) return;
    if (Date.now() - pending.at > PENDING_FOR_MS) {
      await this.memento.update(PENDING_KEY, undefined);
      return;
    }
    const lesson = vscode.Uri.parse(pending.lesson);
    if (!vscode.workspace.getWorkspaceFolder(lesson)) return; // another window's folder: that window opens it
    await this.memento.update(PENDING_KEY, undefined);
    await openLesson(lesson);
  }

  private copiedInto(folder: vscode.Uri): Map<string, string> {
    const all = this.memento.get<Copied>(COPIED_KEY) ?? {};
    const entry = all[keyOf(folder)];
    return new Map(typeof entry === "object" && entry !== null ? Object.entries(entry).filter((e): e is [string, string] => typeof e[1] === "string") : []);
  }

  private async remember(folder: vscode.Uri, recorded: Map<string, string>): Promise<void> {
    const all = { ...(this.memento.get<Copied>(COPIED_KEY) ?? {}) };
    all[keyOf(folder)] = Object.fromEntries(recorded);
    await this.memento.update(COPIED_KEY, all);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** One folder, one record, however its URI was spelled ("…/Concurrency Lessons/" from a dialog, without the slash from a test). */
function keyOf(folder: vscode.Uri): string {
  return folder.with({ path: folder.path.replace(/(?<=.)\/+$/, "") }).toString();
}

async function openLesson(uri: vscode.Uri): Promise<void> {
  try {
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    await vscode.window.showNotebookDocument(notebook);
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not open the lesson ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Names of the folder's lessons open with unsaved changes: their files may look as copied, but they are being edited. */
function unsavedIn(folder: vscode.Uri): Set<string> {
  const prefix = folder.path.endsWith("/") ? folder.path : `${folder.path}/`;
  return new Set(
    vscode.workspace.notebookDocuments
      .filter((n) => n.isDirty && n.uri.scheme === folder.scheme && n.uri.path.startsWith(prefix) && !n.uri.path.slice(prefix.length).includes("/"))
      .map((n) => n.uri.path.slice(prefix.length)),
  );
}

async function kindOf(path: string): Promise<"folder" | "missing" | "other"> {
  try {
    return (await stat(path)).isDirectory() ? "folder" : "other";
  } catch {
    return "missing";
  }
}

/** The home folder if it is one to put a folder in (not missing, not the file system's root as in some containers). */
async function dirOrUndefined(path: string): Promise<string | undefined> {
  if (!path || path === "/" || /^[A-Za-z]:\\?$/.test(path)) return undefined;
  return (await kindOf(path)) === "folder" ? path : undefined;
}

function isOptions(v: unknown): v is Options {
  return typeof v === "object" && v !== null && (!("from" in v) || v.from === undefined || v.from instanceof vscode.Uri);
}

function isPending(v: unknown): v is Pending {
  return typeof v === "object" && v !== null && typeof (v as Pending).lesson === "string" && typeof (v as Pending).at === "number";
}
