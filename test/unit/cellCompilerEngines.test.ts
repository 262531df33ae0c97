// The cell compiler's two engines (kernel/compiler/esbuild.ts) give the same
// programs: a lesson run through `concnb run` with the native binary and with
// the in-process WebAssembly build (the one the .vsix ships) prints the same
// lines, and a syntax error is placed at the same cell line and column.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..");

function run(engine: "native" | "wasm", file: string) {
  const r = spawnSync(process.execPath, [join(root, "bin", "concnb.js"), "run", file, "--json"], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, CONCNB_CELL_COMPILER: engine },
  });
  return { status: r.status, report: JSON.parse(r.stdout) as { cells: Array<{ status: string; outputs: Array<{ stream: string; thread: string; text: string }>; error?: { name: string; message: string; traceback?: string } }> } };
}

describe("the cell compiler's engines", function () {
  this.timeout(240_000);

  it("native and wasm run the CLI fixture to the same output, thread by thread", () => {
    const file = join(root, "test", "fixtures", "cli", "threads.concnb");
    const [native, wasm] = [run("native", file), run("wasm", file)];
    assert.equal(native.status, 0);
    assert.equal(wasm.status, native.status);
    const lines = (r: typeof native) => r.report.cells.map((c) => c.outputs.map((o) => `${o.stream} ${o.thread} ${o.text}`).sort());
    assert.deepEqual(lines(wasm), lines(native));
  });

  it("native and wasm place a syntax error at the same cell line and column", () => {
    const dir = mkdtempSync(join(tmpdir(), "concnb-engines-"));
    const file = join(dir, "broken.ts");
    writeFileSync(file, 'const ok = 1;\nconsole.log("before");\nconst broken = (1 + ;\n');
    const [native, wasm] = [run("native", file), run("wasm", file)];
    const error = (r: typeof native) => r.report.cells[0]?.error;
    assert.equal(error(native)?.name, "SyntaxError", JSON.stringify(native.report));
    assert.deepEqual(error(wasm), error(native));
    assert.match(`${error(native)?.message ?? ""}\n${error(native)?.traceback ?? ""}`, /line 3/);
  });
});
