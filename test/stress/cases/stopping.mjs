// Stopping always stops: a cell stuck in a blocking system call, or with processes of its own.
import { arrival, recorder } from "../harness.mjs";
import { execFileSync } from "node:child_process";

/** Processes whose command line holds `text`. */
function running(text) {
  try {
    return execFileSync("pgrep", ["-f", text], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** From the cell's start to the CLI's exit, less the timeout: how long the stop took. */
async function stopTime(h, code, timeout, extraCells = []) {
  const rec = recorder();
  const r = await h.run([code, ...extraCells], ["--timeout", String(timeout)], { onStdout: rec.onStdout, killAfterMs: 60_000 });
  const started = arrival(rec.events, /── cell 1/);
  const exit = r.seconds * 1000;
  return { r, stop: started === null ? null : (exit - started) / 1000 - timeout };
}

export const cases = [
  {
    name: 'execSync("sleep 15"), --timeout 1',
    short: true,
    async run(h) {
      const { r, stop } = await stopTime(h, 'import { execSync } from "node:child_process";\nexecSync("sleep 15.25");', 1);
      const left = running("sleep 15.25");
      const ok = r.code === 1 && /timeout/.test(r.stdout) && stop !== null && stop < 2 && left === 0;
      return { ok, detail: `the CLI exited ${stop?.toFixed(2)} s after the timeout; sleep processes left: ${left}` };
    },
  },
  {
    name: "reading a FIFO no one writes, --timeout 1",
    async run(h) {
      const fifo = `${h.dir}/fifo`;
      execFileSync("mkfifo", [fifo]);
      const { r, stop } = await stopTime(h, `import { readFileSync } from "node:fs";\nreadFileSync(${JSON.stringify(fifo)});`, 1);
      const told = /could not be stopped yet/.test(r.stderr);
      const ok = r.code === 1 && stop !== null && stop < 2 && told;
      return { ok, detail: `the CLI exited ${stop?.toFixed(2)} s after the timeout; the learner is told the thread could not be stopped yet: ${told}` };
    },
  },
  {
    name: "a cell's own child processes are killed with it",
    short: true,
    async run(h) {
      const code = `import { spawn } from "node:child_process";
spawn("sleep", ["33.25"]);
spawn("sh", ["-c", "sleep 34.25; echo done"]);
while (true) {}`;
      const { r, stop } = await stopTime(h, code, 1, ['console.log("next cell runs");']);
      const left = running("sleep 33.25") + running("sleep 34.25");
      const ok = r.code === 1 && left === 0 && stop !== null && stop < 2 && /next cell runs/.test(r.stdout);
      return { ok, detail: `processes left after the stop: ${left}; the next cell ran; the CLI exited ${stop?.toFixed(2)} s after the timeout` };
    },
  },
];
