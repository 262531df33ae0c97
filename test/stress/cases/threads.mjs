// Threads at scale (issue #10, point 5): many threads that sleep, a storm of
// start() calls that meets the cap on live threads, a storm ended by
// --timeout, and what an idle thread costs in memory.
const GB = 1024;

/** `n` threads that each sleep(0.5); the cell prints how long start to join took. */
const sleepers = (n) => `
import { Thread } from "threading";
import { sleep, perfCounter } from "time";
function nap(): void { sleep(0.5); }
const t0 = perfCounter();
const ts = Array.from({ length: ${n} }, () => new Thread({ target: nap }));
ts.forEach((t) => t.start());
ts.forEach((t) => t.join());
console.log(\`joined \${ts.length} in \${(perfCounter() - t0).toFixed(2)} s\`);`;

/** The seconds the cell printed (see sleepers), or NaN. */
const joinedIn = (stdout) => Number(/joined \d+ in ([\d.]+) s/.exec(stdout)?.[1]);

/** Start 5,000 threads that sleep `napS`; the start() that meets the cap is caught and printed. */
const storm = (napS) => `
import { Thread } from "threading";
import { sleep } from "time";
function nap(s: number): void { sleep(s); }
let started = 0;
try {
  for (let i = 0; i < 5000; i++) {
    new Thread({ target: nap, args: [${napS}] }).start();
    started++;
  }
} catch (e) {
  console.log(\`after \${started}: \${e}\`);
}`;

export const cases = [
  {
    name: "threads: 300 × sleep(0.5)",
    run: async (h) => {
      const r = await h.run([sleepers(300)]);
      const s = joinedIn(r.stdout);
      return {
        ok: r.code === 0 && s < 1.5 && r.peakMb < 1.5 * GB,
        detail: `300 threads joined in ${s.toFixed(2)} s (target < 1.5 s), ${Math.round(r.peakMb)} MB (target < 1.5 GB)`,
      };
    },
  },
  {
    name: "threads: 1,000 × sleep(0.5)",
    run: async (h) => {
      const r = await h.run([sleepers(1000)], ["--max-threads", "1100"]);
      const s = joinedIn(r.stdout);
      return {
        ok: r.code === 0 && s > 0 && r.peakMb < 4 * GB,
        detail: `1,000 threads joined in ${s.toFixed(2)} s, ${Math.round(r.peakMb)} MB`,
      };
    },
  },
  {
    name: "threads: 5,000 start() calls meet the cap",
    short: true,
    run: async (h) => {
      // threads that end soon: the cell ends when they have, and the machine must have held meanwhile
      const r = await h.run([storm(0.2)], [], { killAfterMs: 60_000 });
      const m = /after (\d+): RuntimeError: can't start new thread: (\d+) threads are live, the limit \(concnb\.maxThreads \/ --max-threads\) is (\d+)/.exec(r.stdout);
      // threads that end meanwhile give their places back: more than the cap may have started, but the refusal
      // comes with exactly the cap's number of threads live
      const [started, live, cap] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
      return {
        ok: r.code === 0 && m !== null && live === cap && started + 1 >= cap && r.peakMb < 4 * GB,
        detail: m
          ? `start() raised RuntimeError after ${started} starts, with ${live} threads live: the default cap, ${cap}; ${Math.round(r.peakMb)} MB peak, exit ${r.code}`
          : `no RuntimeError naming the cap: ${r.stdout.slice(-300)}`,
      };
    },
  },
  {
    name: "threads: a storm ended by --timeout 2",
    short: true,
    run: async (h) => {
      // the CLI prints the cell's header as it sets the cell's timer: the timeout fires 2 s after that line
      let headerAt = null;
      const r = await h.run([storm(60)], ["--timeout", "2"], {
        killAfterMs: 30_000,
        onStdout: (d, ms) => (headerAt ??= d.includes("── cell 1") ? ms / 1000 : null),
      });
      const after = r.seconds - (headerAt ?? 0) - 2;
      return {
        ok: /timeout/.test(r.stdout) && r.code === 1 && headerAt !== null && after < 2,
        detail: `exited ${after.toFixed(2)} s after the timeout fired (target < 2 s; ${r.seconds.toFixed(2)} s in all), ${Math.round(r.peakMb)} MB`,
      };
    },
  },
  {
    name: "threads: idle thread memory",
    run: async (h) => {
      const N = 100;
      const idle = (n) => `
import { Thread, Event, Barrier } from "threading";
const all = new Barrier(${n + 1});
const go = new Event();
function idle(b: Barrier, e: Event): void { b.wait(); e.wait(); }
const ts = Array.from({ length: ${n} }, () => new Thread({ target: idle, args: [all, go] }));
ts.forEach((t) => t.start());
all.wait();
go.wait(1.0); // held idle while the harness samples memory
go.set();
ts.forEach((t) => t.join());`;
      const base = await h.run([idle(0)]);
      const r = await h.run([idle(N)]);
      const perThread = (r.peakMb - base.peakMb) / N;
      return {
        ok: r.code === 0 && perThread <= 4,
        detail: `${perThread.toFixed(2)} MiB per idle thread (peak RSS of ${N} idle threads less that of none, / ${N}; target ≤ 4 MiB)`,
      };
    },
  },
];
