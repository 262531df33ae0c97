// Renders images/icon.svg to the 128×128 images/icon.png the Marketplace shows,
// with Debian's Chromium (the same browser the e2e tests use).
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<body style="margin:0;background:transparent">${readFileSync(root + "images/icon.svg", "utf8")}</body>`);
await page.screenshot({ path: root + "images/icon.png", omitBackground: true });
await browser.close();
