// multiprocessing's children, from the kernel's side: real OS processes, each
// running its target as a program of its own (kernel/processMain.ts) on the
// notebook's definitions. Their output joins the cell's, every line marked
// with the process (and, for its other threads, the thread) that wrote it.
// A child's life is mirrored into its Process object's shared memory, so
// join() and exitcode work from any thread of the cell.
import { fork, type ChildProcess } from "node:child_process";
import type { ChainLink, Chunk, EncodedValues, TargetSpec } from "./protocol/worker";
import type { CellResult, OutputRecord } from "./protocol/messages";
import { FINISHED, P } from "./runtime/state";

/** Int32 slots of a Process object's memory (runtime/multiprocessing). */
export const enum PS {
  State = 0,
  Pid = 1,
  ExitCode = 2,
  Size = 4,
}

/** What a child is told to run. */
export interface ChildRun {
  type: "run";
  name: string;
  /** The notebook's links, then the running cell's definitions with the starting thread's values. */
  chain: ChainLink[];
  target: TargetSpec;
  /** "call": target(...args); "map": args[0].map(target); "apply": args[0].map((a) => target(...a)); results sent back. */
  mode: "call" | "map" | "apply";
  args: unknown;
}
export type FromChild = { type: "records"; records: OutputRecord[] } | { type: "done"; result: CellResult; value?: unknown };

interface Child {
  child: ChildProcess;
  name: string;
  daemon: boolean;
}

export class ChildProcesses {
  private readonly children = new Set<Child>();
  private seq = 0;
  private workers = 0;

  get running(): number {
    return this.children.size;
  }

  constructor(
    private readonly cell: { chain: ChainLink[]; defs: Chunk },
    private readonly programSlots: Int32Array,
    private readonly write: (source: string, stream: "stdout" | "stderr", thread: string, text: string) => void,
    /** out/process.js */
    private readonly entry: string,
  ) {}

  /** A Process.start(): the child runs target(...args); its end is written into the Process's memory. */
  start(m: { name: string; daemon: boolean; state: SharedArrayBuffer; target: TargetSpec; args: unknown; values: EncodedValues }): void {
    const state = new Int32Array(m.state);
    const c = this.spawn(m.name, m.daemon, { mode: "call", target: m.target, args: m.args, values: m.values }, () => {});
    Atomics.store(state, PS.Pid, c.child.pid ?? 0);
    c.child.once("exit", (code, signal) => {
      Atomics.store(state, PS.ExitCode, code ?? -(signalNumber(signal) || 1));
      Atomics.store(state, PS.State, FINISHED);
      Atomics.notify(state, PS.State);
      if (!m.daemon) {
        Atomics.sub(this.programSlots, P.Live, 1);
        Atomics.notify(this.programSlots, P.Live);
      }
    });
  }

  /** Pool.map: the items in `n` slices, one child each; calls back with every result in order, or the first error. */
  map(
    n: number,
    mode: "map" | "apply",
    target: TargetSpec,
    items: unknown[],
    values: EncodedValues,
    then: (r: { results?: unknown[]; error?: { name: string; message: string; traceback?: string } }) => void,
  ): void {
    const size = Math.ceil(items.length / Math.max(1, n));
    const slices: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
    if (slices.length === 0) return then({ results: [] });
    const results: unknown[][] = new Array(slices.length);
    let left = slices.length;
    let failed = false;
    slices.forEach((slice, i) => {
      this.spawn(`ForkPoolWorker-${++this.workers}`, true, { mode, target, args: [slice], values }, (done) => {
        if (failed) return;
        if (done.result.status !== "ok") {
          failed = true;
          return then({ error: done.result.error ?? { name: "ProcessError", message: done.result.status } });
        }
        results[i] = done.value as unknown[];
        if (--left === 0) then({ results: results.flat() });
      });
    });
  }

  /** The program is over: daemon children are stopped, as Python's are. */
  stopDaemons(): void {
    for (const c of this.children) if (c.daemon) c.child.kill("SIGKILL");
  }

  /** Interrupt, timeout, deadlock: every child goes. */
  killAll(): void {
    for (const c of this.children) c.child.kill("SIGKILL");
  }

  private spawn(
    name: string,
    daemon: boolean,
    job: { mode: ChildRun["mode"]; target: TargetSpec; args: unknown; values: EncodedValues },
    onDone: (done: Extract<FromChild, { type: "done" }>) => void,
  ): Child {
    const child = fork(this.entry, [], { stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced" });
    const c: Child = { child, name, daemon };
    this.children.add(c);
    const source = `process ${child.pid}`;
    let done = false;
    child.on("message", (m: FromChild) => {
      if (m.type === "records") {
        for (const r of m.records) this.write(source, r.stream, r.thread === "MainThread" ? name : `${name}: ${r.thread}`, r.text);
      } else {
        done = true;
        onDone(m);
      }
    });
    // a child that dies before it reports (killed, out of memory) still answers whoever waits for it
    child.once("exit", (code, signal) => {
      if (done) return;
      const message = `${name} exited with ${signal ?? `code ${code}`} before it finished`;
      onDone({ type: "done", result: { status: "error", durationMs: 0, error: { name: "ProcessError", message, traceback: `${message}\n` } } });
    });
    child.stdout?.setEncoding("utf8").on("data", (t: string) => this.write(`${source} native`, "stdout", name, t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => this.write(`${source} native`, "stderr", name, t));
    child.once("exit", () => this.children.delete(c));
    const link: ChainLink = { id: `process-cell-${++this.seq}`, key: "process-cell", defs: this.cell.defs, values: job.values };
    const chain = [...this.cell.chain, link].map((l) => ({ ...l, values: withoutSharedMemory(l.values) as EncodedValues }));
    child.send({ type: "run", name, chain, target: job.target, mode: job.mode, args: job.args } satisfies ChildRun);
    return c;
  }
}

/**
 * The notebook's values as a child process gets them: runtime objects (the
 * encoded handles of runtime/share) are memory of this process, so in the
 * child they become stand-ins that say so when used.
 */
function withoutSharedMemory(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof SharedArrayBuffer) return null;
  if (seen.has(v)) return seen.get(v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(withoutSharedMemory(x, seen));
    return out;
  }
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [withoutSharedMemory(k, seen), withoutSharedMemory(x, seen)]));
  if (v instanceof Set) return new Set([...v].map((x) => withoutSharedMemory(x, seen)));
  if (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer) return null;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const rec = v as Record<string, unknown>;
  if (rec.__concnb_shared__ === "handle") {
    return { __concnb_shared__: "unavailable", what: `the ${String(rec.kind)} of the parent process (processes share no memory)` };
  }
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(rec)) out[k] = withoutSharedMemory(rec[k], seen);
  return out;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11 } as Record<string, number>)[signal] ?? 1 : 0;
}
