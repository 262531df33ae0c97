// asyncio.gather: runs awaitables concurrently (each as a task) and gives their results in argument order. As in
// Python: without returnExceptions, the first failure rejects the gather and the others keep running; with it,
// failures are results. Cancelling the gather (or the task awaiting it) cancels every child.
import { CancelledError } from "./errors";
import { Future } from "./future";
import { ensureFuture } from "./task";

/** gather's keyword argument, as an options object (its last argument). */
export interface GatherOptions {
  /** Failures (and CancelledErrors) become results instead of rejecting the gather. */
  returnExceptions?: boolean;
}

/** The future gather() returns: awaitable, and cancel() cancels its children. */
export class GatheringFuture<T extends unknown[] = unknown[]> extends Future<T> {
  #children: Future[];
  #cancelRequested = false;

  /** @internal */
  constructor(children: Future[]) {
    super();
    this.#children = children;
  }

  /** Cancels every child not done; true if one was. The gather ends with CancelledError. */
  override cancel(message?: string): boolean {
    if (this.done()) return false;
    let any = false;
    for (const c of this.#children) if (c.cancel(message)) any = true;
    if (any) this.#cancelRequested = true;
    return any;
  }

  /** Ends it cancelled (a child was cancelled, or the gather was). @internal */
  endCancelled(): void {
    super.cancel();
  }

  /** @internal */
  get cancelRequested(): boolean {
    return this.#cancelRequested;
  }
  /** @internal */
  protected override get kind(): string {
    return "_GatheringFuture";
  }
}

type Results<A extends unknown[]> = { [K in keyof A]: Awaited<A[K]> };

/**
 * Runs the awaitables concurrently and gives their results in argument order: `await gather(a(), b())`. A last
 * argument `{ returnExceptions: true }` turns failures into results. TypeError for an argument that is not awaitable.
 */
export function gather<A extends unknown[]>(...args: A): GatheringFuture<Results<Exclude<A, GatherOptions>>> {
  let returnExceptions = false;
  const last = args.at(-1);
  if (last !== null && typeof last === "object" && !(last instanceof Future) && typeof (last as PromiseLike<unknown>).then !== "function") {
    returnExceptions = Boolean((args.pop() as GatherOptions).returnExceptions);
  }
  // the same awaitable twice is one task, as in Python
  const made = new Map<unknown, Future>();
  const children = args.map((a) => {
    let f = made.get(a);
    if (!f) made.set(a, (f = ensureFuture(a as PromiseLike<unknown>)));
    return f;
  });
  const outer = new GatheringFuture<Results<Exclude<A, GatherOptions>>>(children);
  if (children.length === 0) {
    outer.setResult([] as unknown as Results<Exclude<A, GatherOptions>>);
    return outer;
  }
  let left = new Set(children).size;
  const onChildDone = (child: Future) => {
    left--;
    if (outer.done()) {
      if (!child.cancelled()) child.exception(); // retrieved: a later failure is the gather's to drop, as Python's
      return;
    }
    if (!returnExceptions) {
      if (child.cancelled()) return outer.endCancelled();
      const e = child.exception();
      if (e !== null) return outer.setException(e);
    }
    if (left > 0) return;
    const results = children.map((c) => (c.cancelled() ? new CancelledError() : c.exception() ?? c.result()));
    if (outer.cancelRequested) outer.endCancelled();
    else outer.setResult(results as unknown as Results<Exclude<A, GatherOptions>>);
  };
  for (const c of new Set(children)) c.addDoneCallback(onChildDone);
  return outer;
}
