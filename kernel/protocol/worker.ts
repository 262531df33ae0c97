// The one definition of the messages between the kernel's host side (which
// owns the worker pool) and the runtime inside each worker. They cross a
// thread boundary by postMessage, so everything here is structured-clonable.
import type { CellError } from "./messages";
import type { PoolInit } from "./process";
import type { RpcCall } from "./rpc";

/**
 * Per generated line (0-based), a flat list of [generatedColumn, sourceLine]
 * pairs (both 0-based), sorted by column: a source map cut down to what
 * tracebacks need, compact enough to post to every worker.
 */
export type LineTable = number[][];

/** The async function a cell's program runs in (the compiler names it; tracebacks call it <module>). */
export const CELL_FUNCTION = "__concnb_cell__";

/** A compiled piece of a cell, evaluated in a worker by direct eval. */
export interface Chunk {
  /** Unique sourceURL; stack frames are mapped back to the cell through it. */
  url: string;
  /** "cell 3": how tracebacks name the cell. */
  label: string;
  code: string;
  /** Generated line → line of the generated TypeScript; see lineOffset. */
  lines: LineTable;
  /** Lines the wrapper adds before the cell's first line. */
  lineOffset: number;
  /** The cell's own text, to quote the failing line in tracebacks. */
  source: string;
}

/** A chunk's url: its cell, which of the cell's two chunks, and the compile's number (trace records name a chunk by it). */
export function chunkUrl(label: string, part: "full" | "defs", id: number): string {
  return `concnb://${encodeURIComponent(label)}/${part}/${id}`;
}

/** The number a chunk's url ends with (see chunkUrl); 0 for none. */
export function chunkNumber(url: string): number {
  const n = Number(url.slice(url.lastIndexOf("/") + 1));
  return Number.isInteger(n) ? n : 0;
}

/** One executed cell as later cells and threads see it: its definitions and the values of its bindings. */
export interface ChainLink {
  /** Unique for every executed cell run: a worker holding a link by id holds exactly these definitions. */
  id: string;
  /** The cell's label: re-running the last cell replaces its link. */
  key: string;
  defs: Chunk;
  /** Encoded (see runtime/core/share) values of the cell's top-level bindings: as the last cell run left them. */
  values: EncodedValues;
  /** Which values these are (absent: the first ones, named by `id`); a later cell that changes them gives a new one. */
  valuesId?: string;
  /**
   * Set when the run did not define everything (it failed, or was stopped): the names left out of `defs`, and
   * why, as a clause ("cell 2 failed before defining it (...)") that a ReferenceError for one of them gets.
   */
  lost?: { names: string[]; why: string };
  /** What the cell's definitions name, for the kernel to tell which bindings a later cell can reach (kernel/mainUses). */
  reads?: DefsReads;
}

/**
 * The identifiers in a cell's definitions: `eager`, those of the definitions that run where they stand (a class's
 * static parts, an enum); `lazy`, per function, those of its text, which matter only if something names the function.
 */
export interface DefsReads {
  eager: string[];
  lazy: Record<string, string[]>;
}

/**
 * Bindings of the earlier cells that differ from the kernel's values (ChainLink.values): per link of the
 * chain, a record of those bindings (encoded together, so that an object two bindings share stays one), or
 * null for none. Empty when nothing differs.
 */
export type ChainValues = Array<EncodedValues | null>;

/** Per link a worker already holds: the kernel's newer values for it, or null if the worker has these. */
export type ChainRebase = Array<{ valuesId: string; values: EncodedValues } | null>;

/** The names each of the runtime's modules exports ("threading" → ["Thread", ...]), as the runtime reports them. */
export type ModuleExports = Record<string, string[]>;

/** name → encoded value; produced and consumed only by runtime/core/share. */
export type EncodedValues = Record<string, unknown>;

/**
 * A big binding's encoded value as the kernel keeps it (runtime/core/share's encodeKept): V8's serialization of it,
 * in shared memory, so that it is copied neither into the kernel nor into the threads that are only passed it
 * on; a thread that reads the binding parses it. Only in a ChainLink's values, as one whole binding.
 */
export interface StoredValue {
  __concnb_shared__: "stored";
  bytes: SharedArrayBuffer;
  /** The bytes are an array of numbers as float64s (a Float64Array's), not V8's serialization. */
  numbers?: true;
}

/** Bindings smaller than this (runtime/core/memory's approxBytes) are kept as they are: a message copies them at once. */
export const STORE_MIN_BYTES = 1 << 20;

export function isStored(v: unknown): v is StoredValue {
  return v !== null && typeof v === "object" && (v as Partial<StoredValue>).__concnb_shared__ === "stored";
}

/** A thread as every worker sees it; `state` is shared memory, so all copies agree. */
export interface ThreadDesc {
  ident: number;
  name: string;
  daemon: boolean;
  /** Int32Array view: slots T of protocol/layout. */
  state: SharedArrayBuffer;
  isMain: boolean;
}

/** What a thread runs: a function (found by name in the notebook, else re-made from its source) or a subclass's run(). */
export interface TargetSpec {
  name: string;
  source: string;
}

export interface ProgramContext {
  programId: number;
  /** Int32Array view: slots P of protocol/layout. */
  shared: SharedArrayBuffer;
  /** Ids of the earlier cells' links, oldest first. */
  chainIds: string[];
  /** The links the worker does not hold yet: chainIds[chainFrom..], in order. */
  chain: ChainLink[];
  chainFrom: number;
  /** For the links the worker already holds (chainIds[..chainFrom]): values newer than the ones it has. */
  chainRebase?: ChainRebase;
  /** The program's main thread. */
  main: ThreadDesc;
  /** The cell being run: its full program, and its definitions for threads. */
  full: Chunk;
  defs: Chunk;
  /** Set when this program is a multiprocessing child: its name and its target's (encoded) arguments. */
  process?: { name: string; args: unknown };
}

export type Job =
  | { kind: "main"; ctx: ProgramContext; thread: ThreadDesc }
  | {
      kind: "thread";
      /**
       * null: the context of the worker's last job, which was of the same program, with nothing new in the chain.
       * A thread's start then ships no chunks and no shared buffers but its own (most of its cost, copied).
       */
      ctx: ProgramContext | null;
      thread: ThreadDesc;
      /** The Thread object, encoded (subclass fields included). */
      self: unknown;
      target: TargetSpec | null;
      args: unknown[];
      kwargs: unknown;
      /** The starting thread's view of the current cell's bindings. */
      values: EncodedValues;
      /** Where the starting thread's view of the earlier cells' bindings, at start(), differs from the kernel's values. */
      chainValues: ChainValues;
    };

/** The top-level names a thread's code can reach (runtime/core/uses), null for all: only those bindings are copied into it. */
export type Uses = string[] | null;

/** The bindings of `values` that a thread using `uses` (null: all) is given. */
export function pickValues<V>(values: Record<string, V>, uses: ReadonlySet<string> | readonly string[] | null): Record<string, V> {
  if (uses === null) return values;
  const has: ReadonlySet<string> = Array.isArray(uses) ? new Set(uses) : (uses as ReadonlySet<string>);
  const out: Record<string, V> = {};
  for (const k of Object.keys(values)) if (has.has(k)) out[k] = values[k];
  return out;
}

// ---- kernel → worker --------------------------------------------------------
export type ToWorker =
  | { type: "job"; job: Job };

// ---- worker → kernel --------------------------------------------------------
export type FromWorker =
  /** A synchronous call: the worker blocks until the kernel answers on its rpc port (see protocol/rpc). */
  | RpcCall
  /** The worker has loaded the runtime; `exports` is what its modules export (the compiler checks imports against it). */
  | { type: "ready"; exports: ModuleExports }
  /** Start a thread: the kernel finds it a worker. */
  | {
      type: "start";
      programId: number;
      thread: ThreadDesc;
      self: unknown;
      target: TargetSpec | null;
      args: unknown[];
      kwargs: unknown;
      values: EncodedValues;
      chainValues: ChainValues;
      uses: Uses;
    }
  /** The main program finished: its code, the wait for non-daemon threads, exit handlers. */
  /** `values`: the cell's bindings at the end; `chainValues`: what it left in the earlier cells' that differs from the kernel's. */
  /** `defined`: the cell's top-level names its run got to define (all of them, unless it failed). */
  | { type: "mainDone"; error?: CellError; exitCode: number; values: EncodedValues; chainValues: ChainValues; defined: string[] }
  /** The worker's job is over and it can take another. */
  | { type: "jobDone"; chainIds: string[]; valuesIds: string[] }
  /** A runtime object was made: what it is and where, for deadlock reports; `state` is its shared memory. */
  | { type: "object"; id: number; kind: string; state: SharedArrayBuffer; where: Where | null }
  /** A thread has waited a while with no timeout: on what (an object id, or a code of runtime/core/blocking), where. */
  | { type: "blocked"; ident: number; on: number; op: string; seq: number; where: Where | null }
  /** threading.setExcepthook(): the program's hook from now on (spec null: the default); `seq` orders the calls. */
  | { type: "excepthook"; programId: number; seq: number; spec: TargetSpec | null }
  /** Keeps a value under `key` for a thread that takes it later (a future's callbacks, a program's executors). */
  | { type: "stash"; key: string; value: unknown }
  /** Shared memory that values stored as bytes refer to: the kernel keeps it for threads that meet its id. */
  | { type: "buffer"; id: number; buffer: SharedArrayBuffer }
  /** Start a multiprocessing child running target(...args); `state` is the Process object's shared memory. */
  | { type: "process"; programId: number; name: string; daemon: boolean; state: SharedArrayBuffer; target: TargetSpec; args: unknown; values: EncodedValues }
  /** A Pool was made: its `size` worker processes start now, on the starting thread's view of the cell's values, each running `init` first. */
  | { type: "poolStart"; programId: number; pool: number; size: number; values: EncodedValues; init: PoolInit | null }
  /**
   * Pool.applyAsync(): fn(...args) as one task on the pool's workers; its end is written into `state` (the
   * AsyncResult's memory, see AsyncSlot) and its outcome kept under `result` for "poolResult".
   */
  | { type: "poolApply"; programId: number; pool: number; size: number; target: TargetSpec; args: unknown[]; values: EncodedValues; init: PoolInit | null; result: number; state: SharedArrayBuffer }
  /** Pool.close(), an executor's shutdown: the pool's workers exit once the work queued is done. */
  | { type: "poolClose"; programId: number; pool: number }
  /** An exit handler registered by a thread other than main: the main thread runs it at the end. */
  | { type: "atexit"; programId: number; seq: number; spec: TargetSpec; args: unknown[] };

/** A line of a cell, as a traceback frame shows it. */
export interface Where {
  label: string;
  line: number;
  fn: string;
  code: string;
}

/** workerData of every pool worker. */
/** WorkerBoot.retire's values. */
export const enum Retire {
  Fit = 0,
  Unfit = 1,
  Checking = 2,
}

export interface WorkerBoot {
  /** Kernel-wide counters (thread idents, ...): slots G of protocol/layout. */
  global: SharedArrayBuffer;
  /** Kernel-wide growable memory for small shared objects made in bulk (futures): see Arena in protocol/layout. */
  arena: SharedArrayBuffer;
  /** The memory budget's figures (see protocol/memory), and this worker's slot in them (-1: none). */
  memory: SharedArrayBuffer;
  memorySlot: number;
  /** Int32Array(1): the kernel stores 1 and notifies when an rpc reply is on rpcPort. */
  rpcFlag: SharedArrayBuffer;
  rpcPort: import("node:worker_threads").MessagePort;
  /**
   * Int32Array(1), a RETIRE value: whether the worker's last job left something a later job would see (a changed
   * global or built-in, a resource it cannot cancel). The check runs after jobDone, while the worker is idle; the
   * pool does not give it another job until it is done, and retires it instead if it found something.
   */
  retire: SharedArrayBuffer;
  /** All worker → kernel messages go here (not parentPort) so the kernel can drain them synchronously. */
  outPort: import("node:worker_threads").MessagePort;
  /** What the worker's threads print: see protocol/outputRing. */
  outRing: SharedArrayBuffer;
  /** What its thread does, for the timeline: TR of protocol/layout. */
  trace: SharedArrayBuffer;
  /** False only for the benchmarks' "recording off" figures (CONCNB_TRACE=off): the timeline is always on. */
  tracing: boolean;
}
