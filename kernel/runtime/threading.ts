// "threading": Python's Thread on worker threads. A Thread's life is in
// shared memory (state, ident), so any copy of it in any thread can join it
// or ask isAlive(); starting one asks the kernel for a warm worker.
import { inspect } from "node:util";
import { threadId } from "node:worker_threads";
import type { EncodedValues, TargetSpec, ThreadDesc } from "../protocol/worker";
import { globalSlots, job, rpc, send } from "./context";
import { RuntimeError, PyTypeError } from "./errors";
import { encode, decode, registerReviver, SHARE, type ClassLookup } from "./share";
import { FINISHED, G, NEW, P, STARTED, T, TIMEOUT_MAX, timeoutMs } from "./state";
import { joiningThread, wait } from "./blocking";
import { write } from "./capture";
import { formatTraceback } from "./traceback";
import { functionSpec, resolveFunction } from "./scope";
import { Event } from "./event";

export { TIMEOUT_MAX };

const I = Symbol("concnb.thread");

interface Internal {
  name: string;
  daemon: boolean;
  view: Int32Array;
  isMain: boolean;
  target: ((...a: unknown[]) => unknown) | null;
  args: unknown[];
  kwargs: unknown;
}

export interface ThreadOptions {
  target?: ((...args: never[]) => unknown) | null;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  name?: string;
  daemon?: boolean | null;
}

export class Thread {
  declare [I]: Internal;

  constructor(options: ThreadOptions = {}) {
    const { target = null, args = [], kwargs, name, daemon } = options ?? {};
    if (target !== null && typeof target !== "function") throw new PyTypeError("target must be a function");
    if (!Array.isArray(args)) throw new PyTypeError("args must be an array");
    const n = Atomics.add(job().programSlots, P.ThreadNames, 1) + 1;
    const state = new SharedArrayBuffer(T.Size * 4);
    Object.defineProperty(this, I, {
      value: {
        name: name !== undefined ? String(name) : `Thread-${n}${target ? ` (${functionName(target)})` : ""}`,
        daemon: daemon ?? currentThread().daemon,
        view: new Int32Array(state),
        isMain: false,
        target: target as Internal["target"],
        args,
        kwargs,
      } satisfies Internal,
    });
  }

  /** What the thread does; subclasses override it. Calls the target with args (and kwargs, as a last argument). */
  run(): unknown {
    const { target, args, kwargs } = this[I];
    if (target) return kwargs === undefined ? target(...args) : target(...args, kwargs);
    return undefined;
  }

  start(): void {
    const i = this[I];
    if (i.isMain || Atomics.load(i.view, T.State) !== NEW) throw new RuntimeError("threads can only be started once");
    const j = job();
    const spec = targetSpec(i.target);
    const ident = Atomics.add(globalSlots, G.Ident, 1) + 1;
    Atomics.store(i.view, T.Ident, ident);
    Atomics.store(i.view, T.State, STARTED);
    if (!i.daemon) Atomics.add(j.programSlots, P.Live, 1);
    send({
      type: "start",
      programId: j.ctx.programId,
      thread: descOf(this),
      self: { cls: this.constructor === Thread ? null : this.constructor.name, fields: encode({ ...this }) },
      target: spec,
      args: encode(i.args) as unknown[],
      kwargs: encode(i.kwargs),
      values: valuesForThreads(),
      excepthook: hookForThreads(),
    });
  }

  join(timeout?: number | null): void {
    const i = this[I];
    if (Atomics.load(i.view, T.State) === NEW) throw new RuntimeError("cannot join thread before it is started");
    if (this.ident === currentThread().ident) throw new RuntimeError("cannot join current thread");
    const ms = timeoutMs(timeout);
    const deadline = performance.now() + ms;
    while (Atomics.load(i.view, T.State) === STARTED) {
      const left = ms === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return;
      wait(i.view, T.State, STARTED, left, joiningThread(this.ident ?? 0), "join");
    }
  }

  isAlive(): boolean {
    return Atomics.load(this[I].view, T.State) === STARTED;
  }

  get name(): string {
    return this[I].name;
  }
  set name(v: string) {
    this[I].name = String(v);
  }
  get ident(): number | null {
    return Atomics.load(this[I].view, T.State) === NEW ? null : Atomics.load(this[I].view, T.Ident);
  }
  get nativeId(): number | null {
    const v = Atomics.load(this[I].view, T.NativeId);
    return v === 0 ? null : v;
  }
  get daemon(): boolean {
    return this[I].daemon;
  }
  set daemon(v: boolean) {
    if (Atomics.load(this[I].view, T.State) !== NEW) throw new RuntimeError("cannot set daemon status of active thread");
    this[I].daemon = Boolean(v);
  }

  toString(): string {
    const s = Atomics.load(this[I].view, T.State);
    const status = s === NEW ? "initial" : s === STARTED ? "started" : "stopped";
    const daemon = this[I].daemon ? " daemon" : "";
    const ident = s === NEW ? "" : ` ${this.ident}`;
    return `<${this.constructor.name}(${this[I].name}, ${status}${daemon}${ident})>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
  [SHARE]() {
    return { kind: "Thread", data: descOf(this) };
  }
}

/** Python names a thread after its target; an inline arrow (which JS names after the `target` key) is a lambda. */
function functionName(f: Function): string {
  return f.name && f.name !== "target" ? f.name : "<lambda>";
}

function targetSpec(target: Internal["target"]): TargetSpec | null {
  return target ? functionSpec(target, "the target") : null;
}

export function descOf(t: Thread): ThreadDesc {
  const i = t[I];
  return { ident: t.ident ?? 0, name: i.name, daemon: i.daemon, state: i.view.buffer as SharedArrayBuffer, isMain: i.isMain };
}

/** A Thread object for a thread described by desc, optionally of a subclass found in the notebook. */
export function threadFromDesc(desc: ThreadDesc, cls?: Function | null, fields?: object): Thread {
  const t = Object.create((cls ?? Thread).prototype) as Thread;
  if (fields) Object.assign(t, fields);
  Object.defineProperty(t, I, {
    value: {
      name: desc.name,
      daemon: desc.daemon,
      view: new Int32Array(desc.state),
      isMain: desc.isMain,
      target: null,
      args: [],
      kwargs: undefined,
    } satisfies Internal,
  });
  return t;
}

registerReviver("Thread", (data) => {
  const desc = data as ThreadDesc;
  const me = job().thread as Thread | null; // null while a new thread is still being set up
  return me && desc.ident === me.ident ? me : threadFromDesc(desc);
});

/** The thread object a new thread runs as: the starter's object, rebuilt here with its class and fields. */
export function reviveSelf(
  desc: ThreadDesc,
  self: { cls: string | null; fields: unknown },
  lookup: ClassLookup,
  target: Internal["target"],
  args: unknown[],
  kwargs: unknown,
): Thread {
  const cls = self.cls ? (lookup(self.cls) ?? runtimeThreadClasses[self.cls]) : Thread;
  if (self.cls && !cls) throw new PyTypeError(`class ${self.cls} is not defined at the top level of the notebook`);
  const t = threadFromDesc(desc, cls as Function, decode(self.fields, lookup) as object);
  Object.assign(t[I], { target, args, kwargs });
  Atomics.store(t[I].view, T.NativeId, threadId);
  return t;
}

/** Thread subclasses of the runtime itself, found even when a cell did not import them by name. */
const runtimeThreadClasses: Record<string, Function> = {};

/**
 * Timer: a thread that calls its function after `interval` seconds, unless
 * cancel() comes first. Its `finished` Event is shared, so cancel() works
 * from any thread.
 */
export class Timer extends Thread {
  interval: number;
  finished: Event;
  constructor(interval: number, fn: (...args: never[]) => unknown, args: unknown[] = [], kwargs?: Record<string, unknown>) {
    timeoutMs(interval);
    super({ target: fn, args, kwargs });
    this.interval = interval;
    this.finished = new Event();
  }
  cancel(): void {
    this.finished.set();
  }
  override run(): unknown {
    this.finished.wait(this.interval);
    const r = this.finished.isSet() ? undefined : super.run();
    this.finished.set();
    return r;
  }
}
runtimeThreadClasses.Timer = Timer;

let valuesForThreads: () => EncodedValues = () => ({});
export function setValuesForThreads(f: () => EncodedValues): void {
  valuesForThreads = f;
}

export function currentThread(): Thread {
  return job().thread as Thread;
}

export function mainThread(): Thread {
  const main = job().ctx.main;
  return main.ident === currentThread().ident ? currentThread() : threadFromDesc(main);
}

export function enumerate(): Thread[] {
  const descs = rpc({ type: "rpc", op: "enumerate", programId: job().ctx.programId }) as ThreadDesc[];
  const me = currentThread();
  return descs.map((d) => (d.ident === me.ident ? me : threadFromDesc(d)));
}

export function activeCount(): number {
  return enumerate().length;
}

export function getIdent(): number {
  return currentThread().ident ?? 0;
}

export function getNativeId(): number {
  return threadId;
}

export interface ExceptHookArgs {
  excType: string;
  excValue: unknown;
  excTraceback: string;
  thread: Thread | null;
}

/** Python's default hook: "Exception in thread NAME:" and a traceback, on that thread's stderr. */
export function excepthook(args: ExceptHookArgs): void {
  write("stderr", `Exception in thread ${args.thread?.name ?? "<unknown>"}:\n${args.excTraceback}`);
}

let hook: (args: ExceptHookArgs) => void = excepthook;
let hookSpec: TargetSpec | null = null;
/** Sets the hook of this thread and of the threads it starts from now on (Python's hook is one for the process). */
export function setExcepthook(h: ((args: ExceptHookArgs) => void) | null): void {
  if (h === null) {
    hook = excepthook;
    hookSpec = null;
    return;
  }
  if (typeof h !== "function") throw new PyTypeError("excepthook must be a function");
  hookSpec = h === excepthook ? null : functionSpec(h, "the excepthook");
  hook = h;
}

/** What a new thread needs to run the hook this thread has. */
export function hookForThreads(): TargetSpec | null {
  return hookSpec;
}

/** In a new thread: the hook of the thread that started it. */
export function useHook(spec: TargetSpec | null): void {
  hookSpec = spec;
  hook = excepthook;
  if (spec) {
    try {
      hook = resolveFunction(spec) as typeof hook;
    } catch (e) {
      write("stderr", `Exception in threading.excepthook (it could not be made in this thread):\n${formatTraceback(e)}`);
    }
  }
}

/** Runs the hook for an exception that escaped a thread's run(); a failing hook falls back to the default. */
export function reportThreadException(err: unknown, thread: Thread): void {
  const args: ExceptHookArgs = {
    excType: (err as Error)?.name ?? typeof err,
    excValue: err,
    excTraceback: formatTraceback(err),
    thread,
  };
  try {
    hook(args);
  } catch (hookErr) {
    write("stderr", `Exception in threading.excepthook:\n${formatTraceback(hookErr)}`);
    excepthook(args);
  }
}

export function finished(t: Thread): boolean {
  return Atomics.load(t[I].view, T.State) === FINISHED;
}
