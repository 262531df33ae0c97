// Which of the earlier cells' bindings a cell's main program can reach, so
// that only those are copied into its worker: a 500 MB array made in cell 1
// stays out of a cell 2 that never names it. As runtime/uses does for a
// thread, but from text alone (the kernel holds no live functions): the
// identifiers of the cell, then of every earlier function those name (and so
// on), and of every definition that runs where it stands (a class's static
// parts). The set can only be too large, never too small: a thread the
// program starts reaches no binding its text does not name.
import type { ChainLink, Uses } from "./protocol/worker";

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
  return [...names];
}
