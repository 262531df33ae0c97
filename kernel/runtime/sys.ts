// "sys": exit() raises SystemExit, which ends the thread that raises it; in
// the main thread it ends the cell's program (still waiting for non-daemon
// threads, as Python does).
import { SystemExit } from "./errors";

export { SystemExit };

export function exit(code?: number | string | null): never {
  throw new SystemExit(code);
}
