// multiprocessing's Pool beyond map(): applyAsync and its AsyncResult, mapAsync and imap, and process
// pools' initializer, on real OS processes: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";

describe("conformance: multiprocessing Pool", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(async () => {
    k = new TestKernel();
    // the names the scenarios use, as a notebook's first cell would import them
    await k.stdout(`import { Process, Pool, currentProcess, cpuCount } from "multiprocessing";`);
  });
  after(() => k.dispose());

  it("applyAsync gives an AsyncResult: get() gives the value, or throws the task's exception with its class and lines; ready, successful, wait", async () => {
    const r = await k.run(`import { Thread } from "threading";
class Overdrawn extends Error {}
function double(x: number) { return { twice: x * 2 }; }
function overdraw(n: number) { if (n > 1) throw new Overdrawn("too much: " + n); return n; }
using pool = new Pool(2);
const ok = pool.applyAsync(double, [21]);
const bad = pool.applyAsync(overdraw, [5]);
ok.wait();
bad.wait(30);
console.log(JSON.stringify(ok.get()), ok.ready(), ok.successful(), bad.ready(), bad.successful(), JSON.stringify(pool.apply(double, [4])));
let got = ""; try { bad.get(); } catch (e) { got = String(e) + " " + (e instanceof Overdrawn); }
console.log(got);
const inThread: string[] = [];
const t = new Thread({ target: (r: typeof ok) => { inThread.push(JSON.stringify(r.get(30))); console.log("thread got", JSON.stringify(r.get())); }, args: [pool.applyAsync(double, [5])] });
t.start(); t.join();
bad.get();`);
    assert.equal(r.result.status, "error");
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ['{"twice":42} true true true false {"twice":8}', "Overdrawn: too much: 5 true", 'thread got {"twice":10}']);
    assert.match(r.result.error?.traceback ?? "", /line 16, in <module>\n {4}bad\.get\(\);\n {2}File "cell \d+", line 4, in overdraw\n[^\n]*\nOverdrawn: too much: 5/);
  });

  it("mapAsync and starmapAsync give the list in order; imap yields in input order, imapUnordered as results are ready; a failing item throws", async () => {
    const out = await k.stdout(`import { Event } from "threading";
import { sleep } from "time";
function square(x: number) { return x * x; }
function add(a: number, b: number) { return a + b; }
/** The first item takes longest: in input order it comes first, as it is ready it comes last. */
function late(x: number) { if (x === 0) sleep(1); return x; }
function picky(x: number) { if (x === 2) throw new RangeError("no 2"); return x; }
using pool = new Pool(2);
const m = pool.mapAsync(square, [1, 2, 3, 4]);
const sm = pool.starmapAsync(add, [[1, 2], [3, 4]]);
console.log(JSON.stringify(m.get()), m.ready(), m.successful(), JSON.stringify(sm.get()));
console.log(JSON.stringify([...pool.imap(late, [0, 1, 2, 3])]), JSON.stringify([...pool.imapUnordered(late, [0, 1, 2, 3])].slice(-1)));
const bad = pool.mapAsync(picky, [1, 2, 3]);
bad.wait();
let got = ""; try { bad.get(); } catch (e) { got = (e as Error).name + ": " + (e as Error).message; }
let fromImap = ""; try { for (const x of pool.imap(picky, [1, 2, 3])) fromImap += x; } catch (e) { fromImap += " " + (e as Error).message; }
console.log(bad.successful(), got, fromImap);`);
    assert.deepEqual(out, ["[1,4,9,16] true true [3,7]", "[0,1,2,3] [0]", "false RangeError: no 2 1 no 2"]);
  });

  it("calls applyAsync's and mapAsync's callback with the value, or errorCallback with the exception, in a thread of the notebook's process; the cell waits for them", async () => {
    const r = await k.run(`import { currentThread } from "threading";
function half(x: number) { if (x % 2) throw new RangeError("odd " + x); return x / 2; }
function show(v: unknown) { console.log("value", JSON.stringify(v), currentThread().name.startsWith("ResultHandler"), process.pid === mainPid); }
function oops(e: Error) { console.log("error", e.name, e.message); }
function broken(_v: unknown) { throw new TypeError("in the callback"); }
const mainPid = process.pid;
const pool = new Pool(2); // not \`using\`: that would terminate the pool, its tasks unfinished, at the end of the code
pool.applyAsync(half, [8], { callback: show, errorCallback: oops });
pool.applyAsync(half, [3], { callback: show, errorCallback: oops });
pool.mapAsync(half, [2, 4], { callback: show });
pool.mapAsync(half, [2, 5], { callback: show, errorCallback: oops });
pool.applyAsync(half, [2], { callback: broken });
let refused = ""; try { pool.applyAsync(half, [2], { callback: 42 as never }); } catch (e) { refused = (e as Error).name; }
pool.close();
pool.join();
console.log("main done", refused);`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const handled = r.lines("stdout").filter(([t]) => t.startsWith("ResultHandler")).map(([, l]) => l).sort();
    assert.deepEqual(handled, ["error RangeError odd 3", "error RangeError odd 5", "value 4 true true", "value [1,2] true true"]);
    assert.deepEqual(r.lines("stdout").filter(([t]) => t === "MainThread").map(([, l]) => l), ["main done TypeError"]);
    assert.match(r.text("stderr"), /Exception in thread ResultHandler-\d+:\nTraceback[\s\S]*TypeError: in the callback/);
  });

  it("AsyncResult.get(timeout) throws multiprocessing's TimeoutError while the task runs; successful() is a ValueError then; terminate() kills the busy worker and fails the task", async () => {
    const out = await k.stdout(`import { TimeoutError } from "multiprocessing";
import { TimeoutError as FuturesTimeout } from "concurrent.futures";
import { sleep, monotonic } from "time";
function alive(pid: number) { try { process.kill(pid, 0); return true; } catch { return false; } }
const pool = new Pool(1);
const pid = pool.apply(() => process.pid);
const long = pool.applyAsync(() => sleep(60));
const t0 = monotonic();
let timedOut = ""; try { long.get(0.3); } catch (e) { timedOut = (e as Error).name + " " + (e instanceof TimeoutError) + " " + (e instanceof FuturesTimeout); }
const waited = monotonic() - t0;
long.wait(0.1);
let notReady = ""; try { long.successful(); } catch (e) { notReady = (e as Error).name; }
console.log(timedOut, notReady, long.ready(), waited >= 0.3 && waited < 3, alive(pid));
pool.terminate();
let lost = ""; try { long.get(); } catch (e) { lost = (e as Error).name + ": " + (e as Error).message; }
console.log(alive(pid), long.ready(), long.successful(), lost);
try { pool.applyAsync(() => 1); } catch (e) { console.log(String(e)); }`);
    assert.deepEqual(out, [
      "TimeoutError true false ValueError false true true",
      "false true false ProcessError: the pool was terminated before this task finished",
      "ValueError: Pool not running",
    ]);
  });

  it("several applyAsync calls are served by the pool's own processes, and a closed pool refuses applyAsync", async () => {
    const out = await k.stdout(`const pool = new Pool(2);
const workers = new Set(pool.map((x: number) => process.pid, [1, 2]));
const pids = [1, 2, 3, 4, 5, 6].map((i) => pool.applyAsync((x: number) => [x, process.pid], [i])).map((r) => r.get() as number[]);
pool.close();
let refused = ""; try { pool.applyAsync((x: number) => x, [1]); } catch (e) { refused = String(e); }
pool.join();
console.log(workers.size, JSON.stringify(pids.map(([x]) => x)), pids.every(([, p]) => workers.has(p)), refused);`);
    assert.deepEqual(out, ["2 [1,2,3,4,5,6] true ValueError: Pool not running"]);
  });

  describe("initializer", () => {
    /** Each `init <pid>` line the initializers printed, and the tasks' `[pid, value, calls]` reports. */
    function initRuns(lines: Array<[string, string]>): Map<number, string[]> {
      const runs = new Map<number, string[]>();
      for (const [thread, line] of lines) {
        const m = /^init (\d+)$/.exec(line);
        if (m) runs.set(Number(m[1]), [...(runs.get(Number(m[1])) ?? []), thread]);
      }
      return runs;
    }

    it("runs once in each of a Pool's worker processes, never in the parent; every task of that process sees the global it set, and what the last task left", async () => {
      const r = await k.run(`import { Pool } from "multiprocessing";
import { Thread } from "threading";
let table: Map<number, number> | null = null;
let calls = 0;
function init(n: number) { table = new Map(Array.from({ length: n }, (_, i) => [i, i * i])); console.log("init " + process.pid); }
function look(x: number) { calls++; return [process.pid, table?.get(x) ?? null, calls]; }
function show(x: number) { console.log("thread sees " + table?.get(x)); }
function inThread(x: number) { const t = new Thread({ target: show, args: [x] }); t.start(); t.join(); return look(x); }
const pool = new Pool(2, init, [30]);
// a task that starts a thread leaves its process two worker threads, and the next task may run on either
const tasks = [...pool.map(look, [1, 2, 3, 4]), ...pool.map(inThread, [5, 6]), ...pool.map(look, [7, 8, 9, 10], 1),
  ...pool.map(inThread, [11, 12]), ...pool.map(look, [13, 14]), ...pool.map(inThread, [15, 16]), ...pool.map(look, [17, 18]),
  ...[19, 20, 21].map((x) => pool.applyAsync(look, [x])).map((a) => a.get())];
pool.close(); pool.join();
console.log(JSON.stringify({ tasks, me: process.pid, table, calls }));`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      const lines = r.lines("stdout");
      const { tasks, me, table, calls } = JSON.parse(lines.at(-1)![1]) as { tasks: number[][]; me: number; table: unknown; calls: number };
      const runs = initRuns(lines);
      assert.equal(runs.size, 2, `one initializer run per worker process: ${JSON.stringify([...runs])}`);
      for (const [pid, threads] of runs) {
        assert.equal(threads.length, 1, `process ${pid} ran the initializer ${threads.length} times`);
        assert.match(threads[0], /^ForkPoolWorker-\d+$/);
      }
      assert.ok(!runs.has(me), "the initializer ran in the parent");
      assert.deepEqual([table, calls], [null, 0], "the parent's globals are untouched");
      assert.deepEqual(tasks.map(([, v]) => v), Array.from({ length: 21 }, (_, i) => (i + 1) ** 2), "a task did not see the initializer's table");
      for (const [pid] of tasks) assert.ok(runs.has(pid), `a task ran in process ${pid}, whose initializer did not run`);
      // calls++ of each task carries to the next task of the same process, as a Python worker's globals do
      for (const pid of runs.keys()) {
        const counts = tasks.filter(([p]) => p === pid).map(([, , c]) => c);
        assert.deepEqual([...counts].sort((a, b) => a - b), counts.map((_, i) => i + 1), `process ${pid}'s tasks counted ${JSON.stringify(counts)}`);
      }
      assert.deepEqual(lines.filter(([, l]) => l.startsWith("thread sees")).map(([, l]) => Number(l.slice(12))).sort((a, b) => a - b), [5, 6, 11, 12, 15, 16].map((x) => x * x));
    });

    it("runs once in each of a ProcessPoolExecutor's worker processes (options object), never in the parent", async () => {
      const r = await k.run(`import { ProcessPoolExecutor } from "concurrent.futures";
let prefix = "none";
function setPrefix(p: string, n: number) { prefix = p + n; console.log("init " + process.pid); }
function tag(x: number) { return [process.pid, prefix + ":" + x]; }
using ex = new ProcessPoolExecutor({ maxWorkers: 2, initializer: setPrefix, initargs: ["w", 7] });
const got = [1, 2, 3, 4, 5, 6].map((x) => ex.submit(tag, x)).map((f) => f.result() as [number, string]);
ex.shutdown();
console.log(JSON.stringify({ got, me: process.pid, prefix }));`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      const lines = r.lines("stdout");
      const { got, me, prefix } = JSON.parse(lines.at(-1)![1]) as { got: Array<[number, string]>; me: number; prefix: string };
      const runs = initRuns(lines);
      const pids = new Set(got.map(([p]) => p));
      assert.deepEqual([...runs.keys()].sort(), [...pids].sort(), "the initializer ran once in exactly the processes that ran tasks");
      for (const [pid, threads] of runs) assert.equal(threads.length, 1, `process ${pid} ran the initializer ${threads.length} times`);
      assert.ok(!pids.has(me) && !runs.has(me), "the initializer ran in the parent");
      assert.deepEqual(got.map(([, t]) => t), [1, 2, 3, 4, 5, 6].map((x) => "w7:" + x));
      assert.equal(prefix, "none");
    });

    it("a ProcessPoolExecutor whose initializer raises is broken: its futures fail with BrokenProcessPool, submit raises it, stderr has the traceback", async () => {
      const r = await k.run(`import { ProcessPoolExecutor, BrokenProcessPool, BrokenExecutor } from "concurrent.futures";
function noTable() { throw new RangeError("no table"); }
function work(x: number) { console.log("task ran " + x); return x; }
const ex = new ProcessPoolExecutor({ maxWorkers: 2, initializer: noTable });
const futures = [1, 2, 3].map((x) => ex.submit(work, x));
for (const f of futures) { const e = f.exception(30) as Error; console.log(e.name, e instanceof BrokenProcessPool, e instanceof BrokenExecutor); }
console.log(/failed in its initializer with RangeError: no table/.test((futures[0].exception() as Error).message));
let refused = ""; try { ex.submit(work, 4); } catch (e) { refused = (e as Error).name; }
console.log("submit: " + refused);
ex.shutdown();`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      assert.deepEqual(r.lines("stdout").map(([, l]) => l), [
        "BrokenProcessPool true true",
        "BrokenProcessPool true true",
        "BrokenProcessPool true true",
        "true",
        "submit: BrokenProcessPool",
      ]);
      const stderr = r.lines("stderr");
      assert.ok(stderr.length > 0 && stderr.every(([t]) => /^ForkPoolWorker-\d+$/.test(t)), JSON.stringify(stderr));
      assert.match(r.text("stderr"), /^Exception in initializer:\nTraceback \(most recent call last\):\n {2}File "cell \d+", line 2, in noTable\n[^\n]*\nRangeError: no table/);
    });

    it("a Pool whose initializer raises fails its work with a ProcessError naming the failure (Python's would respawn workers for ever)", async () => {
      const r = await k.run(`import { Pool, ProcessError } from "multiprocessing";
function noTable(n: number) { throw new RangeError("no table of " + n); }
using pool = new Pool({ processes: 2, initializer: noTable, initargs: [5] });
let mapped = ""; try { pool.map((x: number) => x, [1, 2, 3]); } catch (e) { mapped = (e as Error).name + " " + (e instanceof ProcessError) + " " + (e as Error).message; }
console.log(mapped);
const later = pool.applyAsync((x: number) => x, [1]);
later.wait(30);
console.log(later.ready(), later.successful());`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      const out = r.lines("stdout").map(([, l]) => l);
      assert.match(out[0], /^ProcessError true the pool's initializer failed in ForkPoolWorker-\d+ with RangeError: no table of 5 \(cell \d+, line 2\); the pool runs no more tasks$/);
      assert.equal(out[1], "true false");
      assert.match(r.text("stderr"), /^Exception in initializer:\nTraceback \(most recent call last\):\n {2}File "cell \d+", line 2, in noTable\n[^\n]*\nRangeError: no table of 5/);
      assert.ok(r.lines("stderr").every(([t]) => /^ForkPoolWorker-\d+$/.test(t)));
    });
  });
});
