// asyncio.Queue against CPython's Lib/test/test_asyncio/test_queues.py: maxsize, put waiting while full and get
// while empty (on the event loop), the nowait variants' QueueFull and QueueEmpty, taskDone and join, and
// cancelled waits that lose no item.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./asyncioCells";

describe("conformance: asyncio queues (test_queues.py)", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("maxsize: 0 or less is no limit; full() at maxsize; putNowait raises QueueFull, getNowait QueueEmpty", async () => {
    const r = await cell(k, `
const unlimited = [new Queue(), new Queue(-1)];
for (const q of unlimited) for (let i = 0; i < 100; i++) q.putNowait(i);
report("unlimited", unlimited.map((q) => [q.qsize(), q.full(), q.maxsize]));
const q = new Queue<number>(2);
report("empty", [q.empty(), sync(() => q.getNowait())]);
q.putNowait(1); await q.put(2);
report("full", [q.full(), q.qsize(), sync(() => q.putNowait(3))]);
report("fifo", [q.getNowait(), await q.get(), q.empty()]);
report("bad", sync(() => new Queue(1.5)));
`);
    assert.deepEqual(r.get("unlimited"), [[100, false, 0], [100, false, -1]]);
    assert.deepEqual(r.get("empty"), [true, { err: "QueueEmpty" }]);
    assert.deepEqual(r.get("full"), [true, 2, { err: "QueueFull" }]);
    assert.deepEqual(r.get("fifo"), [1, 2, true]);
    assert.deepEqual(r.get("bad"), { err: "TypeError" });
  });

  it("put waits while full and get while empty, without blocking the thread (test_blocking_put_wait, test_blocking_get_wait)", async () => {
    const r = await cell(k, `
const q = new Queue<string>(1);
const log: string[] = [];
await q.put("a");
const putter = createTask((async () => { await q.put("b"); log.push("put b"); })());
await sleep(0.01);
log.push("putter waiting: " + !putter.done());
log.push("got " + (await q.get()));
await putter;
log.push("got " + (await q.get()));
const getter = createTask((async () => { log.push("got " + (await q.get())); })());
await sleep(0.01);
log.push("getter waiting: " + !getter.done());
await q.put("c");
await getter;
report("log", log);
`);
    const log = r.get("log");
    // every await yields in JS (in Python an await that need not wait does not): "put b" and "got a" may come in
    // either order, both before "got b"
    assert.equal(log[0], "putter waiting: true");
    assert.deepEqual([...log.slice(1, 3)].sort(), ["got a", "put b"]);
    assert.deepEqual(log.slice(3), ["got b", "getter waiting: true", "got c"]);
  });

  it("taskDone and join: join waits for every item's taskDone; too many taskDone is ValueError (test_task_done, test_join_empty_queue)", async () => {
    const r = await cell(k, `
const q = new Queue<number>();
await q.join(); // nothing put: at once
let total = 0;
async function worker() { for (;;) { const n = await q.get(); await sleep(0); total += n; q.taskDone(); } }
const workers = [createTask(worker()), createTask(worker())];
for (let i = 1; i <= 10; i++) q.putNowait(i);
await q.join();
report("total", total);
workers.forEach((w) => w.cancel());
await gather(...workers, { returnExceptions: true });
report("extra", sync(() => q.taskDone()));
`);
    assert.equal(r.get("total"), 55);
    assert.deepEqual(r.get("extra"), { err: "ValueError" });
  });

  it("a cancelled get or put loses no item (test_cancelled_getters_not_being_held_in_self_getters, test_cancelled_put)", async () => {
    const r = await cell(k, `
const q = new Queue<string>(1);
const g = createTask(q.get());
await sleep(0);
g.cancel();
report("g", await outcome(g));
await q.put("x");
report("x", [q.qsize(), q.getNowait()]);
await q.put("y");
const p = createTask(q.put("z"));
await sleep(0);
p.cancel();
report("p", await outcome(p));
report("left", [q.qsize(), await q.get(), q.empty()]);
`);
    assert.deepEqual(r.get("g"), { err: "CancelledError" });
    assert.deepEqual(r.get("x"), [1, "x"]);
    assert.deepEqual(r.get("p"), { err: "CancelledError" });
    assert.deepEqual(r.get("left"), [1, "y", true]);
  });
});
