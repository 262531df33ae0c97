// What a value that cannot cross into another thread (a closure, say) becomes
// there: a stand-in that says why on any use (core/share.ts makes them).

/** The stand-ins made here, and what each stands for. */
const standIns = new WeakMap<object, string>();

/** A value that throws a clear error on any use: what was left behind could not be copied. */
export function standIn(what: string): unknown {
  const fail = (): never => {
    const e = new Error(
      `${what} cannot cross into another thread: threads here are workers with their own memory, ` +
        `and only data, the notebook's top-level definitions and the runtime's shared objects travel. ` +
        `Define it at top level, or pass the data it needs in args.`,
    );
    e.name = "TypeError";
    throw e;
  };
  const proxy = new Proxy(function unavailable() {}, { get: fail, apply: fail, construct: fail, set: fail, has: fail });
  standIns.set(proxy, what);
  return proxy;
}

/** What a stand-in made here stands for, or undefined for any other value. */
export function standInFor(value: object): string | undefined {
  return standIns.get(value);
}
