// asyncio's Lock, Event, Condition, Semaphore and BoundedSemaphore against CPython's
// Lib/test/test_asyncio/test_locks.py: first come first served, cancelled waiters leave the queue,
// the errors of misuse. Nothing here blocks the thread: every wait is on the event loop.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./asyncioCells";

describe("conformance: asyncio locks (test_locks.py)", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("Lock: waiters get it in arrival order; releasing an unlocked lock is a RuntimeError (test_acquire, test_release_not_acquired)", async () => {
    const r = await cell(k, `
const lock = new Lock();
const order: number[] = [];
report("first", await lock.acquire());
async function c(i: number) { await lock.acquire(); order.push(i); lock.release(); }
const ts = [1, 2, 3].map((i) => createTask(c(i)));
await sleep(0);
report("locked", lock.locked());
lock.release();
await gather(...ts);
report("order", order);
report("unlocked", [lock.locked(), sync(() => lock.release())]);
{ using _ = await lock.hold(); report("held", lock.locked()); }
report("after", lock.locked());
`);
    assert.equal(r.get("first"), true);
    assert.equal(r.get("locked"), true);
    assert.deepEqual(r.get("order"), [1, 2, 3]);
    assert.deepEqual(r.get("unlocked"), [false, { err: "RuntimeError" }]);
    assert.equal(r.get("held"), true);
    assert.equal(r.get("after"), false);
  });

  it("Lock: a cancelled waiter leaves the queue and the lock goes to the next (test_acquire_cancel, test_cancel_race)", async () => {
    const r = await cell(k, `
const lock = new Lock();
await lock.acquire();
const got: string[] = [];
async function want(name: string) { await lock.acquire(); got.push(name); lock.release(); }
const a = createTask(want("a")), b = createTask(want("b"));
await sleep(0);
a.cancel();
report("a", await outcome(a));
lock.release();
await b;
report("got", got);
report("free", lock.locked());
`);
    assert.deepEqual(r.get("a"), { err: "CancelledError" });
    assert.deepEqual(r.get("got"), ["b"]);
    assert.equal(r.get("free"), false);
  });

  it("Event: wait() waits until set() and wakes every waiter; clear(); a cancelled wait (test_wait, test_clear, test_wait_cancel)", async () => {
    const r = await cell(k, `
const ev = new Event();
const woke: number[] = [];
const ts = [1, 2, 3].map((i) => createTask((async () => { await ev.wait(); woke.push(i); })()));
await sleep(0);
report("before", [ev.isSet(), woke.length]);
ev.set();
await gather(...ts);
report("woke", woke);
report("setWait", await ev.wait());
ev.clear();
const w = createTask(ev.wait());
await sleep(0);
w.cancel();
report("cancelled", await outcome(w));
report("isSet", ev.isSet());
`);
    assert.deepEqual(r.get("before"), [false, 0]);
    assert.deepEqual(r.get("woke"), [1, 2, 3]);
    assert.equal(r.get("setWait"), true);
    assert.deepEqual(r.get("cancelled"), { err: "CancelledError" });
    assert.equal(r.get("isSet"), false);
  });

  it("Condition: wait/notify(n)/notifyAll, waitFor, and RuntimeError without the lock (test_wait, test_notify, test_wait_for)", async () => {
    const r = await cell(k, `
const cond = new Condition();
const woke: number[] = [];
async function waiter(i: number) { await cond.acquire(); try { await cond.wait(); woke.push(i); } finally { cond.release(); } }
const ts = [1, 2, 3].map((i) => createTask(waiter(i)));
await sleep(0);
await cond.acquire(); cond.notify(1); cond.release();
await sleep(0.01);
report("one", [...woke]);
await cond.acquire(); cond.notify(2); cond.release();
await gather(...ts);
report("all", woke);
report("misuse", [await outcome(cond.wait()), sync(() => cond.notify()), sync(() => cond.notifyAll())]);
let ready = 0;
const w = createTask((async () => { await cond.acquire(); try { return await cond.waitFor(() => ready >= 2 && "ready " + ready); } finally { cond.release(); } })());
for (let i = 0; i < 2; i++) { await sleep(0); await cond.acquire(); ready++; cond.notifyAll(); cond.release(); }
report("waitFor", await w);
`);
    assert.deepEqual(r.get("one"), [1]);
    assert.deepEqual(r.get("all"), [1, 2, 3]);
    assert.deepEqual(r.get("misuse"), [{ err: "RuntimeError" }, { err: "RuntimeError" }, { err: "RuntimeError" }]);
    assert.equal(r.get("waitFor"), "ready 2");
  });

  it("Condition: a cancelled wait() takes the lock again before its CancelledError (test_wait_cancel_contested)", async () => {
    const r = await cell(k, `
const cond = new Condition();
const t = createTask((async () => { await cond.acquire(); try { await cond.wait(); } catch (e) { report("holds", cond.locked()); throw e; } finally { cond.release(); } })());
await sleep(0);
t.cancel();
report("t", await outcome(t));
report("free", cond.locked());
`);
    assert.equal(r.get("holds"), true);
    assert.deepEqual(r.get("t"), { err: "CancelledError" });
    assert.equal(r.get("free"), false);
  });

  it("Semaphore lets `value` holders in at once, in order; BoundedSemaphore refuses an extra release; negative values are ValueError", async () => {
    const r = await cell(k, `
const sem = new Semaphore(2);
let inside = 0, most = 0;
const order: number[] = [];
async function job(i: number) { using _ = await sem.hold(); inside++; most = Math.max(most, inside); order.push(i); await sleep(0.005); inside--; }
await gather(...Array.from({ length: 6 }, (_, i) => job(i)));
report("most", most);
report("order", order);
report("locked", [new Semaphore(0).locked(), sem.locked()]);
const b = new BoundedSemaphore(1);
await b.acquire(); b.release();
report("bounded", sync(() => b.release()));
report("negative", [sync(() => new Semaphore(-1)), sync(() => new BoundedSemaphore(-1))]);
`);
    assert.equal(r.get("most"), 2);
    assert.deepEqual(r.get("order"), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(r.get("locked"), [true, false]);
    assert.deepEqual(r.get("bounded"), { err: "ValueError" });
    assert.deepEqual(r.get("negative"), [{ err: "ValueError" }, { err: "ValueError" }]);
  });
});
