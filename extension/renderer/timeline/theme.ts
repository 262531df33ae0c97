// Colours from VS Code's theme variables (the webview sets them on <html>),
// read each frame so a theme switch shows at the next redraw; and how each
// state is painted, shared by the chart and the legend swatches so they match.
// Every state differs in shape too, not only hue: blocked is hatched, sleeping
// thin, idle hollow, running solid.
import type { SpanState } from "../../../kernel/protocol/timeline";

export interface Theme {
  fg: string;
  bg: string;
  muted: string;
  running: string;
  blocked: string;
  sleeping: string;
  idle: string;
  flow: string;
  deadlock: string;
  focus: string;
  /** Set in high-contrast themes: every bar gets this outline. */
  contrast: string;
  font: string;
  fontBold: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readTheme(el: HTMLElement): Theme {
  const s = getComputedStyle(el);
  const family = cssVar(s, "--vscode-font-family", "system-ui, sans-serif");
  const fg = cssVar(s, "--vscode-editor-foreground", "#cccccc");
  return {
    fg,
    bg: cssVar(s, "--vscode-editor-background", "#1e1e1e"),
    muted: cssVar(s, "--vscode-descriptionForeground", fg),
    running: cssVar(s, "--vscode-charts-green", "#89d185"),
    blocked: cssVar(s, "--vscode-charts-red", "#f14c4c"),
    sleeping: cssVar(s, "--vscode-charts-yellow", "#cca700"),
    idle: cssVar(s, "--vscode-charts-blue", "#3794ff"),
    flow: cssVar(s, "--vscode-charts-purple", fg),
    deadlock: cssVar(s, "--vscode-errorForeground", cssVar(s, "--vscode-charts-red", "#f14c4c")),
    focus: cssVar(s, "--vscode-focusBorder", "#007fd4"),
    contrast: s.getPropertyValue("--vscode-contrastBorder").trim(),
    font: `12px ${family}`,
    fontBold: `600 12px ${family}`,
  };
}

const patterns = new WeakMap<CanvasRenderingContext2D, { key: string; pattern: CanvasPattern | null }>();

/** Diagonal stripes of the background over the blocked colour: "hatched" reads as stuck without colour. */
function hatch(ctx: CanvasRenderingContext2D, t: Theme, dpr: number): CanvasPattern | string {
  const key = `${t.blocked}|${t.bg}|${dpr}`;
  const cached = patterns.get(ctx);
  if (cached?.key === key && cached.pattern) return cached.pattern;
  const size = Math.round(6 * dpr);
  const c = document.createElement("canvas");
  c.width = c.height = size;
  const p = c.getContext("2d");
  if (!p) return t.blocked;
  p.fillStyle = t.blocked;
  p.fillRect(0, 0, size, size);
  p.strokeStyle = t.bg;
  p.lineWidth = 1.6 * dpr;
  p.beginPath();
  // three strokes so the stripes join across tiles
  for (const o of [-size, 0, size]) {
    p.moveTo(o, size);
    p.lineTo(o + size, 0);
  }
  p.stroke();
  const pattern = ctx.createPattern(c, "repeat");
  // the pattern is in device pixels; the context draws in CSS pixels
  pattern?.setTransform(new DOMMatrix().scale(1 / dpr));
  patterns.set(ctx, { key, pattern });
  return pattern ?? t.blocked;
}

/** Paints one bar of a state into the box (CSS pixels); the caller has cleared what was under it. */
export function paintBar(ctx: CanvasRenderingContext2D, state: SpanState | "running", x: number, y: number, w: number, h: number, t: Theme, dpr: number): void {
  switch (state) {
    case "running":
      ctx.fillStyle = t.running;
      ctx.fillRect(x, y, w, h);
      break;
    case "blocked":
      ctx.fillStyle = hatch(ctx, t, dpr);
      ctx.fillRect(x, y, w, h);
      break;
    case "sleeping":
      ctx.fillStyle = t.sleeping;
      ctx.fillRect(x, y, w, h);
      break;
    case "idle":
      // hollow: an outline with a faint fill, "nothing to do"
      // a sliver too narrow for an outline is filled instead, or it would vanish
      ctx.globalAlpha = w > 3 ? 0.22 : 0.8;
      ctx.fillStyle = t.idle;
      ctx.fillRect(x, y, w, h);
      ctx.globalAlpha = 1;
      if (w > 3) {
        ctx.strokeStyle = t.idle;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x + 0.75, y + 0.75, w - 1.5, h - 1.5);
      }
      break;
  }
  if (t.contrast && w > 2) {
    ctx.strokeStyle = t.contrast;
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }
}

/** The legend's hand-off: a dot, a line and a head, as the chart draws them (28×26 CSS px). */
export function paintFlowKey(ctx: CanvasRenderingContext2D, t: Theme): void {
  ctx.strokeStyle = ctx.fillStyle = t.flow;
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  ctx.moveTo(4, 13);
  ctx.lineTo(22, 13);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(4, 13, 2.5, 0, 2 * Math.PI);
  ctx.moveTo(27, 13);
  ctx.lineTo(21, 10);
  ctx.lineTo(21, 16);
  ctx.closePath();
  ctx.fill();
}

/** The text cut to `max` pixels with an ellipsis: lane names can be long. */
export function ellipsize(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + "…";
}

/** Adds a head (a closed triangle pointing at x2, y2 along the line from x1, y1) to a path; the caller fills it. */
export function arrowHead(path: CanvasPath, x1: number, y1: number, x2: number, y2: number, size: number): void {
  const a = Math.atan2(y2 - y1, x2 - x1);
  path.moveTo(x2, y2);
  path.lineTo(x2 - size * Math.cos(a - 0.45), y2 - size * Math.sin(a - 0.45));
  path.lineTo(x2 - size * Math.cos(a + 0.45), y2 - size * Math.sin(a + 0.45));
  path.closePath();
}

export function fillHead(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number, size: number): void {
  ctx.beginPath();
  arrowHead(ctx, x1, y1, x2, y2, size);
  ctx.fill();
}
