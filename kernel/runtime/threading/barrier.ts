// Barrier, Python's algorithm on shared memory: a state (filling, draining,
// resetting, broken), a count, and a Condition that every party waits on.
import { inspect } from "node:util";
import { PyTypeError, ValueError } from "../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { Condition } from "./condition";
import { Lock } from "./locks";
import { decode, encode } from "../core/share";
import { functionSpec, resolveFunction } from "../core/scope";
import { timeoutMs } from "../core/state";
import type { TargetSpec } from "../../protocol/worker";
import { traced, traceWoke } from "../core/trace";

/** Raised by Barrier.wait() when the barrier is broken (abort(), a timeout, a failing action) or reset. */
export class BrokenBarrierError extends Error {
  /** "BrokenBarrierError", Python's name for it, as tracebacks print it. */
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

/**
 * Python's threading.Barrier, `new Barrier(parties, action?, timeout?)`: `parties` threads meet in wait() and go on
 * together. The last to arrive calls `action()` first, if given; `timeout` (seconds) is wait()'s default. Raises
 * ValueError when parties is below 1.
 */
export class Barrier {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in output and traces. @internal */
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

  /**
   * Waits until `parties` threads have called wait(); returns a distinct index 0..parties-1. Raises BrokenBarrierError
   * when the barrier is broken or reset meanwhile, or after `timeout` seconds (which break it for every thread).
   */
  wait(timeout?: number | null): number {
    const t = timeout === undefined || timeout === null ? this.timeout : timeout;
    timeoutMs(t); // a bad timeout fails before this thread counts as a party
    const v = this.view;
    using _ = this.cond.hold();
    this.enter();
    const index = Atomics.add(v, B.Count, 1);
    try {
      if (index + 1 === this.parties) {
        this.releaseAll();
        traceWoke(this.id, "release", index); // the last to come lets the others go: a hand-off to each
      } else traced(this.id, "barrier", () => this.waitRelease(t));
      return index;
    } finally {
      Atomics.sub(v, B.Count, 1);
      this.exit();
    }
  }

  /** Makes the barrier empty and unbroken again; threads waiting in it now raise BrokenBarrierError. */
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

  /** Breaks the barrier: threads waiting in it, and every wait() until reset(), raise BrokenBarrierError. */
  abort(): void {
    using _ = this.cond.hold();
    this.breakIt();
  }

  /** How many threads must call wait() before they all go on. */
  get parties(): number {
    return Atomics.load(this.view, B.Parties);
  }
  /** How many threads are waiting in wait() now (Python's `n_waiting`). */
  get nWaiting(): number {
    return Atomics.load(this.view, B.State) === FILLING ? Atomics.load(this.view, B.Count) : 0;
  }
  /** True once the barrier is broken (abort(), a timeout, a failing action), until reset(). */
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
  /** @internal */
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
