// "threading": Python's Thread on worker threads. A Thread's life is in
// shared memory (state, ident), so any copy of it in any thread can join it
// or ask isAlive(); starting one asks the kernel for a warm worker.
import { inspect } from "node:util";
import { threadId } from "node:worker_threads";
import type { EncodedValues, TargetSpec, ThreadDesc } from "../../protocol/worker";
import { globalSlots, job, rpc, send } from "../core/context";
import { RuntimeError, PyTypeError } from "../core/errors";
import { encode, decode, registerReviver, SHARE, type ClassLookup } from "../core/share";
import { TIMEOUT_MAX, timeoutMs } from "../core/state";
import { FINISHED, G, joiningThread, NEW, P, STARTED, T } from "../../protocol/layout";
import { waitWhile } from "../core/blocking";
import { functionSpec, hereLookup } from "../core/scope";
import { ALL, threadUses } from "../core/uses";
import "./excepthook"; // registers the hook's code with threadCode, before any thread starts
import { threadCode } from "../core/threadCode";
import { chainDelta } from "../core/bindings";
import { Identities } from "../core/identities";

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

/** What `new Thread({ ... })` takes: Python's keyword arguments of `Thread(...)`, as one options object. */
export interface ThreadOptions {
  /** The function the thread calls. Omitted or null: run() does nothing, unless a subclass overrides it. */
  target?: ((...args: never[]) => unknown) | null;
  /** The target's arguments, an array (Python's `args` tuple): plain values are copied, runtime objects shared. */
  args?: unknown[];
  /** Python's `kwargs`: JavaScript has no keyword arguments, so the target gets this object as one last argument. */
  kwargs?: Record<string, unknown>;
  /** The thread's name; by default `Thread-N (target's name)`. */
  name?: string;
  /** True: the program does not wait for this thread at its end. Omitted or null: the creating thread's flag. */
  daemon?: boolean | null;
}

/**
 * A thread of the cell's program (a worker thread of its own). Pass `{ target, args }` (Python's keyword arguments,
 * as an options object), or subclass it and override run(); start() runs it, join() waits for it to end.
 */
export class Thread {
  /** @internal */
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

  /**
   * Starts the thread: run() begins on a thread of its own and start() returns at once. Raises RuntimeError when the
   * thread was already started (or is the main thread), or when the program has as many live threads as it may.
   */
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
    // only the bindings the thread's code can reach are copied into it (runtime/core/uses)
    const cls = this.constructor === Thread ? null : this.constructor;
    const look = hereLookup();
    const also = threadCode();
    const uses = cls && runtimeClassIn(cls) ? ALL : threadUses(spec, cls, [self, args, kwargs], (n) => look(n), also);
    let values = valuesForThreads(uses);
    // instances among those values bring the code of their classes, and what it names
    const more = uses === ALL ? ALL : threadUses(spec, cls, [self, args, kwargs, values], (n) => look(n), also);
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

  /**
   * Blocks until the thread ends, or until `timeout` seconds have passed (omitted or null: no limit). Returns nothing
   * either way: call isAlive() to tell. Raises RuntimeError for a thread not yet started, or for the calling thread.
   */
  join(timeout?: number | null): void {
    const i = this[I];
    if (Atomics.load(i.view, T.State) === NEW) throw new RuntimeError("cannot join thread before it is started");
    if (this.ident === currentThread().ident) throw new RuntimeError("cannot join current thread");
    waitWhile(i.view, T.State, STARTED, timeoutMs(timeout), joiningThread(this.ident ?? 0), "join");
  }

  /** True from start() until run() has ended; false before start() and after the end. */
  isAlive(): boolean {
    return Atomics.load(this[I].view, T.State) === STARTED;
  }

  /** The thread's name, as output and tracebacks show it; it identifies nothing (two threads may share one). */
  get name(): string {
    return this[I].name;
  }
  set name(v: string) {
    this[I].name = String(v);
  }
  /** A number naming the thread, given by start() (each started thread gets a new one); null before start(). */
  get ident(): number | null {
    return Atomics.load(this[I].view, T.State) === NEW ? null : Atomics.load(this[I].view, T.Ident);
  }
  /** The id of the Node worker thread that runs it (Python's OS thread id); null until the thread is running. */
  get nativeId(): number | null {
    const v = Atomics.load(this[I].view, T.NativeId);
    return v === 0 ? null : v;
  }
  /**
   * Whether this is a daemon thread, one the program does not wait for at its end. May be set before start() only:
   * later, setting it raises RuntimeError.
   */
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
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
  /** @internal */
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
/** The function a thread's run() calls (Python's `_target`), null for none. @internal */
export function targetOf(t: Thread): ((...a: unknown[]) => unknown) | null {
  return t[I].target;
}

/** Python's default thread name: Thread-N, and the target's name after it when there is one. @internal */
export function defaultName(target: Function | null): string {
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
const known = new Identities<Thread>();
function remember(t: Thread): Thread {
  return t.ident === null ? t : known.set(t.ident, t);
}

/** This worker's object for the thread desc describes, made (of its class, with its fields, when known) if there is none yet. */
function threadOf(desc: ThreadDesc, self?: { cls: string | null; fields: unknown } | null, lookup?: ClassLookup): Thread {
  const me = job().thread as Thread | null; // null while a new thread is still being set up
  if (me && desc.ident === me.ident) return me;
  const t = known.get(desc.ident);
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

/** The Thread object of the calling thread (Python's `current_thread()`). */
export function currentThread(): Thread {
  return job().thread as Thread;
}

/** The Thread object of the program's main thread, the one that runs the cell; its name is `MainThread`. */
export function mainThread(): Thread {
  return threadOf(job().ctx.main);
}

/** Every thread of the program alive now, the main thread included, as an array of Thread objects. */
export function enumerate(): Thread[] {
  const descs = rpc("enumerate", {});
  return descs.map((d) => threadOf(d));
}

/** How many threads of the program are alive now: the length of enumerate() (Python's `active_count()`). */
export function activeCount(): number {
  return enumerate().length;
}

/** The calling thread's ident (Python's `get_ident()`): the same number as `currentThread().ident`. */
export function getIdent(): number {
  return currentThread().ident ?? 0;
}

/** The id of the Node worker thread running the caller (Python's `get_native_id()`, an OS thread id there). */
export function getNativeId(): number {
  return threadId;
}

export function finished(t: Thread): boolean {
  return Atomics.load(t[I].view, T.State) === FINISHED;
}
