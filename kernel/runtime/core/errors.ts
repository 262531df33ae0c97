// Python's exception names, as classes cells can catch with instanceof and
// whose `name` survives crossing threads (tracebacks print it).
/** Python's exception classes of the runtime, by name: an exception revived in another thread gets its class back. */
export const pythonErrors = new Map<string, Function>();

export function define(name: string, base: new (message?: string) => Error = Error) {
  const cls = class extends base {
    constructor(message?: string) {
      super(message);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
  pythonErrors.set(name, cls);
  return cls;
}

export const RuntimeError = define("RuntimeError");
export const ValueError = define("ValueError");
export const PyTypeError = define("TypeError", TypeError);
export const OverflowError = define("OverflowError");
/** The kernel reports a named import its module lacks as an ImportError before a cell runs (compiler/imports.ts). */
export const ImportError = define("ImportError");
export const ModuleNotFoundError = define("ModuleNotFoundError", ImportError);
export const MemoryError = define("MemoryError");

/** Thrown by sys.exit(): ends the thread that raises it, silently. */
export class SystemExit extends Error {
  /** "SystemExit", Python's name for it, as tracebacks print it. */
  override name = "SystemExit";
  constructor(
    /** What exit() was given (a number or a string); null or undefined when it was given nothing (Python's None). */
    readonly code: number | string | null | undefined,
  ) {
    super(code === undefined || code === null ? "" : String(code));
  }
}
