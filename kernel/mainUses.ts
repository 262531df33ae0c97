// Which of the earlier cells' bindings a cell's main program can reach, so
// that only those are copied into its worker: a 500 MB array made in cell 1
// stays out of a cell 2 that never names it. As runtime/core/uses does for a
// thread, but from text alone (the kernel holds no live functions): the
// identifiers of the cell, then of every earlier function those name (and so
// on), and of every definition that runs where it stands (a class's static
// parts); then every binding that shares an object with one of those (a
// cell that changes `words` changes `same = words` too, and later cells must
// see them one object still). The set can only be too large, never too
// small: a thread the program starts reaches no binding its text does not name.
import { isStored, type ChainLink, type Uses } from "./protocol/worker";

const WORD = /[A-Za-z_$][\w$]*/g;

/** The names a cell's main program may read of `chain`'s bindings; null (all) when that cannot be told. */
export function mainUses(cellSource: string, chain: readonly ChainLink[]): Uses {
  const names = new Set<string>();
  const queue: string[] = [];
  const add = (words: Iterable<string>) => {
    for (const w of words) {
      if (!names.has(w)) {
        names.add(w);
        queue.push(w);
      }
    }
  };
  add(cellSource.match(WORD) ?? []);
  for (const l of chain) {
    if (!l.reads) return null; // a link made without them: its definitions may read anything
    add(l.reads.eager);
  }
  while (queue.length > 0) {
    const name = queue.pop()!;
    // direct eval reads any binding by a name no text shows
    if (name === "eval") return null;
    for (const l of chain) if (Object.hasOwn(l.reads!.lazy, name)) add(l.reads!.lazy[name]);
  }
  withSharers(names, chain);
  return [...names];
}

/** mainUses, or every binding if the values are too deep to walk (a long linked list). */
export function mainUsesOrAll(cellSource: string, chain: readonly ChainLink[]): Uses {
  try {
    return mainUses(cellSource, chain);
  } catch {
    return null;
  }
}

/** Adds to `names` the bindings whose encoded values share an object with theirs, until none is left. */
function withSharers(names: Set<string>, chain: readonly ChainLink[]): void {
  for (let grew = true; grew; ) {
    grew = false;
    const reached = new Set<object>();
    for (const l of chain) for (const n of Object.keys(l.values)) if (names.has(n)) walk(l.values[n], (o) => (reached.add(o), false));
    if (reached.size === 0) return;
    for (const l of chain) {
      for (const n of Object.keys(l.values)) {
        if (!names.has(n) && walk(l.values[n], (o) => reached.has(o))) {
          names.add(n);
          grew = true;
        }
      }
    }
  }
}

/**
 * Visits the objects of an encoded value (a big one kept as bytes is opaque: it was kept so because nothing else
 * shares it); true as soon as `visit` is.
 */
function walk(v: unknown, visit: (o: object) => boolean, seen = new Set<object>()): boolean {
  if (v === null || typeof v !== "object" || seen.has(v) || isStored(v) || ArrayBuffer.isView(v) || v instanceof SharedArrayBuffer) return false;
  seen.add(v);
  if (visit(v)) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === "object" && walk(x, visit, seen)) return true;
  } else if (v instanceof Map) {
    for (const [k, x] of v) if (walk(k, visit, seen) || walk(x, visit, seen)) return true;
  } else if (v instanceof Set) {
    for (const x of v) if (walk(x, visit, seen)) return true;
  } else {
    for (const k of Object.keys(v)) if (walk((v as Record<string, unknown>)[k], visit, seen)) return true;
  }
  return false;
}
