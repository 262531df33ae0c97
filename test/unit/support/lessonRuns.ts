// A lesson's run through `concnb run --json`, once per mocha process: every
// test file is its own bundle, so the memo lives on globalThis, and the tests
// of lessons.test and lessonClaims.test read the same run of each lesson
// (a lesson run takes seconds; lesson 9 tens of them).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export interface LessonCell {
  index: number;
  status: string;
  error?: { name: string; traceback?: string; message: string };
  expectError?: string;
  outputs: Array<{ stream: string; thread: string; text: string }>;
  check?: { exercise: string; runs: number; passed: number; failure?: string };
}

export interface LessonRun {
  /** The CLI's exit status. */
  code: number;
  cells: LessonCell[];
}

const root = join(__dirname.slice(0, __dirname.lastIndexOf("/out/")));
const KEY = Symbol.for("concnb.test.lessonRuns");
const memo = ((globalThis as Record<symbol, unknown>)[KEY] ??= new Map<string, Promise<LessonRun>>()) as Map<string, Promise<LessonRun>>;

/** The lesson at `file` run with its exercises' solutions (or as given), once. */
export function lessonRun(file: string, solutions = true): Promise<LessonRun> {
  const key = `${file}${solutions ? " --solutions" : ""}`;
  let run = memo.get(key);
  if (!run) memo.set(key, (run = runOnce(file, solutions)));
  return run;
}

async function runOnce(file: string, solutions: boolean): Promise<LessonRun> {
  const args = [join(root, "bin", "concnb.js"), "run", file, "--json", "--timeout", "60", ...(solutions ? ["--solutions"] : [])];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 << 20 });
    return { code: 0, cells: (JSON.parse(stdout) as { cells: LessonCell[] }).cells };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, cells: (JSON.parse(err.stdout) as { cells: LessonCell[] }).cells };
  }
}
