// Bundles the programs of the product with esbuild: the extension host
// entry, the kernel process (and the CLI, which runs the same kernel in
// process), the thread entry that every worker loads, and the language
// server. Tests are bundled too, so mocha runs plain CommonJS and the VS Code
// host loads one file.
import * as esbuild from "esbuild";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { buildTypings } from "./typings.mjs";

const root = new URL("..", import.meta.url).pathname;
const watch = process.argv.includes("--watch");
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  logLevel: "warning",
  absWorkingDir: root,
  // the runtime's own frames are recognised by file name in tracebacks
  keepNames: true,
};

function testEntries(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(test|bench)\.ts$|^index\.ts$/.test(name)) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out;
}

// Each program, and each test file, is its own build: a broken file fails its
// own bundle and the build's exit code, never the bundling of the others.
const tests = (dir, external = []) =>
  testEntries(dir).map((p) => ({ entryPoints: { [p.replace(/\.ts$/, "")]: p }, external }));
const builds = [
  { entryPoints: { extension: "extension/extension.ts" }, external: ["vscode"] },
  // esbuild (a native binary) and typescript (large) are dependencies, loaded from node_modules
  { entryPoints: { kernel: "kernel/main.ts" }, external: ["esbuild", "typescript"] },
  { entryPoints: { cli: "kernel/cli.ts" }, external: ["esbuild", "typescript"] },
  { entryPoints: { process: "kernel/processMain.ts" }, external: ["esbuild", "typescript"] },
  { entryPoints: { thread: "kernel/runtime/entry.ts" } },
  // the language server's TypeScript, on a worker thread of the server (extension/server/typesHost.ts)
  { entryPoints: { typesWorker: "extension/server/typesWorker.ts" }, external: ["esbuild", "typescript"] },
  // notebook renderers run in the notebook's webview: browser ES modules, no Node
  {
    entryPoints: { "renderers/timeline": "extension/renderer/timeline/index.ts" },
    platform: "browser",
    format: "esm",
    target: "es2022",
    keepNames: false,
  },
  ...(existsSync(join(root, "test/unit")) ? tests("test/unit", ["esbuild", "typescript"]) : []),
  ...tests("test/bench", ["esbuild", "typescript"]),
  ...(existsSync(join(root, "test/integration")) ? tests("test/integration", ["vscode", "mocha"]) : []),
];

let failed = 0;
async function build(b) {
  const options = { ...common, outdir: join(root, "out"), ...b };
  try {
    if (watch) await (await esbuild.context(options)).watch();
    else await esbuild.build(options);
    return true;
  } catch {
    failed++; // esbuild has already printed the error with its location
    return false;
  }
}
const building = Promise.all(builds.map(build));
// The editor's typings of the runtime, from its own source, while esbuild (its own process) bundles: the language
// server reads them, so a runtime that does not type-check fails the build here.
try {
  buildTypings(root, join(root, "out", "typings"));
} catch (e) {
  failed++;
  console.error(`build: ${e.message}`);
}
const built = await building;

/**
 * What each runtime module exports, asked of a worker that loaded the thread
 * bundle just built, through the kernel's own WorkerPool: the same table the
 * kernel checks imports with, read off the runtime itself (one source of truth).
 */
async function runtimeExports() {
  const probe = await esbuild.build({
    ...common,
    sourcemap: false,
    write: false,
    stdin: {
      resolveDir: root,
      loader: "ts",
      contents: `import { WorkerPool } from "./kernel/pool";
const pool = new WorkerPool(${JSON.stringify(join(root, "out", "thread.js"))}, 1);
void pool.runtimeExports().then(async (e) => { process.stdout.write(JSON.stringify(e)); await pool.dispose(); });`,
    },
  });
  const exports = JSON.parse(execFileSync(process.execPath, ["-"], { input: probe.outputFiles[0].text, encoding: "utf8" }));
  if (!exports || typeof exports !== "object") throw new Error("no worker reported the runtime's exports");
  return exports;
}

// The language server checks imports against the runtime's exports, so it is built after the thread bundle.
const threadBuilt = built[builds.findIndex((b) => b.entryPoints.thread)];
if (threadBuilt) {
  try {
    const exports = await runtimeExports();
    await build({ entryPoints: { server: "extension/server/server.ts" }, external: ["esbuild", "typescript"], define: { CONCNB_RUNTIME_EXPORTS: JSON.stringify(JSON.stringify(exports)) } });
  } catch (e) {
    failed++;
    console.error(`build: the runtime's exports for the language server: ${e.message}`);
  }
} else {
  failed++;
  console.error("build: the language server is not built: it needs the thread bundle");
}
if (failed) {
  console.error(`build: ${failed} bundle(s) failed`);
  process.exitCode = 1;
}
