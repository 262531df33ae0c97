// What a worker knows about the job it is running: the program, the thread
// it is, how to reach the kernel. One worker runs one job at a time, so this
// is plain module state.
import { workerData, receiveMessageOnPort } from "node:worker_threads";
import type { FromWorker, ProgramContext, ThreadDesc, WorkerBoot } from "../../protocol/worker";
import type { RpcCall, RpcOp, RpcReply, RpcReplyMessage, RpcTable } from "../../protocol/rpc";

export const boot = workerData as WorkerBoot;
export const globalSlots = new Int32Array(boot.global);
const rpcFlag = new Int32Array(boot.rpcFlag);

interface Current {
  ctx: ProgramContext;
  programSlots: Int32Array;
  desc: ThreadDesc;
  /** The Thread object that is this thread (set by threading when the job starts). */
  thread: unknown;
}
let current: Current | null = null;

export function setCurrent(ctx: ProgramContext, desc: ThreadDesc, thread: unknown): void {
  current = { ctx, programSlots: new Int32Array(ctx.shared), desc, thread };
}

export function job(): Current {
  if (!current) throw new Error("no program is running in this worker");
  return current;
}

export function send(m: FromWorker): void {
  boot.outPort.postMessage(m);
}

let rpcSeq = 0;
/**
 * Asks the kernel and blocks this thread for its answer (the kernel's event loop is never busy with user
 * code). The operation's request and reply types are protocol/rpc's table.
 */
export function rpc<K extends RpcOp>(op: K, request: RpcTable[K]["request"]): RpcReply<K> {
  const id = ++rpcSeq;
  Atomics.store(rpcFlag, 0, 0);
  send({ ...request, type: "rpc", id, op, programId: job().ctx.programId } as RpcCall);
  for (;;) {
    Atomics.wait(rpcFlag, 0, 0);
    const got = receiveMessageOnPort(boot.rpcPort);
    if (!got) {
      Atomics.store(rpcFlag, 0, 0);
      continue;
    }
    const reply = got.message as RpcReplyMessage;
    if (reply.id === id) return reply.value as RpcReply<K>;
  }
}
