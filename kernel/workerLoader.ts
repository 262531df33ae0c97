// The few lines a pool worker evaluates first (kernel/pool.ts starts each with them).

/**
 * What every worker runs: the thread bundle, compiled with V8's code cache once the pool has one (the first
 * worker to run the bundle makes it, with the functions its boot compiled): a worker's boot then skips
 * parsing and compiling the runtime, a few of its milliseconds. Frames keep the bundle's file name.
 */
export const LOADER = `
const { workerData, parentPort } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { Script } = require("node:vm");
const { filename, cache } = workerData.runtime;
const script = new Script(require("node:module").wrap(readFileSync(filename, "utf8")), { filename, cachedData: cache ?? undefined });
script.runInThisContext()(exports, require, module, filename, dirname(filename));
if (!cache || script.cachedDataRejected) parentPort.postMessage({ codeCache: script.createCachedData() });
`;
