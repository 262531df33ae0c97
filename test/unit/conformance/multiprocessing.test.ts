// "multiprocessing" on real OS processes: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { cpus } from "node:os";
import { TestKernel } from "../support/kernel";

/** Whether an OS process of this pid exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids a cell printed as `pids: [...]`, as soon as they are printed. */
function pidsFrom(text: string): number[] | null {
  const m = /pids: (\[[\d,]*\])/.exec(text);
  return m ? (JSON.parse(m[1]) as number[]) : null;
}

describe("conformance: multiprocessing", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("runs a Process's target in another OS process, its output marked with the process, and gives its exit code", async () => {
    await k.run(`import { Process, Pool, currentProcess, cpuCount } from "multiprocessing";
import { exit } from "sys";
function report(tag: string) { console.log(tag, currentProcess().name, process.pid); }
function fails() { throw new RangeError("bad in child"); }
function leaves(code: number) { exit(code); }`);
    const r = await k.run(`const p = new Process({ target: report, args: ["child"] });
console.log("before", p.pid, p.exitcode, p.isAlive());
p.start(); p.join();
const f = new Process({ target: fails }); f.start(); f.join();
const e = new Process({ target: leaves, args: [3], name: "leaver" }); e.start(); e.join();
console.log("after", p.exitcode, p.isAlive(), f.exitcode, e.exitcode, e.name, currentProcess().name, process.pid, p.pid !== process.pid);`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const out = r.lines("stdout");
    const child = out.find(([t]) => t === "Process-1");
    assert.ok(child, JSON.stringify(out));
    const [, tag, name, pid] = /^(\w+) (\S+) (\d+)$/.exec(child[1]) ?? [];
    assert.deepEqual([tag, name], ["child", "Process-1"]);
    const main = out.find(([t, l]) => t === "MainThread" && l.startsWith("after"))![1].split(" ");
    assert.deepEqual(main.slice(1, 7), ["0", "false", "1", "3", "leaver", "MainProcess"]);
    assert.notEqual(pid, main[7], "the child is another OS process");
    assert.equal(main[8], "true");
    assert.deepEqual(out.find(([, l]) => l.startsWith("before")), ["MainThread", "before null null false"]);
    assert.match(r.text("stderr"), /Process Process-2:\nTraceback \(most recent call last\):\n {2}File "cell 1", line 4, in fails\n[^\n]*\nRangeError: bad in child/);
  });

  it("terminate() and kill() stop a running process: exitcode -15 and -9; on a process not started or over they do nothing", async () => {
    const out = await k.stdout(`import { sleep } from "time";
function forever() { sleep(30); }
const t = new Process({ target: forever });
const k9 = new Process({ target: forever });
t.terminate();
t.start(); k9.start();
t.terminate(); k9.kill();
t.join(); k9.join();
t.terminate();
console.log(t.exitcode, k9.exitcode, t.isAlive(), k9.isAlive());`);
    assert.deepEqual(out, ["-15 -9 false false"]);
  });

  it("runs a subclass's run() in the child, on a copy of its fields; a subclass without run() or not at top level is refused", async () => {
    const r = await k.run(`class Greeter extends Process {
  constructor(public greeting: string, public times: number) { super({ name: "greeter" }); }
  override run() { for (let i = 0; i < this.times; i++) console.log(this.greeting, this.name, currentProcess().name, process.pid); }
}
const g = new Greeter("hi", 2);
g.start(); g.join();
class Idle extends Process {}
let refused = ""; try { new Idle().start(); } catch (e) { refused = (e as Error).name; }
function local() { class Inner extends Process { override run() {} } return new Inner(); }
let inner = ""; try { local().start(); } catch (e) { inner = (e as Error).message.includes("top level") ? "top level" : String(e); }
console.log(g.exitcode, g.pid !== process.pid, refused, inner);`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const child = r.lines("stdout").filter(([t]) => t === "greeter").map(([, l]) => l.split(" ").slice(0, 3).join(" "));
    assert.deepEqual(child, ["hi greeter greeter", "hi greeter greeter"]);
    assert.deepEqual(r.lines("stdout").filter(([t]) => t === "MainThread").map(([, l]) => l), ["0 true ValueError top level"]);
  });

  it("waits for non-daemon processes at the end of the cell; stops daemon ones", async () => {
    const r = await k.run(`import { sleep } from "time";
function slow(tag: string) { sleep(0.3); console.log(tag, "done"); }
new Process({ target: slow, args: ["waited for"] }).start();
new Process({ target: slow, args: ["daemon"], daemon: true }).start();
console.log("main done");`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const lines = r.lines("stdout").map(([t, l]) => `${t}: ${l}`);
    assert.deepEqual(lines.filter((l) => !l.includes("daemon")), ["MainThread: main done", "Process-1: waited for done"]);
  });

  it("refuses to send runtime objects to a process: processes share no memory", async () => {
    const r = await k.run(`import { Lock } from "threading";
function use(l: Lock) { l.acquire(); }
try { new Process({ target: use, args: [new Lock()] }).start(); } catch (e) { console.log((e as Error).name, (e as Error).message.includes("share no memory")); }`);
    assert.deepEqual(r.lines("stdout"), [["MainThread", "TypeError true"]]);
  });

  it("Pool.map gives results in input order from worker processes; cpuCount is the machine's", async () => {
    const r = await k.run(`function square(x: number) { return x * x; }
using pool = new Pool(2);
console.log(JSON.stringify(pool.map(square, [1, 2, 3, 4, 5, 6, 7])), JSON.stringify(pool.map((x: number) => x + 1, [])), cpuCount());
let err = ""; try { pool.map((x: number) => { if (x === 2) throw new RangeError("two"); return x; }, [1, 2, 3]); } catch (e) { err = (e as Error).name + " " + (e as Error).message; }
console.log(err);`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), [`[1,4,9,16,25,36,49] [] ${cpus().length}`, "RangeError two"]);
  });

  it("ProcessPoolExecutor runs tasks in child processes; a task's exception comes back at result(), with its class and lines", async () => {
    const r = await k.run(`import { ProcessPoolExecutor } from "concurrent.futures";
import { currentProcess } from "multiprocessing";
import { Lock } from "threading";
class Overdrawn extends Error {}
function where(n: number) { return [n * 2, currentProcess().name, process.pid]; }
function bad(n: number) { if (n > 1) throw new Overdrawn("too much: " + n); return n; }
using pool = new ProcessPoolExecutor(2);
const got = [1, 2, 3].map((n) => pool.submit(where, n)).map((f) => f.result() as [number, string, number]);
console.log(JSON.stringify(got.map(([v]) => v)), got.every(([, name, pid]) => name.startsWith("ForkPoolWorker-") && pid !== process.pid));
const f = pool.submit(bad, 5);
console.log(f.exception() instanceof Overdrawn, String(f.exception()));
let refused = ""; try { pool.submit(where, new Lock() as never); } catch (e) { refused = (e as Error).name; }
console.log(refused);
f.result();`);
    assert.equal(r.result.status, "error");
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["[2,4,6] true", "true Overdrawn: too much: 5", "TypeError"]);
    assert.equal(r.text("stderr"), "", "a pool task's exception is not printed by the child");
    assert.match(r.result.error?.traceback ?? "", /File "cell \d+", line 14, in <module>\n {4}f\.result\(\);\n {2}File "cell \d+", line 6, in bad\n[^\n]*\nOverdrawn: too much: 5/);
  });

  it("keeps a Pool's worker processes: the same pids serve every map and starmap call", async () => {
    const out = await k.stdout(`function pidOf(x: number) { return process.pid; }
using pool = new Pool(2);
const first = pool.map(pidOf, [1, 2, 3, 4]);
const second = pool.map(pidOf, [1, 2, 3, 4, 5, 6], 1);
const third = pool.starmap((a: number, b: number) => [a + b, process.pid], [[1, 2], [3, 4]]);
console.log(JSON.stringify({ first, second, sums: third.map(([s]) => s), third: third.map(([, p]) => p), me: process.pid }));`);
    const { first, second, sums, third, me } = JSON.parse(out[0]) as Record<string, number[]> & { me: number };
    const workers = new Set(first);
    assert.equal(workers.size, 2, `two slices went to two workers: ${out[0]}`);
    assert.ok(!workers.has(me));
    assert.deepEqual(sums, [3, 7]);
    for (const pid of [...second, ...third]) assert.ok(workers.has(pid), `a new process (${pid}) served a later call: ${out[0]}`);
  });

  it("ProcessPoolExecutor runs its tasks on at most maxWorkers processes, reused from task to task", async () => {
    const out = await k.stdout(`import { ProcessPoolExecutor } from "concurrent.futures";
using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
const pids = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ex.submit((n: number) => [n, process.pid], i)).map((f) => f.result() as number[]);
console.log(JSON.stringify(pids.map(([n]) => n)), new Set(pids.map(([, p]) => p)).size, pids.some(([, p]) => p === process.pid));`);
    const [results, count, inParent] = out[0].split(" ");
    assert.deepEqual([results, inParent], ["[0,1,2,3,4,5,6,7]", "false"]);
    const distinct = Number(count);
    assert.ok(distinct >= 1 && distinct <= 2, `8 tasks ran on ${distinct} processes`);
  });

  it("close() then join() waits for the work, then the workers exit; terminate() kills them; a closed pool refuses work", async () => {
    const out = await k.stdout(`import { sleep } from "time";
function slowPid(x: number) { sleep(0.2); return process.pid; }
function alive(pid: number) { try { process.kill(pid, 0); return true; } catch { return false; } }
const pool = new Pool(2);
const pids = pool.map(slowPid, [1, 2]);
let refused = ""; try { pool.join(); } catch (e) { refused = (e as Error).name + ": " + (e as Error).message; }
pool.close();
pool.join();
console.log(JSON.stringify(pids.map(alive)), refused, String(pool));
try { pool.map(slowPid, [1]); } catch (e) { console.log((e as Error).name + ": " + (e as Error).message); }
const other = new Pool(1);
const pid = other.map((x: number) => process.pid, [1])[0];
other.terminate();
console.log(alive(pid), String(other));`);
    assert.deepEqual(out, ["[false,false] ValueError: Pool is still running <Pool state=CLOSE processes=2>", "ValueError: Pool not running", "false <Pool state=TERMINATE processes=1>"]);
  });

  it("no child process outlives its cell: pool workers and daemon processes are gone when the cell has ended", async () => {
    const r = await k.run(`import { sleep } from "time";
function forever() { for (;;) sleep(1); }
const pool = new Pool(2);
const daemon = new Process({ target: forever, daemon: true });
daemon.start();
console.log("pids: " + JSON.stringify([...pool.map((x: number) => process.pid, [1, 2]), daemon.pid]));`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const pids = pidsFrom(r.text("stdout"));
    assert.ok(pids && pids.length === 3, r.text("stdout"));
    for (const pid of pids) assert.ok(!alive(pid), `process ${pid} is still alive after its cell ended`);
  });

  it("interrupt kills the cell's child processes, busy or not, before the cell ends", async () => {
    let pids: number[] | null = null;
    const r = await k.run(
      `import { ProcessPoolExecutor } from "concurrent.futures";
function spin(): number { for (;;) {} }
const pool = new Pool(2);
const ex = new ProcessPoolExecutor(1);
console.log("pids: " + JSON.stringify([...pool.map((x: number) => process.pid, [1, 2]), ex.submit(() => process.pid).result()]));
pool.map(spin, [1, 2]);`,
      (recs, id) => {
        pids ??= pidsFrom(recs.map((x) => x.text).join(""));
        if (pids) k.kernel.interrupt(id);
      },
    );
    assert.equal(r.result.status, "interrupted");
    assert.ok(pids && (pids as number[]).length === 3, r.text());
    for (const pid of pids as number[]) assert.ok(!alive(pid), `process ${pid} is still alive after the interrupt`);
  });

  it("disposing of the kernel kills the child processes of the cell it was running", async () => {
    const other = new TestKernel();
    let pids: number[] | null = null;
    let disposed: Promise<void> | null = null;
    const running = other.run(
      `import { Pool } from "multiprocessing";
const pool = new Pool(1);
console.log("pids: " + JSON.stringify(pool.map((x: number) => process.pid, [1])));
pool.map((x: number) => { for (;;) {} }, [1]);`,
      (recs) => {
        pids ??= pidsFrom(recs.map((x) => x.text).join(""));
        if (pids) disposed ??= other.dispose();
      },
    );
    await running;
    await disposed;
    assert.ok(pids, "the cell printed its worker's pid");
    for (const pid of pids as number[]) assert.ok(!alive(pid), `process ${pid} outlived its kernel`);
  });

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
