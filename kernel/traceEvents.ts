// `concnb run --trace OUT.json`: cells' timelines (protocol/timeline) as the
// Trace Event Format's JSON object form, which Perfetto and chrome://tracing
// open. Per cell a process (pid) named for the cell, per thread a track (tid)
// named by a thread_name metadata event; a complete event ("X") for each
// thread's life and, inside it, for each span it waited; and a flow ("s" on
// the waker, "f" on the woken, one id) for each hand-off.
import type { Timeline } from "./protocol/timeline";

export interface TraceEvent {
  name: string;
  ph: "M" | "X" | "s" | "f";
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: "e";
  args?: Record<string, unknown>;
}

/** The cells' timelines, in run order, as one trace; `ts` counts from the first cell's start. */
export function traceEvents(cells: ReadonlyArray<{ index: number; timeline: Timeline }>): { traceEvents: TraceEvent[]; displayTimeUnit: "ms" } {
  // never spread into a call: a notebook may have many cells
  const origin = cells.reduce((m, c) => Math.min(m, c.timeline.start), Infinity);
  const at = (us: number) => Math.round((us - origin) * 1000) / 1000;
  const events: TraceEvent[] = [];
  let flowId = 0;
  for (const { index, timeline } of cells) {
    const pid = index;
    events.push({ name: "process_name", ph: "M", pid, args: { name: timeline.cell } });
    events.push({ name: "process_sort_index", ph: "M", pid, args: { sort_index: index } });
    const kernel = timeline.lanes[0]?.pid;
    timeline.lanes.forEach((lane, i) => {
      // a child Process's threads are tracks of the cell too, named for their process
      const name = lane.pid === kernel ? lane.name : `${lane.process}: ${lane.name}`;
      events.push({ name: "thread_name", ph: "M", pid, tid: lane.id, args: { name } });
      events.push({ name: "thread_sort_index", ph: "M", pid, tid: lane.id, args: { sort_index: i } });
      const end = lane.end ?? timeline.end;
      events.push({ name: lane.name, cat: "thread", ph: "X", pid, tid: lane.id, ts: at(lane.start), dur: at(end) - at(lane.start), args: { daemon: lane.daemon, ended: lane.end !== null } });
    });
    for (const s of timeline.spans) {
      const args: Record<string, unknown> = { state: s.state };
      if (s.where) Object.assign(args, { cell: s.where.cell, line: s.where.line, code: s.where.code });
      if (s.open) args.open = "still waiting when the cell ended";
      events.push({ name: s.what, cat: s.state, ph: "X", pid, tid: s.lane, ts: at(s.start), dur: Math.max(0, at(s.end) - at(s.start)), args });
    }
    for (const f of timeline.flows) {
      const id = ++flowId; // unique across the cells of the file, as one id pairs one "s" with one "f"
      events.push({ name: f.what, cat: "handoff", ph: "s", id, pid, tid: f.from.lane, ts: at(f.from.ts) });
      events.push({ name: f.what, cat: "handoff", ph: "f", bp: "e", id, pid, tid: f.to.lane, ts: at(f.to.ts) });
    }
    if (timeline.dropped > 0) events.push({ name: "trace_note", ph: "M", pid, args: { dropped: timeline.dropped } });
  }
  return { traceEvents: events, displayTimeUnit: "ms" };
}
