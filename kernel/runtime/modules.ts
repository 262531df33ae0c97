// What `import ... from "threading"` resolves to inside a cell: the runtime's
// modules under Python's names, and Node's built-in modules.
import { builtinModules, createRequire } from "node:module";
import * as threading from "./threading";
import * as time from "./time";
import * as sys from "./sys";
import * as atexit from "./atexit";
import * as futures from "./concurrent/futures";
import * as multiprocessing from "./multiprocessing";
import * as queue from "./queue";
import * as sharedctypes from "./multiprocessing/sharedctypes";
import * as logging from "./logging";
import * as asyncio from "./asyncio";
import { ModuleNotFoundError } from "./core/errors";

/** Each module under its Python name: its folder's index, frozen (a cell cannot add to a module or replace a member). */
const runtime: Record<string, object> = Object.fromEntries(
  Object.entries({ threading, atexit, "concurrent.futures": futures, multiprocessing, queue, sharedctypes, logging, asyncio, time, sys }).map(([name, mod]) => [
    name,
    Object.freeze({ ...mod }),
  ]),
);

const nodeRequire = createRequire(process.cwd() + "/");

export function importModule(spec: string): object {
  const mod = runtime[spec];
  if (mod) return mod;
  const bare = spec.startsWith("node:") ? spec.slice(5) : spec;
  if (builtinModules.includes(bare)) return nodeRequire(`node:${bare}`) as object;
  throw new ModuleNotFoundError(
    `No module named '${spec}'. Cells can import ${Object.keys(runtime).map((m) => `"${m}"`).join(", ")} and Node's built-in modules.`,
  );
}

export function importDefault(spec: string): unknown {
  const mod = importModule(spec) as { default?: unknown };
  return "default" in mod ? mod.default : mod;
}

export const moduleNames = Object.keys(runtime);

/** What each module exports: the one list, read off the modules themselves (the kernel checks cells' imports with it). */
export function moduleExports(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(runtime).map(([name, mod]) => [name, Object.keys(mod)]));
}
