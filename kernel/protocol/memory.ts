// The memory budget's one shared layout, read and written by the kernel's
// watchdog (kernel/memory) and by every worker's allocation checks
// (runtime/core/memory). Figures are KiB in Int32 slots, so Atomics reach them
// and a slot holds up to 2 TiB.
import { totalmem } from "node:os";

/** Int32 slots of the memory buffer; worker slots follow the header. */
export const enum M {
  /** What the kernel's threads may use in all, before an allocation is refused (the budget less a margin). */
  LimitKb = 0,
  /** The budget itself, as the learner set it, for messages. */
  BudgetKb = 1,
  /** What the kernel's process holds beyond the workers' own figures (its heap, the notebook's values, code). */
  OverheadKb = 2,
  /** One past the highest worker slot in use: what a worker sums over. */
  SlotsUsed = 3,
  /** Workers being stopped: their memory is still held, and frees as each exits (the kernel notifies here). */
  Exiting = 4,
  /** The first worker's slots (W of them per worker). */
  Workers = 8,
}

/** Int32 slots of one worker, at M.Workers + index * W.Size: what it last measured of itself. */
export const enum W {
  /** Its heap and its ArrayBuffers (typed arrays, Buffers, SharedArrayBuffers it made). */
  TotalKb = 0,
  BuffersKb = 1,
  Size = 2,
}

/** Workers with a slot of their own; past this, a worker's memory counts only in the process's RSS. */
export const MEMORY_SLOTS = 4096;
export const MEMORY_BYTES = (M.Workers + MEMORY_SLOTS * W.Size) * 4;

/**
 * What the threads may use, in MB: the budget less a margin. A thread's
 * allocation past it raises MemoryError; the watchdog stops a thread only
 * nearer the budget (watchLimitOf), so a refused allocation comes first,
 * and what is left is what a bomb may still take between two of the
 * watchdog's checks: the process stays within the budget.
 */
export function limitOf(budgetMb: number): number {
  return budgetMb - Math.min(Math.round(budgetMb * 0.15), 768);
}

/** The resident memory (MB) past which the watchdog stops a thread. */
export function watchLimitOf(budgetMb: number): number {
  return budgetMb - Math.min(Math.round(budgetMb * 0.05), 256);
}

/** The budget when the learner sets none: half the machine's memory, at least 512 MB, at most 16 GB. */
export function defaultBudgetMb(): number {
  return Math.max(512, Math.min(16 * 1024, Math.floor(totalmem() / 2 ** 20 / 2)));
}

/** "2.1 GB", "300 MB": how messages name a figure. */
export function formatBytes(bytes: number): string {
  const mb = bytes / 2 ** 20;
  return mb >= 1024 ? `${(mb / 1024).toFixed(1).replace(/\.0$/, "")} GB` : `${Math.round(mb)} MB`;
}

/** Where the learner changes the budget, as every MemoryError says. */
export const BUDGET_SETTING = "concnb.memoryBudgetMb / --memory-mb";
