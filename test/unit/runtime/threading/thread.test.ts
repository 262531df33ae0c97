// Thread, Timer and the module functions against what CPython's
// Lib/test/test_threading.py checks (ThreadTests, ThreadingExceptionTests,
// ThreadJoinOnShutdown, TimerTests, MiscTestCase), on real threads.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { assertWaited, cell, short } from "../threadingCells";

describe("conformance: threading.Thread (test_threading.ThreadTests)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("names threads as Python does: given names as strings, else Thread-N (target), N counting unnamed threads only", async () => {
    const r = await cell(k, `
      function func() {}
      report("names", [
        new Thread({ name: "myname1" }).name,
        new Thread({ name: 123 as unknown as string }).name,
        new Thread({ target: func, name: "myname2" }).name,
        new Thread().name,
        new Thread({ target: func }).name,
        new Thread({ name: "" }).name,
        new Thread({ target: () => 1 }).name,
        new Timer(1, func).name,
      ]);
      const t = new Thread({ name: "before" });
      t.name = "after";
      report("renamed", t.name);`);
    assert.deepEqual(r.get("names"), ["myname1", "123", "myname2", "Thread-1", "Thread-2 (func)", "Thread-3", "Thread-4 (<lambda>)", "Thread-5"]);
    assert.equal(r.get("renamed"), "after");
  });

  it("passes args (an array, nested arrays kept) and kwargs (as a last argument) to the target (bpo-45735)", async () => {
    const r = await cell(k, `
      function target(...got: unknown[]) { report("got", got); }
      for (const args of [[1], ["str"], [[1]], [[1], { a: 2 }]]) {
        const t = new Thread({ target, args }); t.start(); t.join();
      }
      const t = new Thread({ target, args: [1], kwargs: { key: "v" } }); t.start(); t.join();`);
    assert.deepEqual(r.all("got"), [[1], ["str"], [[1]], [[1], { a: 2 }], [1, { key: "v" }]]);
  });

  it("runs many subclassed threads with shared locks: ident, repr and isAlive before and after (test_various_ops)", async () => {
    const r = await cell(k, `
      const NUMTASKS = 10;
      class TestThread extends Thread {
        constructor(name: string, readonly sema: BoundedSemaphore, readonly mutex: RLock, readonly running: Value, readonly most: Value) {
          super({ name });
        }
        override run() {
          using _s = this.sema.hold();
          { using _m = this.mutex.hold(); const n = inc(this.running); if (n > this.most.value) this.most.value = n; }
          sleep(Math.random() / 10000);
          { using _m = this.mutex.hold(); inc(this.running, -1); check(this.running.value >= 0, "running < 0"); }
        }
      }
      const sema = new BoundedSemaphore(3);
      const mutex = new RLock();
      const running = new Value("i", 0);
      const most = new Value("i", 0);
      const threads: TestThread[] = [];
      for (let i = 0; i < NUMTASKS; i++) {
        const t = new TestThread("<thread " + i + ">", sema, mutex, running, most);
        threads.push(t);
        check(t.ident === null, "ident before start is " + t.ident);
        check(/^<TestThread\\(.*, initial\\)>$/.test(String(t)), "repr before start: " + String(t));
        t.start();
      }
      for (const t of threads) {
        t.join();
        check(!t.isAlive(), "alive after join");
        check(t.ident !== null && t.ident !== 0, "ident after join is " + t.ident);
        check(/^<TestThread\\(.*, stopped -?\\d+\\)>$/.test(String(t)), "repr after join: " + String(t));
      }
      report("end", [running.value, most.value]);`);
    const [running, most] = r.get("end");
    assert.equal(running, 0);
    assert.ok(most >= 1 && most <= 3, `${most} threads ran at once under a BoundedSemaphore(3)`);
  });

  it("gives threads alive at once distinct native ids, none null, and distinct idents", async () => {
    const r = await cell(k, `
      const go = new Event();
      const started = new Value("i", 0);
      function hold() { inc(started); go.wait(); }
      const ts = Array.from({ length: 5 }, () => new Thread({ target: hold }));
      ts.forEach((t) => t.start());
      waitUntil(() => started.value === 5, "every thread runs");
      report("native", [...ts.map((t) => t.nativeId), getNativeId()]);
      report("idents", [...ts.map((t) => t.ident), getIdent()]);
      go.set();
      ts.forEach((t) => t.join());`);
    const native = r.get("native");
    assert.ok(!native.includes(null));
    assert.equal(new Set(native).size, 6, `native ids: ${native}`);
    assert.equal(new Set(r.get("idents")).size, 6);
  });

  it("has a main thread named MainThread whose ident is the main thread's, and not a thread's (test_main_thread)", async () => {
    const r = await cell(k, `
      const main = mainThread();
      report("main", [main.name, main.ident === currentThread().ident, main.ident === getIdent(), main === currentThread(), mainThread() === main]);
      report("repr", String(main));
      function f() {
        report("inThread", [mainThread().ident !== currentThread().ident, mainThread().name, mainThread() === mainThread(), mainThread().isAlive()]);
      }
      const th = new Thread({ target: f }); th.start(); th.join();`);
    assert.deepEqual(r.get("main"), ["MainThread", true, true, true, true]);
    assert.match(r.get("repr"), /^<_MainThread\(MainThread, started \d+\)>$/);
    assert.deepEqual(r.get("inThread"), [true, "MainThread", true, true]);
  });

  it("lists live threads in enumerate() as the same objects, and drops a thread once joined (test_enumerate_after_join)", async () => {
    const r = await cell(k, `
      const go = new Event();
      const started = new Value("i", 0);
      function hold() { inc(started); go.wait(); }
      const t = new Thread({ target: hold, name: "held" }); t.start();
      waitUntil(() => started.value === 1, "the thread runs");
      const during = enumerate();
      report("during", [during.map((x) => x.name).sort(), during.includes(t), during.includes(currentThread()), activeCount()]);
      go.set(); t.join();
      for (let i = 0; i < 20; i++) {
        const u = new Thread({ target: () => null }); u.start(); u.join();
        check(!enumerate().includes(u) && !enumerate().some((x) => x.ident === u.ident), "a joined thread is still in enumerate()");
      }
      report("after", [enumerate().map((x) => x.name), activeCount()]);`);
    assert.deepEqual(r.get("during"), [["MainThread", "held"], true, true, 2]);
    assert.deepEqual(r.get("after"), [["MainThread"], 1]);
  });

  it("says daemon in the repr of a daemon thread only; daemon defaults to the creating thread's (test_repr_daemon, test_daemon_param)", async () => {
    const r = await cell(k, `
      const t = new Thread();
      const before = String(t);
      t.daemon = true;
      report("repr", [before, String(t)]);
      report("param", [new Thread().daemon, new Thread({ daemon: false }).daemon, new Thread({ daemon: true }).daemon, currentThread().daemon]);
      function child() { report("child", new Thread().daemon); }
      const d = new Thread({ target: child, daemon: true }); d.start(); d.join();
      const n = new Thread({ target: child }); n.start(); n.join();`);
    const [before, after] = r.get("repr");
    assert.ok(!before.includes("daemon"), before);
    assert.ok(after.includes("daemon"), after);
    assert.deepEqual(r.get("param"), [false, false, true, false]);
    assert.deepEqual(r.all("child"), [true, false]);
  });

  it("says started in the repr of a running thread, and stopped on its own once it ends, without join (test_repr_stopped)", async () => {
    const r = await cell(k, `
      const started = new Event();
      const finish = new Event();
      function f() { started.set(); finish.wait(); }
      const t = new Thread({ target: f }); t.start();
      started.wait();
      report("running", String(t));
      finish.set();
      waitUntil(() => String(t).includes("stopped"), "the repr says stopped", 5);
      report("stopped", String(t));
      t.join();`);
    assert.match(r.get("running"), /^<Thread\(Thread-1 \(f\), started \d+\)>$/);
    assert.match(r.get("stopped"), /^<Thread\(Thread-1 \(f\), stopped \d+\)>$/);
  });

  it("raises RuntimeError for start() twice, joining itself, joining an unstarted thread, daemon after start (ThreadingExceptionTests)", async () => {
    const r = await cell(k, `
      const t = new Thread();
      report("joinUnstarted", outcome(() => t.join()));
      t.start();
      report("startTwice", outcome(() => t.start()));
      report("daemonAfterStart", outcome(() => { t.daemon = true; }));
      report("joinCurrent", outcome(() => currentThread().join()));
      t.join();
      report("startFinished", outcome(() => t.start()));
      function joinSelf() { report("joinSelfInThread", outcome(() => currentThread().join())); }
      const u = new Thread({ target: joinSelf }); u.start(); u.join();`);
    for (const key of ["joinUnstarted", "startTwice", "daemonAfterStart", "joinCurrent", "startFinished", "joinSelfInThread"]) {
      assert.equal(r.get(key).err, "RuntimeError", key);
    }
    assert.equal(r.get("joinUnstarted").message, "cannot join thread before it is started");
    assert.equal(r.get("startTwice").message, "threads can only be started once");
    assert.equal(r.get("daemonAfterStart").message, "cannot set daemon status of active thread");
    assert.equal(r.get("joinCurrent").message, "cannot join current thread");
  });

  it("join(timeout) returns after at least the timeout with the thread alive; join() then waits for it", async () => {
    const r = await cell(k, `
      const finish = new Event();
      function f() { finish.wait(); }
      const t = new Thread({ target: f }); t.start();
      const t0 = monotonic();
      const returned = t.join(0.2);
      report("timedOut", [returned, monotonic() - t0, t.isAlive()]);
      finish.set();
      t.join();
      report("joined", t.isAlive());
      const t1 = monotonic();
      t.join(5);
      report("joinFinished", monotonic() - t1);`);
    const [returned, dt, alive] = r.get("timedOut");
    assert.equal(returned, null);
    assertWaited(dt, 0.2, "join(0.2)");
    assert.equal(alive, true);
    assert.equal(r.get("joined"), false);
    assert.ok(r.get("joinFinished") < 1, "join(5) of a finished thread waited");
  });

  it("lets a thread join the main thread: it ends after the main code, and the cell waits for it (ThreadJoinOnShutdown 1)", async () => {
    const r = await cell(k, `
      function joiningfunc(mainthread: Thread) { mainthread.join(); report("order", "end of thread"); }
      const t = new Thread({ target: joiningfunc, args: [currentThread()] });
      t.start();
      report("order", "end of main");`);
    assert.deepEqual(r.all("order"), ["end of main", "end of thread"]);
  });

  it("still waits for non-daemon threads when the main thread exits with sys.exit (test_join_nondaemon_on_shutdown)", async () => {
    const r = await cell(k, `
      const go = new Event();
      function child() { go.wait(); report("woke", typeof sleep); }
      new Thread({ target: child }).start();
      go.set();
      exit();`);
    assert.equal(r.get("woke"), "function");
  });

  it("waits for a thread nobody joins (test_leak_without_join)", async () => {
    const r = await cell(k, `
      function noop() { report("ran", currentThread().name); }
      new Thread({ target: noop }).start();`);
    assert.equal(r.get("ran"), "Thread-1 (noop)");
  });

  it("ends the cell while many daemon threads still run, and the next cell runs (ThreadJoinOnShutdown 4)", async () => {
    const r = await cell(k, `
      const ran = new Value("i", 0);
      function busy() { inc(ran); while (true) sleep(0.001); }
      for (let i = 0; i < 10; i++) new Thread({ target: busy, daemon: true }).start();
      waitUntil(() => ran.value === 10, "every daemon thread ran");
      exit(0);`, { stderr: true });
    // by design each daemon thread stopped at the end leaves a one-line note, and nothing else
    for (const [, line] of r.ran.lines("stderr")) assert.match(line, /^daemon thread stopped/);
    const next = await cell(k, `report("next", activeCount());`);
    assert.equal(next.get("next"), 1);
  });

  it("turns runaway recursion in a thread into a catchable error, and the main thread carries on (test_recursion_limit)", async () => {
    const r = await cell(k, `
      function recurse(): number { return recurse() + 1; }
      function outer() { try { recurse(); } catch (e) { report("caught", (e as Error).name); } }
      const w = new Thread({ target: outer }); w.start(); w.join();
      report("main", "end of main thread");`);
    assert.equal(r.get("caught"), "RangeError");
    assert.equal(r.get("main"), "end of main thread");
  });

  it("shares a BoundedSemaphore across threads: released past its limit it raises ValueError (test_BoundedSemaphore_limit)", async () => {
    const r = await cell(k, `
      function acquire(bs: BoundedSemaphore) { bs.acquire(); }
      function release(bs: BoundedSemaphore) { bs.release(); }
      function each(target: (bs: BoundedSemaphore) => void, bs: BoundedSemaphore, n: number) {
        const ts = Array.from({ length: n }, () => new Thread({ target, args: [bs] }));
        ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
      }
      for (let limit = 1; limit < 5; limit++) {
        const bs = new BoundedSemaphore(limit);
        each(acquire, bs, limit);
        each(release, bs, limit);
        report("extra", outcome(() => bs.release()));
      }`);
    assert.deepEqual(r.all("extra").map(short), Array(4).fill("ValueError"));
  });
});

describe("conformance: threading.Timer (test_threading.TimerTests)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("calls its function with args and kwargs after at least its interval, in its own thread", async () => {
    const r = await cell(k, `
      const fired = new Event();
      function spy(...args: unknown[]) { report("call", [args, currentThread().name]); fired.set(); }
      const t = new Timer(0.2, spy, [1, "two"], { three: 3 });
      report("before", [t instanceof Thread, String(t), t.interval, t.function === spy]);
      const t0 = monotonic();
      t.start();
      fired.wait();
      report("after", monotonic() - t0);
      t.join();
      report("finished", t.finished.isSet());`);
    assert.deepEqual(r.get("call"), [[1, "two", { three: 3 }], "Thread-1"]);
    const [isThread, repr, interval, fn] = r.get("before");
    assert.deepEqual([isThread, interval, fn], [true, 0.2, true]);
    assert.match(repr, /^<Timer\(Thread-1, initial\)>$/);
    assertWaited(r.get("after"), 0.2, "Timer(0.2)");
    assert.equal(r.get("finished"), true);
  });

  it("never calls its function when cancelled before it fires, from this thread or another; cancel after is harmless", async () => {
    const r = await cell(k, `
      const ran = new Value("i", 0);
      function f() { inc(ran); }
      const a = new Timer(30, f); a.start(); a.cancel();
      const t0 = monotonic(); a.join(); report("joinedAfter", monotonic() - t0);
      const b = new Timer(0.01, f); b.cancel(); b.start(); b.join();
      const c = new Timer(30, f); c.start();
      function cancelIt(t: Timer) { t.cancel(); }
      const canceller = new Thread({ target: cancelIt, args: [c] }); canceller.start(); canceller.join();
      c.join();
      const d = new Timer(0, f); d.start(); d.join(); d.cancel();
      report("ran", ran.value);`);
    assert.ok(r.get("joinedAfter") < 5, "a cancelled timer still waited out its interval");
    assert.equal(r.get("ran"), 1, "a cancelled timer called its function (only the last timer should have)");
  });

  it("gives every timer its own args and kwargs: changing one timer's does not change the next's (issue 17435)", async () => {
    const r = await cell(k, `
      const fired = new Event();
      function spy(...args: unknown[]) { report("call", args); fired.set(); }
      const timer1 = new Timer(0.01, spy);
      timer1.start(); fired.wait();
      timer1.args.push("blah");
      timer1.kwargs.foo = "bar";
      fired.clear();
      const timer2 = new Timer(0.01, spy);
      timer2.start(); fired.wait();
      timer1.join(); timer2.join();
      report("defaults", [timer2.args, timer2.kwargs]);`);
    assert.deepEqual(r.all("call"), [[], []]);
    assert.deepEqual(r.get("defaults"), [[], {}]);
  });
});

describe("conformance: what the threading modules export (test_threading.MiscTestCase)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("exports the documented names, each of the right kind, and nothing private", async () => {
    const r = await cell(k, `
      import * as threading from "threading";
      import * as atexit from "atexit";
      import * as sysmod from "sys";
      import * as time from "time";
      const kinds = (m: object) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]));
      report("threading", kinds(threading));
      report("others", [Object.keys(atexit).sort(), Object.keys(sysmod).sort(), Object.keys(time).sort()]);`);
    const threading = r.get("threading");
    for (const name of ["Thread", "Timer", "currentThread", "mainThread", "enumerate", "activeCount", "getIdent", "getNativeId",
      "excepthook", "setExcepthook", "Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event", "Barrier",
      "BrokenBarrierError", "local"]) {
      assert.equal(threading[name], "function", name);
    }
    assert.equal(threading.TIMEOUT_MAX, "number");
    assert.deepEqual(Object.keys(threading).filter((n) => n.startsWith("_")), []);
    const [atexit, sys, time] = r.get("others");
    assert.deepEqual(atexit, ["register", "unregister"]);
    assert.deepEqual(sys, ["SystemExit", "exit"]);
    assert.deepEqual(time, ["monotonic", "perfCounter", "sleep", "time"]);
  });
});
