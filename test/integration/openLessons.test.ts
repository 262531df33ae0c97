// "Open Lessons" in a real VS Code: given a folder of the workspace (as the
// dialog would give it), the command copies the extension's lessons there and
// opens the first as a notebook; run again after the learner edited a lesson
// and saved it, with lessons newer than those copied, it keeps the edit, puts
// the newer lesson beside it, and updates the lesson the learner left alone.
// "Newer" is a lessons folder of the test's own (the command's `from`), a copy
// of the bundled lessons with two of them changed: the extension's own files
// are not the test's to change.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import type { Step } from "../../extension/lessons/plan";
import { EXTENSION_ID } from "./support";

const OPEN_LESSONS = "concnb.openLessons";
const FIRST = "01-threads.concnb";
const SECOND = "02-race-conditions-and-locks.concnb";

suite("Open Lessons", function () {
  this.timeout(60_000);
  let folder: vscode.Uri;
  let bundled: string;
  let version: string;
  const scratch: string[] = [];

  suiteSetup(() => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(workspace, "the tests run in a workspace");
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, "the extension is installed");
    bundled = join(extension.extensionUri.fsPath, "notebooks");
    version = String((extension.packageJSON as { version?: unknown }).version);
    // inside the workspace folder: the command opens the lesson here instead of asking to open the folder
    folder = vscode.Uri.joinPath(workspace, `Concurrency Lessons ${process.pid}`);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    for (const dir of [folder.fsPath, ...scratch]) rmSync(dir, { recursive: true, force: true });
  });

  const lessonsIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".concnb")).sort();
  const inFolder = (name: string) => readFileSync(join(folder.fsPath, name), "utf8");

  test("copies the bundled lessons into the folder it is given and opens the first as a notebook", async () => {
    const steps = await vscode.commands.executeCommand<Step[] | undefined>(OPEN_LESSONS, folder);
    assert.ok(steps, "the command copied");
    const lessons = lessonsIn(bundled);
    assert.ok(lessons.length > 1 && lessons[0] === FIRST, lessons.join(", "));
    assert.deepEqual(steps.map((s) => [s.kind, s.name]), lessons.map((l) => ["copy", l]));
    assert.deepEqual(lessonsIn(folder.fsPath), lessons);
    for (const l of lessons) assert.equal(inFolder(l), readFileSync(join(bundled, l), "utf8"), `${l} is the bundled lesson`);
    const editor = vscode.window.activeNotebookEditor;
    assert.equal(editor?.notebook.uri.toString(), vscode.Uri.joinPath(folder, FIRST).toString());
    assert.equal(editor?.notebook.notebookType, "concnb");
  });

  test("run again with newer lessons, it keeps the learner's edit, adds the newer lesson beside it, and updates the untouched one", async () => {
    // the learner edits the first lesson in the notebook editor and saves it
    const first = vscode.Uri.joinPath(folder, FIRST);
    const doc = await vscode.workspace.openNotebookDocument(first);
    await vscode.window.showNotebookDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.cellAt(0).document.uri, new vscode.Position(0, 0), "My note: threads share the process.\n\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save(), "saved");
    const mine = inFolder(FIRST);
    assert.match(mine, /My note: threads share the process\./);

    // newer lessons: the first and the second changed since they were copied
    const newer = mkdtempSync(join(tmpdir(), "concnb-newer-lessons-"));
    scratch.push(newer);
    cpSync(bundled, newer, { recursive: true });
    const added = "\n<!-- md -->\nNew in this version of the lesson.\n";
    for (const l of [FIRST, SECOND]) writeFileSync(join(newer, l), readFileSync(join(bundled, l), "utf8") + added);

    const steps = await vscode.commands.executeCommand<Step[] | undefined>(OPEN_LESSONS, folder, { from: vscode.Uri.file(newer) });
    assert.ok(steps, "the command copied");
    const beside = `01-threads (lesson ${version}).concnb`;
    const byName = new Map(steps.map((s) => [s.name, s]));
    assert.deepEqual(byName.get(FIRST), { kind: "beside", name: FIRST, beside, hash: byName.get(FIRST)?.hash });
    assert.equal(byName.get(SECOND)?.kind, "replace");
    for (const s of steps) if (s.name !== FIRST && s.name !== SECOND) assert.equal(s.kind, "leave", `${s.name} equals the bundled lesson`);

    assert.equal(inFolder(FIRST), mine, "the learner's edit is kept");
    assert.equal(inFolder(beside), readFileSync(join(newer, FIRST), "utf8"), "the newer lesson is beside it");
    assert.equal(inFolder(SECOND), readFileSync(join(newer, SECOND), "utf8"), "the lesson the learner left alone is updated");
    assert.deepEqual(lessonsIn(folder.fsPath), [...lessonsIn(bundled), beside].sort());
    // the learner's lesson is the one open, as they left it
    const editor = vscode.window.activeNotebookEditor;
    assert.equal(editor?.notebook.uri.toString(), first.toString());
    assert.equal(editor?.notebook.isDirty, false);
    assert.match(editor?.notebook.cellAt(0).document.getText() ?? "", /^My note/);
  });
});
