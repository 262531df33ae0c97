// Workspace Trust in a real VS Code: a folder nobody has trusted opens in
// Restricted Mode. A notebook someone sent opens and its cells are checked,
// but no kernel starts and Run in thread runs nothing, and the cell says why;
// then the learner trusts the folder and the same cell runs, without a
// reload. The tests follow one learner, in order. (Running a cell through the
// workbench in Restricted Mode makes VS Code ask for trust in a modal, which a
// workbench running extension tests refuses to show: test/e2e answers it.)
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { ERROR, STDOUT, diagnosticsOf, kernelProcesses, text, trustTheFolder, until } from "../support";

const LESSON = `<!-- ts -->
\`\`\`ts
import { currentThread } from "threading";
console.log("the cell ran");

function hello(): void {
  console.log("hello from", currentThread().name);
}
\`\`\`

<!-- ts -->
\`\`\`ts
import { Lok } from "threading";
\`\`\`
`;

/** Runs the "Run in thread" lens above `hello` as a click on it does. */
async function runHelloInThread(cell: vscode.NotebookCell): Promise<void> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", cell.document.uri)) ?? [];
  const line = cell.document.getText().split("\n").findIndex((l) => l.startsWith("function hello"));
  const lens = lenses.find((l) => l.range.start.line === line);
  assert.ok(lens?.command, "a Run in thread lens above hello, in Restricted Mode too");
  await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
}

suite("Restricted Mode: an untrusted folder runs no cell", function () {
  this.timeout(90_000);
  let doc: vscode.NotebookDocument;
  const before = new Set(kernelProcesses());
  const started = () => kernelProcesses().filter((pid) => !before.has(pid));

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, "the tests run in a workspace");
    const uri = vscode.Uri.joinPath(folder, "sent-to-me.concnb");
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(LESSON));
    doc = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(doc);
  });

  suiteTeardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("the folder is untrusted, and its cells are checked as in a trusted one", async () => {
    assert.equal(vscode.workspace.isTrusted, false, "a folder nobody trusted: Restricted Mode");
    // the language server parses cells, it runs none of them: it stays on
    const [d] = await diagnosticsOf(doc.cellAt(1).document.uri, (ds) => ds.length > 0);
    assert.match(d.message, /^ImportError: cannot import name 'Lok'/);
  });

  test("Run in thread runs nothing, starts no kernel, and the cell says why", async () => {
    // the command resolves after the notebook has taken our kernel, when a trusted folder's kernel would have started
    await runHelloInThread(doc.cellAt(0));
    const c = await until(doc, () => (doc.cellAt(0).executionSummary?.success === false ? doc.cellAt(0) : undefined));
    assert.match(text(c, ERROR), /This folder is not trusted: Concurrency Notebooks runs no code in Restricted Mode\. Trust the folder to run cells/);
    assert.match(text(c, ERROR), /WorkspaceNotTrusted/);
    assert.equal(text(c, STDOUT), "", "no output: the cell did not run");
    assert.deepEqual(started(), [], "no kernel process, neither at open nor for the run");
  });

  test("once the learner trusts the folder, the same cell runs, and Run in thread, without a reload", async () => {
    await trustTheFolder();
    assert.equal(vscode.workspace.isTrusted, true);
    await vscode.window.showNotebookDocument(doc); // the trust editor took its place
    // the refused run has an end and no execution order: wait for one that has both
    const ran = until(doc, () => {
      const s = doc.cellAt(0).executionSummary;
      return s?.executionOrder !== undefined && s.timing?.endTime !== undefined && s.success !== undefined ? doc.cellAt(0) : undefined;
    });
    await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 0, end: 1 }], document: doc.uri });
    const c = await ran;
    assert.equal(c.executionSummary?.success, true, text(c, ERROR));
    assert.equal(text(c, STDOUT), "[MainThread] the cell ran\n");
    assert.equal(started().length, 1, "one kernel, started once the folder was trusted");

    const order = c.executionSummary?.executionOrder ?? 0;
    await runHelloInThread(doc.cellAt(0));
    const t = await until(doc, () => {
      const s = doc.cellAt(0).executionSummary;
      return s?.executionOrder === order + 1 && s.success !== undefined ? doc.cellAt(0) : undefined;
    });
    assert.equal(text(t, STDOUT), "[Thread-1 (hello)] hello from Thread-1 (hello)\n");
  });
});
