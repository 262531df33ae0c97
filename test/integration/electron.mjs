// `npm run test:electron`: the same integration suite (test/integration) in
// desktop VS Code, through @vscode/test-electron, for machines that can
// download VS Code (this project's own machines cannot: there `npm test` runs
// the suite in the code-server build of VS Code 1.100 instead, see
// scripts/vscode.mjs). Set VSCODE_EXECUTABLE_PATH to use an installed VS Code
// rather than downloading one; VSCODE_VERSION picks the version to download.
import { runTests } from "@vscode/test-electron";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const extensionTestsPath = join(root, "out", "test", "integration", "index.js");
if (!existsSync(extensionTestsPath)) {
  console.error("the integration tests are not built: run npm run build first");
  process.exit(1);
}
const workspace = mkdtempSync(join(tmpdir(), "concnb-electron-"));
cpSync(join(root, "notebooks"), workspace, { recursive: true });

try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath,
    ...(process.env.VSCODE_EXECUTABLE_PATH
      ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH }
      : { version: process.env.VSCODE_VERSION ?? "stable" }),
    launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes"],
  });
} catch (error) {
  console.error(`test:electron failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error("(needs desktop VS Code: a network that reaches update.code.visualstudio.com, or VSCODE_EXECUTABLE_PATH)");
  process.exit(1);
}
