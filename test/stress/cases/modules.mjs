// What a learner throws at the "logging" and "asyncio" modules: a log flood
// from four threads, a FileHandler into a folder that is not there, a task
// that never awaits, ten thousand tasks at once, and a storm of toThread
// calls. The kernel must hold: the cell ends (by itself or by --timeout), the
// output so far is kept, and the next cell runs.

async function report(h, cells, args = []) {
  const r = await h.run(cells, ["--json", ...args]);
  try {
    return { r, cells: JSON.parse(r.stdout).cells };
  } catch {
    return { r, cells: null };
  }
}

const text = (cell, stream) => cell.outputs.filter((o) => !stream || o.stream === stream).map((o) => o.text).join("");
const NEXT = `console.log("next cell ran");`;
const nextRan = (cells) => cells.length > 1 && cells.at(-1).status === "ok" && text(cells.at(-1), "stdout") === "next cell ran\n";

export const cases = [
  {
    name: "logging flood from 4 threads, stopped by --timeout",
    short: true,
    run: async (h) => {
      const flood = `import { basicConfig, getLogger, INFO } from "logging";
import { Thread } from "threading";
basicConfig({ level: INFO, format: "%(threadName)s %(message)s" });
function spam(): void { const log = getLogger("flood"); for (let i = 0; ; i++) log.info("line %d", i); }
for (let t = 0; t < 4; t++) new Thread({ target: spam, daemon: false }).start();`;
      const { r, cells } = await report(h, [flood, NEXT], ["--timeout", "1.5"]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      const threads = new Set(cells[0].outputs.filter((o) => o.stream === "stderr" && / line \d+/.test(o.text)).map((o) => o.thread));
      return {
        ok: cells[0].status === "timeout" && threads.size === 4 && nextRan(cells) && r.seconds < 8,
        detail: `${cells[0].status}; lines kept from ${threads.size} threads; next cell ${nextRan(cells) ? "ran" : "did not run"}; CLI done in ${r.seconds.toFixed(2)} s`,
      };
    },
  },
  {
    name: "logging FileHandler into a missing folder",
    short: true,
    run: async (h) => {
      const { r, cells } = await report(h, [`import { FileHandler } from "logging";\nnew FileHandler("/no/such/folder/app.log");`, NEXT]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      return {
        ok: cells[0].status === "error" && cells[0].error?.name === "FileNotFoundError" && nextRan(cells),
        detail: `${cells[0].status} ${cells[0].error?.name}: ${(cells[0].error?.message ?? "").slice(0, 80)}; next cell ${nextRan(cells) ? "ran" : "did not run"}`,
      };
    },
  },
  {
    name: "asyncio task that never awaits, stopped by --timeout",
    short: true,
    run: async (h) => {
      const { r, cells } = await report(h, [`import { run } from "asyncio";\nawait run((async () => { for (;;) {} })());`, NEXT], ["--timeout", "1.5"]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      return {
        ok: cells[0].status === "timeout" && nextRan(cells) && r.seconds < 8,
        detail: `${cells[0].status}; next cell ${nextRan(cells) ? "ran" : "did not run"}; CLI done in ${r.seconds.toFixed(2)} s`,
      };
    },
  },
  {
    name: "asyncio: 10,000 tasks sleeping at once",
    run: async (h) => {
      const many = `import { run, gather, sleep } from "asyncio";
const done = await run((async () => gather(...Array.from({ length: 10_000 }, (_, i) => sleep(0.2, i))))());
console.log("finished", done.length, done[9_999]);`;
      const { r, cells } = await report(h, [many, NEXT]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      return {
        ok: cells[0].status === "ok" && text(cells[0], "stdout") === "finished 10000 9999\n" && nextRan(cells),
        detail: `${cells[0].status}: ${text(cells[0], "stdout").trim()}; in ${r.seconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB`,
      };
    },
  },
  {
    name: "asyncio: 200 toThread calls at once",
    short: true,
    run: async (h) => {
      const storm = `import { run, gather, toThread } from "asyncio";
import { currentThread } from "threading";
import { sleep } from "time";
function blocking(i: number): string { sleep(0.01); return currentThread().name; }
const names = await run((async () => gather(...Array.from({ length: 200 }, (_, i) => toThread(blocking, i))))());
console.log("calls", names.length, "threads", new Set(names).size);`;
      const { r, cells } = await report(h, [storm, NEXT]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      const m = /calls (\d+) threads (\d+)/.exec(text(cells[0], "stdout"));
      // the default executor is bounded (Python's min(32, cpus + 4)): 200 calls do not make 200 threads
      return {
        ok: cells[0].status === "ok" && m !== null && Number(m[1]) === 200 && Number(m[2]) <= 32 && nextRan(cells),
        detail: `${cells[0].status}: ${m ? `${m[1]} calls on ${m[2]} threads` : text(cells[0]).slice(0, 120)}; in ${r.seconds.toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB`,
      };
    },
  },
];
