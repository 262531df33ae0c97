// asCompleted() and wait() of "concurrent.futures": watching many futures at
// once. Every future that finishes bumps one kernel-wide word (futures.ts);
// a watcher reads the word, looks at its futures, and sleeps on the word only
// if none of them is new: a finish in between changes the word, so it is
// never missed.
import { globalSlots } from "./context";
import { PyTypeError, ValueError } from "./errors";
import { timeoutMs } from "./state";
import { G } from "../protocol/layout";
import { wait as sleep } from "./blocking";
import { Future, TimeoutError } from "./futures";

export const FIRST_COMPLETED = "FIRST_COMPLETED";
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
export const ALL_COMPLETED = "ALL_COMPLETED";

/** The distinct futures of an iterable of futures, or of a Map whose keys are futures (the notes' {future: input}). */
function futuresOf(fs: Iterable<Future> | Map<Future, unknown>): Future[] {
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
export function* asCompleted(fs: Iterable<Future> | Map<Future, unknown>, timeout?: number | null): Generator<Future, void, undefined> {
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

export interface WaitOptions {
  timeout?: number | null;
  returnWhen?: typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;
}

/** Blocks until the condition of returnWhen holds (or the timeout): { done, notDone }. */
export function wait(fs: Iterable<Future> | Map<Future, unknown>, options: WaitOptions = {}): { done: Set<Future>; notDone: Set<Future> } {
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
