// What the conformance cells share: the helpers cells (and their threads)
// call, the running of a cell, and the reading of what it reports. A cell
// reports values as `@@[key, value]` lines, so assertions live in mocha and
// failures say which value was wrong. Each suite's prelude (its imports, and
// helpers of its own) is PRELUDE here for locks, conditions and semaphores,
// threadingCells.ts's for the rest of "threading".
import { strict as assert } from "node:assert";
import type { TestKernel, Ran } from "../support/kernel";

/** Top-level functions of every prelude (so threads can call them too); they need Thread, Value, sleep and monotonic. */
export const HELPERS = `function report(key: string, value: unknown): void { console.log("@@" + JSON.stringify([key, value === undefined ? null : value])); }
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
`;

/** The prelude of the lock, condition and semaphore suites. */
export const PRELUDE = `import { Thread, Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event, TIMEOUT_MAX } from "threading";
import { Value, Array as SharedArray } from "sharedctypes";
import { sleep, monotonic } from "time";
/** What calling f did: its value, or the Python name of what it threw. */
function outcome(f: () => unknown): { ok: unknown } | { err: string } {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e) }; }
}
${HELPERS}/** Runs f in a new thread with args, and waits for it. */
function inThread(f: (...a: any[]) => unknown, ...args: unknown[]): void { const t = new Thread({ target: f, args }); t.start(); t.join(); }
/** Whether another thread can take lock l now (it gives it back at once). */
function otherCanTake(l: any): boolean {
  const got = new Value("i", -1);
  inThread((l: any, got: Value) => { const ok = l.acquire(false); got.value = ok ? 1 : 0; if (ok) l.release(); }, l, got);
  return got.value === 1;
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

/** A runner of prelude + body as one cell, which checks that it ended as expected, with no failed check() (a "fail" report). */
export function cellWith(prelude: string): (k: TestKernel, body: string, options?: CellOptions) => Promise<Reports> {
  return async (k, body, { stderr = false, status = "ok" } = {}) => {
    const source = prelude + body;
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
  };
}

/** Runs PRELUDE + body as one cell (see cellWith). */
export const cell = cellWith(PRELUDE);

/** A timed wait that gave up: at least the timeout (never early), and not absurdly late. */
export function assertWaited(seconds: number, timeout: number, what = "the wait"): void {
  assert.ok(seconds >= timeout, `${what} returned after ${seconds}s, before its ${timeout}s timeout`);
  assert.ok(seconds < timeout + 3, `${what} took ${seconds}s for a ${timeout}s timeout`);
}
