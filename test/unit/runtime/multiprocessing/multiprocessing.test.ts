// "multiprocessing" on real OS processes: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { cpus } from "node:os";
import { TestKernel } from "../../support/kernel";

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
    await (disposed as Promise<void> | null); // set in the callback, which TypeScript's narrowing does not see
    assert.ok(pids, "the cell printed its worker's pid");
    for (const pid of pids as number[]) assert.ok(!alive(pid), `process ${pid} outlived its kernel`);
  });
});
