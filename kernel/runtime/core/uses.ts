// Which of the notebook's top-level bindings a new thread can reach, so that
// only those are copied into it: a 500 MB array stays out of the threads
// that never name it. Found in the starting thread, where the notebook's
// functions are live: the names in the target's source, then in the source
// of every function and class those names are, and so on. A name is any
// identifier in the text (a property `.big` or a word in a comment counts
// too): the set can only be too large, never too small. When the thread's
// code cannot be known ahead (eval, a runtime thread that runs functions
// sent to it later, as an executor's workers do), it gets every binding.
import type { TargetSpec } from "../../protocol/worker";
export { pickValues as pick } from "../../protocol/worker";

/** Every binding: what a thread whose code cannot be read ahead gets. */
export const ALL = null;

const WORD = /[A-Za-z_$][\w$]*/g;
const TAG = "__concnb_shared__";

/**
 * The names the thread's code may read: from its target's source (or its Thread subclass's, when it has no
 * target), closed over the notebook's functions and classes (`functionNamed` finds one by name where the
 * thread starts). `args` are the encoded arguments and fields: instances in them bring their classes' code.
 */
export function threadUses(
  target: TargetSpec | null,
  cls: Function | null,
  encodedParts: unknown[],
  functionNamed: (name: string) => Function | undefined,
  /** More code the thread runs, such as the program's excepthook, which runs in the thread that failed. */
  also: readonly string[] = [],
): Set<string> | typeof ALL {
  const sources: string[] = [];
  if (target) sources.push(target.source);
  if (cls) sources.push(Function.prototype.toString.call(cls));
  if (sources.length === 0) return ALL;
  const names = new Set<string>();
  const queue: string[] = [];
  const add = (text: string) => {
    for (const m of text.matchAll(WORD)) {
      if (!names.has(m[0])) {
        names.add(m[0]);
        queue.push(m[0]);
      }
    }
  };
  for (const s of [...sources, ...also]) add(s);
  for (const c of classesIn(encodedParts)) add(c);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name === "eval") return ALL; // direct eval reads any binding by a name no text shows
    let f: Function | undefined;
    try {
      f = functionNamed(name);
    } catch {
      f = undefined;
    }
    if (typeof f === "function") add(Function.prototype.toString.call(f));
  }
  return names;
}

/** Class names of the notebook's instances inside encoded values (runtime/core/share's "instance" wrappers). */
function classesIn(parts: unknown[]): string[] {
  const out = new Set<string>();
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== "object" || seen.has(v) || depth > 64 || ArrayBuffer.isView(v)) return;
    seen.add(v);
    const rec = v as Record<string, unknown>;
    if (rec[TAG] === "instance" && typeof rec.cls === "string") out.add(rec.cls);
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === "object") walk(x, depth + 1);
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k, depth + 1);
        walk(x, depth + 1);
      }
    } else if (v instanceof Set) {
      for (const x of v) walk(x, depth + 1);
    } else {
      for (const k of Object.keys(rec)) walk(rec[k], depth + 1);
    }
  };
  for (const p of parts) walk(p, 0);
  return [...out];
}
