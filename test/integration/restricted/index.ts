// The extensionTestsPath of the run in a folder nobody has trusted yet: the
// suites of this folder start in Restricted Mode.
import { runSuites } from "../mochaRun";

export function run(): Promise<void> {
  return runSuites(__dirname);
}
