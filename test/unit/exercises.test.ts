// Exercises (docs/API.md, "Exercises"): the metadata read the same way by the
// CLI and the extension, the verdict's words, and `concnb run` checking them,
// on real threads, with and without --solutions.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exercisesOf, shortFailure } from "../../kernel/protocol/exercises";

const root = join(__dirname, "..", "..", "..");
const fixture = join(root, "test", "fixtures", "exercises", "exercises.concnb");
const concnb = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin", "concnb.js"), "run", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

interface Entry {
  index: number;
  status: string;
  check?: { exercise: string; runs: number; passed: number; failure?: string };
  outputs: Array<{ text: string }>;
}
const cellsOf = (stdout: string) => (JSON.parse(stdout) as { cells: Entry[] }).cells;

describe("exercises: their metadata", () => {
  const code = (metadata: Record<string, unknown>) => ({ kind: "code" as const, metadata });
  const md = (metadata: Record<string, unknown>) => ({ kind: "markdown" as const, metadata });

  it("gathers each exercise's check, runs, hints in order and solution, by id", () => {
    const { exercises, problems } = exercisesOf([md({}), code({ exercise: "a" }), code({ check: "a", runs: 20 }), md({ hint: "a" }), md({ hint: "a" }), code({ solution: "a" }), code({})]);
    assert.deepEqual(problems, []);
    assert.deepEqual([...exercises.values()], [{ id: "a", exercise: 1, check: { index: 2, runs: 20 }, hints: [3, 4], solution: 5 }]);
  });

  it("names what is wrong, with the cell: an unknown or later exercise, an id twice, bad runs, a part in the wrong kind of cell", () => {
    const { problems } = exercisesOf([
      code({ check: "b" }),
      code({ exercise: "a" }),
      code({ exercise: "a" }),
      code({ check: "a", runs: 0 }),
      code({ check: "a", runs: 2.5 }),
      code({ hint: "a" }),
      md({ solution: "a" }),
    ]);
    assert.deepEqual(
      problems.map((p) => [p.index, p.message]),
      [
        [0, 'this check names the exercise "b", which no earlier cell is'],
        [2, 'the exercise "a" is defined twice (first in cell 2)'],
        [3, '"runs" must be a whole number from 1 to 200, not 0'],
        [4, '"runs" must be a whole number from 1 to 200, not 2.5'],
        [5, "a hint cell must be a Markdown cell"],
        [6, "a solution cell must be a code cell"],
      ],
    );
  });

  it("says an assertion's failure in one line: expected, got, and where", () => {
    const at = " (cell 6, line 3)";
    assert.equal(shortFailure({ name: "AssertionError", message: `Expected values to be strictly equal:\n\n187411 !== 200000\n${at}` }), "expected 200000, got 187411 (cell 6, line 3)");
    assert.equal(shortFailure({ name: "AssertionError", message: `the total\n\n1 !== 2\n${at}` }), "the total: expected 2, got 1 (cell 6, line 3)");
    assert.equal(shortFailure({ name: "AssertionError", message: "false == true" }), "false == true");
    assert.equal(shortFailure({ name: "DeadlockError", message: "every thread is blocked: MainThread, a\nmore" }), "DeadlockError: every thread is blocked: MainThread, a");
  });
});

describe("exercises: concnb run checks them", function () {
  this.timeout(120_000);

  it("fails a check on its unsolved exercise, with the first failure's words and how many runs passed", () => {
    const r = concnb(fixture, "--json");
    assert.equal(r.status, 1, r.stderr);
    const checks = cellsOf(r.stdout).filter((c) => c.check);
    assert.deepEqual(checks.map((c) => [c.index, c.status, c.check!.exercise, c.check!.runs]), [[3, "error", "double", 1], [7, "error", "counter", 5]]);
    assert.equal(checks[0].check!.passed, 0);
    assert.equal(checks[0].check!.failure, "expected 42, got 21 (cell 3, line 2)");
    // the race loses updates: fewer than 80, and not every run passes
    assert.ok(checks[1].check!.passed < 5);
    const lost = /^expected 80, got (\d+) \(cell 7, line 4\)$/.exec(checks[1].check!.failure ?? "");
    assert.ok(lost && Number(lost[1]) < 80, checks[1].check!.failure);
    // a solution is not run in order, and has no entry
    assert.ok(!cellsOf(r.stdout).some((c) => c.index === 5 || c.index === 8));
  });

  it("with --solutions runs each solution in its exercise's place, and every check passes every run", () => {
    const r = concnb(fixture, "--json", "--solutions");
    assert.equal(r.status, 0, r.stderr);
    const checks = cellsOf(r.stdout).filter((c) => c.check);
    assert.deepEqual(checks.map((c) => [c.status, c.check!.passed, c.check!.runs, c.check!.failure]), [["ok", 1, 1, undefined], ["ok", 5, 5, undefined]]);
    // the check's own output, from its last run
    assert.deepEqual(checks[1].outputs.map((o) => o.text), ["total 80\n"]);
  });

  it("prints each check's verdict, and refuses a notebook whose exercise metadata is wrong", () => {
    const r = concnb(fixture);
    assert.match(r.stdout, /^✗ cell 3: "double" failed 1 of 1 run: expected 42, got 21 \(cell 3, line 2\), in \d+ ms$/m);
    assert.match(r.stdout, /^· cell 5: the solution of "double", not run \(--solutions runs it in place of cell 2\)$/m);
    const bad = join(mkdtempSync(join(tmpdir(), "concnb-exercises-")), "bad.concnb");
    writeFileSync(bad, '<!-- ts {"check":"nope"} -->\n```ts\n1;\n```\n');
    const refused = concnb(bad);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.concnb: cell 1: this check names the exercise "nope", which no earlier cell is/);
    assert.equal(refused.stdout, "");
  });
});
