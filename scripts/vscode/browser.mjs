// Debian's Chromium through playwright-core: the browser that shows the real
// VS Code workbench served by code-server. Every page is a new browser
// context (its own cookies and storage: VS Code keeps the folders it trusts
// there), so each logs in, and each opens its folder untrusted, as a person's
// first visit does; trust is then given with the clicks a person makes.
import { chromium } from "playwright-core";

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return browser;
}

/**
 * A page logged in to `server`: the password posted as code-server's login
 * form posts it, which sets the session cookie in the page's context. The
 * redirect to the workbench is not followed, so no workbench loads for nothing.
 */
export async function loggedInPage(browser, server, options = {}) {
  const page = await browser.newPage(options);
  const res = await page.request.post(`${server.base}/login`, { form: { password: server.password }, maxRedirects: 0 });
  const cookies = await page.context().cookies(server.base);
  if (res.status() !== 302 || !cookies.some((c) => c.name === "code-server-session")) {
    await page.close();
    throw new Error(`code-server did not accept the password (HTTP ${res.status()})`);
  }
  return page;
}

/** The dialog VS Code shows about trusting the folder, and its buttons. */
const DIALOG = ".monaco-dialog-box";

/**
 * Waits for the startup question "Do you trust the authors of the files in
 * this folder?" and answers it as a person would, with a click.
 */
export async function answerStartupTrust(page, trust, timeout = 120_000) {
  const dialog = page.locator(DIALOG).filter({ has: page.getByRole("button", { name: "Yes, I trust the authors" }) });
  await dialog.waitFor({ state: "visible", timeout });
  await dialog.getByRole("button", { name: trust ? "Yes, I trust the authors" : "No, I don't trust the authors" }).click();
  await dialog.waitFor({ state: "hidden", timeout });
}

/** VS Code's dialog that asks for trust before a feature runs code. */
export function trustRequest(page) {
  return page.locator(DIALOG).filter({ has: page.getByRole("button", { name: /Trust (Folder|Workspace) & Continue/ }) });
}

/**
 * Waits for VS Code's dialog that asks for trust before a feature runs code
 * (running a cell in Restricted Mode shows it), clicks `button` ("Cancel",
 * "Trust Folder & Continue") and resolves with the dialog's text.
 */
export async function answerTrustRequest(page, button, timeout = 60_000) {
  const dialog = trustRequest(page);
  await dialog.waitFor({ state: "visible", timeout });
  const text = await dialog.innerText();
  await dialog.getByRole("button", { name: button }).click();
  await dialog.waitFor({ state: "hidden", timeout });
  return text;
}

/** Clicks Trust in the Workspace Trust editor (opened by its command or the Restricted Mode banner's Manage). */
export async function trustInEditor(page, timeout = 60_000) {
  const editor = page.locator(".workspace-trust-editor");
  await editor.waitFor({ state: "visible", timeout });
  await editor.getByRole("button", { name: "Trust", exact: true }).click({ timeout });
}
