// Runs inside VS Code's extension host (the module that extensionTestsPath
// names): mocha over the bundled integration suites, against the real API,
// in a trusted folder: the folder opens in Restricted Mode (Workspace Trust is
// on), and the suites start once it is trusted, as a learner trusts the lessons.
import { runSuites } from "./mochaRun";
import { trustTheFolder } from "./support";

export async function run(): Promise<void> {
  try {
    await trustTheFolder(120_000);
  } catch (error) {
    console.log("INTEGRATION RESULT 0 passed, 1 failed");
    throw error;
  }
  await runSuites(__dirname);
}
