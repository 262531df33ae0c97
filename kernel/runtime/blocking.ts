// Every wait of the runtime without a timeout goes through here, so the
// kernel can tell a deadlock from a slow program. A wait that lasts longer
// than a moment marks the thread as blocked (in its shared state, for the
// kernel to read at any time) and tells the kernel on what and at which line
// of the cell; the fast path of a lock hand-off pays nothing for this.
import { job, send } from "./context";
import { T } from "../protocol/layout";
import { framesOf } from "./traceback";

const QUIET_MS = 50;

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
 * Runs `wait` (a wait without a timeout that is not an Atomics.wait of this
 * file's, e.g. a request to the kernel) with the thread marked blocked on `on`.
 */
export function blockedWhile<R>(on: number, op: string, wait: () => R): R {
  const me = new Int32Array(job().desc.state);
  const seq = Atomics.add(me, T.BlockSeq, 1) + 1;
  const frame = framesOf(new Error()).at(-1);
  send({ type: "blocked", ident: job().desc.ident, on, op, seq, where: frame ? { label: frame.label, line: frame.line, fn: frame.fn, code: frame.code } : null });
  Atomics.store(me, T.Blocked, on);
  try {
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
