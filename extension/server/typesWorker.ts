// The language server's TypeScript, on a worker thread of its own (out/typesWorker.js): the types service and the
// cells' texts, answering typesProtocol's requests one at a time. A worker, so that a cell that makes TypeScript
// run out of memory or compute without end costs this worker (the main thread ends it and starts another), never the
// server: its heap is capped (resourceLimits), and the main thread times its requests.
import { parentPort, workerData } from "node:worker_threads";
import { TextDocument } from "vscode-languageserver-textdocument";
import { checkArguments } from "./arguments";
import { diagnose } from "./diagnostics";
import { topLevelFunctions } from "./functions";
import { completions, definition, hover, resolveCompletion, signatureHelp, typeErrors } from "./typeFeatures";
import ts from "typescript";
import { BACKGROUND_OPS, CONTROL, type TypesOps, type TypesRequest, type TypesReply, type TypesWorkerData } from "./typesProtocol";
import { TypesService } from "./typesService";

const data = workerData as TypesWorkerData;
// Without the runtime's typings (a broken build) the questions of types fail with why; the lenses and the kernel's
// checks, which need none, still answer.
let missing = "";
const control = new Int32Array(data.control);
const types = ((): TypesService => {
  try {
    // a background check gives way when the main thread says a request the learner waits on has come (typesHost.ts)
    return new TypesService(data.typings, () => Atomics.load(control, CONTROL.GIVE_WAY) !== 0);
  } catch (e) {
    missing = e instanceof Error ? e.message : String(e);
    return new Proxy({} as TypesService, {
      get: () => {
        throw new Error(missing);
      },
    });
  }
})();
const docs = new Map<string, TextDocument>(); // cell URI → its text, for positions
const byNotebook = new Map<string, string[]>();

type Handlers = { [K in keyof TypesOps]: (args: TypesOps[K]["args"]) => TypesOps[K]["result"] | Promise<TypesOps[K]["result"]> };

const at = <T>(uri: string, f: (doc: TextDocument) => T, none: T): T => {
  const doc = docs.get(uri);
  return doc ? f(doc) : none;
};

const handlers: Handlers = {
  setNotebook({ notebook, cells }) {
    for (const uri of byNotebook.get(notebook) ?? []) docs.delete(uri);
    for (const c of cells) {
      const old = docs.get(c.uri);
      docs.set(c.uri, old?.getText() === c.text ? old : TextDocument.create(c.uri, "typescript", (old?.version ?? 0) + 1, c.text));
    }
    byNotebook.set(notebook, cells.map((c) => c.uri));
    types.setNotebook(notebook, cells);
    return null;
  },
  closeNotebook({ notebook }) {
    for (const uri of byNotebook.get(notebook) ?? []) docs.delete(uri);
    byNotebook.delete(notebook);
    types.closeNotebook(notebook);
    return null;
  },
  completion: ({ uri, position }) => at(uri, (d) => completions(types, d, position), []),
  resolveCompletion: ({ item }) => resolveCompletion(types, item),
  hover: ({ uri, position }) => at(uri, (d) => hover(types, d, position), null),
  signatureHelp: ({ uri, position }) => at(uri, (d) => signatureHelp(types, d, position), null),
  definition: ({ uri, position }) => at(uri, (d) => definition(types, d, position, (u) => docs.get(u)), []),
  typeErrors: ({ uri }) => at(uri, (d) => typeErrors(types, d), []),
  checkCall: ({ uri, name, args }) => types.checkCall(uri, name, args) ?? null,
  functions: ({ text }) => topLevelFunctions(text),
  kernelDiagnostics: ({ text }) => diagnose(text, data.exports),
  checkArguments: ({ text, params }) => checkArguments(text, params),
};

parentPort!.on("message", (req: TypesRequest) => {
  const reply = (r: TypesReply) => parentPort!.postMessage(r);
  const failed = (e: unknown) => reply({ id: req.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  // what runs now, for the main thread to blame if this worker dies in it (the async ones wait on esbuild, not on us)
  Atomics.store(control, CONTROL.CURRENT, req.id);
  try {
    const handler = handlers[req.op] as (args: unknown) => unknown;
    const result = handler(req.args);
    if (result instanceof Promise) result.then((r) => reply({ id: req.id, result: r }), failed);
    else reply({ id: req.id, result });
  } catch (e) {
    if (e instanceof ts.OperationCanceledException && BACKGROUND_OPS.has(req.op)) reply({ id: req.id, cancelled: true });
    else failed(e);
  } finally {
    Atomics.store(control, CONTROL.CURRENT, 0);
  }
});
