// Baselines for futures.bench: tinypool and piscina running the same tiny
// task with the same number of worker threads, measured here and printed as
// JSON for the bench to set beside the ThreadPoolExecutor's numbers. A plain
// .mjs (not bundled): both libraries are ES modules loaded as published.
import { Tinypool } from "tinypool";
import { Piscina } from "piscina";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [N, ROUNDS, WORKERS] = process.argv.slice(2).map(Number);
const task = join(mkdtempSync(join(tmpdir(), "concnb-bench-")), "task.js");
writeFileSync(task, "module.exports = (x) => x + 1;\n");

/** Best of three rounds of each measure, as the bench takes its own. */
async function measure(pool) {
  await Promise.all(Array.from({ length: 1000 }, (_, i) => pool.run(i))); // warm: every thread up
  let throughput = 0;
  let roundTrip = Infinity;
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    await Promise.all(Array.from({ length: N }, (_, i) => pool.run(i)));
    throughput = Math.max(throughput, N / ((performance.now() - t) / 1000));
    t = performance.now();
    for (let i = 0; i < ROUNDS; i++) await pool.run(i);
    roundTrip = Math.min(roundTrip, ((performance.now() - t) * 1000) / ROUNDS);
  }
  await pool.destroy();
  return { throughput, roundTrip };
}

const tinypool = await measure(new Tinypool({ filename: task, minThreads: WORKERS, maxThreads: WORKERS }));
const piscina = await measure(new Piscina({ filename: task, minThreads: WORKERS, maxThreads: WORKERS }));
console.log(JSON.stringify({ tinypool, piscina }));
