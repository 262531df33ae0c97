// Executor and queue benchmarks, as ratios measured in one run on this machine:
//   tiny-task throughput of ThreadPoolExecutor  vs tinypool, piscina (same task, same thread count)  target: ≥ tinypool (aim 2×)
//   serial submit → result() round trip         vs tinypool, piscina `await run()`                  target: ≤ 15 µs
//   Queue put/get between two threads           vs CPython's queue.Queue                             target: ≥ CPython
//   memory per idle pool thread                 vs a raw Worker's
// Every measure is the best of three rounds (the libraries' and CPython's too),
// as Python's timeit.repeat advises; the queue's first round, with its thread's
// code not yet compiled by V8, is printed beside it.
// Run: npm run bench
import { Worker } from "node:worker_threads";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Kernel } from "../../kernel/kernel";
import type { WorkerPool } from "../../kernel/pool";
import { BenchKernel } from "./cells";

const root = __dirname.slice(0, __dirname.lastIndexOf("/out/"));
const N = 20_000;
const ROUNDS = 5_000;
const WORKERS = 2;
const IDLE_THREADS = 16;

function libraries(): { tinypool: Lib; piscina: Lib } {
  return JSON.parse(execFileSync(process.execPath, [join(root, "test", "bench", "pools.mjs"), String(N), String(ROUNDS), String(WORKERS)], { encoding: "utf8" }));
}
interface Lib {
  throughput: number;
  roundTrip: number;
}

function cpythonQueue(): number | null {
  const script = `
import threading, queue, time
N = ${N}
def once():
    q = queue.Queue()
    def consume():
        for _ in range(N): q.get()
    t = threading.Thread(target=consume); t.start()
    t0 = time.perf_counter()
    for i in range(N): q.put(i)
    t.join()
    return (time.perf_counter() - t0) / N * 1e6
print(min(once() for _ in range(3)))`;
  try {
    return Number(execFileSync("python3", ["-c", script], { encoding: "utf8" }));
  } catch {
    return null;
  }
}

/** RSS that one more raw Worker (idle, loaded) costs this process. */
async function rawWorkerBytes(): Promise<number> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const ws = Array.from({ length: IDLE_THREADS }, () => new Worker("setInterval(() => {}, 1000)", { eval: true }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once("online", r))));
  const after = process.memoryUsage().rss;
  await Promise.all(ws.map((w) => w.terminate()));
  return (after - before) / IDLE_THREADS;
}

/**
 * RSS per pool worker: the kernel runs in this process, so its workers' memory
 * is ours. A cell holds ${IDLE_THREADS} idle pool threads; while they are held,
 * the growth in RSS is divided by the growth in live workers (the pool also
 * starts spares meanwhile, which count on both sides).
 */
async function idleThreadMemory(kernel: Kernel): Promise<number> {
  const pool = (kernel as unknown as { pool: WorkerPool }).pool;
  global.gc?.();
  const before = { rss: process.memoryUsage().rss, workers: pool.size };
  let held: typeof before | null = null;
  const r = await kernel.run(
    {
      execId: 1_000_000,
      cellLabel: "memory",
      source: `
        import { ThreadPoolExecutor } from "concurrent.futures";
        import { Barrier, Event } from "threading";
        import { sleep } from "time";
        const idle = new ThreadPoolExecutor(${IDLE_THREADS});
        const all = new Barrier(${IDLE_THREADS + 1});
        const release = new Event();
        for (let i = 0; i < ${IDLE_THREADS}; i++) idle.submit(() => { all.wait(); release.wait(); });
        all.wait();
        console.log("held");
        sleep(1.5); // the bench reads the process's memory when "held" reaches it
        release.set();`,
    },
    (records) => {
      if (!held && records.some((x) => x.text.includes("held"))) held = { rss: process.memoryUsage().rss, workers: pool.size };
    },
  );
  if (r.status !== "ok" || !held) throw new Error(`memory cell failed: ${JSON.stringify(r)}`);
  const h = held as typeof before;
  return (h.rss - before.rss) / (h.workers - before.workers);
}

async function main(): Promise<void> {
  const libs = libraries();
  const py = cpythonQueue();
  const raw = await rawWorkerBytes();
  const kernel = new BenchKernel();
  const ours = await kernel.numbers(`
    import { ThreadPoolExecutor } from "concurrent.futures";
    import { Thread, Barrier } from "threading";
    import { Queue } from "queue";
    import { perfCounter } from "time";
    function tiny(x: number) { return x + 1; }
    const pool = new ThreadPoolExecutor(${WORKERS});
    const warm = new Barrier(${WORKERS});
    [...Array(${WORKERS})].map(() => pool.submit((b: Barrier) => b.wait(), warm)).forEach((f) => f.result());
    for (let i = 0; i < 1000; i++) pool.submit(tiny, i).result();
    let throughput = 0;
    let roundTrip = Infinity;
    for (let round = 0; round < 3; round++) {
      let t = perfCounter();
      const fs = [];
      for (let i = 0; i < ${N}; i++) fs.push(pool.submit(tiny, i));
      for (const f of fs) f.result();
      throughput = Math.max(throughput, ${N} / (perfCounter() - t));
      t = perfCounter();
      for (let i = 0; i < ${ROUNDS}; i++) pool.submit(tiny, i).result();
      roundTrip = Math.min(roundTrip, (perfCounter() - t) / ${ROUNDS} * 1e6);
    }
    pool.shutdown();

    function consume(q: Queue, n: number) { for (let i = 0; i < n; i++) q.get(); }
    const rounds = [0, 1, 2].map(() => {
      const q = new Queue();
      const c = new Thread({ target: consume, args: [q, ${N}] });
      c.start();
      const t = perfCounter();
      for (let i = 0; i < ${N}; i++) q.put(i);
      c.join();
      return (perfCounter() - t) / ${N} * 1e6;
    });
    const queue = Math.min(...rounds);
    const queueFirst = rounds[0];
    console.log(JSON.stringify({ throughput, roundTrip, queue, queueFirst }));`);
  const perThread = await idleThreadMemory(kernel.kernel);
  await kernel.dispose();

  const fmt = (n: number, d = 1) => n.toFixed(d).padStart(10);
  console.log(`baselines (same task, ${WORKERS} threads): tinypool ${fmt(libs.tinypool.throughput, 0)} tasks/s, round trip ${libs.tinypool.roundTrip.toFixed(1)} µs; piscina ${fmt(libs.piscina.throughput, 0)} tasks/s, round trip ${libs.piscina.roundTrip.toFixed(1)} µs; CPython queue.Queue put/get ${py === null ? "n/a" : `${py.toFixed(2)} µs`}; raw Worker ${(raw / 2 ** 20).toFixed(1)} MiB\n`);
  const row = (name: string, value: string, ratio: string, target: string, ok: boolean | null) =>
    console.log(`${name.padEnd(38)} ${value.padStart(16)}  ${ratio.padEnd(40)} ${target.padEnd(24)} ${ok === null ? "" : ok ? "ok" : "MISSED"}`);
  row("ThreadPoolExecutor tiny-task throughput", `${fmt(ours.throughput, 0)} /s`, `${(ours.throughput / libs.tinypool.throughput).toFixed(2)} × tinypool, ${(ours.throughput / libs.piscina.throughput).toFixed(2)} × piscina`, "≥ 1 × tinypool", ours.throughput >= libs.tinypool.throughput);
  row("submit → result() round trip", `${fmt(ours.roundTrip)} µs`, `${(ours.roundTrip / libs.tinypool.roundTrip).toFixed(2)} × tinypool, ${(ours.roundTrip / libs.piscina.roundTrip).toFixed(2)} × piscina`, "≤ 15 µs", ours.roundTrip <= 15);
  row("Queue put/get across 2 threads", `${fmt(ours.queue, 2)} µs`, py === null ? "" : `${(ours.queue / py).toFixed(2)} × CPython (first round ${ours.queueFirst.toFixed(2)} µs)`, "≤ 1 × CPython", py === null ? null : ours.queue <= py);
  row("memory per idle pool thread", `${fmt(perThread / 2 ** 20)} MiB`, `${(perThread / raw).toFixed(2)} × a raw Worker`, "", null);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
