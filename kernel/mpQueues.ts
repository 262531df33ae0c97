// multiprocessing Queues, from the kernel's side. Processes share no memory,
// so a queue's items live in one place: the notebook's kernel, on its event
// loop, here. Every operation is a request: from the kernel's own threads by
// rpc (kernel/program.ts), from a child process over its IPC channel, passed
// on by each parent up to the kernel (QueueForwarder). A get that finds the
// queue empty (or a put that finds it full) waits here, and is answered when
// an item (or room) comes, or at its timeout. Items are kept encoded
// (runtime/core/share): copies, as they would be pickled in Python.
import type { QueueAnswer, QueueRequest } from "./protocol/process";

/** Who answers a program's Queue operations: the kernel's store, or (in a child) the parent. */
export interface QueueService {
  /** `owner` names the program that asks ("p3/"), prefixed by each process it came through ("c1234/p1/"). */
  request(owner: string, request: QueueRequest, answer: (a: QueueAnswer) => void): void;
  /** Drops the waiting requests of every owner under `prefix`: the threads that made them are gone. */
  cancel(prefix: string): void;
}

interface Waiter {
  owner: string;
  answer: (a: QueueAnswer) => void;
  timer: NodeJS.Timeout | null;
}

class Stored {
  private readonly items: unknown[] = [];
  private head = 0;
  readonly getters: Waiter[] = [];
  readonly putters: Array<Waiter & { item: unknown }> = [];
  constructor(readonly maxsize: number) {}

  get count(): number {
    return this.items.length - this.head;
  }
  get hasRoom(): boolean {
    return this.maxsize <= 0 || this.count < this.maxsize;
  }
  push(item: unknown): void {
    this.items.push(item);
  }
  shift(): unknown {
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // a long-lived queue must not keep every item it ever held
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}

export class QueueStore implements QueueService {
  private readonly queues = new Map<number, Stored>();
  private seq = 0;

  request(owner: string, r: QueueRequest, answer: (a: QueueAnswer) => void): void {
    if (r.op === "new") {
      this.queues.set(++this.seq, new Stored(r.maxsize));
      return answer({ kind: "made", queue: this.seq });
    }
    const q = this.queues.get(r.queue);
    if (!q) return answer({ kind: "gone" });
    switch (r.op) {
      case "size":
        return answer({ kind: "size", size: q.count });
      case "put": {
        const getter = q.getters.shift();
        if (getter) {
          // someone waits: the queue is empty, the item goes straight to them
          settle(getter, { kind: "item", item: r.item });
          return answer({ kind: "put" });
        }
        if (q.hasRoom) {
          q.push(r.item);
          return answer({ kind: "put" });
        }
        if (!r.block || r.timeoutMs === 0) return answer({ kind: "full" });
        return void q.putters.push(this.waiter(owner, answer, r.timeoutMs, q.putters, { kind: "full" }, { item: r.item }));
      }
      case "get": {
        if (q.count > 0) {
          const item = q.shift();
          for (let p = q.putters[0]; p && q.hasRoom; p = q.putters[0]) {
            q.putters.shift();
            q.push(p.item);
            settle(p, { kind: "put" });
          }
          return answer({ kind: "item", item });
        }
        if (!r.block || r.timeoutMs === 0) return answer({ kind: "empty" });
        return void q.getters.push(this.waiter(owner, answer, r.timeoutMs, q.getters, { kind: "empty" }, {}));
      }
    }
  }

  cancel(prefix: string): void {
    for (const q of this.queues.values()) {
      for (const list of [q.getters, q.putters] as Waiter[][]) {
        for (let i = list.length - 1; i >= 0; i--) {
          if (!list[i].owner.startsWith(prefix)) continue;
          if (list[i].timer) clearTimeout(list[i].timer!);
          list.splice(i, 1);
        }
      }
    }
  }

  /** Requests waiting now, in every queue (for tests and reports). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.getters.length + q.putters.length;
    return n;
  }

  /** The kernel is going: no wait is left pending. */
  dispose(): void {
    this.cancel("");
    this.queues.clear();
  }

  private waiter<W extends Waiter>(owner: string, answer: Waiter["answer"], timeoutMs: number | null, list: W[], onTimeout: QueueAnswer, extra: Omit<W, keyof Waiter>): W {
    const w = { owner, answer, timer: null, ...extra } as W;
    if (timeoutMs !== null) {
      w.timer = setTimeout(() => {
        const i = list.indexOf(w);
        if (i < 0) return;
        list.splice(i, 1);
        answer(onTimeout);
      }, timeoutMs);
    }
    return w;
  }
}

function settle(w: Waiter, a: QueueAnswer): void {
  if (w.timer) clearTimeout(w.timer);
  w.answer(a);
}

/** In a child process: its programs' Queue operations go to the parent, which answers (or asks its own parent). */
export class QueueForwarder implements QueueService {
  private seq = 0;
  private readonly pending = new Map<number, { owner: string; answer: (a: QueueAnswer) => void }>();

  constructor(private readonly send: (m: { type: "queue"; id: number; owner: string; request: QueueRequest } | { type: "queueCancel"; owner: string }) => void) {}

  request(owner: string, request: QueueRequest, answer: (a: QueueAnswer) => void): void {
    const id = ++this.seq;
    this.pending.set(id, { owner, answer });
    this.send({ type: "queue", id, owner, request });
  }

  cancel(prefix: string): void {
    let any = false;
    for (const [id, p] of this.pending) {
      if (!p.owner.startsWith(prefix)) continue;
      this.pending.delete(id);
      any = true;
    }
    if (any) this.send({ type: "queueCancel", owner: prefix });
  }

  /** The parent's answer to request `id`. */
  answer(id: number, a: QueueAnswer): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.answer(a);
  }
}
