// What the threading conformance cells share: a prelude of imports and
// helpers (top-level functions, so threads can call them too), and the
// reading of what a cell reports. A cell reports values as `@@[key, value]`
// lines; assertions live in mocha, so a failure names the value that was wrong.
import { strict as assert } from "node:assert";
import type { Ran, TestKernel } from "../support/kernel";

export const PRELUDE = `import { Thread, Timer, Event, Barrier, BrokenBarrierError, Lock, RLock, BoundedSemaphore, local,
  currentThread, mainThread, enumerate, activeCount, getIdent, getNativeId, excepthook, setExcepthook,
  TIMEOUT_MAX } from "threading";
import { Value, Array as SharedArray } from "sharedctypes";
import { sleep, monotonic } from "time";
import { exit } from "sys";
import { register } from "atexit";
function report(key: string, value: unknown): void { console.log("@@" + JSON.stringify([key, value === undefined ? null : value])); }
/** What calling f did: its value, or the Python name and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e), message: (e as Error)?.message }; }
}
/** Records a failed expectation (in any thread) for mocha to show. */
function check(ok: boolean, what: string): void { if (!ok) report("fail", currentThread().name + ": " + what); }
/** Polls shared state that no runtime object signals (a Value, nWaiting, liveness), with a deadline. */
function waitUntil(done: () => boolean, what: string, seconds = 10): void {
  const end = monotonic() + seconds;
  while (!done()) {
    if (monotonic() > end) throw new Error("timed out waiting until " + what);
    sleep(0.001);
  }
}
/** Adds to a shared Value under its lock; returns the new value. */
function inc(v: Value, by = 1): number { using _ = v.getLock().hold(); v.value = (v.value as number) + by; return v.value as number; }
/** Python's lock_tests.Bunch, joined: n threads run f, and f runs here too when alsoHere (BarrierTests.run_threads). */
function runThreads(f: () => unknown, n: number, alsoHere = false): void {
  const ts = Array.from({ length: n }, () => new Thread({ target: f }));
  ts.forEach((t) => t.start());
  if (alsoHere) f();
  ts.forEach((t) => t.join());
}
`;

export interface Reports {
  ran: Ran;
  /** The full source the cell ran (prelude included), to find the lines tracebacks name. */
  source: string;
  /** The one value reported under key (fails if there is none or several). */
  get(key: string): any;
  /** Every value reported under key, in the order they were written. */
  all(key: string): any[];
}

export interface CellOptions {
  /** Allow stderr output (else any, such as a thread's exception, fails the test). */
  stderr?: boolean;
  /** The status the cell must end with. */
  status?: string;
}

/** Runs PRELUDE + body as one cell and checks that it ended as expected, with no failed check(). */
export async function cell(k: TestKernel, body: string, { stderr = false, status = "ok" }: CellOptions = {}): Promise<Reports> {
  const source = PRELUDE + body;
  const ran = await k.run(source);
  assert.equal(ran.result.status, status, `${ran.result.error?.name}: ${ran.result.error?.traceback ?? ran.result.error?.message ?? ""}\n${ran.text("stderr")}`);
  if (!stderr) assert.equal(ran.text("stderr"), "", "the cell or one of its threads wrote to stderr");
  const pairs = ran
    .lines("stdout")
    .filter(([, l]) => l.startsWith("@@"))
    .map(([, l]) => JSON.parse(l.slice(2)) as [string, unknown]);
  const all = (key: string) => pairs.filter(([key2]) => key2 === key).map(([, v]) => v);
  assert.deepEqual(all("fail"), [], "checks inside the cell failed");
  return {
    ran,
    source,
    all,
    get(key) {
      const vs = all(key);
      assert.equal(vs.length, 1, `expected one report of ${key}, got ${JSON.stringify(vs)}`);
      return vs[0];
    },
  };
}

/** The 1-based line of the cell (prelude included) whose text contains needle. */
export function lineOf(source: string, needle: string): number {
  const i = source.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line contains ${needle}`);
  return i + 1;
}

/** A timed wait that gave up: never before its timeout, and not absurdly late. */
export function assertWaited(seconds: number, timeout: number, what = "the wait"): void {
  assert.ok(seconds >= timeout, `${what} returned after ${seconds}s, before its ${timeout}s timeout`);
  assert.ok(seconds < timeout + 3, `${what} took ${seconds}s for a ${timeout}s timeout`);
}

/** What an outcome() reported, in short: the error's name, or `ok:` and the value as JSON. */
export function short(o: { ok?: unknown; err?: string }): string {
  return o.err !== undefined ? o.err : `ok:${JSON.stringify(o.ok)}`;
}
