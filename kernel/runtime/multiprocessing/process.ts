// "multiprocessing": Process on a real OS process (the kernel starts it:
// kernel/processes.ts); Pool is in pool.ts. A process shares no memory
// with its parent: its target and arguments are copies, and runtime objects
// (locks, threading queues, events) cannot be sent to it, as they are memory
// of this process (see crossProcess.ts).
import { cpus } from "node:os";
import { inspect } from "node:util";
import { job, send } from "../core/context";
import { PyTypeError, RuntimeError, ValueError } from "../core/errors";
import { functionSpec, hereLookup } from "../core/scope";
import type { TargetSpec } from "../../protocol/worker";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../core/shared";
import { timeoutMs } from "../core/state";
import { FINISHED, NEW, P, PS, STARTED } from "../../protocol/layout";
import { waitWhile } from "../core/blocking";
import { currentValues as valuesForThreads } from "../threading/thread";
import { forProcess } from "./crossProcess";

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** What `new Process({ ... })` takes: Python's keyword arguments of `Process(...)`, as one options object. */
export interface ProcessOptions {
  /** The function the child process calls with args. Omitted or null: a subclass must override run(). */
  target?: ((...args: never[]) => unknown) | null;
  /** The target's arguments, copied into the child: plain data, or multiprocessing Queues (TypeError at start() else). */
  args?: unknown[];
  /** The process's name; by default `Process-N`. */
  name?: string;
  /** True: the program does not wait for this process at its end. False by default. */
  daemon?: boolean;
}

/**
 * Python's multiprocessing.Process: target(...args), or a subclass's run(), in an OS process of its own. Pass
 * `{ target, args, name, daemon }` (Python's keyword arguments, as an object). It shares no memory: args are copies.
 */
export class Process {
  /** Its kernel-wide id: how it travels to other threads, and its `#N` in traces. @internal */
  declare readonly id: number;
  declare private readonly view: Int32Array;
  /** The process's name (`Process-N` by default), as the child sees it in currentProcess(). */
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

  /**
   * Starts the child process; returns at once. Raises RuntimeError when called twice, TypeError when args hold what
   * cannot go to another process, ValueError with neither a target nor a run() of a top-level subclass.
   */
  start(): void {
    if (Atomics.load(this.view, PS.State) !== NEW) throw new RuntimeError("cannot start a process twice");
    const { target, args } = this.target
      ? { target: functionSpec(this.target, "the target"), args: forProcess(this.args, "args") }
      : this.subclassRun();
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

  /** What the process does: its target, with its args (a subclass overrides it, as in Python). */
  run(): unknown {
    return this.target?.(...(this.args as never[]));
  }

  /**
   * A subclass's run() in the child: the instance's fields go as a copy, and
   * the child makes an object of the same class (a top-level class of the
   * notebook, so the child has it too) and calls its run().
   */
  private subclassRun(): { target: TargetSpec; args: unknown } {
    const cls = this.constructor;
    if (this.run === Process.prototype.run) throw new ValueError("a Process needs a target, or a subclass that overrides run()");
    if (!IDENT.test(cls.name) || hereLookup()(cls.name) !== cls) {
      throw new ValueError(`${cls.name || "this Process subclass"} must be a class at the top level of a cell to run in another process (the child makes its object from it)`);
    }
    const fields = forProcess({ ...this, target: null }, `the fields of ${cls.name}`);
    return { target: { name: "<lambda>", source: `(fields) => Object.assign(Object.create(${cls.name}.prototype), fields).run()` }, args: [fields] };
  }

  /**
   * Blocks until the process ends, or until `timeout` seconds have passed (omitted or null: no limit). Returns nothing
   * either way: look at exitcode. Raises RuntimeError for a process not yet started.
   */
  join(timeout?: number | null): void {
    if (Atomics.load(this.view, PS.State) === NEW) throw new RuntimeError("can only join a started process");
    waitWhile(this.view, PS.State, STARTED, timeoutMs(timeout), this.id, "join");
  }

  /** True from start() until the process has ended. */
  isAlive(): boolean {
    return Atomics.load(this.view, PS.State) === STARTED;
  }

  /** Stops the process with SIGTERM, as Python's does: its exitcode becomes -15 (join() to wait for it). */
  terminate(): void {
    this.signal("SIGTERM");
  }

  /** Stops the process with SIGKILL: exitcode -9. */
  kill(): void {
    this.signal("SIGKILL");
  }

  private signal(signal: "SIGTERM" | "SIGKILL"): void {
    // the kernel writes the pid as it forks the child, a moment after start() asked it to
    for (;;) {
      if (Atomics.load(this.view, PS.State) !== STARTED) return; // not started, or already over: nothing to stop
      const pid = Atomics.load(this.view, PS.Pid);
      if (pid !== 0) {
        try {
          process.kill(pid, signal);
        } catch {
          // it ended meanwhile
        }
        return;
      }
      Atomics.wait(this.view, PS.Pid, 0, 50);
    }
  }
  /** null until the process has ended; then its exit code, or -N when signal N ended it (-15 terminate(), -9 kill()). */
  get exitcode(): number | null {
    return Atomics.load(this.view, PS.State) === FINISHED ? Atomics.load(this.view, PS.ExitCode) : null;
  }
  /** The child's OS process id: null before start(), and until the kernel has started the child, a moment after. */
  get pid(): number | null {
    const pid = Atomics.load(this.view, PS.Pid);
    return pid === 0 ? null : pid;
  }
  /** True for a daemon, a process the program does not wait for at its end. Set it before start(), else RuntimeError. */
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
  /** @internal */
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

/** How many CPUs this machine has (Python's `cpu_count()`): the default size of a Pool. */
export function cpuCount(): number {
  return cpus().length;
}
