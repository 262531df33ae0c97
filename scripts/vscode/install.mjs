// Installs the real VS Code this project tests in and opens lessons with: the
// code-server build of VS Code 1.100 from npm (desktop VS Code and Electron
// cannot be downloaded here), plus the Debian packages it and the browser
// tests need. Idempotent: a marker file says the install completed.
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, renameSync, symlinkSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const CODE_SERVER_VERSION = "4.100.3";
const DEBIAN = ["libkrb5-dev", "libx11-dev", "libxkbfile-dev", "libsecret-1-dev", "pkg-config", "ripgrep", "chromium"];

const log = (m) => console.log(`[vscode] ${m}`);
const sh = (cmd, cwd) => execSync(cmd, { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, npm_config_yes: "true" } });

function missingDebianPackages() {
  return DEBIAN.filter((p) => {
    try {
      return !execFileSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).includes("install ok installed");
    } catch {
      return true;
    }
  });
}

export function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`these Debian packages are missing: ${missing.join(" ")}; install them with: sudo apt-get install -y ${missing.join(" ")}`);
  }
  log(`installing Debian packages: ${missing.join(" ")}`);
  sh("apt-get update -qq");
  sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(" ")}`);
}

/** The folder of an installed code-server, installing it first if needed. */
export function ensureCodeServer(root) {
  const cache = join(root, ".vscode-test");
  const dir = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const marker = join(dir, ".concnb-installed");
  if (existsSync(marker)) return dir;
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} (VS Code 1.100) into ${dir}: a few minutes, once`);
  mkdirSync(cache, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  for (const f of readdirSync(cache)) if (f.endsWith(".tgz")) rmSync(join(cache, f));
  sh(`npm pack code-server@${CODE_SERVER_VERSION} --silent`, cache);
  rmSync(join(cache, "package"), { recursive: true, force: true });
  sh(`tar xzf code-server-${CODE_SERVER_VERSION}.tgz`, cache);
  renameSync(join(cache, "package"), dir);
  // its own postinstall downloads ripgrep from GitHub, which this network refuses: install without scripts
  sh("npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error", dir);
  sh("npm rebuild argon2 --loglevel=error", dir);
  const vs = join(dir, "lib", "vscode");
  sh("npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error", vs);
  sh("npm rebuild kerberos node-pty @vscode/spdlog native-watchdog @parcel/watcher @vscode/deviceid --loglevel=error", vs);
  const rg = join(vs, "node_modules", "@vscode", "ripgrep", "bin");
  mkdirSync(rg, { recursive: true });
  rmSync(join(rg, "rg"), { force: true });
  symlinkSync("/usr/bin/rg", join(rg, "rg"));
  rmSync(join(vs, "node_modules.asar"), { force: true });
  symlinkSync("node_modules", join(vs, "node_modules.asar"));
  sh("npm install --omit=dev --no-audit --no-fund --loglevel=error", join(vs, "extensions"));
  const version = execFileSync(process.execPath, [join(dir, "out", "node", "entry.js"), "--version"], { encoding: "utf8" });
  if (!version.includes("1.100")) throw new Error(`unexpected code-server version: ${version}`);
  writeFileSync(marker, version);
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s: ${version.trim().split("\n")[0]}`);
  return dir;
}
