// The host's end of one kernel process: spawns it, speaks the protocol of
// kernel/protocol/messages.ts, and turns everything that can go wrong with a
// process (never starting, dying mid-run, ignoring an interrupt) into a cell
// result, so the cell that was running always ends with a reason. No `vscode`
// here: plain mocha tests drive it against real processes.
import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import {
  isKernelMessage,
  KERNEL_OPTIONS_ENV,
  type CellError,
  type CellResult,
  type HostMessage,
  type KernelOptions,
  type OutputRecord,
} from "../protocol/messages";
import type { Timeline } from "../protocol/timeline";
import {
  interruptedBeforeStart,
  kernelDiedError,
  kernelStartFailedError,
  kernelStoppedError,
  type ExitInfo,
} from "./kernelErrors";

export interface KernelClientOptions {
  /** The bundled kernel program, out/kernel.js. */
  kernelPath: string;
  cwd?: string;
  /** The learner's limits (settings), passed to the kernel process at start. */
  kernelOptions?: KernelOptions;
  /** Where the process's own stdout/stderr and lifecycle notes go, a line at a time. */
  log: (line: string) => void;
  startTimeoutMs?: number;
  /** How long a run may take to end after an interrupt before the process is killed. */
  interruptGraceMs?: number;
  /** How long shutdown waits for the process to leave on its own before killing it. */
  shutdownGraceMs?: number;
}

export interface KernelExit extends ExitInfo {
  /** True when this side asked for it (shutdown, kill); false when the kernel died or gave up. */
  requested: boolean;
}

export interface KernelRun {
  readonly execId: number;
  /** Never rejects: a kernel that fails the run still yields a result that says why. */
  readonly result: Promise<CellResult>;
  /** Asks the kernel to stop this run; a run not yet sent ends at once as interrupted. */
  interrupt(status?: "interrupted" | "timeout"): void;
  /** Once the result is in: the run's timeline, when it was asked for (RunOptions.timeline) or the run deadlocked. */
  timeline(): Timeline | undefined;
}

/** How a cell is run. */
export interface RunOptions {
  /** Adds no definitions (see RunRequest.ephemeral). */
  ephemeral?: boolean;
  /** Sends the run's timeline with its result. */
  timeline?: boolean;
}

interface PendingRun {
  execId: number;
  cellLabel: string;
  source: string;
  ephemeral: boolean;
  timeline: boolean;
  onOutput: (records: OutputRecord[]) => void;
  resolve: (result: CellResult) => void;
  /** The timeline the kernel sent with the result. */
  got?: Timeline;
  startedAt: number;
  sent: boolean;
  interruptSent: boolean;
}

const STDERR_TAIL_LINES = 20;
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+\b/;
/** Lets the last stderr lines (often the reason for a death) arrive after 'exit'. */
const CLOSE_WAIT_MS = 200;

export class KernelClient {
  /** True once the kernel said it is ready; false if it went away first. Never rejects. */
  readonly started: Promise<boolean>;
  /** Settles once the process is gone, whoever ended it. */
  readonly exited: Promise<KernelExit>;

  private readonly child: ChildProcess;
  private readonly log: (line: string) => void;
  private readonly interruptGraceMs: number;
  private readonly shutdownGraceMs: number;
  private state: "starting" | "ready" | "gone" = "starting";
  private current: PendingRun | undefined;
  private nextExecId = 1;
  private readonly stderrTail: string[] = [];
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private requested = false;
  /** Set when the host killed the process because an interrupt was ignored. */
  private interruptKilled = false;
  private startFailure: string | undefined;
  private shutdownError: CellError | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly exitListeners = new Set<(exit: KernelExit) => void>();
  private settleStarted!: (ok: boolean) => void;
  /** True once the host killed the process because a run did not end after its interrupt. */
  get killedAfterInterrupt(): boolean {
    return this.interruptKilled;
  }
  private settleExited!: (exit: KernelExit) => void;

  constructor(options: KernelClientOptions) {
    // A log that throws (say, a disposed channel) must not break the process's event handlers.
    this.log = (line) => {
      try {
        options.log(line);
      } catch {
        /* nowhere left to report it */
      }
    };
    this.interruptGraceMs = options.interruptGraceMs ?? 5000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 1000;
    this.started = new Promise((resolve) => (this.settleStarted = resolve));
    this.exited = new Promise((resolve) => (this.settleExited = resolve));

    this.child = fork(options.kernelPath, [], {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: ["--max-old-space-size=4096"],
      env: { ...process.env, [KERNEL_OPTIONS_ENV]: JSON.stringify(options.kernelOptions ?? {}) },
      serialization: "advanced",
    });
    const tag = `kernel ${this.child.pid ?? "?"}`;
    // Both pipes must be drained, or a chatty kernel blocks on a full pipe.
    if (this.child.stdout) createInterface({ input: this.child.stdout }).on("line", (l) => this.log(`[${tag}] ${l}`));
    if (this.child.stderr) {
      createInterface({ input: this.child.stderr }).on("line", (l) => {
        this.log(`[${tag} stderr] ${l}`);
        // A crash's native stack (V8 prints ~20 frames after "heap out of
        // memory") would push the reason out of the tail; the log keeps it all.
        if (NATIVE_FRAME.test(l)) return;
        this.stderrTail.push(l);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      });
    }
    this.child.on("message", (m) => this.onMessage(m));
    this.child.on("error", (error) => {
      this.log(`[${tag}] process error: ${error.message}`);
      if (this.child.pid === undefined) {
        this.startFailure ??= error.message;
        this.gone();
      }
    });
    this.child.on("exit", (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      this.after(CLOSE_WAIT_MS, () => this.gone());
    });
    this.child.on("close", () => this.gone());

    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.after(startTimeoutMs, () => {
      if (this.state !== "starting") return;
      this.startFailure = `it did not report ready within ${startTimeoutMs / 1000} s`;
      this.child.kill("SIGKILL");
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.state !== "gone";
  }

  /** Called once, when the process is gone, before the running cell's result settles. */
  onExit(listener: (exit: KernelExit) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /**
   * One run at a time: the caller's queue guarantees it. Sent as soon as the
   * kernel is ready. An `ephemeral` run adds no definitions (see RunRequest).
   */
  run(cellLabel: string, source: string, onOutput: (records: OutputRecord[]) => void, options: RunOptions = {}): KernelRun {
    const { ephemeral = false, timeline = false } = options;
    if (this.current) throw new Error(`kernel ${this.pid} is already running exec ${this.current.execId}`);
    const execId = this.nextExecId++;
    let resolve!: (result: CellResult) => void;
    const result = new Promise<CellResult>((r) => (resolve = r));
    const run: PendingRun = {
      execId, cellLabel, source, ephemeral, timeline, onOutput, resolve,
      startedAt: Date.now(), sent: false, interruptSent: false,
    };
    this.current = run;
    if (this.state === "ready") this.send(run);
    else if (this.state === "gone") this.finish(run, this.failure(this.exitInfo()));
    return { execId, result, interrupt: (status) => this.interrupt(run, status), timeline: () => run.got };
  }

  /**
   * Asks the kernel to leave, kills it if it has not left within the grace
   * period, and ends a running cell at once with `runError`.
   */
  shutdown(runError?: CellError): Promise<KernelExit> {
    if (this.state !== "gone" && !this.requested) {
      this.requested = true;
      this.shutdownError = runError;
      if (this.current) this.finish(this.current, this.failure(this.exitInfo()));
      this.post({ type: "shutdown" });
      this.after(this.shutdownGraceMs, () => this.child.kill("SIGKILL"));
    }
    return this.exited;
  }

  private onMessage(message: unknown): void {
    if (!isKernelMessage(message)) {
      this.log(`[kernel ${this.pid}] ignored a message that is not part of the protocol: ${messageOf(message)}`);
      return;
    }
    const run = this.current;
    switch (message.type) {
      case "ready":
        if (this.state !== "starting") return;
        this.state = "ready";
        this.log(`[kernel ${this.pid}] ready`);
        this.settleStarted(true);
        if (run && !run.sent) this.send(run);
        return;
      case "output":
        if (run?.execId !== message.execId) return; // late output of a run that already ended
        try {
          run.onOutput(message.records);
        } catch (error) {
          this.log(`[kernel ${this.pid}] output handler failed: ${messageOf(error)}`);
        }
        return;
      case "done":
        if (run?.execId !== message.execId) return;
        run.got = message.timeline;
        this.finish(run, message.result);
        return;
      case "timeline": {
        const asked = this.timelineAsks.get(message.execId);
        this.timelineAsks.delete(message.execId);
        for (const resolve of asked ?? []) resolve(message.timeline);
        return;
      }
      case "fatal":
        this.log(`[kernel ${this.pid}] fatal: ${message.error.name}: ${message.error.message}`);
        if (run) this.finish(run, { status: "error", durationMs: Date.now() - run.startedAt, error: withNextRunNote(message.error) });
        // The kernel cannot go on. Its exit is not `requested`, so it counts as
        // a death and the cells queued behind it do not run.
        this.post({ type: "shutdown" });
        this.after(this.shutdownGraceMs, () => this.child.kill("SIGKILL"));
        return;
    }
  }

  private send(run: PendingRun): void {
    run.sent = true;
    this.post({
      type: "run", execId: run.execId, cellLabel: run.cellLabel, source: run.source,
      ...(run.ephemeral ? { ephemeral: true } : {}), ...(run.timeline ? { timeline: true } : {}),
    });
  }

  private interrupt(run: PendingRun, status: "interrupted" | "timeout" = "interrupted"): void {
    if (this.current !== run) return;
    if (!run.sent) {
      this.finish(run, interruptedBeforeStart(Date.now() - run.startedAt));
      return;
    }
    if (run.interruptSent) return;
    run.interruptSent = true;
    this.post({ type: "interrupt", execId: run.execId, ...(status === "timeout" ? { status } : {}) });
    // The kernel promises to end a run within a second of an interrupt; one
    // that does not is wedged, and only killing it gives the user control back.
    this.after(this.interruptGraceMs, () => {
      if (this.current !== run || this.state === "gone") return;
      this.log(`[kernel ${this.pid}] did not end exec ${run.execId} within ${this.interruptGraceMs} ms of the interrupt; killing it`);
      this.interruptKilled = true;
      this.child.kill("SIGKILL");
    });
  }

  private readonly timelineAsks = new Map<number, Array<(t: Timeline | null) => void>>();

  /** An earlier run's timeline, from the kernel (which keeps the last few); null when it has it no longer, or is gone. */
  timelineOf(execId: number): Promise<Timeline | null> {
    if (this.state !== "ready") return Promise.resolve(null);
    return new Promise((resolve) => {
      const asks = this.timelineAsks.get(execId);
      if (asks) asks.push(resolve);
      else {
        this.timelineAsks.set(execId, [resolve]);
        this.post({ type: "timeline", execId });
      }
    });
  }

  private finish(run: PendingRun, result: CellResult): void {
    if (this.current !== run) return;
    this.current = undefined;
    run.resolve(result);
  }

  private post(message: HostMessage): void {
    if (!this.child.connected) return;
    this.child.send(message, (error) => {
      if (error) this.log(`[kernel ${this.pid}] could not send ${message.type}: ${error.message}`);
    });
  }

  private gone(): void {
    if (this.state === "gone") return;
    const wasStarting = this.state === "starting";
    this.state = "gone";
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (wasStarting) this.startFailure ??= "it exited before it was ready";
    const exit: KernelExit = { ...this.exitInfo(), requested: this.requested };
    this.log(`[kernel ${this.pid}] gone: code ${exit.code}, signal ${exit.signal}${exit.requested ? " (asked to stop)" : ""}`);
    this.settleStarted(false);
    // Listeners run first so the owner can drop queued cells before the running cell's result lets the queue move on.
    for (const listener of [...this.exitListeners]) {
      try {
        listener(exit);
      } catch (error) {
        this.log(`[kernel ${this.pid}] exit listener failed: ${messageOf(error)}`);
      }
    }
    if (this.current) this.finish(this.current, this.failure(exit));
    this.settleExited(exit);
  }

  private exitInfo(): ExitInfo {
    return { code: this.exitCode, signal: this.exitSignal, stderrTail: [...this.stderrTail] };
  }

  /** The result of a run that the process can no longer finish. */
  private failure(exit: ExitInfo): CellResult {
    const durationMs = this.current ? Date.now() - this.current.startedAt : 0;
    if (this.requested) return { status: "error", durationMs, error: this.shutdownError ?? kernelStoppedError };
    if (this.startFailure !== undefined) return { status: "error", durationMs, error: kernelStartFailedError(exit, this.startFailure) };
    const why = this.interruptKilled ? `it did not stop within ${this.interruptGraceMs / 1000} s of the interrupt` : undefined;
    return { status: "error", durationMs, error: kernelDiedError(exit, why) };
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

function withNextRunNote(error: CellError): CellError {
  return { ...error, message: `${error.message} The kernel was stopped; the next run starts a new kernel.` };
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
