// What the threads of one cell's run did, as the kernel hands it to the
// extension (a cell output the timeline renderer draws) and to `concnb run
// --trace` (which writes it as the Trace Event Format). Defined once here;
// the runtime records it (runtime/core/trace.ts), the kernel assembles it
// (kernel/timeline.ts). Plain JSON: it is a notebook output's data.

/** The MIME type of a timeline output; extension/renderer/timeline draws it. */
export const TIMELINE_MIME = "application/x.concnb-timeline+json";

/** Where a thread was in the learner's code: the cell (as tracebacks name it, "cell 3"), its line, and its text. */
export interface TimelineWhere {
  cell: string;
  line: number;
  code: string;
}

/** One thread's lane (or a process's main thread). Times are microseconds on the kernel's one clock (protocol/clock). */
export interface Lane {
  /** The thread's ident: spans and flows name their lane by it. */
  id: number;
  /** The thread's name, as its output lines are marked ("MainThread", "Thread-1 (worker)"). */
  name: string;
  /** The process it ran in: the kernel's pid for threads, a child's for multiprocessing. */
  pid: number;
  /** "MainThread" of the kernel for threads, or the Process's name. */
  process: string;
  /** When it started running, and ended (null: still running when the cell ended, e.g. a daemon). */
  start: number;
  end: number | null;
  daemon: boolean;
  /** A thread of a ThreadPoolExecutor: its waits for work are idle spans. */
  pool: boolean;
}

/** What a thread is doing in a span; running is every moment of a lane outside its spans. */
export type SpanState = "blocked" | "sleeping" | "idle";

export interface Span {
  lane: number;
  state: SpanState;
  start: number;
  end: number;
  /** What it waited on: "acquire Lock#3", "wait Condition#2", "get Queue#1", "join Thread-2 (worker)", "sleep 0.5". */
  what: string;
  /** Absent for a span shorter than TRACE_LINE_MIN_US, whose line is not taken (taking it costs more than the wait). */
  where?: TimelineWhere;
  /** Still waiting when the cell ended (a deadlock's waits): `end` is the cell's end. */
  open?: true;
}

/** A hand-off: the thread whose release, notify, set, put or finish woke a waiter, and the waiter it woke. */
export interface Flow {
  id: number;
  /** "release Lock#3", "set Event#1", "put Queue#2", "finish Thread-1 (worker)". */
  what: string;
  from: { lane: number; ts: number };
  to: { lane: number; ts: number };
}

export interface Timeline {
  /** The cell, as tracebacks name it. */
  cell: string;
  start: number;
  end: number;
  lanes: Lane[];
  spans: Span[];
  flows: Flow[];
  /** Events the bounded per-thread buffers let go, oldest first: the timeline says so when it is not 0. */
  dropped: number;
  /**
   * Set when the cell ended in a deadlock: its threads, in the wait-for cycle's order when there is one. `waitsFor`:
   * what the thread waits in, as its open span names it ("acquire RLock#10", "join Thread-2"); `heldBy`: the lane
   * that holds what it waits for (the next in the cycle), absent for a wait nobody holds (an Event, a Queue).
   */
  deadlock?: { cycle: Array<{ lane: number; waitsFor: string; heldBy?: number }> };
}

/** Spans shorter than this carry no line (see Span.where). */
export const TRACE_LINE_MIN_US = 250;
