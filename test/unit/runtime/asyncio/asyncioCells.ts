// The prelude of the asyncio conformance cells, on support.ts's runner and helpers: report() lines for mocha,
// outcome() for what an await did (its value, or the Python name of what it threw).
import { cellWith } from "../support";

export const PRELUDE = `import * as asyncio from "asyncio";
import { run, sleep, gather, createTask, waitFor, wait, asCompleted, timeout, toThread, Task, currentTask,
  Lock, Event, Condition, Semaphore, BoundedSemaphore, Queue, TimeoutError, CancelledError, QueueEmpty, QueueFull,
  InvalidStateError, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from "asyncio";
function report(key: string, value: unknown): void { console.log("@@" + JSON.stringify([key, value === undefined ? null : value])); }
/** What awaiting p did: its value, or the Python name of what it threw. */
async function outcome(p: PromiseLike<unknown> | (() => unknown)): Promise<{ ok: unknown } | { err: string }> {
  try { const v = await (typeof p === "function" ? p() : p); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e) }; }
}
/** What calling f did, synchronously. */
function sync(f: () => unknown): { ok: unknown } | { err: string } {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e) }; }
}
`;

/** Runs PRELUDE + body as one cell (see support.ts's cellWith). */
export const cell = cellWith(PRELUDE);
