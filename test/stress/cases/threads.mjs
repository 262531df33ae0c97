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

/** Start 5,000 threads that sleep `napS`; a start() that meets the cap is caught and printed. */
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

/**
 * Start up to 5,000 threads that wait for an Event set once the start() calls are over, so that every thread
 * started is still live when the cap is met, whatever the machine's speed; the start() that meets it is printed.
 */
const capped = `
import { Thread, Event } from "threading";
const go = new Event();
let started = 0;
try {
  for (let i = 0; i < 5000; i++) {
    new Thread({ target: () => go.wait() }).start();
    started++;
  }
} catch (e) {
  console.log(\`after \${started}: \${e}\`);
} finally {
  go.set();
}`;

/**
 * The kernel's memory budget for the cap's case: its default cap is derived from it (kernel/threadCap), at no less
 * than an idle thread's 8 MiB a thread, so that a CI machine holds every thread at the cap.
 */
const BUDGET_MB = 2048;

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
      // the default cap, derived from the kernel's memory budget (here one that a CI machine holds at the cap)
      const r = await h.run([capped], ["--memory-mb", String(BUDGET_MB)], { killAfterMs: 60_000 });
      const m = /after (\d+): RuntimeError: can't start new thread: (\d+) threads are live, the limit \(concnb\.maxThreads \/ --max-threads\) is (\d+)/.exec(r.stdout);
      // no thread ends before the refusal: it comes at the cap's number of starts (the main thread is one of the live)
      const [started, live, cap] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
      return {
        ok: r.code === 0 && m !== null && cap >= 16 && cap <= BUDGET_MB / 8 && live === cap && started + 1 === cap && r.peakMb < 4 * GB,
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
