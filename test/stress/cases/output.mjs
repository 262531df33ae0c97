// Output floods: bounded, linear, live, and never in the way of a stop.
import { arrival, recorder } from "../harness.mjs";
import { readFileSync } from "node:fs";

const cells = (json) => JSON.parse(json).cells;

export const cases = [
  {
    name: "flood: while (true) console.log(i++), --timeout 2",
    short: true,
    async run(h) {
      const rec = recorder();
      const r = await h.run(["let i = 0;\nwhile (true) console.log(i++);", 'console.log("after the flood");'], ["--timeout", "2"], { onStdout: rec.onStdout, killAfterMs: 30_000 });
      const started = arrival(rec.events, /── cell 1/);
      const ended = arrival(rec.events, /cell 1: timeout in/);
      const stop = started !== null && ended !== null ? (ended - started) / 1000 - 2 : null;
      const kept = /\[MainThread\] 0\n/.test(r.stdout) && /lines left out/.test(r.stderr) && /\[MainThread\] after the flood/.test(r.stdout);
      const ok = r.code === 1 && stop !== null && stop < 1 && kept && r.peakMb < 1024;
      return { ok, detail: `stopped ${stop === null ? "never" : `${stop.toFixed(2)} s`} after the timeout, output kept ${kept}, the next cell ran` };
    },
  },
  {
    name: "4 threads × 250,000 lines (--json)",
    async run(h) {
      const code = `import { Thread } from "threading";
function lines(n: number) { for (let i = 0; i < 250_000; i++) console.log(n, i); }
const ts = [0, 1, 2, 3].map((n) => new Thread({ target: lines, args: [n] }));
for (const t of ts) t.start();
for (const t of ts) t.join();
console.log("joined");`;
      const r = await h.run([code], ["--json"], { killAfterMs: 120_000 });
      if (r.code !== 0) return { ok: false, detail: `exit ${r.code}: ${r.stderr.slice(0, 300)}` };
      const outputs = cells(r.stdout)[0].outputs;
      const note = outputs.find((o) => o.omitted && o.omitted.lines > 0);
      const shown = outputs.filter((o) => !o.omitted).reduce((n, o) => n + (o.text.match(/\n/g)?.length ?? 0), 0);
      const fileLines = note ? readFileSync(note.omitted.file, "utf8").split("\n").length - 1 : 0;
      const total = 1_000_001;
      const ok = note !== undefined && shown + note.omitted.lines === total && fileLines === total;
      return { ok, detail: `${shown.toLocaleString("en-US")} lines shown + ${note?.omitted.lines.toLocaleString("en-US")} left out = ${total.toLocaleString("en-US")}; the file holds ${fileLines.toLocaleString("en-US")}` };
    },
  },
  {
    name: "100,000 writes of ten characters, no newline",
    short: true,
    async run(h) {
      // Linear, not quadratic (each write once rescanned the unfinished line): 10× the writes may cost about 10× the
      // time, measured in the same run so a slow or busy machine does not decide the verdict; quadratic is 100×.
      const writes = (n) => `for (let i = 0; i < ${n}; i++) process.stdout.write("0123456789");\nprocess.stdout.write("\\n");`;
      const r = await h.run([writes(10_000), writes(100_000)], ["--json"]);
      const [small, big] = cells(r.stdout);
      const text = big.outputs.map((o) => o.text).join("");
      const ratio = big.durationMs / Math.max(1, small.durationMs);
      const ok = r.code === 0 && ratio < 30 && big.durationMs < 5000 && text.length === 1_000_001;
      return { ok, detail: `${Math.round(big.durationMs)} ms in the cell, ${ratio.toFixed(1)}× the 10,000 writes' ${Math.round(small.durationMs)} ms (quadratic would be 100×), ${text.length.toLocaleString("en-US")} characters kept` };
    },
  },
  {
    name: "a progress bar drawn with \\r shows as it is drawn",
    short: true,
    async run(h) {
      const rec = recorder();
      const code = `import { sleep } from "time";
console.log("start");
for (let p = 1; p <= 3; p++) { process.stdout.write(\`\\rprogress \${p * 33}%\`); sleep(0.4); }
process.stdout.write("\\n");`;
      const r = await h.run([code], [], { onStdout: rec.onStdout });
      const start = arrival(rec.events, /\[MainThread\] start\n/);
      const first = arrival(rec.events, /progress 33%/);
      const latency = start !== null && first !== null ? first - start : null;
      const marked = /\r\[MainThread\] progress 66%/.test(r.stdout);
      const ok = r.code === 0 && latency !== null && latency < 150 && marked;
      return { ok, detail: `the unfinished line showed ${latency === null ? "never" : `${Math.round(latency)} ms`} after the line before it; the mark survives \\r: ${marked}` };
    },
  },
  {
    name: "8 threads flood at once, --timeout 3",
    async run(h) {
      const code = `import { Thread } from "threading";
function flood(n: number) { let i = 0; while (true) console.log("thread", n, "line", i++, "x".repeat(60)); }
for (let n = 0; n < 8; n++) new Thread({ target: flood, args: [n] }).start();`;
      const rec = recorder();
      const r = await h.run([code], ["--timeout", "3"], { onStdout: rec.onStdout, killAfterMs: 30_000 });
      const header = arrival(rec.events, /── cell 1/);
      const ended = arrival(rec.events, /cell 1: timeout in/);
      const stop = header !== null && ended !== null ? (ended - header) / 1000 - 3 : null;
      const ok = r.code === 1 && stop !== null && stop < 1 && r.peakMb < 1500;
      return { ok, detail: `stopped ${stop === null ? "never" : `${stop.toFixed(2)} s`} after the timeout, peak ${Math.round(r.peakMb)} MB` };
    },
  },
];
