// The language server of .concnb notebooks' TypeScript cells, a process of its
// own (out/server.js, started by the extension's language client over IPC).
// It gets whole notebooks (LSP's notebook sync), so a cell is typed with the
// cells above it: completion, hover, signature help, go to definition and type
// errors (typesService.ts, typeFeatures.ts), beside what the kernel itself
// would refuse before the cell runs (diagnostics.ts: syntax, imports), and a
// "Run in thread" code lens above each top-level function. Never `vscode`.
// TypeScript runs on a worker thread (typesHost.ts), under a heap cap.
import { join } from "node:path";
import {
  createConnection,
  DiagnosticSeverity,
  NotebookDocuments,
  ProposedFeatures,
  TextDocumentSyncKind,
  type CodeLens,
  type Diagnostic,
  type NotebookDocument,
  type ServerCapabilities,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { runtimeExports } from "./runtimeExports";
import { TypesHost, TypesUnavailable } from "./typesHost";
import type { TypesOp, TypesOps } from "./typesProtocol";
import {
  CHECK_ARGUMENTS_REQUEST,
  RUN_IN_THREAD_COMMAND,
  type CheckArgumentsParams,
  type CheckArgumentsResult,
  type RunInThreadArgs,
  DIAGNOSTIC_SOURCE,
  TYPES_WORKER,
} from "./protocol";

/** The cell typed in is checked again this soon after a keystroke: enough to take keystrokes that came together as one. */
const EDITED_CELL_DELAY_MS = 5;
/** The notebook's other cells, which an edit above them may change, once typing has paused this long. */
const OTHER_CELLS_DELAY_MS = 400;
const NOTEBOOK_TYPE = "concnb";
const CODE = 2; // NotebookCellKind.Code

const connection = createConnection(ProposedFeatures.all);
const notebooks = new NotebookDocuments(TextDocument);
const documents = notebooks.cellTextDocuments;
let types: TypesHost | undefined; // made on initialize
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize(() => {
  types = startTypes();
  return { capabilities: capabilities() };
});

function capabilities(): ServerCapabilities {
  return {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: NOTEBOOK_TYPE }, cells: [{ language: "typescript" }] }] },
    codeLensProvider: { resolveProvider: false },
    completionProvider: { triggerCharacters: [".", '"', "'", "/", "@", "<"], resolveProvider: true },
    hoverProvider: true,
    signatureHelpProvider: { triggerCharacters: ["(", ","], retriggerCharacters: [")"] },
    definitionProvider: true,
  };
}

/**
 * TypeScript, on a worker thread of its own (typesHost.ts): a cell that exhausts it costs its notebook's types for a
 * moment, never the server. It also reads cells for the lenses and the kernel's checks, so this thread never loads
 * TypeScript: one copy of it in the process.
 */
function startTypes(): TypesHost {
  // out/server.js beside out/typesWorker.js and out/typings, which the build writes from the runtime's source
  const typings = join(__dirname, "typings");
  return new TypesHost(join(__dirname, "typesWorker.js"), { typings, exports: runtimeExports }, {
    ...TYPES_WORKER,
    log: (l) => connection.console.warn(l),
    onRetry: (uri) => {
      const n = notebooks.getNotebookDocument(uri);
      if (n) for (const cell of codeCells(n)) schedule(cell, 0);
    },
  });
}

function sync(n: NotebookDocument): void {
  types?.setNotebook(
    n.uri,
    codeCells(n).map((uri) => ({ uri, text: documents.get(uri)?.getText() ?? "" })),
  );
}

/** A question of TypeScript about a cell; `none` when there is no answer (types set aside, or no worker). */
async function ask<K extends Exclude<TypesOp, "setNotebook" | "closeNotebook">>(op: K, args: TypesOps[K]["args"], none: TypesOps[K]["result"]) {
  if (!types) return none;
  try {
    return await types.ask(op, args);
  } catch (e) {
    if (!(e instanceof TypesUnavailable)) report(e);
    return none;
  }
}

connection.onCompletion(({ textDocument, position }) => ask("completion", { uri: textDocument.uri, position }, []));
connection.onCompletionResolve((item) => ask("resolveCompletion", { item }, item));
connection.onHover(({ textDocument, position }) => ask("hover", { uri: textDocument.uri, position }, null));
connection.onSignatureHelp(({ textDocument, position }) => ask("signatureHelp", { uri: textDocument.uri, position }, null));
connection.onDefinition(({ textDocument, position }) => ask("definition", { uri: textDocument.uri, position }, []));

connection.onCodeLens(async ({ textDocument }): Promise<CodeLens[]> => {
  const doc = documents.get(textDocument.uri);
  if (!doc) return [];
  return (await ask("functions", { text: doc.getText() }, [])).map((f) => {
    const args: RunInThreadArgs = { cell: doc.uri, name: f.name, params: f.params };
    const at = { line: f.line, character: f.character };
    return { range: { start: at, end: at }, command: { title: "Run in thread", command: RUN_IN_THREAD_COMMAND, arguments: [args] } };
  });
});

connection.onRequest(CHECK_ARGUMENTS_REQUEST, async (p: CheckArgumentsParams): Promise<CheckArgumentsResult> => {
  const error = await ask("checkArguments", { text: p.text, params: p.params }, null);
  if (error !== null) return { error };
  // the list is well formed and long enough: now its types against the function's parameters
  const problems = p.cell && p.name ? await ask("checkCall", { uri: p.cell, name: p.name, args: p.text }, null) : null;
  return problems?.length ? { error: problems[0] } : {};
});

notebooks.onDidOpen((n) => {
  sync(n);
  for (const uri of codeCells(n)) schedule(uri, 0);
});
notebooks.onDidChange(({ notebookDocument: n, cells }) => {
  sync(n);
  const edited = new Set([...(cells?.changed.textContent ?? []), ...(cells?.added ?? [])].map((c) => c.document));
  for (const uri of codeCells(n)) schedule(uri, edited.has(uri) ? EDITED_CELL_DELAY_MS : OTHER_CELLS_DELAY_MS);
  for (const c of cells?.removed ?? []) clear(c.document);
});
notebooks.onDidClose((n) => {
  types?.closeNotebook(n.uri);
  for (const c of n.cells) clear(c.document);
});

function codeCells(n: NotebookDocument): string[] {
  return n.cells.filter((c) => c.kind === CODE).map((c) => c.document);
}

function clear(uri: string): void {
  clearTimeout(pending.get(uri));
  pending.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] }).catch(report);
}

function schedule(uri: string, delay: number): void {
  clearTimeout(pending.get(uri));
  pending.set(
    uri,
    setTimeout(() => {
      pending.delete(uri);
      publish(uri).catch(report);
    }, delay),
  );
}

async function publish(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc) return;
  const version = doc.version;
  // esbuild checks the cell in its own process while TypeScript checks it in this one
  const kernelCheck = ask("kernelDiagnostics", { text: doc.getText() }, []);
  const [kernel, typeDiagnostics] = await Promise.all([kernelCheck, checkTypes(uri)]);
  // typed over while esbuild worked: the newer text has its own check coming
  if (documents.get(uri)?.version !== version) return;
  // a cell that does not parse gets the kernel's SyntaxError alone; TypeScript's guesses past it would only add noise
  const syntax = kernel.some((d) => d.code === "SyntaxError");
  await connection.sendDiagnostics({ uri, version, diagnostics: syntax ? kernel : [...kernel, ...typeDiagnostics] });
}

/** The cell's type errors; when TypeScript cannot give them, a problem that says why, where the learner looks. */
async function checkTypes(uri: string): Promise<Diagnostic[]> {
  if (!types) return [];
  try {
    return await types.ask("typeErrors", { uri });
  } catch (e) {
    if (!(e instanceof TypesUnavailable)) report(e);
    const why = e instanceof TypesUnavailable ? `${e.message}; they come back when the notebook changes` : `TypeScript failed on this cell (${e instanceof Error ? e.message : String(e)})`;
    const at = { line: 0, character: 0 };
    return [{ range: { start: at, end: at }, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message: `Types not checked: ${why}` }];
  }
}

function report(error: unknown): void {
  connection.console.error(`concnb language server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

notebooks.listen(connection);
connection.listen();
if (!runtimeExports) connection.console.warn("concnb language server: built without the runtime's exports; imports are not checked");
