// What the conformance cells share: a prelude of imports and helpers that
// cells (and their threads) call, and the parsing of what they report. A cell
// reports values as `@@[key, value]` lines, so assertions live in mocha and
// failures say which value was wrong.
import { strict as assert } from "node:assert";
import type { TestKernel, Ran } from "../support/kernel";

/** Every cell starts with this. Threads reach these helpers as top-level functions of the cell. */
export const PRELUDE = `import { Thread, Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, TIMEOUT_MAX } from "threading";
import { Value, Array as SharedArray } from "sharedctypes";
import { sleep, monotonic } from "time";
/** What calling f did: its value, or the Python name of what it threw. */
function outcome(f: () => unknown): { ok: unknown } | { err: string } {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e) }; }
}
function report(key: string, value: unknown): void { console.log("@@" + JSON.stringify([key, value])); }
/** Polls shared state (a Value, a thread's liveness) that no runtime object signals. */
function waitUntil(done: () => boolean, what: string, seconds = 10): void {
  const end = monotonic() + seconds;
  while (!done()) {
    if (monotonic() > end) throw new Error("timed out waiting until " + what);
    sleep(0.001);
  }
}
/** Adds to a shared Value under its lock; returns the new value. */
function inc(v: Value, by = 1): number { using _ = v.getLock().hold(); v.value = (v.value as number) + by; return v.value as number; }
/** Runs f in a new thread with args, and waits for it. */
function inThread(f: (...a: any[]) => unknown, ...args: unknown[]): void { const t = new Thread({ target: f, args }); t.start(); t.join(); }
`;

export interface Reports {
  ran: Ran;
  /** The one value reported under key (fails if there is none or several). */
  get(key: string): any;
  /** Every value reported under key, in the order they were written. */
  all(key: string): any[];
}

/** Runs PRELUDE + body as one cell; it must end ok and write nothing to stderr (a thread's exception would). */
export async function cell(k: TestKernel, body: string, { stderr = false } = {}): Promise<Reports> {
  const ran = await k.run(PRELUDE + body);
  assert.equal(ran.result.status, "ok", `${ran.result.error?.name}: ${ran.result.error?.traceback ?? ""}\n${ran.text("stderr")}`);
  if (!stderr) assert.equal(ran.text("stderr"), "", "the cell or one of its threads wrote to stderr");
  const pairs = ran
    .lines("stdout")
    .filter(([, l]) => l.startsWith("@@"))
    .map(([, l]) => JSON.parse(l.slice(2)) as [string, unknown]);
  const all = (key: string) => pairs.filter(([k]) => k === key).map(([, v]) => v);
  return {
    ran,
    all,
    get(key) {
      const vs = all(key);
      assert.equal(vs.length, 1, `expected one report of ${key}, got ${JSON.stringify(vs)}`);
      return vs[0];
    },
  };
}

/** A timed wait that gave up: at least the timeout (never early), and not absurdly late. */
export function assertWaited(seconds: number, timeout: number, what = "the wait"): void {
  assert.ok(seconds >= timeout, `${what} returned after ${seconds}s, before its ${timeout}s timeout`);
  assert.ok(seconds < timeout + 3, `${what} took ${seconds}s for a ${timeout}s timeout`);
}
