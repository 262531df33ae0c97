// The callbacks of Pool.applyAsync and mapAsync. Python calls them in the
// pool's result-handler thread as each result arrives; here each call that
// asks for callbacks gets a thread of its own that waits for the result and
// calls one of them: `callback(value)`, or `errorCallback(exception)` if the
// task raised. An exception in a callback is that thread's, shown as any
// thread's ("Exception in thread ResultHandler-1"). The cell waits for these
// threads as for any other, so a callback has run by the cell's end.
import { PyTypeError } from "../core/errors";
import { functionSpec, resolveFunction } from "../core/scope";
import { Thread, registerThreadClass } from "../threading/thread";
import type { TargetSpec } from "../../protocol/worker";

/** What applyAsync and mapAsync take after their arguments, as Python's keyword arguments. */
export interface ResultCallbacks<V> {
  /** Called with the value once the task has returned, in a thread of this process (Python's `callback=`). */
  callback?: ((value: V) => unknown) | null;
  /** Called with the exception if the task raised, in a thread of this process (Python's `error_callback=`). */
  errorCallback?: ((error: Error) => unknown) | null;
}

/** The part of an AsyncResult a handler needs (runtime/multiprocessing/pool's, which travels to the thread as itself). */
interface Waitable {
  get(): unknown;
}

let handlers = 0;

class ResultHandler extends Thread {
  // plain data and runtime objects: they travel to the handler's thread (a function would not)
  parts: Waitable[];
  whole: boolean;
  callback: TargetSpec | null;
  errorCallback: TargetSpec | null;

  constructor(parts: Waitable[], whole: boolean, callback: TargetSpec | null, errorCallback: TargetSpec | null) {
    super({ name: `ResultHandler-${++handlers}` });
    this.parts = parts;
    this.whole = whole;
    this.callback = callback;
    this.errorCallback = errorCallback;
  }

  override run(): void {
    let value: unknown;
    try {
      const values = this.parts.map((p) => p.get());
      value = this.whole ? values : values[0];
    } catch (e) {
      if (this.errorCallback) resolveFunction(this.errorCallback)(e);
      return;
    }
    if (this.callback) resolveFunction(this.callback)(value);
  }
}
registerThreadClass(ResultHandler);

/**
 * Checks the callbacks now (a function that cannot travel fails in the caller's
 * thread); the handler to start once the task is sent, or null if none was asked for.
 */
export function resultHandler<V>(options: ResultCallbacks<V> | undefined, whole: boolean): ((parts: Waitable[]) => void) | null {
  const { callback = null, errorCallback = null } = options ?? {};
  if (callback === null && errorCallback === null) return null;
  if (callback !== null && typeof callback !== "function") throw new PyTypeError("callback must be a function");
  if (errorCallback !== null && typeof errorCallback !== "function") throw new PyTypeError("errorCallback must be a function");
  const specs = [callback && functionSpec(callback, "the callback"), errorCallback && functionSpec(errorCallback, "the error callback")] as const;
  return (parts) => new ResultHandler(parts, whole, specs[0], specs[1]).start();
}
