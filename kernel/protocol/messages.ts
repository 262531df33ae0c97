import type { Timeline } from "./timeline";

// The one definition of every message that crosses a process boundary between
// the extension host (or the CLI) and the kernel process. The shapes of
// OutputRecord and CellResult are also the JSON of `concnb run --json`.

/** One piece of text written by one thread to one stream. */
export interface OutputRecord {
  stream: "stdout" | "stderr";
  /** The writing thread's name at the time of writing, e.g. "MainThread", "Thread-1 (worker)". */
  thread: string;
  /**
   * Text as written; may hold several lines, and need not end with a newline: a record that does not
   * end a line is continued by the next record of the same thread and stream (a line still being
   * written, a progress bar drawn with "\r").
   */
  text: string;
  /**
   * Set on the kernel's note that the cell passed its output line limit (thread is then ""): how many
   * lines were left out so far, and the file that holds the whole output.
   */
  omitted?: { lines: number; file: string };
}

export type CellStatus = "ok" | "error" | "timeout" | "interrupted";

/** Why a cell did not end ok, with a stable `name` (Python's exception name where there is one). */
export interface CellError {
  name: string;
  message: string;
  /** Python-style traceback text, frames pointing at cells ("cell 3", line 4). */
  traceback?: string;
}

export interface CellResult {
  status: CellStatus;
  durationMs: number;
  error?: CellError;
}

/**
 * The learner's limits for one kernel (VS Code settings, `concnb run` flags). A field left out takes
 * the kernel's default; the kernel process gets them at start, in CONCNB_KERNEL_OPTIONS (JSON).
 */
export interface KernelOptions {
  /** Lines of output a cell keeps (head and tail) before it leaves the middle out: `concnb.outputLineLimit`. */
  outputLineLimit?: number;
  /** Live threads a program may have at once; start() past it raises RuntimeError: `concnb.maxThreads`. */
  maxThreads?: number;
  /** Memory (MB) the kernel's threads may use in all, typed arrays included: `concnb.memoryBudgetMb`. */
  memoryBudgetMb?: number;
}

/** The environment variable that carries KernelOptions to the kernel process. */
export const KERNEL_OPTIONS_ENV = "CONCNB_KERNEL_OPTIONS";

/** KernelOptions from the kernel process's environment; anything malformed is left to the defaults. */
export function kernelOptionsFromEnv(env: NodeJS.ProcessEnv): KernelOptions {
  let raw: unknown;
  try {
    raw = JSON.parse(env[KERNEL_OPTIONS_ENV] ?? "{}");
  } catch {
    return {};
  }
  const out: KernelOptions = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const key of ["outputLineLimit", "maxThreads", "memoryBudgetMb"] as const) {
    const v = (raw as Record<string, unknown>)[key];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) out[key] = Math.floor(v);
  }
  return out;
}

/** What the kernel needs to run one code cell. */
export interface RunRequest {
  /** Unique per kernel; every message about this run carries it. */
  execId: number;
  /** How tracebacks name the cell, e.g. "cell 3". */
  cellLabel: string;
  source: string;
  /**
   * A program over the definitions of the cells run so far that adds none of
   * its own: the kernel forgets its definitions when it ends, so later cells
   * do not see it (the code lens "Run in thread" sends one).
   */
  ephemeral?: boolean;
  /** Send the run's timeline with its result (a deadlocked run's is sent anyway). */
  timeline?: boolean;
}

// ---- host → kernel --------------------------------------------------------
export type HostMessage =
  | ({ type: "run" } & RunRequest)
  /** Stops the run; `status` is how it is reported (the CLI's --timeout says "timeout"). */
  | { type: "interrupt"; execId: number; status?: "interrupted" | "timeout" }
  /** Asks for an earlier run's timeline: the kernel keeps the last few. */
  | { type: "timeline"; execId: number }
  | { type: "shutdown" };

// ---- kernel → host --------------------------------------------------------
export type KernelMessage =
  | { type: "ready"; pid: number }
  | { type: "output"; execId: number; records: OutputRecord[] }
  | { type: "done"; execId: number; result: CellResult; timeline?: Timeline }
  /** The answer to a host's "timeline": null when the kernel no longer has it. */
  | { type: "timeline"; execId: number; timeline: Timeline | null }
  /** The kernel cannot go on (e.g. out of memory); the host should restart it. */
  | { type: "fatal"; error: CellError };

const hostTypes = new Set(["run", "interrupt", "timeline", "shutdown"]);
const kernelTypes = new Set(["ready", "output", "done", "timeline", "fatal"]);

function hasType(m: unknown): m is { type: string } {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}

export function isHostMessage(m: unknown): m is HostMessage {
  return hasType(m) && hostTypes.has(m.type);
}

export function isKernelMessage(m: unknown): m is KernelMessage {
  return hasType(m) && kernelTypes.has(m.type);
}
