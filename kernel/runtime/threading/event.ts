// Event: a flag and a generation count in shared memory. wait() returns true
// when the flag is set, or when set() happened while it waited, even if
// clear() followed at once (Python's promise).
import { inspect } from "node:util";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { waitWhile } from "../core/blocking";
import { notifyTraced } from "../core/trace";

const enum E {
  Flag = 0,
  Generation = 1,
  Size = 2,
}

/** Python's threading.Event: a flag that threads wait for. set() raises it and wakes every waiter; clear() lowers it. */
export class Event {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
  declare readonly id: number;
  declare private readonly view: Int32Array;

  constructor() {
    initEvent(this, allocate("Event", E.Size));
  }

  /** True while the flag is set (Python's `is_set`). */
  isSet(): boolean {
    return Atomics.load(this.view, E.Flag) === 1;
  }

  /** Sets the flag and wakes every thread waiting in wait(). */
  set(): void {
    Atomics.store(this.view, E.Flag, 1);
    Atomics.add(this.view, E.Generation, 1);
    notifyTraced(this.id, "set", this.view, E.Generation);
  }

  /** Lowers the flag: a wait() from now on blocks until the next set(). */
  clear(): void {
    Atomics.store(this.view, E.Flag, 0);
  }

  /**
   * Blocks until the flag is set, or for up to `timeout` seconds (omitted or null: no limit). Returns true when it is
   * set (or a set() came while this waited, even if clear() followed), false on a timeout.
   */
  wait(timeout?: number | null): boolean {
    const v = this.view;
    const gen = Atomics.load(v, E.Generation);
    if (Atomics.load(v, E.Flag) === 1) return true;
    // a set() while it waited counts, even if clear() followed; else the flag as the time ran out
    return waitWhile(v, E.Generation, gen, timeoutMs(timeout), this.id, "wait") || Atomics.load(v, E.Flag) === 1;
  }

  toString(): string {
    return `<threading.Event at #${this.id}: ${this.isSet() ? "set" : "unset"}>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
}

function initEvent(e: Event, state: SharedState): Event {
  hidden(e, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(e, "Event", state);
}
defineKind("Event", (state) => initEvent(Object.create(Event.prototype) as Event, state));
