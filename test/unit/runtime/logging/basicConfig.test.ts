// basicConfig() and the module-level functions against CPython's
// Lib/test/test_logging.py BasicConfigTest (and LastResortTest), on a real kernel.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestKernel } from "../../support/kernel";
import { cell } from "./loggingCells";

describe("conformance: logging.basicConfig (test_logging.BasicConfigTest)", function () {
  let k: TestKernel;
  let dir: string;
  before(() => {
    k = new TestKernel();
    dir = mkdtempSync(join(tmpdir(), "concnb-logging-"));
  });
  after(async () => {
    await k.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("test_no_kwargs: one StreamHandler to stderr, BASIC_FORMAT, root at WARNING; the default format on stderr", async () => {
    const r = await cell(k, `
basicConfig();
const h = root.handlers;
report("handlers", h.length);
report("stream", h[0] instanceof StreamHandler ? (h[0] as StreamHandler).stream : "not a StreamHandler");
report("fmt", h[0].formatter?.fmt);
report("level", root.level);
logging.warning("to %s", "stderr");
getLogger("basic.child").info("dropped: INFO is below WARNING");`, { stderr: true });
    assert.equal(r.get("handlers"), 1);
    assert.equal(r.get("stream"), "stderr");
    assert.equal(r.get("fmt"), "%(levelname)s:%(name)s:%(message)s");
    assert.equal(r.get("level"), 30);
    assert.deepEqual(r.ran.lines("stderr"), [["MainThread", "WARNING:root:to stderr"]]);
  });

  it("test_level: a second call does nothing; force replaces the root logger's handlers (test_force)", async () => {
    const r = await cell(k, `
basicConfig({ level: 57 });
report("first", root.level);
basicConfig({ level: 58 });
report("second", root.level);
basicConfig({ level: "INFO", stream: "stdout", format: "forced %(message)s", force: true });
report("forced", [root.level, root.handlers.length]);
logging.info("hello");`);
    assert.equal(r.get("first"), 57);
    assert.equal(r.get("second"), 57);
    assert.deepEqual(r.get("forced"), [20, 1]);
    assert.deepEqual(r.ran.lines("stdout").filter(([, l]) => !l.startsWith("@@")), [["MainThread", "forced hello"]]);
  });

  it("test_filename and test_filemode: a FileHandler with an absolute path, mode a (or w)", async () => {
    const file = join(dir, "basic.log");
    const r = await cell(k, `
basicConfig({ filename: ${JSON.stringify(file)}, filemode: "w", format: "%(levelname)s %(message)s" });
const h = root.handlers[0] as FileHandler;
report("handler", [h instanceof FileHandler, h.baseFilename, h.mode]);
logging.error("into the file");`);
    assert.deepEqual(r.get("handler"), [true, file, "w"]);
    assert.equal(readFileSync(file, "utf8"), "ERROR into the file\n");
  });

  it("test_format and test_datefmt: the format and strftime's datefmt", async () => {
    const r = await cell(k, `
basicConfig({ stream: "stdout", format: "%(asctime)s %(message)s", datefmt: "%Y/%m/%d", level: DEBUG });
logging.debug("dated");
const d = new Date();
report("today", d.getFullYear() + "/" + String(d.getMonth() + 1).padStart(2, "0") + "/" + String(d.getDate()).padStart(2, "0"));`);
    const today = r.get("today");
    assert.deepEqual(r.ran.lines("stdout").filter(([, l]) => !l.startsWith("@@")), [["MainThread", `${today} dated`]]);
  });

  it("test_handlers: handlers given are added, and given the format when they have no formatter", async () => {
    const r = await cell(k, `
const lines = new Queue();
const own = new Collect(lines); own.setFormatter(new Formatter("own %(message)s"));
basicConfig({ handlers: [new Collect(lines), own], format: "basic %(message)s" });
logging.warning("x");
report("lines", drain(lines));`);
    assert.deepEqual(r.get("lines"), ["basic x", "own x"]);
  });

  it("test_incompatible and unknown options: Python's ValueErrors", async () => {
    const r = await cell(k, `
report("both", outcome(() => basicConfig({ stream: "stdout", filename: "x.log" })));
report("handlers", outcome(() => basicConfig({ handlers: [new NullHandler()], stream: "stdout" })));
report("unknown", outcome(() => basicConfig({ levle: DEBUG } as any)));
report("style", outcome(() => basicConfig({ style: "^" })));
report("badLevel", outcome(() => basicConfig({ level: "LOUD", force: true })));`);
    assert.deepEqual(r.get("both"), { err: "ValueError", message: "'stream' and 'filename' should not be specified together" });
    assert.deepEqual(r.get("handlers"), { err: "ValueError", message: "'stream' or 'filename' should not be specified together with 'handlers'" });
    assert.deepEqual(r.get("unknown"), { err: "ValueError", message: "Unrecognised argument(s): levle" });
    assert.deepEqual(r.get("style"), { err: "ValueError", message: "Style must be one of: %,{,$" });
    assert.deepEqual(r.get("badLevel"), { err: "ValueError", message: "Unknown level: 'LOUD'" });
  });

  it("LastResortTest: a logger with no handler anywhere writes the bare message of WARNING and up to stderr", async () => {
    const r = await cell(k, `
const log = getLogger("basic.lastresort");
log.info("dropped");
log.warning("bare %s", "message");`, { stderr: true });
    assert.deepEqual(r.ran.lines("stderr"), [["MainThread", "bare message"]]);
  });

  it("the configuration lasts for the cells after it, as in a Jupyter kernel", async () => {
    await cell(k, `basicConfig({ level: INFO, stream: "stdout", format: "kept:%(message)s" });`);
    const r = await k.run(`import { getLogger } from "logging";\ngetLogger("basic.later").info("in a later cell");`);
    assert.deepEqual(r.lines("stdout"), [["MainThread", "kept:in a later cell"]]);
  });
});
