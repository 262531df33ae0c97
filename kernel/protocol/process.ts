// The one definition of the messages between a multiprocessing child
// (kernel/processMain.ts) and the kernel that started it (kernel/processes.ts).
// They cross Node's IPC channel with "advanced" serialization (structured
// clone), so everything here is structured-clonable and holds no shared memory.
import type { CellError, CellResult, OutputRecord } from "./messages";
import type { ChainLink, Chunk, TargetSpec } from "./worker";
import type { Timeline } from "./timeline";

/** How a pool task calls its function on its items: map: fn(item); apply: fn(...args), one call per item. */
export type TaskMode = "map" | "apply";

/**
 * A pool's initializer: each worker process runs target(...args) once, before its first task, and its
 * tasks see the globals it set. `executor`: a ProcessPoolExecutor's, whose failure makes the pool a
 * broken one (BrokenProcessPool); else a Pool's (its tasks fail with ProcessError).
 */
export interface PoolInit {
  target: TargetSpec;
  /** Encoded for another process (runtime/multiprocessing/crossProcess forProcess). */
  args: unknown;
  executor: boolean;
}

/** What the caller of a pool's work gets: every result in order, or the first failure. */
export type TaskOutcome = { results: unknown[] } | { error: CellError };

/**
 * Kinds of runtime object that may be given to another process: their handles
 * (runtime/core/share) hold an id and no shared memory (see runtime/multiprocessing/queue).
 */
export const CROSSES_PROCESSES: readonly string[] = ["MpQueue"];

/**
 * An operation on a multiprocessing Queue. Its items live in the notebook's
 * kernel (kernel/mpQueues.ts): a thread asks by rpc, a child process over its
 * IPC channel (its parent asks on, up to the kernel). `timeoutMs` null: wait
 * for ever; a blocking get or put is answered when it can be, or at its timeout.
 */
export type QueueRequest =
  | { op: "new"; maxsize: number }
  | { op: "put"; queue: number; item: unknown; block: boolean; timeoutMs: number | null }
  | { op: "get"; queue: number; block: boolean; timeoutMs: number | null }
  | { op: "size"; queue: number };
export type QueueAnswer =
  | { kind: "made"; queue: number }
  | { kind: "put" }
  | { kind: "item"; item: unknown }
  | { kind: "size"; size: number }
  | { kind: "empty" }
  | { kind: "full" }
  /** No queue of this id in this kernel. */
  | { kind: "gone" };

// ---- parent → child ---------------------------------------------------------
/**
 * What a child runs, compiled by the process that starts it (kernel/childPrograms), so that no child
 * loads the compiler; or the compile error there was instead.
 */
export type ChildProgram = { full: Chunk; defs: Chunk; error?: undefined } | { error: CellError; full?: undefined; defs?: undefined };

export type ToChild =
  /** Be a Process: run its target(...args) (the program) as a program of its own, then exit with its exit code. */
  | { type: "run"; name: string; chain: ChainLink[]; program: ChildProgram; args: unknown }
  /**
   * Be a pool's worker: run the initializer if there is one, then tasks as they come, one at a time,
   * until "stop" (or until the parent is gone).
   */
  | { type: "serve"; name: string; chain: ChainLink[]; init: { program: ChildProgram; args: unknown } | null }
  /** One task (the parent sends one only to a worker that has none): fn over the items (encoded), results back in order. */
  | { type: "task"; id: number; program: ChildProgram; items: unknown[] }
  /** Finish the task in hand, then exit 0. */
  | { type: "stop" }
  /** The answer to the child's "queue" request of this id. */
  | { type: "queueReply"; id: number; answer: QueueAnswer };

// ---- child → parent ---------------------------------------------------------
export type FromChild =
  | { type: "records"; records: OutputRecord[] }
  /** A Process's program is over (the child exits next); with what its threads did, for the parent's timeline. */
  | { type: "done"; result: CellResult; timeline?: Timeline }
  /**
   * A task is over: `value` is the results (encoded) when `result` is ok. `timeline`: what the worker's threads did
   * in it, the worker's main thread as lane WORKER_LANE with its idle wait for the task before it (kernel/timeline).
   */
  | { type: "taskDone"; id: number; result: CellResult; value?: unknown; timeline?: Timeline }
  /** The worker's initializer raised (its traceback is already on the worker's stderr): the worker exits next. */
  | { type: "initFailed"; error: CellError }
  /** A Queue operation of one of the child's programs (`owner`: "p3/", or deeper for the child's own children). */
  | { type: "queue"; id: number; owner: string; request: QueueRequest }
  /** The requests of `owner` (a prefix) still waiting are void: the threads that made them are gone. */
  | { type: "queueCancel"; owner: string };

