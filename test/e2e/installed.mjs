// The extension as a learner installs it: `npm run package`'s .vsix installed
// into a code-server profile of its own (`--install-extension`, no
// development path), on an empty folder, with a $HOME of its own. The learner
// runs "Concurrency Notebooks: Open Lessons" from the command palette, lets it
// create ~/Concurrency Lessons and open it in this window, trusts the folder,
// and runs the first lesson, which the command opened: every cell ends as its
// metadata says (installed-01-threads.png). The cell compiler here is the
// package's own (esbuild-wasm), so this runs what an installed copy runs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerTrustRequest, loggedInPage, trustRequest } from "../../scripts/vscode/browser.mjs";
import { startServer } from "../../scripts/vscode/server.mjs";
import { activeEditor, ACTIVE, endedAsMetadataSays, runEnds, scrollThrough, showCell, shownMarkers, TIMEOUT } from "./notebook.mjs";

const FIRST = "01-threads.concnb";

export async function runInstalled(browser, { codeServer, root, port }) {
  const checks = [];
  const check = (name, ok, detail = "") => {
    checks.push(ok);
    console.log(`  ${ok ? "✔" : "✘"} installed: ${name}${detail ? ` (${detail})` : ""}`);
  };
  const shots = join(root, "test", "e2e", "screenshots");
  mkdirSync(shots, { recursive: true });
  const vsix = join(mkdtempSync(join(tmpdir(), "concnb-vsix-")), "concurrency-notebooks.vsix");
  execFileSync(process.execPath, [join(root, "scripts", "package.mjs"), vsix], { stdio: ["ignore", "pipe", "inherit"] });
  const home = mkdtempSync(join(tmpdir(), "concnb-home-"));
  const empty = mkdtempSync(join(tmpdir(), "concnb-empty-"));
  const server = await startServer({ codeServer, port, folder: empty, install: [vsix], home });
  const page = await loggedInPage(browser, server, { viewport: { width: 1440, height: 1200 } });
  const lessons = join(home, "Concurrency Lessons");
  try {
    await page.goto(server.url());
    await answerQuestion(page, "Yes, I trust the authors");
    const container = page.locator(".part.activitybar .action-item a[aria-label^='Concurrency Notebooks']").first();
    const installed = await container.waitFor({ timeout: TIMEOUT }).then(() => true, () => false);
    check("the installed extension shows its Lessons view in the activity bar", installed);

    await page.keyboard.press("Control+Shift+P");
    await page.keyboard.type("Concurrency Notebooks: Open Lessons");
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Open Lessons" }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press("Enter");
    const where = await answerQuestion(page, `Create ${lessons}`);
    await answerQuestion(page, "Open in This Window");
    check("Open Lessons offers ~/Concurrency Lessons, and opens it", where.includes("Where should the lessons go?"), where.split("\n").find((l) => l.includes("Where")) ?? where);

    // the window reloads on the new folder; VS Code asks about trusting it, and the first lesson opens
    await answerQuestion(page, "Yes, I trust the authors", 60_000).catch(() => "");
    const opened = await page
      .locator(".tabs-container .tab.active", { hasText: FIRST })
      .waitFor({ timeout: TIMEOUT })
      .then(() => activeEditor(page))
      .then(() => true, () => false);
    check(`the lessons are copied and the first lesson opens as a notebook`, opened && existsSync(join(lessons, FIRST)), lessons);
    if (!opened) return result(checks);

    await page.locator(`.notebook-editor[${ACTIVE}] .notebook-toolbar-container`).getByText("Run All").click({ timeout: TIMEOUT });
    // a folder still untrusted asks here instead
    if (await trustRequest(page).waitFor({ timeout: 5000 }).then(() => true, () => false)) await answerTrustRequest(page, "Trust Folder & Continue");
    check("Run All ends", await runEnds(page));
    const markers = shownMarkers(join(lessons, FIRST));
    const ended = endedAsMetadataSays(await scrollThrough(page), markers);
    check("every code cell of the first lesson ended as its metadata says, in the installed extension", ended.ok, ended.detail);
    // the screenshot shows the lesson's second code cell, its threads' lines
    await showCell(page, markers.map((l, i) => [l, i]).filter(([l]) => l.startsWith("<!-- ts"))[1][1]);
    await page.screenshot({ path: join(shots, "installed-01-threads.png") });
    console.log(`  screenshot: ${join(shots, "installed-01-threads.png")}`);
  } catch (e) {
    check("the installed extension's check ran", false, e.message.split("\n")[0]);
    await page.screenshot({ path: join(shots, "installed-failure.png") }).catch(() => {});
  } finally {
    await page.close();
    await server.stop();
  }
  return result(checks);
}

function result(checks) {
  return { passed: checks.filter(Boolean).length, failed: checks.filter((c) => !c).length };
}

/** Waits for VS Code's dialog with the button `button`, clicks it, and resolves with the dialog's text. */
async function answerQuestion(page, button, timeout = TIMEOUT) {
  const dialog = page.locator(".monaco-dialog-box").filter({ has: page.getByRole("button", { name: button, exact: true }) });
  await dialog.waitFor({ state: "visible", timeout });
  const text = await dialog.innerText();
  await dialog.getByRole("button", { name: button, exact: true }).click();
  await dialog.waitFor({ state: "hidden", timeout });
  return text;
}
