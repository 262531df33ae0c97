// The cell compiler's two engines (kernel/compiler/esbuild.ts), in the same
// run: esbuild's native binary (one per platform, so a .vsix per platform)
// against esbuild-wasm in process (one package for every platform, the one
// that ships). Every code cell of every lesson is transformed as the kernel
// transforms it: the first cell with the engine's start, then each cell warm.
// Prints the medians and the ratio wasm / native.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConcnb } from "../../kernel/protocol/format";
import { startEngine, type Engine, type TransformOptions } from "../../kernel/compiler/esbuild";


const root = join(__dirname, "..", "..", "..");
const OPTIONS: TransformOptions = { loader: "ts", target: "node20", sourcemap: "external", sourcesContent: false, logLevel: "silent" };

function lessonCells(): string[] {
  const dir = join(root, "notebooks");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".concnb"))
    .sort()
    .flatMap((f) => parseConcnb(readFileSync(join(dir, f), "utf8")).cells.filter((c) => c.kind === "code").map((c) => c.source));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The first transform (the service starting) and the warm medians, in ms, over `rounds` passes of every cell. */
async function measure(kind: Engine["kind"], cells: string[], rounds: number): Promise<{ first: number; warm: number }> {
  const t0 = performance.now();
  const esbuild = await startEngine(kind);
  await esbuild.transform(cells[0], OPTIONS);
  const first = performance.now() - t0;
  const warm: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const cell of cells) {
      const t = performance.now();
      await esbuild.transform(cell, OPTIONS);
      warm.push(performance.now() - t);
    }
  }
  return { first, warm: median(warm) };
}

async function main(): Promise<void> {
  const cells = lessonCells();
  const native = await measure("native", cells, 5);
  const wasm = await measure("wasm", cells, 5);
  const f = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(`cell compiler over ${cells.length} lesson cells (median of 5 passes each)`);
  console.log(`  native esbuild: first cell ${f(native.first)}, then ${f(native.warm)} a cell`);
  console.log(`  esbuild-wasm:   first cell ${f(wasm.first)}, then ${f(wasm.warm)} a cell`);
  console.log(`  wasm / native: first cell ${(wasm.first / native.first).toFixed(1)}x, warm ${(wasm.warm / native.warm).toFixed(1)}x`);
  process.exit(0); // the esbuild services keep the event loop alive
}

void main();
