// Turns a cell's TypeScript into the two chunks a worker evaluates:
//  - full: the cell as a program (an async function, so top-level await and
//    `using` work), registering a snapshot of its bindings for threads;
//  - defs: only its definitions, with copied values for its bindings, ending
//    in an evaluator that later cells and threads nest inside.
// Both keep every cell line on its own line, one below where it was, so a
// source map from esbuild is all a traceback needs.
import * as esbuild from "./esbuild";
import { analyze, type Edit, type TopLevel } from "./analyze";
import { checkImports } from "./imports";
import { decodeMappings } from "./sourcemap";
import type { Chunk, DefsReads, ModuleExports } from "../protocol/worker";
import type { CellError } from "../protocol/messages";

import { CELL_FUNCTION, chunkUrl } from "../protocol/worker";
const LINE_OFFSET = 1;
let seq = 0;

/** A cell that cannot run: a SyntaxError, or an ImportError (see imports.ts). */
export class CompileError extends Error {
  constructor(readonly cellError: CellError) {
    super(cellError.message);
    this.name = cellError.name;
  }
}

export interface CompiledCell {
  full: Chunk;
  defs: Chunk;
  /** Names the cell defines at top level (definitions and bindings), in order. */
  names: string[];
  /** Those of them that are variables (bindings whose values are copied), not definitions. */
  valueNames: string[];
  /** The identifiers its definitions name (ChainLink.reads). */
  reads: DefsReads;
}

/**
 * Compiles a cell; with the runtime's table of exports, a named import of a name its module lacks is an ImportError.
 * `drop`: names whose definitions the defs chunk leaves out (those a failed run of the cell never reached).
 */
export async function compileCell(source: string, label: string, exports?: ModuleExports, drop?: ReadonlySet<string>): Promise<CompiledCell> {
  const top = analyze(source, `${label}.ts`);
  const id = ++seq;
  const [full, defs] = await Promise.all([
    transform(fullText(source, top), source, label, chunkUrl(label, "full", id)),
    transform(defsText(source, drop ? without(top, drop) : top), source, label, chunkUrl(label, "defs", id)),
  ]);
  const importError = exports ? checkImports(top.imports, exports, source, label) : null;
  if (importError) throw new CompileError(importError);
  return { full, defs, names: definedNames(top), valueNames: top.values.flatMap((v) => v.names), reads: defsReads(source, top) };
}

const WORD = /[A-Za-z_$][\w$]*/g;

/** The identifiers of each definition's text (a property or a word in a comment too: too many, never too few). */
function defsReads(source: string, top: TopLevel): DefsReads {
  const words = (start: number, end: number) => [...new Set(source.slice(start, end).match(WORD) ?? [])];
  const eager = new Set<string>();
  const lazy: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const d of top.defs) {
    if (d.names.length === 0) continue; // a type, an interface: nothing runs
    const w = words(d.start, d.end);
    if (d.fn) for (const n of d.names) lazy[n] = w;
    else for (const x of w) eager.add(x);
  }
  return { eager: [...eager], lazy };
}

function definedNames(top: TopLevel): string[] {
  return [...top.defs, ...top.values].sort((a, b) => a.start - b.start).flatMap((d) => d.names);
}

/** The cell's top level without the definitions of `drop`: a definition left out is blanked like a statement. */
function without(top: TopLevel, drop: ReadonlySet<string>): TopLevel {
  const gone = top.defs.filter((d) => d.names.length > 0 && d.names.every((n) => drop.has(n)));
  const values = top.values.map((v) => ({ ...v, names: v.names.filter((n) => !drop.has(n)) }));
  return {
    ...top,
    defs: top.defs.filter((d) => !gone.includes(d)),
    values: values.filter((v) => v.names.length > 0),
    others: [...top.others, ...gone, ...values.filter((v) => v.names.length === 0)],
  };
}

function fullText(source: string, top: TopLevel): string {
  const names = top.values.flatMap((v) => v.names);
  const snapshot = names.map((n) => `try { o[${JSON.stringify(n)}] = ${n}; } catch {}`).join(" ");
  // which of the cell's names its run got to define (a failed run's others are left out of later cells)
  // (reading an uninitialized `let`, `const`, class or import throws; a `var`, an enum or a namespace is undefined)
  const varLike = new Set([...top.values.filter((v) => v.keyword === "var"), ...top.defs.filter((d) => d.varLike)].flatMap((d) => d.names));
  const reached = (n: string) => (varLike.has(n) ? `${n} !== undefined` : `(void ${n}, true)`);
  const defined = definedNames(top)
    .map((n) => `try { if (${reached(n)}) d.push(${JSON.stringify(n)}); } catch {}`)
    .join(" ");
  return (
    `"use strict";(async function ${CELL_FUNCTION}() { __concnb_rt.enterCell(__concnb_snapshot__, __concnb_scope__, __concnb_defined__);\n` +
    applyEdits(source, top.edits) +
    `\n;function __concnb_snapshot__() { const o: Record<string, unknown> = {}; ${snapshot} return o; }` +
    `\n;function __concnb_defined__() { const d: string[] = []; ${defined} return d; }` +
    // the main thread finds its cell's own classes here (to rebuild instances and errors sent back to it)
    `\n;function __concnb_scope__(__concnb_src: string) { return eval(__concnb_src); }\n})();\n`
  );
}

/**
 * The evaluator of the chunk's scope is a function declaration, hoisted, and handed to the runtime before any
 * definition runs: a definition that throws (`class X extends undefined`) leaves the ones after it undefined,
 * never the notebook without a scope for later cells.
 */
function defsText(source: string, top: TopLevel): string {
  const blank: Array<{ start: number; end: number }> = [...top.others];
  const replaced: Edit[] = top.values.map((v) => ({
    start: v.start,
    end: v.end,
    text: `${v.keyword} ${v.names.map((n) => `${n} = __concnb_v[${JSON.stringify(n)}]`).join(", ")};`,
  }));
  const covered = [...blank, ...replaced];
  const edits = [
    ...top.edits.filter((e) => !covered.some((c) => e.start >= c.start && e.end <= c.end)),
    ...replaced,
    ...blank.map((b) => ({ ...b, text: "" })),
  ];
  const access = top.values.length === 0 ? "" : `, ${bindingAccess(top)}`;
  return (
    `"use strict"; function __concnb_here__(__concnb_src: string) { return eval(__concnb_src); } ` +
    `__concnb_rt.enterScope(__concnb_here__${access}); const __concnb_v = __concnb_rt.takeValues(__concnb_here__);\n` +
    applyEdits(source, edits) +
    `\n;__concnb_here__;\n`
  );
}

/**
 * How a worker reads and refreshes the cell's bindings inside its definitions
 * chunk (runtime/core/scope): `values()` reads those initialized; `assign(o)` sets
 * the `let` and `var` ones present in o; `consts` are refreshed in place instead.
 * A cell without bindings has none of this.
 */
function bindingAccess(top: TopLevel): string {
  const all = top.values.flatMap((v) => v.names);
  const settable = top.values.filter((v) => v.keyword !== "const").flatMap((v) => v.names);
  const consts = top.values.filter((v) => v.keyword === "const").flatMap((v) => v.names);
  const key = (n: string) => JSON.stringify(n);
  return (
    `{ values: () => { const __concnb_o: Record<string, unknown> = {}; ${all.map((n) => `try { __concnb_o[${key(n)}] = ${n}; } catch {}`).join(" ")} return __concnb_o; }, ` +
    `assign: (__concnb_o: Record<string, unknown>) => { ${settable.map((n) => `try { if (${key(n)} in __concnb_o) ${n} = __concnb_o[${key(n)}]; } catch {}`).join(" ")} }, ` +
    `consts: ${JSON.stringify(consts)} }`
  );
}

/** Applies non-overlapping edits, keeping every newline of a replaced span so lines stay put. */
function applyEdits(source: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) continue;
    out += source.slice(at, e.start);
    const span = source.slice(e.start, e.end);
    out += e.text + (e.text === "" ? span.replace(/[^\n]/g, " ") : "\n".repeat(count(span, "\n")));
    at = e.end;
  }
  return out + source.slice(at);
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

async function transform(text: string, source: string, label: string, url: string): Promise<Chunk> {
  try {
    const r = await esbuild.transform(text, {
      loader: "ts",
      target: "node20",
      sourcemap: "external",
      sourcefile: label,
      sourcesContent: false,
      logLevel: "silent",
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    });
    const map = JSON.parse(r.map) as { mappings: string };
    return { url, label, code: r.code, lines: decodeMappings(map.mappings), lineOffset: LINE_OFFSET, source };
  } catch (e) {
    throw new CompileError(syntaxError(e, source, label));
  }
}

function syntaxError(e: unknown, source: string, label: string): CellError {
  const first = (e as esbuild.TransformFailure).errors?.[0];
  if (!first) return { name: "SyntaxError", message: String(e) };
  const loc = first.location;
  if (!loc) return { name: "SyntaxError", message: first.text };
  const line = loc.line - LINE_OFFSET;
  const code = source.split("\n")[line - 1] ?? "";
  const traceback =
    `  File "${label}", line ${line}\n    ${code.trimStart()}\n` +
    `    ${" ".repeat(Math.max(0, loc.column - (code.length - code.trimStart().length)))}^\n` +
    `SyntaxError: ${first.text}`;
  return { name: "SyntaxError", message: `${first.text} (${label}, line ${line})`, traceback };
}
