// "atexit": functions that run when the cell's program ends, after its
// non-daemon threads, last registered first, in the main thread (Python's
// order). A thread other than main sends its handler to the kernel, which
// hands it to the main thread at the end.
import { globalSlots, job, rpc, send } from "../core/context";
import { PyTypeError } from "../core/errors";
import { write } from "../core/capture";
import { decode, encode } from "../core/share";
import { functionSpec, hereLookup, resolveFunction } from "../core/scope";
import { formatTraceback } from "../core/traceback";
import { G } from "../../protocol/layout";
import type { TargetSpec } from "../../protocol/worker";

interface Handler {
  seq: number;
  fn: ((...a: unknown[]) => unknown) | null;
  spec: TargetSpec;
  args: unknown[];
}
let handlers: Handler[] = [];

export function resetExitHandlers(): void {
  handlers = [];
}

/**
 * Has fn(...args) called when the cell's program ends, after its non-daemon threads, the last registered first (any
 * thread may register). Returns fn. Raises TypeError when fn is not a function; an exception in fn is printed.
 */
export function register<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): (...args: A) => unknown {
  if (typeof fn !== "function") throw new PyTypeError("the first argument must be callable");
  const seq = Atomics.add(globalSlots, G.OutSeq, 1);
  const spec = functionSpec(fn, "the exit handler");
  if (job().desc.isMain) handlers.push({ seq, fn: fn as Handler["fn"], spec, args });
  else send({ type: "atexit", programId: job().ctx.programId, seq, spec, args: encode(args) as unknown[] });
  return fn;
}

/** Removes fn from the functions to call at the end (every registration of it made in the main thread). */
export function unregister(fn: Function): void {
  handlers = handlers.filter((h) => h.fn !== fn);
}

/** Runs every handler, the last registered first; one that throws is reported and the others still run. */
export function runExitHandlers(): void {
  const fromThreads = rpc("atexit", {});
  const all = [...handlers, ...fromThreads.map((h) => ({ ...h, fn: null }))].sort((a, b) => b.seq - a.seq);
  handlers = [];
  for (const h of all) {
    try {
      const fn = h.fn ?? resolveFunction(h.spec);
      const args = h.fn ? h.args : (decode(h.args, hereLookup()) as unknown[]);
      fn(...args);
    } catch (e) {
      write("stderr", `Exception ignored in atexit callback ${h.spec.name}:\n${formatTraceback(e)}`);
    }
  }
}
