// Process pool benchmarks, as ratios against starting a raw Node child process
// (fork until it answers) measured in the same run: what keeping worker
// processes saves. Python's pools keep their workers; so do these.
//   Pool(2).map of 4 items, first call (the workers start) and again (kept)   target: again ≤ 0.1 × a raw process start
//   ProcessPoolExecutor(2), serial submit → result() on its kept workers       target: ≤ 0.1 × a raw process start
// Run: npm run bench
import { fork } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BenchKernel } from "./cells";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A raw child process: forked until its first message arrives. */
async function rawProcess(script: string): Promise<number> {
  const t0 = performance.now();
  const child = fork(script, [], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  await new Promise((r) => child.once("message", r));
  const ms = performance.now() - t0;
  child.kill();
  await new Promise((r) => child.once("exit", r));
  return ms;
}

async function main(): Promise<void> {
  const script = join(mkdtempSync(join(tmpdir(), "concnb-bench-")), "child.js");
  writeFileSync(script, "process.send(1);\nprocess.on('disconnect', () => process.exit(0));\n");
  const raw: number[] = [];
  for (let i = 0; i < 10; i++) raw.push(await rawProcess(script));
  const rawMs = median(raw);

  const kernel = new BenchKernel();
  const ours = (await kernel.numbers(`
    import { ProcessPoolExecutor } from "concurrent.futures";
    import { Pool } from "multiprocessing";
    import { perfCounter } from "time";
    function tiny(x: number) { return x + 1; }
    const ms = (t: number) => (perfCounter() - t) * 1000;
    let t = perfCounter();
    let first = 0, again = Infinity;
    {
      using pool = new Pool(2);
      t = perfCounter();
      pool.map(tiny, [1, 2, 3, 4]);
      first = ms(t);
      for (let i = 0; i < 5; i++) {
        t = perfCounter();
        pool.map(tiny, [1, 2, 3, 4]);
        again = Math.min(again, ms(t));
      }
    }
    let roundTrip = 0;
    {
      using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
      ex.submit(tiny, 0).result(); // its first worker starts
      const N = 50;
      t = perfCounter();
      for (let i = 0; i < N; i++) ex.submit(tiny, i).result();
      roundTrip = ms(t) / N;
    }
    console.log(JSON.stringify({ first, again, roundTrip }));`)) as { first: number; again: number; roundTrip: number };
  await kernel.dispose();

  console.log(`baseline: a raw Node child process, forked until it answers, median of ${raw.length}: ${rawMs.toFixed(1)} ms\n`);
  const row = (name: string, ms: number, target: number | null) =>
    console.log(
      `${name.padEnd(52)} ${`${ms.toFixed(2)} ms`.padStart(11)}  ${`${(ms / rawMs).toFixed(3)} × a raw process start`.padEnd(30)} ${
        target === null ? "" : `target ≤ ${target} ×   ${ms / rawMs <= target ? "ok" : "MISSED"}`
      }`,
    );
  row("Pool(2).map of 4 items, first call (workers start)", ours.first, null);
  row("Pool(2).map of 4 items, again (workers kept)", ours.again, 0.1);
  row("ProcessPoolExecutor(2) submit → result(), kept", ours.roundTrip, 0.1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
