// Moving about the real notebook UI as a person does: opening a lesson from
// the Explorer, waiting for a run to end, scrolling a cell into view. The
// notebook list is virtualized: only rows on screen are in the DOM, so a cell
// is found by scrolling until its row (keyed by data-index) is there.
import { readFileSync } from "node:fs";

export const TIMEOUT = 120_000;
/** The notebook editor the checks look at: the one on screen (another lesson's stays in the DOM, hidden). */
export const ACTIVE = "data-e2e-active";
export const LIST = `.notebook-editor[${ACTIVE}] .cell-list-container`;

/**
 * Clicks the lesson in the Explorer, as a person does. A click that comes
 * before the extension host has registered the notebook type opens the file as
 * text (the workbench's own race, seen on first load); then the tab is closed
 * and the click repeated until the notebook editor shows.
 */
export async function openLesson(page, lesson) {
  const deadline = Date.now() + TIMEOUT;
  for (let attempt = 1; ; attempt++) {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: lesson }).first().click({ timeout: TIMEOUT });
    const tab = page.locator(".tabs-container .tab.active", { hasText: lesson });
    const shown = await tab
      .waitFor({ timeout: 5000 })
      .then(() => page.waitForFunction(markActive, ACTIVE, { timeout: 5000 }))
      .then(() => true, () => false);
    if (shown) return;
    if (Date.now() > deadline) throw new Error(`${lesson} did not open in the notebook editor after ${attempt} clicks`);
    await page.locator(".tabs-container .tab.active .tab-actions .action-label").first().click().catch(() => {});
  }
}

/**
 * The markers of the cells the notebook shows, in order: a lesson's hints and solutions are folded away until the
 * learner asks (extension/exercises/folding), so they have no row.
 */
export function shownMarkers(file) {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => /^<!-- (ts|md)\b/.test(l) && !/^<!-- (ts|md) \{"(hint|solution)":/.test(l));
}

/** Waits for a notebook editor on screen and marks it ACTIVE (after a click elsewhere than the Explorer opened one). */
export function activeEditor(page) {
  return page.waitForFunction(markActive, ACTIVE, { timeout: 15_000 });
}

/** Marks the notebook editor on screen (ACTIVE), and only it; true once there is one. Runs in the page. */
export function markActive(attribute) {
  let found = false;
  for (const e of document.querySelectorAll(".notebook-editor")) {
    // a hidden tab's editor stays in the DOM, hidden by an ancestor's display or visibility
    const shown = e.checkVisibility({ checkVisibilityCSS: true, checkOpacity: true }) && e.getBoundingClientRect().width > 0 && e.querySelector(".cell-list-container") !== null;
    e.toggleAttribute(attribute, shown && !found);
    found ||= shown;
  }
  return found;
}

/** The run is over when the first cell has a state and no cell is running or waiting. */
export function runEnds(page) {
  return page
    .waitForFunction(
      (active) => {
        const q = (s) => document.querySelectorAll(`.notebook-editor[${active}] ${s}`).length;
        const started = q(".codicon-notebook-state-success") + q(".codicon-notebook-state-error") > 0;
        return started && q(".codicon-notebook-state-executing") + q(".codicon-notebook-state-pending") === 0 && q(".codicon-notebook-stop") === 0;
      },
      ACTIVE,
      { timeout: TIMEOUT, polling: 250 },
    )
    .then(() => true, () => false);
}

/** Points the mouse at the notebook and scrolls it to the top; returns the list's box. */
export async function top(page) {
  const box = await page.locator(LIST).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let step = 0; step < 400; step++) {
    const before = await scrollTop(page);
    await page.mouse.wheel(0, -box.height);
    if ((await scrollTop(page)) === before) break;
  }
  return box;
}

/** Waits for two animation frames: the list has rendered the rows a scroll brought in. */
export function frames(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Where the rows are now (index and top of each): unchanged by a scroll at the end of the notebook. */
export async function scrollTop(page) {
  await frames(page);
  return page.evaluate(
    (list) => [...document.querySelectorAll(`${list} .monaco-list-row`)].map((r) => `${r.getAttribute("data-index")}@${Math.round(r.getBoundingClientRect().top)}`).join(" "),
    LIST,
  );
}

/** Scrolls until the row of code cell `index` is near the top of the notebook. */
export async function showCell(page, index) {
  const box = await top(page);
  for (let step = 0; step < 200; step++) {
    const top = await page.evaluate(
      ([list, i]) => {
        const row = document.querySelector(`${list} .monaco-list-row[data-index="${i}"]`);
        return row ? row.getBoundingClientRect().top : null;
      },
      [LIST, index],
    );
    if (top !== null && top < box.y + box.height / 4) return;
    await page.mouse.wheel(0, 200);
    await frames(page);
  }
}

/** What the rows on screen show now: code cells' states by row index, and thread names in the outputs. */
export async function visible(page) {
  const states = await page.evaluate((list) => {
    const out = [];
    for (const row of document.querySelectorAll(`${list} .monaco-list-row.code-cell-row`)) {
      const i = Number(row.getAttribute("data-index"));
      const s = row.querySelector(".codicon-notebook-state-success") ? "success" : row.querySelector(".codicon-notebook-state-error") ? "error" : "none";
      out.push([i, s]);
    }
    return out;
  }, LIST);
  const threads = new Set();
  for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
    const text = await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "");
    for (const m of text.matchAll(/^\[([^\]\n]+)\] /gm)) threads.add(m[1]);
  }
  return { states, threads };
}

/** Scrolls from the top of the notebook to its end, collecting what every row showed. */
export async function scrollThrough(page) {
  const box = await top(page);
  const states = new Map();
  const threads = new Set();
  for (let step = 0; step < 400; step++) {
    const v = await visible(page);
    for (const [i, s] of v.states) if (s !== "none" || !states.has(i)) states.set(i, s);
    for (const t of v.threads) threads.add(t);
    const before = await scrollTop(page);
    await page.mouse.wheel(0, box.height / 2);
    if ((await scrollTop(page)) === before) break; // the end
  }
  return { states, threads };
}

/**
 * Whether the cells' states (seen while scrolling) are what the lesson's markers say: an exercise's check failed
 * (the exercise is unsolved as the lesson gives it), a cell with `expectError` failed, every other code cell ran
 * without an error, and none was left without a state.
 */
export function endedAsMetadataSays(seen, markers) {
  const code = markers.flatMap((l, i) => (l.startsWith("<!-- ts") ? [i] : []));
  const failing = code.filter((i) => /^<!-- ts \{"check":|"expectError":/.test(markers[i]));
  const state = (i) => seen.states.get(i) ?? "none";
  const wrong = code.filter((i) => state(i) !== (failing.includes(i) ? "error" : "success"));
  const ok = code.filter((i) => state(i) === "success").length;
  return {
    ok: code.length > 0 && wrong.length === 0,
    detail: `${ok} of ${code.length - failing.length} ok, ${failing.length} failing as they should${wrong.length ? `; not as the markers say: ${wrong.map((i) => `cell ${i + 1} (${state(i)})`).join(", ")}` : ""}`,
  };
}
