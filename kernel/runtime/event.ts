// Event: a flag and a generation count in shared memory. wait() returns true
// when the flag is set, or when set() happened while it waited, even if
// clear() followed at once (Python's promise).
import { inspect } from "node:util";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { timeoutMs } from "./state";
import { wait } from "./blocking";

const enum E {
  Flag = 0,
  Generation = 1,
  Size = 2,
}

export class Event {
  declare readonly id: number;
  declare private readonly view: Int32Array;

  constructor() {
    initEvent(this, allocate("Event", E.Size));
  }

  isSet(): boolean {
    return Atomics.load(this.view, E.Flag) === 1;
  }

  set(): void {
    Atomics.store(this.view, E.Flag, 1);
    Atomics.add(this.view, E.Generation, 1);
    Atomics.notify(this.view, E.Generation);
  }

  clear(): void {
    Atomics.store(this.view, E.Flag, 0);
  }

  wait(timeout?: number | null): boolean {
    const v = this.view;
    const gen = Atomics.load(v, E.Generation);
    if (Atomics.load(v, E.Flag) === 1) return true;
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    while (Atomics.load(v, E.Generation) === gen) {
      const left = ms === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return Atomics.load(v, E.Flag) === 1;
      wait(v, E.Generation, gen, left, this.id, "wait");
    }
    return true;
  }

  toString(): string {
    return `<threading.Event at #${this.id}: ${this.isSet() ? "set" : "unset"}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

function initEvent(e: Event, state: SharedState): Event {
  hidden(e, { id: state.id, view: new Int32Array(state.buffer) });
  return adopt(e, "Event", state);
}
defineKind("Event", (state) => initEvent(Object.create(Event.prototype) as Event, state));
