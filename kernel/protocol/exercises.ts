// A lesson's exercises, read from its cells' metadata (docs/API.md,
// "Exercises"): the cell the learner edits, the check that asserts about it
// (run `runs` times, each run a fresh program of the exercise and its check),
// its hints and its solution. Pure, as the file format is: the CLI and the
// extension read a notebook's exercises the same way.

/** A check runs at most this many times: each run is two programs, and a learner waits for them. */
export const MAX_RUNS = 200;

/** What a cell is to an exercise, from its marker's JSON object. */
export type ExerciseRole = { role: "exercise" | "check" | "hint" | "solution"; id: string; runs?: number };

export interface Exercise {
  id: string;
  /** Cell indexes (0-based, Markdown cells counted, as the notebook orders them). */
  exercise: number;
  check?: { index: number; runs: number };
  hints: number[];
  solution?: number;
}

export interface ExerciseCell {
  kind: "markdown" | "code" | "raw";
  metadata?: Record<string, unknown>;
}

/** The cell's part in an exercise, or undefined for an ordinary cell. */
export function roleOf(metadata: Record<string, unknown> | undefined): ExerciseRole | undefined {
  if (!metadata) return undefined;
  for (const role of ["exercise", "check", "hint", "solution"] as const) {
    const id = metadata[role];
    if (typeof id !== "string") continue;
    return role === "check" ? { role, id, runs: metadata.runs as number } : { role, id };
  }
  return undefined;
}

/**
 * The notebook's exercises by id, in the order their exercise cells come, and what is wrong with the metadata, each
 * problem with its cell's index: a check, hint or solution without its exercise (or before it), an id given twice,
 * `runs` that is not a whole number from 1 to MAX_RUNS, a part in a cell of the wrong kind.
 */
export function exercisesOf(cells: readonly ExerciseCell[]): { exercises: Map<string, Exercise>; problems: Array<{ index: number; message: string }> } {
  const exercises = new Map<string, Exercise>();
  const problems: Array<{ index: number; message: string }> = [];
  cells.forEach((cell, index) => {
    const r = roleOf(cell.metadata);
    if (!r) return;
    const wants = r.role === "hint" ? "markdown" : "code";
    if (cell.kind !== wants) return problems.push({ index, message: `a ${r.role} cell must be a ${wants === "code" ? "code" : "Markdown"} cell` });
    const ex = exercises.get(r.id);
    if (r.role === "exercise") {
      if (ex) return problems.push({ index, message: `the exercise "${r.id}" is defined twice (first in cell ${ex.exercise + 1})` });
      exercises.set(r.id, { id: r.id, exercise: index, hints: [] });
      return;
    }
    if (!ex) return problems.push({ index, message: `this ${r.role} names the exercise "${r.id}", which no earlier cell is` });
    if (r.role === "hint") ex.hints.push(index);
    else if (r.role === "solution") {
      if (ex.solution !== undefined) return problems.push({ index, message: `the exercise "${r.id}" has a second solution (the first is cell ${ex.solution + 1})` });
      ex.solution = index;
    } else {
      if (ex.check) return problems.push({ index, message: `the exercise "${r.id}" has a second check (the first is cell ${ex.check.index + 1})` });
      const runs = r.runs ?? 1;
      if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) return problems.push({ index, message: `"runs" must be a whole number from 1 to ${MAX_RUNS}, not ${JSON.stringify(r.runs)}` });
      ex.check = { index, runs };
    }
  });
  return { exercises, problems };
}

/**
 * An assertion's message as one line for a verdict. Node's "Expected values to be strictly equal:\n\n187411 !==
 * 200000" reads "expected 200000, got 187411"; one with the learner's own message, "the total: expected 200000, got
 * 187411"; any other, its first line. The kernel's " (cell 6, line 3)" is kept at the end.
 */
export function shortFailure(error: { name: string; message: string }): string {
  const lines = error.message.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const at = lines.length > 1 && /^\(cell \d+, line \d+\)$/.test(lines.at(-1)!) ? ` ${lines.pop()}` : "";
  const head = lines[0] ?? "";
  const pair = lines.length === 2 ? /^(.+?) !==? (.+)$/.exec(lines[1]) : null;
  if (pair) {
    const said = /^Expected values to be (strictly |loosely )?(deep-)?equal:?$/.test(head) ? "" : `${head.replace(/:$/, "")}: `;
    return `${said}expected ${pair[2]}, got ${pair[1]}${at}`;
  }
  const text = error.name === "AssertionError" || !head ? head || error.name : `${error.name}: ${head}`;
  return `${text}${at}`;
}
