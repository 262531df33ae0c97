// The wait-for graph of kernel/deadlock: a cycle of lock and join waits is
// reported as it closes (not half a second later, by the general check), even
// while other threads still run; waits that end by themselves (a timeout, a
// lock held for a while, a Lock another thread releases) are not deadlocks.
import { strict as assert } from "node:assert";
import { DeadlockWatch, type CycleStep } from "../../kernel/deadlock";
import type { ThreadDesc } from "../../kernel/protocol/worker";
import { TestKernel } from "./support/kernel";

/** When the kernel's watch last gave a report (perfCounter's clock: process.hrtime), and the cycle it saw. */
interface Seen {
  at: number;
  by: "graph" | "check";
  cycle: readonly CycleStep[] | undefined;
}
let seen: Seen | null = null;
const now = () => Number(process.hrtime.bigint()) / 1e9;
// the Kernel runs in this process, on this bundle's DeadlockWatch: note when it reports
for (const by of ["graph", "check"] as const) {
  const name = by === "graph" ? "cycleReport" : "check";
  const proto = DeadlockWatch.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, name)?.value as (this: DeadlockWatch, threads: ThreadDesc[]) => string | null;
  proto[name] = function (this: DeadlockWatch, threads: ThreadDesc[]) {
    const report = original.call(this, threads);
    if (report) seen = { at: now(), by, cycle: this.cycle };
    return report;
  };
}

/** The numbers the cell printed after `tag`, one per line (perfCounter() readings). */
function stamps(lines: Array<[string, string]>, tag: string): number[] {
  return lines.filter(([, l]) => l.startsWith(tag)).map(([, l]) => Number(l.slice(tag.length)));
}

describe("deadlocks found on the wait-for graph", function () {
  this.timeout(30_000);
  let k: TestKernel;
  beforeEach(() => {
    k = new TestKernel();
    seen = null;
  });
  afterEach(() => k.dispose());

  it("reports a lock-order inversion of 2 threads as it closes", async () => {
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
import { perfCounter } from "time";
const a = new Lock();
const b = new Lock();
const bothHold = new Barrier(2);
function one() { using _a = a.hold(); bothHold.wait(); console.log("close " + perfCounter()); using _b = b.hold(); }
function two() { using _b = b.hold(); bothHold.wait(); console.log("close " + perfCounter()); using _a = a.hold(); }
const t1 = new Thread({ target: one, name: "one" });
const t2 = new Thread({ target: two, name: "two" });
t1.start(); t2.start();
t1.join(); t2.join();`);
    const ended = now();
    assert.equal(r.result.error?.name, "DeadlockError", r.result.error?.traceback ?? r.result.status);
    const report = r.result.error?.traceback ?? "";
    assert.match(report, /Thread one\n {2}holds Lock #\d+ \(made at cell 1, line 3: const a = new Lock\(\);\)\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 4: const b = new Lock\(\);\), held by two\n {2}File "cell 1", line 6, in one/);
    assert.match(report, /Thread two\n {2}holds Lock #\d+ \(made at cell 1, line 4[^\n]*\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 3[^\n]*held by one\n {2}File "cell 1", line 7, in two/);
    assert.ok(seen, "the watch reported");
    assert.equal(seen.by, "graph", "the graph found it, not the general check");
    const closed = Math.max(...stamps(r.lines("stdout"), "close "));
    assert.ok(Number.isFinite(closed), "the cell printed when the cycle closed");
    const delay = (seen.at - closed) * 1000;
    console.log(`      cycle closed → reported: ${delay.toFixed(1)} ms (→ cell ended: ${((ended - closed) * 1000).toFixed(1)} ms)`);
    assert.ok(delay < 500, `reported ${delay.toFixed(0)} ms after the cycle closed`);
    // the cycle, for the timeline: in order, each step what the report says of that thread
    const cycle = seen.cycle ?? [];
    assert.equal(cycle.length, 2);
    for (const step of cycle) assert.ok(report.includes(`  ${step.waitsFor}\n`), `${step.waitsFor} is a line of the report`);
    assert.match(cycle[0].waitsFor, /^waits to acquire Lock #\d+ .*, held by two$/);
    assert.match(cycle[1].waitsFor, /^waits to acquire Lock #\d+ .*, held by one$/);
    assert.notEqual(cycle[0].ident, cycle[1].ident);
    const next = await k.run(`console.log("next")`);
    assert.deepEqual(next.lines(), [["MainThread", "next"]]);
  });

  it("reports a cycle of 3 threads", async () => {
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
const locks = [new Lock(), new Lock(), new Lock()];
const all = new Barrier(3);
function grab(i: number) { using _x = locks[i].hold(); all.wait(); using _y = locks[(i + 1) % 3].hold(); }
const ts = [0, 1, 2].map((i) => new Thread({ target: grab, args: [i], name: "t" + i }));
ts.forEach((t) => t.start());
ts.forEach((t) => t.join());`);
    assert.equal(r.result.error?.name, "DeadlockError", r.result.error?.traceback ?? r.result.status);
    const report = r.result.error?.traceback ?? "";
    for (const [i, j] of [[0, 1], [1, 2], [2, 0]]) assert.match(report, new RegExp(`Thread t${i}\\n {2}holds Lock #\\d+[^\\n]*\\n {2}waits to acquire Lock #\\d+[^\\n]*held by t${j}\\n`));
    assert.equal(seen?.by, "graph");
    const cycle = seen?.cycle ?? [];
    assert.equal(cycle.length, 3);
    // in cycle order: each waits for the next one's lock
    const names = cycle.map((s) => s.waitsFor.match(/held by (t\d)$/)?.[1]);
    const order = names.map((n) => Number(n?.slice(1)));
    for (let i = 0; i < 3; i++) assert.equal(order[(i + 1) % 3], (order[i] + 1) % 3, names.join(" "));
  });

  it("reports a cycle of 2 threads while a third keeps running", async () => {
    const started = performance.now();
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
import { sleep, perfCounter } from "time";
const a = new Lock();
const b = new Lock();
const bothHold = new Barrier(2);
function one() { using _a = a.hold(); bothHold.wait(); using _b = b.hold(); }
function two() { using _b = b.hold(); bothHold.wait(); using _a = a.hold(); }
function busy() { const end = perfCounter() + 20; while (perfCounter() < end) sleep(0.01); }
const t3 = new Thread({ target: busy, name: "busy" });
t3.start();
const t1 = new Thread({ target: one, name: "one" });
const t2 = new Thread({ target: two, name: "two" });
t1.start(); t2.start();
t1.join(); t2.join(); t3.join();`);
    const took = performance.now() - started;
    assert.equal(r.result.error?.name, "DeadlockError", r.result.error?.traceback ?? r.result.status);
    const report = r.result.error?.traceback ?? "";
    assert.ok(report.startsWith("Deadlock: these threads wait for each other in a cycle, and none of them can go on.\n"), report);
    assert.match(report, /Thread one\n {2}holds Lock #\d+[^\n]*\n {2}waits to acquire Lock #\d+[^\n]*held by two\n/);
    assert.match(report, /Thread two\n {2}holds Lock #\d+[^\n]*\n {2}waits to acquire Lock #\d+[^\n]*held by one\n/);
    assert.doesNotMatch(report, /Thread busy|Thread MainThread/);
    assert.match(r.result.error?.message ?? "", /^threads wait for each other in a cycle: one, two$|^threads wait for each other in a cycle: two, one$/);
    assert.ok(took < 10_000, `took ${took.toFixed(0)} ms: the running thread's 20 s were waited out`);
  });

  it("reports a thread joining a thread that waits for a lock the joiner holds", async () => {
    const r = await k.run(`import { Thread, Lock } from "threading";
const a = new Lock();
function worker() { using _a = a.hold(); }
a.acquire();
const t = new Thread({ target: worker, name: "worker" });
t.start();
t.join();`);
    assert.equal(r.result.error?.name, "DeadlockError", r.result.error?.traceback ?? r.result.status);
    const report = r.result.error?.traceback ?? "";
    assert.match(report, /Thread MainThread\n {2}holds Lock #\d+ \(made at cell 1, line 2[^\n]*\n {2}waits to join thread worker\n {2}File "cell 1", line 7, in <module>/);
    assert.match(report, /Thread worker\n {2}holds no lock\n {2}waits to acquire Lock #\d+[^\n]*held by MainThread\n {2}File "cell 1", line 3, in worker/);
    assert.equal(seen?.by, "graph");
    assert.deepEqual(
      seen?.cycle?.map((s) => s.waitsFor.replace(/ \(made at .*\)(?=, held by)/, "")),
      ["waits to join thread worker", `waits to acquire ${/Lock #\d+/.exec(report)?.[0]}, held by MainThread`],
    );
  });

  it("does not report a lock held for a while (0.3 s) that another thread waits for", async () => {
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
import { sleep } from "time";
const a = new Lock();
const b = new Lock();
const bothHold = new Barrier(3);
// three waits for b, two holds b and waits for a, one holds a and sleeps, then lets it go: a chain of waits, not a cycle
function one() { using _a = a.hold(); bothHold.wait(); sleep(0.3); }
function two() { using _b = b.hold(); bothHold.wait(); using _a = a.hold(); console.log("two got a"); }
function three() { using _b = b.hold(); console.log("three got b"); }
const ts = [new Thread({ target: one }), new Thread({ target: two }), new Thread({ target: three })];
ts[0].start(); ts[1].start(); bothHold.wait(); ts[2].start();
ts.forEach((t) => t.join());
console.log("done");`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines().map(([, l]) => l), ["two got a", "three got b", "done"]);
    assert.equal(seen, null);
  });

  it("does not report a cycle one of whose acquires has a timeout", async () => {
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
const a = new Lock();
const b = new Lock();
const bothHold = new Barrier(2);
function one() { a.acquire(); bothHold.wait(); const got = b.acquire(true, 0.2); console.log("one got b: " + got); a.release(); }
function two() { using _b = b.hold(); bothHold.wait(); using _a = a.hold(); console.log("two got a"); }
const t1 = new Thread({ target: one }), t2 = new Thread({ target: two });
t1.start(); t2.start(); t1.join(); t2.join();`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines().map(([, l]) => l), ["one got b: false", "two got a"]);
    assert.equal(seen, null);
  });

  it("does not report a thread waiting for a Lock it holds that another thread releases", async () => {
    // a Lock has no owner in Python: any thread may release it, so acquiring one's own Lock again can be a signal
    const r = await k.run(`import { Thread, Lock } from "threading";
import { sleep } from "time";
const ready = new Lock();
ready.acquire();
const t = new Thread({ target: () => { sleep(0.3); ready.release(); } });
t.start();
ready.acquire();
console.log("signalled");
t.join();`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines().map(([, l]) => l), ["signalled"]);
    assert.equal(seen, null);
  });

  it("still leaves a deadlock on an Event to the general check", async () => {
    const r = await k.run(`import { Thread, Event } from "threading";
const e = new Event();
const t = new Thread({ target: () => e.wait(), name: "waiter" });
t.start();
t.join();`);
    assert.equal(r.result.error?.name, "DeadlockError", r.result.error?.traceback ?? r.result.status);
    assert.ok(r.result.error?.traceback?.startsWith("Deadlock: every thread of this program is waiting for another, and none of them can go on.\n"));
    assert.equal(r.result.error?.message, "every thread is blocked: MainThread, waiter");
    assert.equal(seen?.by, "check");
  });
});
