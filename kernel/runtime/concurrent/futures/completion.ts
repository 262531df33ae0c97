// asCompleted() and wait() of "concurrent.futures": watching many futures at
// once. Every future that finishes bumps one kernel-wide word (future.ts);
// a watcher reads the word, looks at its futures, and sleeps on the word only
// if none of them is new: a finish in between changes the word, so it is
// never missed.
import { globalSlots } from "../../core/context";
import { PyTypeError, ValueError } from "../../core/errors";
import { timeoutMs } from "../../core/state";
import { G } from "../../../protocol/layout";
import { wait as sleep } from "../../core/blocking";
import { Future, TimeoutError } from "./future";

/** wait()'s `returnWhen`: return as soon as any future is done (or cancelled). */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** wait()'s `returnWhen`: return when a future raises, or else when all are done. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** wait()'s `returnWhen`, the default: return when every future is done. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** The distinct futures of an iterable of futures, or of a Map whose keys are futures (the notes' {future: input}). */
function futuresOf<T>(fs: Iterable<Future<T>> | Map<Future<T>, unknown>): Future<T>[] {
  if (fs === null || typeof fs !== "object" || !(Symbol.iterator in fs)) throw new PyTypeError("expected an iterable of futures, or a Map whose keys are futures");
  const list = fs instanceof Map ? [...fs.keys()] : [...fs];
  for (const f of list) if (!(f instanceof Future)) throw new PyTypeError(`expected futures, got ${f === null ? "null" : typeof f}`);
  return [...new Set(list)];
}

/** Sleeps until some future finishes (anywhere) after `seen`, or the deadline; false on timeout. */
function sleepUntilAFinish(seen: number, deadline: number, on: Future): boolean {
  const left = deadline === Infinity ? Infinity : deadline - performance.now();
  if (left <= 0) return false;
  // finished() reads the count after it bumps the word: either it wakes us, or the word has changed
  Atomics.add(globalSlots, G.FutureWatchers, 1);
  try {
    sleep(globalSlots, G.FutureDone, seen, left, on.id, "result");
  } finally {
    Atomics.sub(globalSlots, G.FutureWatchers, 1);
  }
  return true;
}

/** Yields each future once, as it finishes (those already done first); TimeoutError says how many are left. */
export function* asCompleted<T>(fs: Iterable<Future<T>> | Map<Future<T>, unknown>, timeout?: number | null): Generator<Future<T>, void, undefined> {
  const all = futuresOf(fs);
  const ms = timeoutMs(timeout);
  const deadline = ms === Infinity ? Infinity : performance.now() + ms;
  let pending = all;
  while (pending.length > 0) {
    const seen = Atomics.load(globalSlots, G.FutureDone);
    const done = pending.filter((f) => f.done());
    if (done.length > 0) {
      pending = pending.filter((f) => !done.includes(f));
      for (const f of done) yield f;
      continue;
    }
    if (!sleepUntilAFinish(seen, deadline, pending[0])) {
      throw new TimeoutError(`${pending.length} (of ${all.length}) futures unfinished`);
    }
  }
}

/** What wait() takes after the futures: Python's keyword arguments, as an options object. */
export interface WaitOptions {
  /** Seconds to wait at most (omitted or null: no limit); then wait() returns what is done so far, without raising. */
  timeout?: number | null;
  /** When to return: FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED (the default). ValueError for another value. */
  returnWhen?: typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;
}

/** Blocks until the condition of returnWhen holds (or the timeout): { done, notDone }. */
export function wait<T>(fs: Iterable<Future<T>> | Map<Future<T>, unknown>, options: WaitOptions = {}): { done: Set<Future<T>>; notDone: Set<Future<T>> } {
  const all = futuresOf(fs);
  const { timeout = null, returnWhen = ALL_COMPLETED } = options ?? {};
  if (![FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED].includes(returnWhen)) throw new ValueError(`Invalid return condition: ${String(returnWhen)}`);
  const ms = timeoutMs(timeout);
  const deadline = ms === Infinity ? Infinity : performance.now() + ms;
  for (;;) {
    const seen = Atomics.load(globalSlots, G.FutureDone);
    const done = all.filter((f) => f.done());
    const enough =
      done.length === all.length ||
      (returnWhen === FIRST_COMPLETED && done.length > 0) ||
      (returnWhen === FIRST_EXCEPTION && done.some((f) => !f.cancelled() && f.exception(0) !== null));
    const notDone = all.filter((f) => !done.includes(f));
    if (enough || !sleepUntilAFinish(seen, deadline, notDone[0])) return { done: new Set(done), notDone: new Set(notDone) };
  }
}
