// The kernel's memory watchdog. Workers check their own allocations against
// the budget (runtime/core/memory); what those checks cannot see, memory made by
// other means or a heap grown in a tight loop that never asks, shows in the
// process's resident memory, which this reads every few milliseconds while
// threads run. Past the limit it stops the thread that holds the most, or,
// when no figure explains the growth, the busiest one (a bomb is busy): the
// kernel's budget is kept, not a thread's opinion of it.
import type { Worker } from "node:worker_threads";
import { BUDGET_SETTING, formatBytes, MEMORY_BYTES, M, W, limitOf, watchLimitOf } from "./protocol/memory";

const KB = 1024;
/** Often enough that a bomb allocating at memory speed cannot outrun the margin (limitOf) between two checks. */
export const WATCH_MS = 25;

/** What the watchdog found against a thread it stops, for its MemoryError. */
export interface MemoryKill {
  /** What the thread held, as far as the kernel can tell. */
  usedBytes: number;
  /** Of which ArrayBuffers (typed arrays, Buffers). */
  buffersBytes: number;
  /** The kernel's process when it was stopped. */
  rssBytes: number;
  budgetBytes: number;
}

export interface Watched {
  readonly worker: Worker;
  readonly memorySlot: number;
  /** Set while a job runs: idle workers are never stopped for memory. */
  readonly busy: boolean;
}

export class MemoryWatch {
  readonly mem = new Int32Array(new SharedArrayBuffer(MEMORY_BYTES));
  private timer: NodeJS.Timeout | null = null;
  private readonly elu = new Map<Watched, ReturnType<Worker["performance"]["eventLoopUtilization"]>>();
  private readonly seen = new Map<Watched, number>();
  /** A stopped worker takes a moment to go: no second one is stopped for the same excess. */
  private stopping: Watched | null = null;
  /**
   * What the process holds beyond the workers' figures when no thread runs (the kernel's heap, each worker's
   * code and stacks): the overhead never counts less, even while workers have claimed memory not yet resident.
   */
  private calm = 0;
  /**
   * The process before this kernel: Node itself, or, when the kernel runs inside a larger process (the
   * tests, another host), whatever that holds. The budget is for what the kernel adds.
   */
  private readonly before = process.memoryUsage.rss();

  constructor(
    readonly budgetMb: number,
    private readonly workers: () => Iterable<Watched>,
    private readonly stop: (w: Watched, why: MemoryKill) => void,
  ) {
    Atomics.store(this.mem, M.BudgetKb, budgetMb * KB);
    Atomics.store(this.mem, M.LimitKb, limitOf(budgetMb) * KB);
  }

  get buffer(): SharedArrayBuffer {
    return this.mem.buffer;
  }

  /** Watches while some thread runs; idle, the kernel costs nothing. */
  setActive(active: boolean): void {
    if (active && !this.timer) {
      this.timer = setInterval(() => this.check(), WATCH_MS);
      this.timer.unref();
    } else if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.check(true); // the figures others read stay current
    }
  }

  /** A worker is being stopped: threads refused memory wait for what it frees. */
  exiting(delta: number): void {
    Atomics.add(this.mem, M.Exiting, delta);
    if (delta < 0) Atomics.notify(this.mem, M.Exiting);
  }

  /** Workers sum slots up to this one. */
  slotsInUse(n: number): void {
    Atomics.store(this.mem, M.SlotsUsed, n);
  }

  /** A worker is gone: its slot no longer counts. */
  forget(w: Watched): void {
    if (w.memorySlot >= 0) {
      Atomics.store(this.mem, M.Workers + w.memorySlot * W.Size + W.TotalKb, 0);
      Atomics.store(this.mem, M.Workers + w.memorySlot * W.Size + W.BuffersKb, 0);
    }
    this.elu.delete(w);
    this.seen.delete(w);
    if (this.stopping === w) this.stopping = null;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** What a worker last said it holds (heap and ArrayBuffers), in bytes. */
  held(w: Watched): number {
    return this.slot(w, W.TotalKb);
  }

  private slot(w: Watched, field: W): number {
    return w.memorySlot < 0 ? 0 : Atomics.load(this.mem, M.Workers + w.memorySlot * W.Size + field) * KB;
  }

  check(idle = false): void {
    const rss = Math.max(0, process.memoryUsage.rss() - this.before);
    const all = [...this.workers()];
    let published = 0;
    for (const w of all) published += this.slot(w, W.TotalKb);
    if (idle) this.calm = Math.max(0, rss - published);
    Atomics.store(this.mem, M.OverheadKb, Math.round(Math.max(this.calm, rss - published) / KB));
    const busy = all.filter((w) => w.busy);
    // how busy each was since the last check, and whether its figure moved
    const activity = new Map<Watched, { utilization: number; stale: boolean }>();
    for (const w of busy) {
      const last = this.elu.get(w);
      const now = w.worker.performance.eventLoopUtilization();
      const u = last ? w.worker.performance.eventLoopUtilization(now, last).utilization : 0;
      this.elu.set(w, now);
      const figure = this.slot(w, W.TotalKb);
      activity.set(w, { utilization: u, stale: this.seen.get(w) === figure });
      this.seen.set(w, figure);
    }
    const limit = watchLimitOf(this.budgetMb) * 2 ** 20;
    if (rss <= limit || busy.length === 0 || this.stopping) return;
    // memory no figure accounts for belongs to threads busy without measuring themselves: a heap bomb never asks
    const unexplained = Math.max(0, rss - published);
    const silent = busy.filter((w) => activity.get(w)!.stale && activity.get(w)!.utilization > 0.5);
    let worst: Watched | null = null;
    let worstScore = -1;
    for (const w of busy) {
      const score = this.slot(w, W.TotalKb) + (silent.includes(w) ? unexplained / silent.length : 0) + activity.get(w)!.utilization;
      if (score > worstScore) [worst, worstScore] = [w, score];
    }
    if (!worst) return;
    this.stopping = worst;
    this.stop(worst, {
      usedBytes: Math.round(worstScore),
      buffersBytes: this.slot(worst, W.BuffersKb),
      rssBytes: rss,
      budgetBytes: this.budgetMb * 2 ** 20,
    });
  }
}

/**
 * Why a worker that exited ended its thread for memory, as its MemoryError says it ("Thread-1 (bomb) used
 * 2.1 GB of array buffers; the kernel's budget is 4 GB (...)"); null if it did not. V8 stops a heap past its
 * limit itself (ERR_WORKER_OUT_OF_MEMORY); the watchdog stops the rest (MemoryWatch).
 */
export function memoryExit(w: { memoryKill: MemoryKill | null }, error: Error | undefined, thread: string, heapMb: number, budgetMb: number): string | null {
  const k = w.memoryKill;
  if (k) {
    const what = k.buffersBytes >= k.usedBytes / 2 ? `${formatBytes(k.buffersBytes)} of array buffers` : `about ${formatBytes(k.usedBytes)}`;
    return `${thread} used ${what}; the kernel's budget is ${formatBytes(k.budgetBytes)} (${BUDGET_SETTING}), ` +
      `and its process had reached ${formatBytes(k.rssBytes)}: the thread was stopped`;
  }
  if ((error as { code?: string } | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return `${thread} used more than the ${formatBytes(heapMb * 2 ** 20)} of heap a thread may have; the kernel's budget is ` +
      `${formatBytes(budgetMb * 2 ** 20)} (${BUDGET_SETTING}): the thread was stopped`;
  }
  return null;
}
