// threading.local: attributes set in one thread are not seen in another.
// Every thread is a worker of its own, but workers are reused, so values are
// kept per thread ident, not per worker.
import { inspect } from "node:util";
import { job } from "./context";
import { allocate, adopt, defineKind, type SharedState } from "./shared";

const stores = new WeakMap<object, Map<number, Record<PropertyKey, unknown>>>();

function mine(target: object): Record<PropertyKey, unknown> {
  const byThread = stores.get(target)!;
  const ident = job().desc.ident;
  let s = byThread.get(ident);
  if (!s) byThread.set(ident, (s = {}));
  return s;
}

const handler: ProxyHandler<object> = {
  get: (t, k, r) => (typeof k === "symbol" || k in t ? Reflect.get(t, k, r) : mine(t)[k]),
  set: (t, k, v) => ((mine(t)[k] = v), true),
  has: (t, k) => k in mine(t) || k in t,
  deleteProperty: (t, k) => delete mine(t)[k],
  ownKeys: (t) => Reflect.ownKeys(mine(t)),
  getOwnPropertyDescriptor: (t, k) =>
    k in mine(t) ? { value: mine(t)[k], writable: true, enumerable: true, configurable: true } : undefined,
};

// eslint-disable-next-line @typescript-eslint/naming-convention
export class local {
  [key: string]: unknown;
  constructor() {
    return wrap(this, allocate("local", 1));
  }
  [inspect.custom](): string {
    return `<local ${inspect({ ...mine(this) })}>`;
  }
}

function wrap(target: object, state: SharedState): local {
  stores.set(target, new Map());
  const proxy = new Proxy(target, handler) as local;
  stores.set(proxy, stores.get(target)!);
  adopt(proxy, "local", state);
  return proxy;
}
defineKind("local", (state) => wrap(Object.create(local.prototype) as object, state));
