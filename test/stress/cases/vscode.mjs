// The faults a learner meets in the notebook itself: the real VS Code
// (scripts/vscode.mjs test) runs test/integration/stress.test.ts, whose tests
// print a STRESS line each (time, peak memory of the kernel's process tree).
// `npm test` runs the same tests with the rest of the integration suite.
import { spawn } from "node:child_process";

const root = new URL("../../..", import.meta.url).pathname;

export const cases = [
  {
    name: "the real VS Code",
    async run() {
      const child = spawn(process.execPath, [`${root}scripts/vscode.mjs`, "test"], {
        cwd: root,
        env: { ...process.env, CONCNB_INTEGRATION_GREP: "stress in VS Code" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d) => (out += d));
      const code = await new Promise((r) => child.on("exit", r));
      const rows = [...out.matchAll(/STRESS (\{.*\})/g)].map((m) => JSON.parse(m[1]));
      const summary = /(\d+) passed, (\d+) failed\s*$/.exec(out.trim());
      const ok = code === 0 && rows.length >= 3 && rows.every((r) => r.ok);
      if (rows.length === 0) return { ok: false, detail: `no figures from VS Code (exit ${code}): ${out.slice(-600)}` };
      return { ok, rows, detail: summary ? `${summary[1]} passed, ${summary[2]} failed` : `exit ${code}` };
    },
  },
];
