// FileHandler from several threads (test_logging's HandlerTest spirit): every
// record is one append, so no two records share a line, and none is lost;
// mode "w" empties the file once; a file that cannot be opened raises
// Python's FileNotFoundError where the handler was made.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestKernel } from "../../support/kernel";
import { cell } from "./loggingCells";

describe("conformance: logging.FileHandler on real threads", function () {
  let k: TestKernel;
  let dir: string;
  before(() => {
    k = new TestKernel();
    dir = mkdtempSync(join(tmpdir(), "concnb-logging-files-"));
  });
  after(async () => {
    await k.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("appends whole records from 4 threads at once: none lost, none interleaved", async () => {
    const file = join(dir, "threads.log");
    await cell(k, `
const h = new FileHandler(${JSON.stringify(file)}, "w");
h.setFormatter(new Formatter("%(threadName)s %(message)s"));
const log = getLogger("files.threads"); log.addHandler(h); log.propagate = false; log.setLevel(INFO);
const go = new Barrier(4);
const pad = "x".repeat(300);
function work(n: number) { go.wait(); for (let i = 0; i < 250; i++) log.info("%d %d %s end", n, i, pad); }
const ts = [0, 1, 2, 3].map((n) => new Thread({ target: work, args: [n], name: "writer-" + n }));
ts.forEach((t) => t.start()); ts.forEach((t) => t.join());
log.removeHandler(h); h.close();`);
    const lines = readFileSync(file, "utf8").split("\n");
    assert.equal(lines.pop(), "");
    assert.equal(lines.length, 1000);
    const pad = "x".repeat(300);
    for (const l of lines) assert.match(l, new RegExp(`^writer-(\\d) \\1 \\d+ ${pad} end$`), l.slice(0, 80));
    for (let n = 0; n < 4; n++) {
      const mine = lines.filter((l) => l.startsWith(`writer-${n} `)).map((l) => Number(l.split(" ")[2]));
      assert.deepEqual(mine, Array.from({ length: 250 }, (_, i) => i), `writer-${n}'s records in its order`);
    }
  });

  it("mode w empties the file once, mode a appends; a handler sent to a thread writes the same file", async () => {
    const file = join(dir, "modes.log");
    await cell(k, `
const a = new FileHandler(${JSON.stringify(file)}, "w"); a.setFormatter(new Formatter("%(message)s"));
const log = getLogger("files.modes"); log.addHandler(a); log.propagate = false;
log.warning("first");
const t = new Thread({ target: () => log.warning("from a thread") }); t.start(); t.join();
log.removeHandler(a); a.close();
const b = new FileHandler(${JSON.stringify(file)}); b.setFormatter(new Formatter("%(message)s"));
log.addHandler(b); log.warning("appended"); log.removeHandler(b); b.close();`);
    assert.equal(readFileSync(file, "utf8"), "first\nfrom a thread\nappended\n");
  });

  it("a file that cannot be opened: FileNotFoundError; a bad mode: ValueError", async () => {
    const r = await cell(k, `
report("missing", outcome(() => new FileHandler(${JSON.stringify(join(dir, "no", "such", "dir.log"))})));
report("mode", outcome(() => new FileHandler(${JSON.stringify(join(dir, "m.log"))}, "q")));`);
    assert.equal(r.get("missing").err, "FileNotFoundError");
    assert.match(r.get("missing").message, /^\[Errno 2\] No such file or directory: '.*dir\.log'$/);
    assert.deepEqual(r.get("mode"), { err: "ValueError", message: "invalid mode: 'q'" });
  });
});
