// StreamHandler and FileHandler. A record is one write: a StreamHandler's
// goes through the logging thread's own process.stderr (or stdout), which the
// runtime captures as that thread's, so the line is marked with the thread
// that logged it, as its prints are; a FileHandler's is one append to the
// file, through a descriptor each thread opens for itself in append mode, so
// records from several threads never share bytes.
import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { inspect } from "node:util";
import { define, PyTypeError, ValueError } from "../core/errors";
import { fileOf, Handler, registerClass, setFileOf } from "./handler";
import type { LogRecord } from "./record";
import { getLevelName } from "./levels";

/** Python's OSError and the subclasses a FileHandler that cannot open its file raises. */
export const OSError = define("OSError");
export const FileNotFoundError = define("FileNotFoundError", OSError);
export const PermissionError = define("PermissionError", OSError);
export const IsADirectoryError = define("IsADirectoryError", OSError);
export const FileExistsError = define("FileExistsError", OSError);

/** Where a StreamHandler writes: the thread's stderr or stdout (by name, or process.stderr / process.stdout), or an object with write(text). */
export type Stream = "stderr" | "stdout" | { write(text: string): unknown; flush?(): unknown };

function streamOf(stream: unknown): Stream {
  if (stream === undefined || stream === null || stream === process.stderr) return "stderr";
  if (stream === process.stdout) return "stdout";
  if (stream === "stderr" || stream === "stdout") return stream;
  if (typeof stream === "object" && typeof (stream as { write?: unknown }).write === "function") return stream as Stream;
  throw new PyTypeError(`stream must be "stderr", "stdout", process.stderr, process.stdout or an object with a write() method, not ${inspect(stream)}`);
}

/**
 * Python's StreamHandler: each record as a line on a stream, stderr by default. "stderr" and "stdout" are the stream
 * of the thread that logs (so its lines are marked as that thread's); an object of your own is each thread's copy.
 */
export class StreamHandler extends Handler {
  /** The stream: "stderr", "stdout", or the object given; null for a FileHandler (its file is each thread's own). */
  stream: Stream | null;
  /** What ends each record (Python's terminator). */
  terminator = "\n";

  constructor(stream?: Stream | NodeJS.WriteStream | null) {
    super();
    this.stream = streamOf(stream);
  }

  /** Writes the formatted record and the terminator in one write; a failure goes to handleError(). */
  override emit(record: LogRecord): void {
    try {
      const text = this.format(record) + this.terminator;
      const s = this.stream;
      if (s === "stderr" || s === "stdout") process[s].write(text);
      else if (s) {
        s.write(text);
        s.flush?.();
      }
    } catch (e) {
      this.handleError(record, e);
    }
  }

  /** Sets the stream; returns the old one, or null when it was the same. Each thread changes its own copy. */
  setStream(stream: Stream | NodeJS.WriteStream): Stream | null {
    const s = streamOf(stream);
    if (s === this.stream) return null;
    const old = this.stream;
    this.stream = s;
    return old;
  }
}
registerClass(StreamHandler);

const MODE = /^(?=.*[awx])(?!.*([awxb+]).*\1)[awxb+]+$/;

/** Python's OSError for a file that cannot be opened, from Node's error. */
function osError(e: unknown, path: string): Error {
  const err = e as NodeJS.ErrnoException;
  const why = err.message.replace(/^\w+: /, "").replace(/, open .*$/, "");
  const text = `[Errno ${-(err.errno ?? 0)}] ${why.charAt(0).toUpperCase()}${why.slice(1)}: '${path}'`;
  const cls = err.code === "ENOENT" ? FileNotFoundError : err.code === "EACCES" ? PermissionError : err.code === "EISDIR" ? IsADirectoryError : OSError;
  return new cls(text);
}

/**
 * Python's FileHandler: each record as a line appended to a file (its path made absolute). Mode "w" empties the file
 * once, when the handler is made; every thread then appends, each record in one write.
 */
export class FileHandler extends StreamHandler {
  /** The file's absolute path. */
  readonly baseFilename: string;
  /** The mode it was made with ("a" or "w"; every thread then appends). */
  readonly mode: string;
  /** The encoding asked for: files are written as UTF-8 whatever it says. */
  readonly encoding: string | null;
  /** Whether the file is opened at the first record rather than at once. */
  readonly delay: boolean;

  constructor(filename: string, mode: string = "a", encoding: string | null = null, delay: boolean = false) {
    super();
    if (typeof filename !== "string") throw new PyTypeError(`expected str, bytes or os.PathLike object, not ${typeof filename}`);
    if (typeof mode !== "string" || !MODE.test(mode)) throw new ValueError(`invalid mode: '${String(mode)}'`);
    this.stream = null;
    this.baseFilename = resolve(filename);
    this.mode = mode;
    this.encoding = encoding;
    this.delay = Boolean(delay);
    if (mode.includes("w")) {
      // emptied once, here; the descriptor this thread writes through appends like every other thread's
      try {
        closeSync(openSync(this.baseFilename, "w"));
      } catch (e) {
        throw osError(e, this.baseFilename);
      }
    } else if (mode.includes("x")) {
      try {
        closeSync(openSync(this.baseFilename, "wx"));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === "EEXIST") throw new FileExistsError(`[Errno 17] File exists: '${this.baseFilename}'`);
        throw osError(e, this.baseFilename);
      }
    }
    if (!this.delay) this.open();
  }

  /** This thread's descriptor of the file, opened for appending if it is not yet. */
  private open(): number {
    let fd = fileOf(this);
    if (fd === null) {
      try {
        fd = openSync(this.baseFilename, "a");
      } catch (e) {
        throw osError(e, this.baseFilename);
      }
      setFileOf(this, fd);
    }
    return fd;
  }

  /** Appends the formatted record and the terminator in one write; a failure goes to handleError(). */
  override emit(record: LogRecord): void {
    try {
      const bytes = Buffer.from(this.format(record) + this.terminator, "utf8");
      const fd = this.open();
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    } catch (e) {
      this.handleError(record, e);
    }
  }

  override toString(): string {
    return `<FileHandler ${this.baseFilename} (${String(getLevelName(this.level))})>`;
  }
}
registerClass(FileHandler);
