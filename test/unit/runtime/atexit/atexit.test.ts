// "atexit" as API.md and Python have it: handlers run when the cell's
// program ends, after its non-daemon threads, last registered first, with
// their arguments; a failing handler is reported and the others still run.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, short } from "../threadingCells";

describe("conformance: atexit", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("runs handlers after the main code and after non-daemon threads, last registered first, with their args", async () => {
    const r = await cell(k, `
      function handler(tag: string, n: number) { report("order", ["handler", tag, n, currentThread().name]); }
      report("returns", register(handler, "first", 1) === handler);
      register(handler, "second", 2);
      register(handler, "third", 3);
      const go = new Event();
      function late() { go.wait(); report("order", ["thread done"]); }
      new Thread({ target: late }).start();
      report("order", ["main code done"]);
      go.set();`);
    assert.equal(r.get("returns"), true);
    assert.deepEqual(r.all("order"), [
      ["main code done"],
      ["thread done"],
      ["handler", "third", 3, "MainThread"],
      ["handler", "second", 2, "MainThread"],
      ["handler", "first", 1, "MainThread"],
    ]);
  });

  it("runs a handler registered by a thread in the main thread, in order of registration with the others", async () => {
    const r = await cell(k, `
      function handler(tag: string) { report("order", [tag, currentThread().name]); }
      register(handler, "main before");
      function registerHere() { register(handler, "from thread"); }
      const t = new Thread({ target: registerHere }); t.start(); t.join();
      register(handler, "main after");`);
    assert.deepEqual(r.all("order"), [["main after", "MainThread"], ["from thread", "MainThread"], ["main before", "MainThread"]]);
  });

  it("never loses a handler that threads register just before the program ends", async () => {
    // the threads' registrations reach the kernel on their own channels: a race, so it is run several times
    for (let run = 0; run < 10; run++) {
      const r = await cell(k, `
        function handler(tag: number) { report("ran", tag); }
        function registerHere(i: number) { register(handler, i); }
        const ts = Array.from({ length: 8 }, (_, i) => new Thread({ target: registerHere, args: [i] }));
        ts.forEach((t) => t.start()); ts.forEach((t) => t.join());`);
      assert.deepEqual([...r.all("ran")].sort(), [0, 1, 2, 3, 4, 5, 6, 7], `run ${run}`);
    }
  });

  it("reports a handler that throws and still runs the others; the cell ends ok", async () => {
    const r = await cell(k, `
      function ok(tag: string) { report("ran", tag); }
      function boom() { throw new RangeError("handler failed"); }
      register(ok, "first");
      register(boom);
      register(ok, "last");`, { stderr: true });
    assert.deepEqual(r.all("ran"), ["last", "first"]);
    assert.match(r.ran.text("stderr"), /^Exception ignored in atexit callback boom:\nTraceback \(most recent call last\):\n {2}File "cell \d+", line \d+, in boom\n {4}function boom\(\) \{ throw new RangeError\("handler failed"\); \}\nRangeError: handler failed$/);
  });

  it("unregister() removes every registration of a function", async () => {
    const r = await cell(k, `
      import { unregister } from "atexit";
      function gone() { report("ran", "gone"); }
      function kept() { report("ran", "kept"); }
      register(gone); register(kept); register(gone);
      unregister(gone);`);
    assert.deepEqual(r.all("ran"), ["kept"]);
  });

  it("runs handlers when the main code ends by sys.exit() or by an exception", async () => {
    const a = await cell(k, `
      function h() { report("ran", "after exit"); }
      register(h);
      exit(0);`);
    assert.deepEqual(a.all("ran"), ["after exit"]);
    const b = await cell(k, `
      function h() { report("ran", "after error"); }
      register(h);
      throw new RangeError("main failed");`, { status: "error" });
    assert.deepEqual(b.all("ran"), ["after error"]);
    assert.equal(b.ran.result.error?.name, "RangeError");
  });

  it("runs handlers while daemon threads are still alive (they are stopped after)", async () => {
    const r = await cell(k, `
      const running = new Event();
      function forever() { running.set(); while (true) sleep(0.01); }
      const d = new Thread({ target: forever, daemon: true, name: "daemon" });
      d.start();
      running.wait();
      function h() { report("daemonAlive", d.isAlive()); }
      register(h);`, { stderr: true });
    assert.equal(r.get("daemonAlive"), true);
    assert.deepEqual(r.ran.lines("stderr").map(([t]) => t), ["daemon"]);
  });

  it("runs a cell's handlers at the end of that cell only, not again in later cells", async () => {
    const a = await cell(k, `
      function once() { report("ran", "once"); }
      register(once);`);
    assert.deepEqual(a.all("ran"), ["once"]);
    const b = await cell(k, `report("next", true);`);
    assert.deepEqual(b.all("ran"), []);
  });

  it("rejects a handler that is not a function with TypeError", async () => {
    const r = await cell(k, `report("outcome", outcome(() => register(42 as any)));`);
    assert.equal(short(r.get("outcome")), "TypeError");
  });
});
