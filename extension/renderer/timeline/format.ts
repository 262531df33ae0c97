// The words the timeline shows: durations, tooltips, the summary line, the
// deadlock caption and the notes. Pure, so each sentence a learner reads is tested.
import type { Flow, Lane, Span, SpanState, Timeline, TimelineWhere } from "../../../kernel/protocol/timeline";

/** A duration in µs as people say it: "12 µs", "1.25 ms", "3.40 s" (three significant digits). */
export function formatDuration(us: number): string {
  const a = Math.abs(us);
  if (a < 1e3) return `${a < 10 && !Number.isInteger(us) ? us.toFixed(1) : Math.round(us)} µs`;
  const [v, unit] = a < 1e6 ? [us / 1e3, "ms"] : [us / 1e6, "s"];
  const av = Math.abs(v);
  return `${v.toFixed(av < 10 ? 2 : av < 100 ? 1 : 0)} ${unit}`;
}

/** What a state is called where it is shown: idle is a pool thread's wait for work. */
export function stateName(s: SpanState | "running"): string {
  switch (s) {
    case "running":
      return "running";
    case "blocked":
      return "blocked";
    case "sleeping":
      return "sleeping";
    case "idle":
      return "idle in pool";
  }
}

export function formatWhere(w: TimelineWhere): string {
  const code = w.code.trim();
  return `${w.cell}, line ${w.line}${code ? `: ${code}` : ""}`;
}

/** The tooltip of a span: a heading (the lane), what it waited on, how long, and where in the learner's code. */
export function spanTooltip(span: Span, lane: Lane | undefined, origin: number): string[] {
  const lines = [lane?.name ?? `thread ${span.lane}`, `${stateName(span.state)}: ${span.what}`];
  const from = formatDuration(span.start - origin);
  if (span.open) lines.push(`${formatDuration(span.end - span.start)} (from ${from}), still waiting when the cell ended`);
  else lines.push(`${formatDuration(span.end - span.start)} (from ${from} to ${formatDuration(span.end - origin)})`);
  if (span.where) lines.push(formatWhere(span.where));
  return lines;
}

/** The tooltip of a stretch of running between two spans (or the lane's ends). */
export function runningTooltip(lane: Lane, start: number, end: number, origin: number, stillRunning: boolean): string[] {
  const tail = stillRunning ? ", still running when the cell ended" : "";
  return [lane.name, "running", `${formatDuration(end - start)} (from ${formatDuration(start - origin)}${tail ? "" : ` to ${formatDuration(end - origin)}`})${tail}`];
}

/** The tooltip of a hand-off arrow: who woke whom, through what, and when. */
export function flowTooltip(flow: Flow, lanes: ReadonlyMap<number, Lane>, origin: number): string[] {
  const name = (id: number) => lanes.get(id)?.name ?? `thread ${id}`;
  const lines = [`hand-off: ${flow.what}`, `${name(flow.from.lane)} → ${name(flow.to.lane)}`, `at ${formatDuration(flow.from.ts - origin)}`];
  const lag = flow.to.ts - flow.from.ts;
  if (lag > 0) lines.push(`woken ${formatDuration(lag)} later`);
  return lines;
}

/** One wait of a deadlock: `lane` waits in `waitsFor`, on what `next` holds (absent: nobody holds it); `text` says so, without the subject. */
export interface WaitEdge {
  lane: number;
  next?: number;
  text: string;
}

/** The deadlock's waits, in the cycle's order: each thread waits on something the next one holds, the last on the first's. */
export function deadlockEdges(tl: Timeline, lanes: ReadonlyMap<number, Lane>): WaitEdge[] {
  return (tl.deadlock?.cycle ?? []).map((c) => {
    if (c.heldBy === undefined) return { lane: c.lane, text: `waits in ${c.waitsFor}` };
    const name = lanes.get(c.heldBy)?.name ?? `thread ${c.heldBy}`;
    // a join waits for a thread to end, which nobody "holds"
    const text = /^join\b/.test(c.waitsFor) ? `waits for ${name} to finish` : `waits to ${c.waitsFor}, held by ${name}`;
    return { lane: c.lane, next: c.heldBy, text };
  });
}

/** "Deadlock: Thread-1 waits for acquire Lock#2, held by Thread-2; Thread-2 waits for …, held by Thread-1. …" */
export function deadlockCaption(tl: Timeline, lanes: ReadonlyMap<number, Lane>): string | undefined {
  const edges = deadlockEdges(tl, lanes);
  if (edges.length === 0) return undefined;
  const parts = edges.map((e) => `${lanes.get(e.lane)?.name ?? `thread ${e.lane}`} ${e.text}`);
  return `Deadlock: ${parts.join("; ")}. None of them can go on.`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** The line above the chart: how many threads, waits and hand-offs, over how long. */
export function summaryLine(tl: Timeline): string {
  const pids = new Set(tl.lanes.map((l) => l.pid)).size;
  const procs = pids > 1 ? ` in ${plural(pids, "process", "processes")}` : "";
  return `${tl.cell}: ${plural(tl.lanes.length, "thread")}${procs}, ${plural(tl.spans.length, "wait")}, ${plural(tl.flows.length, "hand-off")}, over ${formatDuration(tl.end - tl.start)}`;
}

/** The canvas's accessible name: the summary plus how the waits split by state, and the deadlock. */
export function ariaSummary(tl: Timeline, lanes: ReadonlyMap<number, Lane>): string {
  const by: Record<SpanState, number> = { blocked: 0, sleeping: 0, idle: 0 };
  for (const s of tl.spans) by[s.state]++;
  const split = `${by.blocked} blocked, ${by.sleeping} sleeping, ${by.idle} idle in a pool`;
  const dl = deadlockCaption(tl, lanes);
  return `Thread timeline. ${summaryLine(tl)} (${split}).${dl ? ` ${dl}` : ""}`;
}

export function droppedNote(dropped: number): string | undefined {
  if (!(dropped > 0)) return undefined;
  const n = dropped.toLocaleString("en-US");
  return `${n} earlier ${dropped === 1 ? "event was" : "events were"} not kept (each thread keeps its latest events).`;
}
