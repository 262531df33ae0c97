// asyncio.Queue: a FIFO queue for tasks of one thread (not for threads: that is "queue"). put() waits while it
// is full, get() while it is empty, on the event loop. An item goes straight to the first waiting getter, and a
// waiting putter's item straight into the queue when room is made, so a cancelled wait loses no item.
import { PyTypeError, ValueError } from "../core/errors";
import { QueueEmpty, QueueFull } from "./errors";
import { Waiters } from "./locks";
import { Op } from "./op";

/** Python's asyncio.Queue(maxsize = 0): `await put(x)`, `await get()`, putNowait, getNowait, taskDone, `await join()`. */
export class Queue<T = unknown> {
  #maxsize: number;
  #items: T[] = [];
  #getters: Array<(item: T) => void> = [];
  #putters: Array<{ item: T; done: (v: undefined) => void }> = [];
  #unfinished = 0;
  #joiners = new Waiters();

  /** maxsize 0 or less: no limit. */
  constructor(maxsize = 0) {
    if (typeof maxsize !== "number" || !Number.isInteger(maxsize)) throw new PyTypeError("maxsize must be an integer");
    this.#maxsize = maxsize;
  }

  /** Its limit (0 or less: none). */
  get maxsize(): number {
    return this.#maxsize;
  }
  /** How many items it holds. */
  qsize(): number {
    return this.#items.length;
  }
  /** True when it holds nothing. */
  empty(): boolean {
    return this.#items.length === 0;
  }
  /** True when it holds maxsize items (never for a queue without a limit). */
  full(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  /** Puts item, waiting while the queue is full. */
  put(item: T): Op<undefined> {
    return new Op<undefined>((resolve) => {
      if (!this.full() && this.#putters.length === 0) {
        this.#add(item);
        return resolve(undefined);
      }
      const p = { item, done: resolve };
      this.#putters.push(p);
      return () => {
        const at = this.#putters.indexOf(p);
        if (at >= 0) this.#putters.splice(at, 1);
      };
    });
  }

  /** Puts item now; QueueFull when the queue is full. */
  putNowait(item: T): void {
    if (this.full()) throw new QueueFull();
    this.#add(item);
  }

  /** Takes the first item, waiting while the queue is empty. */
  get(): Op<T> {
    return new Op<T>((resolve) => {
      if (this.#items.length > 0) return resolve(this.#take());
      this.#getters.push(resolve);
      return () => {
        const at = this.#getters.indexOf(resolve);
        if (at >= 0) this.#getters.splice(at, 1);
      };
    });
  }

  /** Takes the first item now; QueueEmpty when the queue is empty. */
  getNowait(): T {
    if (this.#items.length === 0) throw new QueueEmpty();
    return this.#take();
  }

  /** Says a task taken with get() is finished; join() returns when every item put is. ValueError if called too often. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new ValueError("task_done() called too many times");
    if (--this.#unfinished === 0) this.#joiners.wakeAll(true);
  }

  /** Waits until every item put has been got and its taskDone() called. */
  async join(): Promise<void> {
    await this.#joiners.wait(() => (this.#unfinished === 0 ? true : undefined));
  }

  #add(item: T): void {
    this.#unfinished++;
    const getter = this.#getters.shift();
    if (getter) getter(item);
    else this.#items.push(item);
  }

  #take(): T {
    const item = this.#items.shift() as T;
    // room made: the first waiting putter's item goes in
    const p = this.#putters.shift();
    if (p) {
      this.#add(p.item);
      p.done(undefined);
    }
    return item;
  }

  toString(): string {
    return `<asyncio.queues.Queue maxsize=${this.#maxsize} qsize=${this.#items.length}>`;
  }
}
