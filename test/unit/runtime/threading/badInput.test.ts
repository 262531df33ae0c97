// Wrong arguments to Lock, RLock, Condition, Semaphore and BoundedSemaphore:
// each must raise Python's error (TypeError, ValueError, OverflowError) at
// once, leave the object as it was, never hang, and never take the kernel
// down. Cells are not type-checked, so every one of these can be written.
// Where Python has no error, these follow Python (a negative timeout to a
// semaphore or Condition.wait only tries) or, where Python would hang or
// misbehave, refuse: see "Deliberate differences" in SKIPPED-locks.md.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "../support";

/** Bad (blocking, timeout) pairs for a lock's acquire, and what Python raises for each. */
const LOCK_ACQUIRE: Array<[string, string]> = [
  [`"yes"`, "TypeError"],
  [`{}`, "TypeError"],
  [`true, "1"`, "TypeError"],
  [`true, {}`, "TypeError"],
  [`true, NaN`, "ValueError"],
  [`true, -2`, "ValueError"],
  [`true, -0.5`, "ValueError"],
  [`true, Infinity`, "OverflowError"],
  [`true, -Infinity`, "OverflowError"],
  [`true, TIMEOUT_MAX + 1`, "OverflowError"],
  [`true, 1e100`, "OverflowError"],
  [`false, 0`, "ValueError"],
  [`false, 1`, "ValueError"],
  [`false, -2`, "ValueError"],
  [`false, NaN`, "ValueError"],
  [`false, 1e100`, "OverflowError"],
];

describe("conformance: bad input to the lock-like primitives", function () {
  this.timeout(20000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("constructors raise TypeError for wrong types, ValueError for negative counts, OverflowError past the counter", async () => {
    const r = await cell(k, `
      const cases: Array<[string, () => unknown]> = [
        ["Lock(1)", () => new (Lock as any)(1)],
        ["RLock('x')", () => new (RLock as any)("x")],
        ["Condition(1)", () => new (Condition as any)(1)],
        ["Condition('lock')", () => new (Condition as any)("lock")],
        ["Condition(Semaphore)", () => new (Condition as any)(new Semaphore())],
        ["Condition(lock-like object)", () => new (Condition as any)({ acquire() { return true; }, release() {} })],
        ["Condition(null)", () => { new (Condition as any)(null); }],
      ];
      for (const kind of ["Semaphore", "BoundedSemaphore"]) {
        const S = (kind === "Semaphore" ? Semaphore : BoundedSemaphore) as any;
        for (const [label, v] of [["'2'", "2"], ["null", null], ["NaN", NaN], ["1.5", 1.5], ["Infinity", Infinity], ["{}", {}],
          ["-1", -1], ["-0.5", -0.5], ["-Infinity", -Infinity], ["2**31", 2 ** 31], ["2**31 - 1", 2 ** 31 - 1]] as Array<[string, unknown]>) {
          cases.push([kind + "(" + label + ")", () => { new S(v); }]);
        }
      }
      report("made", Object.fromEntries(cases.map(([label, f]) => [label, outcome(f)])));`);
    const made = r.get("made");
    const expected: Record<string, unknown> = {
      "Lock(1)": { err: "TypeError" },
      "RLock('x')": { err: "TypeError" },
      "Condition(1)": { err: "TypeError" },
      "Condition('lock')": { err: "TypeError" },
      "Condition(Semaphore)": { err: "TypeError" },
      "Condition(lock-like object)": { err: "TypeError" },
      "Condition(null)": { ok: null },
    };
    for (const kind of ["Semaphore", "BoundedSemaphore"]) {
      Object.assign(expected, {
        [`${kind}('2')`]: { err: "TypeError" },
        [`${kind}(null)`]: { err: "TypeError" },
        [`${kind}(NaN)`]: { err: "TypeError" },
        [`${kind}(1.5)`]: { err: "TypeError" },
        [`${kind}(Infinity)`]: { err: "TypeError" },
        [`${kind}({})`]: { err: "TypeError" },
        [`${kind}(-1)`]: { err: "ValueError" },
        [`${kind}(-0.5)`]: { err: "ValueError" },
        [`${kind}(-Infinity)`]: { err: "ValueError" },
        [`${kind}(2**31)`]: { err: "OverflowError" },
        [`${kind}(2**31 - 1)`]: { ok: null },
      });
    }
    assert.deepEqual(made, expected);
  });

  for (const kind of ["Lock", "RLock", "Condition"]) {
    it(`${kind}.acquire: each bad blocking/timeout raises Python's error at once, free or held, and changes nothing`, async () => {
      const r = await cell(k, `
        const x = new ${kind}();
        const calls: Array<[string, () => unknown]> = [
          ${LOCK_ACQUIRE.map(([args]) => `[${JSON.stringify(args)}, () => (x as any).acquire(${args})]`).join(",\n          ")}
        ];
        const run = () => Object.fromEntries(calls.map(([args, f]) => [args, outcome(f)]));
        const t0 = monotonic();
        report("free", run());
        report("free after", otherCanTake(x));
        x.acquire();
        report("held", run());
        x.release(); // one level: a bad call on an RLock we hold must not have added one
        report("held after", otherCanTake(x));
        report("took", monotonic() - t0);`);
      const expected = Object.fromEntries(LOCK_ACQUIRE.map(([args, err]) => [args, { err }]));
      assert.deepEqual(r.get("free"), expected);
      assert.deepEqual(r.get("held"), expected);
      assert.equal(r.get("free after"), true);
      assert.equal(r.get("held after"), true);
      assert.ok(r.get("took") < 2, `bad calls took ${r.get("took")}s`);
    });
  }

  it("Condition.wait, waitFor and notify: bad timeouts and counts raise at once and leave the lock held", async () => {
    const r = await cell(k, `
      for (const cond of [new Condition(), new Condition(new Lock())]) {
        cond.acquire();
        const t0 = monotonic();
        const got = {
          "wait('1')": outcome(() => cond.wait("1" as any)),
          "wait({})": outcome(() => cond.wait({} as any)),
          "wait(NaN)": outcome(() => cond.wait(NaN)),
          "wait(Infinity)": outcome(() => cond.wait(Infinity)),
          "wait(TIMEOUT_MAX + 1)": outcome(() => cond.wait(TIMEOUT_MAX + 1)),
          "wait(-1)": outcome(() => cond.wait(-1)),
          "wait(-Infinity)": outcome(() => cond.wait(-Infinity)),
          "waitFor(1)": outcome(() => cond.waitFor(1 as any)),
          "waitFor(null)": outcome(() => cond.waitFor(null as any)),
          "waitFor(p, '1')": outcome(() => cond.waitFor(() => false, "1" as any)),
          "waitFor(p, NaN)": outcome(() => cond.waitFor(() => false, NaN)),
          "waitFor(p, Infinity)": outcome(() => cond.waitFor(() => false, Infinity)),
          "waitFor(p, -1)": outcome(() => cond.waitFor(() => 0, -1)),
          "waitFor(throwing p)": outcome(() => cond.waitFor(() => { throw new RangeError("from the predicate"); })),
          "notify(-1)": outcome(() => cond.notify(-1)),
          "notify('2')": outcome(() => cond.notify("2" as any)),
          "notify(NaN)": outcome(() => cond.notify(NaN)),
          "notify(null)": outcome(() => cond.notify(null as any)),
        };
        report("got", got);
        report("took", monotonic() - t0);
        inThread((c: Condition) => report("other while held", c.acquire(false)), cond);
        report("release", outcome(() => cond.release()));
        inThread((c: Condition) => { const ok = c.acquire(false); report("other after release", ok); if (ok) c.release(); }, cond);
      }`);
    const expected = {
      "wait('1')": { err: "TypeError" },
      "wait({})": { err: "TypeError" },
      "wait(NaN)": { err: "ValueError" },
      "wait(Infinity)": { err: "OverflowError" },
      "wait(TIMEOUT_MAX + 1)": { err: "OverflowError" },
      "wait(-1)": { ok: false },
      "wait(-Infinity)": { ok: false },
      "waitFor(1)": { err: "TypeError" },
      "waitFor(null)": { err: "TypeError" },
      "waitFor(p, '1')": { err: "TypeError" },
      "waitFor(p, NaN)": { err: "ValueError" },
      "waitFor(p, Infinity)": { err: "OverflowError" },
      "waitFor(p, -1)": { ok: 0 },
      "waitFor(throwing p)": { err: "RangeError" },
      "notify(-1)": { err: "ValueError" },
      "notify('2')": { err: "TypeError" },
      "notify(NaN)": { err: "TypeError" },
      "notify(null)": { err: "TypeError" },
    };
    assert.deepEqual(r.all("got"), [expected, expected]);
    for (const took of r.all("took")) assert.ok(took < 2, `bad calls took ${took}s`);
    assert.deepEqual(r.all("other while held"), [false, false]);
    assert.deepEqual(r.all("release"), [{ ok: null }, { ok: null }]);
    assert.deepEqual(r.all("other after release"), [true, true]);
  });

  for (const kind of ["Semaphore", "BoundedSemaphore"]) {
    it(`${kind}.acquire and release: bad arguments raise at once and leave the count as it was`, async () => {
      const r = await cell(k, `
        const S = ${kind};
        const empty = new S(0);
        const t0 = monotonic();
        const acquire = Object.fromEntries(([
          ["'yes'", () => (empty as any).acquire("yes")],
          ["false, 1", () => empty.acquire(false, 1)],
          ["false, 0", () => empty.acquire(false, 0)],
          ["false, -1", () => empty.acquire(false, -1)],
          ["false, '1'", () => empty.acquire(false, "1" as any)],
          ["true, '1'", () => empty.acquire(true, "1" as any)],
          ["true, NaN", () => empty.acquire(true, NaN)],
          ["true, Infinity", () => empty.acquire(true, Infinity)],
          ["true, TIMEOUT_MAX + 1", () => empty.acquire(true, TIMEOUT_MAX + 1)],
          ["true, -Infinity", () => empty.acquire(true, -Infinity)],
        ] as Array<[string, () => unknown]>).map(([label, f]) => [label, outcome(f)]));
        report("acquire", acquire);
        const sem = new S(2);
        sem.acquire(); sem.acquire();
        const release = Object.fromEntries(([
          ["0", () => sem.release(0)],
          ["-1", () => sem.release(-1)],
          ["0.5", () => sem.release(0.5)],
          ["1.5", () => sem.release(1.5)],
          ["NaN", () => sem.release(NaN)],
          ["Infinity", () => sem.release(Infinity)],
          ["'1'", () => sem.release("1" as any)],
          ["null", () => sem.release(null as any)],
        ] as Array<[string, () => unknown]>).map(([label, f]) => [label, outcome(f)]));
        report("release", release);
        report("took", monotonic() - t0);
        report("empty still empty", empty.acquire(false));
        sem.release(2);
        report("count kept", [sem.acquire(false), sem.acquire(false), sem.acquire(false)]);
        const full = new S(2 ** 31 - 1);
        report("past the counter", outcome(() => full.release()));
        report("past the counter, n", outcome(() => new S(0).release(2 ** 40)));
        report("full still counts", [full.acquire(false), outcome(() => full.release())]);`);
      assert.deepEqual(r.get("acquire"), {
        "'yes'": { err: "TypeError" },
        "false, 1": { err: "ValueError" },
        "false, 0": { err: "ValueError" },
        "false, -1": { err: "ValueError" },
        "false, '1'": { err: "ValueError" },
        "true, '1'": { err: "TypeError" },
        "true, NaN": { err: "ValueError" },
        "true, Infinity": { err: "OverflowError" },
        "true, TIMEOUT_MAX + 1": { err: "OverflowError" },
        "true, -Infinity": { ok: false },
      });
      assert.deepEqual(r.get("release"), {
        "0": { err: "ValueError" },
        "-1": { err: "ValueError" },
        "0.5": { err: "ValueError" },
        "1.5": { err: "TypeError" },
        NaN: { err: "TypeError" },
        Infinity: { err: "TypeError" },
        "'1'": { err: "TypeError" },
        null: { err: "TypeError" },
      });
      assert.ok(r.get("took") < 2, `bad calls took ${r.get("took")}s`);
      assert.equal(r.get("empty still empty"), false);
      assert.deepEqual(r.get("count kept"), [true, true, false]);
      // a bounded semaphore made full is already at its bound: ValueError comes first
      assert.deepEqual(r.get("past the counter"), { err: kind === "Semaphore" ? "OverflowError" : "ValueError" });
      assert.deepEqual(r.get("past the counter, n"), { err: kind === "Semaphore" ? "OverflowError" : "ValueError" });
      assert.deepEqual(r.get("full still counts"), [true, { ok: null }]);
    });
  }

  it("an uncaught bad call fails its cell with Python's error, a thread's goes to its stderr, and the kernel runs the next cell", async () => {
    for (const [source, name] of [
      [`import { Semaphore } from "threading";\nnew Semaphore(-1);`, "ValueError"],
      [`import { Lock } from "threading";\nnew Lock().acquire(false, 1);`, "ValueError"],
      [`import { RLock } from "threading";\nnew RLock().acquire(true, Infinity);`, "OverflowError"],
      [`import { Condition } from "threading";\nconst c = new Condition();\nc.wait();`, "RuntimeError"],
      [`import { BoundedSemaphore } from "threading";\nnew BoundedSemaphore(1).release();`, "ValueError"],
    ]) {
      const bad = await k.run(source);
      assert.equal(bad.result.status, "error", source);
      assert.equal(bad.result.error?.name, name, source);
      const next = await k.run(`console.log("next")`);
      assert.equal(next.result.status, "ok", `after ${source}`);
      assert.deepEqual(next.lines(), [["MainThread", "next"]]);
    }
    const r = await cell(k, `
      const lock = new Lock();
      const t = new Thread({ target: (l: Lock) => { l.acquire(true, NaN); }, args: [lock], name: "bad" });
      t.start();
      t.join();
      report("main goes on", lock.acquire(false));`, { stderr: true });
    assert.equal(r.get("main goes on"), true);
    assert.match(r.ran.text("stderr"), /Exception in thread bad:[\s\S]*ValueError/);
    const next = await k.run(`console.log("next")`);
    assert.deepEqual(next.lines(), [["MainThread", "next"]]);
  });
});
