// Which task the running code belongs to, so that task.cancel() can reach what the task awaits. A JS promise
// cannot be cancelled, so every awaitable this module makes registers, when it is awaited, a Waiter in the
// context it is awaited from; cancelling a task cancels the waiters of its contexts.
//
// The context is a Box carried by AsyncLocalStorage. A coroutine keeps, for its whole life, the store of the
// place where it was called: `createTask(work())` calls work() in the caller's box, before createTask sees it.
// So createTask hands that box over to the new task and gives the caller a fresh one (enterWith): work() and
// everything it calls go on in the task's box, the caller in its own. (What the caller started in the same box
// before, and awaits later, goes with the task too: the one blind spot, rare in practice.)
import { AsyncLocalStorage } from "node:async_hooks";
import { job } from "../core/context";

/** What owns a box: a task (task.ts), seen from here only as what it needs. */
export interface Owner {
  /** A cancel that found nothing to cancel waits for the next await: its message, taken (undefined: none). */
  takePendingCancel(): { message: string | undefined } | undefined;
  readonly boxes: Set<Box>;
}

/** What a run() wants to know of the tasks made under it (run.ts). */
export interface Runner {
  readonly tasks: Set<unknown>;
}

/** A pending await of this module's: cancelling it rejects that await with CancelledError. */
export interface Waiter {
  /** Cancels the await: false when it was too late (already settled) or it cannot be cancelled. */
  cancel(message: string | undefined): boolean;
}

export interface Box {
  owner: Owner | null;
  runner: Runner | null;
  readonly waiters: Set<Waiter>;
  /** The job it belongs to: a store left in a reused worker by another program's job is not this one's. */
  readonly job: object;
}

const als = new AsyncLocalStorage<Box>();
/** The box of code that never entered one (a cell's top level), per job. */
let root: Box | null = null;
/** Called when a job uses asyncio for the first time: per-job state starts afresh (task names, reports). */
const onNewJob: Array<() => void> = [];

export function whenNewJob(f: () => void): void {
  onNewJob.push(f);
}

function newBox(owner: Owner | null, runner: Runner | null): Box {
  const box: Box = { owner, runner, waiters: new Set(), job: job() };
  owner?.boxes.add(box);
  return box;
}

export function currentBox(): Box {
  const j = job();
  const b = als.getStore();
  if (b && b.job === j) return b;
  if (!root || root.job !== j) {
    root = null;
    for (const f of onNewJob) f();
    root = newBox(null, null);
  }
  return root;
}

/** The task the running code belongs to (null at a cell's top level, outside any task). */
export function currentOwner(): Owner | null {
  return currentBox().owner;
}

/**
 * Gives the current box to `owner`, for a coroutine called here and already running in it (createTask(work())),
 * and goes on in a fresh box of the previous owner. `runner` (run()'s main task) marks the box as that run's.
 * Returns the runner of the box.
 */
export function handOver(owner: Owner, runner?: Runner): Runner | null {
  const box = currentBox();
  const previous = box.owner;
  const previousRunner = box.runner;
  previous?.boxes.delete(box);
  box.owner = owner;
  if (runner) box.runner = runner;
  owner.boxes.add(box);
  als.enterWith(newBox(previous, previousRunner));
  return box.runner;
}

/** Runs f in a fresh box of `owner` (a coroutine this module calls itself, as timeout() its body). */
export function runIn<R>(owner: Owner | null, runner: Runner | null, f: () => R): R {
  return als.run(newBox(owner, runner), f);
}

/** The runner of the current box (run.ts). */
export function currentRunner(): Runner | null {
  return currentBox().runner;
}

/**
 * Registers a waiter in the current box; returns what removes it. If the box's task was cancelled while it awaited
 * nothing of this module's, the cancel is delivered to this waiter at once.
 */
export function register(w: Waiter): () => void {
  const box = currentBox();
  box.waiters.add(w);
  const pending = box.owner?.takePendingCancel();
  if (pending) {
    box.waiters.delete(w);
    w.cancel(pending.message);
    return () => {};
  }
  return () => box.waiters.delete(w);
}

/** Cancels every waiter of the owner's boxes: true if one was cancelled. */
export function cancelWaiters(owner: Owner, message: string | undefined): boolean {
  let any = false;
  for (const box of owner.boxes) {
    for (const w of [...box.waiters]) {
      box.waiters.delete(w);
      if (w.cancel(message)) any = true;
    }
  }
  return any;
}
