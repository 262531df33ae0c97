// Time ↔ pixel mapping, zoom and pan, and axis ticks. Pure (no DOM) so the
// arithmetic that decides what the learner sees is tested in Node.

/** The visible time range, in the timeline's microseconds. */
export interface View {
  t0: number;
  t1: number;
}

/** Where the plot lies on the canvas, in CSS pixels: x0 is time t0, x0 + width is t1. */
export interface Plot {
  x0: number;
  width: number;
}

/** The whole time range one may pan over; `minSpan` is the deepest zoom. */
export interface Bounds {
  start: number;
  end: number;
  minSpan: number;
}

export function boundsOf(start: number, end: number): Bounds {
  // a run of zero length still needs a range to draw in
  const e = end > start ? end : start + 1;
  return { start, end: e, minSpan: Math.min(e - start, 1) };
}

export function fit(b: Bounds): View {
  return { t0: b.start, t1: b.end };
}

export function xOf(v: View, p: Plot, t: number): number {
  return p.x0 + ((t - v.t0) * p.width) / (v.t1 - v.t0);
}

export function tOf(v: View, p: Plot, x: number): number {
  return v.t0 + ((x - p.x0) * (v.t1 - v.t0)) / p.width;
}

/** Microseconds per CSS pixel at this view. */
export function usPerPx(v: View, p: Plot): number {
  return (v.t1 - v.t0) / p.width;
}

/** Keeps the view's span within [minSpan, whole range] and its ends inside the bounds, moving it rather than shrinking it. */
export function clampView(v: View, b: Bounds): View {
  const full = b.end - b.start;
  const span = Math.min(full, Math.max(b.minSpan, v.t1 - v.t0));
  let t0 = v.t0;
  if (t0 < b.start) t0 = b.start;
  if (t0 + span > b.end) t0 = b.end - span;
  return { t0, t1: t0 + span };
}

/**
 * Zooms by `factor` (> 1 zooms in) keeping the time under pixel `x` under it, so the
 * thing the pointer is on stays put; only the bounds can move it (at the ends of the run).
 */
export function zoomAround(v: View, p: Plot, factor: number, x: number, b: Bounds): View {
  const f = Math.min(1, Math.max(0, (x - p.x0) / p.width));
  const t = v.t0 + f * (v.t1 - v.t0);
  const full = b.end - b.start;
  const span = Math.min(full, Math.max(b.minSpan, (v.t1 - v.t0) / factor));
  return clampView({ t0: t - f * span, t1: t - f * span + span }, b);
}

/** Pans by dx pixels: dragging right (dx > 0) shows earlier times. */
export function panBy(v: View, p: Plot, dx: number, b: Bounds): View {
  const dt = dx * usPerPx(v, p);
  return clampView({ t0: v.t0 - dt, t1: v.t1 - dt }, b);
}

export interface Tick {
  t: number;
  x: number;
  label: string;
}

/** The 1-2-5 step at least `raw` long: steps people read without arithmetic. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/**
 * Ticks at least `minGapPx` apart, labelled as time since `origin` (the cell's start).
 * The unit follows the largest label in view (so 12.4 ms is not "12400 µs") and the
 * decimals follow the step (so neighbouring labels always differ).
 */
export function ticks(v: View, p: Plot, origin: number, minGapPx = 90): Tick[] {
  if (p.width <= 0 || v.t1 <= v.t0) return [];
  const step = niceStep(minGapPx * usPerPx(v, p));
  const maxRel = Math.max(Math.abs(v.t0 - origin), Math.abs(v.t1 - origin));
  const unit = maxRel < 1e3 ? 1 : maxRel < 1e6 ? 1e3 : 1e6;
  const suffix = unit === 1 ? "µs" : unit === 1e3 ? "ms" : "s";
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / unit) - 1e-9));
  const out: Tick[] = [];
  // ticks sit at multiples of the step counted from the origin, so "0" is a tick when in view
  const first = Math.ceil((v.t0 - origin) / step - 1e-9);
  for (let i = first; ; i++) {
    const rel = i * step;
    const t = origin + rel;
    if (t > v.t1 + step * 1e-9) break;
    const n = rel / unit;
    const label = Math.abs(n) < 1e-12 ? "0" : `${n.toFixed(decimals)} ${suffix}`;
    out.push({ t, x: xOf(v, p, t), label });
    if (out.length > 1000) break; // a guard: a bad width must not hang the webview
  }
  return out;
}
