// Values crossing into another thread. Plain data is copied (structured
// clone, as postMessage does); runtime objects (threads now, locks and queues
// later) travel as handles to their shared memory, so they stay the same
// object; instances of the notebook's own classes keep their class; what
// cannot cross (functions, say) becomes a stand-in that explains why.
import { serialize } from "node:v8";

const TAG = "__concnb_shared__";

/** Runtime classes implement this to travel as handles. */
export interface Shareable {
  [SHARE](): { kind: string; data: unknown };
}
export const SHARE = Symbol.for("concnb.share");

type Reviver = (data: unknown, lookupClass: ClassLookup) => unknown;
export type ClassLookup = (name: string) => (abstract new (...a: never[]) => unknown) | undefined;
const revivers = new Map<string, Reviver>();

export function registerReviver(kind: string, reviver: Reviver): void {
  revivers.set(kind, reviver);
}

export function encode(value: unknown, seen?: Map<object, unknown>): unknown {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function") return unavailable(value.name ? `the function ${value.name}` : "a function");
    if (typeof value === "symbol") return unavailable("a symbol");
    return value;
  }
  // made only for values with parts: a number or a string costs no allocation
  seen ??= new Map();
  if (seen.has(value)) return seen.get(value);
  const share = (value as Partial<Shareable>)[SHARE];
  if (typeof share === "function") {
    const handle = { [TAG]: "handle", ...share.call(value) };
    seen.set(value, handle);
    return handle;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(encode(v, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(encode(k, seen), encode(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(encode(v, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return encodeFields(value, seen);
  if (isCloneable(value)) {
    // Dates, typed arrays, errors...: structured clone knows them
    if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof Error || value instanceof RegExp) return value;
  }
  const cls = (proto?.constructor as { name?: string } | undefined)?.name ?? "";
  return { [TAG]: "instance", cls, fields: encodeFields(value, seen) };
}

function encodeFields(value: object, seen: Map<object, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const k of Object.keys(value)) setField(out, k, encode((value as Record<string, unknown>)[k], seen));
  return out;
}

/** out[k] = v, also for an own "__proto__" key (JSON.parse makes them), which `=` would take for the prototype. */
export function setField(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function isCloneable(v: unknown): boolean {
  try {
    serialize(v);
    return true;
  } catch {
    return false;
  }
}

function unavailable(what: string): unknown {
  return { [TAG]: "unavailable", what };
}

export function decode(value: unknown, lookupClass: ClassLookup, seen?: Map<object, unknown>): unknown {
  if (value === null || typeof value !== "object") return value;
  seen ??= new Map();
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(decode(v, lookupClass, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(decode(k, lookupClass, seen), decode(v, lookupClass, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(decode(v, lookupClass, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const rec = value as Record<string, unknown>;
  switch (rec[TAG]) {
    case "handle": {
      const revive = revivers.get(rec.kind as string);
      if (!revive) throw new Error(`no reviver for shared ${String(rec.kind)}`);
      const obj = revive(rec.data, lookupClass);
      seen.set(value, obj);
      return obj;
    }
    case "instance": {
      const cls = lookupClass(rec.cls as string);
      const obj = Object.create((cls?.prototype as object | undefined) ?? Object.prototype) as Record<string, unknown>;
      seen.set(value, obj);
      Object.assign(obj, decode(rec.fields, lookupClass, seen));
      return obj;
    }
    case "unavailable":
      return standIn(rec.what as string);
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const k of Object.keys(rec)) setField(out, k, decode(rec[k], lookupClass, seen));
  return out;
}

/** A value that throws a clear error on any use: what was left behind could not be copied. */
function standIn(what: string): unknown {
  const fail = (): never => {
    const e = new Error(
      `${what} cannot cross into another thread: threads here are workers with their own memory, ` +
        `and only data, the notebook's top-level definitions and the runtime's shared objects travel. ` +
        `Define it at top level, or pass the data it needs in args.`,
    );
    e.name = "TypeError";
    throw e;
  };
  return new Proxy(function unavailable() {}, { get: fail, apply: fail, construct: fail, set: fail, has: fail });
}
