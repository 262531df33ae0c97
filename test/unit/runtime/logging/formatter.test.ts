// Formatter's % style and the record's fields against CPython's
// Lib/test/test_logging.py FormatterTest (test_percent, test_time,
// test_default_msec_format_none) and LogRecordTest: every field the contract
// lists, with the thread and process of the runtime and the caller's cell line.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { lineOf } from "../threadingCells";
import { cell } from "./loggingCells";

describe("conformance: logging.Formatter (test_logging.FormatterTest) and record fields", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("test_percent: fields, an unknown field, usesTime", async () => {
    const r = await cell(k, `
const rec = () => makeLogRecord({ name: "formatter.test", msg: "Message with %d %s", args: [2, "placeholders"], levelno: 10, levelname: "DEBUG" });
report("message", new Formatter("\${%(message)s}").format(rec()));
report("random", outcome(() => new Formatter("%(random)s").format(rec())));
report("uses", ["%(asctime)s", "%(asctime)-15s", "%(asctime)#15s", "%(message)s"].map((f) => new Formatter(f).usesTime()));
report("flags", new Formatter("[%(levelname)-8s][%(levelno)03d][%(name)10s]").format(rec()));
report("mapping", outcome(() => { const r = new LogRecord("m", 20, "p", 1, "%(who)s has %(n)d", [{ who: "pool", n: 3 }], null); return r.getMessage(); }));`);
    assert.equal(r.get("message"), "${Message with 2 placeholders}");
    assert.deepEqual(r.get("random"), { err: "ValueError", message: "Formatting field not found in record: 'random'" });
    assert.deepEqual(r.get("uses"), [true, true, true, false]);
    assert.equal(r.get("flags"), "[DEBUG   ][010][formatter.test]");
    assert.deepEqual(r.get("mapping"), { ok: "pool has 3" });
  });

  it("test_time and test_default_msec_format_none: formatTime with and without datefmt", async () => {
    const r = await cell(k, `
const r = makeLogRecord({ msg: "x" });
r.created = new Date(1993, 3, 21, 8, 3, 0).getTime() / 1000;
r.msecs = 123;
const f = new Formatter("%(asctime)s %(message)s");
report("default", f.formatTime(r));
report("datefmt", f.formatTime(r, "%Y:%d"));
report("format", f.format(r));
f.defaultMsecFormat = null;
report("noMsec", f.formatTime(r));
report("strftime", f.formatTime(r, "%a %b %j %I%p %%"));`);
    assert.equal(r.get("default"), "1993-04-21 08:03:00,123");
    assert.equal(r.get("datefmt"), "1993:21");
    assert.equal(r.get("format"), "1993-04-21 08:03:00,123 x");
    assert.equal(r.get("noMsec"), "1993-04-21 08:03:00");
    assert.equal(r.get("strftime"), "Wed Apr 111 08AM %");
  });

  it("fills every field the contract lists, with the runtime's thread and process and the caller's cell line", async () => {
    const r = await cell(k, `
const lines = new Queue();
const h = new Collect(lines);
h.setFormatter(new Formatter([
  "%(created)f", "%(msecs)d", "%(relativeCreated)d", "%(levelname)s", "%(levelno)d", "%(name)s", "%(message)s",
  "%(threadName)s", "%(thread)d", "%(processName)s", "%(process)d", "%(funcName)s", "%(lineno)d", "%(filename)s", "%(asctime)s",
].join("|")));
const log = getLogger("fields"); log.addHandler(h); log.propagate = false; log.setLevel(DEBUG);
function where() { log.debug("in %s", "where"); }
const before = Date.now() / 1000;
where();
const t = new Thread({ target: () => log.info("top of a lambda"), name: "fielder" }); t.start(); t.join();
report("lines", drain(lines));
report("meta", { before, ident: getIdent(), pid: process.pid, tident: t.ident });`);
    const meta = r.get("meta");
    const [main, thread] = r.get("lines").map((l: string) => l.split("|"));
    const [created, msecs, relative, levelname, levelno, name, message, threadName, ident, processName, pid, funcName, lineno, filename, asctime] = main;
    assert.ok(Math.abs(Number(created) - meta.before) < 60, created);
    assert.match(created, /^\d+\.\d{6}$/);
    assert.ok(Number(msecs) >= 0 && Number(msecs) < 1000);
    assert.match(relative, /^\d+$/);
    assert.deepEqual([levelname, levelno, name, message, threadName, Number(ident), processName, Number(pid), funcName, Number(lineno)],
      ["DEBUG", "10", "fields", "in where", "MainThread", meta.ident, "MainProcess", meta.pid, "where", lineOf(r.source, `log.debug("in %s", "where")`)]);
    assert.match(filename, /^cell \d+$/);
    assert.match(asctime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$/);
    assert.deepEqual([thread[7], Number(thread[8]), thread[11], Number(thread[12])], ["fielder", meta.tident, "<lambda>", lineOf(r.source, "top of a lambda")]);
  });

  it("Python's % conversions in messages: %s %r %d %i %f %e %g %x %o %c %%, flags, width, precision, *", async () => {
    const r = await cell(k, `
const m = (msg: string, ...args: unknown[]) => new LogRecord("p", 20, "p", 1, msg, args, null).getMessage();
report("out", [
  m("got %s in %.2f s", "url", 1.23456), m("%r %r %s", "text", 3, null), m("%5d|%-5d|%05d|%+d", 42, 42, 42, 42),
  m("%i %d", 3.9, -3.9), m("%e %.2E", 12345.678, 0.00012), m("%g %g %g %.3g", 100000, 1000000, 0.0001, 3.14159),
  m("%x %X %#x %o %#o", 255, 255, 255, 8, 8), m("%c%c", 65, "b"), m("100%% of %s", "it"), m("%*d|%.*f", 4, 7, 1, 2.25),
  m("%s", [1, "a"]), m("%.3s", "abcdef"), m("no args %s"),
]);`);
    assert.deepEqual(r.get("out"), [
      "got url in 1.23 s", "'text' 3 None", "   42|42   |00042|+42",
      "3 -3", "1.234568e+04 1.20E-04", "100000 1e+06 0.0001 3.14",
      "ff FF 0xff 10 0o10", "Ab", "100% of it", "   7|2.2",
      "[ 1, 'a' ]", "abc", "no args %s",
    ]);
  });
});
