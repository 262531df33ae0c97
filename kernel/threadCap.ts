// The cap on a program's live threads: what start() past it raises is threading's (runtime/threading); the
// number is decided here, on the host side, where the kernel knows its memory budget.
import { freemem } from "node:os";

/**
 * What one live thread costs the machine (MB): a worker_threads Worker is a V8 isolate with Node's
 * environment, about 8 MiB resident when idle (test/bench/threads.bench.ts measures it), plus room for its work.
 */
export const THREAD_COST_MB = 10;

/**
 * The cap on a program's live threads when the learner set none: what half the memory free now (or the
 * kernel's memory budget) holds at THREAD_COST_MB each, so a storm of start() calls meets a RuntimeError
 * instead of taking the machine down; never under 16 (lessons start a handful), never over 4096.
 */
export function defaultMaxThreads(memoryBudgetMb?: number): number {
  const mb = memoryBudgetMb ?? freemem() / 2 ** 20 / 2;
  return Math.max(16, Math.min(4096, Math.floor(mb / THREAD_COST_MB)));
}
