// Runs inside VS Code's extension host (the module that extensionTestsPath
// names): mocha over the bundled integration suites, against the real API.
import Mocha from "mocha";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", reporter: "spec", timeout: 60_000, color: false });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      // the launcher reads this line to count what ran
      console.log(`INTEGRATION RESULT ${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
