// The notebook UI as a person sees it: open lesson 1 in the real VS Code
// workbench, in a browser that has not trusted the folder yet (it says No to
// VS Code's startup question): Run All makes VS Code ask for trust, saying
// why (01-threads-trust.png); Cancel runs nothing; Run All again and "Trust
// Folder & Continue" runs the lesson, without a reload. Then wait until the
// run is over, check every code cell ended well and the outputs show lines of
// several threads, and save a screenshot (test/e2e/screenshots/01-threads.png);
// then check the code lens "Run in thread" shows above the lesson's first
// function (01-threads-lens.png).
//
// The notebook list is virtualized: only rows on screen are in the DOM. Cell
// states and outputs are therefore read while scrolling through the notebook,
// keyed by each row's data-index.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { answerStartupTrust, answerTrustRequest, loggedInPage, trustRequest } from "../../scripts/vscode/browser.mjs";

const LESSON = "01-threads.concnb";
const TIMEOUT = 120_000;
const LIST = ".notebook-editor .cell-list-container";

export async function runE2E(browser, server, { workspace, root }) {
  const checks = [];
  const check = (name, ok, detail = "") => {
    checks.push(ok);
    console.log(`  ${ok ? "✔" : "✘"} e2e: ${name}${detail ? ` (${detail})` : ""}`);
  };
  const shots = join(root, "test", "e2e", "screenshots");
  mkdirSync(shots, { recursive: true });
  const page = await loggedInPage(browser, server, { viewport: { width: 1440, height: 1200 } });
  try {
    const file = join(workspace, LESSON);
    if (!existsSync(file)) throw new Error(`${LESSON} is missing from notebooks/`);
    const kinds = readFileSync(file, "utf8").split("\n").flatMap((l) => /^<!-- (ts|md)\b/.exec(l)?.[1] ?? []);
    const codeCells = kinds.filter((k) => k === "ts").length;
    // the screenshot shows "Run several at once": the lesson's second code cell and its three threads
    const shown = kinds.map((k, i) => [k, i]).filter(([k]) => k === "ts")[1]?.[1] ?? 0;
    await page.goto(server.url([["extensionDevelopmentPath", server.remote(root)]]));
    // a new browser profile: VS Code asks about the folder, as it asks a learner the first time
    await answerStartupTrust(page, false);
    await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: TIMEOUT });

    await openLesson(page);
    check("the lesson opens in the notebook editor", true);

    const runAll = () => page.locator(".notebook-editor .notebook-toolbar-container").getByText("Run All").click({ timeout: TIMEOUT });
    await runAll();
    await trustRequest(page).waitFor({ state: "visible", timeout: TIMEOUT });
    await page.screenshot({ path: join(shots, "01-threads-trust.png") });
    console.log(`  screenshot: ${join(shots, "01-threads-trust.png")}`);
    const question = await answerTrustRequest(page, "Cancel");
    const why = question.split("\n").find((l) => l.includes("Executing a notebook cell")) ?? question.replace(/\s+/g, " ");
    check("in Restricted Mode, Run All makes VS Code ask for trust, saying why", why.includes("will run code from this workspace"), why);
    await frames(page);
    const states = await page.evaluate(() => document.querySelectorAll(".notebook-editor [class*=codicon-notebook-state-]").length);
    check("declined, no cell runs", states === 0, `${states} cell states shown`);
    await runAll();
    await answerTrustRequest(page, "Trust Folder & Continue");
    // the run is over when the first cell has a state and no cell is running or waiting
    const over = await page
      .waitForFunction(
        () => {
          const q = (s) => document.querySelectorAll(`.notebook-editor ${s}`).length;
          const started = q(".codicon-notebook-state-success") + q(".codicon-notebook-state-error") > 0;
          return started && q(".codicon-notebook-state-executing") + q(".codicon-notebook-state-pending") === 0 && q(".codicon-notebook-stop") === 0;
        },
        undefined,
        { timeout: TIMEOUT, polling: 250 },
      )
      .then(() => true, () => false);
    check("Run All ends", over);

    const seen = await scrollThrough(page);
    const ok = [...seen.states.values()].filter((s) => s === "success").length;
    const failed = [...seen.states.entries()].filter(([, s]) => s === "error").map(([i]) => `cell ${i + 1}`);
    check(
      "every code cell ran without an error",
      ok === codeCells && failed.length === 0,
      `${ok} of ${codeCells} ok${failed.length ? `; failed: ${failed.join(", ")}` : ""}`,
    );
    check("the outputs show lines of several threads", seen.threads.size >= 3, [...seen.threads].slice(0, 6).join(", "));

    await showCell(page, shown);
    await page.screenshot({ path: join(shots, "01-threads.png") });
    console.log(`  screenshot: ${join(shots, "01-threads.png")}`);

    // the language server's code lens, above `function worker` of the first code cell
    await showCell(page, kinds.indexOf("ts"));
    const lens = await page
      .locator(`${LIST} .codelens-decoration`, { hasText: "Run in thread" })
      .first()
      .waitFor({ state: "visible", timeout: 30_000 })
      .then(() => true, () => false);
    check("the code lens \"Run in thread\" shows above a function", lens);
    await page.screenshot({ path: join(shots, "01-threads-lens.png") });
    console.log(`  screenshot: ${join(shots, "01-threads-lens.png")}`);
  } catch (e) {
    check("the notebook UI check ran", false, e.message.split("\n")[0]);
    await page.screenshot({ path: join(shots, "failure.png") }).catch(() => {});
  } finally {
    await page.close();
  }
  return { passed: checks.filter(Boolean).length, failed: checks.filter((c) => !c).length };
}

/**
 * Clicks the lesson in the Explorer, as a person does. A click that comes
 * before the extension host has registered the notebook type opens the file as
 * text (the workbench's own race, seen on first load); then the tab is closed
 * and the click repeated until the notebook editor shows.
 */
async function openLesson(page) {
  const deadline = Date.now() + TIMEOUT;
  for (let attempt = 1; ; attempt++) {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: LESSON }).first().click({ timeout: TIMEOUT });
    const shown = await page.waitForSelector(LIST, { timeout: 5000 }).then(() => true, () => false);
    if (shown) return;
    if (Date.now() > deadline) throw new Error(`${LESSON} did not open in the notebook editor after ${attempt} clicks`);
    await page.locator(".tabs-container .tab.active .tab-actions .action-label").first().click().catch(() => {});
  }
}

/** What the rows on screen show now: code cells' states by row index, and thread names in the outputs. */
async function visible(page) {
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
async function scrollThrough(page) {
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

/** Points the mouse at the notebook and scrolls it to the top; returns the list's box. */
async function top(page) {
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
function frames(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Where the rows are now (index and top of each): unchanged by a scroll at the end of the notebook. */
async function scrollTop(page) {
  await frames(page);
  return page.evaluate(
    (list) => [...document.querySelectorAll(`${list} .monaco-list-row`)].map((r) => `${r.getAttribute("data-index")}@${Math.round(r.getBoundingClientRect().top)}`).join(" "),
    LIST,
  );
}

/** Scrolls until the row of code cell `index` is near the top of the notebook. */
async function showCell(page, index) {
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
