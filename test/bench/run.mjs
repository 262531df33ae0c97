// Runs every bundled benchmark (out/test/bench/*.bench.js) one after another.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const dir = new URL("../../out/test/bench/", import.meta.url).pathname;
let failed = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith(".bench.js")).sort()) {
  console.log(`\n# ${f}`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
