// "multiprocessing", as cells import it: Process on a real OS process (process.ts), Pool (pool.ts), the Queue that
// processes share (queue.ts), and what crosses between processes (crossProcess.ts).
export { Process, currentProcess, cpuCount } from "./process";
export { AsyncResult, MapResult, Pool } from "./pool";
export { Queue } from "./queue";
export { ProcessError, TimeoutError } from "./crossProcess";
