// Every lesson runs, headless, as a learner would run it with `concnb run`:
// with its exercises' solutions (--solutions), each code cell ends ok, or with
// the error its metadata says it shows on purpose, and every check passes
// every run; as the lesson gives them, every check fails, so none is a check
// that cannot fail. The lessons' central claims hold on the solved run.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseConcnb } from "../../kernel/protocol/format";
import { lessonRun, type LessonCell } from "./support/lessonRuns";

const root = join(__dirname.slice(0, __dirname.lastIndexOf("/out/")));
const lessons = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".concnb")).sort();

type Cell = LessonCell;
const run = (lesson: string, solutions = true) => lessonRun(join(root, "notebooks", lesson), solutions);

const stdout = (c: Cell) => c.outputs.filter((o) => o.stream === "stdout").map((o) => o.text).join("");

describe("lessons", function () {
  this.timeout(120_000);

  it("are lessons 01 to 06 at least", () => {
    assert.ok(lessons.length >= 6, lessons.join(", "));
    lessons.forEach((l, i) => assert.match(l, new RegExp(`^${String(i + 1).padStart(2, "0")}-`)));
  });

  // The learner has none of the notes' files: a lesson names a note by its
  // title ("An Intro to Threading in Python"), never as "seed 003" or
  // "assignment 009", in its prose or in its front matter.
  for (const lesson of lessons) {
    it(`${lesson}: cites the notes by their titles, not by file or exercise numbers`, () => {
      const doc = parseConcnb(readFileSync(join(root, "notebooks", lesson), "utf8"));
      const texts = [
        ["front matter", doc.frontMatter?.raw ?? ""],
        ...doc.cells.flatMap((c, i) => (c.kind === "code" ? [] : [[`cell ${i + 1}`, c.source]])),
      ];
      const numbered = /\bseeds?\s*#?\d+|\bseeds\b|\bassignments?\s*#?\d+/gi;
      const found = texts.flatMap(([where, text]) => [...text.matchAll(numbered)].map((m) => `${where}: "${m[0]}"`));
      assert.deepEqual(found, []);
    });
  }

  for (const lesson of lessons) {
    it(`${lesson}: every code cell runs as the lesson says`, async () => {
      const { code, cells } = await run(lesson);
      assert.ok(cells.length > 0);
      for (const c of cells) {
        const why = `cell ${c.index}: ${c.status} ${c.error?.traceback ?? c.error?.message ?? ""}`;
        if (c.expectError) {
          assert.equal(c.status, "error", why);
          assert.equal(c.error?.name, c.expectError, why);
        } else assert.equal(c.status, "ok", why);
      }
      assert.equal(code, 0);
    });
  }

  for (const lesson of lessons) {
    const text = readFileSync(join(root, "notebooks", lesson), "utf8");
    if (!/<!-- ts \{"check"/.test(text)) continue;
    it(`${lesson}: every check fails on its exercise as the lesson gives it`, async () => {
      const { code, cells } = await run(lesson, false);
      const checks = cells.filter((c) => c.check);
      assert.ok(checks.length > 0);
      for (const c of checks) assert.ok(c.check!.passed < c.check!.runs, `the check of "${c.check!.exercise}" (cell ${c.index}) passed ${c.check!.passed} of ${c.check!.runs} runs unsolved`);
      assert.equal(code, 1);
      // and every other cell as with the solutions
      for (const c of cells.filter((x) => !x.check && !x.expectError)) assert.equal(c.status, "ok", `cell ${c.index}`);
    });
  }

  it("01: three threads that each sleep 0.5 s finish together, well under 1.5 s", async () => {
    const { cells } = await run(lessons[0]);
    const took = cells.map(stdout).join("").match(/three 0\.5 s waits took ([\d.]+) s/);
    assert.ok(took, "the lesson prints how long the three waits took");
    assert.ok(Number(took[1]) < 1.0, `took ${took[1]} s`);
    const threads = new Set(cells.flatMap((c) => c.outputs.map((o) => o.thread)));
    assert.ok(["Thread-1 (worker)", "Thread-2 (worker)", "Thread-3 (worker)"].every((t) => threads.has(t)), [...threads].join(", "));
  });

  it("02: updates are lost without the lock, and all 400,000 are kept with it", async () => {
    const { cells } = await run(lessons[1]);
    const text = cells.map(stdout).join("");
    const lost = text.match(/expected: 400000\ngot: +(\d+)/);
    assert.ok(lost, "the lesson prints the unlocked count");
    assert.ok(Number(lost[1]) < 400_000, `no update was lost: ${lost[1]}`);
    const locked = [...text.matchAll(/^got: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(locked.length >= 1 && locked.every((n) => n === 400_000), locked.join(", "));
  });

  it("03: the lock-order inversion is reported, naming both threads and both locks", async () => {
    const { cells } = await run(lessons[2]);
    const dead = cells.find((c) => c.expectError === "DeadlockError");
    assert.ok(dead, "lesson 3 shows a deadlock");
    const report = dead.error?.traceback ?? "";
    const holders = [...report.matchAll(/^Thread (.+)\n {2}holds RLock #\d+/gm)].map((m) => m[1]);
    assert.equal(holders.length, 2, report);
    assert.equal((report.match(/waits to acquire RLock #\d+ .*held by/g) ?? []).length, 2, report);
  });

  it("06: the excepthook collects the two failed divisions, and no traceback is printed", async () => {
    const lesson = lessons.find((l) => l.startsWith("06-"))!;
    const { cells } = await run(lesson);
    const text = cells.map(stdout).join("");
    const m = /^(\d+) of 5 threads failed:\n((?: {2}.+\n?)*)/m.exec(text);
    assert.ok(m, "the lesson prints how many threads failed");
    assert.equal(Number(m[1]), 2, m[0]);
    assert.deepEqual(m[2].trim().split("\n").map((l) => l.trim().split(":")[0]).sort(), ["divide 1/0", "divide 5/0"]);
    const collecting = cells.find((c) => c.outputs.some((o) => o.text.includes("threads failed")))!;
    assert.ok(!collecting.outputs.some((o) => o.stream === "stderr"), "no traceback: the hook took every failure");
  });
});
