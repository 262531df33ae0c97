// Exercises in a real VS Code: running a check cell checks its exercise as the
// learner's cell says now, `runs` times, and says the verdict; a solution cell
// does not run with the notebook. The notebook is the CLI's fixture, so both
// judge the same cells.
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { parseConcnb } from "../../kernel/protocol/format";
import { roleOf } from "../../kernel/protocol/exercises";
import { ERROR, ended, run, text, until } from "./support";

const FIXTURE = join(__dirname, "..", "..", "..", "test", "fixtures", "exercises", "exercises.concnb");

async function fixture(): Promise<vscode.NotebookDocument> {
  const cells = parseConcnb(readFileSync(FIXTURE, "utf8")).cells.map((c) => {
    const d = new vscode.NotebookCellData(c.kind === "code" ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup, c.source, c.kind === "code" ? "typescript" : "markdown");
    if (c.metadata) d.metadata = c.metadata;
    return d;
  });
  const doc = await vscode.workspace.openNotebookDocument("concnb", new vscode.NotebookData(cells));
  await vscode.window.showNotebookDocument(doc);
  return doc;
}

const plain = (c: vscode.NotebookCell) => text(c, "text/plain");

suite("Exercises in VS Code", function () {
  this.timeout(120_000);

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("a check cell fails on the unsolved exercise, and passes once the learner's cell is fixed", async () => {
    const doc = await fixture();
    const failed = await run(doc, 2);
    assert.equal(failed.executionSummary?.success, false);
    assert.match(plain(failed), /^✗ "double" failed 1 of 1 run: expected 42, got 21 \(cell 3, line 2\)$/m);
    assert.match(text(failed, ERROR), /AssertionError/);
    // the learner fixes the exercise cell; the check judges its text as it is now
    const exercise = doc.cellAt(1).document;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(exercise.uri, new vscode.Range(0, 0, exercise.lineCount, 0), "function double(n: number): number {\n  return n + n;\n}\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    const ok = await run(doc, 2);
    assert.equal(ok.executionSummary?.success, true, text(ok, ERROR));
    assert.match(plain(ok), /^✓ "double" passed 1 of 1 run$/m);
  });

  test("a racy answer is run `runs` times and told how many failed; a solution cell does not run", async () => {
    const doc = await fixture();
    const racy = await run(doc, 6);
    assert.equal(racy.executionSummary?.success, false);
    const m = /^✗ "counter" failed (\d) of 5 runs: expected 80, got (\d+)/m.exec(plain(racy));
    assert.ok(m && Number(m[1]) >= 1 && Number(m[2]) < 80, plain(racy));
    // it ends with no verdict (neither ✓ nor ✗): what it says is the sign it was asked to run
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 4, end: 5 }], document: doc.uri });
    const said = await until(doc, () => (/This is the solution of "double"/.test(plain(doc.cellAt(4))) ? plain(doc.cellAt(4)) : undefined));
    assert.match(said, /it does not run with the notebook\. To try it, copy it into the exercise's cell and run its check\./);
  });

  test("hints and solutions stay folded until asked; Check runs the check; a hint shown comes where the file keeps it, and saving writes the file back", async () => {
    // opened from a file, as a learner opens a lesson: the serializer folds
    const file = join(mkdtempSync(join(tmpdir(), "concnb-exercises-")), "exercises.concnb");
    copyFileSync(FIXTURE, file);
    const original = readFileSync(file, "utf8");
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    await vscode.window.showNotebookDocument(doc);
    const roles = () => doc.getCells().map((c) => roleOf(c.metadata)?.role ?? c.kind);
    assert.deepEqual(roles(), [vscode.NotebookCellKind.Markup, "exercise", "check", "exercise", "check"]);
    // Check, as the exercise cell's status bar runs it: the check cell's run, every run
    const checked = ended(doc, 2);
    await vscode.commands.executeCommand("concnb.exercise.check", doc.uri, "double");
    const failed = await checked;
    assert.match(plain(failed), /^✗ "double" failed 1 of 1 run: expected 42, got 21/m);
    // the hint, below the check; a second ask finds none left and changes nothing
    await vscode.commands.executeCommand("concnb.exercise.showHint", doc.uri, "double");
    assert.deepEqual(roles(), [vscode.NotebookCellKind.Markup, "exercise", "check", "hint", "exercise", "check"]);
    assert.equal(doc.cellAt(3).document.getText(), "Twice `n` is `n * 2`.");
    await vscode.commands.executeCommand("concnb.exercise.showHint", doc.uri, "double");
    assert.equal(doc.cellCount, 6);
    // saved: the hint where it was, both solutions back in their places, byte for byte
    assert.ok(await doc.save());
    assert.equal(readFileSync(file, "utf8"), original);
  });
});
