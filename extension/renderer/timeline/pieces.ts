// What a lane's bar is made of at a zoom: the spans in view, each at least a
// pixel wide; and where spans are narrower than a pixel, whole pixel columns,
// each shown as the wait state that took most of its time. A column that was
// mostly running keeps its running bar and gets a "partial" mark, so a brief
// wait stays visible zoomed out without a lane of many brief waits looking
// blocked throughout. Pure: the chart draws pieces, the tests count them.
import type { Span, SpanState } from "../../../kernel/protocol/timeline";
import { type Plot, type View, usPerPx, xOf } from "./scale";

export interface Piece {
  x1: number;
  x2: number;
  state: SpanState;
  /** The span itself, when it is drawn on its own (not folded into a column). */
  span?: Span;
  /** A column whose waits took less than half its time: drawn as a small mark on the running bar. */
  partial?: true;
}

/**
 * The pieces of `spans` (one lane's, by start, as visibleSpans gives them). A span of
 * at least `minPx` is its own piece; narrower ones are folded into whole pixel columns.
 */
export function pieces(spans: readonly Span[], v: View, p: Plot, minPx = 1): Piece[] {
  const out: Piece[] = [];
  const colUs = usPerPx(v, p);
  const left = p.x0;
  const right = p.x0 + p.width;
  let col = NaN;
  const cover: Record<SpanState, number> = { blocked: 0, sleeping: 0, idle: 0 };
  const flush = () => {
    if (Number.isNaN(col)) return;
    let best: SpanState = "blocked";
    for (const s of ["sleeping", "idle"] as const) if (cover[s] > cover[best]) best = s;
    const covered = cover.blocked + cover.sleeping + cover.idle;
    if (cover[best] > 0) {
      // the rest of the column was running: the waits fill it only when they were most of it
      const partial = covered * 2 < colUs;
      const last = out[out.length - 1];
      if (last && !last.span && last.state === best && last.x2 === col && !last.partial === !partial) last.x2 = col + 1;
      else out.push(partial ? { x1: col, x2: col + 1, state: best, partial } : { x1: col, x2: col + 1, state: best });
    }
    col = NaN;
    cover.blocked = cover.sleeping = cover.idle = 0;
  };
  for (const s of spans) {
    const x1 = Math.max(left, xOf(v, p, s.start));
    const x2 = Math.min(right, xOf(v, p, s.end));
    if (x2 - x1 >= minPx) {
      flush();
      out.push({ x1, x2, state: s.state, span: s });
      continue;
    }
    const c = Math.floor((x1 + x2) / 2);
    if (c !== col) flush();
    col = c;
    cover[s.state] += Math.max(0, Math.min(s.end, v.t1) - Math.max(s.start, v.t0));
  }
  flush();
  return out;
}
