// Copying the lessons into a learner's folder, on real folders: what is
// written, what is replaced, and that an edit of the learner's is never
// written over. "A newer bundled lesson" is a bundle folder whose file
// differs from what was copied (plan.ts), so each test makes its own bundle.
import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyLessons, hashOf, LessonCopyError, readLessons } from "../../extension/lessons/copy";
import { besideName, planLessons } from "../../extension/lessons/plan";
import { summarize } from "../../extension/lessons/summary";

const LABEL = "0.2.0";

describe("Open Lessons: the copy", () => {
  let root: string;
  let bundle: string;
  let folder: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "concnb-open-lessons-"));
    bundle = join(root, "bundle");
    folder = join(root, "Concurrency Lessons");
    mkdirSync(bundle);
    writeFileSync(join(bundle, "01-threads.concnb"), "threads v1\n");
    writeFileSync(join(bundle, "02-locks.concnb"), "locks v1\n");
    writeFileSync(join(bundle, "README.md"), "not a lesson\n");
  });
  afterEach(() => {
    if (statSync(folder, { throwIfNoEntry: false })?.isDirectory()) chmodSync(folder, 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  const read = (name: string) => readFileSync(join(folder, name), "utf8");
  const copy = (recorded: ReadonlyMap<string, string> = new Map(), unsaved?: Set<string>) =>
    copyLessons({ from: bundle, to: folder, recorded, unsaved, label: LABEL });

  it("makes the folder and copies every lesson (only .concnb files), recording what it wrote", async () => {
    const r = await copy();
    assert.equal(r.error, undefined);
    assert.deepEqual(r.steps.map((s) => [s.kind, s.name]), [["copy", "01-threads.concnb"], ["copy", "02-locks.concnb"]]);
    assert.deepEqual(readdirSync(folder).sort(), ["01-threads.concnb", "02-locks.concnb"]);
    assert.equal(read("01-threads.concnb"), "threads v1\n");
    assert.equal(r.recorded.get("01-threads.concnb"), hashOf(Buffer.from("threads v1\n")));
  });

  it("leaves a file equal to the bundled lesson alone, and records it", async () => {
    const first = await copy();
    const again = await copy(first.recorded);
    assert.deepEqual(again.steps.map((s) => s.kind), ["leave", "leave"]);
    assert.deepEqual(again.recorded, first.recorded);
    assert.match(summarize(again.steps, folder).text, /^The lessons in .* are up to date\.$/);
  });

  it("replaces a file still as it was copied when the bundled lesson is newer", async () => {
    const first = await copy();
    writeFileSync(join(bundle, "02-locks.concnb"), "locks v2\n");
    const again = await copy(first.recorded);
    assert.deepEqual(again.steps.map((s) => s.kind), ["leave", "replace"]);
    assert.equal(read("02-locks.concnb"), "locks v2\n");
    assert.equal(again.recorded.get("02-locks.concnb"), hashOf(Buffer.from("locks v2\n")));
    assert.equal(summarize(again.steps, folder).text, "Updated 1 lesson you had not changed: 02-locks.concnb.");
  });

  it("keeps a file the learner changed and writes the newer lesson beside it, once", async () => {
    const first = await copy();
    writeFileSync(join(folder, "01-threads.concnb"), "threads, my notes\n");
    writeFileSync(join(bundle, "01-threads.concnb"), "threads v2\n");
    const again = await copy(first.recorded);
    const beside = besideName("01-threads.concnb", LABEL);
    assert.equal(beside, "01-threads (lesson 0.2.0).concnb");
    assert.deepEqual(again.steps[0], { kind: "beside", name: "01-threads.concnb", beside, hash: hashOf(Buffer.from("threads v2\n")) });
    assert.equal(read("01-threads.concnb"), "threads, my notes\n");
    assert.equal(read(beside), "threads v2\n");
    const said = summarize(again.steps, folder);
    assert.equal(said.level, "warning");
    assert.equal(said.text, "Kept 01-threads.concnb, which you changed; the new version of the lesson is beside it, as 01-threads (lesson 0.2.0).concnb.");
    // the learner's file is still theirs; the side copy is there already: nothing more is written
    const third = await copy(again.recorded);
    assert.deepEqual(third.steps.map((s) => s.kind), ["keep", "leave"]);
    assert.deepEqual(readdirSync(folder).sort(), ["01-threads (lesson 0.2.0).concnb", "01-threads.concnb", "02-locks.concnb"]);
    assert.equal(summarize(third.steps, folder).text, `The lessons in ${folder} are up to date. Your changes to 01-threads.concnb are kept as they are.`);
  });

  it("keeps a changed file without a side copy when the bundled lesson did not change", async () => {
    const first = await copy();
    writeFileSync(join(folder, "02-locks.concnb"), "locks, solved\n");
    const again = await copy(first.recorded);
    assert.deepEqual(again.steps.map((s) => s.kind), ["leave", "keep"]);
    assert.equal(read("02-locks.concnb"), "locks, solved\n");
    assert.deepEqual(readdirSync(folder).sort(), ["01-threads.concnb", "02-locks.concnb"]);
  });

  it("never writes over a file it did not copy (nothing recorded), nor over a side copy the learner changed", async () => {
    mkdirSync(folder);
    writeFileSync(join(folder, "01-threads.concnb"), "mine from before\n");
    writeFileSync(join(folder, "01-threads (lesson 0.2.0).concnb"), "an older side copy, edited\n");
    const r = await copy();
    assert.deepEqual(r.steps[0], { kind: "beside", name: "01-threads.concnb", beside: "01-threads (lesson 0.2.0, 2).concnb", hash: hashOf(Buffer.from("threads v1\n")) });
    assert.equal(read("01-threads.concnb"), "mine from before\n");
    assert.equal(read("01-threads (lesson 0.2.0).concnb"), "an older side copy, edited\n");
    assert.equal(read("01-threads (lesson 0.2.0, 2).concnb"), "threads v1\n");
  });

  it("treats a lesson open with unsaved changes as changed, though its file is as copied", async () => {
    const first = await copy();
    writeFileSync(join(bundle, "01-threads.concnb"), "threads v2\n");
    const again = await copy(first.recorded, new Set(["01-threads.concnb"]));
    assert.equal(again.steps[0].kind, "beside");
    assert.equal(read("01-threads.concnb"), "threads v1\n");
  });

  it("stops at a folder it cannot write to, naming it and why, and records only what was written", async function () {
    if (process.getuid?.() === 0) this.skip(); // root writes anywhere
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    const r = await copy();
    assert.ok(r.error instanceof LessonCopyError);
    assert.equal(r.error.name, "LessonCopyError");
    assert.equal(r.error.path, join(folder, "01-threads.concnb"));
    assert.match(r.error.reason, /permission denied/);
    assert.deepEqual(r.done, []);
    assert.equal(r.recorded.size, 0);
  });

  it("names the folder and why when a file is where the folder should be", async () => {
    writeFileSync(folder, "a file, not a folder\n");
    await assert.rejects(copy(), (e: unknown) => e instanceof LessonCopyError && e.path === folder && /a file is in the way/.test(e.reason));
  });

  it("stops at a lesson it cannot write, and records what was written before it", async () => {
    mkdirSync(join(folder, "02-locks.concnb"), { recursive: true }); // a folder of the lesson's name
    const r = await copy();
    assert.equal(r.error?.path, join(folder, "02-locks.concnb"));
    assert.match(r.error?.reason ?? "", /there already, and was left as it is/);
    assert.deepEqual(r.done.map((s) => s.name), ["01-threads.concnb"]);
    assert.deepEqual([...r.recorded.keys()], ["01-threads.concnb"]);
    assert.equal(read("01-threads.concnb"), "threads v1\n");
  });

  it("says so when the folder to copy from has no lessons", async () => {
    await assert.rejects(copyLessons({ from: join(root, "nowhere"), to: folder, recorded: new Map(), label: LABEL }), (e: unknown) => {
      assert.ok(e instanceof LessonCopyError);
      assert.match(e.message, /no lessons/);
      return true;
    });
    assert.equal((await readLessons(join(root, "nowhere"))).size, 0);
  });
});

describe("Open Lessons: the plan", () => {
  const h = (s: string) => s; // hashes are opaque to the plan: any string will do
  it("gives each bundled lesson one step, in name order, and never two side copies one name", () => {
    const steps = planLessons({
      bundled: new Map([["b.concnb", h("B2")], ["a.concnb", h("A2")]]),
      target: new Map([["a.concnb", h("mine")], ["b.concnb", h("B1")]]),
      recorded: new Map([["a.concnb", h("A1")], ["b.concnb", h("B1")]]),
      label: "1.0.0",
    });
    assert.deepEqual(steps, [
      { kind: "beside", name: "a.concnb", beside: "a (lesson 1.0.0).concnb", hash: "A2" },
      { kind: "replace", name: "b.concnb", hash: "B2" },
    ]);
  });

  it("tells of several kept lessons and updates in one message", () => {
    const said = summarize(
      [
        { kind: "beside", name: "a.concnb", beside: "a (lesson 1.0.0).concnb", hash: "1" },
        { kind: "beside", name: "b.concnb", beside: "b (lesson 1.0.0).concnb", hash: "2" },
        { kind: "replace", name: "c.concnb", hash: "3" },
        { kind: "copy", name: "d.concnb", hash: "4" },
      ],
      "/home/me/Concurrency Lessons",
    );
    assert.equal(
      said.text,
      "Copied 1 lesson into /home/me/Concurrency Lessons. Updated 1 lesson you had not changed: c.concnb. Kept 2 lessons you changed, each with its new version beside it: a.concnb (new version: a (lesson 1.0.0).concnb) and b.concnb (new version: b (lesson 1.0.0).concnb).",
    );
  });

  it("names side copies clearly, and counts on when a name is taken", () => {
    assert.equal(besideName("03-rlock.concnb", "0.3.1"), "03-rlock (lesson 0.3.1).concnb");
    assert.equal(besideName("03-rlock.concnb", "0.3.1", 3), "03-rlock (lesson 0.3.1, 3).concnb");
  });
});
