// An exercise done as a learner does it, in the real notebook UI: lesson 2's
// "atm" (Run All has run its check, which fails as the lesson gives it). The
// exercise cell's status bar says ✗; its "Hint 1 of 2" shows the first hint
// below the check; the fix is typed in and the status bar's Check turns the
// verdict to ✓ (02-exercise-passed.png); the Lessons view in the activity bar
// shows it, and a click on another lesson's exercise opens that lesson at it
// (02-lessons-view.png); Solution asks first, then shows the solution's cell;
// Reset asks first, then puts the lesson's text back; after a save and a
// reload of the whole workbench the verdict is still there, in the view and on
// the cell (02-after-reload.png).
//
// Every step is a check of its own; a step that fails saves a screenshot
// (exercise-<step>-failed.png) and the steps that need it are not tried.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { activeEditor, LIST, openLesson, showCell, shownMarkers, TIMEOUT } from "./notebook.mjs";

const LESSON = "02-race-conditions-and-locks.concnb";
const ID = "atm";
const FIX = "using _ = account.getLock().hold();";
/** The Lessons view, in its own container of the activity bar. */
const VIEW = '[id="workbench.view.extension.concnb"]';

export async function exerciseRound(page, workspace, shots, check) {
  const file = join(workspace, LESSON);
  const markers = shownMarkers(file);
  const cells = cellsOf(readFileSync(file, "utf8"));
  const at = markers.findIndex((l) => l.includes(`{"exercise":"${ID}"}`));
  const checkAt = markers.findIndex((l) => l.includes(`{"check":"${ID}"`));
  const hints = cells.filter((c) => c.marker.includes(`{"hint":"${ID}"}`));
  const original = cells.find((c) => c.marker.includes(`{"exercise":"${ID}"}`)).body;
  // a line of the solution that the exercise does not have: how its cell is told apart once shown
  const solutionLine = cells
    .find((c) => c.marker.includes(`{"solution":"${ID}"}`))
    .body.split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !original.split("\n").some((o) => o.trim() === l));
  const row = (i) => page.locator(`${LIST} .monaco-list-row[data-index="${i}"]`);
  const statusOf = async () => (await row(at).locator(".cell-statusbar-container").first().innerText().catch(() => "(no status bar on screen)")).replace(/\s+/g, " ");
  const item = (text) => row(at).locator(".cell-status-item", { hasText: text }).first();
  const step = stepper(page, shots, check, statusOf);

  await openLesson(page, LESSON);
  await showCell(page, at);
  if (!(await step("as given, the exercise cell's status bar says ✗ (its check failed in Run All)", "given", async () => {
    const text = await item("✗ failed").waitFor({ timeout: 30_000 }).then(() => item("✗ failed").innerText(), () => "");
    return { ok: text !== "" && hints.length >= 2, detail: text || (await statusOf()) };
  }))) return;

  await step(`after the failed check, "Hint 1 of ${hints.length}" shows the first hint, and only it`, "hint", async () => {
    await clickItem(page, item(`Hint 1 of ${hints.length}`));
    const first = snippet(hints[0].body);
    const shown = await textInOutputs(page, first, 30_000);
    const next = await item(`Hint 2 of ${hints.length}`).waitFor({ timeout: 10_000 }).then(() => true, () => false);
    const second = await textInOutputs(page, snippet(hints[1].body), 0);
    // where the lesson keeps it: the Markdown cell right under the check
    const below = await row(checkAt + 1).getAttribute("class", { timeout: 5000 }).catch(() => "");
    const placed = /markdown-cell-row/.test(below ?? "");
    return {
      ok: shown && next && !second && placed,
      detail: `"${first}" ${shown ? "shown" : "not shown"}${placed ? ", under the check" : ", not under the check"}; status: ${await statusOf()}`,
    };
  });

  await showCell(page, at);
  await row(at).locator(".view-line", { hasText: "function withdrawOnce" }).first().click();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type(FIX);
  await page.keyboard.press("Escape"); // a suggestion list left open would cover the status bar
  if (!(await step("the fix typed in, the status bar's Check runs the check (10 runs) and says ✓", "check", async () => {
    await showCell(page, at);
    await clickItem(page, item("Check"));
    const passed = await item("✓ passed 10 of 10 runs").waitFor({ timeout: 60_000 }).then(() => true, () => false);
    await page.screenshot({ path: join(shots, "02-exercise-passed.png") });
    return { ok: passed, detail: await statusOf() };
  }))) return;

  await step("the Lessons view shows the exercise passed, and its lesson 1 of 3 passed", "view", async () => {
    await page.locator(".part.activitybar .action-item a[aria-label^='Concurrency Notebooks']").first().click({ timeout: 10_000 });
    const exercise = page.locator(`${VIEW} .monaco-list-row`, { hasText: "✓ passed 10 of 10 runs" }).first();
    const listed = await exercise.waitFor({ timeout: 15_000 }).then(() => exercise.innerText(), () => "");
    const lesson = await page.locator(`${VIEW} .monaco-list-row`, { hasText: "1 of 3 passed" }).first().innerText().catch(() => "");
    await page.screenshot({ path: join(shots, "02-lessons-view.png") });
    return { ok: listed !== "" && /Race/i.test(lesson), detail: `${oneLine(lesson)} · ${oneLine(listed)}` };
  });

  await step("a click on another lesson's exercise in the Lessons view opens that lesson at its exercise", "open", async () => {
    const other = "03-rlock-and-deadlock.concnb";
    const first = shownMarkers(join(workspace, other)).findIndex((l) => /^<!-- ts \{"exercise":/.test(l));
    const title = /^title:\s*(.+)$/m.exec(readFileSync(join(workspace, other), "utf8"))[1];
    const exercise = await firstExerciseRow(page, `3. ${title}`);
    if (!exercise) return { ok: false, detail: `no row "3. ${title}" in the Lessons view` };
    const named = oneLine(await exercise.innerText());
    await exercise.click({ timeout: 10_000 });
    const opened = await page.locator(".tabs-container .tab.active", { hasText: other }).waitFor({ timeout: 15_000 }).then(() => true, () => false);
    await activeEditor(page);
    const focused = await page
      .locator(`${LIST} .monaco-list-row.focused[data-index="${first}"]`)
      .waitFor({ timeout: 15_000 })
      .then(() => true, () => false);
    return { ok: opened && focused, detail: `"${named}": ${other} ${opened ? "opened" : "not opened"}, cell ${first + 1} ${focused ? "focused" : "not focused"}` };
  });

  // back to lesson 2, from the view: its ATM row
  await page.locator(`${VIEW} .monaco-list-row`, { hasText: "✓ passed 10 of 10 runs" }).first().click({ timeout: 10_000 });
  await page.locator(".tabs-container .tab.active", { hasText: LESSON }).waitFor({ timeout: 15_000 });
  await activeEditor(page);

  await step("Solution asks first; once confirmed the solution's cell is shown", "solution", async () => {
    await showCell(page, at);
    await clickItem(page, item("Solution"));
    const asked = await answerModal(page, "Show the Solution");
    const shown = page.locator(`${LIST} .monaco-list-row .view-line`, { hasText: solutionLine }).first();
    const seen = await shown.waitFor({ timeout: 15_000 }).then(() => true, () => false);
    return { ok: asked.includes(`Show the solution of "${ID}"?`) && seen, detail: `asked: "${oneLine(asked).slice(0, 80)}"; "${solutionLine}" ${seen ? "shown" : "not shown"}` };
  });

  await step("Reset asks first; once confirmed the exercise has the lesson's text again, and the verdict is marked as before the edit", "reset", async () => {
    await showCell(page, at);
    await clickItem(page, item("Reset"));
    const asked = await answerModal(page, "Reset");
    const back = await page
      .waitForFunction(
        ([list, i, want]) => {
          const lines = document.querySelector(`${list} .monaco-list-row[data-index="${i}"] .view-lines`);
          const norm = (s) => s.replace(/\u00a0/g, " ").replace(/\s+/g, " ").trim();
          return lines !== null && norm(lines.innerText) === norm(want);
        },
        [LIST, at, original],
        { timeout: 15_000, polling: 200 },
      )
      .then(() => true, () => false);
    // the status bar follows the text (its items are asked for again after the edit): waited for, not read at once
    const stale = await item("(before your last edit)").waitFor({ timeout: 15_000 }).then(() => true, () => false);
    const resetGone = await item("Reset").waitFor({ state: "detached", timeout: 15_000 }).then(() => true, () => false);
    const status = await statusOf();
    return {
      ok: asked.includes("Reset") && back && stale && resetGone && /✓ passed 10 of 10 runs \(before your last edit\)/.test(status),
      detail: `${back ? "the lesson's text is back" : "the text is not the lesson's"}; status: ${status}`,
    };
  });

  await step("after a save and a reload of the workbench, the verdict is remembered: in the Lessons view and on the cell", "reload", async () => {
    await row(at).locator(".view-line").first().click();
    await page.keyboard.press("Control+S");
    await page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached", timeout: 15_000 }).catch(() => {});
    await page.reload();
    const exercise = page.locator(`${VIEW} .monaco-list-row`, { hasText: "✓ passed 10 of 10 runs" }).first();
    const listed = await exercise.waitFor({ timeout: TIMEOUT }).then(() => true, () => false);
    if (listed) await exercise.click();
    await page.locator(".tabs-container .tab.active", { hasText: LESSON }).waitFor({ timeout: 30_000 });
    await activeEditor(page);
    await showCell(page, at);
    const onCell = await item("✓ passed 10 of 10 runs").waitFor({ timeout: 30_000 }).then(() => true, () => false);
    await page.screenshot({ path: join(shots, "02-after-reload.png") });
    return { ok: listed && onCell, detail: `view ${listed ? "✓" : "has no ✓"}; cell: ${await statusOf()}` };
  });
}

/** Runs one step as a check; a failure (or a throw) saves a screenshot. True when it passed. */
function stepper(page, shots, check, statusOf) {
  return async (name, tag, run) => {
    let result;
    try {
      result = await run();
    } catch (e) {
      result = { ok: false, detail: `${e.message.split("\n")[0]}; status: ${await statusOf()}` };
    }
    if (!result.ok) await page.screenshot({ path: join(shots, `exercise-${tag}-failed.png`) }).catch(() => {});
    check(`lesson 2's exercise: ${name}`, result.ok, result.detail);
    return result.ok;
  };
}

/**
 * Clicks a cell status bar item where the pointer would: at the middle of its box, once it is on screen. (The
 * notebook's list scrolls itself, not the page, so the locator's own scrolling into view cannot bring it there.)
 */
async function clickItem(page, item) {
  await item.waitFor({ state: "visible", timeout: 15_000 });
  const list = await page.locator(LIST).boundingBox();
  for (let tries = 0; tries < 20; tries++) {
    const box = await item.boundingBox();
    if (box && box.y >= list.y && box.y + box.height <= list.y + list.height) {
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      return;
    }
    await page.mouse.move(list.x + list.width / 2, list.y + list.height / 2);
    await page.mouse.wheel(0, box && box.y < list.y ? -120 : 120);
    await page.waitForTimeout(100);
  }
  throw new Error(`the status bar item "${await item.innerText().catch(() => "?")}" did not come on screen`);
}

/** Waits for VS Code's modal dialog, clicks `button` and resolves with the dialog's text. */
async function answerModal(page, button) {
  const dialog = page.locator(".monaco-dialog-box").first();
  await dialog.waitFor({ state: "visible", timeout: 15_000 });
  const text = await dialog.innerText();
  await dialog.getByRole("button", { name: button, exact: true }).click();
  await dialog.waitFor({ state: "hidden", timeout: 15_000 });
  return text;
}

/**
 * Whether `text` is shown in a rendered Markdown cell within `timeout` ms. Markdown cells are drawn in the
 * notebook's webview, inside a shadow root: Playwright's text locators look through it.
 */
async function textInOutputs(page, text, timeout) {
  const deadline = Date.now() + timeout;
  do {
    for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
      if (await frame.getByText(text).first().isVisible().catch(() => false)) return true;
    }
    if (timeout > 0) await page.waitForTimeout(250);
  } while (Date.now() < deadline);
  return false;
}

/**
 * The Lessons view's row of the first exercise of the lesson titled `title`: the row under the lesson's (the view
 * shows each lesson expanded, its exercises under it).
 */
async function firstExerciseRow(page, title) {
  const lesson = page.locator(`${VIEW} .monaco-list-row`, { hasText: title }).first();
  const index = await lesson.waitFor({ timeout: 15_000 }).then(() => lesson.getAttribute("data-index"), () => null);
  return index === null ? null : page.locator(`${VIEW} .monaco-list-row[data-index="${Number(index) + 1}"]`);
}

/** The file's cells: each marker line and the text under it (a code cell's without its fence). */
function cellsOf(text) {
  const cells = [];
  for (const line of text.split("\n")) {
    if (/^<!-- (ts|md)\b/.test(line)) cells.push({ marker: line, lines: [] });
    else cells.at(-1)?.lines.push(line);
  }
  return cells.map(({ marker, lines }) => {
    let body = lines.join("\n").trim();
    if (marker.startsWith("<!-- ts")) body = body.replace(/^```ts\n/, "").replace(/\n```$/, "");
    return { marker, body };
  });
}

/** A few words from the start of a hint, as its rendered Markdown shows them (no code marks). */
function snippet(markdown) {
  return markdown.replace(/`/g, "").split(/\s+/).slice(0, 8).join(" ");
}

function oneLine(s) {
  return s.replace(/\s+/g, " ").trim();
}
