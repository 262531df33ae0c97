// How the kernel names a notebook's cells, in tracebacks and timelines ("cell 3"),
// and back: one definition for the runs the extension sends and the lines it reveals.

/** "cell 3" for the notebook's third cell (its index 2). */
export function cellLabel(cell: { index: number }): string {
  return `cell ${cell.index + 1}`;
}

/** The index of the cell a label names ("cell 3", also "cell 3, worker in a thread"), or -1. */
export function cellIndexOf(label: string): number {
  const m = /^cell (\d+)/.exec(label);
  return m ? Number(m[1]) - 1 : -1;
}
