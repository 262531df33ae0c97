// The language server of .concnb notebooks' TypeScript cells, a process of its
// own (out/server.js, started by the extension's language client over IPC):
// a "Run in thread" code lens above each top-level function, and diagnostics
// that say what the kernel would refuse before the cell runs. Never `vscode`:
// it reads cells with the kernel's own compiler code.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type CodeLens } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { checkArguments } from "./arguments";
import { diagnose } from "./diagnostics";
import { topLevelFunctions } from "./functions";
import { runtimeExports } from "./runtimeExports";
import {
  CHECK_ARGUMENTS_REQUEST,
  RUN_IN_THREAD_COMMAND,
  type CheckArgumentsParams,
  type CheckArgumentsResult,
  type RunInThreadArgs,
} from "./protocol";

/** Typing pauses this long before a cell is checked again. */
const DIAGNOSE_DELAY_MS = 250;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    codeLensProvider: { resolveProvider: false },
  },
}));

connection.onCodeLens(({ textDocument }): CodeLens[] => {
  const doc = documents.get(textDocument.uri);
  if (!doc) return [];
  return topLevelFunctions(doc.getText()).map((f) => {
    const args: RunInThreadArgs = { cell: doc.uri, name: f.name, params: f.params };
    const at = { line: f.line, character: f.character };
    return { range: { start: at, end: at }, command: { title: "Run in thread", command: RUN_IN_THREAD_COMMAND, arguments: [args] } };
  });
});

connection.onRequest(CHECK_ARGUMENTS_REQUEST, async (p: CheckArgumentsParams): Promise<CheckArgumentsResult> => {
  const error = await checkArguments(p.text, p.params);
  return error === null ? {} : { error };
});

documents.onDidOpen(({ document }) => schedule(document.uri, 0));
documents.onDidChangeContent(({ document }) => schedule(document.uri, DIAGNOSE_DELAY_MS));
documents.onDidClose(({ document }) => {
  clearTimeout(pending.get(document.uri));
  pending.delete(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }).catch(report);
});

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
  const diagnostics = await diagnose(doc.getText(), runtimeExports);
  // typed over while esbuild worked: the newer text has its own check coming
  if (documents.get(uri)?.version !== version) return;
  await connection.sendDiagnostics({ uri, version, diagnostics });
}

function report(error: unknown): void {
  connection.console.error(`concnb language server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

documents.listen(connection);
connection.listen();
if (!runtimeExports) connection.console.warn("concnb language server: built without the runtime's exports; imports are not checked");
