// Maps a position in a compiled chunk back to a line of the generated
// TypeScript (the compiler made the table from esbuild's source map).
import type { LineTable } from "../../protocol/worker";

/** The source line (0-based) of a generated position (0-based line and column), or -1. */
export function lookupLine(table: LineTable, line: number, column: number): number {
  // a position on a line with no mapping belongs to the nearest mapped line above
  for (let l = Math.min(line, table.length - 1); l >= 0; l--) {
    const row = table[l];
    if (row.length === 0) continue;
    if (l < line) return row[row.length - 1];
    let found = row[1];
    for (let i = 0; i < row.length; i += 2) {
      if (row[i] <= column) found = row[i + 1];
      else break;
    }
    return found;
  }
  return -1;
}
