// The kernel's half of the timeline: it reads what each thread of a program
// recorded in its worker's trace ring (runtime/core/trace.ts) when the
// thread's job ends, or when the program ends for threads still running then
// (a deadlock's never end), and assembles the cell's Timeline
// (protocol/timeline): lanes, spans named for what they waited on and where,
// and the hand-offs between threads.
import { nowUs } from "./protocol/clock";
import { JOINING_ALL, Rec, RecKind, TR, TRACE_OPS } from "./protocol/layout";
import type { Flow, Lane, Span, SpanState, Timeline, TimelineWhere } from "./protocol/timeline";
import { chunkNumber, type Chunk, type ThreadDesc } from "./protocol/worker";

/** What a runtime object is, by id (the kernel's registry of objects, see deadlock.ts). */
export type KindOf = (id: number) => string | undefined;

interface Wake {
  lane: number;
  ts: number;
  what: string;
}

/**
 * The hand-offs: each wait that ended was ended by the last wake of its object, by another thread, between its
 * start and its end (a wake is stamped before it wakes anyone, so it comes before the end of the waits it ends). A
 * notifyAll's one wake ends several waits: an arrow to each.
 */
function handOffs(wakes: Map<number, Wake[]>, ended: Array<{ lane: number; on: number; start: number; end: number }>): Flow[] {
  for (const list of wakes.values()) list.sort((a, b) => a.ts - b.ts);
  const flows: Flow[] = [];
  for (const w of ended) {
    const list = wakes.get(w.on);
    if (!list) continue;
    // the last wake at or before the wait's end: a binary search, then back past this thread's own
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ts <= w.end) lo = mid + 1;
      else hi = mid;
    }
    let i = lo - 1;
    while (i >= 0 && list[i].lane === w.lane) i--;
    const from = i >= 0 ? list[i] : undefined;
    if (from && from.ts >= w.start) flows.push({ id: flows.length + 1, what: from.what, from: { lane: from.lane, ts: from.ts }, to: { lane: w.lane, ts: w.end } });
  }
  return flows;
}

/**
 * The lane of a pool worker process's main thread in each task's timeline (poolTaskTimeline): thread idents start
 * at 1, so it is no thread's.
 */
export const WORKER_LANE = 0;

/**
 * A pool task's timeline as its worker sends it: the task's main thread becomes the worker's lane (WORKER_LANE), a
 * lane of the pool, idle while it waited for the task (from its last task's end, or from when it came up, to when the
 * task came). From then to the task's start the process is making ready (a thread, the notebook's definitions): its
 * lane shows it running.
 */
export function poolTaskTimeline(t: Timeline, idle: { from: number; to: number }): Timeline {
  const main = t.lanes.find((l) => l.name === "MainThread");
  if (!main) return t;
  const id = (lane: number) => (lane === main.id ? WORKER_LANE : lane);
  const waited: Span[] = idle.from < idle.to ? [{ lane: WORKER_LANE, state: "idle", start: idle.from, end: idle.to, what: "idle: waiting for a task" }] : [];
  return {
    ...t,
    lanes: t.lanes.map((l) => (l === main ? { ...l, id: WORKER_LANE, start: Math.min(idle.from, l.start), pool: true } : l)),
    spans: [...waited, ...t.spans.map((s) => ({ ...s, lane: id(s.lane) }))],
    flows: t.flows.map((f) => ({ ...f, from: { ...f.from, lane: id(f.from.lane) }, to: { ...f.to, lane: id(f.to.lane) } })),
  };
}

/** A child process's lane ids are its pid times this, plus the thread's ident in its own kernel. */
const LANES_PER_PROCESS = 100_000;

/** At most this many spans in one timeline (the latest kept): a renderer draws it, a message carries it. */
const MAX_SPANS = 50_000;

/** Ops shown by another name: a multiprocessing Queue's get is a get. */
const SHOWN: Partial<Record<string, string>> = { mpget: "get", mpput: "put" };

interface TraceRecord {
  ts: number;
  kind: number;
  on: number;
  op: number;
  line: number;
  chunk: number;
}

interface Thread {
  desc: ThreadDesc;
  records: TraceRecord[];
  read: number;
}

export class TimelineRecorder {
  readonly start = nowUs();
  private readonly threads = new Map<number, Thread>(); // by ident
  private readonly watched = new Map<SharedArrayBuffer, ThreadDesc>();
  private dropped = 0;
  /** The timelines of the child Processes the run started, as each ended, and of its pools' tasks, as each came back. */
  private readonly processes: Array<{ timeline: Timeline; wakes?: number }> = [];

  constructor(
    private readonly chunks: readonly Chunk[],
    private readonly kindOf: KindOf,
    private readonly proc: { pid: number; name: string } = { pid: process.pid, name: "MainProcess" },
  ) {}

  /**
   * A child Process's timeline, or a pool task's: its lanes join this run's, under its own pid and name (a pool
   * worker's tasks all on one lane). `wakes`: the object whose waiters the task's end woke (the Pool a map waits on,
   * an AsyncResult): a hand-off from the worker to the thread that waited.
   */
  addProcess(timeline: Timeline, wakes?: number): void {
    this.processes.push({ timeline, wakes });
  }

  /** A thread's job was given to the worker whose ring this is. */
  watch(ring: SharedArrayBuffer, desc: ThreadDesc): void {
    this.watched.set(ring, desc);
  }

  /** The job on this ring is over (its worker may run another's next): what it recorded is taken now. */
  take(ring: SharedArrayBuffer): void {
    const desc = this.watched.get(ring);
    if (!desc) return;
    this.watched.delete(ring);
    this.read(ring, desc);
  }

  private read(ring: SharedArrayBuffer, desc: ThreadDesc): void {
    const words = new Int32Array(ring);
    const stamps = new Float64Array(ring);
    let t = this.threads.get(desc.ident);
    if (!t) this.threads.set(desc.ident, (t = { desc, records: [], read: 0 }));
    const count = Atomics.load(words, TR.Count);
    const first = Math.max(t.read, count - TR.Capacity);
    this.dropped += first - t.read;
    for (let n = first; n < count; n++) {
      const at = TR.Header + (n % TR.Capacity) * TR.Words;
      t.records.push({
        ts: stamps[at >> 1],
        kind: words[at + Rec.Kind],
        on: words[at + Rec.On],
        op: words[at + Rec.Op],
        line: words[at + Rec.Line],
        chunk: words[at + Rec.Chunk],
      });
    }
    t.read = count;
  }

  /**
   * The run is over: the threads still running are read where they are (their rings go to other jobs next). The
   * timeline itself is built when it is first asked for: most runs' never are.
   */
  close(cell: string, deadlock?: Timeline["deadlock"], waitingAt: (ident: number) => TimelineWhere | undefined = () => undefined): () => Timeline {
    for (const [ring, desc] of this.watched) this.read(ring, desc);
    this.watched.clear();
    const end = nowUs();
    let built: Timeline | undefined;
    return () => (built ??= this.build(cell, end, deadlock, waitingAt));
  }

  private build(cell: string, end: number, deadlock: Timeline["deadlock"], waitingAt: (ident: number) => TimelineWhere | undefined): Timeline {
    const names = new Map([...this.threads.values()].map((t) => [t.desc.ident, t.desc.name]));
    const where = this.whereOf();
    const lanes: Lane[] = [];
    let spans: Span[] = [];
    const wakes = new Map<number, Wake[]>(); // by the object woken on, in time order within each thread
    const ended: Array<{ lane: number; on: number; start: number; end: number }> = [];
    for (const t of this.threads.values()) {
      const lane = t.desc.ident;
      let open: TraceRecord | null = null;
      let started: number | null = null;
      let finished: number | null = null;
      for (const r of t.records) {
        switch (r.kind) {
          case RecKind.Start:
            started ??= r.ts;
            break;
          case RecKind.Finish:
            finished = r.ts;
            break;
          case RecKind.Begin:
            open = r;
            break;
          case RecKind.End:
            if (open) {
              spans.push(this.span(lane, open, r.ts, names, where(r.chunk, r.line)));
              ended.push({ lane, on: open.on, start: open.ts, end: r.ts });
            }
            open = null;
            break;
          case RecKind.Wake: {
            const list = wakes.get(r.on) ?? [];
            list.push({ lane, ts: r.ts, what: `${TRACE_OPS[r.op] ?? "release"} ${this.describe(r.on, r.op, names)}` });
            wakes.set(r.on, list);
            break;
          }
        }
      }
      // a wait that never ended took no line of its own: the thread said where it waits when it was marked blocked
      if (open) spans.push({ ...this.span(lane, open, end, names, waitingAt(lane)), open: true });
      const first = t.records[0]?.ts ?? this.start;
      lanes.push({
        id: lane,
        name: t.desc.name,
        pid: this.proc.pid,
        process: this.proc.name,
        start: started ?? first,
        end: finished,
        daemon: t.desc.daemon,
        pool: /^(Thread|Process)PoolExecutor-\d+_\d+$/.test(t.desc.name),
      });
    }
    lanes.sort((a, b) => (a.name === "MainThread" ? -1 : b.name === "MainThread" ? 1 : a.start - b.start));
    const children = this.mergeChildren(lanes, spans, wakes);
    const flows = [...handOffs(wakes, ended), ...children.flows];
    flows.forEach((f, i) => (f.id = i + 1));
    let dropped = this.dropped + children.dropped;
    if (spans.length > MAX_SPANS) {
      spans.sort((a, b) => a.start - b.start);
      dropped += spans.length - MAX_SPANS;
      spans = spans.slice(-MAX_SPANS);
    }
    // a deadlock's waits in the timeline's own words: each thread's open span says what it waits in
    const waiting = new Map(spans.filter((s) => s.open).map((s) => [s.lane, s.what]));
    const named = deadlock && { cycle: deadlock.cycle.map((c) => ({ ...c, waitsFor: waiting.get(c.lane) ?? c.waitsFor })) };
    return { cell, start: this.start, end, lanes, spans, flows, dropped, ...(named ? { deadlock: named } : {}) };
  }

  /**
   * The children's lanes, spans and flows, joined to this run's (into `lanes` and `spans`), their ids made unique by
   * pid (a child's thread idents are its own kernel's). A pool worker's tasks come one timeline each, its main thread
   * always WORKER_LANE: one lane, from its first idle wait to its last task's end. A pool task's end is a wake of the
   * object its caller waited on.
   */
  private mergeChildren(lanes: Lane[], spans: Span[], wakes: Map<number, Wake[]>): { flows: Flow[]; dropped: number } {
    const flows: Flow[] = [];
    let dropped = 0;
    const merged = new Map<number, Lane>();
    for (const { timeline: child, wakes: woken } of this.processes) {
      if (child.lanes.length === 0) continue;
      const id = (lane: number) => child.lanes[0].pid * LANES_PER_PROCESS + lane;
      for (const l of child.lanes) {
        const had = merged.get(id(l.id));
        if (!had) {
          const lane = { ...l, id: id(l.id) };
          merged.set(lane.id, lane);
          lanes.push(lane);
          continue;
        }
        had.start = Math.min(had.start, l.start);
        had.end = had.end === null || l.end === null ? null : Math.max(had.end, l.end);
      }
      for (const s of child.spans) spans.push({ ...s, lane: id(s.lane) });
      for (const f of child.flows) flows.push({ ...f, from: { ...f.from, lane: id(f.from.lane) }, to: { ...f.to, lane: id(f.to.lane) } });
      dropped += child.dropped;
      const worker = child.lanes.find((l) => l.id === WORKER_LANE);
      if (woken !== undefined && worker) {
        const list = wakes.get(woken) ?? [];
        list.push({ lane: id(WORKER_LANE), ts: worker.end ?? child.end, what: `task done in ${worker.process}` });
        wakes.set(woken, list);
      }
    }
    return { flows, dropped };
  }

  private span(lane: number, begin: TraceRecord, end: number, names: Map<number, string>, at: TimelineWhere | undefined): Span {
    const op = SHOWN[TRACE_OPS[begin.op]] ?? TRACE_OPS[begin.op] ?? "wait";
    const state: SpanState = op === "sleep" ? "sleeping" : op === "idle" ? "idle" : "blocked";
    return { lane, state, start: begin.ts, end, what: `${op === "idle" ? "idle: waiting for a task on" : op} ${this.describe(begin.on, begin.op, names)}`, ...(at ? { where: at } : {}) };
  }

  /** What a span waited on, or a hand-off was of: "Lock#3", "Thread-2 (worker)", "0.5" for a sleep. */
  private describe(on: number, op: number, names: Map<number, string>): string {
    const name = TRACE_OPS[op];
    if (name === "sleep") return String(on / 1000);
    if (on === JOINING_ALL) return "(the program's non-daemon threads)";
    if (on <= -1_000_000) return names.get(-1_000_000 - on) ?? `thread ${-1_000_000 - on}`;
    if (name === "mpget" || name === "mpput") return `multiprocessing Queue#${on}`;
    // futures are made in bulk and not announced to the kernel: an unknown object waited for, or finished, is one
    return `${this.kindOf(on) ?? (name === "result" || name === "finish" ? "Future" : "object")}#${on}`;
  }

  /** Resolves a record's chunk number and line to the cell and its text. */
  private whereOf(): (chunk: number, line: number) => TimelineWhere | undefined {
    const byId = new Map<number, { label: string; lines: string[] }>();
    for (const c of this.chunks) {
      const id = chunkNumber(c.url);
      if (!byId.has(id)) byId.set(id, { label: c.label, lines: c.source.split("\n") });
    }
    return (chunk, line) => {
      const c = byId.get(chunk);
      if (!c || line < 1) return undefined;
      return { cell: c.label, line, code: (c.lines[line - 1] ?? "").trim() };
    };
  }
}
