// What crosses from this process to another one (a multiprocessing child, or
// back): values go as copies, and so do exceptions. A runtime object is
// memory of this process (a Lock is a word of shared memory here), so it
// cannot go; the exception made for it is a multiprocessing Queue, whose
// items live in the notebook's kernel, which every process reaches.
import type { CellError } from "../../protocol/messages";
import { CROSSES_PROCESSES } from "../../protocol/process";
import { define, pythonErrors, PyTypeError } from "../core/errors";
import { encode } from "../core/share";
import { hereLookup } from "../core/scope";
import { setFrames } from "../core/traceback";

/** Python's multiprocessing.ProcessError: also what a task lost with its worker process (killed, terminated) raises. */
export const ProcessError = define("ProcessError");

/**
 * Python's multiprocessing.TimeoutError (AsyncResult.get() timed out): not the
 * built-in TimeoutError of "concurrent.futures", as in Python, so it is not
 * registered by name (an exception revived by name stays the built-in one).
 */
export class TimeoutError extends ProcessError {}
Object.defineProperty(TimeoutError, "name", { value: "TimeoutError" });
Object.defineProperty(TimeoutError.prototype, "name", { value: "TimeoutError", writable: true, configurable: true });

/** The value encoded for another process; throws a TypeError naming what cannot go. */
export function forProcess(value: unknown, what: string): unknown {
  const encoded = encode(value);
  const kind = unsendable(encoded, new Set());
  if (kind) {
    throw new PyTypeError(
      `${what} holds a ${kind} (a runtime object of this process): processes share no memory, so it cannot be sent to one. ` +
        `Pass plain data, or a multiprocessing Queue to get results back (Pool.map and applyAsync give them back too).`,
    );
  }
  return encoded;
}

/** The kind of the first runtime object (or shared memory) inside an encoded value that cannot go to another process. */
function unsendable(v: unknown, seen: Set<object>): string | null {
  if (v === null || typeof v !== "object" || seen.has(v)) return null;
  seen.add(v);
  if (v instanceof SharedArrayBuffer || (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer)) return "shared memory buffer";
  const inner: unknown[] = Array.isArray(v) ? v : v instanceof Map ? [...v].flat() : v instanceof Set ? [...v] : [];
  const proto = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && (proto === Object.prototype || proto === null)) {
    const rec = v as Record<string, unknown>;
    if (rec.__concnb_shared__ === "handle") return CROSSES_PROCESSES.includes(String(rec.kind)) ? null : String(rec.kind);
    inner.push(...Object.values(rec));
  }
  for (const x of inner) {
    const kind = unsendable(x, seen);
    if (kind) return kind;
  }
  return null;
}

/**
 * The exception a child raised, as an exception here: its class where this
 * thread knows it, its message, and its frames read back from the child's
 * traceback (they are lines of the notebook's cells, the same here).
 */
export function remoteError(r: CellError): Error {
  const cls = (hereLookup()(r.name) ?? pythonErrors.get(r.name) ?? (globalThis as Record<string, unknown>)[r.name] ?? Error) as { prototype: object };
  const e = Object.create(typeof cls.prototype === "object" ? cls.prototype : Error.prototype) as Error;
  Object.defineProperty(e, "message", { value: r.message.replace(/ \([^()]*, line \d+\)$/, ""), writable: true, configurable: true });
  if (e.name !== r.name) Object.defineProperty(e, "name", { value: r.name, writable: true, configurable: true });
  const frames = [...(r.traceback ?? "").matchAll(/^ {2}File "([^"]+)", line (\d+), in (.+)\n {4}(.*)$/gm)].map((m) => ({ label: m[1], line: Number(m[2]), fn: m[3], code: m[4], chunk: 0 }));
  Object.defineProperty(e, "stack", { value: r.traceback ?? `${r.name}: ${r.message}`, writable: true, configurable: true });
  setFrames(e, frames.filter((f) => !/^(Process-\d+|ForkPoolWorker-\d+)$/.test(f.label)));
  return e;
}
