// "concurrent.futures" against what CPython's Lib/test/test_concurrent_futures/
// checks (test_thread_pool, test_future, test_as_completed, test_wait,
// test_shutdown, test_init), on real threads: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { cpus } from "node:os";
import { TestKernel } from "../../../support/kernel";

describe("conformance: concurrent.futures", function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  const out = (source: string) => k.stdout(source);
  const HEAD = `import { ThreadPoolExecutor, Future, asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
  CancelledError, InvalidStateError, TimeoutError, BrokenThreadPool } from "concurrent.futures";
import { Thread, Event, currentThread } from "threading";
import { sleep, perfCounter } from "time";
`;

  describe("ThreadPoolExecutor", () => {
    it("runs submitted calls with their arguments and gives their results", async () => {
      const lines = await out(HEAD + `function pow(a: number, b: number) { return a ** b; }
using pool = new ThreadPoolExecutor(2);
const f = pool.submit(pow, 2, 8);
const g = pool.submit((s: string) => s.toUpperCase(), "abc");
console.log(f.result(), g.result(), f.done(), f.exception());`);
      assert.deepEqual(lines, ["256 ABC true null"]);
    });

    it("defaults maxWorkers to min(32, cpus + 4) and refuses maxWorkers <= 0", async () => {
      const lines = await out(HEAD + `const seen = [new ThreadPoolExecutor().maxWorkers];
for (const n of [0, -1]) { try { new ThreadPoolExecutor(n); } catch (e) { seen.push((e as Error).name); } }
console.log(JSON.stringify(seen));`);
      assert.deepEqual(JSON.parse(lines[0]), [Math.min(32, cpus().length + 4), "ValueError", "ValueError"]);
    });

    it("names its threads ThreadPoolExecutor-N_K, or after threadNamePrefix", async () => {
      const lines = await out(HEAD + `import { Barrier } from "threading";
// both tasks must be running at once to meet at the barrier: two threads
const both = new Barrier(2);
function meet(b: Barrier) { b.wait(); return currentThread().name; }
using a = new ThreadPoolExecutor(2);
using b = new ThreadPoolExecutor({ maxWorkers: 1, threadNamePrefix: "fetcher" });
const fs = [a.submit(meet, both), a.submit(meet, both), b.submit(() => currentThread().name)];
console.log(JSON.stringify(fs.map((f) => f.result()).sort()));`);
      assert.deepEqual(JSON.parse(lines[0]), ["ThreadPoolExecutor-0_0", "ThreadPoolExecutor-0_1", "fetcher_0"]);
    });

    it("reuses an idle thread instead of starting another", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(8);
const names = new Set<string>();
for (let i = 0; i < 20; i++) names.add(pool.submit(() => currentThread().name).result() as string);
console.log(names.size);`);
      assert.deepEqual(lines, ["1"]);
    });

    it("runs eight 0.3 s tasks on four workers in about two waves", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(4);
pool.submit(() => 0).result(); // threads warm
const t = perfCounter();
const fs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => pool.submit((n: number) => { sleep(0.3); return n; }, n));
fs.forEach((f) => f.result());
console.log(perfCounter() - t);`);
      const took = Number(lines[0]);
      assert.ok(took >= 0.6 && took < 0.9 + 0.5, `took ${took} s`);
    });

    it("map yields in input order, throws the first failure when iteration reaches it, and cancels the rest", async () => {
      const lines = await out(HEAD + `function f(n: number) { if (n === 3) throw new RangeError("three"); sleep(n === 1 ? 0.2 : 0); return n * 10; }
using pool = new ThreadPoolExecutor(1);
const got: unknown[] = [];
try { for (const r of pool.map(f, [1, 2, 3, 4, 5])) got.push(r); } catch (e) { got.push((e as Error).name + ": " + (e as Error).message); }
console.log(JSON.stringify(got));
console.log(JSON.stringify([...pool.map((a: number, b: number) => a + b, [1, 2, 3], [10, 20])]));`);
      assert.deepEqual(JSON.parse(lines[0]), [10, 20, "RangeError: three"]);
      assert.deepEqual(JSON.parse(lines[1]), [11, 22]);
    });

    it("map's timeout counts from the call", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(2);
const t = perfCounter();
const it = pool.map((s: number) => { sleep(s); return s; }, [0, 0.5], { timeout: 0.2 });
const got: unknown[] = [];
try { for (const r of it) got.push(r); } catch (e) { got.push((e as Error).name, perfCounter() - t); }
console.log(JSON.stringify(got));`);
      const [first, name, took] = JSON.parse(lines[0]);
      assert.equal(first, 0);
      assert.equal(name, "TimeoutError");
      assert.ok(took >= 0.19 && took < 0.45, `timed out after ${took} s`);
    });

    it("refuses submit after shutdown; shutdown waits; cancelFutures cancels what is queued", async () => {
      const lines = await out(HEAD + `const pool = new ThreadPoolExecutor(1);
const gate = new Event();
const started = new Event();
const running = pool.submit((started: Event, gate: Event) => { started.set(); gate.wait(); return "ran"; }, started, gate);
const queued = [1, 2, 3].map((n) => pool.submit((n: number) => n, n));
started.wait(); // the first task has left the queue: only the three others are queued
pool.shutdown({ wait: false, cancelFutures: true }); // while the only thread is busy: the three are still queued
gate.set();
pool.shutdown();
let err = ""; try { pool.submit(() => 1); } catch (e) { err = (e as Error).name; }
console.log(running.result(), JSON.stringify(queued.map((f) => f.cancelled())), queued.every((f) => f.cancelled()), err);
const p2 = new ThreadPoolExecutor(2);
const slow = p2.submit(() => { sleep(0.2); return "done"; });
p2.shutdown();
console.log(slow.done(), slow.result());`);
      const [first, second] = lines;
      const [ran, , someCancelled, err] = first.split(" ");
      assert.equal(ran, "ran");
      assert.equal(someCancelled, "true");
      assert.equal(err, "RuntimeError");
      assert.equal(second, "true done");
    });

    it("runs the work submitted before the cell ends, without a shutdown", async () => {
      const r = await k.run(HEAD + `const pool = new ThreadPoolExecutor(2);
pool.submit(() => { sleep(0.2); console.log("late task ran"); });
console.log("main done");`);
      assert.equal(r.result.status, "ok");
      assert.deepEqual(r.lines("stdout").map(([t, l]) => `${t}: ${l}`), ["MainThread: main done", "ThreadPoolExecutor-0_0: late task ran"]);
    });

    it("runs the initializer in each thread; a failing one breaks the pool", async () => {
      const r = await k.run(HEAD + `function init(tag: string) { console.log("init", tag, currentThread().name); }
const pool = new ThreadPoolExecutor({ maxWorkers: 2, initializer: init, initargs: ["x"] });
const gate = new Event();
const fs = [pool.submit(() => gate.wait()), pool.submit(() => gate.wait())];
gate.set(); fs.forEach((f) => f.result());
pool.shutdown();
const broken = new ThreadPoolExecutor({ maxWorkers: 1, initializer: () => { throw new Error("no db"); } });
const f = broken.submit(() => 1);
try { f.result(); } catch (e) { console.log("result:", (e as Error).name); }
try { broken.submit(() => 2); } catch (e) { console.log("submit:", (e as Error).name); }`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      const out = r.lines("stdout").map(([, l]) => l);
      assert.deepEqual(out.filter((l) => l.startsWith("init")).sort(), ["init x ThreadPoolExecutor-0_0", "init x ThreadPoolExecutor-0_1"]);
      assert.ok(out.includes("result: BrokenThreadPool"), out.join("\n"));
      assert.ok(out.includes("submit: BrokenThreadPool"), out.join("\n"));
      assert.match(r.text("stderr"), /Exception in initializer:[\s\S]*Error: no db/);
    });

    it("keeps a task's traceback into the cell's lines, and raises it only at result()", async () => {
      const r = await k.run(HEAD + `class InsufficientFunds extends Error {}
function withdraw(n: number) {
  if (n > 10) throw new InsufficientFunds("cannot take " + n);
  return n;
}
using pool = new ThreadPoolExecutor(2);
const fs = [5, 50, 7].map((n) => pool.submit(withdraw, n));
console.log("submitted");
console.log(fs[0].result(), fs[2].result(), fs[1].exception() instanceof InsufficientFunds);
fs[1].result();`);
      assert.equal(r.result.status, "error");
      assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["submitted", "5 7 true"]);
      const tb = r.result.error?.traceback ?? "";
      assert.match(tb, /File "cell \d+", line 14, in <module>\n {4}fs\[1\]\.result\(\);\n {2}File "cell \d+", line 7, in withdraw\n {4}if \(n > 10\) throw new InsufficientFunds/);
      assert.match(tb, /InsufficientFunds: cannot take 50\n?$/);
    });

    it("runs 100 tasks on 100 threads, and ends", async () => {
      const lines = await out(HEAD + `import { Lock } from "threading";
import { Value } from "sharedctypes";
const total = new Value("i", 0);
const lock = new Lock();
function add(n: number) { using _ = lock.hold(); total.value += n; }
{
  using pool = new ThreadPoolExecutor({ maxWorkers: 100 });
  for (let i = 1; i <= 100; i++) pool.submit(add, i);
}
console.log(total.value);`);
      assert.deepEqual(lines, ["5050"]);
    });

    it("ends the cell when executors are made while another thread writes a lot (no message of theirs is lost)", async () => {
      // the kernel drains threads' messages before each output batch: an executor's registration read that
      // way once went missing, and the main thread waited for it for ever at the end of the cell
      const r = await k.run(HEAD + `function chatter() { for (let i = 0; i < 2000; i++) { console.log("line", i); sleep(0.0005); } }
new Thread({ target: chatter, daemon: true }).start();
for (let i = 0; i < 50; i++) { using pool = new ThreadPoolExecutor({ maxWorkers: 1 }); sleep(0.001); }
console.log("end of the cell's code");`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      assert.ok(r.lines().some(([t, l]) => t === "MainThread" && l === "end of the cell's code"));
    });

    it("reports result() of work that can never finish as a deadlock", async () => {
      const r = await k.run(HEAD + `const never = new Event();
using pool = new ThreadPoolExecutor(1);
const f = pool.submit(() => never.wait());
f.result();`);
      assert.equal(r.result.error?.name, "DeadlockError");
      const tb = r.result.error?.traceback ?? "";
      assert.match(tb, /Thread MainThread\n {2}holds no lock\n {2}waits for the result of Future #\d+/);
      assert.match(tb, /Thread ThreadPoolExecutor-\d+_0\n {2}holds no lock\n {2}waits on Event #\d+/);
    });
  });

  describe("Future", () => {
    it("cancels only while pending; reports its states", async () => {
      const lines = await out(HEAD + `const f = new Future();
const seen: unknown[] = [f.done(), f.running(), f.cancelled(), f.cancel(), f.cancelled(), f.done(), f.cancel()];
try { f.result(); } catch (e) { seen.push((e as Error).name); }
const g = new Future(); g.setRunningOrNotifyCancel(); seen.push(g.running(), g.cancel());
g.setResult(42); seen.push(g.cancel(), g.result());
try { g.setResult(1); } catch (e) { seen.push((e as Error).name); }
try { g.setException(new Error("x")); } catch (e) { seen.push((e as Error).name); }
console.log(JSON.stringify(seen));`);
      assert.deepEqual(JSON.parse(lines[0]), [false, false, false, true, true, true, true, "CancelledError", true, false, false, 42, "InvalidStateError", "InvalidStateError"]);
    });

    it("result(timeout) and exception(timeout) raise TimeoutError after about the timeout", async () => {
      const lines = await out(HEAD + `const f = new Future();
for (const get of [() => f.result(0.2), () => f.exception(0.1)]) {
  const t = perfCounter();
  try { get(); } catch (e) { console.log((e as Error).name, perfCounter() - t); }
}`);
      const [a, b] = lines.map((l) => l.split(" "));
      assert.equal(a[0], "TimeoutError");
      assert.ok(Number(a[1]) >= 0.19 && Number(a[1]) < 1, a[1]);
      assert.equal(b[0], "TimeoutError");
      assert.ok(Number(b[1]) >= 0.09 && Number(b[1]) < 1, b[1]);
    });

    it("runs callbacks at once when done, else in the finishing thread; a failing one does not stop the others", async () => {
      const r = await k.run(HEAD + `using pool = new ThreadPoolExecutor(1);
const gate = new Event();
const f = pool.submit(() => { gate.wait(); return 7; });
f.addDoneCallback((x) => console.log("first sees", x.result(), "in", currentThread().name));
f.addDoneCallback(() => { throw new RangeError("bad callback"); });
f.addDoneCallback(() => console.log("third runs"));
gate.set();
f.result();
pool.shutdown();
f.addDoneCallback((x) => console.log("late sees", x.result(), "in", currentThread().name));`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      assert.deepEqual(r.lines("stdout").map(([t, l]) => `${t}: ${l}`), [
        "ThreadPoolExecutor-0_0: first sees 7 in ThreadPoolExecutor-0_0",
        "ThreadPoolExecutor-0_0: third runs",
        "MainThread: late sees 7 in MainThread",
      ]);
      assert.match(r.text("stderr"), /exception calling callback for <Future at #\d+ state=finished returned Number>[\s\S]*RangeError: bad callback/);
    });

    it("is one object in each thread however often it travels", async () => {
      const lines = await out(HEAD + `import { Queue } from "queue";
const there = new Queue();
const back = new Queue();
function echo(n: number) { for (let i = 0; i < n; i++) back.put(there.get()); }
const mine = new Future();
const t = new Thread({ target: echo, args: [3] });
t.start();
there.put(mine); there.put([mine, mine]); there.put(new Map([["f", mine]]));
const [a, [b, c], m] = [back.get(), back.get(), back.get()] as [Future, Future[], Map<string, Future>];
t.join();
console.log(a === mine, b === mine && c === mine, m.get("f") === mine);`);
      assert.deepEqual(lines, ["true true true"]);
    });

    it("settles races between threads: one finish wins, a cancel and a start never both succeed, every callback runs once", async () => {
      const lines = await out(HEAD + `import { Queue } from "queue";
import { Barrier } from "threading";
const N = 2000;
const calls = new Queue();
function note(f: Future) { calls.put(f.id); }
function race(fs: Future[], role: string, go: Barrier, outcomes: Queue) {
  go.wait();
  let wins = 0;
  for (const f of fs) {
    if (role === "finish") { try { f.setResult(role); wins++; } catch (e) { if ((e as Error).name !== "InvalidStateError") throw e; } }
    else if (role === "start") { try { if (f.setRunningOrNotifyCancel()) wins++; } catch (e) { throw e; } }
    else if (role === "cancel") { if (f.cancel()) wins++; }
    else f.addDoneCallback(note);
  }
  outcomes.put([role, wins]);
}
function run(roles: string[], fs: Future[]) {
  const go = new Barrier(roles.length);
  const outcomes = new Queue();
  const ts = roles.map((role) => new Thread({ target: race, args: [fs, role, go, outcomes] }));
  ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
  return Object.fromEntries(roles.map(() => outcomes.get() as [string, number]).map(([r, w], i) => [r + i, w]));
}
const running = Array.from({ length: N }, () => { const f = new Future(); f.setRunningOrNotifyCancel(); return f; });
const finishes = Object.values(run(["finish", "finish"], running)) as number[];
const pending = Array.from({ length: N }, () => new Future());
const startOrCancel = run(["start", "cancel"], pending);
const both = pending.filter((f) => f.cancelled() && f.running()).length;
const withCallbacks = Array.from({ length: N }, () => { const f = new Future(); f.setRunningOrNotifyCancel(); return f; });
run(["callback", "finish"], withCallbacks);
let called = 0; const ids = new Set<number>();
for (;;) { try { ids.add(calls.get(true, 2) as number); called++; } catch { break; } }
console.log(JSON.stringify([finishes[0] + finishes[1], running.every((f) => f.result() === "finish"),
  Object.values(startOrCancel).reduce((a, b) => a + b, 0), both, called, ids.size]));`);
      assert.deepEqual(JSON.parse(lines[0]), [2000, true, 2000, 0, 2000, 2000]);
    });

    it("is awaitable", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(1);
console.log(await pool.submit(() => 6 * 7));
try { await pool.submit(() => { throw new RangeError("no"); }); } catch (e) { console.log((e as Error).message); }`);
      assert.deepEqual(lines, ["42", "no"]);
    });
  });

  describe("asCompleted and wait", () => {
    it("asCompleted yields as futures finish, each once, from a list or a Map's keys", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(3);
const gates = [new Event(), new Event(), new Event()];
const fs = [0, 1, 2].map((i) => pool.submit((i: number, gate: Event) => { gate.wait(); return i; }, i, gates[i]));
const order: number[] = [];
gates[2].set();
for (const f of asCompleted([...fs, fs[0], fs[2]])) {
  order.push(f.result() as number);
  if (order.length === 1) gates[0].set();
  if (order.length === 2) gates[1].set();
}
const m = new Map(fs.map((f, i) => [f, "input " + i]));
const seen = [...asCompleted(m)].map((f) => m.get(f)).sort();
console.log(JSON.stringify(order), JSON.stringify(seen));`);
      assert.deepEqual(lines, ['[2,0,1] ["input 0","input 1","input 2"]']);
    });

    it("asCompleted's timeout says how many futures are unfinished", async () => {
      const lines = await out(HEAD + `const done = new Future(); done.setResult(1);
const a = new Future(), b = new Future();
const got: unknown[] = [];
const t = perfCounter();
try { for (const f of asCompleted([done, a, b], 0.2)) got.push(f.result()); } catch (e) { got.push((e as Error).name, (e as Error).message, perfCounter() - t); }
console.log(JSON.stringify(got));`);
      const [first, name, message, took] = JSON.parse(lines[0]);
      assert.deepEqual([first, name, message], [1, "TimeoutError", "2 (of 3) futures unfinished"]);
      assert.ok(took >= 0.19 && took < 1, String(took));
    });

    it("wait returns on FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, or the timeout", async () => {
      const lines = await out(HEAD + `using pool = new ThreadPoolExecutor(4);
const gate = new Event();
const quick = pool.submit(() => "quick");
const blocked = pool.submit((gate: Event) => gate.wait(), gate);
const fails = pool.submit(() => { throw new RangeError("x"); });
quick.result(); fails.exception();
const first = wait([quick, blocked], { returnWhen: FIRST_COMPLETED });
const exc = wait([quick, blocked, fails], { returnWhen: FIRST_EXCEPTION });
const t = perfCounter();
const timed = wait([quick, blocked], { timeout: 0.2 });
const took = perfCounter() - t;
gate.set();
const all = wait([quick, blocked, fails], { returnWhen: ALL_COMPLETED });
const n = (r: { done: Set<unknown>; notDone: Set<unknown> }) => [r.done.size, r.notDone.size];
let bad = ""; try { wait([quick], { returnWhen: "SOMETIMES" as never }); } catch (e) { bad = (e as Error).name; }
console.log(JSON.stringify([n(first), first.done.has(quick), n(exc), n(timed), took >= 0.19 && took < 1, n(all), bad]));`);
      assert.deepEqual(JSON.parse(lines[0]), [[1, 1], true, [2, 1], [1, 1], true, [3, 0], "ValueError"]);
    });
  });
});
