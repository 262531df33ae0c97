// The legend above the chart: a swatch per state, painted by the same code as
// the bars (so hatching and thickness match), and the hand-off arrow, whose
// text says when arrows are too dense to draw at this zoom.
import type { SpanState } from "../../../kernel/protocol/timeline";
import { stateName } from "./format";
import { barBox } from "./layout";
import { type Theme, paintBar, paintFlowKey } from "./theme";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

type Key = SpanState | "running" | "flow";

const LABELS: Array<[Key, string]> = [
  ["running", stateName("running")],
  ["blocked", "blocked (waiting for a lock, event, queue, join…)"],
  ["sleeping", stateName("sleeping")],
  ["idle", stateName("idle")],
];

const FLOW = "hand-off (who woke whom)";
const W = 28;
const H = 26;

export class Legend {
  readonly root = el("div", "concnb-tl-legend");
  private readonly swatches: Array<[HTMLCanvasElement, Key]> = [];
  private readonly flowText = document.createTextNode(FLOW);
  private hidden = 0;

  constructor(withFlows: boolean) {
    const keys: Array<[Key, string | Text]> = [...LABELS];
    if (withFlows) keys.push(["flow", this.flowText]);
    for (const [key, label] of keys) {
      const item = el("span", "concnb-tl-key");
      const sw = el("canvas", "");
      sw.setAttribute("aria-hidden", "true");
      sw.style.width = `${W}px`;
      sw.style.height = `${H}px`;
      this.swatches.push([sw, key]);
      item.append(sw, typeof label === "string" ? document.createTextNode(label) : label);
      this.root.append(item);
    }
  }

  /** Paints the swatches in the theme's colours (again after a theme change). */
  paint(t: Theme): void {
    const dpr = window.devicePixelRatio || 1;
    for (const [sw, key] of this.swatches) {
      sw.width = W * dpr;
      sw.height = H * dpr;
      const c = sw.getContext("2d");
      if (!c) continue;
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      c.clearRect(0, 0, W, H);
      if (key === "flow") paintFlowKey(c, t);
      else paintBar(c, key, 1, barBox(0, key).y, W - 2, barBox(0, key).h, t, dpr);
    }
  }

  /** How many hand-offs in view were left undrawn: said in the key, so missing arrows are not taken for none. */
  flowsHidden(n: number): void {
    if (n === this.hidden) return;
    this.hidden = n;
    this.flowText.data = n ? `${FLOW}: ${n.toLocaleString("en-US")} in view, zoom in to see them` : FLOW;
  }
}
