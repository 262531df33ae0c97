// "queue" against what CPython's Lib/test/test_queue.py checks (BaseQueueTestMixin,
// QueueTaskDoneTest, FailingQueueTest's spirit, SimpleQueueTest), on real threads:
// each scenario runs as a cell and prints what it saw.
import { strict as assert } from "node:assert";
import { TestKernel } from "../support/kernel";

describe("conformance: queue", function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  async function out(source: string): Promise<string[]> {
    const r = await k.run(source);
    assert.equal(r.result.status, "ok", r.result.error?.traceback ?? r.result.error?.message);
    return r.lines("stdout").map(([, l]) => l);
  }

  it("orders items FIFO, LIFO and by priority (tuples compare item by item)", async () => {
    const lines = await out(`import { Queue, LifoQueue, PriorityQueue } from "queue";
const items = [111, 333, 222];
for (const q of [new Queue(), new LifoQueue(), new PriorityQueue()]) {
  for (const i of items) q.put(i);
  console.log(JSON.stringify([q.get(), q.get(), q.get()]));
}
const pq = new PriorityQueue();
for (const x of [[2, "b"], [1, "z"], [1, "a"], [0, "q", 1], [0, "q"]]) pq.put(x);
const got = []; while (!pq.empty()) got.push(pq.get());
console.log(JSON.stringify(got));`);
    assert.deepEqual(lines, ["[111,333,222]", "[222,333,111]", "[111,222,333]", '[[0,"q"],[0,"q",1],[1,"a"],[1,"z"],[2,"b"]]']);
  });

  it("reports qsize, empty and full, and raises Empty and Full without blocking", async () => {
    const lines = await out(`import { Queue, Empty, Full } from "queue";
const q = new Queue(2);
const seen = [q.qsize(), q.empty(), q.full()];
q.put(1); q.putNowait(2);
seen.push(q.qsize(), q.empty(), q.full());
for (const f of [() => q.putNowait(3), () => q.put(3, false), () => q.put(3, true, 0)]) {
  try { f(); seen.push("no error"); } catch (e) { seen.push(e instanceof Full ? "Full" : String(e)); }
}
q.get(); q.getNowait();
for (const f of [() => q.getNowait(), () => q.get(false), () => q.get(true, 0)]) {
  try { f(); seen.push("no error"); } catch (e) { seen.push(e instanceof Empty ? "Empty" : String(e)); }
}
console.log(JSON.stringify(seen));`);
    assert.deepEqual(JSON.parse(lines[0]), [0, true, false, 2, false, true, "Full", "Full", "Full", "Empty", "Empty", "Empty"]);
  });

  it("times out get and put after about the timeout, and refuses negative timeouts", async () => {
    const lines = await out(`import { Queue, Empty, Full } from "queue";
import { perfCounter } from "time";
const q = new Queue(1);
let t = perfCounter();
try { q.get(true, 0.2); } catch (e) { console.log((e as Error).name, perfCounter() - t); }
q.put(1);
t = perfCounter();
try { q.put(2, true, 0.2); } catch (e) { console.log((e as Error).name, perfCounter() - t); }
for (const f of [() => q.get(true, -1), () => q.put(1, true, -0.5)]) {
  try { f(); } catch (e) { console.log((e as Error).name); }
}`);
    const [empty, full, ...bad] = lines;
    for (const [line, name] of [[empty, "Empty"], [full, "Full"]] as const) {
      const [n, s] = line.split(" ");
      assert.equal(n, name);
      assert.ok(Number(s) >= 0.19 && Number(s) < 2, `${name} after ${s} s`);
    }
    assert.deepEqual(bad, ["ValueError", "ValueError"]);
  });

  it("blocks put on a full queue until another thread gets, and get until another thread puts", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
const q = new Queue(1);
const log = new Queue();
function taker(q: Queue, log: Queue) { log.put("taker gets " + q.get()); log.put("taker gets " + q.get()); }
q.put("a");
const t = new Thread({ target: taker, args: [q, log] });
t.start();
q.put("b"); // blocks until the taker has got "a"
log.put("main put b");
t.join();
const seen = []; while (!log.empty()) seen.push(log.get());
console.log(JSON.stringify(seen));`);
    const seen = JSON.parse(lines[0]) as string[];
    assert.ok(seen.indexOf("taker gets a") < seen.indexOf("main put b"), seen.join(", "));
    assert.ok(seen.includes("taker gets b"));
  });

  it("join waits for a taskDone per item; too many taskDone calls are a ValueError", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
import { Value } from "sharedctypes";
const q = new Queue();
const done = new Value("i", 0);
function worker(q: Queue, done: Value) {
  for (;;) { const x = q.get() as number | null; if (x === null) { q.taskDone(); return; } done.value += x; q.taskDone(); }
}
const ts = [0, 1].map(() => new Thread({ target: worker, args: [q, done] }));
ts.forEach((t) => t.start());
for (let i = 0; i < 100; i++) q.put(i);
q.join();
console.log(done.value, q.unfinishedTasks);
q.put(null); q.put(null);
ts.forEach((t) => t.join());
try { q.taskDone(); } catch (e) { console.log((e as Error).name); }`);
    assert.deepEqual(lines, ["4950 0", "ValueError"]);
  });

  it("copies plain items and keeps runtime objects the same across threads", async () => {
    const lines = await out(`import { Thread, Lock } from "threading";
import { Queue } from "queue";
const q = new Queue();
const back = new Queue();
const lock = new Lock();
function echo(q: Queue, back: Queue) { const m = q.get() as { data: number[]; lock: Lock; q: Queue }; m.data.push(99); m.lock.acquire(); back.put(m); }
const t = new Thread({ target: echo, args: [q, back] });
t.start();
const msg = { data: [1], lock, q };
q.put(msg);
const got = back.get() as typeof msg;
t.join();
console.log(JSON.stringify(msg.data), JSON.stringify(got.data), got.lock === lock, lock.locked(), got.q === q);`);
    assert.deepEqual(lines, ["[1] [1,99] true true true"]);
  });

  it("loses nothing with many producers and many consumers", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
const q = new Queue(10);
const results = new Queue();
function produce(q: Queue, base: number) { for (let i = 0; i < 500; i++) q.put(base + i); }
function consume(q: Queue, results: Queue) { let sum = 0, n = 0; for (;;) { const x = q.get() as number; if (x < 0) break; sum += x; n++; } results.put([sum, n]); }
const ps = [0, 1, 2].map((p) => new Thread({ target: produce, args: [q, p * 1000] }));
const cs = [0, 1, 2].map(() => new Thread({ target: consume, args: [q, results] }));
[...ps, ...cs].forEach((t) => t.start());
ps.forEach((t) => t.join());
cs.forEach(() => q.put(-1));
cs.forEach((t) => t.join());
let sum = 0, n = 0;
while (!results.empty()) { const [s, c] = results.get() as number[]; sum += s; n += c; }
console.log(sum, n);`);
    // 3 producers × sum(base + 0..499) = 3·124750 + 500·(0 + 1000 + 2000)
    assert.deepEqual(lines, [`${3 * 124750 + 500 * 3000} 1500`]);
  });

  it("SimpleQueue: unbounded, FIFO, Empty; PriorityQueue refuses what cannot be ordered", async () => {
    const lines = await out(`import { SimpleQueue, PriorityQueue, Empty } from "queue";
const q = new SimpleQueue();
for (let i = 0; i < 1000; i++) q.put(i);
let ok = true; for (let i = 0; i < 1000; i++) ok &&= q.get() === i;
let empty = false; try { q.get(true, 0.01); } catch (e) { empty = e instanceof Empty; }
const pq = new PriorityQueue(); pq.put(1); pq.put("one");
let err = ""; try { pq.get(); } catch (e) { err = (e as Error).name + ": " + (e as Error).message; }
console.log(ok, empty, q.qsize(), err);`);
    assert.deepEqual(lines, ["true true 0 TypeError: '<' not supported between instances of 'str' and 'int'"]);
  });

  it("holds items larger than its first buffer, and many of them, in order", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
const q = new Queue();
function put(q: Queue) { for (let i = 0; i < 50; i++) q.put("x".repeat(10_000 * i) + i); }
const t = new Thread({ target: put, args: [q] }); t.start(); t.join();
let ok = true; for (let i = 0; i < 50; i++) { const s = q.get() as string; ok &&= s.length === 10_000 * i + String(i).length && s.endsWith(String(i)); }
console.log(ok, q.empty());`);
    assert.deepEqual(lines, ["true true"]);
  });

  it("reports get() on a queue no thread will ever put to as a deadlock", async () => {
    const r = await k.run(`import { Queue } from "queue";
const q = new Queue();
q.get();`);
    assert.equal(r.result.status, "error");
    assert.equal(r.result.error?.name, "DeadlockError");
    assert.match(r.result.error?.traceback ?? "", /Thread MainThread\n {2}holds no lock\n {2}waits for an item from Queue #\d+ \(made at cell \d+, line 2: const q = new Queue\(\);\)/);
    assert.match(r.result.error?.traceback ?? "", /line 3, in <module>/);
  });
});
