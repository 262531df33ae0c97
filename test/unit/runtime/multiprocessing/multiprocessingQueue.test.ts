// multiprocessing's Queue, between the notebook's threads and real OS processes: each scenario runs as a cell.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";

describe("conformance: multiprocessing", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(async () => {
    k = new TestKernel();
    // the names the scenarios use, as a notebook's first cell would import them
    await k.stdout(`import { Process, Pool } from "multiprocessing";`);
  });
  after(() => k.dispose());

  describe("Queue", () => {
    it("passes items from a child to its parent (Python's example) and back, as copies of the same classes", async () => {
      const out = await k.stdout(`import { Queue, Process } from "multiprocessing";
class Point { constructor(public x: number, public y: number) {} norm() { return Math.abs(this.x) + Math.abs(this.y); } }
function f(q: Queue) { q.put([42, null, "hello"]); q.put(new Point(3, -4)); }
const q = new Queue();
const p = new Process({ target: f, args: [q] });
p.start();
console.log(JSON.stringify(q.get()));
const pt = q.get() as Point;
p.join();
console.log(pt instanceof Point, pt.norm(), p.exitcode);
function echo(inbox: Queue, outbox: Queue) {
  for (;;) {
    const m = inbox.get() as { n: number } | null;
    if (m === null) return;
    outbox.put({ n: m.n * 10, pid: process.pid });
  }
}
const inbox = new Queue();
const outbox = new Queue();
const e = new Process({ target: echo, args: [inbox, outbox] });
e.start();
const answers = [1, 2, 3].map((n) => { inbox.put({ n }); return outbox.get() as { n: number; pid: number }; });
inbox.put(null);
e.join();
console.log(JSON.stringify(answers.map((a) => a.n)), answers.every((a) => a.pid === e.pid && a.pid !== process.pid), e.exitcode);`);
      assert.deepEqual(out, ['[42,null,"hello"]', "true 7 0", "[10,20,30] true 0"]);
    });

    it("carries a producer's items to a consumer in another process, in order, up to a sentinel; a bounded queue makes the producer wait", async () => {
      const out = await k.stdout(`import { Empty } from "queue";
function produce(q: Queue, n: number) { for (let i = 0; i < n; i++) q.put(i); q.put(null); }
function consume(q: Queue, out: Queue) {
  const got: number[] = [];
  for (let x = q.get(); x !== null; x = q.get()) got.push(x as number);
  let late = ""; try { q.get(true, 0.2); } catch (e) { late = String(e instanceof Empty); }
  out.put({ got, late, pid: process.pid });
}
const work = new Queue(3);
const done = new Queue();
const consumer = new Process({ target: consume, args: [work, done] });
const producer = new Process({ target: produce, args: [work, 50] });
consumer.start();
producer.start();
const r = done.get() as { got: number[]; late: string; pid: number };
producer.join();
consumer.join();
console.log(JSON.stringify(r.got) === JSON.stringify([...Array(50).keys()]), r.late, r.pid === consumer.pid, producer.exitcode, consumer.exitcode, work.empty());`);
      assert.deepEqual(out, ["true true true 0 0 true"]);
    });

    it("get() with a timeout raises queue.Empty; the nowait forms; a full queue raises queue.Full; qsize, empty, full; close()", async () => {
      const out = await k.stdout(`import { Empty, Full } from "queue";
import { monotonic } from "time";
const q = new Queue(2);
let t = monotonic();
let e1 = ""; try { q.get(true, 0.3); } catch (e) { e1 = (e as Error).name + " " + (e instanceof Empty); }
const waitedGet = monotonic() - t;
let e2 = ""; try { q.getNowait(); } catch (e) { e2 = String(e instanceof Empty); }
q.put("a"); q.putNowait({ b: [1] });
let e3 = ""; try { q.putNowait("c"); } catch (e) { e3 = (e as Error).name + " " + (e instanceof Full); }
t = monotonic();
let e4 = ""; try { q.put("c", true, 0.2); } catch (e) { e4 = String(e instanceof Full); }
const waitedPut = monotonic() - t;
console.log(e1, e2, e3, e4, q.qsize(), q.full(), q.empty());
console.log(q.get(), JSON.stringify(q.getNowait()), q.empty(), q.qsize());
// the wait is timed in the kernel, where the queue lives, the measure here: a few ms may part the two clocks
console.log(waitedGet >= 0.28 && waitedGet < 3, waitedPut >= 0.18 && waitedPut < 3);
let neg = ""; try { q.get(true, -1); } catch (e) { neg = (e as Error).name; }
q.close();
let closed = ""; try { q.put(1); } catch (e) { closed = (e as Error).name; }
console.log(neg, closed);`);
      assert.deepEqual(out, ["Empty true true Full true true 2 true false", 'a {"b":[1]} true 0', "true true", "ValueError ValueError"]);
    });

    it("is one queue for the parent's threads, a Process, a Pool's tasks (given it or as a top-level binding) and a grandchild", async () => {
      const out = await k.stdout(`import { Thread } from "threading";
const results = new Queue();
function report(x: number) { results.put([x, process.pid]); return x; }
function nested(q: Queue) { const p = new Process({ target: (qq: Queue) => qq.put([8, process.pid]), args: [q] }); p.start(); p.join(); }
using pool = new Pool(2);
pool.map(report, [1, 2, 3, 4]);
pool.applyAsync((q: Queue, x: number) => q.put([x, process.pid]), [results, 5]).get();
const p = new Process({ target: report, args: [6] }); p.start(); p.join();
const t = new Thread({ target: (q: Queue) => q.put([7, process.pid]), args: [results] }); t.start(); t.join();
const n = new Process({ target: nested, args: [results] }); n.start(); n.join();
const got = [1, 2, 3, 4, 5, 6, 7, 8].map(() => results.get(true, 30) as number[]);
console.log(JSON.stringify(got.map(([x]) => x).sort((a, b) => a - b)), got.filter(([, pid]) => pid === process.pid).length, new Set(got.map(([, pid]) => pid)).size >= 4, results.empty());`);
      assert.deepEqual(out, ["[1,2,3,4,5,6,7,8] 1 true true"]);
    });

    it("still cannot be replaced by a Lock or a threading Queue in a Process's args: the TypeError names it", async () => {
      const out = await k.stdout(`import { Queue as ThreadQueue } from "queue";
import { Lock } from "threading";
for (const arg of [{ inner: new ThreadQueue() }, [1, new Lock()]]) {
  try { new Process({ target: (x: unknown) => x, args: [arg] }).start(); } catch (e) { console.log((e as Error).name, (e as Error).message.split(" (")[0]); }
}`);
      assert.deepEqual(out, ["TypeError args holds a Queue", "TypeError args holds a Lock"]);
    });

    it("reports get() on a Queue that no thread or process can ever put to as a deadlock, naming the queue and the line", async () => {
      const r = await k.run(`import { Queue } from "multiprocessing";
const never = new Queue();
never.get();`);
      assert.equal(r.result.status, "error");
      assert.equal(r.result.error?.name, "DeadlockError");
      assert.match(r.result.error?.traceback ?? "", /Thread MainThread\n {2}holds no lock\n {2}waits for an item from multiprocessing Queue #\d+\n {2}File "cell \d+", line 3/);
    });

    it("does not call a get() a deadlock while a child process runs that will put", async () => {
      const out = await k.stdout(`import { Queue, Process } from "multiprocessing";
import { sleep } from "time";
function late(q: Queue) { sleep(1.2); q.put("came"); }
const q = new Queue();
const p = new Process({ target: late, args: [q] });
p.start();
console.log(q.get());
p.join();`);
      assert.deepEqual(out, ["came"]);
    });

    it("an interrupted get() leaves no wait behind to take the next cell's item", async () => {
      const store = (k.kernel as unknown as { queues: { waiting: number } }).queues;
      await k.stdout(`import { Queue } from "multiprocessing";\nconst lost = new Queue();`);
      assert.equal(store.waiting, 0);
      let ended = false;
      const running = k.run(`lost.get();`).finally(() => (ended = true));
      const id = k.lastExecId;
      while (store.waiting === 0 && !ended) await new Promise((r) => setImmediate(r));
      k.kernel.interrupt(id);
      assert.equal((await running).result.status, "interrupted");
      assert.equal(store.waiting, 0);
      assert.deepEqual(await k.stdout(`lost.put("next"); console.log(lost.get(true, 5));`), ["next"]);
    });
  });
});
