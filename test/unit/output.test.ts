// The output path on its own: the ring between a worker and the kernel (a real
// worker thread writing), a cell's output with its limit, and the marks.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { newOutputRing, RING_BYTES, RingReader, RingWriter, type RingRecord } from "../../kernel/protocol/outputRing";
import { CellOutput } from "../../kernel/output";
import { ThreadMarks } from "../../kernel/protocol/marks";
import type { OutputRecord } from "../../kernel/protocol/messages";

const turn = () => new Promise((r) => setImmediate(r));

/** This file is also the writing thread of the ring tests (a real worker): what it writes, by `mode`. */
interface WriterJob {
  ringWriter: true;
  buf: SharedArrayBuffer;
  mode: "lines" | "huge";
}
const HUGE = "🧵".repeat(RING_BYTES); // four bytes a character: far more than the ring holds
const LINES = 10_000;
if (!isMainThread && (workerData as WriterJob | undefined)?.ringWriter) {
  const job = workerData as WriterJob;
  const w = new RingWriter(job.buf);
  if (job.mode === "huge") w.write(1, "stdout", "MainThread", HUGE);
  else for (let i = 0; i < LINES; i++) w.write(i, "stdout", "Thread-1", `${"y".repeat(100)}\n`);
  parentPort?.postMessage("done");
}

/** Starts a writer thread and reads its ring as the kernel does, a turn at a time; resolves with what it read. */
async function readWriter(mode: WriterJob["mode"], beforeReading?: (r: RingReader, done: () => boolean) => Promise<void>): Promise<RingRecord[]> {
  const buf = newOutputRing();
  const r = new RingReader(buf);
  const worker = new Worker(__filename, { workerData: { ringWriter: true, buf, mode } satisfies WriterJob });
  let done = false;
  worker.on("message", () => (done = true));
  await beforeReading?.(r, () => done);
  const got: RingRecord[] = [];
  while (!done || r.pending) {
    r.read((x) => got.push(x));
    await turn();
  }
  await worker.terminate();
  return got;
}

if (isMainThread) {
describe("output ring", () => {
  it("carries records whole, in order, across the end of the ring, in any script", () => {
    const buf = newOutputRing();
    const w = new RingWriter(buf);
    const r = new RingReader(buf);
    const got: RingRecord[] = [];
    const texts = ["plain\n", "é ünïcödé 漢字 🧵\n", "x".repeat(50_000), ""];
    for (let round = 0; round < 40; round++) {
      for (const [i, t] of texts.entries()) w.write(round * 10 + i, i % 2 ? "stderr" : "stdout", `Thread-${i}`, t);
      r.read((x) => got.push(x));
    }
    const want = Array.from({ length: 40 }, (_, round) => texts.map((t, i): RingRecord => ({ seq: round * 10 + i, stream: i % 2 ? "stderr" : "stdout", thread: `Thread-${i}`, text: t }))).flat().filter((x) => x.text);
    // compared in short: a failing deepEqual of 50,000-character strings would bury the difference
    const brief = (xs: RingRecord[]) => xs.map((x) => `${x.seq} ${x.stream} ${x.thread} ${x.text.length}:${x.text.slice(0, 20)}`);
    assert.deepEqual(brief(got), brief(want));
    assert.ok(got.every((x, i) => x.text === want[i].text));
  });

  it("cuts a write longer than the ring into pieces, never inside a character", async function () {
    this.timeout(30_000);
    const got = await readWriter("huge");
    assert.ok(got.length > 1, "one write longer than the ring came as one record");
    assert.ok(got.every((x) => !x.text.includes("\uFFFD")), "a piece was cut inside a character");
    assert.equal(got.map((x) => x.text).join(""), HUGE);
  });

  it("blocks a writer in another thread while the ring is full, and lets it go on as the kernel reads", async function () {
    this.timeout(30_000);
    const got = await readWriter("lines", async (r, done) => {
      // nobody reads yet: the ring fills up, and its writer must be waiting for room, not done
      while (r.fill < 0.95) await turn();
      assert.equal(done(), false, "the writer finished although the ring was full and unread");
    });
    assert.equal(got.length, LINES);
    assert.ok(got.every((x, i) => x.seq === i));
  });
});

describe("a cell's output", () => {
  const collect = (lines: number) => {
    const out: OutputRecord[] = [];
    const file = join(tmpdir(), `concnb-test-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
    return { out, file, cell: new CellOutput((r) => { for (const x of r) out.push(x); }, { lines, file }) };
  };

  it("holds an unfinished line for a turn, then sends it as it is; the rest of it continues it", () => {
    const { out, cell } = collect(100);
    cell.write("w1", "stdout", "MainThread", "50%", 1);
    cell.tick();
    assert.deepEqual(out, [], "sent at once: a line finished right after would be split");
    cell.tick();
    assert.deepEqual(out, [{ stream: "stdout", thread: "MainThread", text: "50%" }]);
    cell.write("w1", "stdout", "MainThread", "\r100%\n", 2);
    cell.tick();
    assert.deepEqual(out[1], { stream: "stdout", thread: "MainThread", text: "\r100%\n" });
  });

  it("puts the writes of threads in the order they were numbered", () => {
    const { out, cell } = collect(100);
    cell.write("w2", "stdout", "Thread-1", "second\n", 2);
    cell.write("w1", "stdout", "MainThread", "first\n", 1);
    cell.write("w1", "stdout", "MainThread", "third\n", 3);
    cell.flush();
    assert.deepEqual(out.map((r) => r.text), ["first\n", "second\n", "third\n"]);
  });

  it("past its limit keeps the head and the tail, says how many lines were left out, and writes them all to a file", () => {
    const { out, file, cell } = collect(10);
    for (let i = 0; i < 100; i++) cell.write("w1", i % 3 ? "stdout" : "stderr", "MainThread", `line ${i}\n`, i);
    cell.flush();
    const shown = out.filter((r) => !r.omitted).flatMap((r) => r.text.split("\n").filter(Boolean));
    assert.deepEqual(shown, [...[0, 1, 2, 3, 4], ...[95, 96, 97, 98, 99]].map((i) => `line ${i}`));
    const notes = out.filter((r) => r.omitted);
    assert.equal(notes.length, 2, "one note as the limit is passed, one at the end");
    assert.equal(notes[1].omitted?.lines, 90);
    assert.match(notes[1].text, /90 lines left out/);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 100);
    assert.equal(lines[0], "[MainThread] (stderr) line 0");
    assert.equal(lines[1], "[MainThread] line 1");
  });
});

describe("thread marks", () => {
  const show = (records: OutputRecord[]) => {
    const text = { stdout: "", stderr: "" };
    const marks = new ThreadMarks((s, t) => (text[s] += t));
    marks.add(records);
    marks.endLines();
    return text.stdout;
  };
  const rec = (thread: string, text: string): OutputRecord => ({ stream: "stdout", thread, text });

  it("marks a line once, however many pieces it arrives in", () => {
    assert.equal(show([rec("A", "one "), rec("A", "line\n"), rec("A", "two\n")]), "[A] one line\n[A] two\n");
  });

  it("ends a thread's open line when another thread writes, and marks its rest again", () => {
    assert.equal(show([rec("A", "half"), rec("B", "whole\n"), rec("A", " rest\n")]), "[A] half\n[B] whole\n[A]  rest\n");
  });

  it("marks a line that begins with \\r after it, not before", () => {
    assert.equal(show([rec("A", "\r10%"), rec("A", "\r20%\n")]), "\r[A] 10%\r[A] 20%\n");
  });

  it("writes the mark again after \\r, so a redrawn line keeps it", () => {
    assert.equal(show([rec("A", "10%"), rec("A", "\r"), rec("A", "20%\r30%\n")]), "[A] 10%\r[A] 20%\r[A] 30%\n");
  });
});
}
