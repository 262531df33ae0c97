// The one table of the synchronous calls a thread makes to the kernel: each
// operation's request and its reply. The worker blocks until the reply comes
// (runtime/core/context rpc); the kernel answers through a handler table typed by
// this one (kernel/programRpc), so the compiler checks that every operation
// has its handler and that every reply has the type its caller reads.
import type { PoolInit, QueueAnswer, QueueRequest, TaskMode, TaskOutcome } from "./process";
import type { EncodedValues, TargetSpec, ThreadDesc } from "./worker";

/** An exit handler registered by a thread other than main, run by the main thread at the end. */
export interface ExitHandlerSpec {
  seq: number;
  spec: TargetSpec;
  args: unknown[];
}

/** The operations; every request also carries the program's id (RpcCall). */
export interface RpcTable {
  /** threading.enumerate(): the program's live threads, after reading what threads sent before. */
  enumerate: { request: object; reply: ThreadDesc[] };
  /** The exit handlers other threads registered, taken once by the main thread at the end. */
  atexit: { request: object; reply: ExitHandlerSpec[] };
  /** The program's excepthook now (spec null: the default), after reading what threads sent before. */
  excepthook: { request: object; reply: { seq: number; spec: TargetSpec | null } };
  /** Shared memory met inside a value stored in a queue or future, by its kernel-wide id (runtime/core/transfer). */
  buffer: { request: { bufferId: number }; reply: SharedArrayBuffer };
  /** Every value stashed under `key`, once at least `count` have arrived. */
  take: { request: { key: string; count: number }; reply: unknown[] };
  /** fn over each chunk of items on a pool's worker processes, started if need be: the results in order. */
  poolMap: {
    request: { pool: number; size: number; mode: TaskMode; target: TargetSpec; chunks: unknown[][]; values: EncodedValues; init: PoolInit | null };
    reply: TaskOutcome;
  };
  /** The outcome of an applyAsync task that has ended. */
  poolResult: { request: { result: number }; reply: TaskOutcome };
  /** An operation on a multiprocessing Queue, answered when it can be. */
  mpQueue: { request: { request: QueueRequest }; reply: QueueAnswer };
  /** Kills a pool's workers and answers once they have exited. */
  poolTerminate: { request: { pool: number }; reply: null };
  /** Answers once every worker of the pool has exited. */
  poolJoin: { request: { pool: number }; reply: null };
}

export type RpcOp = keyof RpcTable;
export type RpcReply<K extends RpcOp> = RpcTable[K]["reply"];

/** The message of one call of `op`, as it crosses to the kernel. */
export type RpcCall<K extends RpcOp = RpcOp> = { [Op in K]: { type: "rpc"; id: number; op: Op; programId: number } & RpcTable[Op]["request"] }[K];

/** What answers every operation: one handler each, replying with the operation's reply type (now or later). */
export type RpcHandlers<Context> = { [K in RpcOp]: (call: RpcCall<K>, reply: (value: RpcReply<K>) => void, context: Context) => void };

/** The reply of a call, as it comes back on the worker's rpc port. */
export interface RpcReplyMessage {
  type: "rpcReply";
  id: number;
  value: unknown;
}

/** Calls the handler of `call.op`: the one place where an operation's name picks its handler. */
export function dispatchRpc<Context>(handlers: RpcHandlers<Context>, call: RpcCall, reply: (value: unknown) => void, context: Context): void {
  (handlers[call.op] as (c: RpcCall, r: (v: unknown) => void, x: Context) => void)(call, reply, context);
}
