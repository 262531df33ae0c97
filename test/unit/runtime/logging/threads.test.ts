// logging on real threads: one configuration for every thread (made in main,
// or in another thread, before or after a thread started), each record's
// line written by the thread that logged it, a notebook Handler subclass
// running in every thread, and exception() in a pool. CPython's
// test_logging has no thread test of this shape (its threads share a heap);
// these hold what its handlers' locks and shared manager promise.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { lineOf } from "../threadingCells";
import { cell } from "./loggingCells";

describe("conformance: logging across threads", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("a logger configured in main logs from 4 threads: %(threadName)s names each, each line is that thread's stderr", async () => {
    const r = await cell(k, `
basicConfig({ level: INFO, format: "%(threadName)s|%(name)s|%(levelname)s|%(message)s" });
const log = getLogger("threads.four");
function work(n: number) { for (let i = 0; i < 3; i++) log.info("item %d of worker %d", i, n); }
const ts = [0, 1, 2, 3].map((n) => new Thread({ target: work, args: [n], name: "worker-" + n }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
log.warning("done");`, { stderr: true });
    const lines = r.ran.lines("stderr");
    assert.equal(lines.length, 13, JSON.stringify(lines));
    for (const [thread, text] of lines) assert.equal(text.split("|")[0], thread, `${text} was written by ${thread}`);
    for (let n = 0; n < 4; n++) {
      const mine = lines.filter(([t]) => t === `worker-${n}`).map(([, l]) => l);
      assert.deepEqual(mine, [0, 1, 2].map((i) => `worker-${n}|threads.four|INFO|item ${i} of worker ${n}`));
    }
    assert.deepEqual(lines.at(-1), ["MainThread", "MainThread|threads.four|WARNING|done"]);
  });

  it("obeys, in a thread started before, a level, handler and formatter set in main afterwards", async () => {
    const r = await cell(k, `
const log = getLogger("threads.late");
const started = new Event(), configured = new Event();
function work() {
  log.debug("before: dropped");
  started.set();
  configured.wait();
  log.debug("after: %s", "kept");
}
const t = new Thread({ target: work, name: "early" });
t.start();
started.wait();
const h = new StreamHandler("stdout");
log.addHandler(h);
h.setFormatter(new Formatter("%(threadName)s %(levelname)s %(message)s"));
log.setLevel(DEBUG);
configured.set();
t.join();
log.setLevel(ERROR);
const t2 = new Thread({ target: () => log.warning("dropped too") }); t2.start(); t2.join();
log.removeHandler(h);`);
    assert.deepEqual(r.ran.lines("stdout"), [["early", "early DEBUG after: kept"]]);
  });

  it("a configuration made in a thread holds in main and in other threads", async () => {
    const r = await cell(k, `
function setup() { basicConfig({ level: DEBUG, stream: "stdout", format: "%(threadName)s:%(message)s" }); }
const t = new Thread({ target: setup, name: "configurer" }); t.start(); t.join();
logging.debug("main sees it");
const u = new Thread({ target: () => getLogger("threads.other").debug("so does another"), name: "other" }); u.start(); u.join();`);
    assert.deepEqual(r.ran.lines("stdout"), [["MainThread", "MainThread:main sees it"], ["other", "other:so does another"]]);
  });

  it("runs a notebook Handler subclass's emit() in each thread that logs, with the same shared queue", async () => {
    const r = await cell(k, `
const lines = new Queue();
const log = getLogger("threads.collect");
log.setLevel(INFO);
log.propagate = false;
const h = new Collect(lines);
h.setFormatter(new Formatter("%(threadName)s/%(thread)d/%(message)s"));
log.addHandler(h);
function work() { log.info("from %s", currentThread().name); report("ident", [currentThread().name, getIdent()]); }
const ts = ["a", "b", "c"].map((name) => new Thread({ target: work, name }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
report("lines", drain(lines).sort());
report("same", log.handlers[0] === h);`);
    const idents = Object.fromEntries(r.all("ident"));
    assert.deepEqual(r.get("lines"), ["a", "b", "c"].map((n) => `${n}/${idents[n]}/from ${n}`));
    assert.equal(r.get("same"), true);
  });

  it("gives a thread what a handler class's emit() names, though the thread's target does not name it", async () => {
    // only the bindings a thread's code names are copied into it; a handler's emit() runs in whichever thread logs
    const r = await cell(k, `
const sink = new Queue();
class ToSink extends Handler { override emit(r: LogRecord) { sink.put(currentThread().name + ":" + this.format(r)); } }
const log = getLogger("threads.sink"); log.addHandler(new ToSink()); log.propagate = false;
const t = new Thread({ target: () => log.warning("x"), name: "plain" }); t.start(); t.join();
report("got", drain(sink));`);
    assert.deepEqual(r.get("got"), ["plain:x"]);
  });

  it("exception() in a pool loop writes the task's traceback, pointing at the cell line that threw", async () => {
    const r = await cell(k, `
basicConfig({ format: "%(threadName)s:%(levelname)s:%(message)s" });
const log = getLogger("threads.pool");
function task(n: number) {
  if (n === 2) throw new RangeError("bad item " + n);
  return n * 10;
}
function guarded(n: number) {
  try { return task(n); }
  catch (e) { log.exception("item %d failed in the pool", e, n); return null; }
}
{
  using pool = new ThreadPoolExecutor({ maxWorkers: 2, threadNamePrefix: "pool" });
  const futures = [1, 2, 3].map((n) => pool.submit(task, n));
  for (const f of futures) {
    try { report("result", f.result()); }
    catch (e) { log.exception("Task failed", e); }
  }
  report("guarded", [...pool.map(guarded, [2])]);
}`, { stderr: true });
    const line = lineOf(r.source, `throw new RangeError("bad item " + n);`);
    const err = r.ran.text("stderr").replace(/"cell \d+"/g, '"cell N"');
    assert.deepEqual(r.all("result"), [10, 30]);
    // the main thread's frame where result() re-raised comes first, as in Python's traceback
    assert.ok(err.includes(`line ${lineOf(r.source, "f.result()")}, in <module>`), err);
    assert.ok(
      err.includes(`MainThread:ERROR:Task failed\nTraceback (most recent call last):\n`) &&
        err.includes(`  File "cell N", line ${line}, in task\n    if (n === 2) throw new RangeError("bad item " + n);\nRangeError: bad item 2\n`),
      err,
    );
    const inPool = r.ran.lines("stderr").filter(([t]) => t.startsWith("pool"));
    assert.ok(inPool.length >= 4, JSON.stringify(r.ran.lines("stderr")));
    assert.match(inPool[0][1], /^pool_\d:ERROR:item 2 failed in the pool$/);
    assert.ok(inPool.some(([, l]) => l.includes(`line ${line}, in task`)), JSON.stringify(inPool));
    assert.ok(inPool.some(([, l]) => l.includes(`line ${lineOf(r.source, "try { return task(n); }")}, in guarded`)), JSON.stringify(inPool));
  });

  it("serializes one handler's emits across threads with its lock (Handler.lock is one RLock)", async () => {
    const r = await cell(k, `
const inside = new Value("i", 0), overlaps = new Value("i", 0);
class Slow extends Handler {
  constructor(public inside: Value, public overlaps: Value) { super(); }
  override emit(record: LogRecord) {
    if (inc(this.inside) > 1) inc(this.overlaps);
    sleep(0.002);
    inc(this.inside, -1);
  }
}
const log = getLogger("threads.lock");
log.addHandler(new Slow(inside, overlaps));
log.propagate = false;
function work() { for (let i = 0; i < 10; i++) log.warning("x"); }
const ts = [0, 1, 2, 3].map(() => new Thread({ target: work }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
report("overlaps", overlaps.value);
report("lockShared", log.handlers[0].lock !== null);`);
    assert.equal(r.get("overlaps"), 0);
    assert.equal(r.get("lockShared"), true);
  });
});
