// "sys": exit() raises SystemExit, which ends the thread that raises it; in
// the main thread it ends the cell's program (still waiting for non-daemon
// threads, as Python does).
import { SystemExit } from "../core/errors";

export { SystemExit };

/**
 * Raises SystemExit(code). In the main thread it ends the cell's program (once its non-daemon threads have ended, as
 * in Python); in another thread it ends that thread, silently. Catching SystemExit stops it, as in Python.
 */
export function exit(code?: number | string | null): never {
  throw new SystemExit(code);
}
