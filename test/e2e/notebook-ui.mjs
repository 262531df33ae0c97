// The notebook UI as a person sees it: open lesson 1 in the real VS Code
// workbench, in a browser that has not trusted the folder yet (it says No to
// VS Code's startup question): Run All makes VS Code ask for trust, saying
// why (01-threads-trust.png); Cancel runs nothing; Run All again and "Trust
// Folder & Continue" runs the lesson, without a reload. Then wait until the
// run is over, check every code cell ended well and the outputs show lines of
// several threads, and save a screenshot (test/e2e/screenshots/01-threads.png);
// then check the code lens "Run in thread" shows above the lesson's first
// function (01-threads-lens.png), and that typing `t.` in that cell lists the
// Thread's members (01-threads-completion.png) and `t.aquire()` is squiggled
// with TypeScript's reason in its hover (01-threads-type-error.png). Last,
// lessons 2 and 3 are opened and run: the timeline of lesson 2's lock taken
// in turns (02-lock-timeline.png) and of lesson 3's deadlock, with its cycle
// named (03-deadlock-timeline.png).
// Then lesson 2's first exercise is done as a learner does it: hint, fix,
// Check, the Lessons view, Solution, Reset, a reload (exercises.mjs).
//
// The notebook list is virtualized: only rows on screen are in the DOM. Cell
// states and outputs are therefore read while scrolling through the notebook,
// keyed by each row's data-index.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { answerStartupTrust, answerTrustRequest, loggedInPage, trustRequest } from "../../scripts/vscode/browser.mjs";
import { exerciseRound } from "./exercises.mjs";
import { ACTIVE, endedAsMetadataSays, frames, LIST, openLesson, runEnds, scrollThrough, showCell, shownMarkers, TIMEOUT } from "./notebook.mjs";
import { clickSpan, revealTimeline, timelineDrawn } from "./timeline.mjs";

const LESSON = "01-threads.concnb";

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
    const markers = shownMarkers(file);
    const kinds = markers.map((l) => /^<!-- (ts|md)\b/.exec(l)[1]);
    const codeCells = kinds.filter((k) => k === "ts").length;
    // an exercise's check fails as the lesson gives it (the learner has not solved it yet): that is its error state
    const checks = markers.flatMap((l, i) => (/^<!-- ts \{"check":/.test(l) ? [i] : []));
    // the screenshot shows "Run several at once": the lesson's second code cell and its three threads
    const shown = kinds.map((k, i) => [k, i]).filter(([k]) => k === "ts")[1]?.[1] ?? 0;
    await page.goto(server.url([["extensionDevelopmentPath", server.remote(root)]]));
    // a new browser profile: VS Code asks about the folder, as it asks a learner the first time
    await answerStartupTrust(page, false);
    await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: TIMEOUT });

    await openLesson(page, LESSON);
    check("the lesson opens in the notebook editor", true);

    const runAll = () => page.locator(`.notebook-editor[${ACTIVE}] .notebook-toolbar-container`).getByText("Run All").click({ timeout: TIMEOUT });
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
    check("Run All ends", await runEnds(page));

    const seen = await scrollThrough(page);
    const ended = endedAsMetadataSays(seen, markers);
    check(
      "every code cell ended as its metadata says: the exercises' checks failed (unsolved), every other cell ran without an error",
      checks.length >= 3 && codeCells > checks.length && ended.ok,
      ended.detail,
    );
    check("the outputs show lines of several threads", seen.threads.size >= 3, [...seen.threads].slice(0, 6).join(", "));

    await showCell(page, shown);
    // that cell's marker asks for its timeline: the renderer draws it in the cell's output
    const drawn = await timelineDrawn(page);
    check("the timeline renderer draws the cell's threads under its output", drawn.lanes >= 4, drawn.summary);
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

    // types in the cell, as a learner types: `t.` opens the completion list, and a misspelt method is a problem
    const first = kinds.indexOf("ts");
    await page.locator(`${LIST} .monaco-list-row[data-index="${first}"] .monaco-editor .view-lines`).first().click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nt.");
    const suggest = page.locator(".monaco-editor .suggest-widget.visible");
    const listed = await suggest
      .getByText("isAlive", { exact: true })
      .first()
      .waitFor({ state: "visible", timeout: 30_000 })
      .then(() => true, () => false);
    const labels = listed ? await suggest.locator(".monaco-list-row .label-name").allInnerTexts() : [];
    check("typing `t.` lists the Thread's members", listed && labels.includes("join") && labels.includes("start"), labels.slice(0, 8).join(", "));
    await page.screenshot({ path: join(shots, "01-threads-completion.png") });
    console.log(`  screenshot: ${join(shots, "01-threads-completion.png")}`);
    await page.keyboard.press("Escape");
    await page.keyboard.type("aquire();");
    const squiggle = page.locator(`${LIST} .monaco-list-row[data-index="${first}"] .squiggly-error`).first();
    const marked = await squiggle.waitFor({ state: "visible", timeout: 30_000 }).then(() => true, () => false);
    const whole = /Property 'aquire' does not exist on type 'Thread'/;
    let said = "";
    if (marked) {
      // the hover asked for from the keyboard (Ctrl+K Ctrl+I, the cursor inside the word), as a keyboard user does:
      // it does not depend on where the pointer is while the squiggle is drawn again
      const hoverBox = page.locator(".monaco-hover:not(.hidden)", { hasText: "does not exist" }).first();
      // the diagnostics of a word half typed ("t.aqu") may come first: asked again until they are of the whole word
      for (let attempt = 0; attempt < 4 && !whole.test(said); attempt++) {
        await page.keyboard.press("End");
        for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
        await page.keyboard.press("Control+K");
        await page.keyboard.press("Control+I");
        said = await hoverBox.waitFor({ state: "visible", timeout: 10_000 }).then(() => hoverBox.innerText(), () => "");
        if (whole.test(said)) break;
        // and then with the pointer, as a person would: the squiggle is drawn under the text layer, which takes the
        // pointer, so the mouse goes over its middle (found anew: it is drawn again as the diagnostics come again)
        const at = await squiggle.waitFor({ state: "visible", timeout: 10_000 }).then(() => squiggle.boundingBox(), () => null);
        if (!at) continue;
        await page.mouse.move(at.x + at.width / 2, at.y - 40);
        await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2, { steps: 4 });
        said = await hoverBox.waitFor({ state: "visible", timeout: 10_000 }).then(() => hoverBox.innerText(), () => "");
      }
    }
    check("a misspelt method is squiggled, and its hover says why", marked && whole.test(said), marked ? said.split("\n")[0] || "no hover came" : "no squiggle came");
    await page.screenshot({ path: join(shots, "01-threads-type-error.png") });
    console.log(`  screenshot: ${join(shots, "01-threads-type-error.png")}`);
    // and in the Problems view, with the cell it is in
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Shift+M");
    const problems = page.locator(".markers-panel .monaco-list-row");
    const listedProblem = await problems
      .filter({ hasText: "does not exist on type 'Thread'" })
      .first()
      .waitFor({ state: "visible", timeout: 15_000 })
      .then(() => true, () => false);
    const rows = await problems.allInnerTexts();
    check("the Problems view lists the type error", listedProblem, rows.map((r) => r.replace(/\s+/g, " ")).join(" | ").slice(0, 300));
    await page.screenshot({ path: join(shots, "01-threads-problems.png") });
    console.log(`  screenshot: ${join(shots, "01-threads-problems.png")}`);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+j"); // the panel closed: the notebooks get the whole height

    // the timelines of lessons 2 and 3, where the interleaving is the point
    for (const [lesson, shot, own, expect] of [
      // both cells are "cell 11": lesson 3's label is the one with a deadlock (and lesson 2's is drawn first)
      ["02-race-conditions-and-locks.concnb", "02-lock-timeline.png", "", (label) => /[1-9][\d,]* hand-offs?/.test(label) && !/Deadlock/.test(label)],
      // a lane per worker process of the Pool, under its pid, and the hand-off that ends the main thread's map
      ["09-processes-and-cpu-work.concnb", "09-pool-timeline.png", "in 3 processes", (label) => /3 threads in 3 processes, .*[1-9]\d* hand-offs?/.test(label)],
      ["03-rlock-and-deadlock.concnb", "03-deadlock-timeline.png", "Deadlock: ", (label) => /Deadlock: .*alice-pays-bob waits to acquire RLock#\d+, held by bob-pays-alice/.test(label)],
    ]) {
      const markers = shownMarkers(join(workspace, lesson));
      const index = markers.findIndex((l) => /^<!-- ts .*("timeline":true|"expectError":"DeadlockError")/.test(l));
      await openLesson(page, lesson);
      await runAll();
      check(`${lesson}: Run All ends`, await runEnds(page));
      const ended = endedAsMetadataSays(await scrollThrough(page), markers);
      check(`${lesson}: every code cell ended as its metadata says`, ended.ok, ended.detail);
      await showCell(page, index);
      const drawn = await revealTimeline(page, `cell ${index + 1}:`, own);
      check(`${lesson}: the timeline of cell ${index + 1} is drawn, and shows what the lesson says`, drawn.lanes >= 3 && expect(drawn.summary), drawn.summary.slice(0, 240));
      await page.screenshot({ path: join(shots, shot) });
      console.log(`  screenshot: ${join(shots, shot)}`);
    }
    // a click on a span reveals its cell line: a deadlocked thread's open wait runs to the right end of its lane
    const revealed = await clickSpan(page, "Deadlock: ");
    check("a click on a deadlocked thread's wait in the timeline selects the line it waits at", revealed.ok, revealed.detail);
    await page.screenshot({ path: join(shots, "03-deadlock-reveal.png") });
    console.log(`  screenshot: ${join(shots, "03-deadlock-reveal.png")}`);

    // every other lesson runs to its end, each cell as its metadata says
    // the lessons as the repository has them (the workspace holds the integration tests' notebooks too)
    const others = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".concnb") && !["01-", "02-", "03-", "09-"].some((n) => f.startsWith(n))).sort();
    for (const lesson of others) {
      await openLesson(page, lesson);
      await runAll();
      check(`${lesson}: Run All ends`, await runEnds(page));
      const ended = endedAsMetadataSays(await scrollThrough(page), shownMarkers(join(workspace, lesson)));
      check(`${lesson}: every code cell ended as its metadata says`, ended.ok, ended.detail);
    }

    // an exercise as a learner does it: hint, fix, Check, the Lessons view, Solution, Reset, a reload
    await exerciseRound(page, workspace, shots, check);
  } catch (e) {
    check("the notebook UI check ran", false, e.message.split("\n")[0]);
    await page.screenshot({ path: join(shots, "failure.png") }).catch(() => {});
  } finally {
    await page.close();
  }
  return { passed: checks.filter(Boolean).length, failed: checks.filter((c) => !c).length };
}
