// Where things go: lane order and rows, bar heights per state, which spans
// are in view, what is under the pointer, where arrows start and end. Pure
// (no DOM): the chart asks these questions every frame, the tests ask them once.
import type { Flow, Lane, Span, SpanState, Timeline } from "../../../kernel/protocol/timeline";
import { type WaitEdge, deadlockEdges } from "./format";
import { type Bounds, type Plot, type View, boundsOf, tOf, usPerPx, xOf } from "./scale";

/** Row heights in CSS pixels. */
export const METRICS = { axis: 26, lane: 26, process: 22, bar: 14, sleepBar: 6, bottom: 8 } as const;

export type Row =
  | { kind: "process"; pid: number; label: string; y: number; h: number }
  | { kind: "lane"; lane: Lane; y: number; h: number };

const isMain = (l: Lane) => l.name === "MainThread";

/**
 * Lanes grouped by process, processes in the order they started; in each, the main
 * thread first (it starts the others, so a learner reads down from it), then by start.
 * A process with no "MainThread" lane (a child process) leads with its earliest lane.
 */
export function orderLanes(lanes: readonly Lane[]): Lane[][] {
  const groups = new Map<number, Lane[]>();
  for (const l of lanes) {
    const g = groups.get(l.pid);
    if (g) g.push(l);
    else groups.set(l.pid, [l]);
  }
  const byStart = (a: Lane, b: Lane) => a.start - b.start || a.id - b.id;
  const sorted = [...groups.values()].map((g) => g.sort((a, b) => Number(isMain(b)) - Number(isMain(a)) || byStart(a, b)));
  const first = (g: Lane[]) => Math.min(...g.map((l) => l.start));
  // the kernel's own process (the one with MainThread) leads: the cell's code runs there
  return sorted.sort((a, b) => Number(a.some(isMain) ? 0 : 1) - Number(b.some(isMain) ? 0 : 1) || first(a) - first(b) || a[0].pid - b[0].pid);
}

/** The rows top to bottom (process headers only when there is more than one process), below the axis. */
export function buildRows(lanes: readonly Lane[]): { rows: Row[]; height: number } {
  const groups = orderLanes(lanes);
  const rows: Row[] = [];
  let y = METRICS.axis;
  for (const g of groups) {
    if (groups.length > 1) {
      rows.push({ kind: "process", pid: g[0].pid, label: `${g[0].process} (pid ${g[0].pid})`, y, h: METRICS.process });
      y += METRICS.process;
    }
    for (const lane of g) {
      rows.push({ kind: "lane", lane, y, h: METRICS.lane });
      y += METRICS.lane;
    }
  }
  return { rows, height: y + METRICS.bottom };
}

/** The vertical extent of a bar in a lane row: sleeping is thinner so it reads without colour. */
export function barBox(rowY: number, state: SpanState | "running"): { y: number; h: number } {
  const h = state === "sleeping" ? METRICS.sleepBar : METRICS.bar;
  return { y: rowY + (METRICS.lane - h) / 2, h };
}

/** One lane's spans by start, with the running maximum of their ends, so a view's spans are found by bisection. */
export interface LaneSpans {
  spans: Span[];
  maxEnd: Float64Array;
}

export interface Model {
  tl: Timeline;
  lanes: Map<number, Lane>;
  rows: Row[];
  rowOf: Map<number, Row & { kind: "lane" }>;
  height: number;
  spans: Map<number, LaneSpans>;
  bounds: Bounds;
  /** Lanes of the deadlock's cycle, for highlighting; and its edges, for the wait-for arrows. */
  cycle: Set<number>;
  waits: WaitEdge[];
}

export function laneEnd(l: Lane, tl: Timeline): number {
  return l.end ?? tl.end;
}

export function buildModel(tl: Timeline): Model {
  const lanes = new Map(tl.lanes.map((l) => [l.id, l]));
  const { rows, height } = buildRows(tl.lanes);
  const rowOf = new Map<number, Row & { kind: "lane" }>();
  for (const r of rows) if (r.kind === "lane") rowOf.set(r.lane.id, r);
  const grouped = new Map<number, Span[]>();
  let end = tl.end;
  for (const s of tl.spans) {
    const g = grouped.get(s.lane);
    if (g) g.push(s);
    else grouped.set(s.lane, [s]);
    if (s.end > end) end = s.end;
  }
  for (const l of tl.lanes) end = Math.max(end, l.end ?? 0);
  const spans = new Map<number, LaneSpans>();
  for (const [id, list] of grouped) {
    list.sort((a, b) => a.start - b.start);
    const maxEnd = new Float64Array(list.length);
    let m = -Infinity;
    list.forEach((s, i) => (maxEnd[i] = m = Math.max(m, s.end)));
    spans.set(id, { spans: list, maxEnd });
  }
  const start = Math.min(tl.start, ...tl.lanes.map((l) => l.start));
  return { tl, lanes, rows, rowOf, height, spans, bounds: boundsOf(start, end), cycle: new Set(tl.deadlock?.cycle.map((c) => c.lane) ?? []), waits: deadlockEdges(tl, lanes) };
}

/** The index range [lo, hi) of a lane's spans that may overlap [t0, t1]: spans in it still need `end >= t0`. */
function candidates(ls: LaneSpans, t0: number, t1: number): [number, number] {
  let lo = 0;
  let hi = ls.spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ls.maxEnd[mid] < t0) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  hi = ls.spans.length;
  while (end < hi) {
    const mid = (end + hi) >> 1;
    if (ls.spans[mid].start <= t1) end = mid + 1;
    else hi = mid;
  }
  return [lo, end];
}

/** The spans of a lane that overlap [t0, t1]: culling, so a frame draws only what is on screen. */
export function visibleSpans(ls: LaneSpans | undefined, t0: number, t1: number): Span[] {
  if (!ls) return [];
  const [lo, hi] = candidates(ls, t0, t1);
  const out: Span[] = [];
  for (let i = lo; i < hi; i++) if (ls.spans[i].end >= t0) out.push(ls.spans[i]);
  return out;
}

/** The lane row under y, if any. */
export function laneAtY(m: Model, y: number): Lane | undefined {
  for (const r of m.rows) if (r.kind === "lane" && y >= r.y && y < r.y + r.h) return r.lane;
  return undefined;
}

/** The span of a lane under time t, allowing `slack` µs either side so a span a pixel wide can still be pointed at. */
export function spanAt(ls: LaneSpans | undefined, t: number, slack: number): Span | undefined {
  let best: Span | undefined;
  let bestD = Infinity;
  for (const s of visibleSpans(ls, t - slack, t + slack)) {
    const d = t < s.start ? s.start - t : t > s.end ? t - s.end : 0;
    // inside beats near; among insides, the shorter one (a brief wait drawn over a long one)
    const key = d === 0 ? -1 / (1 + s.end - s.start) : d;
    if (key < bestD) [best, bestD] = [s, key];
  }
  return best;
}

/** The running stretch of a lane around t (between the spans either side, within its lifetime), or undefined. */
export function runningAt(m: Model, lane: Lane, t: number): { start: number; end: number } | undefined {
  const end = laneEnd(lane, m.tl);
  if (t < lane.start || t > end) return undefined;
  let a = lane.start;
  let b = end;
  const ls = m.spans.get(lane.id);
  for (const s of ls?.spans ?? []) {
    if (s.start <= t && s.end >= t) return undefined;
    if (s.end <= t && s.end > a) a = s.end;
    if (s.start >= t && s.start < b) b = s.start;
    if (s.start > b) break;
  }
  return { start: a, end: b };
}

export interface Arrow {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A hand-off's arrow: from the middle of the waker's lane to the near edge of the woken lane's bar, so the head stays visible. */
export function flowEndpoints(m: Model, f: Flow, v: View, p: Plot): Arrow | undefined {
  const a = m.rowOf.get(f.from.lane);
  const b = m.rowOf.get(f.to.lane);
  if (!a || !b) return undefined;
  const y1 = a.y + a.h / 2;
  const box = barBox(b.y, "running");
  const down = b.y > a.y;
  const y2 = down ? box.y - 1 : box.y + box.h + 1;
  return { x1: xOf(v, p, f.from.ts), y1, x2: xOf(v, p, f.to.ts), y2 };
}

export function flowVisible(f: Flow, v: View): boolean {
  return Math.max(f.from.ts, f.to.ts) >= v.t0 && Math.min(f.from.ts, f.to.ts) <= v.t1;
}

function distToSegment(px: number, py: number, a: Arrow): number {
  const dx = a.x2 - a.x1;
  const dy = a.y2 - a.y1;
  const len2 = dx * dx + dy * dy;
  const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x1) * dx + (py - a.y1) * dy) / len2));
  return Math.hypot(px - (a.x1 + u * dx), py - (a.y1 + u * dy));
}

/** The arrow nearest (x, y) within `tol` pixels. */
export function flowAt(m: Model, v: View, p: Plot, x: number, y: number, tol = 4): Flow | undefined {
  let best: Flow | undefined;
  let bestD = tol;
  const slack = tol * usPerPx(v, p);
  const t = tOf(v, p, x);
  for (const f of m.tl.flows) {
    if (Math.max(f.from.ts, f.to.ts) < t - slack || Math.min(f.from.ts, f.to.ts) > t + slack) continue;
    const a = flowEndpoints(m, f, v, p);
    if (!a) continue;
    const d = distToSegment(x, y, a);
    if (d <= bestD) [best, bestD] = [f, d];
  }
  return best;
}
