// The real VS Code, as this project's own tool (see ../shared notes on why it
// is code-server here):
//   node scripts/vscode.mjs open   installs what is missing, serves the lessons in VS Code, prints the address
//   node scripts/vscode.mjs test   runs test/integration inside the real extension host (in a trusted folder,
//                                  then test/integration/restricted in one it does not trust), then the e2e
//                                  check of the notebook UI in Chromium; prints "N passed, N failed"
// The server asks for a password made at each start (printed by `open`); the
// test's browser logs in with it, and trusts a folder with the clicks a person
// makes, when the suite asks.
import { cpSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { format } from "node:util";
import { join } from "node:path";
import { ensureCodeServer, ensureDebianPackages } from "./vscode/install.mjs";
import { startServer } from "./vscode/server.mjs";
import { launchBrowser, loggedInPage, trustInEditor } from "./vscode/browser.mjs";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const mode = process.argv[2];
const port = Number(process.env.CONCNB_PORT ?? (mode === "test" ? 18080 + (process.pid % 1000) : 8080));
/** How long one integration suite may take. */
const HARD_TIMEOUT_MS = 10 * 60_000;
/** How long the whole of `test` may take: both suites, the notebook UI, the installed package. */
const TOTAL_TIMEOUT_MS = 30 * 60_000;

async function open() {
  ensureDebianPackages();
  const codeServer = ensureCodeServer(root);
  if (!existsSync(join(root, "out", "extension.js"))) throw new Error("the extension is not built: run npm install (or npm run build) first");
  const server = await startServer({ codeServer, port, folder: join(root, "notebooks") });
  const url = server.url([["extensionDevelopmentPath", server.remote(root)]]);
  console.log(
    [
      `\nConcurrency Notebooks in VS Code ${"1.100"}: open`,
      `\n  ${url}\n`,
      "in a browser and log in with the password (a new one at each start)",
      `\n  ${server.password}\n`,
      "The server listens on this machine only (127.0.0.1). VS Code then asks whether you trust the",
      "authors of the lessons folder: answer \"Yes, I trust the authors\" to run cells (No opens it in",
      "Restricted Mode, where no cell runs). The lessons are in the Explorer. Ctrl-C stops the server.",
    ].join("\n"),
  );
  process.on("SIGINT", () => void server.stop().then(() => process.exit(0)));
}

async function test() {
  ensureDebianPackages();
  const codeServer = ensureCodeServer(root);
  const workspace = mkdtempSync(join(tmpdir(), "concnb-workspace-"));
  cpSync(join(root, "notebooks"), workspace, { recursive: true });
  // a folder of its own for the Restricted Mode suite: it writes the notebook it is "sent"
  const untrusted = mkdtempSync(join(tmpdir(), "concnb-untrusted-"));
  const server = await startServer({ codeServer, port, folder: workspace });
  const browser = await launchBrowser();
  const counts = { passed: 0, failed: 0 };
  try {
    // CONCNB_INTEGRATION_GREP (npm run stress): only the trusted suites' tests it names, no e2e
    const only = process.env.CONCNB_INTEGRATION_GREP;
    // CONCNB_E2E_ONLY=1: the notebook UI in Chromium alone, no integration suite (while working on it)
    const e2eOnly = process.env.CONCNB_E2E_ONLY === "1";
    for (const run of [
      { folder: workspace, name: "integration tests", tests: join(root, "out", "test", "integration", "index.js") },
      { folder: untrusted, name: "integration tests in Restricted Mode", tests: join(root, "out", "test", "integration", "restricted", "index.js") },
    ].slice(0, e2eOnly || process.env.CONCNB_INSTALLED_ONLY === "1" ? 0 : only ? 1 : 2)) {
      const integration = await runIntegration(browser, server, run);
      counts.passed += integration.passed;
      counts.failed += integration.failed;
    }
    // CONCNB_INSTALLED_ONLY=1: only the .vsix installed in a profile of its own (while working on it)
    const installedOnly = process.env.CONCNB_INSTALLED_ONLY === "1";
    if (!only && !installedOnly) {
      const { runE2E } = await import("../test/e2e/notebook-ui.mjs");
      const e2e = await runE2E(browser, server, { workspace, root });
      counts.passed += e2e.passed;
      counts.failed += e2e.failed;
    }
    if (!only) {
      const { runInstalled } = await import("../test/e2e/installed.mjs");
      const installed = await runInstalled(browser, { codeServer, root, port: port + 1 });
      counts.passed += installed.passed;
      counts.failed += installed.failed;
    }
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
  }
  console.log(`\n${counts.passed} passed, ${counts.failed} failed`);
  process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

/**
 * Mocha inside the real extension host, on `folder`, which opens untrusted;
 * resolves with its counts once the workbench reports the exit code. When the
 * suite asks (test/integration/support.ts trustTheFolder), the launcher clicks
 * Trust in the Workspace Trust editor.
 */
async function runIntegration(browser, server, { folder, name, tests }) {
  const t0 = Date.now();
  const page = await loggedInPage(browser, server);
  let result = null;
  let trusting = Promise.resolve(true);
  const exited = new Promise((resolve) => {
    void page.exposeFunction("codeAutomationExit", (code) => resolve(code));
  });
  await page.exposeFunction("codeAutomationLog", (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    const m = /INTEGRATION RESULT (\d+) passed, (\d+) failed/.exec(line);
    if (m) result = { passed: Number(m[1]), failed: Number(m[2]) };
    if (line.includes("CONCNB CLICK TRUST IN THE WORKSPACE TRUST EDITOR")) {
      trusting = trustInEditor(page).then(
        () => true,
        (e) => (console.log(`${name}: could not click Trust in the Workspace Trust editor: ${e.message.split("\n")[0]}`), false),
      );
    }
    // a workbench that runs extension tests refuses modal dialogs, and says so: the trust question at startup among them
    if (!/Failed to fetch|vsda|marketplace|gallery|open-vsx|refused to show dialog in tests/i.test(line)) console.log(`  ${line}`);
  });
  await page.goto(
    server.url(
      [
        ["extensionDevelopmentPath", server.remote(root)],
        ["extensionTestsPath", server.remote(tests)],
      ],
      folder,
    ),
  );
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), HARD_TIMEOUT_MS))]);
  await trusting;
  await page.close();
  if (code === "timeout") {
    console.log(`${name}: no result within the time limit`);
    return { passed: result?.passed ?? 0, failed: (result?.failed ?? 0) + 1 };
  }
  console.log(`${name}: the extension host exited with ${code} (${Math.round((Date.now() - t0) / 1000)} s with the workbench's load)`);
  return result ?? { passed: 0, failed: 1 };
}

const hard = setTimeout(() => {
  console.error("vscode.mjs: hard time limit reached");
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
hard.unref();

if (mode === "open") await open();
else if (mode === "test") {
  await test();
  // the browser's and server's pipes may linger; the verdict is in
  process.exit(process.exitCode ?? 0);
}
else {
  console.error("usage: node scripts/vscode.mjs open|test");
  process.exit(2);
}
