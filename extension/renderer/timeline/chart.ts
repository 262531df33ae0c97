// The timeline of one output: its DOM (summary, notes, legend, tools, canvas,
// tooltip), its view state, and redrawing. Pointer and keyboard handling is in
// input.ts; the arithmetic in scale.ts, layout.ts and hit.ts.
import type { Timeline } from "../../../kernel/protocol/timeline";
import { drawFrame } from "./draw";
import { ariaSummary, deadlockCaption, droppedNote, summaryLine } from "./format";
import { type Hit, hitTest, tooltipFor } from "./hit";
import { bindInput } from "./input";
import { type Model, buildModel } from "./layout";
import { Legend, el } from "./legend";
import type { RevealMessage } from "./messages";
import { type Plot, type View, clampView, fit, panBy, zoomAround } from "./scale";
import { type Theme, readTheme } from "./theme";

export interface ChartHost {
  /** Absent when the webview has no messaging (requiresMessaging is "optional"): spans are then not clickable. */
  postMessage?: (m: RevealMessage) => void;
}

export class TimelineChart {
  readonly root = el("div", "concnb-tl");
  private readonly canvas = el("canvas", "");
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tip = el("div", "concnb-tl-tip");
  private readonly legend: Legend;
  private readonly model: Model;
  private view: View;
  private plot: Plot = { x0: 0, width: 1 };
  private width = 0;
  private theme: Theme;
  private hit: Hit | undefined;
  private cursorX: number | undefined;
  private frame = 0;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    tl: Timeline,
    private readonly host: ChartHost,
  ) {
    this.model = buildModel(tl);
    this.view = fit(this.model.bounds);
    const ctx = this.canvas.getContext("2d");
    if (!ctx) throw new Error("no 2d canvas context");
    this.ctx = ctx;
    this.theme = readTheme(this.root);
    this.legend = new Legend(tl.flows.length > 0);
    this.build(tl);
  }

  private build(tl: Timeline): void {
    const note = droppedNote(tl.dropped);
    if (tl.lanes.length === 0) {
      this.root.append(el("div", "concnb-tl-note", `No threads ran in ${tl.cell}.`));
      if (note) this.root.append(el("div", "concnb-tl-note", note));
      return;
    }
    const head = el("div", "concnb-tl-bar");
    head.append(el("div", "concnb-tl-summary", summaryLine(tl)));
    this.root.append(head);
    const dl = deadlockCaption(tl, this.model.lanes);
    if (dl) {
      const caption = el("div", "concnb-tl-deadlock", dl);
      caption.setAttribute("role", "alert");
      this.root.append(caption);
    }
    if (note) this.root.append(el("div", "concnb-tl-note", note));
    const tools = el("div", "concnb-tl-tools");
    tools.append(el("span", "concnb-tl-hint", "Ctrl/⌘+wheel zoom · drag or Shift+wheel pan"));
    const button = (text: string, title: string, act: () => void) => {
      const b = el("button", "", text);
      b.type = "button";
      b.title = title;
      b.setAttribute("aria-label", title);
      b.addEventListener("click", act);
      tools.append(b);
    };
    button("−", "Zoom out (−)", () => this.zoom(1 / 1.5));
    button("+", "Zoom in (+)", () => this.zoom(1.5));
    button("Fit", "Show the whole run (0)", () => this.setView(fit(this.model.bounds)));
    head.append(tools);
    const chart = el("div", "concnb-tl-chart");
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `${ariaSummary(tl, this.model.lanes)} Arrow keys pan, plus and minus zoom, 0 fits.`);
    this.canvas.style.height = `${this.model.height}px`;
    this.tip.hidden = true;
    this.tip.setAttribute("role", "tooltip");
    chart.append(this.canvas, this.tip);
    this.root.append(this.legend.root, chart);
    const resize = new ResizeObserver(() => this.resize());
    resize.observe(chart);
    // VS Code changes theme by rewriting the variables on <html> and the class of <body>
    const themed = new MutationObserver(() => this.refreshTheme());
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });
    themed.observe(document.body, { attributes: true, attributeFilter: ["class"] });
    this.cleanups.push(() => resize.disconnect(), () => themed.disconnect(), bindInput(this.canvas, this));
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    for (const c of this.cleanups.splice(0)) c();
    this.root.remove();
  }

  // ---- what input.ts drives ----

  zoom(factor: number, x = this.plot.x0 + this.plot.width / 2): void {
    this.setView(zoomAround(this.view, this.plot, factor, x, this.model.bounds));
  }

  pan(dx: number): void {
    this.setView(panBy(this.view, this.plot, dx, this.model.bounds));
  }

  panFraction(f: number): void {
    this.pan(f * this.plot.width);
  }

  fit(): void {
    this.setView(fit(this.model.bounds));
  }

  hover(x: number | undefined, y: number | undefined): void {
    this.hit = x === undefined || y === undefined ? undefined : hitTest(this.model, this.view, this.plot, x, y);
    this.cursorX = x !== undefined && x >= this.plot.x0 ? x : undefined;
    this.canvas.classList.toggle("link", this.hit?.kind === "span" && !!this.hit.span.where && !!this.host.postMessage);
    this.showTip(x ?? 0, y ?? 0);
    this.schedule();
  }

  click(x: number, y: number): void {
    const h = hitTest(this.model, this.view, this.plot, x, y);
    const where = h?.kind === "span" ? h.span.where : undefined;
    if (where) this.host.postMessage?.({ type: "reveal", cell: where.cell, line: where.line });
  }

  // ---- drawing ----

  private setView(v: View): void {
    this.view = clampView(v, this.model.bounds);
    this.hit = undefined;
    this.tip.hidden = true;
    this.schedule();
  }

  private refreshTheme(): void {
    this.theme = readTheme(this.root);
    this.legend.paint(this.theme);
    this.schedule();
  }

  private resize(): void {
    const width = this.canvas.clientWidth;
    if (width <= 0) return;
    this.width = width;
    const probe = this.ctx;
    probe.font = this.theme.fontBold;
    const widest = Math.max(0, ...this.model.tl.lanes.map((l) => probe.measureText(l.name).width));
    const gutter = Math.min(Math.max(widest + 30, 90), Math.max(90, width * 0.35));
    // room right of the cell's end for the heads of open spans, and the deadlock's wait-for arrows
    const right = this.model.cycle.size > 0 ? 56 : 18;
    this.plot = { x0: gutter, width: Math.max(40, width - gutter - right) };
    this.refreshTheme();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    if (this.width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(this.width * dpr);
    const h = Math.round(this.model.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
    const hover = this.hit?.kind === "span" ? { span: this.hit.span } : this.hit?.kind === "flow" ? { flow: this.hit.flow } : undefined;
    const hidden = drawFrame(this.ctx, this.model, { width: this.width, dpr, view: this.view, plot: this.plot, theme: this.theme, hover, cursorX: this.cursorX });
    this.legend.flowsHidden(hidden);
  }

  private showTip(x: number, y: number): void {
    if (!this.hit) {
      this.tip.hidden = true;
      return;
    }
    const [head, ...rest] = tooltipFor(this.model, this.hit);
    const where = this.hit.kind === "span" ? this.hit.span.where : undefined;
    this.tip.replaceChildren(el("b", "", head));
    rest.forEach((line, i) => {
      const last = i === rest.length - 1 && where;
      this.tip.append(document.createElement("br"), last ? el("code", "", line) : document.createTextNode(line));
    });
    if (where && this.host.postMessage) this.tip.append(document.createElement("br"), el("span", "concnb-tl-dim", "Click to show this line"));
    this.tip.hidden = false;
    // beside the pointer, flipped to stay inside the chart
    const pad = 14;
    const tw = this.tip.offsetWidth;
    const th = this.tip.offsetHeight;
    const left = x + pad + tw > this.width ? Math.max(0, x - pad - tw) : x + pad;
    const top = y + pad + th > this.model.height ? Math.max(0, y - pad - th) : y + pad;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${top}px`;
  }
}
