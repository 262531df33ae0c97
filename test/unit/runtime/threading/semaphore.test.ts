// CPython's Lib/test/lock_tests.py BaseSemaphoreTests, SemaphoreTests and
// BoundedSemaphoreTests, and test_threading's test_BoundedSemaphore_limit,
// ported to cells on real threads. Not ported: SKIPPED-locks.md.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, assertWaited } from "../support";

/** CPython's test_acquire_contended and test_multirelease: 10 threads take a semaphore of 7 twice each, in phases. */
const contended = (kind: string, release: (n: number) => string) => `
  const sem = new ${kind}(7);
  sem.acquire();
  const phase = new Value("i", 0);
  const count = new Value("i", 0);
  function f(sem: Semaphore, phase: Value, count: Value) {
    report("acquired", sem.acquire());
    report("results", phase.value);
    inc(count);
    report("acquired", sem.acquire());
    report("results", phase.value);
    inc(count);
  }
  /** Nothing signals that the rest are blocked in acquire(): this gives one more the time to (wrongly) get through. */
  const settle = () => sleep(0.05);
  const ts = Array.from({ length: 10 }, () => new Thread({ target: f, args: [sem, phase, count] }));
  ts.forEach((t) => t.start());
  waitUntil(() => count.value === 6, "six acquisitions");
  settle();
  report("phase 0", count.value);
  phase.value = 1;
  ${release(7)}
  waitUntil(() => count.value === 13, "seven more");
  settle();
  report("phase 1", count.value);
  phase.value = 2;
  ${release(6)}
  waitUntil(() => count.value === 19, "six more");
  settle();
  report("phase 2", count.value);
  report("still locked", !sem.acquire(false));
  sem.release(); // the last thread's second acquire
  ts.forEach((t) => t.join());
  report("count", count.value);`;

describe("conformance: Semaphore, BoundedSemaphore (CPython lock_tests)", function () {
  this.timeout(20000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  for (const kind of ["Semaphore", "BoundedSemaphore"]) {
    describe(`${kind}: BaseSemaphoreTests`, () => {
      it("raises ValueError for a negative value (test_constructor)", async () => {
        const r = await cell(k, `
          report("-1", outcome(() => new ${kind}(-1)));
          report("-maxsize", outcome(() => new ${kind}(-Number.MAX_SAFE_INTEGER)));
          report("0", outcome(() => { new ${kind}(0); }));`);
        assert.deepEqual(r.get("-1"), { err: "ValueError" });
        assert.deepEqual(r.get("-maxsize"), { err: "ValueError" });
        assert.deepEqual(r.get("0"), { ok: null });
      });

      it("acquires up to its value (test_acquire, test_try_acquire)", async () => {
        const r = await cell(k, `
          const one = new ${kind}(1);
          report("one", [one.acquire(), one.acquire(false)]);
          one.release();
          const two = new ${kind}(2);
          report("two", [two.acquire(false), two.acquire(false), two.acquire(false)]);
          two.release();
          report("after release", [two.acquire(false), two.acquire(false)]);
          two.release();
          two.release();`);
        assert.deepEqual(r.get("one"), [true, false]);
        assert.deepEqual(r.get("two"), [true, true, false]);
        assert.deepEqual(r.get("after release"), [true, false]);
      });

      it("lets exactly as many threads through as releases allow, one release at a time (test_acquire_contended)", async () => {
        const r = await cell(k, contended(kind, (n) => `for (let i = 0; i < ${n}; i++) sem.release();`));
        assertPhases(r);
      });

      it("release(n) lets exactly n more threads through (test_multirelease)", async () => {
        const r = await cell(k, contended(kind, (n) => `sem.release(${n});`));
        assertPhases(r);
      });

      it("acquire(false) from five threads takes the three that are left (test_try_acquire_contended)", async () => {
        const r = await cell(k, `
          const sem = new ${kind}(4);
          sem.acquire();
          const ts = [0, 1, 2, 3, 4].map(() => new Thread({
            target: (sem: Semaphore) => { report("try", sem.acquire(false)); report("try", sem.acquire(false)); },
            args: [sem],
          }));
          ts.forEach((t) => t.start());
          ts.forEach((t) => t.join());`);
        const tries: boolean[] = r.all("try");
        assert.equal(tries.length, 10);
        assert.equal(tries.filter((x) => x).length, 3);
      });

      it("gives up after its timeout, and a negative timeout only tries (test_acquire_timeout)", async () => {
        const r = await cell(k, `
          const sem = new ${kind}(2);
          report("non-blocking with timeout", outcome(() => sem.acquire(false, 1.0)));
          report("tries", [sem.acquire(true, 0.005), sem.acquire(true, 0.005), sem.acquire(true, 0.005)]);
          sem.release();
          report("again", sem.acquire(true, 0.005));
          let t0 = monotonic();
          report("timed", [sem.acquire(true, 0.25), monotonic() - t0]);
          // Python's semaphore gives -1 no meaning of its own: like any negative timeout, it does not wait
          t0 = monotonic();
          report("-1 when empty", [sem.acquire(true, -1), monotonic() - t0]);
          report("-5 when empty", sem.acquire(true, -5));
          sem.release();
          report("-1 when free", sem.acquire(true, -1));`);
        assert.deepEqual(r.get("non-blocking with timeout"), { err: "ValueError" });
        assert.deepEqual(r.get("tries"), [true, true, false]);
        assert.equal(r.get("again"), true);
        const [timed, dt] = r.get("timed");
        assert.equal(timed, false);
        assertWaited(dt, 0.25, "acquire(true, 0.25)");
        const [empty, took] = r.get("-1 when empty");
        assert.equal(empty, false);
        assert.ok(took < 0.5, `acquire(true, -1) waited ${took}s`);
        assert.equal(r.get("-5 when empty"), false);
        assert.equal(r.get("-1 when free"), true);
      });

      it("has a default value of 1 (test_default_value)", async () => {
        const r = await cell(k, `
          const sem = new ${kind}();
          sem.acquire();
          const started = new Value("i", 0);
          const finished = new Value("i", 0);
          const t = new Thread({ target: (sem: Semaphore, started: Value, finished: Value) => {
            started.value = 1;
            sem.acquire();
            sem.release();
            finished.value = 1;
          }, args: [sem, started, finished] });
          t.start();
          waitUntil(() => started.value === 1, "the thread started");
          // nothing signals that it is blocked in acquire(): give it the time to (wrongly) get through
          sleep(0.05);
          report("while held", finished.value);
          sem.release();
          t.join();
          report("after release", finished.value);`);
        assert.equal(r.get("while held"), 0);
        assert.equal(r.get("after release"), 1);
      });

      it("using _ = sem.hold() gives its unit back at the end of the block, even when it throws (test_with)", async () => {
        const r = await cell(k, `
          const sem = new ${kind}(2);
          function withSem(err: boolean) {
            using _ = sem.hold();
            report("first try", sem.acquire(false));
            sem.release();
            using _inner = sem.hold();
            report("second try", sem.acquire(false));
            if (err) throw new TypeError("raised inside the block");
          }
          const left = () => { const got = [sem.acquire(false), sem.acquire(false), sem.acquire(false)]; got.forEach((g) => g && sem.release()); return got; };
          withSem(false);
          report("left", left());
          report("thrown", outcome(() => withSem(true)));
          report("left after throw", left());`);
        assert.deepEqual(r.all("first try"), [true, true]);
        assert.deepEqual(r.all("second try"), [false, false]);
        assert.deepEqual(r.get("thrown"), { err: "TypeError" });
        assert.deepEqual(r.get("left"), [true, true, false]);
        assert.deepEqual(r.get("left after throw"), [true, true, false]);
      });
    });
  }

  it("Semaphore: releases past the initial value are allowed and count (test_release_unacquired)", async () => {
    const r = await cell(k, `
      const sem = new Semaphore(1);
      report("release", outcome(() => sem.release()));
      report("tries", [sem.acquire(false), sem.acquire(false), sem.acquire(false)]);
      sem.release(3);
      report("after release(3)", [sem.acquire(false), sem.acquire(false), sem.acquire(false), sem.acquire(false)]);`);
    assert.deepEqual(r.get("release"), { ok: null });
    assert.deepEqual(r.get("tries"), [true, true, false]);
    assert.deepEqual(r.get("after release(3)"), [true, true, true, false]);
  });

  it("BoundedSemaphore: raises ValueError past its initial value, changing nothing (test_release_unacquired)", async () => {
    const r = await cell(k, `
      const sem = new BoundedSemaphore();
      report("fresh", outcome(() => sem.release()));
      sem.acquire();
      sem.release();
      report("again", outcome(() => sem.release()));
      const three = new BoundedSemaphore(3);
      three.acquire(); three.acquire();
      report("release(3) with 2 out", outcome(() => three.release(3)));
      report("left", [three.acquire(false), three.acquire(false)]);
      report("release(3) with 3 out", outcome(() => three.release(3)));
      report("all back", [three.acquire(false), three.acquire(false), three.acquire(false), three.acquire(false)]);`);
    assert.deepEqual(r.get("fresh"), { err: "ValueError" });
    assert.deepEqual(r.get("again"), { err: "ValueError" });
    assert.deepEqual(r.get("release(3) with 2 out"), { err: "ValueError" });
    assert.deepEqual(r.get("left"), [true, false]);
    assert.deepEqual(r.get("release(3) with 3 out"), { ok: null });
    assert.deepEqual(r.get("all back"), [true, true, true, false]);
  });

  it("BoundedSemaphore: acquired in some threads and released in others, one more release is ValueError (test_BoundedSemaphore_limit)", async () => {
    const r = await cell(k, `
      for (const limit of [1, 2, 3, 4]) {
        const bs = new BoundedSemaphore(limit);
        for (const target of [(s: BoundedSemaphore) => s.acquire(), (s: BoundedSemaphore) => s.release()]) {
          const ts = Array.from({ length: limit }, () => new Thread({ target, args: [bs] }));
          ts.forEach((t) => t.start());
          ts.forEach((t) => t.join());
        }
        report("extra release", [limit, outcome(() => bs.release())]);
      }`);
    assert.deepEqual(r.all("extra release"), [1, 2, 3, 4].map((n) => [n, { err: "ValueError" }]));
  });

  it("repr shows the value, and a bounded semaphore its bound (test_repr)", async () => {
    const r = await cell(k, `
      const sem = new Semaphore(3);
      report("sem", String(sem));
      sem.acquire();
      report("sem", String(sem));
      sem.release(); sem.release();
      report("sem", String(sem));
      const bs = new BoundedSemaphore(3);
      report("bs", String(bs));
      bs.acquire();
      report("bs", String(bs));`);
    const [a, b, c] = r.all("sem");
    assert.match(a, /<(\w+\.)?Semaphore at .*: value=3>/);
    assert.match(b, /<(\w+\.)?Semaphore at .*: value=2>/);
    assert.match(c, /<(\w+\.)?Semaphore at .*: value=4>/);
    const [d, e] = r.all("bs");
    assert.match(d, /<(\w+\.)?BoundedSemaphore at .*: value=3\/3>/);
    assert.match(e, /<(\w+\.)?BoundedSemaphore at .*: value=2\/3>/);
  });
});

function assertPhases(r: { get(key: string): any; all(key: string): any[] }): void {
  assert.equal(r.get("phase 0"), 6, "threads through before any release");
  assert.equal(r.get("phase 1"), 13, "threads through after 7 released");
  assert.equal(r.get("phase 2"), 19, "threads through after 6 more released");
  assert.equal(r.get("still locked"), true);
  assert.equal(r.get("count"), 20);
  const phases: number[] = r.all("results");
  assert.deepEqual([0, 1, 2].map((p) => phases.filter((x) => x === p).length), [6, 7, 7]);
  assert.deepEqual(r.all("acquired"), Array(20).fill(true));
}
