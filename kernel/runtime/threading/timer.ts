// Python's threading.Timer: a Thread whose run() waits on an Event for its
// interval, then calls the function, unless cancel() set the Event first.
import { PyTypeError } from "../core/errors";
import { timeoutMs } from "../core/state";
import { Event } from "./event";
import { defaultName, registerThreadClass, targetOf, Thread } from "./thread";

/**
 * Timer: a thread that calls its function after `interval` seconds, unless
 * cancel() comes first. Its `finished` Event is shared, so cancel() works
 * from any thread.
 */
export class Timer extends Thread {
  /** The delay, in seconds, between start() and the call. */
  interval: number;
  /** Set by cancel() and once the timer has run: wait on it to know the timer is over. */
  finished: Event;
  /** The arguments the function is called with. */
  args: unknown[];
  /** Python's keyword arguments: passed as one last argument, an object, unless it has no keys. */
  kwargs: Record<string, unknown>;
  /**
   * `new Timer(interval, fn, args?, kwargs?)`, positional as in Python. Raises TypeError when fn is not a function or
   * the interval is not a number (ValueError for NaN).
   */
  constructor(interval: number, fn: (...args: never[]) => unknown, args?: unknown[] | null, kwargs?: Record<string, unknown> | null) {
    timeoutMs(interval);
    if (typeof fn !== "function") throw new PyTypeError("Timer() takes a function to call");
    // Python's Timer is a Thread without a target: its name is plain Thread-N
    super({ name: defaultName(null), target: fn });
    this.interval = interval;
    this.finished = new Event();
    this.args = args ?? [];
    this.kwargs = kwargs ?? {};
  }
  /** The function the timer calls (a property of its own would not survive the trip to its thread). */
  get function(): ((...args: unknown[]) => unknown) | null {
    return targetOf(this);
  }
  /** Stops the timer while it still waits (from any thread): its function is then not called. Too late once the call began. */
  cancel(): void {
    this.finished.set();
  }
  override run(): unknown {
    this.finished.wait(this.interval);
    let r: unknown;
    if (!this.finished.isSet() && this.function) {
      // **kwargs with no keys passes nothing, as in Python
      const kw = this.kwargs && Object.keys(this.kwargs).length > 0 ? [this.kwargs] : [];
      r = this.function(...(this.args ?? []), ...kw);
    }
    this.finished.set();
    return r;
  }
}
registerThreadClass(Timer);
