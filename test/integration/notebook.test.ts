// The extension in a real VS Code: activation on a .concnb, our kernel chosen
// without asking, cells on real threads with per-thread output, a thread's
// exception on stderr, interrupt, restart.
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { ERROR, EXTENSION_ID, STDERR, STDOUT, ended, kernelProcesses, openNotebook, printed, run, text } from "./support";

suite("Concurrency Notebooks in VS Code", function () {
  this.timeout(90_000); // showNotebookDocument alone sometimes takes 30 s in the headless workbench

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("activates on a .concnb and opens it with our kernel, without asking which", async () => {
    const doc = await openNotebook(`console.log("hello from", "${"VS Code"}")`);
    assert.equal(doc.notebookType, "concnb");
    const c = await run(doc, 0);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, "extension is active");
    assert.equal(c.executionSummary?.success, true);
    assert.equal(text(c, STDOUT), "[MainThread] hello from VS Code\n");
    assert.equal(c.executionSummary?.executionOrder, 1);
  });

  test("starts a notebook's kernel as the notebook opens, before any run", async function () {
    if (!existsSync("/proc/self/status")) this.skip(); // the processes are read from Linux's /proc
    const before = new Set(kernelProcesses());
    const doc = await openNotebook(`console.log("ready")`);
    // no event tells the extension host's tests that a process started: look for it, for a bounded time
    const deadline = Date.now() + 20_000;
    let started: number[] = [];
    while ((started = kernelProcesses().filter((pid) => !before.has(pid))).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(started.length, 1, "one kernel process started for the opened notebook");
    const c = await run(doc, 0);
    assert.equal(text(c, STDOUT), "[MainThread] ready\n");
    assert.deepEqual(kernelProcesses().filter((pid) => !before.has(pid)), started, "the first run used the kernel started at open");
  });

  test("shows each thread's output apart, and a thread's exception on stderr while main carries on", async () => {
    const doc = await openNotebook(`import { Thread } from "threading";
function worker(n: number) {
  console.log("working", n);
}
function bad() {
  throw new Error("boom");
}
const ts = [1, 2, 3].map((n) => new Thread({ target: worker, args: [n] }));
ts.forEach((t) => t.start());
ts.forEach((t) => t.join());
const b = new Thread({ target: bad });
b.start();
b.join();
console.log("main carries on");`);
    const c = await run(doc, 0);
    assert.equal(c.executionSummary?.success, true);
    const out = text(c, STDOUT);
    for (const n of [1, 2, 3]) assert.match(out, new RegExp(`^\\[Thread-${n} \\(worker\\)\\] working ${n}$`, "m"));
    assert.match(out, /^\[MainThread\] main carries on$/m);
    const err = text(c, STDERR);
    assert.match(err, /^\[Thread-4 \(bad\)\] Exception in thread Thread-4 \(bad\):$/m);
    assert.match(err, /^\[Thread-4 \(bad\)\] {3}File "cell 1", line 6, in bad$/m);
    assert.equal(text(c, ERROR), "");
  });

  test("an error in the main thread fails the cell and points at its line", async () => {
    const doc = await openNotebook(`const a = 1;\nnotDefined(a);`);
    const c = await run(doc, 0);
    assert.equal(c.executionSummary?.success, false);
    assert.match(text(c, ERROR), /notDefined is not defined/);
    assert.match(text(c, ERROR), /File \\?"cell 1\\?", line 2/);
  });

  test("interrupt ends `while (true) {}` within 2 s, and the next cell runs", async () => {
    const doc = await openNotebook(`console.log("spinning");\nwhile (true) {}`, `console.log("next")`);
    const running = printed(doc, 0, "spinning");
    const end = ended(doc, 0);
    void vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    await running;
    const t0 = Date.now();
    await vscode.commands.executeCommand("notebook.cell.cancelExecution", { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    const c = await end;
    const took = Date.now() - t0;
    assert.equal(c.executionSummary?.success, false);
    assert.ok(took < 2000, `interrupt took ${took} ms`);
    const next = await run(doc, 1);
    assert.equal(text(next, STDOUT), "[MainThread] next\n");
  });

  test("Restart Kernel drops the notebook's state, and cells run again", async () => {
    const doc = await openNotebook(`const kept = 41;`, `console.log(typeof kept)`);
    await run(doc, 0);
    assert.equal(text(await run(doc, 1), STDOUT), "[MainThread] number\n");
    await vscode.commands.executeCommand("concnb.restartKernel", doc);
    const c = await run(doc, 1);
    assert.equal(text(c, STDOUT), "[MainThread] undefined\n");
    assert.equal(c.executionSummary?.executionOrder, 1);
  });

  test("a file that is not text (zero bytes, invalid UTF-8, lone \\r) opens as one plain-text cell that does not run, and saves every byte back", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, "the tests run in a workspace");
    const uri = vscode.Uri.joinPath(folder, "binary.concnb");
    const original = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe, 0x41, 0x0d, 0x42, 0x0a, 0x0d, 0x0a, 0x80]);
    await vscode.workspace.fs.writeFile(uri, original);
    const doc = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(doc);
    assert.equal(doc.cellCount, 1);
    assert.equal(doc.cellAt(0).document.languageId, "plaintext", "a plain-text cell: nothing in it runs");
    const edit = new vscode.WorkspaceEdit();
    edit.set(uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...doc.metadata })]);
    await vscode.workspace.applyEdit(edit);
    assert.ok(await doc.save(), "saved");
    assert.deepEqual([...(await vscode.workspace.fs.readFile(uri))], [...original]);
  });

  test("a file with a part the parser does not understand opens, shows it as text, and saves every byte back", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, "the tests run in a workspace");
    const uri = vscode.Uri.joinPath(folder, "malformed.concnb");
    const original =
      "---\ntitle: broken on purpose\n---\n\n<!-- md -->\n# Fine\n\n<!-- ts {not json} -->\n```ts\nconsole.log(1)\n```\n\n<!-- ts -->\n```ts\nconsole.log(\"still runs\")\n```\n";
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(original));
    const doc = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(doc);
    const kinds = doc.getCells().map((c) => `${c.kind === vscode.NotebookCellKind.Code ? "code" : "markup"}:${c.document.languageId}`);
    assert.ok(kinds.includes("code:plaintext"), `the broken part is a plain-text cell: ${kinds.join(", ")}`);
    const last = await run(doc, doc.cellCount - 1);
    assert.equal(text(last, STDOUT), "[MainThread] still runs\n");
    // an edit elsewhere makes the notebook dirty; saving must keep the broken part byte for byte
    const edit = new vscode.WorkspaceEdit();
    edit.set(uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...doc.metadata })]);
    await vscode.workspace.applyEdit(edit);
    assert.ok(await doc.save(), "saved");
    const saved = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    assert.equal(saved, original);
  });
});
