// "queue": Python's Queue, LifoQueue, PriorityQueue and SimpleQueue on
// shared memory. Any thread that holds the queue (through args, a top-level
// binding, another queue) puts and gets without a message to anyone: the
// items live as bytes in a growable shared buffer (records.ts), guarded by a
// futex mutex; waits for an item, for room or for the last taskDone are
// sequence words a waiter sleeps on, so a wake-up between releasing the mutex
// and sleeping is never lost. Items are copies; runtime objects inside them
// (locks, queues, futures) stay the same objects.
import { inspect } from "node:util";
import { define, PyTypeError, ValueError } from "../core/errors";
import { lockMutex, unlockMutex } from "../threading/locks";
import { Records, newRecordBuffer } from "./records";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { spinWhile, wait } from "../core/blocking";
import { notifyTraced, traced } from "../core/trace";
import type { TraceOp } from "../../protocol/layout";
import { pack, unpack } from "../core/transfer";

/** Raised by get() or getNowait() when no item comes in time (multiprocessing's Queue raises it too). */
export const Empty = define("Empty");
/** Raised by put() or putNowait() when a queue with a maxsize has no room in time (multiprocessing's Queue too). */
export const Full = define("Full");

/** Int32 slots of a queue's control memory (slot 0 is the mutex, as runtime/threading/locks lays it out). */
const enum Q {
  Mutex = 0,
  /** Threads asleep in join(), get() and put(): a wake-up is sent only when someone sleeps. */
  Joiners = 1,
  Count = 3,
  Head = 4,
  Tail = 5,
  Unfinished = 6,
  /** Bumped on every put / get / last taskDone: the words waiters sleep on. */
  NotEmpty = 7,
  NotFull = 8,
  AllDone = 9,
  Getters = 10,
  Putters = 11,
  Size = 12,
}

type Order = "fifo" | "lifo" | "priority";

interface Internal {
  view: Int32Array;
  records: Records;
  maxsize: number;
  order: Order;
}
const I = Symbol("concnb.queue");

/** Python's rules for block/timeout: ms to wait (0: not at all, Infinity: for ever). */
function waitMs(block: unknown, timeout: unknown): number {
  if (!block) return 0;
  if (timeout === undefined || timeout === null) return Infinity;
  if (typeof timeout !== "number") throw new PyTypeError(`timeout must be a number of seconds, not ${typeof timeout}`);
  if (timeout < 0) throw new ValueError("'timeout' must be a non-negative number");
  return timeoutMs(timeout);
}

/** What every queue of "queue" can do. Items are copies; runtime objects in them (locks, queues, ...) stay shared. */
class BaseQueue {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  /** @internal */
  declare [I]: Internal;

  protected init(kind: string, order: Order, maxsize: number): void {
    if (typeof maxsize !== "number" || Number.isNaN(maxsize)) throw new PyTypeError("maxsize must be a number");
    const state = allocate(kind, Q.Size);
    setup(this, kind, state, { data: newRecordBuffer(), maxsize: Math.max(0, Math.trunc(maxsize)), order });
  }

  /** The most items the queue holds at once; 0: no limit. */
  get maxsize(): number {
    return this[I].maxsize;
  }

  /** How many items are in the queue now (another thread may change that at once). */
  qsize(): number {
    return Atomics.load(this[I].view, Q.Count);
  }
  /** True when the queue holds no item now (that may change at once). */
  empty(): boolean {
    return this.qsize() === 0;
  }
  /** True when a queue with a maxsize holds that many items now (that may change at once). */
  full(): boolean {
    const { maxsize } = this[I];
    return maxsize > 0 && this.qsize() >= maxsize;
  }

  /**
   * Adds a copy of item, waiting while the queue is full: up to `timeout` seconds (omitted or null: no limit), or not
   * at all when `block` is false. Raises Full when no room comes in time, ValueError for a negative timeout, and, in a
   * PriorityQueue, TypeError for an item that cannot be compared with the others.
   */
  put(item: unknown, block: boolean = true, timeout?: number | null): void {
    const bytes = pack(item); // before the mutex: copying the item may take a while
    const { view, records, maxsize, order } = this[I];
    const ms = waitMs(block, timeout);
    const deadline = performance.now() + ms;
    lockMutex(view, Infinity, this.id, "put");
    try {
      if (maxsize > 0 && view[Q.Count] >= maxsize) {
        traced(this.id, "put", () => {
          while (maxsize > 0 && view[Q.Count] >= maxsize) {
            const left = ms === Infinity ? Infinity : deadline - performance.now();
            if (left <= 0) throw new Full();
            sleepOn(this, Q.NotFull, left, "put");
          }
        });
      }
      // Python's heap push compares the new item as it goes in: an item that cannot be ordered fails here, in put
      if (order === "priority" && view[Q.Count] > 0) compare(item, unpack(records.read(view[Q.Head]).item));
      const at = records.append(view[Q.Head], view[Q.Tail], bytes);
      view[Q.Head] = at.head;
      view[Q.Tail] = at.tail;
      Atomics.add(view, Q.Count, 1);
      view[Q.Unfinished]++;
      wake(this.id, "put", view, Q.NotEmpty, 1);
    } finally {
      unlockMutex(view);
    }
  }

  /**
   * Removes and returns the next item, waiting while there is none: up to `timeout` seconds (omitted or null: no
   * limit), or not at all when `block` is false. Raises Empty when no item comes in time, ValueError for a negative
   * timeout.
   */
  get(block: boolean = true, timeout?: number | null): unknown {
    const { view } = this[I];
    const ms = waitMs(block, timeout);
    const deadline = performance.now() + ms;
    let bytes: Uint8Array;
    lockMutex(view, Infinity, this.id, "get");
    try {
      if (view[Q.Count] === 0 && ms > 0) {
        traced(this.id, "get", () => {
          while (view[Q.Count] === 0) {
            const left = ms === Infinity ? Infinity : deadline - performance.now();
            if (left <= 0) throw new Empty();
            sleepOn(this, Q.NotEmpty, left, "get");
          }
        });
      }
      if (view[Q.Count] === 0) throw new Empty();
      bytes = this.take();
      Atomics.sub(view, Q.Count, 1);
      if (view[Q.Count] === 0) view[Q.Head] = view[Q.Tail] = 0;
      wake(this.id, "get", view, Q.NotFull, 1);
    } finally {
      unlockMutex(view);
    }
    return unpack(bytes);
  }

  /** put(item, false): raises Full when there is no room now. */
  putNowait(item: unknown): void {
    this.put(item, false);
  }
  /** get(false): raises Empty when there is no item now. */
  getNowait(): unknown {
    return this.get(false);
  }

  /** Removes the next item by this queue's order; the caller holds the mutex and knows there is one. */
  private take(): Uint8Array {
    const { view, records, order } = this[I];
    const head = view[Q.Head];
    const tail = view[Q.Tail];
    if (order === "fifo") {
      const r = records.read(head);
      view[Q.Head] = r.next;
      return r.item;
    }
    if (order === "lifo") {
      const at = records.startOfLast(tail);
      view[Q.Tail] = at;
      return records.read(at).item;
    }
    // priority: the smallest item, by Python's ordering; a linear scan keeps the bytes in one run
    let best = records.read(head);
    let bestAt = head;
    let bestValue = unpack(best.item);
    for (let at = best.next; at < tail; ) {
      const r = records.read(at);
      const v = unpack(r.item);
      if (compare(v, bestValue) < 0) {
        best = r;
        bestAt = at;
        bestValue = v;
      }
      at = r.next;
    }
    view[Q.Tail] = records.remove(bestAt, best.next, tail);
    return best.item;
  }

  toString(): string {
    return `<${this.constructor.name} #${this.id}: ${this.qsize()} items>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

const sleepers = (slot: Q) => (slot === Q.NotEmpty ? Q.Getters : slot === Q.NotFull ? Q.Putters : Q.Joiners);
const SPIN_US = 50;

/** Sleeps on a sequence word with the mutex let go, and takes the mutex back. */
function sleepOn(q: BaseQueue, slot: Q, ms: number, op: string): void {
  const view = q[I].view;
  const seq = Atomics.load(view, slot);
  view[sleepers(slot)]++;
  unlockMutex(view);
  try {
    if (!spinWhile(view, slot, seq, Math.min(SPIN_US, ms * 1000))) wait(view, slot, seq, ms, q.id, op);
  } finally {
    lockMutex(view, Infinity, q.id, "acquire");
    view[sleepers(slot)]--;
  }
}

/** Bumps a sequence word, waking up to n sleepers (the caller holds the mutex, so the count is true): `op`'s hand-off. */
function wake(id: number, op: TraceOp, view: Int32Array, slot: Q, n: number): void {
  Atomics.add(view, slot, 1);
  if (view[sleepers(slot)] > 0) notifyTraced(id, op, view, slot, n);
}

/**
 * Python's queue.Queue: first in, first out, shared by every thread that holds it. `maxsize` (0 by default, or less:
 * no limit) bounds it; taskDone() and join() let a producer wait until every item has been handled.
 */
export class Queue extends BaseQueue {
  constructor(maxsize: number = 0) {
    super();
    this.init(new.target.name === "Queue" ? "Queue" : new.target.name, orderOf(new.target), maxsize);
  }

  /** A consumer says one item got by get() is fully processed. Raises ValueError when called more times than items were put. */
  taskDone(): void {
    const { view } = this[I];
    lockMutex(view, Infinity, this.id, "acquire");
    try {
      const left = view[Q.Unfinished] - 1;
      if (left < 0) throw new ValueError("taskDone() called too many times");
      view[Q.Unfinished] = left;
      if (left === 0) wake(this.id, "set", view, Q.AllDone, Infinity);
    } finally {
      unlockMutex(view);
    }
  }

  /** Blocks until every item ever put has had its taskDone(). */
  join(): void {
    const { view } = this[I];
    lockMutex(view, Infinity, this.id, "join");
    try {
      if (view[Q.Unfinished] > 0) traced(this.id, "join", () => {
        while (view[Q.Unfinished] > 0) sleepOn(this, Q.AllDone, Infinity, "join");
      });
    } finally {
      unlockMutex(view);
    }
  }

  /** Items put and not yet marked done by taskDone() (Python's `unfinished_tasks`); join() waits for 0. */
  get unfinishedTasks(): number {
    return Atomics.load(this[I].view, Q.Unfinished);
  }
}

/** Python's queue.LifoQueue: a Queue whose get() gives the newest item first (last in, first out), as a stack does. */
export class LifoQueue extends Queue {}
/**
 * Python's queue.PriorityQueue: a Queue whose get() gives the smallest item first, by Python's ordering: numbers,
 * strings, or arrays compared item by item (Python's tuples, e.g. `[priority, task]`). Other items: TypeError.
 */
export class PriorityQueue extends Queue {}

/** Python's queue.SimpleQueue. No size limit, no task tracking: put never blocks. */
export class SimpleQueue extends BaseQueue {
  constructor() {
    super();
    this.init("SimpleQueue", "fifo", 0);
  }
  /** Adds a copy of item. It never blocks: block and timeout are taken, as Python takes them, and ignored. */
  override put(item: unknown, _block: boolean = true, _timeout?: number | null): void {
    super.put(item);
  }
}

function orderOf(cls: Function): Order {
  let p: unknown = cls;
  while (typeof p === "function") {
    if (p === PriorityQueue) return "priority";
    if (p === LifoQueue) return "lifo";
    p = Object.getPrototypeOf(p);
  }
  return "fifo";
}

const classes: Record<string, Function> = { Queue, LifoQueue, PriorityQueue, SimpleQueue };

interface Extra {
  data: SharedArrayBuffer;
  maxsize: number;
  order: Order;
}

function setup(q: BaseQueue, kind: string, state: SharedState, extra: Extra): BaseQueue {
  hidden(q, { id: state.id });
  Object.defineProperty(q, I, {
    value: { view: new Int32Array(state.buffer), records: new Records(extra.data), maxsize: extra.maxsize, order: extra.order } satisfies Internal,
  });
  return adopt(q, "Queue", state, () => ({ ...extra, kind }));
}
defineKind("Queue", (state, extra, lookup) => {
  const e = extra as Extra & { kind: string };
  const cls = classes[e.kind] ?? (lookup(e.kind) as Function | undefined) ?? Queue;
  return setup(Object.create(cls.prototype as object) as BaseQueue, e.kind, state, e);
});

/**
 * Python's `<` for what a priority queue holds: numbers with numbers, strings
 * with strings, arrays (Python's tuples) item by item; anything else cannot
 * be ordered, as in Python.
 */
export function compare(a: unknown, b: unknown): number {
  if ((typeof a === "number" || typeof a === "bigint" || typeof a === "boolean") && (typeof b === "number" || typeof b === "bigint" || typeof b === "boolean")) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new PyTypeError(`'<' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`);
}

function pyType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (Array.isArray(v)) return "tuple";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "object") {
    const cls = v.constructor?.name;
    return !cls || cls === "Object" ? "dict" : cls === "Map" ? "dict" : cls;
  }
  return typeof v;
}
