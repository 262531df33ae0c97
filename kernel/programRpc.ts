// The kernel's answers to the synchronous calls of a program's threads: one
// handler per operation of protocol/rpc's table, so the compiler checks that
// each is answered, and with the reply type its caller reads.
import type { RpcHandlers } from "./protocol/rpc";
import type { ExitHandlerSpec } from "./protocol/rpc";
import type { TargetSpec, ThreadDesc } from "./protocol/worker";
import type { WorkerPool } from "./pool";
import type { ProgramProcesses } from "./programProcesses";

/** What a program shows its RPC handlers. */
export interface RpcContext {
  pool: WorkerPool;
  processes: ProgramProcesses;
  /** Takes in what the program's threads sent before this call (a thread they started, a handler they registered). */
  drain(): void;
  liveThreads(): ThreadDesc[];
  takeExitHandlers(): ExitHandlerSpec[];
  excepthook(): { seq: number; spec: TargetSpec | null };
}

export const programRpc: RpcHandlers<RpcContext> = {
  // each worker has its own port: what other threads sent before this must be read first, and must count
  enumerate: (_, reply, p) => {
    p.drain();
    reply(p.liveThreads());
  },
  atexit: (_, reply, p) => {
    p.drain();
    reply(p.takeExitHandlers());
  },
  excepthook: (_, reply, p) => {
    p.drain();
    reply(p.excepthook());
  },
  buffer: (m, reply, p) => p.pool.store.whenBuffer(m.bufferId, reply),
  take: (m, reply, p) => p.pool.store.take(m.key, m.count, reply),
  poolMap: (m, reply, p) => p.processes.poolMap(m, reply),
  poolResult: (m, reply, p) => p.processes.poolResult(m, reply),
  poolTerminate: (m, reply, p) => p.processes.poolEnd(m, reply),
  poolJoin: (m, reply, p) => p.processes.poolEnd(m, reply),
  mpQueue: (m, reply, p) => p.processes.mpQueue(m, reply),
};
