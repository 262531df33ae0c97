// Every wait of the runtime without a timeout goes through here, so the
// kernel can tell a deadlock from a slow program. A wait that lasts longer
// than a moment marks the thread as blocked (in its shared state, for the
// kernel to read at any time) and tells the kernel on what and at which line
// of the cell; the fast path of a lock hand-off pays nothing for this. The
// kernel looks for a cycle of waits as each such message arrives, so the
// moment is short: a deadlock is reported a few ms after it closes.
import { job, send } from "./context";
import { T } from "../../protocol/layout";
import { framesOf } from "./traceback";
import { traced } from "./trace";

/**
 * How long a wait goes unannounced. A hand-off (a lock, a queue's next item, a future's result) comes back within
 * microseconds and pays nothing; a wait past this pays for its announcement (measured: about 0.2 ms just after the
 * quiet wait, most of it finding the cell line), time this thread had nothing else to do. A wake that comes
 * meanwhile is seen that much later.
 */
const QUIET_MS = 5;

/**
 * One Atomics.wait on view[slot] while it holds `value`, for `ms` (Infinity: no timeout),
 * with the thread marked blocked on `on` (what `op` says) if it waits without a timeout.
 */
export function wait(view: Int32Array, slot: number, value: number, ms: number, on: number, op: string): "ok" | "not-equal" | "timed-out" {
  if (ms !== Infinity) return Atomics.wait(view, slot, value, ms);
  const first = Atomics.wait(view, slot, value, QUIET_MS);
  if (first !== "timed-out") return first;
  return blockedWhile(on, op, () => Atomics.wait(view, slot, value));
}

/**
 * Waits while view[slot] holds `value`, for up to `ms` (Infinity: no limit), as one span of the timeline (`op` on
 * `on`): true once it holds another value, false when the time ran out. What a join, an Event's wait or a result's
 * wait is, around the state word they watch.
 */
export function waitWhile(view: Int32Array, slot: number, value: number, ms: number, on: number, op: string): boolean {
  if (Atomics.load(view, slot) !== value) return true;
  if (ms <= 0) return false;
  const deadline = performance.now() + ms;
  return traced(on, op, () => {
    while (Atomics.load(view, slot) === value) {
      const left = ms === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return false;
      wait(view, slot, value, left, on, op);
    }
    return true;
  });
}

/** Waits, with no limit, until the count in view[slot] is down to 0 (threads still running), as one span. */
export function waitForZero(view: Int32Array, slot: number, on: number, op: string): void {
  if (Atomics.load(view, slot) <= 0) return;
  traced(on, op, () => {
    for (let n = Atomics.load(view, slot); n > 0; n = Atomics.load(view, slot)) wait(view, slot, n, Infinity, on, op);
  });
}

/**
 * Runs `wait` (a wait without a timeout that is not an Atomics.wait of this
 * file's, e.g. a request to the kernel) with the thread marked blocked on `on`.
 */
export function blockedWhile<R>(on: number, op: string, wait: () => R): R {
  const me = new Int32Array(job().desc.state);
  const seq = Atomics.add(me, T.BlockSeq, 1) + 1;
  const frame = framesOf(new Error()).at(-1);
  // marked before the message goes: when the kernel gets it, it finds this thread blocked (or blocked no more)
  Atomics.store(me, T.Blocked, on);
  try {
    send({ type: "blocked", ident: job().desc.ident, on, op, seq, where: frame ? { label: frame.label, line: frame.line, fn: frame.fn, code: frame.code } : null });
    return wait();
  } finally {
    Atomics.store(me, T.Blocked, 0);
  }
}

/**
 * Spins for up to `us` microseconds while view[slot] holds `value`: true if it
 * changed. Sleeping and being woken cost a futex round trip each (about 10 µs
 * here); a hand-off that comes back within a few microseconds (a tiny task's
 * result, the next item of a busy queue) is cheaper to watch for.
 */
export function spinWhile(view: Int32Array, slot: number, value: number, us: number): boolean {
  const end = performance.now() + us / 1000;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(view, slot) !== value) return true;
    if (performance.now() > end) return false;
  }
}
