// threading.Event against what CPython's Lib/test/lock_tests.py EventTests
// checks, on real threads.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { assertWaited, cell } from "../threadingCells";

describe("conformance: threading.Event (lock_tests.EventTests)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("isSet follows set() and clear(), each idempotent; repr says set or unset", async () => {
    const r = await cell(k, `
      const e = new Event();
      const seen: boolean[] = [e.isSet()];
      e.set(); seen.push(e.isSet());
      e.set(); seen.push(e.isSet());
      e.clear(); seen.push(e.isSet());
      e.clear(); seen.push(e.isSet());
      report("seen", seen);
      report("repr", [String(e), (e.set(), String(e))]);`);
    assert.deepEqual(r.get("seen"), [false, true, true, false, false]);
    const [unset, set] = r.get("repr");
    assert.match(unset, /^<threading\.Event at .*: unset>$/);
    assert.match(set, /^<threading\.Event at .*: set>$/);
  });

  it("set() wakes every waiter, each wait() returns true, and again after set(); clear()", async () => {
    const r = await cell(k, `
      const N = 5;
      const e = new Event();
      const started = new Value("i", 0);
      const returned = new Value("i", 0);
      function waiter(round: number) {
        inc(started);
        const first = e.wait();
        inc(returned);
        report("results" + round, [first, e.wait()]);
      }
      for (const round of [1, 2]) {
        if (round === 2) { e.set(); e.clear(); }
        started.value = 0; returned.value = 0;
        const ts = Array.from({ length: N }, () => new Thread({ target: waiter, args: [round] }));
        ts.forEach((t) => t.start());
        waitUntil(() => started.value === N, "every waiter started");
        // nothing signals that a thread has reached its blocking wait(): give them a moment to get there
        sleep(0.05);
        report("early" + round, returned.value);
        e.set();
        ts.forEach((t) => t.join());
      }`);
    for (const round of [1, 2]) {
      assert.equal(r.get(`early${round}`), 0, "a wait() returned before set()");
      assert.deepEqual(r.all(`results${round}`), Array(5).fill([true, true]));
    }
  });

  it("wait(timeout) returns false after at least the timeout, wait(0) at once; true at once once set", async () => {
    const r = await cell(k, `
      const N = 5;
      const e = new Event();
      function f(tag: string) {
        const zero = e.wait(0.0);
        const t0 = monotonic();
        const got = e.wait(0.2);
        report(tag, [zero, got, monotonic() - t0]);
      }
      const ts = Array.from({ length: N }, () => new Thread({ target: f, args: ["unset"] }));
      ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
      e.set();
      const us = Array.from({ length: N }, () => new Thread({ target: f, args: ["set"] }));
      us.forEach((t) => t.start()); us.forEach((t) => t.join());`);
    const unset = r.all("unset");
    assert.equal(unset.length, 5);
    for (const [zero, got, dt] of unset) {
      assert.equal(zero, false);
      assert.equal(got, false);
      assertWaited(dt, 0.2, "Event.wait(0.2)");
    }
    const set = r.all("set");
    assert.equal(set.length, 5);
    for (const [zero, got, dt] of set) {
      assert.deepEqual([zero, got], [true, true]);
      assert.ok(dt < 0.2, `a set Event made wait(0.2) wait ${dt}s`);
    }
  });

  it("set() followed at once by clear() still wakes every waiter with true (issue 13502)", async () => {
    const r = await cell(k, `
      const N = 5;
      const e = new Event();
      const started = new Value("i", 0);
      function f() { inc(started); report("got", e.wait(5)); }
      const ts = Array.from({ length: N }, () => new Thread({ target: f }));
      ts.forEach((t) => t.start());
      waitUntil(() => started.value === N, "every waiter started");
      // the waiters must be inside wait() when the flag flips back; nothing signals that they are
      sleep(0.1);
      const t0 = monotonic();
      e.set();
      e.clear();
      ts.forEach((t) => t.join());
      report("joinedAfter", monotonic() - t0);
      report("isSet", e.isSet());`);
    assert.deepEqual(r.all("got"), Array(5).fill(true));
    assert.equal(r.get("isSet"), false);
    assert.ok(r.get("joinedAfter") < 4, "a waiter slept through set(): it waited for its timeout");
  });

  it("a timed wait returns true as soon as another thread sets the event, well before its timeout", async () => {
    const r = await cell(k, `
      const e = new Event();
      const waiting = new Event();
      function setter() { waiting.wait(); e.set(); }
      const t = new Thread({ target: setter }); t.start();
      const t0 = monotonic();
      waiting.set();
      const got = e.wait(10);
      report("got", [got, monotonic() - t0]);
      t.join();`);
    const [got, dt] = r.get("got");
    assert.equal(got, true);
    assert.ok(dt < 5, `took ${dt}s`);
  });

  it("is one object in every thread: set() in a thread is seen by isSet() here, clear() here by the thread", async () => {
    const r = await cell(k, `
      const e = new Event();
      const back = new Event();
      function f(ev: Event) {
        report("same", ev === e);
        ev.set();
        back.wait();
        report("threadSees", ev.isSet());
      }
      const t = new Thread({ target: f, args: [e] }); t.start();
      e.wait();
      report("mainSees", e.isSet());
      e.clear();
      back.set();
      t.join();`);
    assert.equal(r.get("same"), true);
    assert.equal(r.get("mainSees"), true);
    assert.equal(r.get("threadSees"), false);
  });
});
