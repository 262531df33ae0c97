// What the language server and the extension host say to each other beyond
// LSP itself, defined once for both sides: the command a "Run in thread" code
// lens carries, and the request that checks the arguments typed for it.
// Plain types and names only: neither `vscode` nor an LSP library.

/**
 * The TypeScript worker of the language server (typesHost.ts): its heap, and how long one request may take. TypeScript's
 * live heap on the largest lesson is about 100 MB (the runtime's typings, @types/node, the cells); under a 256 MB cap
 * the server process stays near 250 MB while typing (test/bench/editor.bench.ts), and a notebook of 300 cells still
 * has its types. A notebook that needs more (a type that instantiates without end) ends that worker, not the server,
 * and gets its types back once changed (npm run stress tries both).
 */
export const TYPES_WORKER = { heapMb: 256, timeoutMs: 10_000, retryAfterMs: 2_000 };

/** The source of every diagnostic the server publishes: the kernel's checks and TypeScript's, one voice. */
export const DIAGNOSTIC_SOURCE = "concnb";

/** The command id of the "Run in thread" code lens; the extension registers it. */
export const RUN_IN_THREAD_COMMAND = "concnb.runInThread";

/** One parameter of a function, as written. */
export interface ParamInfo {
  /** The parameter's name, or its destructuring pattern as written. */
  name: string;
  /** Has a `?` or a default value. */
  optional: boolean;
  /** `...rest`. */
  rest: boolean;
}

/** The argument of RUN_IN_THREAD_COMMAND. */
export interface RunInThreadArgs {
  /** The cell document's URI, as a string. */
  cell: string;
  /** The top-level function to run on a new thread. */
  name: string;
  params: ParamInfo[];
  /** The arguments, as an expression list (`3, "a"`); when absent and the function has parameters, the user is asked. */
  args?: string;
}

export function isRunInThreadArgs(v: unknown): v is RunInThreadArgs {
  if (typeof v !== "object" || v === null) return false;
  const a = v as Partial<RunInThreadArgs>;
  return (
    typeof a.cell === "string" &&
    typeof a.name === "string" &&
    Array.isArray(a.params) &&
    a.params.every((p: unknown) => typeof p === "object" && p !== null && typeof (p as ParamInfo).name === "string") &&
    (a.args === undefined || typeof a.args === "string")
  );
}

/** Request: is `text` a valid argument list for these parameters? */
export const CHECK_ARGUMENTS_REQUEST = "concnb/checkArguments";

export interface CheckArgumentsParams {
  text: string;
  params: ParamInfo[];
  /** The cell and function the arguments are for: given, the arguments are type-checked against its parameters too. */
  cell?: string;
  name?: string;
}

/** `error` is what is wrong, for the input box; absent when the list is fine. */
export interface CheckArgumentsResult {
  error?: string;
}
