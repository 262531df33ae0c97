// Levels and bad input against CPython's Lib/test/test_logging.py
// BuiltinLevelsTest (and its regressions), LoggerTest's and FormatterTest's
// error cases: Python's errors, with their names and messages.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { lineOf } from "../threadingCells";
import { cell } from "./loggingCells";

/** BuiltinLevelsTest's loggers and what it logs: each logger's messages at every level, in order. */
const FLAT = `
const lines = new Queue();
function hook(name: string) { const l = getLogger(name); l.addHandler(new Collect(lines)); l.propagate = false; return l; }
function logAll(l: Logger, tag: string) {
  l.log(CRITICAL, tag + " critical"); l.error(tag + " error"); l.warning(tag + " warning"); l.info(tag + " info"); l.debug(tag + " debug");
}
`;

describe("conformance: logging levels (test_logging.BuiltinLevelsTest) and bad input", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("test_flat: each logger passes its own level and up", async () => {
    const r = await cell(k, FLAT + `
const ERR = hook("lv.ERR"); ERR.setLevel(ERROR);
const INF = hook("lv.INF"); INF.setLevel(INFO);
const DEB = hook("lv.DEB"); DEB.setLevel(DEBUG);
logAll(ERR, "ERR"); logAll(INF, "INF"); logAll(DEB, "DEB");
report("lines", drain(lines));`);
    assert.deepEqual(r.get("lines"), [
      "ERR critical", "ERR error",
      "INF critical", "INF error", "INF warning", "INF info",
      "DEB critical", "DEB error", "DEB warning", "DEB info", "DEB debug",
    ]);
  });

  it("test_nested_explicit, test_nested_inherited and test_nested_with_virtual_parent", async () => {
    const r = await cell(k, FLAT + `
getLogger("nv.INF").setLevel(INFO);
const INF_ERR = hook("nv.INF.ERR"); INF_ERR.setLevel(ERROR);
const INF_UNDEF = hook("nv.INF.UNDEF");
const INF_ERR_UNDEF = hook("nv.INF.ERR.UNDEF");
const UNDEF = hook("nv.UNDEF");
const GRANDCHILD = hook("nv.INF.BADPARENT.UNDEF");
const CHILD = hook("nv.INF.BADPARENT");
logAll(INF_ERR, "INF.ERR"); logAll(INF_UNDEF, "INF.UNDEF"); logAll(INF_ERR_UNDEF, "INF.ERR.UNDEF"); logAll(UNDEF, "UNDEF");
logAll(GRANDCHILD, "GRANDCHILD"); logAll(CHILD, "CHILD");
report("lines", drain(lines));
report("effective", [INF_UNDEF.getEffectiveLevel(), INF_ERR_UNDEF.getEffectiveLevel(), UNDEF.getEffectiveLevel()]);`);
    assert.deepEqual(r.get("lines"), [
      "INF.ERR critical", "INF.ERR error",
      "INF.UNDEF critical", "INF.UNDEF error", "INF.UNDEF warning", "INF.UNDEF info",
      "INF.ERR.UNDEF critical", "INF.ERR.UNDEF error",
      "UNDEF critical", "UNDEF error", "UNDEF warning",
      "GRANDCHILD critical", "GRANDCHILD error", "GRANDCHILD warning", "GRANDCHILD info",
      "CHILD critical", "CHILD error", "CHILD warning", "CHILD info",
    ]);
    assert.deepEqual(r.get("effective"), [20, 40, 30]);
  });

  it("test_regression_22386, test_issue27935, test_regression_29220: getLevelName both ways, addLevelName", async () => {
    const r = await cell(k, `
report("names", [getLevelName("INFO"), getLevelName(INFO), getLevelName("NOTSET"), getLevelName(0), getLevelName(15), getLevelName("LOUD")]);
addLevelName(25, "NOTICE");
const lines = new Queue();
const l = getLogger("lv.notice"); l.setLevel(DEBUG); l.addHandler(new Collect(lines)); l.propagate = false;
l.handlers[0].setFormatter(new Formatter("%(levelname)s %(levelno)d %(message)s"));
l.log(25, "custom");
report("notice", [getLevelName(25), getLevelName("NOTICE"), drain(lines)]);
const inThread = new Queue();
const t = new Thread({ target: (q: Queue) => q.put(getLevelName(25)), args: [inThread] }); t.start(); t.join();
report("thread", inThread.get());`);
    assert.deepEqual(r.get("names"), ["20", "INFO", 0, "NOTSET", "Level 15", "Level LOUD"].map((v) => (v === "20" ? 20 : v)));
    assert.deepEqual(r.get("notice"), ["NOTICE", 25, ["NOTICE 25 custom"]]);
    assert.equal(r.get("thread"), "NOTICE");
  });

  it("bad levels: unknown names raise ValueError, other values TypeError, log() with a name TypeError", async () => {
    const r = await cell(k, `
const l = getLogger("lv.bad");
report("name", outcome(() => l.setLevel("LOUD")));
report("lower", outcome(() => l.setLevel("info")));
report("float", outcome(() => l.setLevel(1.5)));
report("object", outcome(() => l.setLevel({} as any)));
report("handler", outcome(() => new StreamHandler().setLevel("NOPE")));
report("log", outcome(() => l.log("INFO" as any, "x")));
report("getLogger", outcome(() => getLogger(5 as any)));
report("kept", l.level);`);
    assert.deepEqual(r.get("name"), { err: "ValueError", message: "Unknown level: 'LOUD'" });
    assert.deepEqual(r.get("lower"), { err: "ValueError", message: "Unknown level: 'info'" });
    assert.deepEqual(r.get("float"), { err: "TypeError", message: "Level not an integer or a valid string: 1.5" });
    assert.deepEqual(r.get("object"), { err: "TypeError", message: "Level not an integer or a valid string: {}" });
    assert.deepEqual(r.get("handler"), { err: "ValueError", message: "Unknown level: 'NOPE'" });
    assert.deepEqual(r.get("log"), { err: "TypeError", message: "level must be an integer" });
    assert.deepEqual(r.get("getLogger"), { err: "TypeError", message: "A logger name must be a string" });
    assert.equal(r.get("kept"), 0);
  });

  it("a format naming an unknown field: Formatter.format raises ValueError; a handler reports a logging error and the program goes on", async () => {
    const r = await cell(k, `
const f = new Formatter("%(random)s");
report("direct", outcome(() => f.format(makeLogRecord({ msg: "x" }))));
report("invalid", outcome(() => new Formatter("no fields at all")));
const h = new StreamHandler();
h.setFormatter(f);
const l = getLogger("lv.unknown"); l.addHandler(h); l.propagate = false;
l.warning("the message %s", "arg");
report("after", "carried on");`, { stderr: true });
    assert.deepEqual(r.get("direct"), { err: "ValueError", message: "Formatting field not found in record: 'random'" });
    assert.deepEqual(r.get("invalid"), { err: "ValueError", message: "Invalid format 'no fields at all' for '%' style" });
    assert.equal(r.get("after"), "carried on");
    const err = r.ran.text("stderr");
    assert.match(err, /^--- Logging error ---\n/);
    assert.match(err, /\nValueError: Formatting field not found in record: 'random'\nCall stack:\n/);
    assert.ok(err.includes(`line ${lineOf(r.source, `l.warning("the message %s", "arg");`)}, in <module>`), err);
    assert.match(err, /\nMessage: 'the message %s'\nArguments: \[ 'arg' \]$/);
  });

  it("arguments that do not fit the message: TypeError as a logging error, as Python's % raises", async () => {
    const r = await cell(k, `
basicConfig();
logging.warning("%d items", "many");
logging.warning("%s and %s", "one");
logging.warning("no fields", "extra");
logging.warning("fine %s", "at last");`, { stderr: true });
    const err = r.ran.text("stderr");
    assert.match(err, /TypeError: %d format: a real number is required, not str\n/);
    assert.match(err, /TypeError: not enough arguments for format string\n/);
    assert.match(err, /TypeError: not all arguments converted during string formatting\n/);
    assert.equal((err.match(/--- Logging error ---/g) ?? []).length, 3);
    assert.match(err, /WARNING:root:fine at last$/);
  });
});
