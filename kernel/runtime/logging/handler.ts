// Python's Handler, over the shared configuration. A handler added to a
// logger (or sent to another thread) is registered in the configuration
// document: its class's names, its own fields as they were then, and its
// level, name, formatter and lock. Every other thread that meets it (in a
// logger's handlers, through args) makes its own object of that class from
// the entry, once, and reads level, name and formatter from the document on
// each use, so setLevel() or setFormatter() in one thread holds in all. A
// notebook subclass overriding emit() runs in every thread; its own fields are
// that thread's copy (Python's one object becomes one copy per thread).
import { closeSync } from "node:fs";
import { inspect } from "node:util";
import { RLock } from "../threading/locks";
import { write } from "../core/capture";
import { define } from "../core/errors";
import { registerReviver, SHARE } from "../core/share";
import { hereLookup } from "../core/scope";
import { formatTraceback, framesOf } from "../core/traceback";
import { current, exists, mutate, newId, onProgramChange, type ClassSpec, type Doc, type HandlerSpec } from "./config";
import { addThreadCode } from "../core/threadCode";
import { checkLevel, getLevelName, NOTSET, type Level } from "./levels";
import { defaultFormatter, Formatter } from "./formatter";
import type { LogRecord } from "./record";
import { repr } from "./percent";

/** Python's NotImplementedError: a Handler subclass that does not override emit(). */
export const NotImplementedError = define("NotImplementedError");

const I = Symbol("concnb.logging.handler");

interface Internal {
  id: number;
  /** Whether the configuration holds this handler: then level, name and formatter are read from it. */
  registered: boolean;
  level: number;
  name: string | null;
  formatter: Formatter | null;
  /** Which setFormatter() of the entry `formatter` is: a formatter is made again only when another thread set a new one. */
  formatterSeq: number;
  lock: RLock | null;
  /** This thread's open file, for a FileHandler. */
  fd: number | null;
}

/** Runtime classes by name: a handler or formatter made again in another thread finds its class even where the cell did not import it. */
const runtimeClasses = new Map<string, Function>();
/** Registers a runtime class of handler or formatter under its name. @internal */
export function registerClass(cls: Function): void {
  runtimeClasses.set(cls.name, cls);
}

/** An instance as data: its class and bases by name, and its own fields. @internal */
export function classSpec(obj: object): ClassSpec {
  const chain: string[] = [];
  for (let p = Object.getPrototypeOf(obj) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    chain.push((p.constructor as { name?: string }).name ?? "");
  }
  return { chain, fields: { ...obj } };
}

/** The instance again, of the first of its classes this thread knows (the runtime's, then the notebook's). @internal */
export function rebuild<T>(spec: ClassSpec, fallback: Function): T {
  const look = hereLookup();
  let cls: Function | undefined;
  for (const name of spec.chain) {
    cls = runtimeClasses.get(name) ?? look(name);
    if (typeof cls === "function") break;
  }
  const obj = Object.create(((cls ?? fallback) as { prototype: object }).prototype) as T;
  Object.assign(obj as object, spec.fields);
  return obj;
}

/**
 * The source of the notebook's handler and formatter classes in the configuration: a new thread may log, and so
 * run their emit() or format(), so the bindings they name are copied into it as those its target names are.
 */
let code: { doc: Doc; sources: string[] } | null = null;
addThreadCode(() => {
  if (!exists()) return [];
  const doc = current();
  if (code?.doc === doc) return code.sources;
  const look = hereLookup();
  const sources = new Set<string>();
  const add = (spec: ClassSpec | null) => {
    for (const name of spec?.chain ?? []) {
      if (runtimeClasses.has(name)) break;
      const cls = look(name);
      if (typeof cls === "function") sources.add(Function.prototype.toString.call(cls));
    }
  };
  for (const spec of doc.handlers.values()) {
    add(spec);
    add(spec.formatter);
  }
  code = { doc, sources: [...sources] };
  return code.sources;
});

/** This thread's object for each handler of the configuration, by id. */
const local = new Map<number, Handler>();

onProgramChange(() => {
  // a new program's notebook classes are other classes: its handlers are made again, from the configuration
  for (const h of local.values()) closeFile(h);
  local.clear();
});

/** This thread's object for the configuration's handler `id`, made from its entry if there is none yet. @internal */
export function handlerById(id: number): Handler | null {
  const mine = local.get(id);
  if (mine) return mine;
  const spec = current().handlers.get(id);
  if (!spec) return null;
  const h = rebuild<Handler>(spec, Handler);
  Object.defineProperty(h, I, {
    value: { id, registered: true, level: spec.level, name: spec.name, formatter: null, formatterSeq: -1, lock: spec.lock as RLock, fd: null } satisfies Internal,
  });
  local.set(id, h);
  return h;
}

registerReviver("logging.Handler", (data) => handlerById((data as { id: number }).id) ?? new NullHandler());

/** The handler's entry in the configuration, made now if it has none: from here on every thread sees the same one. @internal */
export function register(h: Handler): number {
  const i = h[I];
  if (!i.registered) {
    mutate((doc) => {
      doc.handlers.set(i.id, { ...classSpec(h), level: i.level, name: i.name, formatter: i.formatter && classSpec(i.formatter), lock: i.lock, formatterSeq: 0 } satisfies HandlerSpec);
    });
    i.registered = true;
    i.formatterSeq = 0;
    local.set(i.id, h);
  }
  return i.id;
}

/** The handler's state now: this thread's, brought up to date with the configuration when it is registered. */
function state(h: Handler): Internal {
  const i = h[I];
  if (!i.registered) return i;
  const spec = current().handlers.get(i.id);
  if (!spec) return i;
  i.level = spec.level;
  i.name = spec.name;
  if (spec.formatterSeq !== i.formatterSeq) {
    i.formatter = spec.formatter ? rebuild<Formatter>(spec.formatter, Formatter) : null;
    i.formatterSeq = spec.formatterSeq;
  }
  return i;
}

/** Changes the handler's entry, when it has one, for every thread. */
function update(h: Handler, change: (spec: HandlerSpec) => void): void {
  const i = h[I];
  if (!i.registered) return;
  mutate((doc) => {
    const spec = doc.handlers.get(i.id);
    if (spec) change(spec);
  });
}

/**
 * Python's logging.Handler: where records go. Subclass it and override emit(record) (call this.format(record) for
 * the line). Added to a logger, it is used by every thread; each thread has its own copy of its fields.
 */
export class Handler {
  /** @internal */
  declare [I]: Internal;

  constructor(level: Level = NOTSET) {
    Object.defineProperty(this, I, {
      value: { id: newId(), registered: false, level: checkLevel(level), name: null, formatter: null, formatterSeq: 0, lock: null, fd: null } satisfies Internal,
    });
    this.createLock();
  }

  /** Python's createLock(): the handler's lock, one for every thread's copy. NullHandler has none. */
  createLock(): void {
    this[I].lock = new RLock();
  }

  /** The handler's level: records below it are not emitted. */
  get level(): number {
    return state(this).level;
  }
  /** Sets the handler's level (a number or a name such as "INFO"), for every thread. Unknown names: ValueError. */
  setLevel(level: Level): void {
    const n = checkLevel(level);
    this[I].level = n;
    update(this, (s) => (s.level = n));
  }

  /** The handler's name (null by default). */
  get name(): string | null {
    return state(this).name;
  }
  set name(v: string | null) {
    const name = v === null || v === undefined ? null : String(v);
    this[I].name = name;
    update(this, (s) => (s.name = name));
  }
  /** Python's get_name(). */
  getName(): string | null {
    return this.name;
  }
  /** Python's set_name(). */
  setName(name: string | null): void {
    this.name = name;
  }

  /** The handler's formatter, null until setFormatter() (format() then uses Python's default, "%(message)s"). */
  get formatter(): Formatter | null {
    return state(this).formatter;
  }
  /** Sets the formatter, for every thread (each gets a copy of it, as it is now). */
  setFormatter(fmt: Formatter | null): void {
    const i = state(this);
    i.formatter = fmt ?? null;
    const spec = fmt ? classSpec(fmt) : null;
    update(this, (s) => {
      s.formatter = spec;
      s.formatterSeq += 1;
      i.formatterSeq = s.formatterSeq;
    });
  }

  /** The handler's lock (an RLock shared by every thread's copy), or null. */
  get lock(): RLock | null {
    return this[I].lock;
  }
  /** Takes the handler's lock. */
  acquire(): void {
    this[I].lock?.acquire();
  }
  /** Lets go of the handler's lock. */
  release(): void {
    this[I].lock?.release();
  }

  /** The record as a line, by this handler's formatter. */
  format(record: LogRecord): string {
    return (this.formatter ?? defaultFormatter).format(record);
  }

  /** Writes the record somewhere; subclasses override it. Handler's own raises NotImplementedError. */
  emit(_record: LogRecord): void {
    throw new NotImplementedError("emit must be implemented by Handler subclasses");
  }

  /** Emits the record under the handler's lock, so that no two threads' emits of it overlap. */
  handle(record: LogRecord): boolean {
    const lock = this[I].lock;
    lock?.acquire();
    try {
      this.emit(record);
    } finally {
      lock?.release();
    }
    return true;
  }

  /** Nothing to flush here: every record is written at once. */
  flush(): void {}

  /** Lets go of what the handler holds in this thread (a FileHandler's file); the handler leaves the configuration. */
  close(): void {
    closeFile(this);
    const id = this[I].id;
    if (this[I].registered) mutate((doc) => void doc.handlers.delete(id));
  }

  /**
   * What an emit that failed does (Python's handleError with raiseExceptions): "--- Logging error ---", the error's
   * traceback, where the log call was, and the message and its arguments, on this thread's stderr; the program goes on.
   */
  handleError(record: LogRecord, error?: unknown): void {
    const stack = framesOf(new Error())
      .map((f) => `  File "${f.label}", line ${f.line}, in ${f.fn}\n    ${f.code}\n`)
      .join("");
    write(
      "stderr",
      `--- Logging error ---\n${formatTraceback(error)}Call stack:\n${stack}Message: ${repr(record.msg)}\nArguments: ${repr(record.args ?? [])}\n`,
    );
  }

  toString(): string {
    return `<${this.constructor.name} (${levelText(this.level)})>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
  /** @internal */
  [SHARE]() {
    return { kind: "logging.Handler", data: { id: register(this) } };
  }
}
registerClass(Handler);

const levelText = (n: number) => String(getLevelName(n));

/** This thread's file descriptor of a FileHandler (null: not open here). @internal */
export function fileOf(h: Handler): number | null {
  return h[I].fd;
}
/** @internal */
export function setFileOf(h: Handler, fd: number | null): void {
  h[I].fd = fd;
}

function closeFile(h: Handler): void {
  const i = h[I];
  if (i.fd !== null) {
    try {
      closeSync(i.fd);
    } catch {
      // already closed
    }
    i.fd = null;
  }
}

/** A handler that does nothing (Python's NullHandler): a library's loggers get one so they print nothing by default. */
export class NullHandler extends Handler {
  override createLock(): void {
    this[I].lock = null;
  }
  override handle(_record: LogRecord): boolean {
    return true;
  }
  override emit(_record: LogRecord): void {}
}
registerClass(NullHandler);

/** The handler's id in the configuration. @internal */
export function idOf(h: Handler): number {
  return h[I].id;
}
