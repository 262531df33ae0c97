// A program's multiprocessing, routed: the Processes and Pools its threads
// start and the multiprocessing Queues they share. The messages and calls that
// reach them come here from the program's one dispatcher; none starts a
// process once the program has begun to end (its processes are being killed).
import type { FromWorker } from "./protocol/worker";
import type { RpcCall, RpcReply } from "./protocol/rpc";
import { ChildProcesses } from "./processes";
import type { QueueService } from "./mpQueues";

type Routed = Extract<FromWorker, { type: "process" | "poolStart" | "poolApply" | "poolClose" }>;

export class ProgramProcesses {
  constructor(
    readonly children: ChildProcesses,
    private readonly queues: QueueService,
    /** How this program's threads are named to the Queue store (see QueueService). */
    private readonly owner: string,
    /** True once the program has begun to end. */
    private readonly closing: () => boolean,
  ) {}

  onMessage(m: Routed): void {
    switch (m.type) {
      case "process":
        if (this.closing()) this.children.neverStarted("process", m.state);
        else this.children.start(m);
        break;
      case "poolStart":
        if (!this.closing()) this.children.pool(m.pool, m.size, m.values, m.init).fill();
        break;
      case "poolApply":
        if (this.closing()) this.children.neverStarted("task", m.state);
        else this.children.apply(this.children.pool(m.pool, m.size, m.values, m.init), m.target, m.args, m.result, m.state);
        break;
      case "poolClose":
        this.children.existingPool(m.pool)?.close();
        break;
    }
  }

  poolMap(m: RpcCall<"poolMap">, reply: (r: RpcReply<"poolMap">) => void): void {
    if (this.closing()) return; // from a thread being stopped: no process may start after the program's are killed
    this.children.map(this.children.pool(m.pool, m.size, m.values, m.init), m.pool, m.mode, m.target, m.chunks, reply);
  }

  poolResult(m: RpcCall<"poolResult">, reply: (r: RpcReply<"poolResult">) => void): void {
    reply(this.children.result(m.result));
  }

  /** Answers once the pool's workers have exited; `terminate` kills them first. */
  poolEnd(m: RpcCall<"poolTerminate" | "poolJoin">, reply: (r: null) => void): void {
    const pool = this.children.existingPool(m.pool);
    if (m.op === "poolTerminate") pool?.terminate();
    if (pool) pool.whenExited(() => reply(null));
    else reply(null);
  }

  mpQueue(m: RpcCall<"mpQueue">, reply: (r: RpcReply<"mpQueue">) => void): void {
    // a thread being stopped with the program asks no more: its wait would take an item from the next cell
    if (!this.closing()) this.queues.request(this.owner, m.request, reply);
  }

  /** The program's threads that waited on a multiprocessing Queue are gone. */
  cancelQueues(): void {
    this.queues.cancel(this.owner);
  }
}
