// Loggers. A Logger object is a name: its level, propagate and disabled
// flags and its handlers are the shared configuration's (config.ts), read on
// each call, so every thread's object for a name behaves as one logger.
// Dotted names form Python's hierarchy: a logger's parent is its nearest
// ancestor that exists, else the root; records propagate to the parents'
// handlers; the effective level is the first level set up the chain.
import { inspect } from "node:util";
import { PyTypeError } from "../core/errors";
import { registerReviver, SHARE } from "../core/share";
import { current, mutate, ROOT, type Doc, type LoggerSpec } from "./config";
import { checkLevel, CRITICAL, DEBUG, ERROR, getLevelName, INFO, NOTSET, WARNING, type Level } from "./levels";
import { Handler, handlerById, idOf, register } from "./handler";
import { caller, LogRecord } from "./record";
import { StreamHandler } from "./streams";
import { Formatter } from "./formatter";

const UNSET: LoggerSpec = { level: NOTSET, propagate: true, disabled: false, handlers: [] };

/** Python's logging.Logger. Get one with getLogger(name): the same name is the same logger in every thread. */
export class Logger {
  /** The logger's dotted name ("root" for the root logger). */
  readonly name: string;
  /** This thread's cache of the effective level, for the configuration it was worked out in. */
  private declare cache: { doc: Doc; level: number } | null;

  /** @internal Loggers are made by getLogger(). */
  constructor(name: string) {
    this.name = name;
    Object.defineProperty(this, "cache", { value: null, writable: true });
  }

  private spec(doc: Doc = current()): LoggerSpec {
    return doc.loggers.get(this.name) ?? UNSET;
  }
  private change(f: (s: LoggerSpec) => void): void {
    mutate((doc) => {
      const s = doc.loggers.get(this.name) ?? { ...UNSET, handlers: [] };
      f(s);
      doc.loggers.set(this.name, s);
    });
  }

  /** The level set on this logger (NOTSET: its parents decide). */
  get level(): number {
    return this.spec().level;
  }
  /** Sets the logger's level, for every thread (a number, or a name such as "DEBUG"). Unknown names: ValueError; other values: TypeError. */
  setLevel(level: Level): void {
    const n = checkLevel(level);
    this.change((s) => (s.level = n));
  }

  /** Whether records go on to the parents' handlers (true by default). */
  get propagate(): boolean {
    return this.spec().propagate;
  }
  set propagate(v: boolean) {
    this.change((s) => (s.propagate = Boolean(v)));
  }

  /** A disabled logger drops every record. */
  get disabled(): boolean {
    return this.spec().disabled;
  }
  set disabled(v: boolean) {
    this.change((s) => (s.disabled = Boolean(v)));
  }

  /** The handlers added to this logger (this thread's objects for them). */
  get handlers(): Handler[] {
    return this.spec().handlers.map(handlerById).filter((h): h is Handler => h !== null);
  }

  /** The nearest ancestor that exists (null for the root). */
  get parent(): Logger | null {
    if (this.name === ROOT) return null;
    const doc = current();
    for (let at = this.name.lastIndexOf("."); at > 0; at = this.name.lastIndexOf(".", at - 1)) {
      const up = this.name.slice(0, at);
      if (doc.loggers.has(up)) return getLogger(up);
    }
    return root;
  }

  /** The root logger. */
  get root(): Logger {
    return root;
  }

  /** Adds a handler, for every thread (it is then the same handler in each). */
  addHandler(h: Handler): void {
    if (!(h instanceof Handler)) throw new PyTypeError("addHandler() takes a Handler");
    mutate(() => {
      const id = register(h);
      this.change((s) => {
        if (!s.handlers.includes(id)) s.handlers.push(id);
      });
    });
  }
  /** Removes a handler, for every thread. */
  removeHandler(h: Handler): void {
    const id = idOf(h);
    this.change((s) => (s.handlers = s.handlers.filter((x) => x !== id)));
  }
  /** Whether this logger or an ancestor it propagates to has handlers. */
  hasHandlers(): boolean {
    for (const c of lineage(this)) {
      if (c.spec().handlers.length > 0) return true;
      if (!c.propagate) break;
    }
    return false;
  }

  /** The level that decides: this logger's, or the first set up the hierarchy. */
  getEffectiveLevel(): number {
    const doc = current();
    if (this.cache?.doc === doc) return this.cache.level;
    let level = NOTSET;
    for (const c of lineage(this)) {
      level = c.spec(doc).level;
      if (level !== NOTSET) break;
    }
    this.cache = { doc, level };
    return level;
  }
  /** Whether a record of this level would be handled (logging.disable() included). */
  isEnabledFor(level: number): boolean {
    if (current().disable >= level || this.disabled) return false;
    return level >= this.getEffectiveLevel();
  }

  /** The logger `name.suffix` (Python's getChild). */
  getChild(suffix: string): Logger {
    return getLogger(this === root ? suffix : `${this.name}.${suffix}`);
  }

  /** Logs at DEBUG. The message takes `%` fields filled from args ("got %s in %.2f s"). */
  debug(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(DEBUG)) this.emit(DEBUG, msg, args, null);
  }
  /** Logs at INFO. */
  info(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(INFO)) this.emit(INFO, msg, args, null);
  }
  /** Logs at WARNING. */
  warning(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(WARNING)) this.emit(WARNING, msg, args, null);
  }
  /** Python's deprecated alias of warning(). */
  warn(msg: unknown, ...args: unknown[]): void {
    this.warning(msg, ...args);
  }
  /** Logs at ERROR. */
  error(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(ERROR)) this.emit(ERROR, msg, args, null);
  }
  /** Logs at CRITICAL. */
  critical(msg: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(CRITICAL)) this.emit(CRITICAL, msg, args, null);
  }
  /** Python's alias of critical(). */
  fatal(msg: unknown, ...args: unknown[]): void {
    this.critical(msg, ...args);
  }
  /**
   * Logs at ERROR with the error's traceback after the message, its frames at the cell lines of your code. JavaScript
   * has no "exception being handled", so pass it: `catch (e) { log.exception("failed %s", e, url) }`.
   */
  exception(msg: unknown, error?: unknown, ...args: unknown[]): void {
    if (this.isEnabledFor(ERROR)) this.emit(ERROR, msg, args, { error });
  }
  /** Logs at a level given by number; a level that is not an integer: TypeError. */
  log(level: number, msg: unknown, ...args: unknown[]): void {
    if (typeof level !== "number" || !Number.isInteger(level)) throw new PyTypeError("level must be an integer");
    if (this.isEnabledFor(level)) this.emit(level, msg, args, null);
  }

  private emit(level: number, msg: unknown, args: unknown[], exc: { error: unknown } | null): void {
    const at = caller();
    const record = new LogRecord(this.name, level, at.pathname, at.lineno, msg, args, exc?.error ?? null, at.funcName);
    if (exc && (exc.error === null || exc.error === undefined)) record.excText = "NoneType: None";
    this.handle(record);
  }

  /** Hands a record to this logger's handlers and, while propagate holds, its parents'. */
  handle(record: LogRecord): void {
    if (this.disabled) return;
    this.callHandlers(record);
  }

  /** Python's callHandlers: with no handler anywhere up the chain, lastResort writes the bare message to stderr. */
  callHandlers(record: LogRecord): void {
    let found = 0;
    for (const c of lineage(this)) {
      for (const h of c.handlers) {
        found++;
        if (record.levelno >= h.level) h.handle(record);
      }
      if (!c.propagate) break;
    }
    if (found === 0) {
      const last = lastResort();
      if (record.levelno >= last.level) last.handle(record);
    }
  }

  toString(): string {
    return `<${this === root ? "RootLogger" : "Logger"} ${this.name} (${String(getLevelName(this.getEffectiveLevel()))})>`;
  }
  /** @internal */
  [inspect.custom](): string {
    return this.toString();
  }
  /** @internal */
  [SHARE]() {
    return { kind: "logging.Logger", data: { name: this.name } };
  }
}

/** A logger and its parents, nearest first. */
function* lineage(first: Logger): Generator<Logger> {
  for (let c: Logger | null = first; c; c = c.parent) yield c;
}

/** This thread's Logger object for each name. */
const loggers = new Map<string, Logger>();

/** The root logger: level WARNING until configured. */
export const root = new Logger(ROOT);
loggers.set(ROOT, root);

/** The logger of that name, made if it does not exist yet (in any thread); the root logger without a name (or "", or "root"). */
export function getLogger(name?: string | null): Logger {
  if (name === undefined || name === null || name === "" || name === ROOT) return root;
  if (typeof name !== "string") throw new PyTypeError("A logger name must be a string");
  let l = loggers.get(name);
  if (!l) loggers.set(name, (l = new Logger(name)));
  if (!current().loggers.has(name)) {
    mutate((doc) => {
      if (!doc.loggers.has(name)) doc.loggers.set(name, { ...UNSET, handlers: [] });
    });
  }
  return l;
}

registerReviver("logging.Logger", (data) => getLogger((data as { name: string }).name));

let last: Handler | null = null;
/** Python's lastResort: what a record with no handler anywhere goes to (WARNING and up, the bare message, on stderr). */
export function lastResort(): Handler {
  if (!last) {
    last = new StreamHandler("stderr");
    last.setLevel(WARNING);
    last.setFormatter(new Formatter("%(message)s"));
  }
  return last;
}
