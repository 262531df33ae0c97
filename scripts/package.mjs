// `npm run package`: the extension as one .vsix for every platform VS Code
// runs on, built with @vscode/vsce, at most 5 MB.
//
// What goes in is .vscodeignore's allow-list (`vsce ls` reads it), copied into
// a staging folder where three things change:
//   - the cell compiler is esbuild-wasm's WebAssembly build, compressed with
//     brotli (out/esbuild.wasm.br, 2.7 MB; kernel/compiler/esbuild.ts reads it):
//     the native esbuild binary is 11 MB for each platform, and with TypeScript
//     a package that carries it is over 5 MB (compiler.bench measures the cost);
//   - TypeScript's compiler is minified (9.1 MB to 3.6 MB), with its licence;
//   - the manifest's dependencies are what the package holds (TypeScript, the
//     TS server plugin; not esbuild), so that vsce's `npm list` in the staging
//     folder finds exactly them, and it has no scripts to run there.
// The package's file list is checked against test/fixtures/package/files.txt
// (test/unit/package.test.ts) and its size against the limit.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import * as esbuild from "esbuild";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const LIMIT = 5 * 1024 * 1024;
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const out = process.argv[2] ?? join(root, `${manifest.name}-${manifest.version}.vsix`);
const vsce = join(root, "node_modules", ".bin", "vsce");

/** The brotli copy of esbuild-wasm's module, made again only when esbuild-wasm changed (it takes most of a minute). */
function packedWasm() {
  const wasm = join(root, "node_modules", "esbuild-wasm", "esbuild.wasm");
  const packed = join(root, "out", "esbuild.wasm.br");
  if (existsSync(packed) && statSync(packed).mtimeMs >= statSync(wasm).mtimeMs) return packed;
  const bytes = readFileSync(wasm);
  console.log(`package: compressing esbuild.wasm (${mb(bytes.length)}) with brotli, once`);
  const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length };
  writeFileSync(packed, brotliCompressSync(bytes, { params }));
  return packed;
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

function main() {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
  packedWasm();
  const files = execFileSync(vsce, ["ls"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
  const stage = mkdtempSync(join(tmpdir(), "concnb-package-"));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(stage, f)), { recursive: true });
      copyFileSync(join(root, f), join(stage, f));
    }
    copyFileSync(join(root, ".vscodeignore"), join(stage, ".vscodeignore"));
    // the TS server plugin is a file: dependency, a link in node_modules (which vsce lists by its target, and leaves
    // out): VS Code's TypeScript loads it from node_modules by name, so it goes there as files
    const plugin = join(stage, "node_modules", "concnb-ts-plugin");
    mkdirSync(plugin, { recursive: true });
    for (const f of readdirSync(join(root, "extension", "tsPlugin"))) copyFileSync(join(root, "extension", "tsPlugin", f), join(plugin, f));
    // TypeScript, minified in place: its own files look for its lib.*.d.ts beside typescript.js
    const ts = "node_modules/typescript/lib/typescript.js";
    esbuild.buildSync({ entryPoints: [join(root, ts)], outfile: join(stage, ts), minify: true, platform: "node", format: "cjs", legalComments: "inline", logLevel: "error", allowOverwrite: true });
    const version = (dir) => JSON.parse(readFileSync(join(root, "node_modules", dir, "package.json"), "utf8")).version;
    const shipped = { ...manifest, dependencies: { "concnb-ts-plugin": version("concnb-ts-plugin"), typescript: version("typescript") } };
    delete shipped.devDependencies;
    delete shipped.scripts;
    writeFileSync(join(stage, "package.json"), JSON.stringify(shipped, null, 2) + "\n");
    execFileSync(vsce, ["package", "--out", out], { cwd: stage, stdio: "inherit" });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const size = statSync(out).size;
  console.log(`package: ${out} is ${mb(size)} (the limit is ${mb(LIMIT)})`);
  if (size > LIMIT) {
    console.error(`package: over the limit by ${mb(size - LIMIT)}`);
    process.exitCode = 1;
  }
}

main();
