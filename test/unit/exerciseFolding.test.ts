// Hints and solutions folded out of the notebook VS Code shows, and put back
// on saving: every lesson's bytes survive the round trip, a hint or solution
// shown goes where the file keeps it, and nothing folded is ever lost.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { foldAway, foldedOf, nextFolded, placeOf, unfold } from "../../extension/exercises/folding";
import { roleOf } from "../../kernel/protocol/exercises";
import { parseConcnb, serializeConcnb, type ConcnbCell } from "../../kernel/protocol/format";

const root = resolve(__dirname, "..", "..", "..");
const lessons = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".concnb")).sort();

const md = (source: string, metadata?: Record<string, unknown>): ConcnbCell => ({ kind: "markdown", source, ...(metadata ? { metadata } : {}) });
const ts = (source: string, metadata?: Record<string, unknown>): ConcnbCell => ({ kind: "code", source, ...(metadata ? { metadata } : {}) });

const sample = (): ConcnbCell[] => [
  md("## Exercises"),
  ts("let a = 1;", { exercise: "a" }),
  ts("check a", { check: "a", runs: 3 }),
  md("hint a1", { hint: "a" }),
  md("hint a2", { hint: "a" }),
  ts("solution a", { solution: "a" }),
  md("### 2"),
  ts("let b = 1;", { exercise: "b" }),
  ts("check b", { check: "b" }),
  md("hint b1", { hint: "b" }),
  ts("solution b", { solution: "b" }),
];

const sources = (cells: readonly ConcnbCell[]) => cells.map((c) => c.source);

describe("exercise folding", () => {
  it("keeps every hint and solution out of sight, and the rest in file order", () => {
    const { shown, folded } = foldAway(sample());
    assert.deepEqual(sources(shown), ["## Exercises", "let a = 1;", "check a", "### 2", "let b = 1;", "check b"]);
    assert.deepEqual(
      folded.map((f) => `${f.exercise}:${f.role}:${f.cell.source}`),
      ["a:hint:hint a1", "a:hint:hint a2", "a:solution:solution a", "b:hint:hint b1", "b:solution:solution b"],
    );
  });

  it("puts them back where they were when nothing was shown", () => {
    const { shown, folded } = foldAway(sample());
    assert.deepEqual(unfold(shown, folded), sample());
  });

  it("gives back every lesson's bytes, folded and put back", () => {
    assert.ok(lessons.length >= 9);
    let foldedInAll = 0;
    for (const lesson of lessons) {
      const text = readFileSync(join(root, "notebooks", lesson), "utf8");
      const doc = parseConcnb(text);
      const { shown, folded } = foldAway(doc.cells);
      foldedInAll += folded.length;
      const back = serializeConcnb({ ...doc, cells: unfold(shown, foldedOf(JSON.parse(JSON.stringify(folded)))) }, { saveOutputs: false });
      assert.equal(back, text, lesson);
    }
    assert.ok(foldedInAll >= 12, `${foldedInAll} hints and solutions folded in the lessons`);
  });

  it("places a hint shown after the hints shown, and before a solution shown first", () => {
    const { shown, folded } = foldAway(sample());
    // the solution of "a" shown first: right after a's check
    const s = nextFolded(folded, "a", "solution");
    const afterSolution = [...shown];
    afterSolution.splice(placeOf(shown, folded[s]) + 1, 0, folded[s].cell);
    assert.deepEqual(sources(afterSolution).slice(1, 4), ["let a = 1;", "check a", "solution a"]);
    // then its first hint: between the check and the solution
    const rest = folded.filter((_, i) => i !== s);
    const h = nextFolded(rest, "a", "hint");
    assert.equal(rest[h].cell.source, "hint a1");
    assert.equal(placeOf(afterSolution, rest[h]), 2);
    // and saving keeps everything, each once
    const saved = unfold(afterSolution, rest);
    assert.deepEqual([...sources(saved)].sort(), [...sources(sample())].sort());
    assert.deepEqual(sources(saved).slice(1, 6), ["let a = 1;", "check a", "hint a1", "hint a2", "solution a"]);
  });

  it("saves a folded cell at the end when the learner deleted its whole exercise, rather than losing it", () => {
    const { shown, folded } = foldAway(sample());
    const withoutB = shown.filter((c) => roleOf(c.metadata)?.id !== "b");
    const saved = unfold(withoutB, folded);
    assert.deepEqual(sources(saved).slice(-2), ["hint b1", "solution b"]);
    assert.equal(saved.length, withoutB.length + folded.length);
  });

  it("leaves a hint in sight when its exercise is not there (its problem must be seen)", () => {
    const cells = [md("stray", { hint: "nobody" }), ts("x", { exercise: "x" }), ts("solution y", { solution: "y" })];
    const { shown, folded } = foldAway(cells);
    assert.deepEqual(sources(shown), ["stray", "x", "solution y"]);
    assert.equal(folded.length, 0);
  });

  it("reads folded cells back from metadata defensively", () => {
    assert.deepEqual(foldedOf(undefined), []);
    assert.deepEqual(foldedOf({}), []);
    const good = { exercise: "a", role: "hint", cell: { kind: "markdown", source: "h" } };
    assert.deepEqual(foldedOf([good, { exercise: 1 }, null, { ...good, role: "other" }, { ...good, cell: { kind: "markdown" } }]), [good]);
  });
});
