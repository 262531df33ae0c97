// threading.excepthook against what CPython's Lib/test/test_threading.py
// checks in ExceptHookTests (and ThreadingExceptionTests.test_print_exception),
// on real threads: the default output, a custom hook, a failing hook, and
// sys.exit in a thread.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, lineOf } from "../threadingCells";

/** A Thread whose run() fails (ThreadRunFail), and a runner that starts and joins one. */
const RUN_FAIL = `
class ThreadRunFail extends Thread {
  override run() {
    throw new RangeError("run failed");
  }
}
function runFailing(name?: string) { const t = new ThreadRunFail({ name }); t.start(); t.join(); return t; }
`;

/** Tracebacks name the cell by its run's label ("cell 3"): any label will do here. */
const anyCell = (text: string) => text.replace(/"cell \d+"/g, '"cell N"');

describe("conformance: threading.excepthook (test_threading.ExceptHookTests)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("by default writes `Exception in thread NAME:` and a traceback to that thread's stderr, at the cell's line", async () => {
    const r = await cell(k, RUN_FAIL + `
      runFailing("excepthook thread");
      report("main", "carries on");`, { stderr: true });
    const line = lineOf(r.source, `throw new RangeError("run failed");`);
    assert.deepEqual(
      r.ran.lines("stderr").map(([thread, l]) => [thread, anyCell(l)]),
      [
        "Exception in thread excepthook thread:",
        "Traceback (most recent call last):",
        `  File "cell N", line ${line}, in run`,
        `    throw new RangeError("run failed");`,
        "RangeError: run failed",
      ].map((l) => ["excepthook thread", l]),
    );
    assert.equal(r.get("main"), "carries on");
  });

  it("shows every frame of the user's code, oldest first, under the default name Thread-N (target)", async () => {
    const r = await cell(k, `
      function helper(n: number) {
        return 1 / n > 0 ? notDefined(n) : 0;
      }
      function bad(n: number) {
        return helper(n) + 1;
      }
      const t = new Thread({ target: bad, args: [7] }); t.start(); t.join();`, { stderr: true });
    const err = r.ran.text("stderr");
    assert.ok(r.ran.lines("stderr").every(([thread]) => thread === "Thread-1 (bad)"));
    assert.match(err, /^Exception in thread Thread-1 \(bad\):\nTraceback \(most recent call last\):\n/);
    const outer = lineOf(r.source, "return helper(n) + 1;");
    const inner = lineOf(r.source, "notDefined(n)");
    assert.ok(
      anyCell(err).includes(`  File "cell N", line ${outer}, in bad\n    return helper(n) + 1;\n  File "cell N", line ${inner}, in helper\n`),
      err,
    );
    assert.match(err, /ReferenceError: notDefined is not defined\n?$/);
    assert.doesNotMatch(err, /Unhandled|node:internal|kernel\/runtime/);
  });

  it("calls a custom hook (setExcepthook) in the failing thread with excType, excValue, excTraceback and thread", async () => {
    const r = await cell(k, RUN_FAIL + `
      function hook(args: { excType: string; excValue: unknown; excTraceback: string; thread: Thread | null }) {
        const v = args.excValue as Error;
        report("args", {
          excType: args.excType,
          isError: v instanceof RangeError,
          message: v.message,
          traceback: args.excTraceback,
          threadIsCurrent: args.thread === currentThread(),
          threadName: args.thread?.name,
        });
      }
      setExcepthook(hook);
      runFailing("custom");`);
    const a = r.get("args");
    assert.equal(a.excType, "RangeError");
    assert.equal(a.isError, true);
    assert.equal(a.message, "run failed");
    assert.match(a.traceback, /^Traceback \(most recent call last\):\n {2}File "cell \d+", line \d+, in run\n/);
    assert.match(a.traceback, /RangeError: run failed\n$/);
    assert.equal(a.threadIsCurrent, true);
    assert.equal(a.threadName, "custom");
  });

  it("gives a failing thread what its hook names, though its target does not", async () => {
    // only the bindings a thread's code names are copied into it: the hook runs in the failing thread, so its names count
    const r = await cell(k, RUN_FAIL + `
      const failures = new Value("i", 0);
      function countFailure() { failures.value += 1; }
      setExcepthook(countFailure);
      runFailing("one");
      runFailing("two");
      report("failures", failures.value);`);
    assert.equal(r.get("failures"), 2);
  });

  it("hands the hook on to threads that threads start", async () => {
    const r = await cell(k, RUN_FAIL + `
      function hook(args: { thread: Thread | null }) { report("hooked", args.thread?.name); }
      setExcepthook(hook);
      function starter() { runFailing("grandchild"); }
      const t = new Thread({ target: starter }); t.start(); t.join();`);
    assert.equal(r.get("hooked"), "grandchild");
  });

  it("looks the hook up when the exception happens, not when the thread started (test_custom_excepthook's swap_attr)", async () => {
    const r = await cell(k, `
      function hook(args: { excType: string; thread: Thread | null }) { report("hooked", [args.excType, args.thread?.name]); }
      const go = new Event();
      function late() { go.wait(); throw new RangeError("after the hook was set"); }
      const t = new Thread({ target: late, name: "late" });
      t.start();
      setExcepthook(hook);
      go.set();
      t.join();`);
    assert.deepEqual(r.get("hooked"), ["RangeError", "late"]);
  });

  it("uses a hook set by another thread: the hook is one for the program, as Python's is for the process", async () => {
    const r = await cell(k, `
      function hook(args: { thread: Thread | null }) { report("hooked", args.thread?.name); }
      function setter() { setExcepthook(hook); }
      const s = new Thread({ target: setter }); s.start(); s.join();
      function fail() { throw new RangeError("fails"); }
      const t = new Thread({ target: fail, name: "sibling" }); t.start(); t.join();`);
    assert.equal(r.get("hooked"), "sibling");
  });

  it("reports a hook that throws as `Exception in threading.excepthook:`, then falls back to the default", async () => {
    const r = await cell(k, RUN_FAIL + `
      function threadingHook(args: unknown) {
        throw new TypeError("threading_hook failed");
      }
      setExcepthook(threadingHook);
      runFailing("h");
      report("main", "carries on");`, { stderr: true });
    const err = r.ran.text("stderr");
    const hookLine = lineOf(r.source, `throw new TypeError("threading_hook failed");`);
    const runLine = lineOf(r.source, `throw new RangeError("run failed");`);
    assert.equal(
      anyCell(err),
      [
        "Exception in threading.excepthook:",
        "Traceback (most recent call last):",
        `  File "cell N", line ${hookLine}, in threadingHook`,
        `    throw new TypeError("threading_hook failed");`,
        "TypeError: threading_hook failed",
        "Exception in thread h:",
        "Traceback (most recent call last):",
        `  File "cell N", line ${runLine}, in run`,
        `    throw new RangeError("run failed");`,
        "RangeError: run failed",
      ].join("\n"),
    );
    assert.ok(r.ran.lines("stderr").every(([thread]) => thread === "h"));
    assert.equal(r.get("main"), "carries on");
  });

  it("prints the default output again once the hook is reset (test_original_excepthook)", async () => {
    const r = await cell(k, RUN_FAIL + `
      function threadingHook(args: unknown) { console.error("Running a thread failed"); }
      runFailing("excepthook thread");
      setExcepthook(threadingHook);
      runFailing("excepthook thread");
      setExcepthook(null);
      runFailing("excepthook thread");
      setExcepthook(threadingHook);
      setExcepthook(excepthook);
      runFailing("excepthook thread");`, { stderr: true });
    const blocks = r.ran.text("stderr").split(/(?=Exception in thread|Running a thread failed)/);
    assert.equal(blocks.length, 4, r.ran.text("stderr"));
    const [defaultOutput, custom, recovered, recoveredAgain] = blocks;
    assert.match(defaultOutput, /^Exception in thread excepthook thread:\n/);
    assert.equal(custom.trim(), "Running a thread failed");
    assert.equal(recovered, defaultOutput);
    assert.equal(recoveredAgain.trim(), defaultOutput.trim());
  });

  it("writes nothing for sys.exit() in a thread, whatever its code, and the thread ends there (test_system_exit)", async () => {
    const r = await cell(k, `
      class ThreadExit extends Thread {
        constructor(readonly code: number | string | undefined) { super(); }
        override run() { exit(this.code); report("after exit", this.code); }
      }
      for (const code of [undefined, 0, 1, "bye"]) { const t = new ThreadExit(code); t.start(); t.join(); report("alive", t.isAlive()); }
      report("main", "carries on");`);
    assert.deepEqual(r.all("after exit"), []);
    assert.deepEqual(r.all("alive"), [false, false, false, false]);
    assert.equal(r.get("main"), "carries on");
  });

  it("passes sys.exit() in a thread to a custom hook, as Python does (only the default hook ignores it)", async () => {
    const r = await cell(k, `
      function hook(args: { excType: string; excValue: unknown; thread: Thread | null }) {
        report("hooked", [args.excType, (args.excValue as { code?: unknown }).code, args.thread?.name]);
      }
      setExcepthook(hook);
      function leave() { exit(3); }
      const t = new Thread({ target: leave, name: "leaver" }); t.start(); t.join();
      report("notAFunction", outcome(() => setExcepthook(5 as any)).err);`);
    assert.deepEqual(r.get("hooked"), ["SystemExit", 3, "leaver"]);
    assert.equal(r.get("notAFunction"), "TypeError");
  });

  it("names the thread by its ident when the hook is called with no thread (test_excepthook_thread_None)", async () => {
    const r = await cell(k, `
      try { throw new RangeError("bug"); }
      catch (e) { excepthook({ excType: "RangeError", excValue: e, excTraceback: "RangeError: bug\\n", thread: null }); }
      report("ident", getIdent());`, { stderr: true });
    assert.equal(r.ran.text("stderr"), `Exception in thread ${r.get("ident")}:\nRangeError: bug`);
  });

  it("reports a thread that throws a value that is not an Error, and the cell still ends ok", async () => {
    const r = await cell(k, `
      function f() { throw 42; }
      const t = new Thread({ target: f, name: "odd" }); t.start(); t.join();
      report("main", "carries on");`, { stderr: true });
    assert.match(r.ran.text("stderr"), /^Exception in thread odd:\n[\s\S]*42/);
    assert.equal(r.get("main"), "carries on");
  });
});
