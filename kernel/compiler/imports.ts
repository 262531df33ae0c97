// Named imports checked against what the runtime's modules export, before a
// cell runs: `import { Lok } from "threading"` would otherwise bind undefined
// and fail later as "Lok is not a constructor". The error is Python's
// (`ImportError: cannot import name 'Lok' from 'threading'`), with its
// "Did you mean" when a name is close, shown like a syntax error. Pure, so
// that anything with the runtime's table of exports can run it.
import type { CellError } from "../protocol/messages";
import type { ModuleExports } from "../protocol/worker";

/** A name a cell imports by name (`{ name }` or `{ name as alias }`) from a module, and where the name is written. */
export interface ImportedName {
  module: string;
  name: string;
  start: number;
  end: number;
}

/** The cell's ImportError, or null when every named import from a runtime module exists there. */
export function checkImports(imports: ImportedName[], exports: ModuleExports, source: string, label: string): CellError | null {
  const bad = badImports(imports, exports);
  if (bad.length === 0) return null;
  const lines = source.split("\n");
  const blocks = bad.map(({ message, ...i }) => {
    const before = source.slice(0, i.start).split("\n");
    const line = before.length;
    const code = lines[line - 1] ?? "";
    const indent = code.length - code.trimStart().length;
    const column = before[before.length - 1].length;
    const traceback =
      `  File "${label}", line ${line}\n    ${code.trimStart()}\n` +
      `    ${" ".repeat(Math.max(0, column - indent))}${"^".repeat(Math.max(1, i.end - i.start))}\n` +
      `ImportError: ${message}`;
    return { line, message, traceback };
  });
  return { name: "ImportError", message: `${blocks[0].message} (${label}, line ${blocks[0].line})`, traceback: blocks.map((b) => b.traceback).join("\n") };
}

/** Each named import from a runtime module that the module does not export, with Python's message for it. */
export function badImports(imports: ImportedName[], exports: ModuleExports): Array<ImportedName & { message: string }> {
  return imports
    .filter((i) => Object.hasOwn(exports, i.module) && i.name !== "default" && !exports[i.module].includes(i.name))
    .map((i) => ({ ...i, message: importMessage(i, exports) }));
}

function importMessage(i: ImportedName, exports: ModuleExports): string {
  const head = `cannot import name '${i.name}' from '${i.module}'`;
  const close = closest(i.name, exports[i.module]);
  if (close) return `${head}. Did you mean: '${close}'?`;
  const elsewhere = Object.keys(exports).filter((m) => m !== i.module && exports[m].includes(i.name)).sort();
  if (elsewhere.length > 0) return `${head}. It is in ${inWords(elsewhere.map((m) => `'${m}'`))}.`;
  return head;
}

/** The candidate closest to name: the same but for case and underscores (Python's snake_case), else a small edit away. */
export function closest(name: string, candidates: readonly string[]): string | null {
  const norm = (s: string) => s.replace(/_/g, "").toLowerCase();
  const n = norm(name);
  const same = candidates.find((c) => norm(c) === n);
  if (same) return same;
  let best: string | null = null;
  let bestCost = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const cost = editDistance(n, norm(c), bestCost);
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it is at least `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) >= limit) return limit;
    prev = row;
  }
  return Math.min(prev[b.length], limit);
}

/** "'a'", "'a' and 'b'", "'a', 'b' and 'c'". */
function inWords(names: string[]): string {
  return names.length <= 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
