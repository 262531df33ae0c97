// Kernel benchmarks, as ratios against a raw worker_threads Worker measured
// in the same run on the same machine (absolute times alone mean little).
//   trivial cell (warm)      : kernel.run of `console.log(1)`, end to end   target ≤ 10 ms
//   Thread start+join (warm) : empty target, measured inside a cell         target ≤ 1/5 of a raw Worker start
// Run: npm run bench
import { Worker } from "node:worker_threads";
import { BenchKernel } from "./cells";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A raw Worker: constructed until its code runs (start), and until it has exited (start + join). */
async function rawWorker(): Promise<[number, number]> {
  const t0 = performance.now();
  const w = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true });
  await new Promise((r) => w.once("message", r));
  const started = performance.now() - t0;
  await new Promise((r) => w.once("exit", r));
  return [started, performance.now() - t0];
}

async function main(): Promise<void> {
  const raw: Array<[number, number]> = [];
  for (let i = 0; i < 20; i++) raw.push(await rawWorker());
  const rawMs = median(raw.map(([s]) => s));
  const rawJoinMs = median(raw.map(([, j]) => j));

  const kernel = new BenchKernel();
  const run = (source: string) => kernel.run(source);
  for (let i = 0; i < 10; i++) await run(`console.log(1)`); // warm
  const cell: number[] = [];
  const rerun: number[] = [];
  for (let i = 0; i < 100; i++) {
    let t0 = performance.now();
    await run(`console.log(${i})`); // a new cell: compiled
    cell.push(performance.now() - t0);
    t0 = performance.now();
    await run(`console.log(1)`); // the same cell again: compiled once
    rerun.push(performance.now() - t0);
  }
  const cellMs = median(cell);
  const rerunMs = median(rerun);

  const N = 300;
  const threadMs = (await kernel.startJoinUs(N, 20)) / 1000;

  const sleepers = await run(`
    import { Thread } from "threading";
    import { sleep, perfCounter } from "time";
    const t0 = perfCounter();
    const ts = [0, 1, 2].map(() => new Thread({ target: () => sleep(0.5) }));
    ts.forEach((t) => t.start());
    ts.forEach((t) => t.join());
    console.log(perfCounter() - t0);`);
  await kernel.dispose();

  const row = (name: string, ms: number, ratio: string, target: string, ok: boolean) =>
    console.log(`${name.padEnd(38)} ${ms.toFixed(3).padStart(9)} ms  ${ratio.padEnd(26)} target ${target.padEnd(22)} ${ok ? "ok" : "MISSED"}`);
  console.log(`baseline: raw new Worker, median of ${raw.length}: start ${rawMs.toFixed(2)} ms, start+join ${rawJoinMs.toFixed(2)} ms\n`);
  row("trivial cell through the kernel (warm)", cellMs, `${(cellMs / rawMs).toFixed(3)} × raw Worker`, "≤ 10 ms", cellMs <= 10);
  row("same trivial cell run again (warm)", rerunMs, `${(rerunMs / rawMs).toFixed(3)} × raw Worker`, "≤ 10 ms", rerunMs <= 10);
  row("Thread start+join, empty target (warm)", threadMs, `${(threadMs / rawMs).toFixed(4)} × raw Worker`, "≤ 0.2 × raw Worker", threadMs / rawMs <= 0.2);
  const s = Number(sleepers.trim()) * 1000;
  row("3 threads × sleep(0.5), start to join", s, `${(s / 1500).toFixed(3)} × serial 1.5 s`, "well under 1.5 s", s < 1000);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
