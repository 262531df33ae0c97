// "multiprocessing" on real OS processes: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { cpus } from "node:os";
import { TestKernel } from "../support/kernel";

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
});
