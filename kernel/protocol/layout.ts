// The shared memory that the kernel and the runtime (worker threads) both read
// and write: every slot index, state value and size, defined once here and
// imported by both sides. Memory only the runtime touches (events, queues,
// futures' fields) keeps its layout beside the code in kernel/runtime. It
// imports nothing, so either side may import it.

/** Int32 slots of the kernel-wide buffer (WorkerBoot.global), made by the kernel's pool. */
export const enum G {
  /** The last thread ident given out: the kernel and the runtime both take the next one. */
  Ident = 0,
  /** Every write of every thread takes the next number: the kernel shows output in this order. */
  OutSeq = 1,
  /** Ids of runtime objects (locks, events, ...), unique in the kernel. */
  ObjectId = 2,
  /** Ids of shared buffers met inside values stored as bytes (runtime/core/transfer). */
  BufferId = 3,
  /** Bumped whenever any future finishes: what asCompleted() and wait() sleep on. */
  FutureDone = 4,
  /** Threads asleep on FutureDone: a finish wakes them only if there are some. */
  FutureWatchers = 5,
  /** Arena offset of the logging configuration's header (runtime/logging/config), 0 until a thread first logs. */
  Logging = 6,
  Size = 8,
}

/** Int32 slots of a program's buffer (ProgramContext.shared), made by the kernel for each program. */
export const enum P {
  /** Counter behind default thread names (Thread-N), per program as in a fresh Python process. */
  ThreadNames = 0,
  /**
   * Non-daemon threads and processes started and not finished: the runtime adds at start(); the
   * thread's end, or the kernel (a process exited, a worker died), takes away. The main thread waits for 0.
   */
  Live = 1,
  /** Executors made by the program: numbers their threads' names, and tells the main thread how many to shut down. */
  Executors = 2,
  /** Counter behind default process names (Process-N). */
  Processes = 3,
  /** Counts setExcepthook() calls: a thread whose hook is older asks the kernel for the program's current one. */
  Excepthook = 4,
  /** Threads of the program alive now, daemons and the main thread included: start() checks it against MaxThreads. */
  Threads = 5,
  /** The cap on Threads (KernelOptions.maxThreads, or the default the kernel derived from memory). */
  MaxThreads = 6,
  Size = 7,
}

/** Int32 slots of a thread's state buffer (ThreadDesc.state): every copy of its Thread object reads the same memory. */
export const enum T {
  /** NEW, STARTED or FINISHED. */
  State = 0,
  Ident = 1,
  NativeId = 2,
  /** While the thread waits with no timeout for longer than a moment: what on (a runtime object's id, JOINING_ALL, joiningThread()), else 0. The kernel's deadlock watch reads it. */
  Blocked = 3,
  /** Counts those waits, so the kernel tells a thread still blocked from one blocked again. */
  BlockSeq = 4,
  Size = 8,
}

/** Values of T.State, and of PS.State: a thread's or a process's life. */
export const NEW = 0;
export const STARTED = 1;
export const FINISHED = 2;

/** What a thread can wait on (T.Blocked), besides runtime objects (which are positive ids). */
export const JOINING_ALL = -1; // the main thread waiting for its non-daemon threads at the end
export const joiningThread = (ident: number) => -1_000_000 - ident;

/** Int32 slots of a Lock's or RLock's memory: the kernel's deadlock watch reads the holder, and frees the locks of threads it stopped. */
export const enum L {
  /** 0 free, 1 locked, 2 locked with waiters (a futex-style mutex). */
  State = 0,
  /** Ident of the thread holding it (for RLock ownership, Condition checks and deadlock reports). */
  Owner = 1,
  /** RLock recursion depth. */
  Count = 2,
  Size = 4,
}

/** Int32 slots of a multiprocessing Process object's memory: the runtime starts it, the kernel writes its child's pid and end. */
export const enum PS {
  /** NEW, STARTED or FINISHED. */
  State = 0,
  Pid = 1,
  /** Python's exitcode: the child's, or minus the signal that ended it. */
  ExitCode = 2,
  Size = 4,
}

/** Int32 slots of an AsyncResult's memory (runtime/multiprocessing/pool), written by the kernel when its task ends. */
export const enum AsyncSlot {
  State = 0,
  Size = 2,
}
/** Values of AsyncSlot.State. */
export const enum AsyncState {
  Pending = 0,
  Done = 1,
  Failed = 2,
}

/**
 * The kernel-wide arena (WorkerBoot.arena): growable shared memory for small
 * objects made in bulk (a future per submitted task), allocated by the
 * runtime (runtime/core/arena) with one atomic add on its first word.
 */
export const enum Arena {
  /** Bytes it starts with. */
  Initial = 1 << 20,
  /** Bytes it may grow to: offsets are kept in Int32 words. */
  Max = 1 << 30,
  /** Int32 word holding the next free byte. */
  Top = 0,
  /** Bytes at its start that are the arena's own (Top and room to spare). */
  Reserved = 64,
}

/** Made by the kernel's pool, once: every worker gets it at boot. */
export function newArena(): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  const arena = new make(Arena.Initial, { maxByteLength: Arena.Max });
  new Int32Array(arena)[Arena.Top] = Arena.Reserved;
  return arena;
}

/**
 * A worker's trace ring (WorkerBoot.trace): what its thread did, for the timeline (protocol/timeline). The thread
 * writes records, the kernel reads them when the thread's job ends, or while it still runs when the cell ends. Past
 * Capacity records the oldest are overwritten; Count says how many were written in all.
 */
export const enum TR {
  /** Int32 slot: records written since the job began. */
  Count = 0,
  /** Int32 words before the first record (even: records' Float64 stamps are 8-byte aligned). */
  Header = 16,
  /** Int32 words of a record: ts as a Float64 over words 0-1, then the Rec fields. */
  Words = 8,
  Capacity = 4096,
}

/** A trace record's Int32 words after its Float64 timestamp. */
export const enum Rec {
  Kind = 2,
  /** A runtime object's id, a joiningThread() code, JOINING_ALL, or for a sleep its length in ms. */
  On = 3,
  /** TRACE_OPS index. */
  Op = 4,
  /** The cell line of a span's End (0: not taken), and the compiled chunk's number (Chunk.url ends with it). */
  Line = 6,
  Chunk = 7,
}

/** Values of Rec.Kind. */
export const enum RecKind {
  /** The thread starts running its code, and ends. */
  Start = 1,
  Finish = 2,
  /** A wait begins and ends (End carries the cell line when the wait was long enough to take it). */
  Begin = 3,
  End = 4,
  /** This thread's release, notify, set, put or finish of On woke waiters: the waits on On that end after it. */
  Wake = 5,
}

/** What a span waited in, by Rec.Op. */
export const TRACE_OPS = [
  "wait",
  "acquire",
  "waitFor",
  "get",
  "put",
  "join",
  "result",
  "barrier",
  "sleep",
  "idle",
  "shutdown",
  "mpget",
  "mpput",
  "wait for its non-daemon threads",
  "release",
  "notify",
  "set",
  "finish",
  /** Pool.map and its kin waiting for the pool's worker processes; an executor's thread for the process running its task. */
  "map",
  "run in",
] as const;
export type TraceOp = (typeof TRACE_OPS)[number];
