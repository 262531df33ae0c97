// What is under the pointer, and what its tooltip says. Pure: the chart calls
// it on every pointer move; the tests call it with made-up coordinates.
import type { Flow, Lane, Span } from "../../../kernel/protocol/timeline";
import { flowTooltip, runningTooltip, spanTooltip } from "./format";
import { type Model, barBox, flowAt, laneAtY, laneEnd, runningAt, spanAt } from "./layout";
import { type Plot, type View, tOf, usPerPx } from "./scale";

export type Hit =
  | { kind: "flow"; flow: Flow }
  | { kind: "span"; span: Span; lane: Lane }
  | { kind: "running"; lane: Lane; start: number; end: number };

/** Pixels of slack around a thin span or arrow, so a 1 px sliver can still be hovered. */
const SLACK_PX = 3;

/** Arrows are tested first: they are drawn over the bars, and are the thinner target. */
export function hitTest(m: Model, v: View, p: Plot, x: number, y: number): Hit | undefined {
  if (x < p.x0 - SLACK_PX || x > p.x0 + p.width + SLACK_PX) return undefined;
  const flow = flowAt(m, v, p, x, y);
  if (flow) return { kind: "flow", flow };
  const lane = laneAtY(m, y);
  if (!lane) return undefined;
  const row = m.rowOf.get(lane.id);
  // only on the bar, give or take a few pixels: the gap between lanes hovers nothing
  const box = row && barBox(row.y, "running");
  if (!box || y < box.y - SLACK_PX || y > box.y + box.h + SLACK_PX) return undefined;
  const t = tOf(v, p, x);
  const span = spanAt(m.spans.get(lane.id), t, SLACK_PX * usPerPx(v, p));
  if (span) return { kind: "span", span, lane };
  const run = runningAt(m, lane, t);
  return run && { kind: "running", lane, ...run };
}

export function tooltipFor(m: Model, h: Hit): string[] {
  const origin = m.tl.start;
  switch (h.kind) {
    case "flow":
      return flowTooltip(h.flow, m.lanes, origin);
    case "span":
      return spanTooltip(h.span, h.lane, origin);
    case "running":
      return runningTooltip(h.lane, h.start, h.end, origin, h.lane.end === null && h.end === laneEnd(h.lane, m.tl));
  }
}
