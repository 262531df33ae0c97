// Bundles the three programs of the product with esbuild: the extension host
// entry, the kernel process (and the CLI, which runs the same kernel in
// process), and the thread entry that every worker loads. Tests are bundled
// too, so mocha runs plain CommonJS and the VS Code host loads one file.
import * as esbuild from "esbuild";
import { readdirSync, statSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

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
      else if (/\.test\.ts$|^index\.ts$/.test(name)) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out;
}

const builds = [
  { entryPoints: { extension: "extension/extension.ts" }, external: ["vscode"] },
  { entryPoints: { kernel: "kernel/main.ts", cli: "kernel/cli.ts", thread: "kernel/runtime/entry.ts" } },
  { entryPoints: testEntries("test/unit").map((p) => ({ in: p, out: p.replace(/\.ts$/, "") })) },
  {
    entryPoints: testEntries("test/integration").map((p) => ({ in: p, out: p.replace(/\.ts$/, "") })),
    external: ["vscode", "mocha"],
  },
];

if (!watch) rmSync(join(root, "out"), { recursive: true, force: true });
for (const b of builds) {
  if (Array.isArray(b.entryPoints) && b.entryPoints.length === 0) continue;
  const options = { ...common, outdir: join(root, "out"), ...b };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
