// Hints and solutions are kept folded until the learner asks (docs/API.md,
// "Exercises"): the notebook VS Code shows leaves them out, and the file keeps
// them. Folding is done on the file's cells, so it is pure (no vscode) and the
// same rule puts a folded cell back on saving: after the last cell of its
// exercise the notebook still shows, in the order the file had them. A cell
// is folded only when its exercise is well formed (exercisesOf finds it), so a
// stray hint stays in sight, where its problem can be seen and mended.
import { exercisesOf, roleOf } from "../../kernel/protocol/exercises";
import type { ConcnbCell } from "../../kernel/protocol/format";

/** A hint or solution cell kept out of the notebook, with the exercise it belongs to. */
export interface FoldedCell {
  exercise: string;
  role: "hint" | "solution";
  cell: ConcnbCell;
}

/** The cells to show, and those kept folded, in file order. */
export function foldAway(cells: readonly ConcnbCell[]): { shown: ConcnbCell[]; folded: FoldedCell[] } {
  const { exercises } = exercisesOf(cells);
  const foldable = new Set<number>();
  for (const ex of exercises.values()) {
    for (const i of ex.hints) foldable.add(i);
    if (ex.solution !== undefined) foldable.add(ex.solution);
  }
  const shown: ConcnbCell[] = [];
  const folded: FoldedCell[] = [];
  cells.forEach((cell, i) => {
    const role = foldable.has(i) ? roleOf(cell.metadata) : undefined;
    if (role && (role.role === "hint" || role.role === "solution")) folded.push({ exercise: role.id, role: role.role, cell });
    else shown.push(cell);
  });
  return { shown, folded };
}

/**
 * The file's cells: the shown ones, each folded cell after the last shown cell of its exercise (a hint after the hints
 * shown, before a solution shown), or at the end when none of its exercise is left.
 */
export function unfold(shown: readonly ConcnbCell[], folded: readonly FoldedCell[]): ConcnbCell[] {
  if (folded.length === 0) return [...shown];
  const after = new Map<number, FoldedCell[]>();
  const atEnd: FoldedCell[] = [];
  for (const f of folded) {
    const at = placeOf(shown, f);
    if (at < 0) atEnd.push(f);
    else after.set(at, [...(after.get(at) ?? []), f]);
  }
  const out: ConcnbCell[] = [];
  shown.forEach((cell, i) => {
    out.push(cell);
    for (const f of after.get(i) ?? []) out.push(f.cell);
  });
  for (const f of atEnd) out.push(f.cell);
  return out;
}

/** Where a cell shown now goes: after the last shown cell of its exercise (a hint before a shown solution). */
export function placeOf(shown: readonly ConcnbCell[], f: Pick<FoldedCell, "exercise" | "role">): number {
  let at = -1;
  shown.forEach((cell, i) => {
    const r = roleOf(cell.metadata);
    if (r?.id !== f.exercise) return;
    if (f.role === "hint" && r.role === "solution") return;
    at = i;
  });
  return at;
}

/** The next folded cell of that role for the exercise: its index in `folded`, or -1. */
export function nextFolded(folded: readonly FoldedCell[], exercise: string, role: FoldedCell["role"]): number {
  return folded.findIndex((f) => f.exercise === exercise && f.role === role);
}

/** Folded cells as kept in the notebook's metadata (JSON), read back defensively: anything odd is left out. */
export function foldedOf(value: unknown): FoldedCell[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (f): f is FoldedCell =>
      typeof f === "object" &&
      f !== null &&
      typeof f.exercise === "string" &&
      (f.role === "hint" || f.role === "solution") &&
      typeof f.cell === "object" &&
      f.cell !== null &&
      (f.cell.kind === "markdown" || f.cell.kind === "code") &&
      typeof f.cell.source === "string",
  );
}
