// QueueHandler and QueueListener against CPython's Lib/test/test_logging.py
// QueueHandlerTest (test_queue_handler, test_formatting, test_queue_listener,
// test_queue_listener_with_StreamHandler, respect_handler_level), over
// "queue"'s Queue shared by real threads and "multiprocessing"'s across processes.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./loggingCells";

describe("conformance: QueueHandler and QueueListener (test_logging.QueueHandlerTest)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("test_queue_handler and test_formatting: a prepared LogRecord on the queue", async () => {
    const r = await cell(k, `
const q = new Queue();
const h = new QueueHandler(q);
const que = getLogger("que"); que.addHandler(h); que.propagate = false; que.setLevel(WARNING);
que.debug("dropped"); que.info("dropped");
que.warning("warning %d", 1);
const data = q.getNowait() as LogRecord;
report("record", [data instanceof LogRecord, data.name, data.msg, data.args, data.levelname, q.empty()]);
h.setFormatter(new Formatter("%(name)s -> %(levelname)s: %(message)s"));
que.error("error %s", "two");
const formatted = q.getNowait() as LogRecord;
report("formatted", [formatted.msg, formatted.message, formatted.args]);`);
    assert.deepEqual(r.get("record"), [true, "que", "warning 1", null, "WARNING", true]);
    assert.deepEqual(r.get("formatted"), ["que -> ERROR: error two", "que -> ERROR: error two", null]);
  });

  it("test_queue_listener: records from 4 threads reach the handlers in the listener's thread, which writes their lines", async () => {
    const r = await cell(k, `
const q = new Queue();
const log = getLogger("que.listener"); log.addHandler(new QueueHandler(q)); log.propagate = false; log.setLevel(INFO);
const out = new StreamHandler("stdout");
out.setFormatter(new Formatter("%(threadName)s said %(message)s"));
const listener = new QueueListener(q, out);
listener.start();
report("twice", outcome(() => listener.start()));
function work(n: number) { log.info("hello %d", n); }
const ts = [0, 1, 2, 3].map((n) => new Thread({ target: work, args: [n], name: "producer-" + n }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
listener.stop();`);
    const lines = r.ran.lines("stdout").filter(([, l]) => !l.startsWith("@@"));
    assert.deepEqual(r.get("twice"), { err: "RuntimeError", message: "Listener already started" });
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.map(([, l]) => l).sort(), [0, 1, 2, 3].map((n) => `producer-${n} said hello ${n}`));
    assert.ok(lines.every(([t]) => /^Thread-\d+ \(_monitor\)$/.test(t)), JSON.stringify(lines));
  });

  it("test_queue_listener_with_StreamHandler and respect_handler_level: one traceback; levels when asked", async () => {
    const r = await cell(k, `
const q = new Queue();
const log = getLogger("que.exc"); log.addHandler(new QueueHandler(q)); log.propagate = false; log.setLevel(DEBUG);
const all = new Queue(), errors = new Queue();
const strict = new Collect(errors, ERROR);
const listener = new QueueListener(q, new Collect(all), strict, { respectHandlerLevel: true });
listener.start();
function fails() { throw new RangeError("deep"); }
try { fails(); } catch (e) { log.exception("failed", e); }
log.info("just info");
listener.stop();
const got = drain(all);
report("all", got.length);
report("tracebacks", got[0].split("Traceback").length - 1);
report("first", got[0]);
report("errors", drain(errors).map((l) => l.split("\\n")[0]));`);
    assert.equal(r.get("all"), 2);
    assert.equal(r.get("tracebacks"), 1);
    assert.match(r.get("first"), /^failed\nTraceback \(most recent call last\):\n {2}File "cell \d+", line \d+, in <module>\n[\s\S]*in fails\n[\s\S]*RangeError: deep$/);
    assert.deepEqual(r.get("errors"), ["failed"]);
  });

  it("over a multiprocessing Queue: records from a child process reach a listener in the notebook", async () => {
    const r = await cell(k, `
import { Process, Queue as MPQueue } from "multiprocessing";
function child(q: MPQueue) {
  const log = getLogger("que.mp");
  log.addHandler(new QueueHandler(q)); log.setLevel(INFO); log.propagate = false;
  log.info("from %s", "the child");
}
const q = new MPQueue();
const lines = new Queue();
const listener = new QueueListener(q, new Collect(lines));
listener.start();
const p = new Process({ target: child, args: [q] }); p.start(); p.join();
listener.stop();
report("lines", drain(lines));
report("exitcode", p.exitcode);`);
    assert.equal(r.get("exitcode"), 0);
    assert.deepEqual(r.get("lines"), ["from the child"]);
  });
});
