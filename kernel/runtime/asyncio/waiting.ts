// Waiting on awaitables with a limit: waitFor (one, cancelled when its time runs out), wait (many, by
// FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED) and asCompleted (many, in the order they finish).
import { inspect } from "node:util";
import { PyTypeError, ValueError } from "../core/errors";
import { TimeoutError } from "./errors";
import { Future } from "./future";
import { Op } from "./op";
import { ensureFuture } from "./task";

/** wait() returns as soon as one awaitable is done. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** wait() returns as soon as one awaitable raised (or, if none does, when all are done). */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** wait() returns when every awaitable is done (the default). */
export const ALL_COMPLETED = "ALL_COMPLETED";

function checkTimeout(timeout: unknown): void {
  if (timeout !== null && timeout !== undefined && (typeof timeout !== "number" || Number.isNaN(timeout))) {
    throw new PyTypeError(`timeout must be a number of seconds or null, not ${inspect(timeout)}`);
  }
}

/**
 * Waits for `aw` (run as a task) up to `timeout` seconds (null: no limit). When the time runs out, the task is
 * cancelled, its end awaited, and TimeoutError raised. A timeout of 0 or less times out at once unless aw is done.
 */
export async function waitFor<T>(aw: PromiseLike<T>, timeout: number | null): Promise<Awaited<T>> {
  checkTimeout(timeout);
  const fut = ensureFuture(aw) as Future<Awaited<T>>;
  if (timeout === null || timeout === undefined) return await fut;
  let timedOut = false;
  const expire = () => {
    timedOut = true;
    fut.cancel();
  };
  if (fut.done()) return fut.result();
  const h = timeout <= 0 ? null : setTimeout(expire, timeout * 1000);
  if (h === null) expire();
  try {
    return await fut;
  } catch (e) {
    if (timedOut && fut.cancelled()) throw new TimeoutError();
    throw e;
  } finally {
    if (h !== null) clearTimeout(h);
  }
}

/** What wait() gives: the futures done, and those not done. */
export interface WaitResult<T = unknown> {
  /** The futures (tasks) done when wait() returned. */
  done: Set<Future<T>>;
  /** Those still pending: wait() cancels nothing. */
  notDone: Set<Future<T>>;
}

/**
 * Waits for the awaitables (each run as a task) until `returnWhen` (ALL_COMPLETED by default) or `timeout` seconds;
 * gives `{ done, notDone }` as Sets of tasks and cancels nothing. ValueError for none, or an unknown returnWhen.
 */
export function wait<T>(
  aws: Iterable<PromiseLike<T>>,
  options: { timeout?: number | null; returnWhen?: string } = {},
): Op<WaitResult<Awaited<T>>> {
  const { timeout = null, returnWhen = ALL_COMPLETED } = options ?? {};
  checkTimeout(timeout);
  if (aws === null || typeof aws !== "object" || !(Symbol.iterator in aws)) throw new PyTypeError("wait() takes an iterable of awaitables");
  if (![FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED].includes(returnWhen)) throw new ValueError(`Invalid return_when value: ${returnWhen}`);
  const fs = new Set([...aws].map((a) => ensureFuture(a) as Future<Awaited<T>>));
  if (fs.size === 0) throw new ValueError("Set of Tasks/Futures is empty.");
  const split = (): WaitResult<Awaited<T>> => ({ done: new Set([...fs].filter((f) => f.done())), notDone: new Set([...fs].filter((f) => !f.done())) });
  const enough = () => {
    const done = [...fs].filter((f) => f.done());
    if (returnWhen === FIRST_COMPLETED) return done.length > 0;
    if (returnWhen === FIRST_EXCEPTION && done.some((f) => !f.cancelled() && f.exception() !== null)) return true;
    return done.length === fs.size;
  };
  return new Op((resolve) => {
    if (enough()) return resolve(split());
    const check = () => {
      if (!enough()) return;
      stop();
      resolve(split());
    };
    const h = timeout === null ? null : setTimeout(() => (stop(), resolve(split())), Math.max(0, timeout) * 1000);
    const stop = () => {
      if (h !== null) clearTimeout(h);
      for (const f of fs) f.removeDoneCallback(check);
    };
    for (const f of fs) f.addDoneCallback(check);
    return stop;
  });
}

/**
 * The awaitables' outcomes in the order they finish: `for (const next of asCompleted(aws)) console.log(await next)`.
 * Each awaitable it yields gives the next outcome to finish (its value, or throws its exception); once `timeout`
 * seconds have passed, the rest throw TimeoutError.
 */
export function asCompleted<T>(aws: Iterable<PromiseLike<T>>, timeout: number | null = null): Generator<Op<Awaited<T>>, void, undefined> {
  checkTimeout(timeout);
  if (aws === null || typeof aws !== "object" || !(Symbol.iterator in aws)) throw new PyTypeError("asCompleted() takes an iterable of awaitables");
  const fs = [...new Set([...aws].map((a) => ensureFuture(a) as Future<Awaited<T>>))];
  const finished: Array<Future<Awaited<T>>> = [];
  const takers: Array<(f: Future<Awaited<T>> | null) => void> = [];
  let expired = false;
  const h = timeout === null || fs.length === 0 ? null : setTimeout(() => {
    expired = true;
    for (const t of takers.splice(0)) t(null);
  }, Math.max(0, timeout) * 1000);
  let left = fs.length;
  for (const f of fs) {
    f.addDoneCallback(() => {
      if (--left === 0 && h !== null) clearTimeout(h);
      const t = takers.shift();
      if (t) t(f);
      else finished.push(f);
    });
  }
  return (function* outcomes() {
    for (let i = 0; i < fs.length; i++) {
      yield new Op<Awaited<T>>((resolve, reject) => {
        const settle = (f: Future<Awaited<T>> | null) => {
          if (f === null) return reject(new TimeoutError());
          try {
            resolve(f.result());
          } catch (e) {
            reject(e);
          }
        };
        const f = finished.shift();
        if (f) return settle(f);
        if (expired) return settle(null);
        takers.push(settle);
        return () => {
          const at = takers.indexOf(settle);
          if (at >= 0) takers.splice(at, 1);
        };
      });
    }
  })();
}
