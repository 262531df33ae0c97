// What the timeline renderer (in the notebook's webview) sends the extension
// host through `context.postMessage`. Kept free of DOM and vscode imports so
// both sides can import it: the extension listens with
// `vscode.notebooks.createRendererMessaging("concnb-timeline")`.

/** The id of the renderer, as package.json contributes it: the extension's messaging is created for it. */
export const TIMELINE_RENDERER_ID = "concnb-timeline";

/** The learner clicked a span that carries a `where`: show that line of that cell. */
export interface RevealMessage {
  type: "reveal";
  /** The cell as tracebacks name it ("cell 2"), i.e. `TimelineWhere.cell`. */
  cell: string;
  /** 1-based line in that cell, i.e. `TimelineWhere.line`. */
  line: number;
}

/** Every message the renderer may send; a union so more can be added and switched on exhaustively. */
export type TimelineRendererMessage = RevealMessage;

/** A guard for the extension side: messages arrive as `unknown` from the webview. */
export function isTimelineRendererMessage(m: unknown): m is TimelineRendererMessage {
  if (typeof m !== "object" || m === null) return false;
  const r = m as Partial<RevealMessage>;
  return r.type === "reveal" && typeof r.cell === "string" && typeof r.line === "number" && Number.isFinite(r.line);
}
