// multiprocessing's Queue: the one runtime object that processes can share.
// Processes share no memory, so its items live in the notebook's kernel
// (kernel/mpQueues.ts) and every operation is a request there: by rpc from a
// thread of the kernel's own process, passed on over IPC from a child. The
// queue itself is only its id, so it travels to threads, to child processes
// (in a Process's args, a Pool task's arguments, or as a top-level binding of
// the notebook) and through other queues. Items are copies, as Python pickles
// them; a get() that waits blocks only its own thread.
import { inspect } from "node:util";
import { job, rpc } from "../core/context";
import { PyTypeError, ValueError } from "../core/errors";
import { Empty, Full } from "../queue/queue";
import { decode, registerReviver, SHARE } from "../core/share";
import { hereLookup } from "../core/scope";
import { timeoutMs } from "../core/state";
import { blockedWhile } from "../core/blocking";
import { traced } from "../core/trace";
import { forProcess } from "./crossProcess";
import { Identities } from "../core/identities";
import type { QueueAnswer, QueueRequest } from "../../protocol/process";

function ask(request: QueueRequest): QueueAnswer {
  const call = () => rpc("mpQueue", { request });
  // a wait for ever, in the notebook's own process, is one the deadlock watch may judge (it does not while
  // a child process runs, which could still answer it); a child's threads cannot know what its parent will do
  const forever = (request.op === "get" || request.op === "put") && request.block && request.timeoutMs === null && !job().ctx.process;
  const op = request.op === "get" ? "mpget" : "mpput";
  const waits = (request.op === "get" || request.op === "put") && request.block && request.timeoutMs !== 0;
  const run = forever ? () => blockedWhile(request.queue, op, call) : call;
  const a = waits ? traced(request.queue, op, run) : run();
  if (a.kind === "gone") throw new ValueError("this Queue is gone: it belonged to a kernel that has been restarted");
  return a;
}

/** Python's rules for block/timeout: null for ever, else milliseconds (0: not at all). */
function waitFor(block: unknown, timeout: unknown): number | null {
  if (!block) return 0;
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new PyTypeError(`timeout must be a number of seconds, not ${typeof timeout}`);
  if (timeout < 0) throw new ValueError("'timeout' must be a non-negative number");
  return timeoutMs(timeout);
}

/** Each thread holds one object per queue, as it does for every runtime object. */
const live = new Identities<Queue>();

/**
 * Python's multiprocessing.Queue (`maxsize` 0: no limit): the queue that processes share, passed in a Process's args
 * or a Pool task's. Its items are copies of plain data (TypeError for runtime objects). It raises "queue"'s Empty, Full.
 */
export class Queue {
  /** Its kernel-wide id: the kernel keeps the items under it, and it travels as it. @internal */
  declare readonly id: number;
  /** The most items it holds at once; 0: no limit. */
  declare readonly maxsize: number;
  /** close() is this object's own, as in Python it is the closing process's. */
  declare private closed: boolean;

  constructor(maxsize: number = 0) {
    if (typeof maxsize !== "number" || Number.isNaN(maxsize)) throw new PyTypeError("maxsize must be a number");
    const size = Math.max(0, Math.trunc(maxsize));
    const made = ask({ op: "new", maxsize: size }) as Extract<QueueAnswer, { kind: "made" }>;
    setup(this, made.queue, size);
  }

  /** Puts a copy of item; waits for room (a queue with maxsize) unless block is false; Full at the timeout. */
  put(item: unknown, block: boolean = true, timeout?: number | null): void {
    this.open();
    const wait = waitFor(block, timeout);
    const a = ask({ op: "put", queue: this.id, item: forProcess(item, "the item"), block: wait !== 0, timeoutMs: wait });
    if (a.kind === "full") throw new Full();
  }

  /** Takes the oldest item; waits for one unless block is false; Empty at the timeout. */
  get(block: boolean = true, timeout?: number | null): unknown {
    this.open();
    const wait = waitFor(block, timeout);
    const a = ask({ op: "get", queue: this.id, block: wait !== 0, timeoutMs: wait });
    if (a.kind !== "item") throw new Empty();
    return decode(a.item, hereLookup());
  }

  /** put(item, false): raises Full when there is no room now. */
  putNowait(item: unknown): void {
    this.put(item, false);
  }
  /** get(false): raises Empty when there is no item now. */
  getNowait(): unknown {
    return this.get(false);
  }

  /** How many items are in the queue now (others may change that at once). */
  qsize(): number {
    return (ask({ op: "size", queue: this.id }) as Extract<QueueAnswer, { kind: "size" }>).size;
  }
  /** True when it holds no item now (another thread or process may change that at once). */
  empty(): boolean {
    return this.qsize() === 0;
  }
  /** True when a queue with a maxsize holds that many items now (that may change at once). */
  full(): boolean {
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** This object puts and gets no more (ValueError); the queue and other processes' hold on it are untouched, as in Python. */
  close(): void {
    this.closed = true;
  }

  toString(): string {
    return `<multiprocessing.Queue #${this.id}${this.maxsize > 0 ? ` maxsize=${this.maxsize}` : ""}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }

  private open(): void {
    if (this.closed) throw new ValueError(`Queue ${this} is closed`);
  }
}

function setup(q: Queue, id: number, maxsize: number): Queue {
  for (const [k, value] of Object.entries({ id, maxsize, closed: false })) Object.defineProperty(q, k, { value, writable: k === "closed" });
  // it travels as its id: no shared memory, so it can go to another process too (protocol/process: CROSSES_PROCESSES)
  Object.defineProperty(q, SHARE, { value: () => ({ kind: "MpQueue", data: { id, maxsize } }) });
  live.set(id, q);
  return q;
}

registerReviver("MpQueue", (data) => {
  const { id, maxsize } = data as { id: number; maxsize: number };
  return live.get(id) ?? setup(Object.create(Queue.prototype) as Queue, id, maxsize);
});
