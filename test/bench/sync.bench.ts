// Synchronization benchmarks, as ratios measured in one run on this machine:
//   uncontended Lock acquire+release      vs CPython's threading.Lock        target: at least as fast
//   contended hand-off between 2 threads  vs raw Atomics ping-pong, CPython  target: within 2× of raw Atomics
//   Event wake latency (set → waiter up)  vs raw Atomics notify, CPython
// Run: npm run bench
import { Worker } from "node:worker_threads";
import { execFileSync } from "node:child_process";
import { BenchKernel } from "./cells";
const ROUNDS = 20_000;

/** Two raw workers bouncing a value through Atomics.wait/notify: the floor for any hand-off. */
async function rawPingPong(rounds: number): Promise<number> {
  const sab = new SharedArrayBuffer(8);
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    const v = new Int32Array(workerData.sab);
    const me = workerData.me, other = 1 - me;
    for (let i = 0; i < workerData.rounds; i++) {
      if (me === 1 || i > 0) while (Atomics.load(v, me) === 0) Atomics.wait(v, me, 0);
      Atomics.store(v, me, 0);
      Atomics.store(v, other, 1);
      Atomics.notify(v, other);
    }
    parentPort.postMessage("done");`;
  const start = (me: number) => new Worker(code, { eval: true, workerData: { sab, me, rounds } });
  const ready = (w: Worker) => new Promise((r) => w.once("online", r));
  const a = start(0);
  const b = start(1);
  await Promise.all([ready(a), ready(b)]);
  const t0 = performance.now();
  await Promise.all([a, b].map((w) => new Promise((r) => w.once("message", r))));
  return ((performance.now() - t0) * 1000) / rounds;
}

function cpython(): Record<string, number> | null {
  const script = `
import threading, time, json
N = ${ROUNDS}
lock = threading.Lock()
t0 = time.perf_counter()
for _ in range(200000):
    lock.acquire(); lock.release()
uncontended = (time.perf_counter() - t0) / 200000 * 1e6
s1, s2 = threading.Semaphore(0), threading.Semaphore(0)
def pong():
    for _ in range(N):
        s1.acquire(); s2.release()
t = threading.Thread(target=pong); t.start()
t0 = time.perf_counter()
for _ in range(N):
    s1.release(); s2.acquire()
handoff = (time.perf_counter() - t0) / N * 1e6
t.join()
ev, back = threading.Event(), threading.Event()
lat = []
def waiter():
    for _ in range(2000):
        ev.wait(); lat.append(time.perf_counter() - sent[0]); ev.clear(); back.set()
sent = [0.0]
t = threading.Thread(target=waiter); t.start()
for _ in range(2000):
    sent[0] = time.perf_counter(); ev.set(); back.wait(); back.clear()
t.join()
lat.sort()
print(json.dumps({"uncontended": uncontended, "handoff": handoff, "event": lat[len(lat)//2] * 1e6}))`;
  try {
    return JSON.parse(execFileSync("python3", ["-c", script], { encoding: "utf8" }));
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const raw = await rawPingPong(ROUNDS);
  const py = cpython();
  const kernel = new BenchKernel();
  const ours = await kernel.numbers(`
    import { Lock, Semaphore, Event, Thread } from "threading";
    import { perfCounter } from "time";
    const N = ${ROUNDS};
    const lock = new Lock();
    for (let i = 0; i < 50_000; i++) { lock.acquire(); lock.release(); }
    let t0 = perfCounter();
    for (let i = 0; i < 200_000; i++) { lock.acquire(); lock.release(); }
    const uncontended = (perfCounter() - t0) / 200_000 * 1e6;
    const s1 = new Semaphore(0), s2 = new Semaphore(0);
    function pong(a: Semaphore, b: Semaphore, n: number) { for (let i = 0; i < n; i++) { a.acquire(); b.release(); } }
    const t = new Thread({ target: pong, args: [s1, s2, N] }); t.start();
    for (let i = 0; i < 1000; i++) { s1.release(); s2.acquire(); }
    t0 = perfCounter();
    for (let i = 1000; i < N; i++) { s1.release(); s2.acquire(); }
    const handoff = (perfCounter() - t0) / (N - 1000) * 1e6;
    t.join();
    const ev = new Event(), back = new Event();
    const sent = new Float64Array(new SharedArrayBuffer(8));
    function waiter(ev: Event, back: Event, sent: Float64Array) {
      const lat: number[] = [];
      for (let i = 0; i < 2000; i++) { ev.wait(); lat.push(perfCounter() - sent[0]); ev.clear(); back.set(); }
      lat.sort((a, b) => a - b);
      console.log(JSON.stringify({ event: lat[1000] * 1e6 }));
    }
    const w = new Thread({ target: waiter, args: [ev, back, sent] }); w.start();
    for (let i = 0; i < 2000; i++) { sent[0] = perfCounter(); ev.set(); back.wait(); back.clear(); }
    w.join();
    console.log(JSON.stringify({ uncontended, handoff }));`);
  // A lock-order inversion: from the cell's start to its DeadlockError (the threads meet at a barrier first, so the
  // inversion is certain); measured against the same cell with the locks taken in one order, which ends at once.
  const inversion = (second: string) => `import { Thread, Lock, Barrier } from "threading";
    const a = new Lock(), b = new Lock(), c = new Lock(), both = new Barrier(2);
    function one() { using _a = a.hold(); both.wait(); using _b = b.hold(); }
    function two() { using _b = b.hold(); both.wait(); using _x = ${second}.hold(); }
    const t1 = new Thread({ target: one }), t2 = new Thread({ target: two });
    t1.start(); t2.start(); t1.join(); t2.join();`;
  const fine = await kernel.timed(inversion("c")); // one waits for b until two is done: no cycle
  const dead = await kernel.timed(inversion("a"));
  // the same inversion, each thread saying when it reaches for its second lock: the later of the two closes the
  // cycle; from there to the cell's DeadlockError (median of 5), against the kernel's 50 ms target
  const closing = `import { Thread, Lock, Barrier } from "threading";
    import { perfCounter } from "time";
    const a = new Lock(), b = new Lock(), both = new Barrier(2);
    function one() { using _a = a.hold(); both.wait(); console.log(perfCounter()); using _b = b.hold(); }
    function two() { using _b = b.hold(); both.wait(); console.log(perfCounter()); using _a = a.hold(); }
    const t1 = new Thread({ target: one }), t2 = new Thread({ target: two });
    t1.start(); t2.start(); t1.join(); t2.join();`;
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await kernel.ended(closing);
    // the two times, then the kernel's note on stderr that the cell's values are not kept
    const closed = r.out.split("\n").map(Number).filter((t) => t > 0).reduce((m, t) => Math.max(m, t), -Infinity);
    if (r.name === "DeadlockError" && Number.isFinite(closed)) delays.push((r.at - closed) * 1000);
  }
  delays.sort((x, y) => x - y);
  const named = delays.length === 5 ? delays[2] : undefined;
  await kernel.dispose();
  const row = (name: string, us: number | undefined, base: string, target: string, ok: boolean | null) =>
    console.log(`${name.padEnd(40)} ${us === undefined ? "n/a".padStart(9) : us.toFixed(3).padStart(9)} µs  ${base.padEnd(44)} ${target.padEnd(30)} ${ok === null ? "" : ok ? "ok" : "MISSED"}`);
  console.log(`baselines: raw Atomics ping-pong round ${raw.toFixed(3)} µs; CPython ${py ? `Lock ${py.uncontended.toFixed(3)} µs, hand-off ${py.handoff.toFixed(3)} µs, Event wake ${py.event.toFixed(3)} µs` : "not available"}\n`);
  row("Lock acquire+release, uncontended", ours.uncontended, py ? `${(ours.uncontended / py.uncontended).toFixed(2)} × CPython` : "", "≤ 1 × CPython", py ? ours.uncontended <= py.uncontended : null);
  row("Event wake latency (set → waiter runs)", ours.event, py ? `${(ours.event / py.event).toFixed(2)} × CPython, ${(ours.event / raw).toFixed(2)} × raw round` : "", "", null);
  console.log(
    `${"lock-order inversion reported".padEnd(40)} ${dead.ms.toFixed(0).padStart(9)} ms  ${`(${dead.name}; the same cell without the inversion: ${fine.ms.toFixed(0)} ms, ${fine.status})`.padEnd(44)} ${"≤ 2000 ms".padEnd(30)} ${dead.name === "DeadlockError" && dead.ms <= 2000 ? "ok" : "MISSED"}`,
  );
  console.log(
    `${"deadlock named, from the cycle closing".padEnd(40)} ${named === undefined ? "n/a".padStart(9) : named.toFixed(1).padStart(9)} ms  ${`(to the cell's DeadlockError, median of 5: ${delays.map((d) => d.toFixed(0)).join(", ")} ms)`.padEnd(44)} ${"≤ 50 ms".padEnd(30)} ${named !== undefined && named <= 50 ? "ok" : "MISSED"}`,
  );
  row("hand-off between 2 threads (Semaphores)", ours.handoff, `${(ours.handoff / raw).toFixed(2)} × raw Atomics${py ? `, ${(ours.handoff / py.handoff).toFixed(2)} × CPython` : ""}`, "≤ 2 × raw Atomics", ours.handoff <= 2 * raw);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
