// threading.excepthook: what happens to an exception that escapes a
// thread's run(). Python's hook is one for the process; here each thread has
// the hook of the thread that started it (workers share no functions), which
// is the process's hook whenever it is set before threads start.
import type { TargetSpec } from "../protocol/worker";
import type { Thread } from "./threading";
import { job } from "./context";
import { PyTypeError, SystemExit } from "./errors";
import { write } from "./capture";
import { formatTraceback } from "./traceback";
import { functionSpec, resolveFunction } from "./scope";

export interface ExceptHookArgs {
  excType: string;
  excValue: unknown;
  excTraceback: string;
  thread: Thread | null;
}

/** Python's default hook: "Exception in thread NAME:" and a traceback, on that thread's stderr. */
export function excepthook(args: ExceptHookArgs): void {
  if (args.excValue instanceof SystemExit) return; // sys.exit() ends a thread silently
  write("stderr", `Exception in thread ${args.thread?.name ?? job().desc.ident}:\n${args.excTraceback}`);
}

let hook: (args: ExceptHookArgs) => void = excepthook;
let hookSpec: TargetSpec | null = null;
/** Sets the hook of this thread and of the threads it starts from now on (Python's hook is one for the process). */
export function setExcepthook(h: ((args: ExceptHookArgs) => void) | null): void {
  if (h === null) {
    hook = excepthook;
    hookSpec = null;
    return;
  }
  if (typeof h !== "function") throw new PyTypeError("excepthook must be a function");
  hookSpec = h === excepthook ? null : functionSpec(h, "the excepthook");
  hook = h;
}

/** What a new thread needs to run the hook this thread has. */
export function hookForThreads(): TargetSpec | null {
  return hookSpec;
}

/** In a new thread: the hook of the thread that started it. */
export function useHook(spec: TargetSpec | null): void {
  hookSpec = spec;
  hook = excepthook;
  if (spec) {
    try {
      hook = resolveFunction(spec) as typeof hook;
    } catch (e) {
      write("stderr", `Exception in threading.excepthook (it could not be made in this thread):\n${formatTraceback(e)}`);
    }
  }
}

/** Runs the hook for an exception that escaped a thread's run(); a failing hook falls back to the default. */
export function reportThreadException(err: unknown, thread: Thread): void {
  const args: ExceptHookArgs = {
    excType: (err as Error)?.name ?? typeof err,
    excValue: err,
    excTraceback: formatTraceback(err),
    thread,
  };
  try {
    hook(args);
  } catch (hookErr) {
    write("stderr", `Exception in threading.excepthook:\n${formatTraceback(hookErr)}`);
    excepthook(args);
  }
}
