// "threading": Python's Thread on worker threads. A Thread's life is in
// shared memory (state, ident), so any copy of it in any thread can join it
// or ask isAlive(); starting one asks the kernel for a warm worker.
import { inspect } from "node:util";
import { threadId } from "node:worker_threads";
import type { EncodedValues, TargetSpec, ThreadDesc } from "../protocol/worker";
import { globalSlots, job, rpc, send } from "./context";
import { RuntimeError, PyTypeError } from "./errors";
import { encode, decode, registerReviver, SHARE, type ClassLookup } from "./share";
import { TIMEOUT_MAX, timeoutMs } from "./state";
import { FINISHED, G, joiningThread, NEW, P, STARTED, T } from "../protocol/layout";
import { wait } from "./blocking";
import { functionSpec, hereLookup } from "./scope";
import { ALL, threadUses } from "./uses";
import { chainDelta } from "./bindings";
import { Event } from "./event";

export { TIMEOUT_MAX };
export { excepthook, setExcepthook, resetHook, reportThreadException, type ExceptHookArgs } from "./excepthook";

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
    const state = new SharedArrayBuffer(T.Size * 4);
    Object.defineProperty(this, I, {
      value: {
        name: name ? String(name) : defaultName(target),
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
    takeThreadSlot(j.programSlots);
    const ident = Atomics.add(globalSlots, G.Ident, 1) + 1;
    Atomics.store(i.view, T.Ident, ident);
    Atomics.store(i.view, T.State, STARTED);
    remember(this);
    if (!i.daemon) Atomics.add(j.programSlots, P.Live, 1);
    const self = selfOf(this);
    const args = encode(i.args) as unknown[];
    const kwargs = encode(i.kwargs);
    // only the bindings the thread's code can reach are copied into it (runtime/uses)
    const cls = this.constructor === Thread ? null : this.constructor;
    const look = hereLookup();
    const uses = cls && runtimeClassIn(cls) ? ALL : threadUses(spec, cls, [self, args, kwargs], (n) => look(n));
    let values = valuesForThreads(uses);
    // instances among those values bring the code of their classes, and what it names
    const more = uses === ALL ? ALL : threadUses(spec, cls, [self, args, kwargs, values], (n) => look(n));
    if (more === ALL || more.size > uses!.size) values = valuesForThreads(more);
    send({
      type: "start",
      programId: j.ctx.programId,
      thread: descOf(this),
      self,
      target: spec,
      args,
      kwargs,
      values,
      chainValues: chainDelta(more),
      uses: more === ALL ? null : [...more],
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
    const cls = this[I].isMain ? "_MainThread" : this.constructor.name;
    return `<${cls}(${this[I].name}, ${status}${daemon}${ident})>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
  [SHARE]() {
    return { kind: "Thread", data: { ...descOf(this), self: selfOf(this) } };
  }
}

/**
 * Counts the new thread among the program's live ones, or raises at once, in the starting thread, as
 * CPython's "can't start new thread" does: a storm of start() calls meets the cap, not the machine's memory.
 */
function takeThreadSlot(slots: Int32Array): void {
  const max = Atomics.load(slots, P.MaxThreads);
  const live = Atomics.add(slots, P.Threads, 1);
  if (max > 0 && live >= max) {
    Atomics.sub(slots, P.Threads, 1);
    throw new RuntimeError(`can't start new thread: ${live} threads are live, the limit (concnb.maxThreads / --max-threads) is ${max}`);
  }
}

/** Threads whose fields are being encoded now: a thread met again inside them travels without its fields. */
const encoding = new Set<Thread>();

/** A thread's class and fields, so that another thread rebuilds it as the same kind of object (a Timer it can cancel). */
function selfOf(t: Thread): { cls: string | null; fields: unknown } | null {
  if (encoding.has(t)) return null;
  encoding.add(t);
  try {
    return { cls: t.constructor === Thread ? null : t.constructor.name, fields: encode({ ...t }) };
  } finally {
    encoding.delete(t);
  }
}

/** Python names a thread after its target; an inline arrow (which JS names after the `target` key) is a lambda. */
function functionName(f: Function): string {
  return f.name && f.name !== "target" ? f.name : "<lambda>";
}

/** `Thread-N (target)`; only unnamed threads take a number, as in Python. */
function defaultName(target: Function | null): string {
  const n = Atomics.add(job().programSlots, P.ThreadNames, 1) + 1;
  return `Thread-${n}${target ? ` (${functionName(target)})` : ""}`;
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

/**
 * Thread objects this worker already has, by ident: a thread that comes back here (from
 * enumerate(), through args, in a queue) is the same object, as Python's are.
 */
const known = new Map<number, WeakRef<Thread>>();
let sweepAt = 1024;
function remember(t: Thread): Thread {
  const ident = t.ident;
  if (ident === null) return t;
  // a program may start threads by the hundred thousand: now and then, forget the ones nobody holds
  if (known.size >= sweepAt) {
    for (const [k, ref] of known) if (!ref.deref()) known.delete(k);
    sweepAt = Math.max(1024, known.size * 2);
  }
  known.set(ident, new WeakRef(t));
  return t;
}

/** This worker's object for the thread desc describes, made (of its class, with its fields, when known) if there is none yet. */
function threadOf(desc: ThreadDesc, self?: { cls: string | null; fields: unknown } | null, lookup?: ClassLookup): Thread {
  const me = job().thread as Thread | null; // null while a new thread is still being set up
  if (me && desc.ident === me.ident) return me;
  const t = known.get(desc.ident)?.deref();
  if (t) return t;
  if (!self || !lookup) return remember(threadFromDesc(desc));
  const found = self.cls ? (lookup(self.cls) ?? runtimeThreadClasses[self.cls]) : Thread;
  // a subclass not defined here yet (or not at top level) still gives a working Thread
  const cls = typeof found === "function" && (found === Thread || found.prototype instanceof Thread) ? found : Thread;
  return remember(threadFromDesc(desc, cls, decode(self.fields, lookup) as object));
}

registerReviver("Thread", (data, lookup) => {
  const { self, ...desc } = data as ThreadDesc & { self?: { cls: string | null; fields: unknown } | null };
  return threadOf(desc, self, lookup);
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
  const t = threadFromDesc(desc, cls, decode(self.fields, lookup) as object);
  Object.assign(t[I], { target, args, kwargs });
  Atomics.store(t[I].view, T.NativeId, threadId);
  return remember(t);
}

/** Thread subclasses of the runtime itself, found even when a cell did not import them by name. */
const runtimeThreadClasses: Record<string, Function> = {};
export function registerThreadClass(cls: Function): void {
  runtimeThreadClasses[cls.name] = cls;
}

/**
 * Timer: a thread that calls its function after `interval` seconds, unless
 * cancel() comes first. Its `finished` Event is shared, so cancel() works
 * from any thread.
 */
export class Timer extends Thread {
  interval: number;
  finished: Event;
  args: unknown[];
  kwargs: Record<string, unknown>;
  constructor(interval: number, fn: (...args: never[]) => unknown, args?: unknown[] | null, kwargs?: Record<string, unknown> | null) {
    timeoutMs(interval);
    if (typeof fn !== "function") throw new PyTypeError("Timer() takes a function to call");
    // Python's Timer is a Thread without a target: its name is plain Thread-N
    super({ name: defaultName(null) });
    this[I].target = fn as Internal["target"];
    this.interval = interval;
    this.finished = new Event();
    this.args = args ?? [];
    this.kwargs = kwargs ?? {};
  }
  /** The function the timer calls (a property of its own would not survive the trip to its thread). */
  get function(): ((...args: unknown[]) => unknown) | null {
    return this[I].target;
  }
  cancel(): void {
    this.finished.set();
  }
  override run(): unknown {
    this.finished.wait(this.interval);
    let r: unknown;
    if (!this.finished.isSet() && this.function) {
      // **kwargs with no keys passes nothing, as in Python
      const kw = this.kwargs && Object.keys(this.kwargs).length > 0 ? [this.kwargs] : [];
      r = this.function(...(this.args ?? []), ...kw);
    }
    this.finished.set();
    return r;
  }
}
runtimeThreadClasses.Timer = Timer;

let valuesForThreads: (uses: ReadonlySet<string> | typeof ALL) => EncodedValues = () => ({});
/** The calling thread's view of the running cell's bindings (those in `uses`, or all), as a new thread (or process) gets it. */
export function currentValues(uses: ReadonlySet<string> | typeof ALL = ALL): EncodedValues {
  return valuesForThreads(uses);
}
export function setValuesForThreads(f: (uses: ReadonlySet<string> | typeof ALL) => EncodedValues): void {
  valuesForThreads = f;
}

/** A runtime Thread subclass (Timer, an executor's workers) runs code sent to it later: it cannot be read ahead. */
function runtimeClassIn(cls: Function): boolean {
  for (let c: unknown = cls; typeof c === "function" && c !== Thread; c = Object.getPrototypeOf(c)) {
    if (Object.values(runtimeThreadClasses).includes(c)) return true;
  }
  return false;
}

export function currentThread(): Thread {
  return job().thread as Thread;
}

export function mainThread(): Thread {
  return threadOf(job().ctx.main);
}

export function enumerate(): Thread[] {
  const descs = rpc("enumerate", {});
  return descs.map((d) => threadOf(d));
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

export function finished(t: Thread): boolean {
  return Atomics.load(t[I].view, T.State) === FINISHED;
}
