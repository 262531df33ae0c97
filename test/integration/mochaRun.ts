// Mocha over the bundled suites of one folder, inside VS Code's extension
// host; each entry module (index.ts, restricted/index.ts) runs its own folder.
import Mocha from "mocha";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export function runSuites(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", reporter: "spec", timeout: 60_000, color: false });
  // `npm run stress` runs only the stress suite (CONCNB_INTEGRATION_GREP=stress)
  if (process.env.CONCNB_INTEGRATION_GREP) mocha.grep(process.env.CONCNB_INTEGRATION_GREP);
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(join(dir, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      // the launcher reads this line to count what ran
      console.log(`INTEGRATION RESULT ${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
