// The one definition of every message that crosses a process boundary between
// the extension host (or the CLI) and the kernel process. The shapes of
// OutputRecord and CellResult are also the JSON of `concnb run --json`.

/** One piece of text written by one thread to one stream. */
export interface OutputRecord {
  stream: "stdout" | "stderr";
  /** The writing thread's name at the time of writing, e.g. "MainThread", "Thread-1 (worker)". */
  thread: string;
  /** Text as written; may hold several lines, and need not end with a newline. */
  text: string;
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
}

// ---- host → kernel --------------------------------------------------------
export type HostMessage =
  | ({ type: "run" } & RunRequest)
  | { type: "interrupt"; execId: number }
  | { type: "shutdown" };

// ---- kernel → host --------------------------------------------------------
export type KernelMessage =
  | { type: "ready"; pid: number }
  | { type: "output"; execId: number; records: OutputRecord[] }
  | { type: "done"; execId: number; result: CellResult }
  /** The kernel cannot go on (e.g. out of memory); the host should restart it. */
  | { type: "fatal"; error: CellError };

const hostTypes = new Set(["run", "interrupt", "shutdown"]);
const kernelTypes = new Set(["ready", "output", "done", "fatal"]);

function hasType(m: unknown): m is { type: string } {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}

export function isHostMessage(m: unknown): m is HostMessage {
  return hasType(m) && hostTypes.has(m.type);
}

export function isKernelMessage(m: unknown): m is KernelMessage {
  return hasType(m) && kernelTypes.has(m.type);
}
