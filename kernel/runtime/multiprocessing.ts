// "multiprocessing": Process and Pool on real OS processes (the kernel starts
// them: kernel/processes.ts). A process shares no memory with its parent:
// its target and arguments are copies, and runtime objects (locks, queues,
// events) cannot be sent to it, as they are memory of this process.
import { cpus } from "node:os";
import { inspect } from "node:util";
import { job, rpc, send } from "./context";
import { pythonErrors, PyTypeError, RuntimeError, ValueError } from "./errors";
import { setFrames } from "./traceback";
import { encode, decode } from "./share";
import { functionSpec, hereLookup } from "./scope";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { FINISHED, NEW, P, STARTED, timeoutMs } from "./state";
import { wait } from "./blocking";
import { currentValues as valuesForThreads } from "./threading";

const enum PS {
  State = 0,
  Pid = 1,
  ExitCode = 2,
  Size = 4,
}

/** Copies for another process; a runtime object inside cannot go (its memory is this process's). */
function forProcess(value: unknown, what: string): unknown {
  const encoded = encode(value);
  if (JSON.stringify(encoded, (_k, v) => (typeof v === "bigint" ? String(v) : v instanceof Map || v instanceof Set ? [...v] : v))?.includes('"__concnb_shared__":"handle"')) {
    throw new PyTypeError(
      `${what} holds a runtime object (a Lock, a Queue, an Event...): processes share no memory, so it cannot be sent to one. ` +
        `Pass plain data, and get results back from Pool.map or the process's exit code.`,
    );
  }
  return encoded;
}

export interface ProcessOptions {
  target?: ((...args: never[]) => unknown) | null;
  args?: unknown[];
  name?: string;
  daemon?: boolean;
}

export class Process {
  declare readonly id: number;
  declare private readonly view: Int32Array;
  name: string;
  private daemonFlag: boolean;
  private readonly target: ProcessOptions["target"];
  private readonly args: unknown[];

  constructor(options: ProcessOptions = {}) {
    const { target = null, args = [], name, daemon = false } = options ?? {};
    if (target !== null && typeof target !== "function") throw new PyTypeError("target must be a function");
    if (!Array.isArray(args)) throw new PyTypeError("args must be an array");
    const n = Atomics.add(job().programSlots, P.Processes, 1) + 1;
    const state = allocate("Process", PS.Size);
    hidden(this, { id: state.id, view: new Int32Array(state.buffer) });
    adopt(this, "Process", state, () => ({ name: this.name }));
    this.name = name ?? `Process-${n}`;
    this.daemonFlag = Boolean(daemon);
    this.target = target;
    this.args = args;
  }

  start(): void {
    if (Atomics.load(this.view, PS.State) !== NEW) throw new RuntimeError("cannot start a process twice");
    if (!this.target) throw new ValueError("a Process needs a target here (subclasses with run() are not supported across processes)");
    const target = functionSpec(this.target, "the target");
    const args = forProcess(this.args, "args");
    Atomics.store(this.view, PS.State, STARTED);
    if (!this.daemonFlag) Atomics.add(job().programSlots, P.Live, 1);
    send({
      type: "process",
      programId: job().ctx.programId,
      name: this.name,
      daemon: this.daemonFlag,
      state: this.view.buffer as SharedArrayBuffer,
      target,
      args,
      values: valuesForThreads(),
    });
  }

  join(timeout?: number | null): void {
    if (Atomics.load(this.view, PS.State) === NEW) throw new RuntimeError("can only join a started process");
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    while (Atomics.load(this.view, PS.State) === STARTED) {
      const left = ms === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return;
      wait(this.view, PS.State, STARTED, left, this.id, "join");
    }
  }

  isAlive(): boolean {
    return Atomics.load(this.view, PS.State) === STARTED;
  }
  get exitcode(): number | null {
    return Atomics.load(this.view, PS.State) === FINISHED ? Atomics.load(this.view, PS.ExitCode) : null;
  }
  get pid(): number | null {
    const pid = Atomics.load(this.view, PS.Pid);
    return pid === 0 ? null : pid;
  }
  get daemon(): boolean {
    return this.daemonFlag;
  }
  set daemon(v: boolean) {
    if (Atomics.load(this.view, PS.State) !== NEW) throw new RuntimeError("cannot set daemon status of active process");
    this.daemonFlag = Boolean(v);
  }

  toString(): string {
    const s = Atomics.load(this.view, PS.State);
    const status = s === NEW ? "initial" : s === STARTED ? "started" : `stopped exitcode=${this.exitcode}`;
    return `<Process name='${this.name}' ${status}${this.daemonFlag ? " daemon" : ""}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}
defineKind("Process", (state: SharedState, extra) => {
  const p = Object.create(Process.prototype) as Process;
  hidden(p, { id: state.id, view: new Int32Array(state.buffer) });
  Object.assign(p, { name: (extra as { name: string }).name, daemonFlag: false, target: null, args: [] });
  return adopt(p, "Process", state, () => ({ name: p.name }));
});

/** The process this code runs in: "MainProcess" in the notebook, else the child's name. */
export function currentProcess(): { name: string; pid: number } {
  return { name: job().ctx.process?.name ?? "MainProcess", pid: process.pid };
}

export function cpuCount(): number {
  return cpus().length;
}

interface RemoteError {
  name: string;
  message: string;
  traceback?: string;
}

/** Runs fn over items in `n` child processes (map: fn(item); apply: fn(...args)); throws the first failure, rebuilt. */
function inProcesses(n: number, mode: "map" | "apply", fn: Function, items: unknown[]): unknown[] {
  const r = rpc({
    type: "rpc",
    op: "processMap",
    programId: job().ctx.programId,
    processes: n,
    mode,
    target: functionSpec(fn, "the function"),
    items,
    values: valuesForThreads(),
  }) as { results?: unknown[]; error?: RemoteError };
  if (r.error) throw remoteError(r.error);
  return (r.results ?? []).map((x) => decode(x, hereLookup()));
}

/**
 * The exception a child raised, as an exception here: its class where this
 * thread knows it, its message, and its frames read back from the child's
 * traceback (they are lines of the notebook's cells, the same here).
 */
function remoteError(r: RemoteError): Error {
  const cls = (hereLookup()(r.name) ?? pythonErrors.get(r.name) ?? (globalThis as Record<string, unknown>)[r.name] ?? Error) as { prototype: object };
  const e = Object.create(typeof cls.prototype === "object" ? cls.prototype : Error.prototype) as Error;
  Object.defineProperty(e, "message", { value: r.message.replace(/ \([^()]*, line \d+\)$/, ""), writable: true, configurable: true });
  if (e.name !== r.name) Object.defineProperty(e, "name", { value: r.name, writable: true, configurable: true });
  const frames = [...(r.traceback ?? "").matchAll(/^ {2}File "([^"]+)", line (\d+), in (.+)\n {4}(.*)$/gm)].map((m) => ({ label: m[1], line: Number(m[2]), fn: m[3], code: m[4] }));
  Object.defineProperty(e, "stack", { value: r.traceback ?? `${r.name}: ${r.message}`, writable: true, configurable: true });
  setFrames(e, frames.filter((f) => !/^(Process-\d+|ForkPoolWorker-\d+)$/.test(f.label)));
  return e;
}

/** In a ProcessPoolExecutor's thread: one task, fn(...args), in a child process of its own. */
export function runInProcess(fn: Function, args: unknown[]): unknown {
  return inProcesses(1, "apply", fn, [forProcess(args, "args")])[0];
}

/** Refuses, at submit, what a process cannot be given. */
export function checkForProcess(args: unknown[]): void {
  forProcess(args, "args");
}

/** A pool of worker processes: map() splits its items among them and gives the results back, in order. */
export class Pool {
  private closed = false;
  readonly processes: number;

  constructor(processes?: number | null) {
    const n = processes ?? cpuCount();
    if (typeof n !== "number" || !Number.isInteger(n)) throw new PyTypeError("processes must be an integer");
    if (n < 1) throw new ValueError("Number of processes must be at least 1");
    this.processes = n;
  }

  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>): R[] {
    if (this.closed) throw new ValueError("Pool not running");
    if (typeof fn !== "function") throw new PyTypeError("map() needs a function");
    const items = [...iterable];
    return inProcesses(this.processes, "map", fn, items.map((x) => forProcess(x, "an item"))) as R[];
  }

  /** No more work; with map() blocking, there is nothing to wait for after. */
  close(): void {
    this.closed = true;
  }
  terminate(): void {
    this.closed = true;
  }
  join(): void {
    if (!this.closed) throw new ValueError("Pool is still running");
  }
  [Symbol.dispose](): void {
    this.terminate();
  }
}
