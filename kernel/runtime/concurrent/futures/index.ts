// "concurrent.futures", as cells import it: futures (future.ts), the executors (executor.ts), and waiting on
// many futures at once (completion.ts).
export { ThreadPoolExecutor, ProcessPoolExecutor, BrokenExecutor, BrokenThreadPool, BrokenProcessPool } from "./executor";
export { Future, CancelledError, InvalidStateError, TimeoutError } from "./future";
export { asCompleted, wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from "./completion";
