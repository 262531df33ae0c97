// Op: the awaitable of a wait this module makes (a sleep, a lock's acquire, a queue's get). As a Python
// coroutine, it does nothing until it is awaited: its first then() starts it, in the context of whoever awaits
// it, and registers it there, so that cancelling that task rejects the await with CancelledError and undoes the
// wait (a timer cleared, a place in a queue of waiters given up). Later then() calls share its outcome.
import { register } from "./context";
import { CancelledError } from "./errors";

/** Begins a wait: settles it through resolve or reject, and returns what undoes it if it is cancelled first. */
export type Start<T> = (resolve: (value: T) => void, reject: (error: unknown) => void) => (() => void) | void;

/** An awaitable wait of asyncio's (what its coroutines return): started when first awaited, cancellable. */
export class Op<T> implements PromiseLike<T> {
  #start: Start<T> | null;
  #promise: Promise<T> | null = null;

  /** @internal */
  constructor(start: Start<T>) {
    this.#start = start;
  }

  /** What makes `await` work: starts the wait (the first time) and settles with its outcome. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#begin().then(onfulfilled, onrejected);
  }

  #begin(): Promise<T> {
    if (this.#promise) return this.#promise;
    const start = this.#start!;
    this.#start = null;
    this.#promise = new Promise<T>((resolve, reject) => {
      let settled = false;
      let undo: (() => void) | void = undefined;
      let unregister: (() => void) | null = null;
      const finish =
        <V>(f: (v: V) => void) =>
        (v: V) => {
          if (settled) return;
          settled = true;
          unregister?.();
          f(v);
        };
      try {
        undo = start(finish(resolve), finish(reject));
      } catch (e) {
        finish(reject)(e);
      }
      if (settled) return;
      unregister = register({
        cancel: (message) => {
          if (settled) return false;
          settled = true;
          undo?.();
          reject(new CancelledError(message));
          return true;
        },
      });
    });
    return this.#promise;
  }
}
