// asyncio.to_thread: runs a blocking function on a real thread of the program's default executor (a
// ThreadPoolExecutor whose threads are named `asyncio_0`, `asyncio_1`, ..., as Python's are) and awaits its
// Future without blocking: the Future's then() waits with Atomics.waitAsync, so this thread's event loop, and
// every task on it, runs meanwhile. The executor lives as long as the program (the runtime shuts every
// executor down when the cell's main code ends); a later program gets its own.
import { job } from "../core/context";
import { PyTypeError } from "../core/errors";
import { framesOf, setFrames } from "../core/traceback";
import { ThreadPoolExecutor } from "../concurrent/futures/executor";
import type { Future as ThreadFuture } from "../concurrent/futures/future";
import { Op } from "./op";

let executor: { job: object; pool: ThreadPoolExecutor } | null = null;

function defaultExecutor(): ThreadPoolExecutor {
  const j = job();
  if (!executor || executor.job !== j) executor = { job: j, pool: new ThreadPoolExecutor({ threadNamePrefix: "asyncio" }) };
  return executor.pool;
}

/**
 * Runs `fn(...args)` on another thread (named `asyncio_N`) and gives its value, or throws its exception; the event
 * loop keeps running meanwhile. Cancelling the awaiting task rejects the await; the thread runs on to its end.
 */
export function toThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Op<Awaited<R>> {
  if (typeof fn !== "function") throw new PyTypeError("toThread() needs a function to call");
  // where the cell called toThread: the traceback of the thread's exception starts there, as Python's does
  const called = framesOf(new Error());
  // as Python's to_thread coroutine, the call is submitted when the await begins
  return new Op<Awaited<R>>((resolve, reject) => {
    const future: ThreadFuture<Awaited<R>> = defaultExecutor().submit(fn, ...args);
    future.then(resolve, (e: unknown) => {
      if (typeof e === "object" && e !== null) setFrames(e, [...called, ...framesOf(e)]);
      reject(e);
    });
    return () => void future.cancel();
  });
}
