// The prelude of the threading conformance cells (Thread, Timer, Event,
// Barrier, local, excepthook, atexit), on support.ts's runner and helpers,
// with their own outcome() (it keeps the message), check() and runThreads().
import { strict as assert } from "node:assert";
import { cellWith, HELPERS } from "./support";

export { assertWaited } from "./support";

export const PRELUDE = `import { Thread, Timer, Event, Barrier, BrokenBarrierError, Lock, RLock, BoundedSemaphore, local,
  currentThread, mainThread, enumerate, activeCount, getIdent, getNativeId, excepthook, setExcepthook,
  TIMEOUT_MAX } from "threading";
import { Value, Array as SharedArray } from "sharedctypes";
import { sleep, monotonic } from "time";
import { exit } from "sys";
import { register } from "atexit";
${HELPERS}/** What calling f did: its value, or the Python name and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e), message: (e as Error)?.message }; }
}
/** Records a failed expectation (in any thread) for mocha to show. */
function check(ok: boolean, what: string): void { if (!ok) report("fail", currentThread().name + ": " + what); }
/** Python's lock_tests.Bunch, joined: n threads run f, and f runs here too when alsoHere (BarrierTests.run_threads). */
function runThreads(f: () => unknown, n: number, alsoHere = false): void {
  const ts = Array.from({ length: n }, () => new Thread({ target: f }));
  ts.forEach((t) => t.start());
  if (alsoHere) f();
  ts.forEach((t) => t.join());
}
`;

/** Runs PRELUDE + body as one cell (see support.ts's cellWith). */
export const cell = cellWith(PRELUDE);

/** The 1-based line of the cell (prelude included) whose text contains needle. */
export function lineOf(source: string, needle: string): number {
  const i = source.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line contains ${needle}`);
  return i + 1;
}

/** What an outcome() reported, in short: the error's name, or `ok:` and the value as JSON. */
export function short(o: { ok?: unknown; err?: string }): string {
  return o.err !== undefined ? o.err : `ok:${JSON.stringify(o.ok)}`;
}
