// basicConfig() and the module-level functions that log on the root logger,
// as Python's: basicConfig does nothing when the root logger already has
// handlers (unless force), and is one change of the shared configuration, so
// two threads calling it at once configure the root logger once.
import { PyTypeError, ValueError } from "../core/errors";
import { mutate } from "./config";
import { BASIC_FORMAT, Formatter } from "./formatter";
import type { Handler } from "./handler";
import { checkLevel, CRITICAL, type Level } from "./levels";
import { root } from "./logger";
import { FileHandler, StreamHandler, type Stream } from "./streams";

/** What basicConfig() takes (Python's keyword arguments). */
export interface BasicConfigOptions {
  /** The root logger's level (a number or a name). */
  level?: Level;
  /** The format of the handler it makes (default "%(levelname)s:%(name)s:%(message)s"). */
  format?: string;
  /** strftime's format for %(asctime)s. */
  datefmt?: string;
  /** "%" only (Python's default style). */
  style?: string;
  /** Where the StreamHandler writes: "stderr" (the default) or "stdout" of the thread that logs. */
  stream?: Stream | NodeJS.WriteStream;
  /** A file to append records to (a FileHandler) instead of a stream. */
  filename?: string;
  /** The file's mode ("a" by default, "w" to start it empty). */
  filemode?: string;
  /** Handlers to add to the root logger instead of the one basicConfig makes. */
  handlers?: Handler[];
  /** Remove and close the root logger's handlers first, so that the configuration is made again. */
  force?: boolean;
  /** The file's encoding (utf-8 whatever is given: files are written as UTF-8). */
  encoding?: string;
}

/**
 * Python's basicConfig(): when the root logger has no handlers (or `force` is given), gives it a StreamHandler to
 * stderr (or the stream, or a FileHandler for filename) with the format, and sets its level; for every thread.
 * Otherwise does nothing. stream with filename, or either with handlers: ValueError; unknown options: ValueError.
 */
export function basicConfig(options: BasicConfigOptions = {}): void {
  const kw: Record<string, unknown> = { ...(options ?? {}) };
  if (typeof options !== "object") throw new PyTypeError("basicConfig() takes an options object");
  mutate(() => {
    const force = Boolean(kw.force);
    delete kw.force;
    delete kw.encoding;
    delete kw.errors;
    if (force) {
      for (const h of root.handlers) {
        root.removeHandler(h);
        h.close();
      }
    }
    if (root.handlers.length > 0) return;
    let handlers = kw.handlers as Handler[] | undefined;
    delete kw.handlers;
    if (handlers === undefined || handlers === null) {
      if ("stream" in kw && "filename" in kw) throw new ValueError("'stream' and 'filename' should not be specified together");
    } else if ("stream" in kw || "filename" in kw) {
      throw new ValueError("'stream' or 'filename' should not be specified together with 'handlers'");
    }
    if (handlers === undefined || handlers === null) {
      const filename = kw.filename as string | undefined;
      const mode = (kw.filemode as string | undefined) ?? "a";
      delete kw.filename;
      delete kw.filemode;
      const stream = kw.stream as Stream | undefined;
      delete kw.stream;
      handlers = [filename ? new FileHandler(filename, mode) : new StreamHandler(stream)];
    }
    const style = (kw.style as string | undefined) ?? "%";
    delete kw.style;
    const fmt = new Formatter((kw.format as string | undefined) ?? BASIC_FORMAT, (kw.datefmt as string | undefined) ?? null, style);
    delete kw.format;
    delete kw.datefmt;
    for (const h of handlers) {
      if (h.formatter === null) h.setFormatter(fmt);
      root.addHandler(h);
    }
    const level = kw.level;
    delete kw.level;
    if (level !== undefined && level !== null) root.setLevel(level as Level);
    const unknown = Object.keys(kw);
    if (unknown.length > 0) throw new ValueError(`Unrecognised argument(s): ${unknown.join(", ")}`);
  });
}

/** The module-level functions call basicConfig() first when the root logger has no handlers, as Python's do. */
function onRoot(): typeof root {
  if (root.handlers.length === 0) basicConfig();
  return root;
}

/** Logs at DEBUG on the root logger (configuring it with basicConfig() first if it has no handlers). */
export function debug(msg: unknown, ...args: unknown[]): void {
  onRoot().debug(msg, ...args);
}
/** Logs at INFO on the root logger. */
export function info(msg: unknown, ...args: unknown[]): void {
  onRoot().info(msg, ...args);
}
/** Logs at WARNING on the root logger. */
export function warning(msg: unknown, ...args: unknown[]): void {
  onRoot().warning(msg, ...args);
}
/** Logs at ERROR on the root logger. */
export function error(msg: unknown, ...args: unknown[]): void {
  onRoot().error(msg, ...args);
}
/** Logs at CRITICAL on the root logger. */
export function critical(msg: unknown, ...args: unknown[]): void {
  onRoot().critical(msg, ...args);
}
/** Logs at ERROR on the root logger with the error's traceback (see Logger.exception). */
export function exception(msg: unknown, error?: unknown, ...args: unknown[]): void {
  onRoot().exception(msg, error, ...args);
}
/** Logs at a level given by number on the root logger. */
export function log(level: number, msg: unknown, ...args: unknown[]): void {
  if (typeof level !== "number" || !Number.isInteger(level)) throw new PyTypeError("level must be an integer");
  onRoot().log(level, msg, ...args);
}

/** Drops every record at `level` or below, in every logger and thread (Python's logging.disable); disable(0) undoes it. */
export function disable(level: Level = CRITICAL): void {
  const n = checkLevel(level);
  mutate((doc) => {
    doc.disable = n;
  });
}
