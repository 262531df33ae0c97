// Types in cells, in a real VS Code: completion, hover, go to definition and a
// type error as a problem, with the earlier cells in scope, from our language
// server alone (VS Code's own TypeScript stays out of .concnb cells: no
// doubled completions, no "Cannot find module 'threading'").
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { diagnosticsOf, openNotebook } from "./support";

const CELL_1 = `import { Thread, Lock } from "threading";

/** Says hello to someone. */
function greet(name: string): string {
  return "hello " + name;
}`;
const CELL_2 = `const t = new Thread({ target: () => console.log(greet("a")) });
t.`;
const CELL_3 = `const lock = new Lock();
const n: number = greet("b");`;

/** Replaces a cell's whole text, as typing over it would. */
async function retype(cell: vscode.NotebookCell, source: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const doc = cell.document;
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), source);
  assert.ok(await vscode.workspace.applyEdit(edit), "the edit applied");
}

const ours = (d: vscode.Diagnostic) => d.source === "concnb";

suite("Types in cells: completion, hover, definition and type errors", function () {
  this.timeout(120_000);

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("a type error in cell 3 about a function of cell 1 is a problem, and goes away when fixed; nothing from VS Code's own TypeScript", async () => {
    const doc = await openNotebook(CELL_1, "const t = new Thread({ target: () => {} });\nt.start();\nt.join();", CELL_3);
    const third = doc.cellAt(2);
    const [problem] = await diagnosticsOf(third.document.uri, (d) => d.some(ours));
    assert.equal(problem.message, "Type 'string' is not assignable to type 'number'.");
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([problem.range.start.line, problem.range.start.character], [1, 6]);
    // the import of cell 1 used only in cells 2 and 3 is not "unused", and there is no other problem anywhere
    for (const i of [0, 1]) assert.deepEqual(vscode.languages.getDiagnostics(doc.cellAt(i).document.uri), [], `cell ${i + 1}`);

    await retype(third, `const lock = new Lock();\nconst n: string = greet("b");`);
    await diagnosticsOf(third.document.uri, (d) => d.length === 0);

    // VS Code's own TypeScript has had its say once it reports on an ordinary file opened after the notebook
    const plain = await vscode.workspace.openTextDocument({ language: "typescript", content: `const x: number = "a";\n` });
    await vscode.window.showTextDocument(plain, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    const [builtin] = await diagnosticsOf(plain.uri, (d) => d.length > 0);
    assert.equal(builtin.source, "ts", "VS Code's own TypeScript runs beside ours");
    const fromTs = doc.getCells().flatMap((c) => vscode.languages.getDiagnostics(c.document.uri).filter((d) => d.source === "ts"));
    assert.deepEqual(fromTs.map((d) => d.message), [], "VS Code's own TypeScript says nothing of the cells");
  });

  test("`t.` in cell 2 completes a Thread's members, once each, with a function of cell 1 known there", async () => {
    const doc = await openNotebook(CELL_1, CELL_2, CELL_3);
    const second = doc.cellAt(1);
    await diagnosticsOf(doc.cellAt(2).document.uri, (d) => d.some(ours)); // the server has the notebook
    const end = second.document.lineAt(1).range.end;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", second.document.uri, end, ".");
    const labels = list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
    for (const name of ["join", "start", "isAlive", "name", "daemon"]) {
      assert.equal(labels.filter((l) => l === name).length, 1, `${name} once in ${labels.join(", ")}`);
    }
  });

  test("hover shows a cell 1 function's signature and doc in cell 3; go to definition lands on it in cell 1", async () => {
    const doc = await openNotebook(CELL_1, CELL_2, CELL_3);
    const third = doc.cellAt(2);
    await diagnosticsOf(third.document.uri, (d) => d.some(ours));
    const at = new vscode.Position(1, third.document.lineAt(1).text.indexOf("greet") + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", third.document.uri, at);
    const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value)));
    assert.equal(hovers.length, 1, `one hover, ours: ${texts.join(" | ")}`);
    assert.match(texts.join("\n"), /function greet\(name: string\): string/);
    assert.match(texts.join("\n"), /Says hello to someone\./);

    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>("vscode.executeDefinitionProvider", third.document.uri, at);
    const targets = defs.map((d): [vscode.Uri, vscode.Range] => ("targetUri" in d ? [d.targetUri, d.targetRange] : [d.uri, d.range]));
    assert.deepEqual(
      targets.map(([u, r]) => [u.toString(), r.start.line]),
      [[doc.cellAt(0).document.uri.toString(), 3]],
    );
  });

  test("hover on a runtime class shows its documentation, from the typings the build made of the runtime's source", async () => {
    const doc = await openNotebook(CELL_1, CELL_2, CELL_3);
    const third = doc.cellAt(2);
    await diagnosticsOf(third.document.uri, (d) => d.some(ours));
    const at = new vscode.Position(0, third.document.lineAt(0).text.indexOf("Lock") + 1);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", third.document.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
    assert.match(text, /class Lock/);
    assert.ok(text.split("```").at(-1)!.trim().length > 0, `Lock is documented: ${text}`);
  });
});
