// The logger hierarchy and propagation against CPython's Lib/test/test_logging.py
// (LoggerTest, ChildLoggerTest, test_root_logger_aliases, BasicFilterTest's
// propagation), and the same logger in every thread.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./loggingCells";

describe("conformance: the logger hierarchy (test_logging.LoggerTest, ChildLoggerTest)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("test_root_logger_aliases and test_invalid_names", async () => {
    const r = await cell(k, `
report("aliases", [root === getLogger(), root === getLogger(null), root === getLogger(""), root === getLogger("root"),
  root === getLogger("foo").root, root === getLogger("foo.bar").root, root === getLogger("foo").parent,
  root !== getLogger("\\0"), root !== getLogger("foo.bar").parent, root.name]);`);
    assert.deepEqual(r.get("aliases"), [true, true, true, true, true, true, true, true, true, "root"]);
  });

  it("test_child_loggers: getChild, and parents are the nearest existing ancestors", async () => {
    const r = await cell(k, `
const l1 = getLogger("hc.abc"), l2 = getLogger("hc.def.ghi");
const c1 = getLogger("hc").getChild("xyz"), c2 = getLogger("hc").getChild("uvw.xyz");
report("children", [c1 === getLogger("hc.xyz"), c2 === getLogger("hc.uvw.xyz"), l1.getChild("def") === getLogger("hc.abc.def"),
  l2.parent === getLogger("hc"), getLogger("hc.def").parent === getLogger("hc"), l2.parent === getLogger("hc.def")]);`);
    // "hc.def" does not exist when l2.parent is first read: then "hc" is its nearest ancestor
    assert.deepEqual(r.get("children"), [true, true, true, true, true, true]);
  });

  it("propagates to the parents' handlers, checking each handler's level, until propagate is false", async () => {
    const r = await cell(k, `
const lines = new Queue();
const top = getLogger("hp"), mid = getLogger("hp.mid"), leaf = getLogger("hp.mid.leaf");
top.propagate = false;
const f = (tag: string) => { const h = new Collect(lines); h.setFormatter(new Formatter(tag + ":%(name)s:%(message)s")); return h; };
top.addHandler(f("top")); mid.addHandler(f("mid")); const strict = f("strict"); strict.setLevel(ERROR); mid.addHandler(strict);
top.setLevel(INFO);
leaf.info("one");
leaf.error("two");
mid.propagate = false;
leaf.info("three");
mid.propagate = true;
mid.removeHandler(strict);
leaf.error("four");
report("lines", drain(lines));
report("has", [leaf.hasHandlers(), getLogger("hp2.none").hasHandlers()]);`);
    assert.deepEqual(r.get("lines"), [
      "mid:hp.mid.leaf:one", "top:hp.mid.leaf:one",
      "mid:hp.mid.leaf:two", "strict:hp.mid.leaf:two", "top:hp.mid.leaf:two",
      "mid:hp.mid.leaf:three",
      "mid:hp.mid.leaf:four", "top:hp.mid.leaf:four",
    ]);
    assert.deepEqual(r.get("has"), [true, false]);
  });

  it("test_is_enabled_for, disabled loggers and logging.disable()", async () => {
    const r = await cell(k, `
const l = getLogger("hd"); l.setLevel(INFO);
const lines = new Queue(); l.addHandler(new Collect(lines)); l.propagate = false;
const seen = [l.isEnabledFor(DEBUG), l.isEnabledFor(INFO)];
disable(INFO);
seen.push(l.isEnabledFor(INFO), l.isEnabledFor(WARNING));
l.info("dropped by disable"); l.warning("kept");
disable(NOTSET);
l.disabled = true; l.error("dropped: disabled"); l.disabled = false;
l.info("back");
report("seen", seen);
report("lines", drain(lines));`);
    assert.deepEqual(r.get("seen"), [false, true, false, true]);
    assert.deepEqual(r.get("lines"), ["kept", "back"]);
  });

  it("getLogger(name) is the same logger in every thread; a Logger sent to a thread is that thread's getLogger(name)", async () => {
    const r = await cell(k, `
const log = getLogger("hs.app");
log.setLevel(DEBUG);
function look(sent: Logger, q: Queue) {
  const here = getLogger("hs.app");
  q.put([sent === here, here.level, here.parent === root, here.name]);
  getLogger("hs.app.made.in.thread").setLevel(ERROR);
}
const q = new Queue();
const t = new Thread({ target: look, args: [log, q] }); t.start(); t.join();
report("thread", q.get());
report("main", [getLogger("hs.app.made.in.thread").level, getLogger("hs.app.made.in.thread").parent === log]);`);
    assert.deepEqual(r.get("thread"), [true, 10, true, "hs.app"]);
    assert.deepEqual(r.get("main"), [40, true]);
  });
});
