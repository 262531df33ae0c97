// What a Program (kernel/program.ts) is given to run, and what it gives back when it ends.
import type { CellResult } from "./protocol/messages";
import type { Chunk, ChainLink, ChainValues, EncodedValues, ProgramContext } from "./protocol/worker";
import type { OutputLimit } from "./output";
import type { QueueService } from "./mpQueues";
import type { Timeline } from "./protocol/timeline";

export interface ProgramOutcome {
  result: CellResult;
  /** The cell's bindings at the end, for later cells; null if the main thread never got there. */
  values: EncodedValues | null;
  /** What the cell left in the earlier cells' bindings that differs from the kernel's values; null as for values. */
  chainValues: ChainValues | null;
  /** The cell's top-level names its main thread got to define; null as for values. */
  defined: string[] | null;
  /** What its threads did, built when first asked for. */
  timeline: () => Timeline;
}

export interface ProgramSpec {
  programId: number;
  full: Chunk;
  defs: Chunk;
  chain: ChainLink[];
  /** This program is a multiprocessing child (kernel/processMain). */
  process?: ProgramContext["process"];
  /** Who keeps multiprocessing Queues: the kernel's store, or in a child process its parent. */
  queues: QueueService;
  /** The cell's output line limit and the file past it. */
  outputLimit: OutputLimit;
  /** True while whoever takes the output is behind: the rings are left to fill, and their writers block. */
  outputBlocked?: () => boolean;
  /** Live threads the program may have (KernelOptions.maxThreads); unset: derived from memory. */
  maxThreads?: number;
}
