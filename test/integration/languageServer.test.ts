// The language server in a real VS Code: diagnostics in a cell as it is typed,
// and the "Run in thread" code lens above a function, whose command runs the
// function on a thread of the notebook's kernel, in the cell's output.
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { STDERR, STDOUT, diagnosticsOf, openNotebook, printed, text, until } from "./support";

const FUNCTIONS = `import { currentThread } from "threading";
console.log("the cell ran");

function hello(): void {
  console.log("hello from", currentThread().name);
}

function worker(n: number, label = "x"): void {
  console.log("working on", n, label);
}

const bad = () => {
  throw new Error("boom");
};

function spin(): void {
  console.log("spinning");
  while (true) {}
}`;

/** Replaces a cell's whole text, as typing over it would. */
async function retype(cell: vscode.NotebookCell, source: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const doc = cell.document;
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), source);
  assert.ok(await vscode.workspace.applyEdit(edit), "the edit applied");
}

async function lenses(cell: vscode.NotebookCell): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", cell.document.uri)) ?? [];
}

/** The lens on the line that declares `name`. */
async function lensOf(cell: vscode.NotebookCell, name: string): Promise<vscode.CodeLens> {
  const line = cell.document.getText().split("\n").findIndex((l) => new RegExp(`^(function|const) ${name}\\b`).test(l));
  const lens = (await lenses(cell)).find((l) => l.range.start.line === line);
  assert.ok(lens?.command, `a lens on line ${line + 1} (${name})`);
  return lens;
}

/** Resolves once the execution numbered `order` of the cell has ended. */
function endedAs(doc: vscode.NotebookDocument, index: number, order: number): Promise<vscode.NotebookCell> {
  return until(doc, () => {
    const c = doc.cellAt(index);
    const s = c.executionSummary;
    return s?.executionOrder === order && s.timing?.endTime !== undefined && s.success !== undefined ? c : undefined;
  });
}

suite("Language server: diagnostics and Run in thread", function () {
  this.timeout(90_000);

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("a cell gets a diagnostic for an import the runtime lacks and for a syntax error, cleared when fixed", async () => {
    const doc = await openNotebook(`import { Thread, Lok } from "threading";\nconsole.log(Thread.name);`);
    const cell = doc.cellAt(0);
    const [imp] = await diagnosticsOf(cell.document.uri, (d) => d.length > 0);
    assert.equal(imp.message, "ImportError: cannot import name 'Lok' from 'threading'. Did you mean: 'Lock'?");
    assert.equal(imp.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([imp.range.start.line, imp.range.start.character, imp.range.end.character], [0, 17, 20]);

    await retype(cell, `import { Thread, Lock } from "threading";\nconsole.log(Thread.name, Lock.name);`);
    await diagnosticsOf(cell.document.uri, (d) => d.length === 0);

    await retype(cell, `const a = 1;\nconst b = ;`);
    const [syntax] = await diagnosticsOf(cell.document.uri, (d) => d.length > 0);
    assert.match(syntax.message, /^SyntaxError: Unexpected ";"/);
    assert.deepEqual([syntax.range.start.line, syntax.range.start.character], [1, 10]);
  });

  test("Run in thread sits above each top-level function; it runs the cell first, then the function on a thread named after it", async () => {
    // the second cell tells when the server is up: its diagnostic comes after the lens provider is registered
    const doc = await openNotebook(FUNCTIONS, `import { Lok } from "threading";`);
    await diagnosticsOf(doc.cellAt(1).document.uri, (d) => d.length > 0);
    const cell = doc.cellAt(0);
    const all = await lenses(cell);
    assert.deepEqual(
      all.map((l) => [l.command?.title, l.range.start.line]),
      [["Run in thread", 3], ["Run in thread", 7], ["Run in thread", 11], ["Run in thread", 15]],
    );

    // the cell has not run in this kernel: its own output first, then the thread's, in one execution
    const hello = await lensOf(cell, "hello");
    await vscode.commands.executeCommand(hello.command!.command, ...(hello.command!.arguments ?? []));
    let c = await endedAs(doc, 0, 1);
    assert.equal(c.executionSummary?.success, true);
    assert.equal(text(c, STDOUT), "[MainThread] the cell ran\n[Thread-1 (hello)] hello from Thread-1 (hello)\n");

    // now it has: only the thread runs, with the arguments given
    const worker = await lensOf(cell, "worker");
    const [args] = worker.command!.arguments as [{ params: unknown[] }];
    assert.equal(args.params.length, 2);
    await vscode.commands.executeCommand(worker.command!.command, { ...args, args: `3, "a"` });
    c = await endedAs(doc, 0, 2);
    assert.equal(text(c, STDOUT), "[Thread-1 (worker)] working on 3 a\n");

    // an exception in the function goes to that thread's stderr, as any thread's
    const bad = await lensOf(cell, "bad");
    await vscode.commands.executeCommand(bad.command!.command, ...(bad.command!.arguments ?? []));
    c = await endedAs(doc, 0, 3);
    assert.equal(c.executionSummary?.success, true);
    assert.match(text(c, STDERR), /^\[Thread-1 \(bad\)\] Exception in thread Thread-1 \(bad\):$/m);
    assert.match(text(c, STDERR), /^\[Thread-1 \(bad\)\] {3}File "cell 1", line 13, in bad$/m);
  });

  test("a Run in thread is interrupted like a cell, and arguments that are not a list, or not of the parameters' types, run nothing", async () => {
    const doc = await openNotebook(FUNCTIONS, `import { Lok } from "threading";`);
    await diagnosticsOf(doc.cellAt(1).document.uri, (d) => d.length > 0);
    const cell = doc.cellAt(0);

    const spin = await lensOf(cell, "spin");
    const running = printed(doc, 0, "spinning");
    const done = vscode.commands.executeCommand(spin.command!.command, ...(spin.command!.arguments ?? []));
    await running;
    const t0 = Date.now();
    await vscode.commands.executeCommand("notebook.cell.cancelExecution", { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    await done;
    const c = await endedAs(doc, 0, 1);
    assert.equal(c.executionSummary?.success, false);
    assert.ok(Date.now() - t0 < 2000, `interrupt took ${Date.now() - t0} ms`);

    const worker = await lensOf(cell, "worker");
    const [args] = worker.command!.arguments as [object];
    await vscode.commands.executeCommand(worker.command!.command, { ...args, args: `3], [4` });
    assert.equal(cell.executionSummary?.executionOrder, 1, "nothing ran");
    // well formed, but a string where worker takes a number: the types say no before anything runs
    await vscode.commands.executeCommand(worker.command!.command, { ...args, args: `"three", "a"` });
    assert.equal(cell.executionSummary?.executionOrder, 1, "nothing ran for arguments of the wrong type");
  });
});
