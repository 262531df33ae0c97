// The renderer's CSS, injected once per webview. Every colour is a VS Code
// theme variable (with a fallback for a page outside VS Code), so light,
// dark and high-contrast themes need no code of their own.
const CSS = `
.concnb-tl { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 12px; color: var(--vscode-editor-foreground, #ccc); padding: 4px 0 6px; }
.concnb-tl-summary { font-weight: 600; }
.concnb-tl-note { color: var(--vscode-descriptionForeground, inherit); margin: 2px 0 4px; }
.concnb-tl-deadlock { color: var(--vscode-errorForeground, var(--vscode-charts-red, #f14c4c)); border-left: 4px solid currentColor; background: color-mix(in srgb, var(--vscode-charts-red, #f14c4c) 10%, transparent); padding: 4px 8px; margin: 2px 0 6px; font-weight: 600; }
.concnb-tl-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; margin: 0 0 4px; }
.concnb-tl-legend { display: flex; flex-wrap: wrap; gap: 2px 14px; align-items: center; margin: 0 0 2px; }
.concnb-tl-key { display: inline-flex; align-items: center; gap: 5px; white-space: nowrap; }
.concnb-tl-key canvas { display: block; }
.concnb-tl-tools { display: inline-flex; align-items: center; gap: 4px; margin-left: auto; }
.concnb-tl-tools button { font: inherit; min-width: 26px; height: 22px; padding: 0 6px; cursor: pointer; color: var(--vscode-button-secondaryForeground, inherit); background: var(--vscode-button-secondaryBackground, transparent); border: 1px solid var(--vscode-button-border, var(--vscode-contrastBorder, transparent)); border-radius: 2px; }
.concnb-tl-tools button:hover { background: var(--vscode-button-secondaryHoverBackground, rgba(128,128,128,.2)); }
.concnb-tl-tools button:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: 1px; }
.concnb-tl-hint { color: var(--vscode-descriptionForeground, inherit); opacity: .85; margin-right: 6px; }
.concnb-tl-chart { position: relative; }
.concnb-tl-chart canvas { display: block; width: 100%; cursor: grab; touch-action: none; }
.concnb-tl-chart canvas.dragging { cursor: grabbing; }
.concnb-tl-chart canvas.link { cursor: pointer; }
.concnb-tl-chart canvas:focus { outline: none; }
.concnb-tl-chart canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: 1px; }
.concnb-tl-tip { position: absolute; z-index: 10; pointer-events: none; max-width: 420px; padding: 4px 8px; line-height: 1.45;
  color: var(--vscode-editorHoverWidget-foreground, var(--vscode-editor-foreground, #ccc));
  background: var(--vscode-editorHoverWidget-background, #252526);
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--vscode-contrastBorder, #454545)); border-radius: 3px; box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.36)); }
.concnb-tl-tip[hidden] { display: none; }
.concnb-tl-tip b { font-weight: 600; }
.concnb-tl-tip code { font-family: var(--vscode-editor-font-family, monospace); }
.concnb-tl-tip .concnb-tl-dim { color: var(--vscode-descriptionForeground, inherit); }
`;

/** Once per document (or shadow root, should the output live in one): outputs share the sheet. */
export function injectStyles(el: HTMLElement): void {
  const root = el.getRootNode();
  const host: ParentNode = root instanceof ShadowRoot ? root : el.ownerDocument.head;
  if (host.querySelector("style[data-concnb-tl]")) return;
  const style = el.ownerDocument.createElement("style");
  style.dataset.concnbTl = "";
  style.textContent = CSS;
  host.appendChild(style);
}
