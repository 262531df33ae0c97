// Barrier, Python's algorithm on shared memory: a state (filling, draining,
// resetting, broken), a count, and a Condition that every party waits on.
import { inspect } from "node:util";
import { PyTypeError, ValueError } from "./errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { Condition } from "./condition";
import { Lock } from "./locks";
import { decode, encode } from "./share";
import { functionSpec, resolveFunction } from "./scope";
import { timeoutMs } from "./state";
import type { TargetSpec } from "../protocol/worker";

export class BrokenBarrierError extends Error {
  override name = "BrokenBarrierError";
}
Object.defineProperty(BrokenBarrierError, "name", { value: "BrokenBarrierError" });

const enum B {
  State = 0,
  Count = 1,
  Parties = 2,
  Size = 4,
}
const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

interface Extra {
  cond: unknown;
  action: TargetSpec | null;
  timeout: number | null;
}

export class Barrier {
  declare readonly id: number;
  declare private readonly view: Int32Array;
  declare private readonly cond: Condition;
  declare private action: (() => unknown) | null;
  declare private readonly actionSpec: TargetSpec | null;
  declare private readonly timeout: number | null;

  constructor(parties: number, action?: (() => unknown) | null, timeout?: number | null) {
    if (typeof parties !== "number" || !Number.isInteger(parties)) throw new PyTypeError("parties must be an integer");
    if (parties < 1) throw new ValueError("parties must be >= 1");
    if (action != null && typeof action !== "function") throw new PyTypeError("action must be a function");
    if (timeout != null) timeoutMs(timeout);
    const state = allocate("Barrier", B.Size);
    initBarrier(this, state, {
      cond: new Condition(new Lock()),
      action: action ? functionSpec(action, "the barrier's action") : null,
      timeout: timeout ?? null,
    }, action ?? null);
    Atomics.store(this.view, B.Parties, parties);
  }

  /** Waits until `parties` threads have called wait(); returns a distinct index 0..parties-1. */
  wait(timeout?: number | null): number {
    const t = timeout === undefined || timeout === null ? this.timeout : timeout;
    timeoutMs(t); // a bad timeout fails before this thread counts as a party
    const v = this.view;
    using _ = this.cond.hold();
    this.enter();
    const index = Atomics.add(v, B.Count, 1);
    try {
      if (index + 1 === this.parties) this.releaseAll();
      else this.waitRelease(t);
      return index;
    } finally {
      Atomics.sub(v, B.Count, 1);
      this.exit();
    }
  }

  reset(): void {
    using _ = this.cond.hold();
    const v = this.view;
    if (Atomics.load(v, B.Count) > 0) {
      const s = Atomics.load(v, B.State);
      if (s === FILLING || s === BROKEN) Atomics.store(v, B.State, RESETTING);
    } else {
      Atomics.store(v, B.State, FILLING);
    }
    this.cond.notifyAll();
  }

  abort(): void {
    using _ = this.cond.hold();
    this.breakIt();
  }

  get parties(): number {
    return Atomics.load(this.view, B.Parties);
  }
  get nWaiting(): number {
    return Atomics.load(this.view, B.State) === FILLING ? Atomics.load(this.view, B.Count) : 0;
  }
  get broken(): boolean {
    return Atomics.load(this.view, B.State) === BROKEN;
  }

  private enter(): void {
    while (true) {
      const s = Atomics.load(this.view, B.State);
      if (s !== RESETTING && s !== DRAINING) break;
      this.cond.wait();
    }
    if (Atomics.load(this.view, B.State) < 0) throw new BrokenBarrierError();
  }

  private releaseAll(): void {
    try {
      if (this.actionSpec) {
        this.action ??= resolveFunction(this.actionSpec);
        this.action();
      }
      Atomics.store(this.view, B.State, DRAINING);
      this.cond.notifyAll();
    } catch (e) {
      this.breakIt();
      throw e;
    }
  }

  private waitRelease(timeout: number | null): void {
    if (!this.cond.waitFor(() => Atomics.load(this.view, B.State) !== FILLING, timeout)) {
      this.breakIt();
      throw new BrokenBarrierError();
    }
    if (Atomics.load(this.view, B.State) < 0) throw new BrokenBarrierError();
  }

  private exit(): void {
    if (Atomics.load(this.view, B.Count) === 0) {
      const s = Atomics.load(this.view, B.State);
      if (s === RESETTING || s === DRAINING) {
        Atomics.store(this.view, B.State, FILLING);
        this.cond.notifyAll();
      }
    }
  }

  private breakIt(): void {
    Atomics.store(this.view, B.State, BROKEN);
    this.cond.notifyAll();
  }

  toString(): string {
    return this.broken
      ? `<threading.Barrier at #${this.id}: broken>`
      : `<threading.Barrier at #${this.id}: waiters=${this.nWaiting}/${this.parties}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

function initBarrier(b: Barrier, state: SharedState, extra: Extra, action: (() => unknown) | null): Barrier {
  hidden(b, {
    id: state.id,
    view: new Int32Array(state.buffer),
    cond: extra.cond,
    action,
    actionSpec: extra.action,
    timeout: extra.timeout,
  });
  return adopt(b, "Barrier", state, () => ({ ...extra, cond: encode(extra.cond) }));
}
defineKind("Barrier", (state, extra, lookup) => {
  const e = extra as Extra;
  return initBarrier(Object.create(Barrier.prototype) as Barrier, state, { ...e, cond: decode(e.cond, lookup) }, null);
});
