// What the lessons tell the learner to look for in a cell's timeline holds on
// this machine: each lesson runs with `concnb run --trace`, and the trace of
// the cells whose metadata asks for a timeline (and of the deadlock, which
// always shows one) is read for the picture the prose describes.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseConcnb } from "../../kernel/protocol/format";
import type { TraceEvent } from "../../kernel/traceEvents";

const root = join(__dirname.slice(0, __dirname.lastIndexOf("/out/")));

interface CellTrace {
  threads: Map<number, string>;
  spans: TraceEvent[];
  lives: TraceEvent[];
  flows: Array<{ what: string; from: number; to: number }>;
}

/** The lesson's trace, per cell index (VS Code's, 1-based); and which cells ask for their timeline. */
async function traced(lesson: string): Promise<{ cells: Map<number, CellTrace>; asking: number[] }> {
  const out = join(mkdtempSync(join(tmpdir(), "concnb-lesson-trace-")), "trace.json");
  const file = join(root, "notebooks", lesson);
  // exit 1 is fine for a lesson whose deadlock cell fails on purpose: the lessons test judges the run itself
  await promisify(execFile)(process.execPath, [join(root, "bin", "concnb.js"), "run", file, "--json", "--trace", out, "--timeout", "60"], { maxBuffer: 64 << 20 }).catch(() => {});
  const { traceEvents } = JSON.parse(readFileSync(out, "utf8")) as { traceEvents: TraceEvent[] };
  const cells = new Map<number, CellTrace>();
  const of = (pid: number) => {
    let c = cells.get(pid);
    if (!c) cells.set(pid, (c = { threads: new Map(), spans: [], lives: [], flows: [] }));
    return c;
  };
  const starts = new Map<number, TraceEvent>();
  for (const e of traceEvents) {
    const c = of(e.pid);
    if (e.name === "thread_name") c.threads.set(e.tid!, String(e.args?.name));
    else if (e.ph === "X") (e.cat === "thread" ? c.lives : c.spans).push(e);
    else if (e.ph === "s") starts.set(e.id!, e);
    else if (e.ph === "f") {
      const s = starts.get(e.id!);
      if (s) c.flows.push({ what: e.name, from: s.tid!, to: e.tid! });
    }
  }
  const doc = parseConcnb(readFileSync(file, "utf8"));
  const asking = doc.cells.flatMap((c, i) => (c.kind === "code" && (c.metadata?.timeline === true || c.metadata?.expectError === "DeadlockError") ? [i + 1] : []));
  return { cells, asking };
}

const tid = (c: CellTrace, name: string | RegExp) => {
  const found = [...c.threads].find(([, n]) => (typeof name === "string" ? n === name : name.test(n)));
  assert.ok(found, `no thread ${String(name)} among ${[...c.threads.values()].join(", ")}`);
  return found[0];
};
const end = (e: TraceEvent) => (e.ts ?? 0) + (e.dur ?? 0);

describe("lessons: what their timelines show", function () {
  this.timeout(180_000);

  it("01: three sleeps that overlap in time, and the main thread woken by the last worker's finish", async () => {
    const { cells, asking } = await traced("01-threads.concnb");
    assert.equal(asking.length, 1);
    const c = cells.get(asking[0])!;
    const sleeps = c.spans.filter((s) => s.name === "sleep 0.5");
    assert.equal(sleeps.length, 3, c.spans.map((s) => s.name).join(", "));
    // on top of each other: every sleep begins before any of them ends
    assert.ok(Math.max(...sleeps.map((s) => s.ts ?? 0)) < Math.min(...sleeps.map(end)), "the sleeps do not overlap");
    const main = tid(c, "MainThread");
    const joins = c.spans.filter((s) => s.tid === main && /^join /.test(s.name));
    assert.ok(joins.length >= 1);
    const lastJoin = joins.reduce((a, b) => (end(a) > end(b) ? a : b));
    const joined = c.lives.find((l) => l.name === lastJoin.name.slice(5));
    assert.ok(joined, `the joined thread ${lastJoin.name} has no lane`);
    assert.ok(Math.abs(end(lastJoin) - end(joined)) < 20_000, `main's join ends ${end(lastJoin) - end(joined)} µs from the worker's end`);
    assert.ok(c.flows.some((f) => f.what.startsWith("finish ") && f.to === main), "no arrow from a worker's finish to main");
  });

  it("02: the four workers take the RLock in turns, with hand-offs between them", async () => {
    const { cells, asking } = await traced("02-race-conditions-and-locks.concnb");
    const c = cells.get(asking[0])!;
    const acquires = c.spans.filter((s) => /^acquire RLock#\d+$/.test(s.name));
    assert.ok(new Set(acquires.map((s) => s.tid)).size >= 2, `waits to acquire on ${new Set(acquires.map((s) => s.tid)).size} lanes`);
    const handoffs = c.flows.filter((f) => /^release RLock#/.test(f.what) && f.from !== f.to);
    assert.ok(handoffs.length >= 10, `${handoffs.length} hand-offs of the lock`);
    assert.ok(new Set(handoffs.map((f) => f.from)).size >= 2, "only one thread ever handed the lock over");
  });

  it("03: the deadlock's two payers each end in a wait to acquire that never ends", async () => {
    const { cells, asking } = await traced("03-rlock-and-deadlock.concnb");
    const c = cells.get(asking[0])!;
    for (const payer of ["alice-pays-bob", "bob-pays-alice"]) {
      const lane = tid(c, payer);
      const open = c.spans.filter((s) => s.tid === lane && s.args?.open);
      assert.equal(open.length, 1, `${payer}: ${open.length} open waits`);
      assert.match(open[0].name, /^acquire RLock#\d+$/);
    }
    const waits = ["alice-pays-bob", "bob-pays-alice"].map((p) => c.spans.find((s) => s.tid === tid(c, p) && s.args?.open)!.name);
    assert.notEqual(waits[0], waits[1], "both wait for the same lock: no cycle");
  });

  it("04: one set() wakes the three waiters at once, each with an arrow from the main thread", async () => {
    const { cells, asking } = await traced("04-events-and-conditions.concnb");
    const c = cells.get(asking[0])!;
    const main = tid(c, "MainThread");
    const waits = c.spans.filter((s) => /^wait Event#\d+$/.test(s.name) && s.tid !== main);
    assert.equal(new Set(waits.map((s) => s.tid)).size, 3, c.spans.map((s) => s.name).join(", "));
    // all three end at the same moment: within a few ms of each other
    const ends = waits.map(end);
    assert.ok(Math.max(...ends) - Math.min(...ends) < 20_000, `the waits end ${(Math.max(...ends) - Math.min(...ends)) / 1000} ms apart`);
    const sets = c.flows.filter((f) => /^set Event#/.test(f.what) && f.from === main);
    assert.deepEqual(new Set(sets.map((f) => f.to)), new Set(waits.map((s) => s.tid)));
    const sleep = c.spans.find((s) => s.tid === main && s.name === "sleep 0.5");
    assert.ok(sleep && end(sleep) <= Math.min(...ends), "the main thread's sleep does not come first");
  });

  it("07: one pool thread runs the three tasks, idle between them, each result() woken by its finish", async () => {
    const { cells, asking } = await traced("07-thread-pools-and-futures.concnb");
    const c = cells.get(asking[0])!;
    const pool = tid(c, "ThreadPoolExecutor-0_0");
    assert.ok(![...c.threads.values()].includes("ThreadPoolExecutor-0_1"), "the first pool started a second thread");
    const idle = c.spans.filter((s) => s.tid === pool && s.cat === "idle" && (s.dur ?? 0) > 50_000);
    assert.ok(idle.length >= 2, `${idle.length} idle spans of over 50 ms between the tasks`);
    const main = tid(c, "MainThread");
    const results = c.spans.filter((s) => s.tid === main && /^result Future#\d+$/.test(s.name));
    assert.ok(results.length >= 3, `${results.length} waits in result()`);
    const finishes = c.flows.filter((f) => /^finish Future#/.test(f.what) && f.from === pool && f.to === main);
    assert.ok(finishes.length >= 3, `${finishes.length} arrows from the pool thread's finish to main`);
  });

  it("08: the producer waits to put into the full queue, each wait ended by the consumer's get", async () => {
    const { cells, asking } = await traced("08-queues-producers-consumers.concnb");
    const c = cells.get(asking[0])!;
    const main = tid(c, "MainThread");
    const puts = c.spans.filter((s) => s.tid === main && /^put Queue#\d+$/.test(s.name));
    assert.ok(puts.length >= 2, `${puts.length} waits to put`);
    const consumer = tid(c, "consumer");
    assert.ok(c.flows.filter((f) => /^get Queue#/.test(f.what) && f.from === consumer && f.to === main).length >= 2, "no get→put hand-offs");
    assert.ok(c.spans.filter((s) => s.tid === consumer && s.name === "sleep 0.3").length >= 4);
  });

  it("09: each worker process of the Pool has its lane, and the last one's task done ends the main thread's map", async () => {
    const { cells, asking } = await traced("09-processes-and-cpu-work.concnb");
    const c = cells.get(asking[0])!;
    const workers = [tid(c, "ForkPoolWorker-1: MainThread"), tid(c, "ForkPoolWorker-2: MainThread")];
    const main = tid(c, "MainThread");
    const map = c.spans.find((s) => s.tid === main && /^map Pool#\d+$/.test(s.name));
    assert.ok(map, `no map wait among ${c.spans.filter((s) => s.tid === main).map((s) => s.name).join(", ")}`);
    // each worker's lane ends, its slice done, while the main thread waits in map
    for (const w of workers) {
      const life = c.lives.find((l) => l.tid === w);
      assert.ok(life && end(life) <= end(map), `${c.threads.get(w)}: ${JSON.stringify(life)}, map ${JSON.stringify(map)}`);
    }
    const done = c.flows.filter((f) => /^task done in ForkPoolWorker-[12]$/.test(f.what) && workers.includes(f.from) && f.to === main);
    assert.equal(done.length, 1, JSON.stringify(c.flows));
    // the worker whose task ended it is the one whose lane ends last
    const last = workers.map((w) => ({ w, end: Math.max(...c.spans.filter((s) => s.tid === w).map(end), ...c.lives.filter((l) => l.tid === w).map(end)) })).sort((a, b) => b.end - a.end)[0];
    assert.equal(done[0].from, last.w);
  });
});
