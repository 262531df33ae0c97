// Checking an exercise (docs/API.md, "Exercises"): its cell, then its check's
// cell, each a program of the notebook's state, `runs` times; it passes when
// every run's check ends without an error. One passing run proves nothing
// about a race, hence the runs. Used by `concnb run` and by VS Code's Check,
// so both say the same about the same answer.
import type { CellError, CellResult, OutputRecord } from "../protocol/messages";
import { shortFailure } from "../protocol/exercises";

/** A cell as the check runs it. */
export interface CheckedCell {
  label: string;
  source: string;
}

/** What runs a cell (KernelClient.run, its stop and time limit the caller's), one at a time. */
export type RunCell = (cell: CheckedCell, onOutput: (records: OutputRecord[]) => void) => Promise<CellResult>;

export interface CheckOutcome {
  exercise: string;
  runs: number;
  /** Runs done: every run is done, to say how often a racy answer fails, unless one is stopped. */
  done: number;
  passed: number;
  /** The first failing run's message, one line ("expected 200000, got 187411 (cell 6, line 3)"). */
  failure?: string;
  /** Its error, and the check's output in it (or in the last run, when all passed). */
  error?: CellError;
  outputs: OutputRecord[];
  /** Set when a run was stopped (interrupt, timeout) or its kernel died: the check did not finish. */
  stopped?: CellResult["status"];
  durationMs: number;
}

export interface CheckCallbacks {
  /** After each run: how many have passed of how many done. */
  progress?(done: number, passed: number, runs: number): void;
}

/**
 * Runs the exercise and its check `runs` times. A run fails when the exercise cell fails (its error is the
 * failure: the check cannot judge what did not run) or the check does. Every run is done, so a racy answer is told
 * how often it fails; a run stopped (interrupt, timeout, the kernel gone) ends the check unfinished.
 */
export async function checkExercise(
  run: RunCell,
  exercise: { id: string; cell: CheckedCell },
  check: { cell: CheckedCell; runs: number },
  callbacks: CheckCallbacks = {},
): Promise<CheckOutcome> {
  const started = Date.now();
  const outcome: CheckOutcome = { exercise: exercise.id, runs: check.runs, done: 0, passed: 0, outputs: [], durationMs: 0 };
  const once = (cell: CheckedCell, outputs: OutputRecord[]): Promise<CellResult> =>
    run(cell, (records) => {
      for (const x of records) outputs.push(x); // never spread: a batch can be long
    });
  for (let i = 0; i < check.runs; i++) {
    const outputs: OutputRecord[] = [];
    const ex = await once(exercise.cell, []);
    const result = ex.status === "ok" ? await once(check.cell, outputs) : ex;
    if (result.status !== "ok" && result.status !== "error") {
      outcome.stopped = result.status;
      break;
    }
    outcome.done++;
    if (result.status === "ok") outcome.passed++;
    if (!outcome.error) outcome.outputs = outputs;
    if (result.status === "error" && !outcome.error) {
      const error = result.error ?? { name: "Error", message: "the run failed" };
      outcome.error = error;
      outcome.failure = ex.status === "ok" ? shortFailure(error) : `the exercise cell failed: ${shortFailure(error)}`;
    }
    callbacks.progress?.(outcome.done, outcome.passed, check.runs);
  }
  outcome.durationMs = Date.now() - started;
  return outcome;
}

/** The verdict in words: "passed 20 of 20 runs", "failed 3 of 20 runs: expected 200000, got 187411". */
export function verdictOf(o: CheckOutcome): string {
  const runs = o.runs === 1 ? "1 run" : `${o.runs} runs`;
  if (o.stopped) return `not finished (${o.stopped}) after ${o.done} of ${runs}`;
  if (o.failure) return `failed ${o.done - o.passed} of ${runs}: ${o.failure}`;
  return `passed ${o.passed} of ${runs}`;
}

/** Whether the exercise passed: every run done, and passed. */
export const passed = (o: CheckOutcome): boolean => !o.stopped && o.passed === o.runs;
