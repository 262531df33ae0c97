// A LogRecord: what one log call says, with the fields Python's formats name.
// Its thread is the runtime's thread (threading's name and ident), its caller
// the user's cell function and line, read off the call's stack the way
// tracebacks read it (runtime/core/traceback): the runtime's own frames are
// not there, so the innermost cell frame is the line that logged.
import { currentThread } from "../threading/thread";
import { currentProcess } from "../multiprocessing/process";
import { framesOf } from "../core/traceback";
import { current } from "./config";
import { getLevelName } from "./levels";
import { KeyError, percent, str } from "./percent";

/** Python's LogRecord. Its fields are Python's (exc_info and exc_text as excInfo and excText). */
export class LogRecord {
  /** The logger's name. */
  name: string;
  /** The message as given, before its arguments are put in (see getMessage). */
  msg: unknown;
  /** The message's arguments (an array, or one mapping for `%(key)s` fields); null when there are none. */
  args: unknown[] | Record<string, unknown> | null;
  /** The level's name ("INFO"). */
  levelname: string;
  /** The level's number (20). */
  levelno: number;
  /** Where the call was: the cell's label (e.g. "cell 3"). */
  pathname: string;
  /** The cell's label, as pathname (a cell has no file). */
  filename: string;
  /** The cell's label, as pathname. */
  module: string;
  /** The cell line of the call. */
  lineno: number;
  /** The function that logged; `<module>` for a cell's top level. */
  funcName: string;
  /** The error exception() was given (Python's exc_info), null for none; a copy of a record sent through a queue has none. */
  excInfo: unknown;
  /** The error's traceback text, once a Formatter has made it (Python's exc_text). */
  excText: string | null;
  /** Python's stack_info: always null here. */
  stackInfo: string | null;
  /** When the record was made, in seconds since the epoch. */
  created: number;
  /** The milliseconds part of created. */
  msecs: number;
  /** Milliseconds from logging's start in this kernel to the record. */
  relativeCreated: number;
  /** The runtime thread's ident (threading.getIdent()). */
  thread: number | null;
  /** The runtime thread's name (currentThread().name). */
  threadName: string | null;
  /** multiprocessing's currentProcess().name: "MainProcess" in the notebook. */
  processName: string | null;
  /** The OS process id. */
  process: number | null;
  /** The message with its arguments, set by Formatter.format(). */
  message?: string;
  /** The time as text, set by Formatter.format() when its format uses %(asctime)s. */
  asctime?: string;

  constructor(
    name: string,
    level: number,
    pathname: string,
    lineno: number,
    msg: unknown,
    args: unknown[] | Record<string, unknown> | null,
    excInfo: unknown,
    func: string | null = null,
  ) {
    const now = performance.timeOrigin + performance.now();
    this.name = name;
    this.msg = msg;
    // Python's rule: a single non-empty mapping argument is the mapping for %(key)s fields
    const only = Array.isArray(args) && args.length === 1 ? args[0] : undefined;
    this.args = only !== null && typeof only === "object" && Object.getPrototypeOf(only) === Object.prototype && Object.keys(only).length > 0
      ? (only as Record<string, unknown>)
      : args;
    this.levelname = String(getLevelName(level));
    this.levelno = level;
    this.pathname = pathname;
    this.filename = pathname;
    this.module = pathname;
    this.excInfo = excInfo ?? null;
    this.excText = null;
    this.stackInfo = null;
    this.lineno = lineno;
    this.funcName = func ?? "(unknown function)";
    this.created = now / 1000;
    this.msecs = Math.floor(now % 1000);
    this.relativeCreated = now - current().start;
    let t: ReturnType<typeof currentThread> | null = null;
    try {
      t = currentThread();
    } catch {
      t = null;
    }
    this.thread = t?.ident ?? null;
    this.threadName = t?.name ?? null;
    const p = currentProcess();
    this.processName = p.name;
    this.process = p.pid;
  }

  /** The message with its arguments put in by `%`; raises TypeError when they do not match its fields. */
  getMessage(): string {
    const msg = str(this.msg);
    const args = this.args;
    if (args === null || args === undefined) return msg;
    if (Array.isArray(args)) return args.length === 0 ? msg : percent(msg, args);
    return percent(msg, (k) => {
      if (!Object.hasOwn(args, k)) throw new KeyError(`'${k}'`);
      return args[k];
    });
  }

  toString(): string {
    return `<LogRecord: ${this.name}, ${this.levelno}, ${this.pathname}, ${this.lineno}, "${str(this.msg)}">`;
  }
}

/** Where the user's code called the log method: its cell, line and function. */
export function caller(): { pathname: string; lineno: number; funcName: string } {
  const f = framesOf(new Error()).at(-1);
  return f ? { pathname: f.label, lineno: f.line, funcName: f.fn } : { pathname: "(unknown file)", lineno: 0, funcName: "(unknown function)" };
}

/** A record made from its fields (Python's makeLogRecord), as a QueueListener rebuilds one from a queue. */
export function makeLogRecord(fields: Record<string, unknown>): LogRecord {
  const r = new LogRecord("", 0, "", 0, "", null, null, null);
  Object.assign(r, fields);
  return r;
}
