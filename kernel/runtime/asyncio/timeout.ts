// asyncio.timeout, as a function taking the body: `await timeout(1, async () => { ... })`. Python's
// `async with asyncio.timeout(1):` has no faithful `await using` twin: a disposer cannot turn the body's
// CancelledError into TimeoutError (a throwing disposer makes a SuppressedError of both). The body runs as a
// task of its own, in the awaiting task's place: when the time is up that task is cancelled, and its
// CancelledError becomes TimeoutError here, as Python's __aexit__ does.
import { PyTypeError } from "../core/errors";
import { monotonic } from "../time";
import { TimeoutError } from "./errors";
import { Task } from "./task";

/** The deadline of a timeout() block (Python's Timeout): `when()`, `reschedule(when)`, `expired()`. */
export class Timeout {
  #when: number | null;
  #timer: NodeJS.Timeout | null = null;
  #expired = false;
  #task: Task | null = null;
  #over = false;

  /** @internal */
  constructor(when: number | null) {
    this.#when = when;
  }

  /** The deadline, in seconds of time.monotonic()'s clock (null: none). */
  when(): number | null {
    return this.#when;
  }

  /** Moves the deadline (null: none). A deadline already past expires the block at once. */
  reschedule(when: number | null): void {
    if (when !== null && (typeof when !== "number" || Number.isNaN(when))) throw new PyTypeError("when must be a number of seconds or null");
    this.#when = when;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#over || this.#expired || when === null || !this.#task) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, (when - monotonic()) * 1000));
  }

  /** True once the deadline passed and the block was cancelled. */
  expired(): boolean {
    return this.#expired;
  }

  /** @internal */
  async enter<R>(body: (cm: Timeout) => R | PromiseLike<R>): Promise<Awaited<R>> {
    const task = new Task<Awaited<R>>((async () => await body(this)) as () => Promise<Awaited<R>>);
    this.#task = task as unknown as Task;
    this.reschedule(this.#when);
    try {
      return await task;
    } catch (e) {
      if (this.#expired && task.cancelled()) throw new TimeoutError();
      throw e;
    } finally {
      this.#over = true;
      if (this.#timer) clearTimeout(this.#timer);
    }
  }

  #expire(): void {
    this.#timer = null;
    if (this.#over || !this.#task || this.#task.done()) return;
    this.#expired = true;
    this.#task.cancel();
  }

  toString(): string {
    return `<Timeout [${this.#over ? (this.#expired ? "expired" : "finished") : this.#expired ? "expiring" : "active"}] when=${this.#when}>`;
  }
}

/**
 * Runs `body` with a limit of `delay` seconds (null: none): `await timeout(1, async () => { ... })` gives the body's
 * value, or raises TimeoutError when the time ran out (the body is cancelled: its await rejects with CancelledError).
 */
export function timeout<R>(delay: number | null, body: (cm: Timeout) => R | PromiseLike<R>): Promise<Awaited<R>> {
  if (delay !== null && (typeof delay !== "number" || Number.isNaN(delay))) throw new PyTypeError("timeout() takes a number of seconds or null");
  if (typeof body !== "function") throw new PyTypeError("timeout(delay, body) takes the body as a function: timeout(1, async () => { ... })");
  return new Timeout(delay === null ? null : monotonic() + delay).enter(body);
}

/** timeout() with an absolute deadline, in seconds of time.monotonic()'s clock (Python's timeout_at). */
export function timeoutAt<R>(when: number | null, body: (cm: Timeout) => R | PromiseLike<R>): Promise<Awaited<R>> {
  if (when !== null && (typeof when !== "number" || Number.isNaN(when))) throw new PyTypeError("timeoutAt() takes a number of seconds or null");
  if (typeof body !== "function") throw new PyTypeError("timeoutAt(when, body) takes the body as a function");
  return new Timeout(when).enter(body);
}
