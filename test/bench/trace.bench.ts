// What the timeline's recording costs (it is always on): the lock, hand-off and
// queue figures with recording on against the same cells with it off
// (CONCNB_TRACE=off, which only the benchmarks set), each side in a process of
// its own, rounds alternated, medians compared. Target: at most 10% (≤ 1.10×).
import { spawnSync } from "node:child_process";
import { BenchKernel } from "./cells";

const ROUNDS = 9;
const CELL = `
  import { Lock, Semaphore, Thread } from "threading";
  import { Queue } from "queue";
  import { perfCounter } from "time";
  const lock = new Lock();
  for (let i = 0; i < 50_000; i++) { lock.acquire(); lock.release(); }
  let t0 = perfCounter();
  for (let i = 0; i < 300_000; i++) { lock.acquire(); lock.release(); }
  const uncontended = (perfCounter() - t0) / 300_000 * 1e6;
  // two threads taking one lock in turns as fast as they can: every release hands it to a waiter
  function hammer(l: Lock, n: number) { for (let i = 0; i < n; i++) { l.acquire(); l.release(); } }
  const shared = new Lock();
  const h = [new Thread({ target: hammer, args: [shared, 100_000] }), new Thread({ target: hammer, args: [shared, 100_000] })];
  t0 = perfCounter();
  for (const t of h) t.start();
  for (const t of h) t.join();
  const contended = (perfCounter() - t0) / 200_000 * 1e6;
  const s1 = new Semaphore(0), s2 = new Semaphore(0);
  const N = 20_000;
  function pong(a: Semaphore, b: Semaphore, n: number) { for (let i = 0; i < n; i++) { a.acquire(); b.release(); } }
  const p = new Thread({ target: pong, args: [s1, s2, N] }); p.start();
  for (let i = 0; i < 1000; i++) { s1.release(); s2.acquire(); }
  t0 = perfCounter();
  for (let i = 1000; i < N; i++) { s1.release(); s2.acquire(); }
  const handoff = (perfCounter() - t0) / (N - 1000) * 1e6;
  p.join();
  const q = new Queue();
  const M = 100_000;
  function consume(q: Queue, n: number) { for (let i = 0; i < n; i++) q.get(); }
  const c = new Thread({ target: consume, args: [q, M] }); c.start();
  t0 = perfCounter();
  for (let i = 0; i < M; i++) q.put(i);
  c.join();
  const queue = (perfCounter() - t0) / M * 1e6;
  console.log(JSON.stringify({ uncontended, contended, handoff, queue }));`;

type Figures = Record<"uncontended" | "contended" | "handoff" | "queue", number>;

async function measure(): Promise<void> {
  const kernel = new BenchKernel();
  await kernel.numbers(CELL); // warm: workers booted, code compiled
  console.log(JSON.stringify(await kernel.numbers(CELL)));
  await kernel.dispose();
}

function side(tracing: boolean): Figures {
  const r = spawnSync(process.execPath, [__filename, "--measure"], {
    encoding: "utf8",
    env: { ...process.env, CONCNB_TRACE: tracing ? "on" : "off" },
  });
  if (r.status !== 0) throw new Error(`the ${tracing ? "on" : "off"} side failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Figures;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const on: Figures[] = [];
  const off: Figures[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // alternated, so a machine that slows down over the run slows both sides alike
    on.push(side(true));
    off.push(side(false));
  }
  console.log(`timeline recording, on against off: medians of ${ROUNDS} rounds each, each side in its own process\n`);
  const rows: Array<[keyof Figures, string]> = [
    ["uncontended", "Lock acquire+release, uncontended"],
    ["contended", "Lock taken in turns by 2 threads"],
    ["handoff", "hand-off between 2 threads (Semaphores)"],
    ["queue", "Queue put/get between 2 threads"],
  ];
  for (const [key, name] of rows) {
    const a = median(on.map((f) => f[key]));
    const b = median(off.map((f) => f[key]));
    const ratio = a / b;
    console.log(`${name.padEnd(42)} on ${a.toFixed(3).padStart(8)} µs  off ${b.toFixed(3).padStart(8)} µs  ${ratio.toFixed(2)}× (target ≤ 1.10×) ${ratio <= 1.1 ? "ok" : "MISSED"}`);
  }
}

if (process.argv.includes("--measure")) {
  measure().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else main();
