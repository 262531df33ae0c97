// What the language server's main thread and its TypeScript worker
// (typesWorker.ts) say to each other, defined once for both: each request
// names a language feature of a cell, its answer is LSP's. Plain data only.
import type { CompletionItem, Diagnostic, Hover, Location, Position, SignatureHelp } from "vscode-languageserver";
import type { ModuleExports } from "../../kernel/protocol/worker";
import type { TopLevelFunction } from "./functions";
import type { ParamInfo } from "./protocol";

/** The worker's requests and their answers. */
export interface TypesOps {
  /** A notebook's code cells, in order (sent on every change: the worker re-reads only the cells that changed). */
  setNotebook: { args: { notebook: string; cells: Array<{ uri: string; text: string }> }; result: null };
  closeNotebook: { args: { notebook: string }; result: null };
  completion: { args: { uri: string; position: Position }; result: CompletionItem[] };
  resolveCompletion: { args: { item: CompletionItem }; result: CompletionItem };
  hover: { args: { uri: string; position: Position }; result: Hover | null };
  signatureHelp: { args: { uri: string; position: Position }; result: SignatureHelp | null };
  definition: { args: { uri: string; position: Position }; result: Location[] };
  typeErrors: { args: { uri: string }; result: Diagnostic[] };
  /** The type errors of calling the cell's function with these arguments (Run in thread); null for a cell not open. */
  checkCall: { args: { uri: string; name: string; args: string }; result: string[] | null };
  // Questions of a text alone, which need no notebook (asked even of a notebook whose types are set aside):
  /** Where the "Run in thread" lenses go. */
  functions: { args: { text: string }; result: TopLevelFunction[] };
  /** What the kernel would refuse before the cell runs: syntax errors and bad imports (diagnostics.ts). */
  kernelDiagnostics: { args: { text: string }; result: Diagnostic[] };
  /** Whether `text` is an argument list for these parameters (arguments.ts), or what is wrong with it. */
  checkArguments: { args: { text: string; params: ParamInfo[] }; result: string | null };
}

/** The questions about a notebook's types, which a notebook set aside after a failure is not asked. */
export const NOTEBOOK_OPS: ReadonlySet<TypesOp> = new Set<TypesOp>(["completion", "hover", "signatureHelp", "definition", "typeErrors", "checkCall"]);

export type TypesOp = keyof TypesOps;

export interface TypesRequest<K extends TypesOp = TypesOp> {
  id: number;
  op: K;
  args: TypesOps[K]["args"];
}

/** `cancelled`: the request gave way to one the learner waits on (typesHost.ts asks it again after). */
export type TypesReply = { id: number; result: unknown } | { id: number; error: string } | { id: number; cancelled: true };

/**
 * The requests run behind the learner's: a notebook's type errors, checked cell by cell while typing pauses. One of
 * them that is running gives way (TypeScript's cancellation token) as soon as a request the learner waits on comes.
 */
export const BACKGROUND_OPS: ReadonlySet<TypesOp> = new Set<TypesOp>(["typeErrors"]);

/** The requests the worker answers by waiting on another process (esbuild): sent at once, they hold no turn. */
export const UNQUEUED_OPS: ReadonlySet<TypesOp> = new Set<TypesOp>(["kernelDiagnostics"]);

/** The Int32 slots of TypesWorkerData.control. */
export const CONTROL = {
  /** The id of the request the worker runs now (0: none), read when the worker fails. */
  CURRENT: 0,
  /** Non-zero: the background request running now is to give way. */
  GIVE_WAY: 1,
  LENGTH: 2,
} as const;

/** The worker's data when it starts. */
export interface TypesWorkerData {
  /** Where the runtime's typings are (out/typings). */
  typings: string;
  /** The runtime's table of exports, for the import check; undefined when the build had none. */
  exports: ModuleExports | undefined;
  /** CONTROL.LENGTH Int32 slots, shared with the main thread. */
  control: SharedArrayBuffer;
}
