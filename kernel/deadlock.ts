// Deadlock detection. Python would hang; the product teaches instead. Two
// ways to see one:
// - a cycle of the wait-for graph, looked for each time a thread says it is
//   blocked: thread A waits (no timeout) for a Lock or RLock that thread B
//   holds, or to join B, and so on back to A. None of them can wake, so a
//   cycle read twice the same is proof, and it is reported at once, even
//   while other threads still run;
// - the general check, for waits nobody holds (conditions, events, queues):
//   every thread that could still run is waiting, with no timeout, on a
//   runtime primitive (or on another thread), and that picture stays the same
//   for a while (so a wake-up already on its way is not mistaken for one).
// The report names each thread, what it holds and what it waits for, at
// which line of the cell.
import type { ThreadDesc, Where } from "./protocol/worker";
import { JOINING_ALL, joiningThread, L, STARTED, T } from "./protocol/layout";

interface ObjectInfo {
  kind: string;
  view: Int32Array;
  where: Where | null;
}
/** Runtime objects by id, kept for the kernel's life (a lock outlives the cell that made it). */
export type ObjectRegistry = Map<number, ObjectInfo>;
interface BlockInfo {
  on: number;
  op: string;
  seq: number;
  where: Where | null;
}

/** What a thread blocked in `op` is doing, said of the object it waits on. */
const VERBS: Record<string, string> = {
  acquire: "waits to acquire",
  get: "waits for an item from",
  put: "waits for room in",
  join: "waits for every task of",
  result: "waits for the result of",
  mpget: "waits for an item from",
  mpput: "waits for room in",
};

/** One thread's wait in a deadlock, for the timeline: what it waits for, as the report says it, and who holds that. */
export interface CycleStep {
  ident: number;
  waitsFor: string;
  /** The thread that holds what it waits for (the next in the cycle); absent outside a cycle. */
  heldBy?: number;
}

/** A wait-for edge: `from` waits, with no timeout, on `on` (its wait number `seq`), which only `to` can end. */
interface Edge {
  from: ThreadDesc;
  on: number;
  seq: number;
  to: ThreadDesc;
}

/** The report's first lines: every thread is stuck, or the threads of a cycle are while others still run. */
const ALL_BLOCKED = "Deadlock: every thread of this program is waiting for another, and none of them can go on.";
const CYCLE = "Deadlock: these threads wait for each other in a cycle, and none of them can go on.";

/** How many checks in a row must see the same picture: with CHECK_MS apart, about half a second. */
const STEADY_CHECKS = 3;
export const CHECK_MS = 200;

export class DeadlockWatch {
  private readonly blocked = new Map<number, BlockInfo>();
  private last = "";
  private steady = 0;
  /** The thread whose "blocked" message came last: a cycle it closed goes through it. */
  private latest = 0;
  private found: CycleStep[] | undefined;

  constructor(private readonly objects: ObjectRegistry) {}

  object(id: number, kind: string, state: SharedArrayBuffer, where: Where | null): void {
    this.objects.set(id, { kind, view: new Int32Array(state), where });
  }

  block(ident: number, info: BlockInfo): void {
    this.blocked.set(ident, info);
    this.latest = ident;
  }

  /**
   * The last deadlock reported: its threads in cycle order, each with what it waits for (the report's "waits to ..."
   * line). Undefined until one is found. For a deadlock of the general check that has no lock or join cycle (waits
   * on conditions, events, queues), every thread of its report, in the report's order.
   */
  get cycle(): readonly CycleStep[] | undefined {
    return this.found;
  }

  /** Where a thread waits now, as its last "blocked" message said (for a wait that never ended: a deadlock's). */
  whereBlocked(ident: number): Where | null {
    return this.blocked.get(ident)?.where ?? null;
  }

  /**
   * A report if the thread that said last it is blocked closed a cycle of waits that cannot end (see Edge), else
   * null. Asked when each "blocked" message arrives: the last of a cycle's threads to say so finds it.
   */
  cycleReport(threads: ThreadDesc[]): string | null {
    const start = threads.find((t) => t.ident === this.latest);
    // most waits are on what no thread holds (queues, events, futures): they cost this much and no more
    if (!start || !this.heldByOne(Atomics.load(new Int32Array(start.state), T.Blocked))) return null;
    const byIdent = new Map(threads.map((t) => [t.ident, t]));
    const path: Edge[] = [];
    const seen = new Set<number>();
    for (let d = start; ; ) {
      seen.add(d.ident);
      const e = this.edge(d, byIdent);
      if (!e) return null;
      path.push(e);
      if (e.to === start) break;
      if (seen.has(e.to.ident)) return null; // a cycle this thread only waits on: the one that closed it reports it
      d = e.to;
    }
    // a thread waiting for a Lock it holds itself may be waiting for another thread to release it (a Lock used as
    // a signal): that one is the general check's to judge
    if (path.length < 2) return null;
    // each thread's own message must be in (its line of the cell); the last to arrive asks again
    if (path.some((e) => this.blocked.get(e.from.ident)?.seq !== e.seq)) return null;
    // read again: the same waits (same numbers) on the same holders. A thread woken in between waits anew
    if (path.some((e) => !this.same(e, byIdent))) return null;
    const cycle = this.rotate(path, threads);
    this.found = this.steps(cycle, threads);
    // every thread stuck (those joining the cycle's, say), each message in: today's report of them all; else the cycle's
    const everyone = this.involved(threads);
    if (everyone?.every((i) => this.blocked.get(i.desc.ident)?.seq === i.seq)) return this.report(ALL_BLOCKED, everyone, threads);
    return this.report(CYCLE, cycle.map((e) => ({ desc: e.from, on: e.on })), threads);
  }

  /** The edge out of thread `d`: what it waits on with no timeout, and which thread alone can end that wait. */
  private edge(d: ThreadDesc, byIdent: Map<number, ThreadDesc>): Edge | null {
    const s = new Int32Array(d.state);
    if (Atomics.load(s, T.State) !== STARTED) return null;
    const on = Atomics.load(s, T.Blocked);
    const seq = Atomics.load(s, T.BlockSeq);
    const to = this.waitedOn(on, byIdent);
    return to ? { from: d, on, seq, to } : null;
  }

  /** Whether a wait on `on` is one that a single thread can end: on a Lock or an RLock (its holder), or a join. */
  private heldByOne(on: number): boolean {
    if (on <= joiningThread(0)) return true;
    const kind = on > 0 ? this.objects.get(on)?.kind : undefined;
    return kind === "Lock" || kind === "RLock";
  }

  /** The thread that alone can end a wait on `on`: a Lock's or RLock's holder, or the thread being joined. */
  private waitedOn(on: number, byIdent: Map<number, ThreadDesc>): ThreadDesc | null {
    let to: ThreadDesc | undefined;
    if (on > 0) {
      const o = this.objects.get(on);
      if (!o || (o.kind !== "Lock" && o.kind !== "RLock") || Atomics.load(o.view, L.State) === 0) return null;
      to = byIdent.get(Atomics.load(o.view, L.Owner));
    } else if (on <= joiningThread(0)) {
      to = byIdent.get(joiningThread(0) - on);
    }
    return to && Atomics.load(new Int32Array(to.state), T.State) === STARTED ? to : null;
  }

  /** Whether edge `e` still holds: its thread in the same wait, the lock still held by the same thread. */
  private same(e: Edge, byIdent: Map<number, ThreadDesc>): boolean {
    const s = new Int32Array(e.from.state);
    if (Atomics.load(s, T.State) !== STARTED || Atomics.load(s, T.Blocked) !== e.on || Atomics.load(s, T.BlockSeq) !== e.seq) return false;
    return this.waitedOn(e.on, byIdent) === e.to;
  }

  /** The cycle from its thread that comes first in `threads` (the main thread first): the same cycle reads the same. */
  private rotate(path: Edge[], threads: ThreadDesc[]): Edge[] {
    const first = threads.findIndex((t) => path.some((e) => e.from === t));
    const at = path.findIndex((e) => e.from === threads[first]);
    return [...path.slice(at), ...path.slice(0, at)];
  }

  private steps(path: Edge[], threads: ThreadDesc[]): CycleStep[] {
    return path.map((e) => ({ ident: e.from.ident, waitsFor: this.waitsFor(e.on, this.blocked.get(e.from.ident)?.op ?? "waits", threads), heldBy: e.to.ident }));
  }

  /** Unlocks every Lock and RLock held by one of these threads (they were stopped), waking their waiters. */
  releaseHeldBy(idents: Set<number>): void {
    for (const o of this.objects.values()) {
      if ((o.kind !== "Lock" && o.kind !== "RLock") || Atomics.load(o.view, L.State) === 0) continue;
      if (!idents.has(Atomics.load(o.view, L.Owner))) continue;
      Atomics.store(o.view, L.Owner, 0);
      Atomics.store(o.view, L.Count, 0);
      Atomics.store(o.view, L.State, 0);
      Atomics.notify(o.view, L.State);
    }
  }

  get watching(): boolean {
    return this.blocked.size > 0;
  }

  /** The DeadlockError's one-line message for a report of this watch: its kind of deadlock and the threads it names. */
  message(report: string): string {
    const names = report.match(/^Thread (.*)$/gm)?.map((l) => l.slice(7)) ?? [];
    return `${report.startsWith(CYCLE) ? "threads wait for each other in a cycle" : "every thread is blocked"}: ${names.join(", ")}`;
  }

  /** A report if the program has been deadlocked for STEADY_CHECKS checks, else null. */
  check(threads: ThreadDesc[]): string | null {
    const involved = this.involved(threads);
    if (!involved) return this.reset();
    const picture = involved.map((i) => `${i.desc.ident}:${i.on}:${i.seq}`).join(",");
    if (picture !== this.last) {
      this.last = picture;
      this.steady = 1;
      return null;
    }
    if (++this.steady < STEADY_CHECKS) return null;
    this.found = this.cycleAmong(involved, threads) ?? involved.map(({ desc, on }) => ({ ident: desc.ident, waitsFor: this.waitsFor(on, this.blocked.get(desc.ident)?.op ?? "waits", threads) }));
    return this.report(ALL_BLOCKED, involved, threads);
  }

  /** Every thread that could still run, each waiting with no timeout (and on what); null if one of them is not waiting. */
  private involved(threads: ThreadDesc[]): Array<{ desc: ThreadDesc; on: number; seq: number }> | null {
    const involved: Array<{ desc: ThreadDesc; on: number; seq: number }> = [];
    for (const d of threads) {
      const s = new Int32Array(d.state);
      const on = Atomics.load(s, T.Blocked);
      const running = Atomics.load(s, T.State) === STARTED;
      if (running && on === 0) return null; // someone can still make progress
      if (running || on === JOINING_ALL) involved.push({ desc: d, on, seq: Atomics.load(s, T.BlockSeq) });
    }
    return involved.length > 0 ? involved : null;
  }

  /** A cycle of lock and join waits among the threads of a steady deadlock, for the timeline, if there is one. */
  private cycleAmong(involved: Array<{ desc: ThreadDesc }>, threads: ThreadDesc[]): CycleStep[] | undefined {
    const byIdent = new Map(threads.map((t) => [t.ident, t]));
    for (const { desc } of involved) {
      const path: Edge[] = [];
      for (let d: ThreadDesc | undefined = desc; d && !path.some((e) => e.from === d); ) {
        const e = this.edge(d, byIdent);
        if (!e) break;
        path.push(e);
        d = e.to;
      }
      const back = path.findIndex((e) => e.from === path.at(-1)?.to);
      if (back >= 0) return this.steps(this.rotate(path.slice(back), threads), threads);
    }
    return undefined;
  }

  private reset(): null {
    this.last = "";
    this.steady = 0;
    return null;
  }

  private report(first: string, involved: Array<{ desc: ThreadDesc; on: number }>, threads: ThreadDesc[]): string {
    const lines = [first, "(Python would hang here, silently, forever.)", ""];
    for (const { desc, on } of involved) {
      const b = this.blocked.get(desc.ident);
      const holds = this.holdings(desc.ident);
      lines.push(`Thread ${desc.name}`);
      lines.push(`  holds ${holds.length > 0 ? holds.join(", ") : "no lock"}`);
      lines.push(`  ${this.waitsFor(on, b?.op ?? "waits", threads)}`);
      if (b?.where) lines.push(`  File "${b.where.label}", line ${b.where.line}, in ${b.where.fn}`, `    ${b.where.code}`);
      lines.push("");
    }
    return lines.join("\n").trimEnd() + "\n";
  }

  private holdings(ident: number): string[] {
    const out: string[] = [];
    for (const [id, o] of this.objects) {
      if ((o.kind === "Lock" || o.kind === "RLock") && Atomics.load(o.view, L.State) !== 0 && Atomics.load(o.view, L.Owner) === ident) {
        out.push(this.describe(id));
      }
    }
    return out;
  }

  private waitsFor(on: number, op: string, threads: ThreadDesc[]): string {
    if (on === JOINING_ALL) return "has finished its code and waits for its non-daemon threads to finish";
    const joined = threads.find((t) => joiningThread(t.ident) === on);
    if (joined) return `waits to join thread ${joined.name}`;
    const holder = this.holderOf(on, threads);
    const verb = VERBS[op] ?? "waits on";
    return `${verb} ${this.describe(on, op)}${holder ? `, held by ${holder}` : ""}`;
  }

  private holderOf(id: number, threads: ThreadDesc[]): string | null {
    const o = this.objects.get(id);
    if (!o || (o.kind !== "Lock" && o.kind !== "RLock") || Atomics.load(o.view, L.State) === 0) return null;
    const owner = Atomics.load(o.view, L.Owner);
    return threads.find((t) => t.ident === owner)?.name ?? null;
  }

  private describe(id: number, op?: string): string {
    // multiprocessing Queues are numbered by the kernel's queue store, apart from the runtime's objects
    if (op === "mpget" || op === "mpput") return `multiprocessing Queue #${id}`;
    const o = this.objects.get(id);
    // futures made by executors are too many to announce one by one
    if (!o) return op === "result" ? `Future #${id}` : `object #${id}`;
    return `${o.kind} #${id}${o.where ? ` (made at ${o.where.label}, line ${o.where.line}: ${o.where.code})` : ""}`;
  }
}
