// Bad arguments to the blocking calls of "threading" and "time": Python's
// TypeError, ValueError or OverflowError (or Python's quiet answer where it
// has one), in the main thread and in a thread alike; never a hang, never a
// dead kernel; and the next cell runs.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, short } from "../threadingCells";

/** The timeouts every call is tried with, by name (the keys of the expectations below). */
const TIMEOUTS = `{
  nan: NaN, inf: Infinity, negInf: -Infinity, minus1: -1, minus5: -5, pastMax: TIMEOUT_MAX + 1, huge: 1e100,
  string: "1", boolean: true, object: {}, array: [], bigint: 1n,
}`;

/** Runs the cell's top-level battery() here and in a thread; reports each under "main" and "thread". */
const BOTH = `
function inThread() { report("thread", battery()); }
function both() {
  report("main", battery());
  const t = new Thread({ target: inThread });
  t.start(); t.join();
}
`;

const WRONG_TYPES = { string: "TypeError", boolean: "TypeError", object: "TypeError", array: "TypeError", bigint: "TypeError" };
const TOO_LARGE = { inf: "OverflowError", pastMax: "OverflowError", huge: "OverflowError" };

/** Checks one battery's outcomes, reported by main and by a thread, against the expected short outcomes. */
function expectBoth(r: { get(key: string): any }, expected: Record<string, string>): void {
  for (const where of ["main", "thread"]) {
    const got = r.get(where);
    const shortened = Object.fromEntries(Object.entries(got).map(([key, o]) => [key, short(o as { ok?: unknown; err?: string })]));
    assert.deepEqual(shortened, expected, `in ${where}`);
  }
}

describe("conformance: bad input to threading's blocking calls", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("Event.wait: NaN ValueError, too large OverflowError, wrong types TypeError, negative false at once; a set event answers true", async () => {
    const started = performance.now();
    const r = await cell(k, BOTH + `
      function battery() {
        const e = new Event();
        const timeouts: Record<string, unknown> = ${TIMEOUTS};
        const out: Record<string, unknown> = {};
        for (const [key, t] of Object.entries(timeouts)) out[key] = outcome(() => e.wait(t as number));
        e.set();
        // Python looks at the timeout only when it has to wait
        out.setNan = outcome(() => e.wait(NaN));
        out.setMax = outcome(() => e.wait(TIMEOUT_MAX));
        return out;
      }
      both();`);
    expectBoth(r, {
      nan: "ValueError", ...TOO_LARGE, negInf: "ok:false", minus1: "ok:false", minus5: "ok:false", ...WRONG_TYPES,
      setNan: "ok:true", setMax: "ok:true",
    });
    assert.ok(performance.now() - started < 5000, "a bad timeout made the cell wait");
  });

  it("Event.wait(TIMEOUT_MAX) is a valid timeout: it returns true when another thread sets the event", async () => {
    const r = await cell(k, `
      const e = new Event();
      function setLater() { e.set(); }
      const t = new Thread({ target: setLater }); t.start();
      report("got", e.wait(TIMEOUT_MAX));
      t.join();`);
    assert.equal(r.get("got"), true);
  });

  it("Barrier: parties < 1 ValueError, not an integer TypeError; bad timeouts fail before waiting and leave it usable", async () => {
    const r = await cell(k, BOTH + `
      function pass(b: Barrier) { b.wait(); }
      function battery() {
        const out: Record<string, unknown> = {};
        for (const [key, p] of Object.entries({ p0: 0, pMinus1: -1, pFloat: 2.5, pString: "3", pNan: NaN, pInf: Infinity, pNull: null }))
          out[key] = outcome(() => String(new Barrier(p as number)));
        out.action = outcome(() => String(new Barrier(2, 5 as any)));
        // the last party too, though it would not wait: the error does not depend on who comes last
        out.lastParty = outcome(() => new Barrier(1).wait("1" as any));
        for (const [key, t] of Object.entries({ tNan: NaN, tInf: Infinity, tString: "1" }))
          out[key] = outcome(() => String(new Barrier(2, null, t as number)));
        const b = new Barrier(2);
        const timeouts: Record<string, unknown> = ${TIMEOUTS};
        for (const [key, t] of Object.entries(timeouts)) {
          if (key === "minus1" || key === "minus5" || key === "negInf") continue;
          out[key] = outcome(() => b.wait(t as number));
          if (b.broken || b.nWaiting !== 0) out[key + "Left"] = { ok: [b.broken, b.nWaiting] };
        }
        // still a working barrier of two parties
        const t = new Thread({ target: pass, args: [b] }); t.start();
        out.stillWorks = outcome(() => typeof b.wait(TIMEOUT_MAX));
        t.join();
        // Python: a negative timeout gives up at once, and breaks the barrier
        out.negative = outcome(() => b.wait(-1));
        out.brokenAfterNegative = { ok: b.broken };
        return out;
      }
      both();`);
    expectBoth(r, {
      p0: "ValueError", pMinus1: "ValueError", pFloat: "TypeError", pString: "TypeError", pNan: "TypeError", pInf: "TypeError", pNull: "TypeError",
      action: "TypeError", lastParty: "TypeError", tNan: "ValueError", tInf: "OverflowError", tString: "TypeError",
      nan: "ValueError", ...TOO_LARGE, ...WRONG_TYPES,
      stillWorks: 'ok:"number"', negative: "BrokenBarrierError", brokenAfterNegative: "ok:true",
    });
  });

  it("Thread.join: NaN ValueError, too large OverflowError, wrong types TypeError, negative returns at once", async () => {
    const r = await cell(k, BOTH + `
      function hold(e: Event) { e.wait(); }
      function battery() {
        const e = new Event();
        const t = new Thread({ target: hold, args: [e] }); t.start();
        const timeouts: Record<string, unknown> = ${TIMEOUTS};
        const out: Record<string, unknown> = {};
        for (const [key, tm] of Object.entries(timeouts)) out[key] = outcome(() => t.join(tm as number));
        out.stillAlive = { ok: t.isAlive() };
        e.set();
        out.joinMax = outcome(() => t.join(TIMEOUT_MAX));
        out.alive = { ok: t.isAlive() };
        return out;
      }
      both();`);
    expectBoth(r, {
      nan: "ValueError", ...TOO_LARGE, negInf: "ok:null", minus1: "ok:null", minus5: "ok:null", ...WRONG_TYPES,
      stillAlive: "ok:true", joinMax: "ok:null", alive: "ok:false",
    });
  });

  it("Timer and Thread: bad intervals and targets fail where they are made; a negative interval fires at once", async () => {
    const r = await cell(k, BOTH + `
      function noop() {}
      function setIt(e: Event) { e.set(); }
      function battery() {
        const timeouts: Record<string, unknown> = ${TIMEOUTS};
        const out: Record<string, unknown> = {};
        for (const [key, t] of Object.entries(timeouts)) {
          if (key === "minus1" || key === "minus5" || key === "negInf") continue;
          out[key] = outcome(() => String(new Timer(t as number, noop)));
        }
        out.notCallable = outcome(() => String(new Timer(1, 5 as any)));
        out.target = outcome(() => String(new Thread({ target: 5 as any })));
        out.args = outcome(() => String(new Thread({ args: "ab" as any })));
        const fired = new Event();
        const t0 = monotonic();
        const tm = new Timer(-1, setIt, [fired]); tm.start();
        out.negative = { ok: fired.wait(5) && monotonic() - t0 < 4 };
        tm.join();
        return out;
      }
      both();`);
    expectBoth(r, {
      nan: "ValueError", ...TOO_LARGE, ...WRONG_TYPES,
      notCallable: "TypeError", target: "TypeError", args: "TypeError", negative: "ok:true",
    });
  });

  it("time.sleep: NaN and negative ValueError, too large OverflowError, wrong types TypeError", async () => {
    const r = await cell(k, BOTH + `
      function battery() {
        const timeouts: Record<string, unknown> = ${TIMEOUTS};
        const out: Record<string, unknown> = {};
        // TIMEOUT_MAX + 1 seconds is a sleep Python allows too: it is not tried
        for (const [key, t] of Object.entries(timeouts)) if (key !== "pastMax") out[key] = outcome(() => sleep(t as number));
        return out;
      }
      both();`);
    expectBoth(r, {
      nan: "ValueError", inf: "OverflowError", negInf: "ValueError", minus1: "ValueError", minus5: "ValueError",
      huge: "OverflowError", ...WRONG_TYPES,
    });
  });

  it("a bad timeout left uncaught ends the cell with its error, a thread's goes to its stderr, and the next cell runs", async () => {
    const a = await cell(k, `
      function bad() { new Event().wait(NaN); }
      const t = new Thread({ target: bad, name: "bad" }); t.start(); t.join();
      new Barrier(2).wait(Infinity);`, { status: "error", stderr: true });
    assert.equal(a.ran.result.error?.name, "OverflowError");
    assert.match(a.ran.text("stderr"), /^Exception in thread bad:\n[\s\S]*ValueError/);
    const b = await cell(k, `report("next", activeCount());`);
    assert.equal(b.get("next"), 1);
  });
});
