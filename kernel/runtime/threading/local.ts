// threading.local: attributes set in one thread are not seen in another.
// Every thread is a worker of its own, but workers are reused, so values are
// kept per thread ident, not per worker.
//
// A subclass is Python's way to give every thread the same starting state:
// its constructor runs again, on the thread's own attributes, the first time
// a thread touches the object (Python re-runs __init__). A JS base class
// cannot see the arguments given to its subclass's constructor, so the
// constructor is re-run with the arguments it passed to super(); a subclass
// without a constructor of its own passes them all.
import { inspect } from "node:util";
import { job } from "../core/context";
import { PyTypeError } from "../core/errors";
import { decode, encode } from "../core/share";
import { allocate, adopt, defineKind, type SharedState } from "../core/shared";
import { hereLookup } from "../core/scope";

type Attrs = Record<string, unknown>;

interface Impl {
  byThread: Map<number, Attrs>;
  cls: new (...args: unknown[]) => object;
  args: unknown[];
  proxy: object;
  /** The subclass's name, looked up again in each thread (see settle). */
  name: string;
  /** The thread whose class the prototype is. */
  settledFor: number;
}

const impls = new WeakMap<object, Impl>();

/** The object a re-run constructor must work on: `local`'s constructor hands it back instead of making one. */
let adopting: { cls: Function; proxy: object } | null = null;

/**
 * Makes the prototype this thread's class of that name. A worker keeps the object for
 * later threads, but each thread defines the notebook's classes afresh; and top-level
 * values reach a thread before the classes of their own cell exist there.
 */
function settle(target: object, impl: Impl): void {
  const ident = job().desc.ident;
  if (impl.settledFor === ident) return;
  impl.settledFor = ident;
  if (impl.name === "local") return;
  let found: unknown;
  try {
    found = hereLookup()(impl.name);
  } catch {
    return; // no notebook scope here: it keeps the class it has
  }
  if (isLocalClass(found) && found !== impl.cls) {
    Object.setPrototypeOf(target, found.prototype);
    impl.cls = found;
  }
}

function isLocalClass(c: unknown): c is Impl["cls"] {
  return typeof c === "function" && (c === local || c.prototype instanceof local);
}

function mine(target: object): Attrs {
  const impl = impls.get(target)!;
  settle(target, impl);
  const ident = job().desc.ident;
  let attrs = impl.byThread.get(ident);
  if (!attrs) {
    // made before the constructor runs, so that what it touches does not run it again
    impl.byThread.set(ident, (attrs = {}));
    if (impl.cls !== local) {
      const before = adopting;
      adopting = { cls: impl.cls, proxy: impl.proxy };
      try {
        Reflect.construct(impl.cls, impl.args);
      } finally {
        adopting = before;
      }
    }
  }
  return attrs;
}

/** A setter on the class wins over the thread's attributes, as a data descriptor does in Python. */
function setterOf(target: object, key: string): boolean {
  for (let o = Object.getPrototypeOf(target); o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return typeof d.set === "function";
  }
  return false;
}

const handler: ProxyHandler<object> = {
  getPrototypeOf(t) {
    settle(t, impls.get(t)!);
    return Reflect.getPrototypeOf(t);
  },
  get(t, k, r) {
    if (typeof k === "string") {
      const attrs = mine(t);
      if (Object.hasOwn(attrs, k)) return attrs[k];
    }
    return Reflect.get(t, k, r);
  },
  set(t, k, v, r) {
    if (typeof k !== "string" || setterOf(t, k)) return Reflect.set(t, k, v, r);
    mine(t)[k] = v;
    return true;
  },
  defineProperty(t, k, desc) {
    if (typeof k !== "string") return Reflect.defineProperty(t, k, desc);
    // class fields arrive here: they belong to the thread too
    Object.defineProperty(mine(t), k, { ...desc, configurable: true });
    return true;
  },
  has: (t, k) => (typeof k === "string" && Object.hasOwn(mine(t), k)) || Reflect.has(t, k),
  deleteProperty: (t, k) => (typeof k === "string" ? delete mine(t)[k] : Reflect.deleteProperty(t, k)),
  // the target's own keys (the share handle) must be listed too: a proxy may not hide them
  ownKeys: (t) => [...new Set([...Reflect.ownKeys(mine(t)), ...Reflect.ownKeys(t)])],
  getOwnPropertyDescriptor(t, k) {
    if (typeof k !== "string" || Object.hasOwn(t, k)) return Reflect.getOwnPropertyDescriptor(t, k);
    const d = Reflect.getOwnPropertyDescriptor(mine(t), k);
    return d && { ...d, configurable: true };
  },
};

/**
 * Python's threading.local: each thread sees its own attributes on it, never another thread's. A subclass's
 * constructor runs again in every thread that first touches the object, as Python re-runs `__init__`.
 */
export class local {
  /** Any attribute: a thread reads back only what it set itself (or what the subclass's constructor set there). */
  [key: string]: unknown;
  constructor(...args: unknown[]) {
    if (adopting && adopting.cls === new.target) {
      const proxy = adopting.proxy;
      adopting = null; // only the outermost local() of this construction is the re-run one
      return proxy as local;
    }
    if (new.target === local && args.length > 0) throw new PyTypeError("Initialization arguments are not supported");
    const proxy = make(new.target, args, allocate("local", 1), new.target.name, job().desc.ident);
    // the creating thread's attributes exist from the start: the constructor running now fills them
    impls.get(proxy)!.byThread.set(job().desc.ident, {});
    return proxy as local;
  }
  /** @internal */
  [inspect.custom](): string {
    return `<${this.constructor.name} ${inspect({ ...mine(this) })}>`;
  }
}

function make(cls: Impl["cls"], args: unknown[], state: SharedState, name: string, settledFor: number): object {
  const target = Object.create(cls.prototype) as object;
  const proxy = new Proxy(target, handler);
  const impl: Impl = { byThread: new Map(), cls, args, proxy, name, settledFor };
  impls.set(target, impl);
  impls.set(proxy, impl);
  return adopt(proxy, "local", state, () => ({ cls: impl.name, args: encode(impl.args) }));
}

defineKind("local", (state, extra, lookup) => {
  const e = (extra ?? {}) as { cls?: string; args?: unknown };
  const name = e.cls ?? "local";
  const found = name !== "local" ? lookup(name) : undefined;
  const cls = isLocalClass(found) ? found : local;
  // settled by nobody yet: the first thread to touch it looks its class up
  return make(cls, decode(e.args ?? [], lookup) as unknown[], state, name, 0);
});
