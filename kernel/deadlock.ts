// Deadlock detection. Python would hang; the product teaches instead. A
// program is deadlocked when every thread that could still run is waiting,
// with no timeout, on a runtime primitive (or on another thread), and that
// picture stays the same for a while (so a wake-up already on its way is not
// mistaken for a deadlock). The report names each thread, what it holds and
// what it waits for, at which line of the cell.
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

/** How many checks in a row must see the same picture: with CHECK_MS apart, about half a second. */
const STEADY_CHECKS = 3;
export const CHECK_MS = 200;

export class DeadlockWatch {
  private readonly blocked = new Map<number, BlockInfo>();
  private last = "";
  private steady = 0;

  constructor(private readonly objects: ObjectRegistry) {}

  object(id: number, kind: string, state: SharedArrayBuffer, where: Where | null): void {
    this.objects.set(id, { kind, view: new Int32Array(state), where });
  }

  block(ident: number, info: BlockInfo): void {
    this.blocked.set(ident, info);
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

  /** A report if the program has been deadlocked for STEADY_CHECKS checks, else null. */
  check(threads: ThreadDesc[]): string | null {
    const involved: Array<{ desc: ThreadDesc; on: number; seq: number }> = [];
    for (const d of threads) {
      const s = new Int32Array(d.state);
      const on = Atomics.load(s, T.Blocked);
      const running = Atomics.load(s, T.State) === STARTED;
      if (running && on === 0) return this.reset(); // someone can still make progress
      if (running || on === JOINING_ALL) involved.push({ desc: d, on, seq: Atomics.load(s, T.BlockSeq) });
    }
    if (involved.length === 0) return this.reset();
    const picture = involved.map((i) => `${i.desc.ident}:${i.on}:${i.seq}`).join(",");
    if (picture !== this.last) {
      this.last = picture;
      this.steady = 1;
      return null;
    }
    if (++this.steady < STEADY_CHECKS) return null;
    return this.report(involved, threads);
  }

  private reset(): null {
    this.last = "";
    this.steady = 0;
    return null;
  }

  private report(involved: Array<{ desc: ThreadDesc; on: number }>, threads: ThreadDesc[]): string {
    const lines = [
      "Deadlock: every thread of this program is waiting for another, and none of them can go on.",
      "(Python would hang here, silently, forever.)",
      "",
    ];
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
