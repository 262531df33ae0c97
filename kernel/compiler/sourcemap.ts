// Just enough of source maps to map a generated position back to a line of
// the cell: esbuild gives the map, tracebacks need (line, column) → cell line.
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

import type { LineTable } from "../protocol/worker";

export function decodeMappings(mappings: string): LineTable {
  const table: LineTable = [];
  let srcLine = 0;
  let srcCol = 0;
  let srcIdx = 0;
  for (const line of mappings.split(";")) {
    const row: number[] = [];
    let genCol = 0;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const fields = decodeVlq(seg);
      genCol += fields[0];
      if (fields.length >= 4) {
        srcIdx += fields[1];
        srcLine += fields[2];
        srcCol += fields[3];
        row.push(genCol, srcLine);
      }
    }
    table.push(row);
  }
  void srcIdx;
  void srcCol;
  return table;
}

function decodeVlq(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of seg) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`bad source map character ${c}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}
