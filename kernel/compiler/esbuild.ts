// The cell compiler's engine: esbuild's transform, from its native binary when
// it is there (a development checkout, `npm install`), else from
// esbuild-wasm's WebAssembly build, run in this process (the installed
// extension: one .vsix for every platform, see scripts/package.mjs).
//
// Why both: the native binary is 11 MB for each platform, and a .vsix that
// carries it and TypeScript is over the 5 MB a package may take; the wasm
// build compresses to 2.7 MB and runs everywhere. It costs more: `npm run
// bench` (compiler.bench) prints both, on every lesson cell. So the kernel
// starts the engine as it starts (warm()), not at the first cell.
//
// The wasm build runs in process through esbuild-wasm's browser entry (its
// Node entry spawns `node`, which a VS Code install need not have on PATH):
// it is bundled in (the bundle then needs only the .wasm file), and it takes
// its WebAssembly module compiled here, read from the package's brotli copy
// (out/esbuild.wasm.br) or, in a checkout, from node_modules.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { brotliDecompressSync } from "node:zlib";
import type * as Esbuild from "esbuild";

export type TransformOptions = Esbuild.TransformOptions;
export type TransformResult = Esbuild.TransformResult;
export type TransformFailure = Esbuild.TransformFailure;
export type Location = Esbuild.Location;

export interface Engine {
  /** "native" (esbuild's binary) or "wasm" (esbuild-wasm, in this process). */
  kind: "native" | "wasm";
  transform(code: string, options: TransformOptions): Promise<TransformResult>;
}

let engine: Promise<Engine> | undefined;

/**
 * The engine, started once. CONCNB_CELL_COMPILER=native or =wasm asks for one (the tests and the benchmark);
 * otherwise native when its binary runs, else wasm.
 */
export function esbuildEngine(): Promise<Engine> {
  engine ??= start(process.env.CONCNB_CELL_COMPILER);
  return engine;
}

/** Starts the engine now, so that the first cell does not wait for it. */
export function warm(): void {
  esbuildEngine().then(
    () => {},
    () => {}, // the first transform reports it, where a cell is waiting
  );
}

/** esbuild's transform, on the engine. */
export async function transform(code: string, options: TransformOptions): Promise<TransformResult> {
  return (await esbuildEngine()).transform(code, options);
}

async function start(wanted: string | undefined): Promise<Engine> {
  if (wanted !== "wasm") {
    try {
      return await native();
    } catch (e) {
      if (wanted === "native") throw e;
    }
  }
  return wasm();
}

/** An engine of the kind asked for, started afresh (the benchmark compares the two). */
export function startEngine(kind: Engine["kind"]): Promise<Engine> {
  return kind === "native" ? native() : wasm();
}

async function native(): Promise<Engine> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- absent from the .vsix: found at run time, or not
  const esbuild = require("esbuild") as typeof Esbuild;
  // an esbuild of another version, found up the folder tree of an installed extension, is not this one
  if (esbuild.version !== browserEntry().version) throw new Error(`esbuild ${esbuild.version} is not ${browserEntry().version}`);
  await esbuild.transform("", {}); // finds and starts the binary, or throws
  return { kind: "native", transform: (code, options) => esbuild.transform(code, options) };
}

/** esbuild-wasm's browser entry (bundled): its version is the one the package ships. */
function browserEntry(): typeof Esbuild {
  // it looks for the global object under the name workers and pages give it
  (globalThis as { self?: unknown }).self ??= globalThis;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- bundled, and loaded only when asked for
  return require("esbuild-wasm/lib/browser.js") as typeof Esbuild;
}

/** esbuild-wasm's own file, in a checkout (a name, not a literal: the bundler would try to bundle a literal). */
const CHECKOUT_WASM = ["esbuild-wasm", "esbuild.wasm"].join("/");

/** Where the WebAssembly build is: the package's brotli copy beside this bundle, or esbuild-wasm's own. */
function wasmBytes(): Uint8Array {
  const packed = join(__dirname, "esbuild.wasm.br");
  if (existsSync(packed)) return brotliDecompressSync(readFileSync(packed));
  return readFileSync(require.resolve(CHECKOUT_WASM));
}

async function wasm(): Promise<Engine> {
  // V8 would compile the 14 MB module a second time, optimized, in the background: measured here, that took 4 s of
  // CPU and 200 MB more for a kernel, for transforms that Liftoff's code runs at 4 ms a cell. Process-wide: a
  // cell's own WebAssembly in this kernel runs on Liftoff too (none of the lessons has any).
  setFlagsFromString("--liftoff-only");
  const esbuild = browserEntry();
  // WebAssembly is Node's global; this project's TypeScript libs (no DOM) declare only its types
  const wasmModule = await (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly.compile(wasmBytes());
  await esbuild.initialize({ wasmModule, worker: false });
  return { kind: "wasm", transform: (code, options) => esbuild.transform(code, options) };
}
