// The recorder behind the timeline: what this thread does, written into its
// worker's trace ring (TR of protocol/layout), which the kernel reads when the
// job ends, or while it still runs when the cell ends (a deadlock's threads
// never end). Always on, so it costs little: a record is a clock reading and
// a few stores into shared memory, only waits that really wait are recorded
// (a lock taken at once writes nothing), and the cell line, which costs a
// stack capture (several µs), is taken only for a wait long enough to see.
import { boot } from "./context";
import { framesOf } from "./traceback";
import { nowUs } from "../../protocol/clock";
import { Rec, RecKind, TR, TRACE_OPS, type TraceOp } from "../../protocol/layout";
import { TRACE_LINE_MIN_US } from "../../protocol/timeline";

const words = new Int32Array(boot.trace);
const stamps = new Float64Array(boot.trace);
const OP_INDEX = new Map<string, number>(TRACE_OPS.map((op, i) => [op, i]));
const tracing = boot.tracing;

function put(kind: RecKind, on: number, op: number, ts = nowUs(), line = 0, chunk = 0): void {
  const n = words[TR.Count];
  const at = TR.Header + (n % TR.Capacity) * TR.Words;
  stamps[at >> 1] = ts;
  words[at + Rec.Kind] = kind;
  words[at + Rec.On] = on;
  words[at + Rec.Op] = op;
  words[at + Rec.Line] = line;
  words[at + Rec.Chunk] = chunk;
  // the record is whole before the kernel may count it
  Atomics.store(words, TR.Count, n + 1);
}

/** A job begins: its ring starts empty, with the thread's start. */
export function traceStart(): void {
  Atomics.store(words, TR.Count, 0);
  depth = 0;
  if (tracing) put(RecKind.Start, 0, 0);
}

/** The thread's code is done: the end of its lane. */
export function traceFinish(): void {
  if (tracing) put(RecKind.Finish, 0, 0);
}

/** A wait that is on now, for traceEnd; null while an outer wait is on (a Barrier's wait on its Condition). */
export interface OpenSpan {
  on: number;
  op: number;
  start: number;
}

let depth = 0;

/** A wait on `on` (an object's id, or what T.Blocked would say) begins; pass what it returns to traceEnd. */
export function traceBegin(on: number, op: string): OpenSpan | null {
  if (depth++ > 0 || !tracing) return null;
  const index = OP_INDEX.get(op) ?? 0;
  const span = { on, op: index, start: nowUs() };
  put(RecKind.Begin, on, index, span.start);
  return span;
}

/**
 * The wait ends. Its cell line is taken when it lasted TRACE_LINE_MIN_US or more: the stack is the same as when it
 * began (the wait is still on it). Which thread's wake ended it the kernel tells from the wakes of `on` (see Wake).
 */
export function traceEnd(span: OpenSpan | null): void {
  depth = Math.max(0, depth - 1);
  if (!span) return;
  const end = nowUs();
  let line = 0;
  let chunk = 0;
  if (end - span.start >= TRACE_LINE_MIN_US) [line, chunk] = cellLine();
  put(RecKind.End, span.on, span.op, end, line, chunk);
}

/** Runs `wait` as one span (see traceBegin). */
export function traced<R>(on: number, op: string, wait: () => R): R {
  const span = traceBegin(on, op);
  try {
    return wait();
  } finally {
    traceEnd(span);
  }
}

/**
 * This thread's release, notify, set, put or finish (`op`) of `on` wakes up to `count` waiters of view[slot]
 * (Atomics.notify, whose count it returns): a hand-off, which the kernel draws from here to each wait on `on` that
 * ended after it (kernel/timeline.ts). Its time is taken before the notify, so that it comes before the end of every
 * wait it ends; only a wake that woke someone is recorded (a busy queue's puts to a spinning consumer write nothing).
 * No memory is shared for it: two threads handing a lock back and forth write only to their own rings.
 */
export function notifyTraced(on: number, op: TraceOp, view: Int32Array, slot: number, count?: number): number {
  if (!tracing) return Atomics.notify(view, slot, count);
  const ts = nowUs();
  const woken = Atomics.notify(view, slot, count);
  if (woken > 0) put(RecKind.Wake, on, OP_INDEX.get(op) ?? 0, ts);
  return woken;
}

/**
 * As notifyTraced, for `woken` waiters this thread has already let go, who cannot go on before it lets go of a lock
 * it holds (a Condition's notify, the last party of a Barrier): their waits end after this.
 */
export function traceWoke(on: number, op: TraceOp, woken: number): void {
  if (tracing && woken > 0) put(RecKind.Wake, on, OP_INDEX.get(op) ?? 0);
}

/** The innermost cell frame now: its line and its chunk's number (the end of Chunk.url), or zeros. */
function cellLine(): [number, number] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 16;
  try {
    const frame = framesOf(new Error()).at(-1);
    return frame ? [frame.line, frame.chunk] : [0, 0];
  } finally {
    Error.stackTraceLimit = limit;
  }
}
