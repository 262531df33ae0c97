// The Lessons view: every lesson of the workspace (its .concnb files, in file
// name order, which is the lessons' order) with its exercises and their state
// from progress (passed, failed, not checked yet). A click on an exercise
// opens its lesson at the exercise's cell. Lessons are read from their files,
// so the view knows a lesson that is not open; a file saved, made or deleted
// is read again.
//
// The tree is redrawn only where something changed, and never for nothing: a
// lesson saved unchanged (VS Code writes a notebook's file again after a run)
// redraws nothing, and a verdict redraws its own lesson only. A redraw
// replaces the items' commands, and a click that lands while it happens finds
// its command gone (VS Code's "Actual command not found", seen here when a
// redraw came as the learner clicked an exercise): the fewer, the better. The
// nodes are kept, one object per lesson and exercise, as VS Code matches
// a refreshed element by identity.
import * as vscode from "vscode";
import { exercisesOf } from "../../kernel/protocol/exercises";
import { parseConcnb, type ConcnbDocument } from "../../kernel/protocol/format";
import { NOTEBOOK_TYPE } from "../controller";
import { exercisesIn } from "./inNotebook";
import { lessonKey, type Progress } from "./progress";

export const LESSONS_VIEW = "concnb.lessons";
export const OPEN_EXERCISE_COMMAND = "concnb.lessons.openExercise";
const REFRESH_COMMAND = "concnb.lessons.refresh";
const RESET_PROGRESS_COMMAND = "concnb.lessons.resetProgress";
/** Folders that hold no lessons of the learner's, however many .concnb files they have. */
const EXCLUDE = "{**/node_modules/**,**/.vscode-test/**,**/out/**}";

interface Lesson {
  uri: vscode.Uri;
  title: string;
  exercises: Array<{ id: string; title: string }>;
}

interface LessonNode {
  lesson: Lesson;
  children: ExerciseNode[];
}
interface ExerciseNode {
  lesson: Lesson;
  exercise: { id: string; title: string };
}
type Node = LessonNode | ExerciseNode;

export class LessonsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The lessons as last read, by URI, in order; undefined until first asked, or after "read them all again". */
  private lessons: Promise<Map<string, LessonNode>> | undefined;
  private readonly disposables: vscode.Disposable[];
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly progress: Progress) {
    this.view = vscode.window.createTreeView(LESSONS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    const watcher = vscode.workspace.createFileSystemWatcher("**/*.concnb");
    const rereadAll = () => {
      this.lessons = undefined;
      this.changed.fire(undefined);
    };
    this.disposables = [
      this.view,
      watcher,
      watcher.onDidCreate(rereadAll),
      watcher.onDidChange((uri) => void this.reread(uri)),
      watcher.onDidDelete(rereadAll),
      vscode.workspace.onDidChangeWorkspaceFolders(rereadAll),
      progress.onDidChange((key) => void this.redraw(key)),
      vscode.commands.registerCommand(REFRESH_COMMAND, rereadAll),
      vscode.commands.registerCommand(OPEN_EXERCISE_COMMAND, (uri: vscode.Uri, id?: string) => openExercise(uri, id)),
      vscode.commands.registerCommand(RESET_PROGRESS_COMMAND, () => this.resetProgress()),
    ];
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return [...(await this.read()).values()];
    return "children" in node ? node.children : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const { lesson } = node;
    if ("children" in node) {
      const passed = lesson.exercises.filter((e) => this.progress.get(lesson.uri, e.id)?.passed).length;
      const item = new vscode.TreeItem(lesson.title, lesson.exercises.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = lesson.uri.toString();
      item.description = lesson.exercises.length > 0 ? `${passed} of ${lesson.exercises.length} passed` : "no exercises";
      item.iconPath = new vscode.ThemeIcon(lesson.exercises.length > 0 && passed === lesson.exercises.length ? "pass-filled" : "notebook");
      item.tooltip = vscode.workspace.asRelativePath(lesson.uri);
      item.command = { command: OPEN_EXERCISE_COMMAND, title: "Open the lesson", arguments: [lesson.uri] };
      item.contextValue = "lesson";
      return item;
    }
    const verdict = this.progress.get(lesson.uri, node.exercise.id);
    const item = new vscode.TreeItem(node.exercise.title, vscode.TreeItemCollapsibleState.None);
    item.id = `${lesson.uri.toString()}#${node.exercise.id}`;
    item.description = verdict ? `${verdict.passed ? "✓" : "✗"} ${verdict.text}` : "not checked yet";
    item.iconPath = verdict
      ? new vscode.ThemeIcon(verdict.passed ? "pass-filled" : "error", new vscode.ThemeColor(verdict.passed ? "testing.iconPassed" : "testing.iconFailed"))
      : new vscode.ThemeIcon("circle-large-outline");
    item.tooltip = new vscode.MarkdownString(`**${node.exercise.title}** (\`${node.exercise.id}\`)\n\n${verdict ? `${verdict.passed ? "Passed" : "Failed"}: ${verdict.text}` : "Not checked yet."}`);
    item.accessibilityInformation = { label: `${node.exercise.title}: ${verdict ? (verdict.passed ? "passed" : "failed") : "not checked yet"}` };
    item.command = { command: OPEN_EXERCISE_COMMAND, title: "Open the exercise", arguments: [lesson.uri, node.exercise.id] };
    item.contextValue = "exercise";
    return item;
  }

  private read(): Promise<Map<string, LessonNode>> {
    this.lessons ??= (async () => {
      const uris = await vscode.workspace.findFiles("**/*.concnb", EXCLUDE, 500);
      uris.sort((a, b) => a.path.localeCompare(b.path));
      const read = await Promise.all(uris.map((uri) => readLesson(uri)));
      return new Map(read.filter((l): l is Lesson => l !== undefined).map((l) => [l.uri.toString(), nodeOf(l)]));
    })();
    return this.lessons;
  }

  /** A lesson's file changed: read again, and redrawn (it and its exercises) only if what the view shows changed. */
  private async reread(uri: vscode.Uri): Promise<void> {
    if (!this.lessons) return; // never shown: read when first asked
    const nodes = await this.lessons;
    const before = nodes.get(uri.toString());
    const now = await readLesson(uri);
    if (!before || !now) {
      this.lessons = undefined; // a lesson that became readable, or stopped being: the list itself changes
      this.changed.fire(undefined);
      return;
    }
    if (JSON.stringify([now.title, now.exercises]) === JSON.stringify([before.lesson.title, before.lesson.exercises])) return;
    // the node stays the same object, its contents are the file's now
    before.lesson.title = now.title;
    before.lesson.exercises = now.exercises;
    before.children = now.exercises.map((exercise) => ({ lesson: before.lesson, exercise }));
    this.changed.fire(before);
  }

  /** A verdict of the lesson whose key this is (undefined: every lesson's) changed: its node is redrawn. */
  private async redraw(key: string | undefined): Promise<void> {
    if (!this.lessons) return;
    const nodes = [...(await this.lessons).values()];
    const changed = key === undefined ? undefined : nodes.filter((n) => lessonKey(n.lesson.uri) === key);
    if (changed === undefined) this.changed.fire(undefined);
    else for (const n of changed) this.changed.fire(n);
  }

  private async resetProgress(): Promise<void> {
    const forget = "Forget Progress";
    const answer = await vscode.window.showWarningMessage(
      "Forget every exercise's verdict?",
      { modal: true, detail: "The Lessons view and the exercise cells show every exercise as not checked yet. Your lessons' text is not touched." },
      forget,
    );
    if (answer === forget) await this.progress.clear();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

function nodeOf(lesson: Lesson): LessonNode {
  return { lesson, children: lesson.exercises.map((exercise) => ({ lesson, exercise })) };
}

async function readLesson(uri: vscode.Uri): Promise<Lesson | undefined> {
  let doc: ConcnbDocument;
  try {
    doc = parseConcnb(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  } catch {
    return undefined; // gone, or unreadable: not a lesson to list
  }
  const data = doc.frontMatter?.data ?? {};
  const name = uri.path.split("/").pop() ?? uri.path;
  const number = typeof data.lesson === "number" || (typeof data.lesson === "string" && /^\d+$/.test(data.lesson)) ? `${data.lesson}. ` : "";
  const title = typeof data.title === "string" ? `${number}${data.title}` : name;
  const exercises = [...exercisesOf(doc.cells).exercises.values()].map((ex) => ({ id: ex.id, title: headingBefore(doc, ex.exercise) ?? ex.id }));
  return { uri, title, exercises };
}

/** The last heading of the Markdown cells above the exercise cell ("1. The ATM"), as the learner reads it there. */
function headingBefore(doc: ConcnbDocument, index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const cell = doc.cells[i];
    if (cell.kind !== "markdown") continue;
    const headings = [...cell.source.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)];
    if (headings.length > 0) return headings[headings.length - 1][1].replace(/[`*_]/g, "");
  }
  return undefined;
}

/** Opens the lesson, at the exercise's cell when one is named. */
async function openExercise(uri: vscode.Uri, id?: string): Promise<void> {
  const notebook = await vscode.workspace.openNotebookDocument(uri);
  if (notebook.notebookType !== NOTEBOOK_TYPE) return;
  const ex = id === undefined ? undefined : exercisesIn(notebook).get(id);
  if (id !== undefined && !ex) void vscode.window.showWarningMessage(`The exercise "${id}" is not in ${vscode.workspace.asRelativePath(uri)} any more.`);
  const at = ex ? new vscode.NotebookRange(ex.exercise, ex.exercise + 1) : new vscode.NotebookRange(0, 0);
  const editor = await vscode.window.showNotebookDocument(notebook, { selections: [at] });
  if (ex) editor.revealRange(at, vscode.NotebookEditorRevealType.AtTop);
}
