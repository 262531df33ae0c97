// `npm test` and `npm start` on a fresh clone: install the npm dependencies
// first when they are missing or older than package-lock.json, so either
// README command works as the first command run (npm ci also builds, through
// the prepare script).
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const installed = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log("[deps] npm dependencies are missing or stale: npm ci");
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}
