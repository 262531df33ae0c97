// The kernel on real worker threads: programs, per-thread capture, the
// notebook's scope across cells and threads, and surviving hostile cells.
import { strict as assert } from "node:assert";
import { cpus } from "node:os";
import { TestKernel } from "./support/kernel";

describe("kernel: a cell is a program", function () {
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("marks every line with the thread that wrote it, each thread's lines in order", async () => {
    const r = await k.run(`
      import { Thread } from "threading";
      function worker(n: number) { for (let i = 0; i < 50; i++) console.log(n, i); }
      const ts = [1, 2, 3].map((n) => new Thread({ target: worker, args: [n] }));
      ts.forEach((t) => t.start());
      ts.forEach((t) => t.join());
      console.log("main done");`);
    assert.equal(r.result.status, "ok");
    for (const n of [1, 2, 3]) {
      const mine = r.lines("stdout").filter(([t]) => t === `Thread-${n} (worker)`).map(([, l]) => l);
      assert.deepEqual(mine, Array.from({ length: 50 }, (_, i) => `${n} ${i}`));
    }
    assert.deepEqual(r.lines("stdout").at(-1), ["MainThread", "main done"]);
  });

  it("runs threads at the same time: three sleeping threads overlap", async () => {
    const r = await k.run(`
      import { Thread, Barrier } from "threading";
      import { sleep, perfCounter } from "time";
      // all three are running before any sleeps: a loaded machine may start workers late
      const ready = new Barrier(3);
      function nap() { ready.wait(); const a = perfCounter(); sleep(0.3); console.log(a, perfCounter()); }
      const ts = [0, 1, 2].map(() => new Thread({ target: nap }));
      ts.forEach((t) => t.start());
      ts.forEach((t) => t.join());`);
    const spans = r.lines("stdout").map(([, l]) => l.split(" ").map(Number));
    assert.equal(spans.length, 3);
    const latestStart = Math.max(...spans.map(([a]) => a));
    const earliestEnd = Math.min(...spans.map(([, b]) => b));
    assert.ok(latestStart < earliestEnd, `every thread was asleep at ${latestStart}: ${JSON.stringify(spans)}`);
  });

  it("reports an exception in a thread on its stderr while the main thread carries on", async () => {
    const r = await k.run(`import { Thread } from "threading";
function bad(x: number) {
  throw new RangeError("no " + x);
}
const t = new Thread({ target: bad, args: [7] });
t.start();
t.join();
console.log("main carries on");`);
    assert.equal(r.result.status, "ok");
    const err = r.text("stderr");
    assert.match(err, /^Exception in thread Thread-1 \(bad\):\nTraceback \(most recent call last\):\n/);
    assert.match(err, /File "cell 1", line 3, in bad\n {4}throw new RangeError\("no " \+ x\);/);
    assert.match(err, /RangeError: no 7$/);
    assert.ok(r.lines("stderr").every(([t]) => t === "Thread-1 (bad)"));
    assert.deepEqual(r.lines("stdout"), [["MainThread", "main carries on"]]);
  });

  it("fails the cell on an exception in the main thread, pointing at its line", async () => {
    const r = await k.run(`const a = 1;\n\nnotDefined(a);`);
    assert.equal(r.result.status, "error");
    assert.equal(r.result.error?.name, "ReferenceError");
    assert.match(r.result.error?.traceback ?? "", /File "cell 1", line 3, in <module>\n {4}notDefined\(a\);/);
  });

  it("says where a syntax error is", async () => {
    const r = await k.run(`const ok = 1;\nconst broken = ;`);
    assert.equal(r.result.status, "error");
    assert.equal(r.result.error?.name, "SyntaxError");
    assert.match(r.result.error?.traceback ?? "", /File "cell 1", line 2\n {4}const broken = ;\n {4}\s*\^/);
  });

  it("streams output while the main thread blocks in join() and the writer spins", async () => {
    let seen = 0;
    let ended = false;
    const waiting = k.run(
      `import { Thread } from "threading";
      const t = new Thread({ target: () => { for (let i = 0; i < 1000; i++) console.log("line", i); while (true) {} } });
      t.start();
      t.join();`,
      (recs, id) => {
        for (const r of recs) seen += r.text.split("\n").length - 1;
        // all 1,000 lines arrived while the cell still runs: interrupt it
        if (seen === 1000) k.kernel.interrupt(id);
      },
    );
    const r = await waiting.finally(() => (ended = true));
    assert.ok(ended);
    assert.equal(r.result.status, "interrupted");
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), Array.from({ length: 1000 }, (_, i) => `line ${i}`));
  });

  it("waits for non-daemon threads after the main code, and stops daemon threads with a note", async () => {
    const r = await k.run(`
      import { Thread } from "threading";
      import { sleep } from "time";
      new Thread({ target: () => { while (true) sleep(0.05); }, daemon: true, name: "forever" }).start();
      new Thread({ target: () => { sleep(0.2); console.log("late but waited for"); }, name: "late" }).start();
      console.log("main code done");`);
    assert.equal(r.result.status, "ok");
    assert.deepEqual(r.lines("stdout"), [["MainThread", "main code done"], ["late", "late but waited for"]]);
    assert.deepEqual(r.lines("stderr").map(([t]) => t), ["forever"]);
    assert.match(r.text("stderr"), /daemon thread stopped/);
  });

  it("shares functions, classes, imports and constants of earlier cells with later cells and threads", async () => {
    await k.run(`
      import { Thread, currentThread } from "threading";
      const GREETING = "hello";
      const table = { xs: [1, 2, 3] };
      function greet(who: string) { console.log(GREETING, who, currentThread().name, table.xs.length); }
      class Box { constructor(readonly v: number) {} twice() { return this.v * 2; } }`);
    const r = await k.run(`
      greet("main");
      const t = new Thread({ target: greet, args: ["thread"] }); t.start(); t.join();
      const b = new Box(21);
      const u = new Thread({ target: (box: Box) => console.log(box instanceof Box, box.twice()), args: [b] }); u.start(); u.join();`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["hello main MainThread 3", "hello thread Thread-1 (greet) 3", "true 42"]);
  });

  it("runs a Thread subclass's run() with its fields, as the same class", async () => {
    const r = await k.run(`
      import { Thread, currentThread } from "threading";
      class Counter extends Thread {
        count = 0;
        constructor(readonly limit: number) { super({ name: "counter" }); }
        override run() { for (let i = 0; i < this.limit; i++) this.count++; console.log(this.count, currentThread() === this, this instanceof Counter); }
      }
      const c = new Counter(5); c.start(); c.join(); console.log(c.isAlive(), c.count);`);
    assert.deepEqual(r.lines("stdout"), [["counter", "5 true true"], ["MainThread", "false 0"]]);
  });

  it("ends a thread silently on sys.exit(), and the program on sys.exit() in main after its threads", async () => {
    const r = await k.run(`
      import { Thread } from "threading";
      import { exit } from "sys";
      import { sleep } from "time";
      const t = new Thread({ target: () => { exit(); console.log("never"); } }); t.start(); t.join();
      new Thread({ target: () => { sleep(0.1); console.log("still waited for"); } }).start();
      exit(0);
      console.log("never either");`);
    assert.equal(r.result.status, "ok");
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["still waited for"]);
    assert.equal(r.text("stderr"), "");
  });

  it("raises Python's RuntimeErrors for misuse of threads", async () => {
    const r = await k.run(`
      import { Thread, currentThread } from "threading";
      const tryIt = (f: () => void) => { try { f(); console.log("no error"); } catch (e) { console.log((e as Error).name + ": " + (e as Error).message); } };
      const t = new Thread({ target: () => {} });
      tryIt(() => t.join());
      t.start();
      tryIt(() => t.start());
      tryIt(() => { t.daemon = true; });
      tryIt(() => currentThread().join());
      t.join();
      console.log(t.ident !== null, t.isAlive(), new Thread().ident);`);
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), [
      "RuntimeError: cannot join thread before it is started",
      "RuntimeError: threads can only be started once",
      "RuntimeError: cannot set daemon status of active thread",
      "RuntimeError: cannot join current thread",
      "true false null",
    ]);
  });

  it("returns from join(timeout) after the timeout with the thread still alive", async () => {
    const r = await k.run(`
      import { Thread } from "threading";
      import { sleep } from "time";
      const t = new Thread({ target: () => sleep(1), name: "slow" });
      t.start();
      t.join(0.05);
      console.log(t.isAlive());
      t.join();
      console.log(t.isAlive());`);
    assert.deepEqual(r.lines().map(([, l]) => l), ["true", "false"]);
  });

  it("lists live threads with enumerate() and activeCount()", async () => {
    const r = await k.run(`
      import { Thread, enumerate, activeCount } from "threading";
      import { sleep } from "time";
      const t = new Thread({ target: () => sleep(0.3), name: "sleeper" }); t.start();
      console.log(enumerate().map((x) => x.name).sort().join(","), activeCount());
      t.join();
      console.log(activeCount());`);
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["MainThread,sleeper 2", "1"]);
  });
});

describe("kernel: hostile cells", function () {
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  for (const [what, source] of [
    ["an endless loop in the main thread", "while (true) {}"],
    ["an endless loop in a thread that main joins", `import { Thread } from "threading"; const t = new Thread({ target: () => { while (true) {} } }); t.start(); t.join();`],
  ]) {
    it(`interrupts ${what}, and the next cell runs`, async () => {
      const running = k.run(source);
      const id = k.lastExecId;
      setImmediate(() => k.kernel.interrupt(id));
      assert.equal((await running).result.status, "interrupted");
      const next = await k.run(`console.log("next")`);
      assert.deepEqual(next.lines(), [["MainThread", "next"]]);
    });
  }

  it("reports a timeout as its own status", async () => {
    const running = k.run("while (true) {}");
    const id = k.lastExecId;
    setImmediate(() => k.kernel.interrupt(id, "timeout"));
    const r = await running;
    assert.equal(r.result.status, "timeout");
  });

  it("survives process.exit() in the main thread and in a thread", async () => {
    const a = await k.run(`console.log("bye"); process.exit(3);`);
    assert.equal(a.result.status, "error");
    assert.equal(a.result.error?.name, "SystemExit");
    const b = await k.run(`
      import { Thread } from "threading";
      const t = new Thread({ target: () => process.exit(0) }); t.start(); t.join();
      console.log("main goes on", t.isAlive());`);
    assert.equal(b.result.status, "ok");
    assert.deepEqual(b.lines("stdout"), [["MainThread", "main goes on false"]]);
  });

  it("stops a memory bomb with a MemoryError, and the next cell runs", async function () {
    this.timeout(60_000);
    // a budget of its own: the default is half the machine, which some machines take a minute to fill
    const small = new TestKernel({ memoryBudgetMb: 1024 });
    try {
      const r = await small.run(`const hog: number[][] = []; while (true) hog.push(new Array(1e6).fill(1));`);
      assert.equal(r.result.status, "error");
      assert.equal(r.result.error?.name, "MemoryError");
      const next = await small.run(`console.log(1 + 1)`);
      assert.deepEqual(next.lines(), [["MainThread", "2"]]);
    } finally {
      await small.dispose();
    }
  });
});

describe("kernel: values of the notebook in threads", function () {
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("gives a thread an instance of a class made in the same cell, with its class, and in later cells too", async () => {
    const first = await k.run(`import { Thread } from "threading";
class Box { constructor(public n: number) {} twice() { return this.n * 2; } }
const b = new Box(21);
const shared = [1];
const pair = { a: shared, b: shared };
function look() { console.log(b instanceof Box, b.twice(), pair.a === pair.b); }
const t = new Thread({ target: look }); t.start(); t.join();`);
    assert.equal(first.result.status, "ok", first.result.error?.traceback);
    assert.deepEqual(first.lines(), [["Thread-1 (look)", "true 42 true"]]);
    const later = await k.run(`const t2 = new Thread({ target: look }); t2.start(); t2.join();
console.log(b instanceof Box, b.twice());`);
    assert.deepEqual(later.lines().map(([, l]) => l), ["true 42 true", "true 42"]);
  });

  it("gives a thread the current value of an earlier cell's binding, changed by a later cell (Python's globals)", async () => {
    await k.stdout(`import { Thread } from "threading";\nlet limit = 1;\nconst seen: number[] = [];\nconst byName = new Map([["a", seen]]);`);
    const out = await k.stdout(`limit = 5;
seen.push(1, 2);
function show() { console.log(limit, seen.length, byName.get("a") === seen); }
const t = new Thread({ target: show }); t.start(); t.join();
show();`);
    assert.deepEqual(out, ["5 2 true", "5 2 true"]);
  });

  it("gives a pool thread the values of when it started (a new pool thread: at its first submit)", async () => {
    await k.stdout(`import { ThreadPoolExecutor } from "concurrent.futures";\nlet limit = 1;`);
    const out = await k.stdout(`limit = 5;
using pool = new ThreadPoolExecutor(1);
console.log(pool.submit(() => limit).result());`);
    assert.deepEqual(out, ["5"]);
  });

  it("shows later cells, and their threads, on any worker, what a cell left in an earlier cell's bindings", async () => {
    await k.stdout(`import { Thread, Barrier } from "threading";\nimport { Process } from "multiprocessing";\nlet limit = 1;\nconst seen: string[] = [];`);
    // Each thread changes its own copies only, which must not leak into a later job of its worker. There are
    // more of them, all alive at once, than the pool keeps idle workers (kernel/pool): the main thread's worker,
    // given back last, is let go, and cell 3's main thread runs on a worker that one of them used.
    const n = 4 + Math.max(4, cpus().length * 2) + 2;
    const second = await k.stdout(`limit = 5; seen.push("cell 2");
const all = new Barrier(${n});
const ts = Array.from({ length: ${n} }, () => new Thread({ target: () => { limit = 99; seen.push("thread"); all.wait(); } }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
console.log(limit, seen.join());`);
    assert.deepEqual(second, ["5 cell 2"]);
    const third = await k.stdout(`function show(who: string) { console.log(who, limit, seen.join()); }
const t3 = new Thread({ target: show, args: ["thread"] }); t3.start(); t3.join();
show("main");`);
    assert.deepEqual(third, ["thread 5 cell 2", "main 5 cell 2"]);
    // a child process gets the notebook's values from the kernel: the ones cell 2 left
    const child = await k.stdout(`const p = new Process({ target: () => console.log("process", limit, seen.join()) }); p.start(); p.join();`);
    assert.deepEqual(child, ["process 5 cell 2"]);
  });
});
