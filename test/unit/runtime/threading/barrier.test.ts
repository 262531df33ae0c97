// threading.Barrier against what CPython's Lib/test/lock_tests.py
// BarrierTests checks, on real threads. Like run_threads() there, N-1
// threads and the main thread each run the same function f.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { assertWaited, cell } from "../threadingCells";

const N = 5;
/** A barrier of N parties with a 2 s default timeout (BarrierTests.setUp), and a runner of f in N parties. */
const SETUP = `
const N = ${N};
const barrier = new Barrier(N, null, 2.0);
function parties(f: () => unknown): void { runThreads(f, N - 1, true); }
`;

describe("conformance: threading.Barrier (lock_tests.BarrierTests)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  for (const passes of [1, 10]) {
    it(`is passed in lockstep (${passes} pass${passes > 1 ? "es" : ""}), and is left unbroken with nobody waiting`, async () => {
      const r = await cell(k, SETUP + `
        const arrived = new Value("i", 0);
        const left = new Value("i", 0);
        function multipass() {
          check(barrier.parties === N, "parties");
          for (let i = 0; i < ${passes}; i++) {
            inc(arrived);
            check(left.value === i * N, "pass " + i + ": someone left before everyone arrived");
            barrier.wait();
            inc(left);
            check(arrived.value === (i + 1) * N, "pass " + i + ": someone arrived before everyone left");
            barrier.wait();
          }
          check(barrier.nWaiting === 0, "nWaiting after the passes is " + barrier.nWaiting);
          check(!barrier.broken, "broken after the passes");
        }
        parties(multipass);
        report("counts", [arrived.value, left.value]);`);
      assert.deepEqual(r.get("counts"), [N * passes, N * passes]);
    });
  }

  it("wait() returns distinct indices 0..parties-1", async () => {
    const r = await cell(k, SETUP + `
      function f() { report("index", barrier.wait()); }
      parties(f);`);
    assert.deepEqual([...r.all("index")].sort(), [0, 1, 2, 3, 4]);
  });

  it("runs the action once, in one of the parties, before any party leaves", async () => {
    const r = await cell(k, SETUP + `
      const actions = new Value("i", 0);
      function action() { inc(actions); report("actionIn", currentThread().name); }
      const withAction = new Barrier(N, action);
      function f() { withAction.wait(); report("seen", actions.value); }
      parties(f);`);
    assert.deepEqual(r.all("seen"), Array(N).fill(1));
    assert.match(r.get("actionIn"), /^(MainThread|Thread-\d+ \(f\))$/);
  });

  it("an action that throws breaks the barrier: its thread gets the error, the others BrokenBarrierError", async () => {
    const r = await cell(k, SETUP + `
      function action() { throw new RangeError("action failed"); }
      const b = new Barrier(N, action);
      function f() { report("outcome", outcome(() => b.wait())); }
      parties(f);
      report("broken", b.broken);`);
    const names = r.all("outcome").map((o) => o.err);
    assert.deepEqual(names.filter((n) => n === "RangeError"), ["RangeError"]);
    assert.deepEqual(names.filter((n) => n === "BrokenBarrierError").length, N - 1);
    assert.equal(r.get("broken"), true);
  });

  it("abort() breaks it: the parties still waiting get BrokenBarrierError", async () => {
    const r = await cell(k, SETUP + `
      const done = new Value("i", 0);
      function f() {
        try {
          const i = barrier.wait();
          if (i === Math.floor(N / 2)) throw new RangeError("this party gives up");
          barrier.wait();
          report("passed", true);
        } catch (e) {
          if (e instanceof BrokenBarrierError) report("broken", true);
          else if ((e as Error).name === "RangeError") barrier.abort();
          else throw e;
        }
      }
      parties(f);
      report("state", [barrier.broken, outcome(() => barrier.wait())]);`);
    assert.deepEqual(r.all("passed"), []);
    assert.equal(r.all("broken").length, N - 1);
    const [broken, after] = r.get("state");
    assert.equal(broken, true);
    assert.equal(after.err, "BrokenBarrierError", "a broken barrier let a wait() through");
  });

  it("reset() frees the waiting parties with BrokenBarrierError, and the barrier can be passed again", async () => {
    const r = await cell(k, SETUP + `
      function f() {
        const i = barrier.wait();
        if (i === Math.floor(N / 2)) {
          waitUntil(() => barrier.nWaiting >= N - 1, "the others wait again");
          barrier.reset();
        } else {
          try { barrier.wait(); report("r1", true); }
          catch (e) { if (e instanceof BrokenBarrierError) report("r2", true); else throw e; }
        }
        barrier.wait();
        report("r3", true);
      }
      parties(f);`);
    assert.equal(r.all("r1").length, 0);
    assert.equal(r.all("r2").length, N - 1);
    assert.equal(r.all("r3").length, N);
  });

  it("a broken barrier can be reset and used again (abort, then reset)", async () => {
    const r = await cell(k, SETUP + `
      const barrier2 = new Barrier(N);
      function f() {
        try {
          const i = barrier.wait();
          if (i === Math.floor(N / 2)) throw new RangeError("this party gives up");
          barrier.wait();
          report("r1", true);
        } catch (e) {
          if (e instanceof BrokenBarrierError) report("r2", true);
          else if ((e as Error).name === "RangeError") barrier.abort();
          else throw e;
        }
        // everyone has left the broken barrier before the reset, and nobody enters before it
        if (barrier2.wait() === Math.floor(N / 2)) barrier.reset();
        barrier2.wait();
        barrier.wait();
        report("r3", true);
      }
      parties(f);
      report("broken", barrier.broken);`);
    assert.equal(r.all("r1").length, 0);
    assert.equal(r.all("r2").length, N - 1);
    assert.equal(r.all("r3").length, N);
    assert.equal(r.get("broken"), false);
  });

  it("wait(timeout) that runs out breaks the barrier: every party gets BrokenBarrierError", async () => {
    const r = await cell(k, SETUP + `
      function f() {
        const i = barrier.wait();
        // one party is late: it comes back only once the others' wait(0.2) has broken the barrier
        if (i === Math.floor(N / 2)) waitUntil(() => barrier.broken, "the barrier breaks");
        const t0 = monotonic();
        report("outcome", [outcome(() => barrier.wait(0.2)), monotonic() - t0, i === Math.floor(N / 2)]);
      }
      parties(f);`);
    const all = r.all("outcome");
    assert.equal(all.length, N);
    for (const [o] of all) assert.equal(o.err, "BrokenBarrierError");
    // the party that timed out first waited its full timeout
    const longest = Math.max(...all.filter(([, , late]) => !late).map(([, dt]) => dt));
    assertWaited(longest, 0.2, "Barrier.wait(0.2)");
  });

  it("the barrier's default timeout applies to wait() without one", async () => {
    const r = await cell(k, SETUP + `
      const b = new Barrier(N, null, 0.3);
      function f() {
        // gathering must not time out while threads start: only the second wait relies on the default
        const i = b.wait(10);
        if (i === Math.floor(N / 2)) waitUntil(() => b.broken, "the barrier breaks");
        const t0 = monotonic();
        report("outcome", [outcome(() => b.wait()), monotonic() - t0, i === Math.floor(N / 2)]);
      }
      parties(f);`);
    const all = r.all("outcome");
    assert.equal(all.length, N);
    for (const [o] of all) assert.equal(o.err, "BrokenBarrierError");
    const longest = Math.max(...all.filter(([, , late]) => !late).map(([, dt]) => dt));
    assertWaited(longest, 0.3, "Barrier.wait() with a 0.3 s default");
  });

  it("a barrier of one party lets its thread through every time", async () => {
    const r = await cell(k, `
      const b = new Barrier(1);
      report("indices", [b.wait(), b.wait()]);`);
    assert.deepEqual(r.get("indices"), [0, 0]);
  });

  it("rejects parties < 1 with ValueError", async () => {
    const r = await cell(k, `
      report("zero", outcome(() => new Barrier(0)));
      report("negative", outcome(() => new Barrier(-1)));`);
    assert.equal(r.get("zero").err, "ValueError");
    assert.equal(r.get("negative").err, "ValueError");
  });

  it("shows parties, nWaiting and broken, and says them in its repr", async () => {
    const r = await cell(k, `
      const b = new Barrier(3);
      const seen: unknown[] = [String(b), b.parties, b.nWaiting, b.broken];
      function f() { b.wait(); }
      const ts = [0, 1].map(() => new Thread({ target: f }));
      ts.forEach((t) => t.start());
      waitUntil(() => b.nWaiting >= 2, "two parties wait");
      seen.push(String(b), b.nWaiting);
      b.wait();
      ts.forEach((t) => t.join());
      seen.push(String(b), b.nWaiting);
      b.abort();
      seen.push(String(b), b.broken, b.nWaiting);
      report("seen", seen);`);
    const [repr0, parties, waiting0, broken0, repr2, waiting2, reprAfter, waitingAfter, reprBroken, broken, waitingBroken] = r.get("seen");
    assert.match(repr0, /^<threading\.Barrier at .*: waiters=0\/3>$/);
    assert.deepEqual([parties, waiting0, broken0], [3, 0, false]);
    assert.match(repr2, /^<threading\.Barrier at .*: waiters=2\/3>$/);
    assert.equal(waiting2, 2);
    assert.match(reprAfter, /waiters=0\/3>$/);
    assert.equal(waitingAfter, 0);
    assert.match(reprBroken, /^<threading\.Barrier at .*: broken>$/);
    assert.deepEqual([broken, waitingBroken], [true, 0]);
  });
});
