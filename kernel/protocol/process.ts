// The one definition of the messages between a multiprocessing child
// (kernel/processMain.ts) and the kernel that started it (kernel/processes.ts).
// They cross Node's IPC channel with "advanced" serialization (structured
// clone), so everything here is structured-clonable and holds no shared memory.
import type { CellError, CellResult, OutputRecord } from "./messages";
import type { ChainLink, TargetSpec } from "./worker";

/** How a pool task calls its function on its items: map: fn(item); apply: fn(...args), one call per item. */
export type TaskMode = "map" | "apply";

/** What the caller of a pool's work gets: every result in order, or the first failure. */
export type TaskOutcome = { results: unknown[] } | { error: CellError };

/** Int32 slots of an AsyncResult's memory (runtime/mpPool), written by the kernel when its task ends. */
export const enum AsyncSlot {
  State = 0,
  Size = 2,
}
export const enum AsyncState {
  Pending = 0,
  Done = 1,
  Failed = 2,
}

// ---- parent → child ---------------------------------------------------------
export type ToChild =
  /** Be a Process: run target(...args) as a program of its own, then exit with its exit code. */
  | { type: "run"; name: string; chain: ChainLink[]; target: TargetSpec; args: unknown }
  /** Be a pool's worker: run tasks as they come, one at a time, until "stop" (or until the parent is gone). */
  | { type: "serve"; name: string; chain: ChainLink[] }
  /** One task (the parent sends one only to a worker that has none): fn over the items (encoded), results back in order. */
  | { type: "task"; id: number; target: TargetSpec; mode: TaskMode; items: unknown[] }
  /** Finish the task in hand, then exit 0. */
  | { type: "stop" };

// ---- child → parent ---------------------------------------------------------
export type FromChild =
  | { type: "records"; records: OutputRecord[] }
  /** A Process's program is over (the child exits next). */
  | { type: "done"; result: CellResult }
  /** A task is over: `value` is the results (encoded) when `result` is ok. */
  | { type: "taskDone"; id: number; result: CellResult; value?: unknown };

