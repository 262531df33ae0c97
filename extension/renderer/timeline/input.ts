// Pointer, wheel and keyboard on the chart's canvas, turned into the chart's
// zoom, pan, hover and click. Returns the function that unbinds it all.

/** What the canvas's input drives (TimelineChart). */
export interface Controls {
  zoom(factor: number, x?: number): void;
  pan(dx: number): void;
  panFraction(f: number): void;
  fit(): void;
  hover(x: number | undefined, y: number | undefined): void;
  click(x: number, y: number): void;
}

/** A press that moves less than this is a click, not a drag. */
const CLICK_PX = 4;

export function bindInput(canvas: HTMLCanvasElement, c: Controls): () => void {
  const at = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  let drag: { id: number; x: number; startX: number; startY: number; moved: boolean } | undefined;

  const down = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const p = at(e);
    drag = { id: e.pointerId, x: p.x, startX: p.x, startY: p.y, moved: false };
    canvas.setPointerCapture(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    const p = at(e);
    if (drag && drag.id === e.pointerId) {
      if (!drag.moved && Math.hypot(p.x - drag.startX, p.y - drag.startY) >= CLICK_PX) {
        drag.moved = true;
        canvas.classList.add("dragging");
        c.hover(undefined, undefined);
      }
      if (drag.moved) {
        c.pan(p.x - drag.x);
        drag.x = p.x;
        return;
      }
    }
    c.hover(p.x, p.y);
  };
  const up = (e: PointerEvent) => {
    if (!drag || drag.id !== e.pointerId) return;
    const wasClick = !drag.moved && e.type === "pointerup";
    drag = undefined;
    canvas.classList.remove("dragging");
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    const p = at(e);
    if (wasClick) c.click(p.x, p.y);
    c.hover(p.x, p.y);
  };
  const leave = () => {
    if (!drag) c.hover(undefined, undefined);
  };
  const wheel = (e: WheelEvent) => {
    // lines and pages are turned into pixels, so a mouse and a trackpad feel alike
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? canvas.clientWidth : 1;
    const dx = e.deltaX * unit;
    const dy = e.deltaY * unit;
    if (e.ctrlKey || e.metaKey) {
      // ctrl+wheel, and a trackpad's pinch (which the browser reports as ctrl+wheel)
      e.preventDefault();
      c.zoom(Math.exp(-dy * 0.0025), at(e).x);
    } else if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      e.preventDefault();
      c.pan(-(e.shiftKey && dx === 0 ? dy : dx));
    }
    // a plain vertical wheel is left to scroll the notebook: the chart must not trap it
  };
  const key = (e: KeyboardEvent) => {
    const act: Record<string, () => void> = {
      ArrowLeft: () => c.panFraction(0.1),
      ArrowRight: () => c.panFraction(-0.1),
      "+": () => c.zoom(1.5),
      "=": () => c.zoom(1.5),
      "-": () => c.zoom(1 / 1.5),
      _: () => c.zoom(1 / 1.5),
      "0": () => c.fit(),
      Home: () => c.fit(),
    };
    const f = e.ctrlKey || e.metaKey || e.altKey ? undefined : act[e.key];
    if (!f) return;
    e.preventDefault();
    f();
  };

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("pointerleave", leave);
  canvas.addEventListener("wheel", wheel, { passive: false });
  canvas.addEventListener("keydown", key);
  return () => {
    canvas.removeEventListener("pointerdown", down);
    canvas.removeEventListener("pointermove", move);
    canvas.removeEventListener("pointerup", up);
    canvas.removeEventListener("pointercancel", up);
    canvas.removeEventListener("pointerleave", leave);
    canvas.removeEventListener("wheel", wheel);
    canvas.removeEventListener("keydown", key);
  };
}
