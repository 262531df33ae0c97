// The thread timeline renderer's output, found in the output webviews' frames:
// its canvas's label (the summary a screen reader hears), where it is, and a
// click on a lane's span that reveals the cell line it names.
import { frames, LIST } from "./notebook.mjs";

/**
 * The timeline renderer's output (of the cell `cell`, "cell 5:", whose label also holds `own`): its summary, how
 * many lanes it names (its canvas's label), and where it is on the page, or null while no output frame has it.
 */
export async function findTimeline(page, cell, own) {
  for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
    const found = await frame
      .evaluate(([cell, own]) => {
        const label = (c) => c.getAttribute("aria-label") ?? "";
        const canvas = [...document.querySelectorAll("canvas[aria-label]")].find((c) => label(c).includes(`Thread timeline. ${cell}`) && label(c).includes(own));
        if (!canvas) return null;
        const r = canvas.getBoundingClientRect();
        return { summary: label(canvas), top: r.top, height: r.height };
      }, [cell, own])
      .catch(() => null);
    if (!found) continue;
    const box = await (await frame.frameElement()).boundingBox();
    return { summary: found.summary, lanes: Number(/(\d+) threads?/.exec(found.summary)?.[1] ?? 0), top: (box?.y ?? 0) + found.top, height: found.height };
  }
  return null;
}

/** Waits for the timeline (see findTimeline) to be drawn. */
export async function timelineDrawn(page, cell = "", own = "") {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const found = await findTimeline(page, cell, own);
    if (found) return found;
    await page.waitForTimeout(250);
  }
  return { summary: "no timeline canvas in any output", lanes: 0 };
}

/** Waits for the timeline to be drawn, then scrolls the notebook until it is on screen (under a long output, say). */
export async function revealTimeline(page, cell, own) {
  const drawn = await timelineDrawn(page, cell, own);
  if (!drawn.top) return drawn;
  const list = await page.locator(LIST).boundingBox();
  for (let step = 0; step < 60; step++) {
    const at = await findTimeline(page, cell, own);
    if (!at) break;
    const below = at.top + at.height - (list.y + list.height);
    const above = list.y - at.top;
    if (below <= 0 && above <= 0) break;
    await page.mouse.wheel(0, below > 0 ? Math.min(below + 40, 400) : -Math.min(above + 40, 400));
    await frames(page);
  }
  return drawn;
}

/**
 * Hovers the right end of each thread's lane of the timeline whose label has `own` (rows as the renderer's layout
 * puts them: an axis, then lanes of 26 px) until the tooltip names a line of a cell, then clicks there. Ok when the
 * cell it names is the focused one and the line its editor shows selected is the tooltip's line of code.
 */
export async function clickSpan(page, own) {
  for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
    const canvas = await frame
      .evaluate((own) => {
        const c = [...document.querySelectorAll("canvas[aria-label]")].find((x) => (x.getAttribute("aria-label") ?? "").includes(own));
        if (!c) return null;
        const r = c.getBoundingClientRect();
        return { left: r.left, top: r.top, width: r.width, height: r.height };
      }, own)
      .catch(() => null);
    if (!canvas) continue;
    const box = await (await frame.frameElement()).boundingBox();
    const tip = frame.locator(".concnb-tl-tip:not([hidden])");
    // from the right edge leftwards (the chart keeps a margin right of the cell's end for the cycle's arrows)
    const spots = [];
    for (let lane = 0; (lane + 1) * 26 + 26 <= canvas.height; lane++) {
      for (let back = 6; back < Math.min(300, canvas.width / 2); back += 10) spots.push({ x: box.x + canvas.left + canvas.width - back, y: box.y + canvas.top + 26 + lane * 26 + 13 });
    }
    for (const { x, y } of spots) {
      await page.mouse.move(x, y, { steps: 2 });
      const said = await tip.waitFor({ state: "visible", timeout: 300 }).then(() => tip.innerText(), () => "");
      const where = /(cell (\d+)), line (\d+)/.exec(said);
      if (!/still waiting/.test(said) || !where) continue;
      await page.mouse.click(x, y);
      // the line the selection is drawn on, in the focused cell's editor: the text of the view line at its height
      const code = said.split("\n").find((l) => l.startsWith(where[0]))?.slice(where[0].length).replace(/^: /, "") ?? "";
      // the selection is drawn in the cell's editor (focused or not: the notebook may keep the focus on its list)
      const selected = async () =>
        page.evaluate(
          ([list, index]) => {
            const row = document.querySelector(`${list} .monaco-list-row[data-index="${index}"]`);
            const sel = row?.querySelector(".monaco-editor .selected-text");
            if (!row || !sel) return null;
            const top = Math.round(sel.getBoundingClientRect().top);
            const line = [...row.querySelectorAll(".monaco-editor .view-line")].find((l) => Math.round(l.getBoundingClientRect().top) === top);
            return { cell: Number(row.getAttribute("data-index")) + 1, focused: row.classList.contains("focused"), text: (line?.textContent ?? "").replace(/\u00a0/g, " ").trim() };
          },
          [LIST, Number(where[2]) - 1],
        );
      let at = null;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await page.waitForTimeout(100)) {
        at = await selected();
        if (at && at.cell === Number(where[2]) && at.text === code) break;
      }
      const ok = at !== null && at.cell === Number(where[2]) && at.text === code && code !== "";
      const seen = at ? `cell ${at.cell}${at.focused ? " (focused)" : ""}, "${at.text}" selected` : `no selection in cell ${where[2]}`;
      return { ok, detail: `${said.split("\n").join(" · ")} → ${seen}` };
    }
    return { ok: false, detail: "no lane's right end is a wait with a line, under the pointer" };
  }
  return { ok: false, detail: `no timeline with "${own}"` };
}
