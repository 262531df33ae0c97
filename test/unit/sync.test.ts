// Issue 3's "must hold" on real threads: lost updates and the lock that
// prevents them, and deadlocks reported instead of hanging.
import { strict as assert } from "node:assert";
import { TestKernel } from "./support/kernel";

describe("synchronization on real threads", function () {
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("loses updates to a shared Value without its lock, and keeps all 400,000 with it", async () => {
    const r = await k.run(`
      import { Thread } from "threading";
      import { Value } from "sharedctypes";
      const counter = new Value("i", 0);
      function add(c: Value, locked: boolean) {
        for (let i = 0; i < 100_000; i++) {
          if (locked) { using _ = c.getLock().hold(); c.value += 1; }
          else c.value += 1;
        }
      }
      for (const locked of [false, true]) {
        counter.value = 0;
        const ts = [0, 1, 2, 3].map(() => new Thread({ target: add, args: [counter, locked] }));
        ts.forEach((t) => t.start());
        ts.forEach((t) => t.join());
        console.log(counter.value);
      }`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const [unlocked, locked] = r.lines().map(([, l]) => Number(l));
    assert.ok(unlocked < 400_000, `no update was lost: ${unlocked}`);
    assert.equal(locked, 400_000);
  });

  it("reports a lock-order inversion naming both threads and both locks, and the next cell runs", async () => {
    const started = performance.now();
    // the barrier makes sure each thread holds its first lock before either reaches for its second
    const r = await k.run(`import { Thread, Lock, Barrier } from "threading";
const a = new Lock();
const b = new Lock();
const bothHold = new Barrier(2);
let holding = 0;
function one() { using _a = a.hold(); bothHold.wait(); using _b = b.hold(); }
function two() { using _b = b.hold(); bothHold.wait(); using _a = a.hold(); }
const t1 = new Thread({ target: one, name: "one" });
const t2 = new Thread({ target: two, name: "two" });
t1.start(); t2.start();
t1.join(); t2.join();`);
    const waited = performance.now() - started;
    assert.equal(r.result.status, "error");
    assert.equal(r.result.error?.name, "DeadlockError");
    const report = r.result.error?.traceback ?? "";
    assert.match(report, /Thread one\n {2}holds Lock #\d+ \(made at cell 1, line 2: const a = new Lock\(\);\)\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 3: const b = new Lock\(\);\), held by two/);
    assert.match(report, /Thread two\n {2}holds Lock #\d+ \(made at cell 1, line 3[^\n]*\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 2[^\n]*held by one/);
    assert.match(report, /File "cell 1", line 6, in one/);
    assert.match(report, /File "cell 1", line 7, in two/);
    assert.ok(waited < 5000, `took ${waited} ms`);
    const next = await k.run(`console.log("next")`);
    assert.deepEqual(next.lines(), [["MainThread", "next"]]);
  });

  it("names locks made in an earlier cell in the report, and frees the locks the stopped threads held", async () => {
    await k.run(`import { Thread, Lock, Barrier } from "threading";
const a = new Lock();
const b = new Lock();
function grab(x: Lock, y: Lock, both: Barrier) { using _x = x.hold(); both.wait(); using _y = y.hold(); }`);
    const r = await k.run(`const both = new Barrier(2);
const t1 = new Thread({ target: grab, args: [a, b, both], name: "ab" });
const t2 = new Thread({ target: grab, args: [b, a, both], name: "ba" });
t1.start(); t2.start(); t1.join(); t2.join();`);
    assert.equal(r.result.error?.name, "DeadlockError");
    const report = r.result.error?.traceback ?? "";
    assert.match(report, /Thread ab\n {2}holds Lock #\d+ \(made at cell 1, line 2: const a = new Lock\(\);\)\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 3[^\n]*held by ba/);
    assert.match(report, /Thread ba\n {2}holds Lock #\d+ \(made at cell 1, line 3[^\n]*\n {2}waits to acquire Lock #\d+ \(made at cell 1, line 2[^\n]*held by ab/);
    const after = await k.run(`console.log(a.locked(), b.locked(), a.acquire(false));`);
    assert.deepEqual(after.lines(), [["MainThread", "false false true"]]);
  });

  it("reports Event.wait() that no thread is left to set", async () => {
    const r = await k.run(`import { Event } from "threading";\nconst e = new Event();\ne.wait();`);
    assert.equal(r.result.error?.name, "DeadlockError");
    assert.match(r.result.error?.traceback ?? "", /Thread MainThread\n {2}holds no lock\n {2}waits on Event #\d+ \(made at cell 1, line 2[^\n]*\n {2}File "cell 1", line 3, in <module>/);
  });

  it("does not call a slow program a deadlock: a thread that sleeps can still wake the others", async () => {
    const r = await k.run(`import { Thread, Event } from "threading";
      import { sleep } from "time";
      const e = new Event();
      new Thread({ target: () => { sleep(1.2); e.set(); } }).start();
      console.log(e.wait());`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines(), [["MainThread", "true"]]);
  });
});
