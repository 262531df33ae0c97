// The headless runner as a user runs it: a separate process, real threads.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..");
const concnb = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "concnb.js"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

interface Report {
  cells: Array<{ index: number; status: string; durationMs: number; outputs: Array<{ stream: string; thread: string; text: string }>; error?: { name: string } }>;
}

describe("concnb run", () => {
  it("prints every line marked with its thread, and exits 0 when every cell is ok", () => {
    const r = concnb("run", "test/fixtures/cli/threads.concnb");
    assert.equal(r.status, 0, r.stderr);
    for (const n of [1, 2, 3]) assert.match(r.stdout, new RegExp(`^\\[Thread-${n} \\(worker\\)\\] hi from ${n}$`, "m"));
    assert.match(r.stdout, /^\[MainThread\] main carries on$/m);
    assert.match(r.stderr, /^\[Thread-1 \(bad\)\] Exception in thread Thread-1 \(bad\):$/m);
    assert.match(r.stderr, /^\[Thread-1 \(bad\)\] {3}File "cell 3", line 1, in bad$/m);
  });

  it("--json says which thread wrote what, with each cell's index and status", () => {
    const r = concnb("run", "test/fixtures/cli/threads.concnb", "--json");
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.cells.map((c) => [c.index, c.status]), [[2, "ok"], [3, "ok"]]);
    const threads = report.cells[0].outputs.map((o) => o.thread).sort();
    assert.deepEqual(threads, ["Thread-1 (worker)", "Thread-2 (worker)", "Thread-3 (worker)"]);
    const stderr = report.cells[1].outputs.filter((o) => o.stream === "stderr");
    assert.ok(stderr.every((o) => o.thread === "Thread-1 (bad)") && stderr.length > 0);
  });

  it("reports errors and timeouts per cell and exits 1", () => {
    const r = concnb("run", "test/fixtures/cli/failing.concnb", "--json", "--timeout", "1");
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.cells.map((c) => c.status), ["ok", "error", "timeout"]);
    assert.equal(report.cells[1].error?.name, "ReferenceError");
  });

  it("runs a .ts file as one program", () => {
    const r = concnb("run", "test/fixtures/cli/program.ts");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[worker\] 42$/m);
  });

  it("explains its usage", () => {
    const r = concnb("run");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: concnb run FILE/);
  });
});
