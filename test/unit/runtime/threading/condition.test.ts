// CPython's Lib/test/lock_tests.py ConditionTests, ported to cells on real
// threads. A waiter proves it is inside wait() without any sleep: it counts
// itself while it holds the condition's lock, and wait() lets go of the lock
// only once the waiter is queued; so once the main thread holds the lock,
// every waiter counted is waiting. Not ported: SKIPPED-locks.md.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, assertWaited } from "../support";

/** CPython's _check_notify: notify(3), then notify(5) across first and second waits, then notifyAll. */
const CHECK_NOTIFY = `
const phase = new Value("i", 0);
const ready = new Value("i", 0);
const n1 = new Value("i", 0);
const n2 = new Value("i", 0);
function worker(cond: Condition, round: number, phase: Value, ready: Value, n1: Value, n2: Value) {
  cond.acquire();
  ready.value += 1; // under cond's lock, like every write of ready
  let result = cond.wait();
  cond.release();
  report("results1." + round, [result, phase.value]);
  inc(n1);
  cond.acquire();
  ready.value += 1;
  result = cond.wait();
  cond.release();
  report("results2." + round, [result, phase.value]);
  inc(n2);
}
/** A wait() that wrongly returned without the lock would read the old phase: give it the time to. */
const letWrongWakersRun = () => sleep(0.02);
function checkNotify(cond: Condition, round: number) {
  phase.value = 0; ready.value = 0; n1.value = 0; n2.value = 0;
  const ts = [0, 1, 2, 3, 4].map(() => new Thread({ target: worker, args: [cond, round, phase, ready, n1, n2] }));
  ts.forEach((t) => t.start());
  waitUntil(() => ready.value >= 5, "five first waits");
  cond.acquire();
  ready.value = 0;
  report("start." + round, [n1.value, n2.value]);
  cond.notify(3);
  letWrongWakersRun();
  phase.value = 1;
  cond.release();
  waitUntil(() => n1.value >= 3, "three wake-ups");
  waitUntil(() => ready.value >= 3, "the three back in wait()");
  cond.acquire();
  report("phase1." + round, [n1.value, n2.value]);
  cond.notify(5);
  letWrongWakersRun();
  phase.value = 2;
  cond.release();
  waitUntil(() => n1.value + n2.value >= 8, "eight wake-ups");
  waitUntil(() => ready.value >= 5, "all five in their second wait()");
  cond.acquire();
  report("phase2." + round, [n1.value, n2.value]);
  cond.notifyAll();
  letWrongWakersRun();
  phase.value = 3;
  cond.release();
  waitUntil(() => n2.value >= 5, "all five second wake-ups");
  ts.forEach((t) => t.join());
}
`;

describe("conformance: Condition (CPython lock_tests ConditionTests)", function () {
  this.timeout(20000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("takes an RLock by default and uses the lock it is given (test_acquire)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      report("reentrant", outcome(() => { cond.acquire(); cond.acquire(); cond.release(); cond.release(); }));
      const lock = new Lock();
      const c = new Condition(lock);
      c.acquire();
      report("lock while cond held", lock.acquire(false));
      c.release();
      report("lock after cond released", lock.acquire(false));
      report("cond while lock held", c.acquire(false));
      lock.release();
      {
        using _ = c.hold();
        report("lock inside hold", lock.acquire(false));
      }
      report("lock after hold", lock.acquire(false));
      lock.release();`);
    assert.deepEqual(r.get("reentrant"), { ok: null });
    assert.equal(r.get("lock while cond held"), false);
    assert.equal(r.get("lock after cond released"), true);
    assert.equal(r.get("cond while lock held"), false);
    assert.equal(r.get("lock inside hold"), false);
    assert.equal(r.get("lock after hold"), true);
  });

  it("raises RuntimeError on wait or notify without its lock (test_unacquired_wait, test_unacquired_notify)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      report("wait", outcome(() => cond.wait()));
      report("wait timed", outcome(() => cond.wait(0.01)));
      report("notify", outcome(() => cond.notify()));
      report("notifyAll", outcome(() => cond.notifyAll()));
      report("waitFor", outcome(() => cond.waitFor(() => false)));
      // Python calls the predicate first and returns at once when it holds: no lock needed
      report("waitFor true", outcome(() => cond.waitFor(() => 42)));
      const held = new Event();
      const done = new Event();
      const t = new Thread({ target: (c: Condition, held: Event, done: Event) => { c.acquire(); held.set(); done.wait(); c.release(); }, args: [cond, held, done] });
      t.start();
      held.wait();
      report("notify, another thread holding", outcome(() => cond.notify()));
      report("wait, another thread holding", outcome(() => cond.wait(0.01)));
      done.set();
      t.join();`);
    for (const key of ["wait", "wait timed", "notify", "notifyAll", "waitFor", "notify, another thread holding", "wait, another thread holding"]) {
      assert.deepEqual(r.get(key), { err: "RuntimeError" }, key);
    }
    assert.deepEqual(r.get("waitFor true"), { ok: 42 });
  });

  for (const [label, make] of [
    ["", "new Condition()"],
    [", over a Lock", "new Condition(new Lock())"],
  ]) {
    it(`notify(3) wakes exactly three, notify(5) the five oldest, notifyAll the rest; twice (test_notify${label})`, async () => {
      const r = await cell(k, `${CHECK_NOTIFY}
        const cond = ${make};
        checkNotify(cond, 0);
        checkNotify(cond, 1); // a second time, to check internal state is still ok`);
      for (const round of [0, 1]) {
        assert.deepEqual(r.get(`start.${round}`), [0, 0], "woken before any notify");
        assert.deepEqual(r.get(`phase1.${round}`), [3, 0], "after notify(3)");
        assert.deepEqual(r.get(`phase2.${round}`), [5, 3], "after notify(5)");
        assert.deepEqual(r.all(`results1.${round}`), [[true, 1], [true, 1], [true, 1], [true, 2], [true, 2]]);
        assert.deepEqual(r.all(`results2.${round}`), [[true, 2], [true, 2], [true, 2], [true, 3], [true, 3]]);
      }
    });
  }

  it("wakes waiters in the order they began to wait (FIFO, as CPython's Condition does)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      const tickets = new Value("i", 0);
      const woken = new Value("i", 0);
      const order = new SharedArray("i", 4);
      function waiter(cond: Condition, tickets: Value, woken: Value, order: any) {
        cond.acquire();
        const mine = tickets.value as number; // taken under the lock: tickets follow the order of entering wait()
        tickets.value = mine + 1;
        cond.wait();
        order[woken.value as number] = mine;
        woken.value = (woken.value as number) + 1;
        cond.release();
      }
      const ts = [0, 1, 2, 3].map(() => new Thread({ target: waiter, args: [cond, tickets, woken, order] }));
      ts.forEach((t) => t.start());
      waitUntil(() => tickets.value === 4, "four waiters");
      for (let i = 0; i < 4; i++) {
        cond.acquire();
        cond.notify();
        cond.release();
        waitUntil(() => (woken.value as number) > i, "a wake-up");
      }
      ts.forEach((t) => t.join());
      report("order", Array.from({ length: 4 }, (_, i) => order[i]));`);
    assert.deepEqual(r.get("order"), [0, 1, 2, 3]);
  });

  it("wakes a waiter notified exactly between wait() releasing the lock and sleeping", async () => {
    const r = await cell(k, `
      const released = new Event();
      const notified = new Event();
      let pause = false;
      /** Holds wait() right after it lets go of the lock, until another thread has notified. */
      class PausingLock extends Lock {
        override release(): void {
          super.release();
          if (!pause) return;
          pause = false;
          released.set();
          notified.wait(5);
        }
      }
      const cond = new Condition(new PausingLock());
      const t = new Thread({ target: (cond: Condition, released: Event, notified: Event) => {
        released.wait(5);
        cond.acquire();
        cond.notify();
        cond.release();
        notified.set();
      }, args: [cond, released, notified] });
      t.start();
      cond.acquire();
      pause = true;
      const t0 = monotonic();
      report("woken", [cond.wait(2), monotonic() - t0]);
      report("notified in the window", notified.isSet());
      cond.release();
      t.join();`);
    assert.equal(r.get("notified in the window"), true);
    const [woken, dt] = r.get("woken");
    assert.equal(woken, true, "the notify was lost");
    assert.ok(dt < 1.5, `wait() took ${dt}s`);
  });

  it("never loses a notify racing a waiter on its way into wait(), 500 times over, on a Lock and an RLock", async () => {
    const r = await cell(k, `
      const turn = new Value("i", 0);
      const lost = new Value("i", 0);
      function waiter(cond: Condition, turn: Value, lost: Value, rounds: number) {
        for (let i = 1; i <= rounds; i++) {
          cond.acquire();
          turn.value = i;
          if (!cond.wait(0.5)) lost.value = (lost.value as number) + 1;
          cond.release();
        }
      }
      for (const cond of [new Condition(new Lock()), new Condition()]) {
        turn.value = 0;
        lost.value = 0;
        const rounds = 500;
        const t = new Thread({ target: waiter, args: [cond, turn, lost, rounds] });
        t.start();
        for (let i = 1; i <= rounds; i++) {
          // spin, not sleep: the notify must land while the waiter is still on its way into wait()
          while ((turn.value as number) < i && t.isAlive()) {}
          while (!cond.acquire(false)) {} // spinning, ours the moment wait() lets go of it
          cond.notify();
          cond.release();
        }
        t.join();
        report("lost", lost.value);
      }`);
    assert.deepEqual(r.all("lost"), [0, 0]);
  });

  it("returns false after the timeout when nobody notifies (test_timeout)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      function f(cond: Condition) {
        cond.acquire();
        const t0 = monotonic();
        const result = cond.wait(0.25);
        const dt = monotonic() - t0;
        cond.release();
        report("waited", [result, dt]);
      }
      const ts = [0, 1, 2, 3, 4].map(() => new Thread({ target: f, args: [cond] }));
      ts.forEach((t) => t.start());
      ts.forEach((t) => t.join());
      report("free", cond.acquire(false));`);
    const waited = r.all("waited");
    assert.equal(waited.length, 5);
    for (const [result, dt] of waited) {
      assert.equal(result, false);
      assertWaited(dt, 0.25, "wait(0.25)");
    }
    assert.equal(r.get("free"), true, "a timed-out wait left the lock held");
  });

  it("returns true from a timed wait when notified before the timeout", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      const ready = new Value("i", 0);
      const t = new Thread({ target: (cond: Condition, ready: Value) => {
        using _ = cond.hold();
        ready.value = 1;
        const t0 = monotonic();
        report("waited", [cond.wait(5), monotonic() - t0]);
      }, args: [cond, ready] });
      t.start();
      waitUntil(() => ready.value === 1, "the waiter");
      {
        using _ = cond.hold();
        cond.notify();
      }
      t.join();`);
    const [result, dt] = r.get("waited");
    assert.equal(result, true);
    assert.ok(dt < 2, `a notified wait(5) took ${dt}s`);
  });

  it("lets go of every level of its RLock while waiting, and takes them all back", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      cond.acquire();
      cond.acquire();
      const t = new Thread({ target: (cond: Condition) => {
        cond.acquire(); // gets in only if wait() released both levels
        cond.notify();
        cond.release();
      }, args: [cond] });
      t.start();
      report("notified", cond.wait(5));
      inThread((c: Condition) => report("other try", c.acquire(false)), cond);
      report("two levels", outcome(() => { cond.release(); cond.release(); }));
      report("third", outcome(() => cond.release()));
      t.join();`);
    assert.equal(r.get("notified"), true);
    assert.equal(r.get("other try"), false, "the lock was not taken back after wait()");
    assert.deepEqual(r.get("two levels"), { ok: null });
    assert.deepEqual(r.get("third"), { err: "RuntimeError" });
  });

  it("waitFor re-checks the predicate on each notify and returns its value (test_waitfor)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      const state = new Value("i", 0);
      const calls = new Value("i", 0);
      function f(cond: Condition, state: Value, calls: Value) {
        using _ = cond.hold();
        const result = cond.waitFor(() => {
          calls.value = (calls.value as number) + 1; // under cond's lock
          return state.value === 4 ? "four" : 0;
        });
        report("result", [result, state.value]);
      }
      const t = new Thread({ target: f, args: [cond, state, calls] });
      t.start();
      for (let i = 0; i < 4; i++) {
        // the predicate was checked i+1 times: the waiter is in wait(), or holds the lock on its way there
        waitUntil(() => (calls.value as number) > i, "the predicate checked again");
        using _ = cond.hold();
        state.value = (state.value as number) + 1;
        cond.notify();
      }
      t.join();
      report("calls", calls.value);`);
    assert.deepEqual(r.get("result"), ["four", 4]);
    assert.equal(r.get("calls"), 5, "one check, then one per notify: no spurious wake-ups");
  });

  it("waitFor gives up after its timeout with the predicate's last value (test_waitfor_timeout)", async () => {
    const r = await cell(k, `
      const cond = new Condition();
      const state = new Value("i", 0);
      const calls = new Value("i", 0);
      function f(cond: Condition, state: Value, calls: Value) {
        using _ = cond.hold();
        const t0 = monotonic();
        const result = cond.waitFor(() => { calls.value = (calls.value as number) + 1; return state.value === 4; }, 0.25);
        report("result", [result, monotonic() - t0]);
      }
      const t = new Thread({ target: f, args: [cond, state, calls] });
      t.start();
      for (let i = 0; i < 3; i++) { // only three: state === 4 is never reached
        waitUntil(() => (calls.value as number) > i || !t.isAlive(), "the predicate checked again");
        using _ = cond.hold();
        state.value = (state.value as number) + 1;
        cond.notify();
      }
      t.join();`);
    const [result, dt] = r.get("result");
    assert.equal(result, false);
    assertWaited(dt, 0.25, "waitFor(..., 0.25)");
  });
});
