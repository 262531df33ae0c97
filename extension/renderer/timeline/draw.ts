// Draws one frame of the timeline onto a canvas, in CSS pixels (the caller
// scales for devicePixelRatio). Only what is in view is drawn: spans are
// culled per lane by bisection, arrows by their time range, so a frame costs
// what is on screen, not the 20,000 spans of the run.
import type { Flow, Span } from "../../../kernel/protocol/timeline";
import { type Model, METRICS, barBox, flowEndpoints, flowVisible, laneEnd, visibleSpans } from "./layout";
import { pieces } from "./pieces";
import { type Plot, type View, ticks, xOf } from "./scale";
import { type Theme, arrowHead, ellipsize, fillHead, paintBar } from "./theme";

export interface Frame {
  width: number;
  dpr: number;
  view: View;
  plot: Plot;
  theme: Theme;
  hover?: { span?: Span; flow?: Flow };
  cursorX?: number;
}

/** Arrows are always drawn when no more than this many are in view, however narrow the chart. */
const MAX_FLOWS_MIN = 60;

function drawAxis(ctx: CanvasRenderingContext2D, m: Model, f: Frame): void {
  const { theme: t, plot } = f;
  ctx.font = t.font;
  ctx.textBaseline = "middle";
  ctx.textAlign = "center";
  const bottom = METRICS.axis - 0.5;
  for (const tick of ticks(f.view, plot, m.tl.start)) {
    const x = Math.round(tick.x) + 0.5;
    ctx.globalAlpha = 0.1;
    ctx.fillStyle = t.fg;
    ctx.fillRect(x - 0.5, METRICS.axis, 1, m.height - METRICS.axis - METRICS.bottom);
    ctx.globalAlpha = 1;
    ctx.fillStyle = t.muted;
    ctx.fillRect(x - 0.5, bottom - 4, 1, 4);
    // a label at either end is nudged inwards rather than cut in half
    const half = ctx.measureText(tick.label).width / 2 + 2;
    ctx.fillText(tick.label, Math.min(Math.max(x, plot.x0 + half), f.width - half), METRICS.axis / 2 - 2);
  }
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = t.fg;
  ctx.fillRect(plot.x0, bottom, plot.width, 1);
  ctx.globalAlpha = 1;
}

function drawLabels(ctx: CanvasRenderingContext2D, m: Model, f: Frame): void {
  const t = f.theme;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  const max = f.plot.x0 - 20;
  for (const r of m.rows) {
    if (r.kind === "process") {
      ctx.font = t.fontBold;
      ctx.fillStyle = t.muted;
      ctx.fillText(ellipsize(ctx, r.label, f.width - 16), 6, r.y + r.h / 2 + 1);
      ctx.globalAlpha = 0.25;
      ctx.fillStyle = t.fg;
      ctx.fillRect(0, r.y + 0.5, f.width, 1);
      ctx.globalAlpha = 1;
      continue;
    }
    const dead = m.cycle.has(r.lane.id);
    if (dead) {
      // the cycle's lanes: a tinted band and a solid edge, so the eye finds them first
      ctx.globalAlpha = 0.14;
      ctx.fillStyle = t.deadlock;
      ctx.fillRect(0, r.y + 1, f.width, r.h - 2);
      ctx.globalAlpha = 1;
      ctx.fillRect(0, r.y + 1, 4, r.h - 2);
    }
    ctx.font = dead ? t.fontBold : t.font;
    ctx.fillStyle = dead ? t.deadlock : t.fg;
    ctx.fillText(ellipsize(ctx, r.lane.name, max), 12, r.y + r.h / 2);
  }
}

function drawLanes(ctx: CanvasRenderingContext2D, m: Model, f: Frame): void {
  const { view: v, plot: p, theme: t, dpr } = f;
  const right = p.x0 + p.width;
  for (const r of m.rows) {
    if (r.kind !== "lane") continue;
    const lane = r.lane;
    const a = Math.max(lane.start, v.t0);
    const b = Math.min(laneEnd(lane, m.tl), v.t1);
    if (b >= a) {
      const box = barBox(r.y, "running");
      const x1 = xOf(v, p, a);
      paintBar(ctx, "running", x1, box.y, Math.max(1, xOf(v, p, b) - x1), box.h, t, dpr);
    }
    const full = barBox(r.y, "running");
    for (const pc of pieces(visibleSpans(m.spans.get(lane.id), v.t0, v.t1), v, p)) {
      const w = Math.max(1, pc.x2 - pc.x1);
      if (pc.partial) {
        // brief waits in a mostly running column: a mark on the lower half of the bar
        paintBar(ctx, pc.state, pc.x1, full.y + full.h / 2, w, full.h / 2, t, dpr);
        continue;
      }
      ctx.clearRect(pc.x1, full.y, w, full.h);
      const box = barBox(r.y, pc.state);
      paintBar(ctx, pc.state, pc.x1, box.y, w, box.h, t, dpr);
      if (pc.span?.open && xOf(v, p, pc.span.end) <= right + 1) {
        // still waiting at the end: a head pointing on, past the cell's end
        ctx.fillStyle = pc.state === "blocked" ? t.blocked : t.fg;
        fillHead(ctx, pc.x2, full.y + full.h / 2, pc.x2 + 7, full.y + full.h / 2, 7);
      }
    }
  }
}

function drawFlows(ctx: CanvasRenderingContext2D, m: Model, f: Frame): number {
  const { view: v, plot: p, theme: t } = f;
  const shown: Flow[] = m.tl.flows.filter((fl) => flowVisible(fl, v));
  if (shown.length > Math.max(MAX_FLOWS_MIN, p.width / 4)) return shown.length;
  ctx.strokeStyle = t.flow;
  ctx.fillStyle = t.flow;
  ctx.lineWidth = 1.25;
  // one path for all lines and one for all heads: a stroke per arrow is what costs
  const lines = new Path2D();
  const heads = new Path2D();
  for (const fl of shown) {
    const a = flowEndpoints(m, fl, v, p);
    if (!a) continue;
    lines.moveTo(a.x1, a.y1);
    lines.lineTo(a.x2, a.y2);
    arrowHead(heads, a.x1, a.y1, a.x2, a.y2, 6);
    // a dot where the hand-off starts: on the waker's bar, "this release"
    heads.moveTo(a.x1 + 2.5, a.y1);
    heads.arc(a.x1, a.y1, 2.5, 0, 2 * Math.PI);
  }
  ctx.stroke(lines);
  ctx.fill(heads);
  return 0;
}

/**
 * The wait-for cycle at the cell's end: on each deadlocked lane a label says what it waits
 * for and who holds it, and a bracket right of the end points from it to the lane it waits on.
 */
function drawCycle(ctx: CanvasRenderingContext2D, m: Model, f: Frame): void {
  const { view: v, plot: p, theme: t } = f;
  const end = xOf(v, p, m.tl.end);
  const right = Math.min(end, p.x0 + p.width);
  ctx.font = t.fontBold;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.lineWidth = 2;
  m.waits.forEach((e, i) => {
    const a = m.rowOf.get(e.lane);
    // a wait nobody holds (an Event, a Queue) gets its label, and no arrow to a holder
    const b = e.next === undefined ? undefined : m.rowOf.get(e.next);
    if (!a) return;
    const ya = a.y + a.h / 2;
    const w = ctx.measureText(e.text).width + 12;
    if (right - p.x0 > w + 24) {
      // a label on the bar, in a box of the background so it reads over the hatching
      const x = right - w - 10;
      ctx.fillStyle = t.bg;
      ctx.strokeStyle = t.deadlock;
      ctx.beginPath();
      ctx.roundRect(x, ya - 9, w, 18, 3);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = t.deadlock;
      ctx.fillText(e.text, x + 6, ya + 0.5);
    }
    // just past the open spans' heads (7 px after the end); alternate widths keep A→B and B→A apart
    const x = end + 12;
    if (!b || a === b || x > f.width) return;
    const yb = b.y + b.h / 2;
    const bulge = 14 + (i % 2) * 14;
    ctx.strokeStyle = ctx.fillStyle = t.deadlock;
    ctx.beginPath();
    ctx.arc(x, ya + 3, 2.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(x, ya + 3);
    ctx.bezierCurveTo(x + bulge, ya + 3, x + bulge, yb - 3, x + 7, yb - 3);
    ctx.stroke();
    fillHead(ctx, x + bulge, yb - 3, x + 1, yb - 3, 8);
  });
}

function drawHover(ctx: CanvasRenderingContext2D, m: Model, f: Frame): void {
  const { view: v, plot: p, theme: t } = f;
  const s = f.hover?.span;
  const row = s && m.rowOf.get(s.lane);
  if (s && row) {
    const box = barBox(row.y, s.state);
    const x1 = Math.max(p.x0, xOf(v, p, s.start));
    const x2 = Math.min(p.x0 + p.width, xOf(v, p, s.end));
    ctx.strokeStyle = t.focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(x1 - 1, box.y - 2, Math.max(1, x2 - x1) + 2, box.h + 4);
  }
  const fl = f.hover?.flow;
  const a = fl && flowEndpoints(m, fl, v, p);
  if (a) {
    ctx.strokeStyle = ctx.fillStyle = t.focus;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(a.x1, a.y1);
    ctx.lineTo(a.x2, a.y2);
    ctx.stroke();
    fillHead(ctx, a.x1, a.y1, a.x2, a.y2, 8);
  }
  if (f.cursorX !== undefined && f.cursorX >= p.x0 && f.cursorX <= p.x0 + p.width) {
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = t.focus;
    ctx.fillRect(Math.round(f.cursorX), METRICS.axis, 1, m.height - METRICS.axis - METRICS.bottom);
    ctx.globalAlpha = 1;
  }
}

/** Draws a frame; returns how many hand-offs in view were too dense to draw (the legend says so). */
export function drawFrame(ctx: CanvasRenderingContext2D, m: Model, f: Frame): number {
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.clearRect(0, 0, f.width, m.height);
  drawLabels(ctx, m, f);
  ctx.save();
  ctx.beginPath();
  // bars and arrows stay right of the labels; the margin keeps the deadlock's arrows in
  ctx.rect(f.plot.x0 - 1, 0, f.width - f.plot.x0 + 1, m.height);
  ctx.clip();
  drawAxis(ctx, m, f);
  drawLanes(ctx, m, f);
  const hidden = drawFlows(ctx, m, f);
  drawCycle(ctx, m, f);
  drawHover(ctx, m, f);
  ctx.restore();
  return hidden;
}
