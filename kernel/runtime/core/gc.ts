// A full garbage collection on demand: after a job, or after decoding a big
// value, what was left behind is given back before the thread's next
// allocations meet the memory budget (no module of the runtime is needed).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null | undefined;
/** A full collection, so that garbage (a bomb's earlier arrays, once dropped) does not count against the budget. */
export function collect(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  // twice: array buffers freed by the first are swept only after it
  gc?.();
  gc?.();
}
