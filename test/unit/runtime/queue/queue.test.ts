// "queue" against what CPython's Lib/test/test_queue.py checks (BaseQueueTestMixin,
// QueueTaskDoneTest, FailingQueueTest's spirit, SimpleQueueTest), on real threads:
// each scenario runs as a cell and prints what it saw.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";

describe("conformance: queue", function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  const out = (source: string) => k.stdout(source);

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
import { sleep, perfCounter } from "time";
const q = new Queue(1);
const got = new Queue();
// the taker gets only after 0.2 s: until then the queue stays full and put("b") must wait
function taker(q: Queue, got: Queue) { sleep(0.2); got.put(q.get()); got.put(q.get()); }
q.put("a");
const t = new Thread({ target: taker, args: [q, got] });
t.start();
let t0 = perfCounter();
q.put("b");
const putWaited = perfCounter() - t0;
t.join();
const empty = new Queue();
function later(q: Queue) { sleep(0.2); q.put("late"); }
const u = new Thread({ target: later, args: [empty] });
u.start();
t0 = perfCounter();
const late = empty.get();
const getWaited = perfCounter() - t0;
u.join();
console.log(JSON.stringify([putWaited, got.get(), got.get(), late, getWaited]));`);
    const [putWaited, first, second, late, getWaited] = JSON.parse(lines[0]);
    assert.ok(putWaited >= 0.15, `put did not wait for room: ${putWaited} s`);
    assert.deepEqual([first, second, late], ["a", "b", "late"]);
    assert.ok(getWaited >= 0.15, `get did not wait for an item: ${getWaited} s`);
  });

  it("join waits for a taskDone per item; too many taskDone calls are a ValueError", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
import { Value } from "sharedctypes";
const q = new Queue();
const done = new Value("i", 0);
function worker(q: Queue, done: Value) {
  for (;;) { const x = q.get() as number | null; if (x === null) { q.taskDone(); return; } { using _ = done.getLock().hold(); done.value += x; } q.taskDone(); }
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

  it("copies every kind of item faithfully: numbers, text, Maps, Dates, cycles, the notebook's classes", async () => {
    const lines = await out(`import { Thread } from "threading";
import { Queue } from "queue";
class Point { constructor(public x: number, public y: number) {} norm() { return Math.hypot(this.x, this.y); } }
const q = new Queue();
const back = new Queue();
function echo(q: Queue, back: Queue, n: number) { for (let i = 0; i < n; i++) back.put(q.get()); }
const cyclic: { self?: unknown; name: string } = { name: "loop" }; cyclic.self = cyclic;
const shared = [1, 2];
const items: unknown[] = [0, -0, 2 ** 31, -1.5, NaN, Infinity, "", "héllo ✓ 🧵", true, null, undefined, [1, [2, [3]]],
  new Map([["a", 1]]), new Set([1, 2]), new Date(0), cyclic, { twice: [shared, shared] }, new Point(3, 4), 10n,
  { "ключ": "значение", long: "x".repeat(40) + "é", short: "ok" }, JSON.parse('{"__proto__": {"polluted": true}}'),
  ((p) => ({ both: [p, p] }))(new Point(1, 2))];
const t = new Thread({ target: echo, args: [q, back, items.length] });
t.start();
for (const it of items) q.put(it);
const got = items.map(() => back.get()) as any[];
t.join();
const same = (a: unknown, b: unknown) => Object.is(a, b);
console.log(JSON.stringify([
  got.slice(0, 11).every((g, i) => same(g, items[i])),
  JSON.stringify(got[11]),
  got[12] instanceof Map && got[12].get("a"),
  got[13] instanceof Set && got[13].size,
  got[14] instanceof Date && got[14].getTime(),
  got[15].self === got[15] && got[15].name,
  got[16].twice[0] === got[16].twice[1],
  got[17] instanceof Point && got[17].norm(),
  typeof got[18] === "bigint" && String(got[18]),
  JSON.stringify(got[19]),
  [Object.keys(got[20]).join(), Object.getPrototypeOf(got[20]) === Object.prototype, ({} as any).polluted === undefined, got[20]["__proto__"].polluted],
  got[21].both[0] === got[21].both[1] && got[21].both[1] instanceof Point && got[21].both[1].norm(),
]));`);
    assert.deepEqual(JSON.parse(lines[0]), [
      true, "[1,[2,[3]]]", 1, 2, 0, "loop", true, 5, "10",
      JSON.stringify({ "ключ": "значение", long: "x".repeat(40) + "é", short: "ok" }),
      ["__proto__", true, true, true],
      Math.hypot(1, 2),
    ]);
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
const pq = new PriorityQueue(); pq.put(1);
// as Python's heap push: the put that cannot be ordered fails, and the queue is as it was
let err = ""; try { pq.put("one"); } catch (e) { err = (e as Error).name + ": " + (e as Error).message; }
console.log(ok, empty, q.qsize(), err, pq.qsize());`);
    assert.deepEqual(lines, ["true true 0 TypeError: '<' not supported between instances of 'str' and 'int' 1"]);
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

  it("reports join() on tasks nobody will finish, and put() on a full queue nobody reads, as deadlocks", async () => {
    const join = await k.run(`import { Queue } from "queue";
const q = new Queue();
q.put("work nobody takes");
q.join();`);
    assert.equal(join.result.error?.name, "DeadlockError");
    assert.match(join.result.error?.traceback ?? "", /waits for every task of Queue #\d+ \(made at cell \d+, line 2/);
    const put = await k.run(`import { Queue } from "queue";
const q = new Queue(1);
q.put(1);
q.put(2);`);
    assert.equal(put.result.error?.name, "DeadlockError");
    assert.match(put.result.error?.traceback ?? "", /waits for room in Queue #\d+[^\n]*\n {2}File "cell \d+", line 4, in <module>/);
  });
});
