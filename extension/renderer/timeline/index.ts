// The notebook renderer of TIMELINE_MIME outputs (package.json's
// "concnb-timeline"): one TimelineChart per output item, disposed with it.
import type { ActivationFunction } from "vscode-notebook-renderer";
import type { Timeline } from "../../../kernel/protocol/timeline";
import { TimelineChart } from "./chart";
import type { RevealMessage } from "./messages";
import { injectStyles } from "./styles";

export type { RevealMessage, TimelineRendererMessage } from "./messages";

/** Enough of a Timeline to draw: an output from an older or newer kernel fails with a message, not a blank. */
function asTimeline(data: unknown): Timeline | string {
  const t = data as Partial<Timeline> | null;
  if (!t || typeof t !== "object") return "The timeline output is not an object.";
  for (const k of ["lanes", "spans", "flows"] as const) if (!Array.isArray(t[k])) return `The timeline output has no ${k} list.`;
  if (typeof t.start !== "number" || typeof t.end !== "number") return "The timeline output has no start and end.";
  return { cell: "this cell", dropped: 0, ...t } as Timeline;
}

export const activate: ActivationFunction = (context) => {
  const charts = new Map<string, TimelineChart>();
  const post = context.postMessage ? (m: RevealMessage) => context.postMessage?.(m) : undefined;
  const dispose = (id: string) => {
    charts.get(id)?.dispose();
    charts.delete(id);
  };
  return {
    renderOutputItem(item, element) {
      // rendered again when the output changes: the old chart lets go of its observers first
      dispose(item.id);
      element.replaceChildren();
      injectStyles(element);
      let tl: Timeline | string;
      try {
        tl = asTimeline(item.json());
      } catch (e) {
        tl = `The timeline output is not JSON: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (typeof tl === "string") {
        const p = document.createElement("div");
        p.textContent = tl;
        element.append(p);
        return;
      }
      const chart = new TimelineChart(tl, { postMessage: post });
      element.append(chart.root);
      charts.set(item.id, chart);
    },
    disposeOutputItem(id) {
      if (id === undefined) for (const k of [...charts.keys()]) dispose(k);
      else dispose(id);
    },
  };
};
