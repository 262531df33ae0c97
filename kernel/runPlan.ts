// What `concnb run` runs of a notebook, in order: its code cells, each with
// the index VS Code shows (1-based, Markdown cells counted). An exercise's
// check runs it and the exercise `runs` times (client/checks); a solution is
// not run, but with --solutions it runs in place of its exercise, so CI
// proves that every exercise can be passed and every check can fail.
import type { ConcnbCell } from "./protocol/format";
import { exercisesOf, roleOf } from "./protocol/exercises";

export interface PlannedCell {
  index: number;
  label: string;
  source: string;
  /** The error a lesson's cell declares it ends with (metadata `expectError`): a deadlock shown on purpose. */
  expectError?: string;
  /** Set on a check: the exercise it checks (its cell as it runs), and how many runs. */
  check?: { exercise: string; exerciseCell: { label: string; source: string }; runs: number };
  /** Set on a solution cell, which is not run: the cell of its exercise. */
  solutionOf?: { exercise: string; index: number };
  /** Set on an exercise run with its solution's text (--solutions). */
  solvedBy?: number;
}

/** The plan, or the problems of the notebook's exercise metadata (each with its cell's 1-based index). */
export function planRun(cells: readonly ConcnbCell[], solutions: boolean): { cells: PlannedCell[] } | { problems: Array<{ index: number; message: string }> } {
  const { exercises, problems } = exercisesOf(cells);
  if (problems.length > 0) return { problems: problems.map((p) => ({ index: p.index + 1, message: p.message })) };
  // the text each exercise runs with: the learner's, or with --solutions its solution's
  const text = (index: number) => {
    const r = roleOf(cells[index].metadata);
    const solution = r?.role === "exercise" && solutions ? exercises.get(r.id)?.solution : undefined;
    return { source: cells[solution ?? index].source, solvedBy: solution };
  };
  const plan: PlannedCell[] = [];
  cells.forEach((c, i) => {
    if (c.kind !== "code") return;
    const label = `cell ${i + 1}`;
    const expect = c.metadata?.expectError;
    const cell: PlannedCell = { index: i + 1, label, source: c.source, ...(typeof expect === "string" ? { expectError: expect } : {}) };
    const r = roleOf(c.metadata);
    const ex = r && exercises.get(r.id);
    if (r?.role === "exercise") {
      const t = text(i);
      cell.source = t.source;
      if (t.solvedBy !== undefined) cell.solvedBy = t.solvedBy + 1;
    } else if (r?.role === "check" && ex?.check) {
      cell.check = { exercise: ex.id, exerciseCell: { label: `cell ${ex.exercise + 1}`, source: text(ex.exercise).source }, runs: ex.check.runs };
    } else if (r?.role === "solution" && ex) {
      cell.solutionOf = { exercise: ex.id, index: ex.exercise + 1 };
    }
    plan.push(cell);
  });
  return { cells: plan };
}
