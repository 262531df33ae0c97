// The timeline's recorder (runtime/core/trace.ts, kernel/timeline.ts) on real
// threads: who ran when, every blocked span with what it waited on and its
// line, the hand-offs between threads, one clock, a bounded buffer; and the
// Trace Event Format of `concnb run --trace` (kernel/traceEvents.ts).
import { strict as assert } from "node:assert";
import { TestKernel } from "./support/kernel";
import type { Span, Timeline } from "../../kernel/protocol/timeline";
import { TR } from "../../kernel/protocol/layout";
import { traceEvents } from "../../kernel/traceEvents";

describe("the timeline, recorded on real threads", function () {
  this.timeout(60_000);
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  async function timeline(source: string): Promise<Timeline> {
    const r = await k.run(source);
    assert.ok(r.result.status === "ok" || r.result.error?.name === "DeadlockError", r.result.error?.traceback ?? r.result.status);
    const t = k.kernel.timelineOf(k.lastExecId);
    assert.ok(t, "the kernel kept no timeline of the run");
    return t;
  }
  const laneOf = (t: Timeline, name: string) => {
    const lane = t.lanes.find((l) => l.name === name);
    assert.ok(lane, `no lane ${name} among ${t.lanes.map((l) => l.name).join(", ")}`);
    return lane;
  };

  it("gives each thread a lane from its start to its end, the main thread first, on one clock", async () => {
    const t = await timeline(`import { Thread } from "threading";
import { sleep } from "time";
const ts = [1, 2, 3].map((i) => new Thread({ target: sleep, args: [0.05 * i], name: "w" + i }));
ts.forEach((x) => x.start());
ts.forEach((x) => x.join());`);
    assert.equal(t.lanes[0].name, "MainThread");
    for (const i of [1, 2, 3]) {
      const lane = laneOf(t, `w${i}`);
      assert.ok(lane.end !== null && lane.end > lane.start, `w${i} has no end`);
      // every worker's clock is the kernel's: a thread's lane lies inside the cell's run
      assert.ok(lane.start >= t.start && lane.end <= t.end, `w${i} lies outside the run: ${lane.start}..${lane.end} of ${t.start}..${t.end}`);
      const sleeps = t.spans.filter((s) => s.lane === lane.id && s.state === "sleeping");
      assert.equal(sleeps.length, 1);
      assert.equal(sleeps[0].what, `sleep ${[0.05, 0.1, 0.15][i - 1]}`);
      const ms = (sleeps[0].end - sleeps[0].start) / 1000;
      assert.ok(ms >= 50 * i - 1, `w${i} slept ${ms} ms`);
    }
    // the main thread waited in join for the worker that ended last: its last join names it and ends as it ends
    const joins = t.spans.filter((s) => s.lane === t.lanes[0].id && s.what.startsWith("join "));
    const last = t.lanes.filter((l) => l.name.startsWith("w")).reduce((a, b) => ((a.end ?? 0) > (b.end ?? 0) ? a : b));
    const lastJoin = joins.reduce((a, b) => (a.end > b.end ? a : b));
    assert.equal(lastJoin.what, `join ${last.name}`, joins.map((s) => s.what).join(", "));
    assert.ok(Math.abs(lastJoin.end - (last.end ?? 0)) < 20_000, `the join ends ${lastJoin.end - (last.end ?? 0)} µs from the thread's end`);
  });

  it("records a blocked acquire with the lock, the cell line, and the release that handed it over", async () => {
    const t = await timeline(`import { Thread, Lock, Condition } from "threading";
import { sleep } from "time";
const lock = new Lock(), cond = new Condition();
function holder() { lock.acquire(); { using _ = cond.hold(); cond.notify(); } sleep(0.1); lock.release(); }
function waiter() {
  { using _ = cond.hold(); cond.wait(); }
  lock.acquire();
  lock.release();
}
const h = new Thread({ target: holder, name: "holder" }), w = new Thread({ target: waiter, name: "waiter" });
// the holder starts once the waiter waits on the Condition (a thread's worker may take a while to boot)
w.start();
while (cond.waiting === 0) sleep(0.001);
h.start(); h.join(); w.join();`);
    const waiter = laneOf(t, "waiter");
    const holder = laneOf(t, "holder");
    const acquire = t.spans.find((s) => s.lane === waiter.id && s.what.startsWith("acquire Lock#"));
    assert.ok(acquire, `no acquire span: ${t.spans.filter((s) => s.lane === waiter.id).map((s) => s.what).join(", ")}`);
    assert.equal(acquire.state, "blocked");
    assert.deepEqual(acquire.where, { cell: "cell 1", line: 7, code: "lock.acquire();" });
    assert.ok(acquire.end - acquire.start > 50_000, `waited only ${acquire.end - acquire.start} µs`);
    const flow = t.flows.find((f) => f.what === acquire.what.replace("acquire", "release") && f.to.lane === waiter.id);
    assert.ok(flow, `no hand-off to the waiter: ${JSON.stringify(t.flows)}`);
    assert.equal(flow.from.lane, holder.id);
    assert.ok(flow.from.ts <= flow.to.ts && Math.abs(flow.to.ts - acquire.end) < 1000, "the arrow does not land where the wait ends");
    // and the Condition: notified by the holder, waited on by the waiter
    assert.ok(t.flows.some((f) => f.what.startsWith("notify Condition#") && f.from.lane === holder.id && f.to.lane === waiter.id), JSON.stringify(t.flows));
  });

  it("shows a pool thread's wait for work as idle, and the result() that waited for it", async () => {
    const t = await timeline(`import { ThreadPoolExecutor } from "concurrent.futures";
import { sleep } from "time";
using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
const f = pool.submit(() => { sleep(0.05); return 1; });
f.result();
sleep(0.05);
pool.submit(() => 2).result();`);
    const worker = t.lanes.find((l) => l.pool);
    assert.ok(worker, t.lanes.map((l) => l.name).join(", "));
    assert.ok(t.spans.some((s) => s.lane === worker.id && s.state === "idle" && s.end - s.start > 30_000), "no idle span while main slept");
    const result = t.spans.find((s) => s.lane === t.lanes[0].id && s.what.startsWith("result Future#"));
    assert.ok(result, "main's result() is not a span");
    assert.ok(t.flows.some((f) => f.what === result.what.replace("result", "finish") && f.from.lane === worker.id), JSON.stringify(t.flows));
  });

  it("keeps a deadlock's waits open to the end of the cell", async () => {
    const t = await timeline(`import { Thread, Lock, Barrier } from "threading";
const a = new Lock(), b = new Lock(), both = new Barrier(2);
function one() { using _a = a.hold(); both.wait(); using _b = b.hold(); }
function two() { using _b = b.hold(); both.wait(); using _a = a.hold(); }
const t1 = new Thread({ target: one, name: "one" }), t2 = new Thread({ target: two, name: "two" });
t1.start(); t2.start(); t1.join(); t2.join();`);
    for (const name of ["one", "two"]) {
      const open = t.spans.filter((s): s is Span & { open: true } => s.lane === laneOf(t, name).id && s.open === true);
      assert.equal(open.length, 1, `${name}: ${JSON.stringify(open)}`);
      assert.match(open[0].what, /^acquire Lock#\d+$/);
      assert.equal(open[0].end, t.end);
      // where it waits, as the thread said when it was marked blocked: the hold of its second lock
      assert.deepEqual(open[0].where, name === "one"
        ? { cell: "cell 1", line: 3, code: "function one() { using _a = a.hold(); both.wait(); using _b = b.hold(); }" }
        : { cell: "cell 1", line: 4, code: "function two() { using _b = b.hold(); both.wait(); using _a = a.hold(); }" });
    }
    // and the cycle, which the renderer names above the lanes: each waits for the lock the other holds
    const cycle = t.deadlock?.cycle ?? [];
    assert.deepEqual(cycle.map((c) => c.lane).sort(), [laneOf(t, "one").id, laneOf(t, "two").id].sort());
    for (const step of cycle) {
      assert.match(step.waitsFor, /^acquire Lock#\d+$/);
      assert.equal(step.heldBy, cycle.find((c) => c !== step)?.lane);
    }
  });

  it("gives a child Process's threads their lanes, under its pid and name, on the same clock", async () => {
    const t = await timeline(`import { Process } from "multiprocessing";
import { sleep } from "time";
const p = new Process({ target: sleep, args: [0.1] });
p.start();
p.join();`);
    const child = t.lanes.filter((l) => l.process === "Process-1");
    assert.equal(child.length, 1, JSON.stringify(t.lanes));
    assert.notEqual(child[0].pid, t.lanes[0].pid);
    const sleep = t.spans.find((s) => s.lane === child[0].id && s.what === "sleep 0.1");
    assert.ok(sleep, JSON.stringify(t.spans));
    const join = t.spans.find((s) => s.lane === t.lanes[0].id && /^join Process#\d+$/.test(s.what));
    assert.ok(join, JSON.stringify(t.spans.map((s) => s.what)));
    // one clock: the child's sleep lies inside the parent's wait to join it
    assert.ok(join.start <= sleep.start && sleep.end <= join.end, `sleep ${sleep.start}..${sleep.end}, join ${join.start}..${join.end}`);
  });

  it("gives each worker process of a Pool one lane of its tasks, idle between them, and a hand-off to the map that waited", async () => {
    const t = await timeline(`import { Pool } from "multiprocessing";
import { sleep } from "time";
function nap(s: number): number { sleep(s); return s; }
using pool = new Pool(2);
pool.map(nap, [0.05, 0.05, 0.05, 0.05], 1);
pool.applyAsync(nap, [0.05]).get();`);
    const workers = t.lanes.filter((l) => /^ForkPoolWorker-\d+$/.test(l.process));
    // one lane per worker process, however many tasks it ran
    assert.equal(workers.length, 2, JSON.stringify(t.lanes));
    assert.equal(new Set(workers.map((l) => l.pid)).size, 2);
    assert.ok(workers.every((l) => l.pool && l.pid !== t.lanes[0].pid), JSON.stringify(workers));
    const on = (l: { id: number }, what: RegExp) => t.spans.filter((s) => s.lane === l.id && what.test(s.what));
    // five tasks of 0.05 s: each sleep on the lane of the worker that ran it; between two tasks of a worker, an idle
    // wait for the second (the pool sends a worker its next task once it has the last one's result)
    const sleeps = workers.flatMap((l) => on(l, /^sleep 0\.05$/));
    assert.equal(sleeps.length, 5, JSON.stringify(t.spans.map((s) => s.what)));
    for (const l of workers) {
      const naps = on(l, /^sleep/).sort((a, b) => a.start - b.start);
      const idle = on(l, /^idle: waiting for a task$/);
      assert.ok(idle.every((s) => s.state === "idle"));
      for (let i = 1; i < naps.length; i++) {
        const between = idle.filter((s) => naps[i - 1].end <= s.start && s.end <= naps[i].start);
        assert.equal(between.length, 1, `${l.process}, before task ${i + 1}: ${JSON.stringify(t.spans.filter((s) => s.lane === l.id))}`);
      }
    }
    // the main thread waited in map on the Pool, then in get() on the AsyncResult; each wait ended by a worker's hand-off
    const main = t.lanes[0];
    const map = on(main, /^map Pool#\d+$/)[0];
    const get = on(main, /^result AsyncResult#\d+$/)[0];
    assert.ok(map && get, JSON.stringify(t.spans.filter((s) => s.lane === main.id).map((s) => s.what)));
    // one clock: every task's sleep lies inside one of the main thread's waits for it
    assert.ok(sleeps.every((s) => (map.start <= s.start && s.end <= map.end) || (get.start <= s.start && s.end <= get.end)));
    for (const wait of [map, get]) {
      const f = t.flows.find((x) => x.to.lane === main.id && x.to.ts === wait.end);
      assert.ok(f, `no hand-off ends the ${wait.what}: ${JSON.stringify(t.flows)}`);
      assert.ok(workers.some((l) => l.id === f.from.lane), JSON.stringify(f));
      assert.match(f.what, /^task done in ForkPoolWorker-\d+$/);
    }
  });

  it("shows a ProcessPoolExecutor's thread waiting for the worker process that runs its task, and the hand-off back", async () => {
    const t = await timeline(`import { ProcessPoolExecutor } from "concurrent.futures";
import { sleep } from "time";
function nap(s: number): number { sleep(s); return s; }
using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
ex.submit(nap, 0.05).result();`);
    const thread = laneOf(t, "ProcessPoolExecutor-0_0");
    const wait = t.spans.find((s) => s.lane === thread.id && /^run in ProcessPoolExecutor#\d+$/.test(s.what));
    assert.ok(wait, JSON.stringify(t.spans.map((s) => s.what)));
    const worker = t.lanes.find((l) => l.pid !== t.lanes[0].pid);
    assert.ok(worker, JSON.stringify(t.lanes));
    const sleep = t.spans.find((s) => s.lane === worker.id && s.what === "sleep 0.05");
    assert.ok(sleep && wait.start <= sleep.start && sleep.end <= wait.end, JSON.stringify({ sleep, wait }));
    assert.ok(t.flows.some((f) => f.from.lane === worker.id && f.to.lane === thread.id && f.to.ts === wait.end), JSON.stringify(t.flows));
  });
  it("keeps each thread's latest events and counts those it let go", async () => {
    const n = TR.Capacity; // sleeps of 1 µs: two records each, twice what the ring holds
    const t = await timeline(`import { sleep } from "time";
for (let i = 0; i < ${n}; i++) sleep(0.000001);`);
    const sleeps = t.spans.filter((s) => s.lane === t.lanes[0].id && s.state === "sleeping");
    assert.ok(t.dropped >= n - 4 && t.dropped <= n + 4, `dropped ${t.dropped}`);
    assert.ok(sleeps.length >= n / 2 - 2 && sleeps.length <= n / 2, `kept ${sleeps.length} sleeps`);
  });
});

describe("the Trace Event Format of concnb run --trace", () => {
  it("names a process per cell and a track per thread, with complete events and flows that pair up", () => {
    const lane = (id: number, name: string) => ({ id, name, pid: 1, process: "MainProcess", start: 10, end: 90, daemon: false, pool: false });
    const cell: Timeline = {
      cell: "cell 2", start: 0, end: 100, dropped: 0,
      lanes: [lane(1, "MainThread"), lane(2, "Thread-1 (worker)")],
      spans: [{ lane: 2, state: "blocked", start: 20, end: 50, what: "acquire Lock#3", where: { cell: "cell 2", line: 4, code: "lock.acquire();" } }],
      flows: [{ id: 7, what: "release Lock#3", from: { lane: 1, ts: 49 }, to: { lane: 2, ts: 50 } }],
    };
    const { traceEvents: events } = traceEvents([{ index: 2, timeline: cell }]);
    for (const e of events) {
      assert.ok(typeof e.name === "string" && typeof e.ph === "string" && typeof e.pid === "number", JSON.stringify(e));
      if (e.ph !== "M") assert.ok(typeof e.ts === "number" && typeof e.tid === "number", JSON.stringify(e));
      if (e.ph === "X") assert.ok(typeof e.dur === "number" && e.dur >= 0, JSON.stringify(e));
    }
    assert.deepEqual(events.find((e) => e.name === "process_name")?.args, { name: "cell 2" });
    assert.deepEqual(events.filter((e) => e.name === "thread_name").map((e) => e.args?.name), ["MainThread", "Thread-1 (worker)"]);
    const span = events.find((e) => e.ph === "X" && e.name === "acquire Lock#3");
    assert.deepEqual([span?.tid, span?.ts, span?.dur, span?.args?.line], [2, 20, 30, 4]);
    const [s, f] = [events.find((e) => e.ph === "s"), events.find((e) => e.ph === "f")];
    assert.ok(s && f && s.id === f.id && s.tid === 1 && f.tid === 2 && (s.ts ?? 0) <= (f.ts ?? 0));
  });
});
