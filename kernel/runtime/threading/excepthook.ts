// threading.excepthook: what happens to an exception that escapes a
// thread's run(). As Python's hook is one for the process, this one is one for
// the program (the cell's run): any thread may set it, and a failing thread
// looks it up when the exception happens. Workers share no functions, so the
// kernel keeps the hook's source, and a counter in the program's shared memory
// tells a thread whether the hook it holds is still the current one.
import type { Thread } from "./thread";
import { job, rpc, send } from "../core/context";
import { P } from "../../protocol/layout";
import { PyTypeError, SystemExit } from "../core/errors";
import { write } from "../core/capture";
import { formatTraceback } from "../core/traceback";
import { functionSpec, resolveFunction } from "../core/scope";
import { addThreadCode } from "../core/threadCode";

/** What the excepthook is given for an exception that escaped a thread's run() (Python's ExceptHookArgs, as an object). */
export interface ExceptHookArgs {
  /** The exception's name, e.g. "ValueError": a string, where Python passes the class. */
  excType: string;
  /** The exception itself, as it was thrown. */
  excValue: unknown;
  /** The traceback as text, its frames pointing at cell lines (Python passes a traceback object). */
  excTraceback: string;
  /** The thread the exception escaped from; null if that is not known. */
  thread: Thread | null;
}

/** Python's default hook: "Exception in thread NAME:" and a traceback, on that thread's stderr. */
export function excepthook(args: ExceptHookArgs): void {
  if (args.excValue instanceof SystemExit) return; // sys.exit() ends a thread silently
  write("stderr", `Exception in thread ${args.thread?.name ?? job().desc.ident}:\n${args.excTraceback}`);
}

type Hook = (args: ExceptHookArgs) => void;

/** The hook this thread holds: the program's, as of the `seq`-th setExcepthook() (0: the default). */
let held: { seq: number; hook: Hook } = { seq: 0, hook: excepthook };

/** Sets the program's hook, for every thread of it (Python's threading.excepthook = hook); null restores the default. */
export function setExcepthook(h: Hook | null): void {
  if (h !== null && typeof h !== "function") throw new PyTypeError("excepthook must be a function");
  const hook = h ?? excepthook;
  const spec = hook === excepthook ? null : functionSpec(hook, "the excepthook");
  const j = job();
  // counted before it is sent: a thread that sees the count asks the kernel, which reads every message sent before it answers
  const seq = Atomics.add(j.programSlots, P.Excepthook, 1) + 1;
  send({ type: "excepthook", programId: j.ctx.programId, seq, spec });
  held = { seq, hook };
}

/** As a job starts: a new program's hook is the default until it sets one. */
export function resetHook(): void {
  held = { seq: 0, hook: excepthook };
}

/** The program's hook now, made in this thread if another thread set it. */
function currentHook(): Hook {
  const seq = Atomics.load(job().programSlots, P.Excepthook);
  if (seq === held.seq) return held.hook;
  const now = rpc("excepthook", {});
  let hook: Hook = excepthook;
  if (now.spec) {
    try {
      hook = resolveFunction(now.spec);
    } catch (e) {
      write("stderr", `Exception in threading.excepthook (it could not be made in this thread):\n${formatTraceback(e)}`);
    }
  }
  held = { seq: now.seq, hook };
  return hook;
}

/**
 * The source of the program's hook, when one is set: a new thread runs it if it fails, so what the hook names must be
 * copied into the thread as what its target names is (runtime/core/uses). A hook set after the thread started is
 * looked up when the exception happens, and has only what the thread was given.
 */
function hookSource(): string[] {
  const hook = currentHook();
  return hook === excepthook ? [] : [Function.prototype.toString.call(hook)];
}
addThreadCode(hookSource);

/** Runs the hook for an exception that escaped a thread's run(); a failing hook falls back to the default. */
export function reportThreadException(err: unknown, thread: Thread): void {
  const args: ExceptHookArgs = {
    excType: (err as Error)?.name ?? typeof err,
    excValue: err,
    excTraceback: formatTraceback(err),
    thread,
  };
  try {
    currentHook()(args);
  } catch (hookErr) {
    write("stderr", `Exception in threading.excepthook:\n${formatTraceback(hookErr)}`);
    excepthook(args);
  }
}
