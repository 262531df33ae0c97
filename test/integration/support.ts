// What the integration suites share: opening a notebook, running a cell,
// reading its outputs, and waiting for a cell's state through document events.
import { readdirSync, readFileSync } from "node:fs";
import * as vscode from "vscode";

export const EXTENSION_ID = "concurrency-notebooks.concurrency-notebooks";
export const STDOUT = "application/vnd.code.notebook.stdout";
export const STDERR = "application/vnd.code.notebook.stderr";
export const ERROR = "application/vnd.code.notebook.error";

/** Kernel processes (out/kernel.js) that this extension host started, by pid. */
export function kernelProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (cmdline.includes("out/kernel.js") && Number(ppid) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export function cell(source: string): vscode.NotebookCellData {
  return new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, "typescript");
}

export async function openNotebook(...sources: string[]): Promise<vscode.NotebookDocument> {
  const doc = await vscode.workspace.openNotebookDocument("concnb", new vscode.NotebookData(sources.map(cell)));
  await vscode.window.showNotebookDocument(doc);
  return doc;
}

export function text(c: vscode.NotebookCell, mime: string): string {
  const dec = new TextDecoder();
  return c.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => dec.decode(i.data))).join("");
}

/** Resolves when the cell's execution has ended (its summary has an end time), waiting on document events. */
export function ended(doc: vscode.NotebookDocument, index: number): Promise<vscode.NotebookCell> {
  const done = () => {
    const c = doc.cellAt(index);
    return c.executionSummary?.timing?.endTime !== undefined && c.executionSummary?.success !== undefined ? c : null;
  };
  return new Promise((resolve) => {
    const now = done();
    if (now) return resolve(now);
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook !== doc) return;
      const c = done();
      if (c) {
        sub.dispose();
        resolve(c);
      }
    });
  });
}

/** Resolves when the cell's stdout shows `line`: it is running. */
export function printed(doc: vscode.NotebookDocument, index: number, line: string): Promise<void> {
  return new Promise((resolve) => {
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook === doc && text(doc.cellAt(index), STDOUT).includes(line)) {
        sub.dispose();
        resolve();
      }
    });
  });
}

export async function run(doc: vscode.NotebookDocument, index: number): Promise<vscode.NotebookCell> {
  const end = ended(doc, index);
  await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: index, end: index + 1 }], document: doc.uri });
  return end;
}

/** Resolves with `check()`'s first value that is not undefined, checking now and on each change of the notebook. */
export function until<T>(doc: vscode.NotebookDocument, check: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const now = check();
    if (now !== undefined) return resolve(now);
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook !== doc) return;
      const v = check();
      if (v !== undefined) {
        sub.dispose();
        resolve(v);
      }
    });
  });
}

/** Resolves with the diagnostics of `uri` once `check` accepts them, checking now and on each change of diagnostics. */
export function diagnosticsOf(uri: vscode.Uri, check: (d: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const now = vscode.languages.getDiagnostics(uri);
    if (check(now)) return resolve(now);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (check(d)) {
        sub.dispose();
        resolve(d);
      }
    });
  });
}

/** The line the launcher (scripts/vscode.mjs) reads in the extension host's console: it then clicks Trust in the Workspace Trust editor. */
export const TRUST_IN_EDITOR_LINE = "CONCNB CLICK TRUST IN THE WORKSPACE TRUST EDITOR";

/**
 * Trusts the workspace as a learner does from the Restricted Mode banner:
 * opens the Workspace Trust editor and has the launcher click its Trust
 * button. (A workbench that runs extension tests refuses every modal dialog,
 * so VS Code's trust questions cannot be answered here; the e2e check
 * answers them.) Resolves once the trust has reached the extension host.
 */
export async function trustTheFolder(timeoutMs = 60_000): Promise<void> {
  if (vscode.workspace.isTrusted) return;
  let sub: vscode.Disposable | undefined;
  let timer: NodeJS.Timeout | undefined;
  const granted = new Promise<boolean>((resolve) => (sub = vscode.workspace.onDidGrantWorkspaceTrust(() => resolve(true))));
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    await vscode.commands.executeCommand("workbench.trust.manage");
    console.log(TRUST_IN_EDITOR_LINE);
    if (!(await Promise.race([granted, late]))) throw new Error(`the folder was not trusted within ${timeoutMs / 1000} s of asking the launcher`);
  } finally {
    sub?.dispose();
    clearTimeout(timer);
  }
}
