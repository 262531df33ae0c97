// What `import ... from "threading"` resolves to inside a cell: the runtime's
// modules under Python's names, and Node's built-in modules.
import { builtinModules, createRequire } from "node:module";
import * as threading from "./threading";
import * as time from "./time";
import * as sys from "./sys";
import * as atexit from "./atexit";
import { Lock, RLock } from "./locks";
import { Condition } from "./condition";
import { Semaphore, BoundedSemaphore } from "./semaphore";
import { Event } from "./event";
import { Barrier, BrokenBarrierError } from "./barrier";
import { local } from "./local";
import { RawValue, Value, RawArray, SharedArrayOf } from "./sharedctypes";
import { ModuleNotFoundError } from "./errors";
import { Queue, LifoQueue, PriorityQueue, SimpleQueue, Empty, Full } from "./queue";
import { Future, CancelledError, InvalidStateError, TimeoutError } from "./futures";
import { ThreadPoolExecutor, ProcessPoolExecutor, BrokenExecutor, BrokenThreadPool, BrokenProcessPool } from "./executor";
import { asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from "./completion";
import { Process, currentProcess, cpuCount } from "./multiprocessing";
import { AsyncResult, MapResult, Pool } from "./mpPool";
import { ProcessError, TimeoutError as MpTimeoutError } from "./crossProcess";
import { Queue as MpQueue } from "./mpQueue";

const runtime: Record<string, object> = {
  threading: {
    ...publicOf(threading, ["Thread", "Timer", "currentThread", "mainThread", "enumerate", "activeCount", "getIdent",
      "getNativeId", "excepthook", "setExcepthook", "TIMEOUT_MAX"]),
    Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, Barrier, BrokenBarrierError, local,
  },
  atexit: publicOf(atexit, ["register", "unregister"]),
  "concurrent.futures": Object.freeze({
    ThreadPoolExecutor, ProcessPoolExecutor, Future, asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED,
    CancelledError, InvalidStateError, TimeoutError, BrokenExecutor, BrokenThreadPool, BrokenProcessPool,
  }),
  multiprocessing: Object.freeze({ Process, Pool, AsyncResult, MapResult, Queue: MpQueue, currentProcess, cpuCount, ProcessError, TimeoutError: MpTimeoutError }),
  queue: Object.freeze({ Queue, LifoQueue, PriorityQueue, SimpleQueue, Empty, Full }),
  sharedctypes: { Value, RawValue, Array: SharedArrayOf, RawArray },
  time: publicOf(time, ["sleep", "perfCounter", "monotonic", "time"]),
  sys: publicOf(sys, ["exit", "SystemExit"]),
};

function publicOf(mod: object, names: string[]): object {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = (mod as Record<string, unknown>)[n];
  return Object.freeze(out);
}

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
