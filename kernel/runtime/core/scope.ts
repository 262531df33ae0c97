// The notebook's scope inside a worker. Each executed cell's definitions are
// evaluated (direct eval) inside the previous cell's scope, so later cells
// shadow earlier ones as they would in one long script; the result is an
// evaluator for the innermost scope. Workers keep the evaluated chain of
// earlier cells and redo it only when the kernel says it changed.
import type { Chunk, ChainLink, EncodedValues, TargetSpec } from "../../protocol/worker";
import { decode, type ClassLookup } from "./share";
import { registerChunk } from "./traceback";

export type Evaluator = ((code: string) => unknown) & Partial<BindingAccess>;

/** What a definitions chunk gives (compiler/compile's bindingAccess): its cell's bindings, to read and refresh. */
export interface BindingAccess {
  values(): Record<string, unknown>;
  assign(values: Record<string, unknown>): void;
  consts: string[];
}

// a scope with nothing of the runtime's own module in it
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const root = new Function("__concnb_src", "return eval(__concnb_src)") as Evaluator;

let pending: { values: EncodedValues; outer: ClassLookup } = { values: {}, outer: () => undefined };
/**
 * Called by a definitions chunk as it starts: the values of its cell's
 * bindings, decoded when the first of them is read, so that an instance of a
 * class declared earlier in the same cell finds its class (`inner` evaluates
 * in the chunk's own scope; a class not reached yet is looked for outside).
 */
export function takeValues(inner?: Evaluator): Record<string, unknown> {
  const { values, outer } = pending;
  pending = { values: {}, outer: () => undefined };
  let decoded: Record<string, unknown> | null = null;
  const lookup: ClassLookup = (name) => {
    if (inner && IDENT.test(name)) {
      try {
        const found = inner(`typeof ${name} === "function" ? ${name} : undefined`);
        if (found) return found as ReturnType<ClassLookup>;
      } catch {
        // declared later in the cell (not initialized yet): not this one
      }
    }
    return outer(name);
  };
  const all = () => (decoded ??= decode(values, lookup) as Record<string, unknown>);
  return new Proxy({}, { get: (_t, key) => (typeof key === "string" ? all()[key] : undefined) });
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
export function classLookup(scope: Evaluator): ClassLookup {
  return (name) => {
    if (!IDENT.test(name)) return undefined;
    const found = scope(`typeof ${name} === "function" ? ${name} : undefined`);
    return found as ReturnType<ClassLookup>;
  };
}

export function evalChunk(scope: Evaluator, chunk: Chunk): unknown {
  registerChunk(chunk);
  return scope(`${chunk.code}\n//# sourceURL=${chunk.url}`);
}

let entered: Evaluator | null = null;
/** Called by a definitions chunk before its definitions run: the evaluator of its scope (see compile's defsText). */
export function enterScope(here: Evaluator, access?: BindingAccess): void {
  entered = access ? Object.assign(here, access) : here;
}

/**
 * Evaluates a definitions chunk with its values; returns the scope inside it. A definition that throws leaves
 * those after it uninitialized, and the scope is still there for later cells (a failed cell is its own).
 */
export function enterDefs(scope: Evaluator, defs: Chunk, values: EncodedValues): Evaluator {
  pending = { values, outer: classLookup(scope) };
  entered = null;
  try {
    return evalChunk(scope, defs) as Evaluator;
  } catch (e) {
    if (!entered) throw e; // not even its first line ran: a chunk of an older compiler, or a syntax error
    return entered;
  } finally {
    entered = null;
  }
}

/**
 * The definitions of the cell whose threads this worker ran last, as evaluated for the last of them: a next
 * thread of that cell's program, in the same chain, reuses them with its own values (bindings.refreshScope)
 * instead of evaluating them again. So its functions and classes are made once per worker, as the earlier
 * cells' are, and once per program in Python.
 */
let cell: { outer: Evaluator; url: string; code: string; names: string; scope: Evaluator } | null = null;

/** The scope inside a thread's cell: its definitions, with the values its starter gave it. */
export function threadScope(outer: Evaluator, defs: Chunk, values: EncodedValues, refresh: (scope: Evaluator) => boolean): Evaluator {
  // given other names, it would hold values this thread was not given (or lack ones it was)
  const names = Object.keys(values).sort().join(",");
  const c = cell;
  cell = null;
  if (c && c.outer === outer && c.url === defs.url && c.code === defs.code && c.names === names && refresh(c.scope)) {
    cell = c;
    return c.scope;
  }
  const scope = enterDefs(outer, defs, values);
  cell = { outer, url: defs.url, code: defs.code, names, scope };
  return scope;
}

/** A link this worker holds evaluated: the scope inside it, and the values its bindings stand for (see bindings.ts). */
export interface HeldLink {
  id: string;
  scope: Evaluator;
  /** Which of the link's values `base` is (ChainLink.valuesId). */
  valuesId: string;
  /** The values the kernel knows for the link's bindings: what this worker's copies are restored to at each job. */
  base: EncodedValues;
  lost?: ChainLink["lost"];
}

/** The evaluated links this worker holds, oldest first. */
let held: HeldLink[] = [];

export function heldLinks(): readonly HeldLink[] {
  return held;
}

/** Which links this worker holds evaluated, so the kernel sends only what is new. */
export function heldChainIds(): string[] {
  return held.map((h) => h.id);
}

/** Which values of those links it holds, so the kernel sends newer ones (ProgramContext.chainRebase). */
export function heldValuesIds(): string[] {
  return held.map((h) => h.valuesId);
}

/** The scope inside the last of `ids`, evaluating only the links not held yet (`links` = ids[from..]). */
export function chainScope(ids: string[], from: number, links: ChainLink[]): Evaluator {
  for (let i = 0; i < from; i++) {
    if (held[i]?.id !== ids[i]) throw new Error(`worker lost the notebook's definitions (${ids[i]})`);
  }
  held = held.slice(0, from);
  for (const link of links) {
    const scope = enterDefs(held.length > 0 ? held[held.length - 1].scope : root, link.defs, link.values);
    held.push({ id: link.id, scope, valuesId: link.valuesId ?? link.id, base: link.values, ...(link.lost ? { lost: link.lost } : {}) });
  }
  return held.length > 0 ? held[held.length - 1].scope : root;
}

/**
 * Why a name is not defined, when a cell that should have defined it did not get to (ChainLink.lost): what a
 * ReferenceError for it says after its message, so a learner reads the cause instead of a bare "is not defined".
 */
export function whyUndefined(e: unknown): string {
  if (!(e instanceof ReferenceError)) return "";
  const name = /^(\S+) is not defined$/.exec(e.message)?.[1];
  if (!name) return "";
  for (let i = held.length - 1; i >= 0; i--) {
    const lost = held[i].lost;
    if (lost?.names.includes(name)) return `: ${lost.why}`;
  }
  return "";
}

let here: { scope: () => Evaluator; full: Chunk } | null = null;
/**
 * The scope this thread's code runs in: where functions sent from other threads are re-made.
 * The main thread passes a thunk, since it needs its cell's definitions only if that happens.
 */
export function setHere(scope: Evaluator | (() => Evaluator), full: Chunk, lazy = false): void {
  mainLookup = null;
  let made: Evaluator | null = lazy ? null : scope;
  here = { scope: () => (made ??= (scope as () => Evaluator)()), full };
}

/** A function sent by another thread (see functionSpec), made again in this thread. */
export function resolveFunction(spec: TargetSpec): (...a: unknown[]) => unknown {
  if (!here) throw new Error("no notebook scope in this worker");
  return resolveTarget(spec, here.scope(), here.full);
}

let mainLookup: ClassLookup | null = null;
/** The main thread's lookup: inside its running cell, whose classes are the ones its code uses. */
export function setHereLookup(lookup: ClassLookup | null): void {
  mainLookup = lookup;
}

/** Finds the notebook's classes where this thread's code runs (to rebuild instances sent here). */
export function hereLookup(): ClassLookup {
  if (mainLookup) return mainLookup;
  return (name) => (here ? classLookup(here.scope())(name) : undefined);
}

/** How a function travels to another thread: by name and source (see resolveTarget). */
export function functionSpec(f: Function, what: string): TargetSpec {
  const source = Function.prototype.toString.call(f);
  if (source.includes("[native code]")) {
    const e = new TypeError(
      `${what} ${f.name || ""} is a built-in or bound function, which cannot be sent to another thread; ` +
        `wrap it in a function of your own, e.g. (x) => console.log(x)`,
    );
    throw e;
  }
  return { name: f.name && f.name !== "target" && f.name !== "action" ? f.name : "<lambda>", source };
}

/**
 * The function a thread runs. A top-level definition is found by name (so it
 * is the same function, with the right lines); anything else, an arrow
 * written inline say, is re-made from its source inside the notebook's scope,
 * placed at its line of the cell so tracebacks still point there.
 */
export function resolveTarget(spec: TargetSpec, scope: Evaluator, full: Chunk): (...a: unknown[]) => unknown {
  // made once per scope: a scope held for several threads (threadScope) gives each the same function
  let made = remade.get(scope);
  const key = `${spec.name}\n${spec.source}`;
  const found = made?.get(key);
  if (found) return found;
  const f = makeTarget(spec, scope, full);
  if (!made) remade.set(scope, (made = new Map()));
  made.set(key, f);
  return f;
}

const remade = new WeakMap<Evaluator, Map<string, (...a: unknown[]) => unknown>>();

function makeTarget(spec: TargetSpec, scope: Evaluator, full: Chunk): (...a: unknown[]) => unknown {
  if (IDENT.test(spec.name)) {
    const named = scope(`typeof ${spec.name} === "function" ? ${spec.name} : undefined`);
    if (typeof named === "function" && named.toString() === spec.source) return named as (...a: unknown[]) => unknown;
  }
  const at = full.code.indexOf(spec.source);
  const before = at < 0 ? "" : full.code.slice(0, at);
  const line = before.split("\n").length - 1;
  registerChunk(full);
  // a property key names the re-made function, so its frames read "in <lambda>" as Python's would
  const key = JSON.stringify(spec.name);
  const text = "\n".repeat(line) + `({ ${key}: ${methodAsFunction(spec.source)} })[${key}]` + `\n//# sourceURL=${full.url}`;
  return scope(text) as (...a: unknown[]) => unknown;
}

/** A method's source (`run() { ... }`) is not an expression; an object literal makes it one. */
function methodAsFunction(source: string): string {
  if (/^(async\s+)?(function\b|\(|[A-Za-z_$][\w$]*\s*=>|class\b)/.test(source)) return source;
  return `Object.values({ ${source} })[0]`;
}
