// Python's Formatter with its `%` style: "%(levelname)s:%(name)s:%(message)s"
// filled from a record's fields, %(asctime)s by strftime, an exception's
// traceback after the message. A Formatter is plain data (its fmt, datefmt
// and any fields of a subclass), so each thread gets a copy of it.
import { ValueError } from "../core/errors";
import { formatTraceback } from "../core/traceback";
import { KeyError, percent } from "./percent";
import type { LogRecord } from "./record";
import { strftime } from "./strftime";

/** The format basicConfig() and a Formatter with no fmt use: Python's BASIC_FORMAT. */
export const BASIC_FORMAT = "%(levelname)s:%(name)s:%(message)s";

/** Python's PercentStyle.validation_pattern: a format must name at least one field this way. */
const VALID = /%\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]/i;

/** Options a Formatter takes after fmt, datefmt and style (Python's keyword arguments). */
export interface FormatterOptions {
  /** Values for fields a record lacks (Python's `defaults`). */
  defaults?: Record<string, unknown> | null;
}

/** Python's logging.Formatter (style "%"). Subclasses may override format(), formatTime() or formatException(). */
export class Formatter {
  /** The format ("%(message)s" when none was given); Python's `_fmt`. */
  fmt: string;
  /** strftime's format for %(asctime)s; null: defaultTimeFormat, then ",msecs". */
  datefmt: string | null;
  /** Values for fields a record lacks. */
  defaults: Record<string, unknown> | null;

  constructor(fmt?: string | null, datefmt?: string | null, style: string = "%", validate: boolean = true, options: FormatterOptions = {}) {
    if (style !== "%") {
      if (style === "{" || style === "$") throw new ValueError(`style '${style}' is not supported here: use '%' (Python's default style)`);
      throw new ValueError("Style must be one of: %,{,$");
    }
    this.fmt = fmt ?? "%(message)s";
    this.datefmt = datefmt ?? null;
    this.defaults = options?.defaults ?? null;
    if (validate && !VALID.test(this.fmt)) throw new ValueError(`Invalid format '${this.fmt}' for '%' style`);
  }

  /** Whether the format names %(asctime): only then is the time formatted. */
  usesTime(): boolean {
    return this.fmt.includes("%(asctime)");
  }

  /** The record's time as text: strftime(datefmt), or defaultTimeFormat with ",msecs" (Python's "2003-07-08 16:49:45,896"). */
  formatTime(record: LogRecord, datefmt: string | null = null): string {
    if (datefmt) return strftime(datefmt, record.created);
    const s = strftime(this.defaultTimeFormat, record.created);
    return this.defaultMsecFormat ? percent(this.defaultMsecFormat, [s, record.msecs]) : s;
  }

  /** The error's traceback, its frames at the cell lines of the user's code, without the last newline. */
  formatException(error: unknown): string {
    if (error === null || error === undefined) return "NoneType: None";
    return formatTraceback(error).replace(/\n$/, "");
  }

  /** The format filled from the record's fields; ValueError naming a field the record lacks. */
  formatMessage(record: LogRecord): string {
    const values = record as unknown as Record<string, unknown>;
    const defaults = this.defaults;
    try {
      return percent(this.fmt, (k) => {
        if (k in values && typeof values[k] !== "function") return values[k];
        if (defaults && Object.hasOwn(defaults, k)) return defaults[k];
        throw new KeyError(`'${k}'`);
      });
    } catch (e) {
      if (e instanceof KeyError) throw new ValueError(`Formatting field not found in record: ${e.message}`);
      throw e;
    }
  }

  /** The record as a line: its message (with arguments), the time if the format uses it, the format, then any traceback. */
  format(record: LogRecord): string {
    record.message = record.getMessage();
    if (this.usesTime()) record.asctime = this.formatTime(record, this.datefmt);
    let s = this.formatMessage(record);
    if (record.excInfo && !record.excText) record.excText = this.formatException(record.excInfo);
    if (record.excText) {
      if (!s.endsWith("\n")) s += "\n";
      s += record.excText;
    }
    return s;
  }

  /** Python's class attribute: strftime's format when there is no datefmt. */
  declare defaultTimeFormat: string;
  /** Python's class attribute: how msecs follow the time ("%s,%03d"); null: no msecs. */
  declare defaultMsecFormat: string | null;
}
Formatter.prototype.defaultTimeFormat = "%Y-%m-%d %H:%M:%S";
Formatter.prototype.defaultMsecFormat = "%s,%03d";

/** What a handler with no formatter of its own uses (Python's _defaultFormatter). */
export const defaultFormatter = new Formatter();
