// Threads at scale, side by side with CPython on the same machine, in the same run:
//   Thread start+join, empty target : median of 300, against python3 doing the same   target ≤ 1 × CPython
//   300 threads × sleep(0.5)         : wall time start to join (against 300 raw Workers that sleep), peak memory   target < 1.5 s, < 1.5 GB
//   idle thread memory               : RSS delta over 100 threads waiting on an Event, / 100 (against 100 empty Workers)   target ≤ 4 MiB
// The kernel runs in this process (BenchKernel), so its workers' memory is this process's RSS.
// Run: npm run bench
import { execFileSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { BenchKernel } from "./cells";

const N = 300;
const MiB = 2 ** 20;

/** CPython's start+join of an empty target: median µs of `n`, after a warm-up; null without python3. */
function cpythonStartJoinUs(n: number): number | null {
  const script = `
import threading, time
def f(): pass
for _ in range(50):
    t = threading.Thread(target=f); t.start(); t.join()
ts = []
for _ in range(${n}):
    t0 = time.perf_counter(); t = threading.Thread(target=f); t.start(); t.join(); ts.append(time.perf_counter() - t0)
ts.sort()
print(ts[len(ts) // 2] * 1e6)`;
  try {
    return Number(execFileSync("python3", ["-c", script], { encoding: "utf8" }).trim());
  } catch {
    return null;
  }
}

/** Node's floor for the same: `n` raw Workers started at once, each sleeping 0.5 s, until all have exited (s). */
async function rawSleepers(n: number): Promise<number> {
  const t0 = performance.now();
  const code = "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)";
  await Promise.all(Array.from({ length: n }, () => new Promise((r) => new Worker(code, { eval: true }).once("exit", r))));
  return (performance.now() - t0) / 1000;
}

/**
 * Node's floor for an idle thread: `n` empty Workers up and waiting, this process's RSS delta / n (MiB). A thread
 * here is a Worker, so no thread of ours idles in less.
 */
async function rawIdleMiB(n: number): Promise<number> {
  const before = process.memoryUsage().rss;
  const hold = new Int32Array(new SharedArrayBuffer(4));
  const code = "const { workerData, parentPort } = require('node:worker_threads'); parentPort.postMessage(0); Atomics.wait(workerData, 0, 0)";
  const workers = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: hold }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once("message", r))));
  const delta = (process.memoryUsage().rss - before) / n / MiB;
  Atomics.store(hold, 0, 1);
  Atomics.notify(hold, 0);
  await Promise.all(workers.map((w) => new Promise((r) => w.once("exit", r))));
  return delta;
}

/** Peak RSS of this process while `run` runs, sampled every 20 ms. */
async function peakRss<T>(run: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const poll = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await run();
    return { value, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(poll);
  }
}

async function main(): Promise<void> {
  const kernel = new BenchKernel();
  const ours = await kernel.startJoinUs(N, 50);
  // CPython right after ours: the same machine under the same load
  const cpython = cpythonStartJoinUs(N);

  const base = process.memoryUsage().rss;
  const sleepers = await peakRss(() =>
    kernel.numbers(`
    import { Thread } from "threading";
    import { sleep, perfCounter } from "time";
    function nap(): void { sleep(0.5); }
    const t0 = perfCounter();
    const ts = Array.from({ length: 300 }, () => new Thread({ target: nap }));
    ts.forEach((t) => t.start());
    ts.forEach((t) => t.join());
    console.log(JSON.stringify({ s: perfCounter() - t0 }));`),
  );

  const raw = await rawSleepers(300);

  // idle threads: 100 threads up and blocked on an Event, held while this process's RSS is sampled
  const IDLE = 100;
  const before = process.memoryUsage().rss;
  let idlePeak = before;
  let up = false;
  const poll = setInterval(() => up && (idlePeak = Math.max(idlePeak, process.memoryUsage().rss)), 20);
  const r = await kernel.kernel.run(
    {
      execId: 1_000_000,
      cellLabel: "idle",
      source: `
    import { Thread, Event, Barrier } from "threading";
    const all = new Barrier(${IDLE + 1});
    const go = new Event();
    function idle(b: Barrier, e: Event): void { b.wait(); e.wait(); }
    const ts = Array.from({ length: ${IDLE} }, () => new Thread({ target: idle, args: [all, go] }));
    ts.forEach((t) => t.start());
    all.wait();
    console.log("up");
    go.wait(1.5); // held idle while the bench samples memory
    go.set();
    ts.forEach((t) => t.join());`,
    },
    (recs) => recs.some((x) => x.text.includes("up")) && (up = true),
  );
  clearInterval(poll);
  if (r.status !== "ok") throw new Error(`idle cell: ${JSON.stringify(r)}`);
  await kernel.dispose();
  const rawIdle = await rawIdleMiB(IDLE);

  const row = (name: string, value: string, ratio: string, target: string, ok: boolean) =>
    console.log(`${name.padEnd(36)} ${value.padStart(12)}  ${ratio.padEnd(22)} target ${target.padEnd(16)} ${ok ? "ok" : "MISSED"}`);
  console.log(`baseline: CPython ${cpython === null ? "(no python3)" : `Thread start+join ${cpython.toFixed(1)} µs, median of ${N}`}`);
  console.log(`baseline: 300 raw worker_threads Workers started at once, each sleeping 0.5 s: ${raw.toFixed(2)} s to all exited`);
  console.log(`baseline: ${IDLE} empty worker_threads Workers waiting: ${rawIdle.toFixed(2)} MiB each (RSS delta / Workers)\n`);
  row(
    "Thread start+join, empty target",
    `${ours.toFixed(1)} µs`,
    cpython === null ? "" : `${(ours / cpython).toFixed(2)} × CPython`,
    "≤ 1 × CPython",
    cpython !== null && ours <= cpython,
  );
  const s = sleepers.value.s;
  row("300 threads × sleep(0.5), wall", `${s.toFixed(2)} s`, `${(s / raw).toFixed(2)} × 300 raw Workers`, "< 1.5 s", s < 1.5);
  const mb = (sleepers.peak - base) / MiB;
  row("300 threads × sleep(0.5), memory", `${mb.toFixed(0)} MiB`, "peak RSS over the idle kernel", "< 1.5 GB", mb < 1536);
  const perThread = (idlePeak - before) / IDLE / MiB;
  row(`idle thread memory (${IDLE} waiting)`, `${perThread.toFixed(2)} MiB`, `${(perThread / rawIdle).toFixed(2)} × an empty Worker`, "≤ 4 MiB", perThread <= 4);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
