// An exception as data, to be stored in shared memory (a future's outcome)
// and thrown again in another thread: its class by name, its message, its
// fields and its frames (the cell's lines), so the traceback still points at
// the learner's code.
import { pythonErrors } from "./errors";
import { hereLookup } from "./scope";
import { setFrames, framesOf, type Frame } from "./traceback";

/** An exception as data: its name, message and stack (the stack's frames are the cell's lines) travel too. */
export function errorRecord(e: unknown): unknown {
  if (e instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const k of Object.keys(e)) fields[k] = (e as unknown as Record<string, unknown>)[k];
    return { __concnb_error__: { cls: e.constructor?.name ?? "Error", name: e.name, message: e.message, stack: e.stack, frames: framesOf(e), fields } };
  }
  return { __concnb_thrown__: e };
}

const builtinErrors: Record<string, Function> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The exception again, of its class where this thread knows it (the runtime's, JS's, or the notebook's own). */
export function reviveError(v: unknown): unknown {
  type Record_ = { cls: string; name: string; message: string; stack?: string; frames: Frame[]; fields: object };
  const r = v as { __concnb_error__?: Record_; __concnb_thrown__?: unknown };
  if (!r || typeof r !== "object") return v;
  if ("__concnb_thrown__" in r) return r.__concnb_thrown__;
  const d = r.__concnb_error__;
  if (!d) return v;
  // the notebook's own class first: it may reuse a Python name
  const cls = hereLookup()(d.cls) ?? pythonErrors.get(d.cls) ?? builtinErrors[d.cls] ?? Error;
  const e = Object.create((cls as { prototype: object }).prototype ?? Error.prototype) as Error;
  Object.defineProperty(e, "message", { value: d.message, writable: true, configurable: true });
  if (e.name !== d.name) Object.defineProperty(e, "name", { value: d.name, writable: true, configurable: true });
  Object.assign(e, d.fields);
  Object.defineProperty(e, "stack", { value: d.stack ?? `${d.name}: ${d.message}`, writable: true, configurable: true });
  setFrames(e, d.frames ?? []);
  return e;
}
