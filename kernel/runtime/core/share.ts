// Values crossing into another thread. Plain data is copied (structured
// clone, as postMessage does); runtime objects (threads now, locks and queues
// later) travel as handles to their shared memory, so they stay the same
// object; instances of the notebook's own classes keep their class; what
// cannot cross (functions, say) becomes a stand-in that explains why.
import { serialize } from "node:v8";
import { isStored, STORE_MIN_BYTES, type StoredValue } from "../../protocol/worker";
import { Numbers, store, unstore } from "./stored";
import { isProxy } from "node:util/types";
import { standIn, standInFor } from "./standIn";

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
    if (typeof value === "function") {
      // a stand-in passed on (an earlier cell's value, sent again) says what it stands for; reading its name would throw
      const what = standInFor(value);
      return unavailable(what ?? (value.name ? `the function ${value.name}` : "a function"));
    }
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
    const data = dataCopy(value);
    if (data) {
      seen.set(value, data);
      return data;
    }
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
  // typed arrays: structured clone knows them (asking it, by serializing one, would cost a copy)
  if (ArrayBuffer.isView(value)) return value;
  if (isCloneable(value)) {
    // Dates, errors...: structured clone knows them
    if (value instanceof Date || value instanceof Error || value instanceof RegExp) return value;
  }
  const cls = (proto?.constructor as { name?: string } | undefined)?.name ?? "";
  // the wrapper is what a second reference to the instance gets, so it comes back an instance too
  const fields: Record<string, unknown> = {};
  const wrapper = { [TAG]: "instance", cls, fields };
  seen.set(value, wrapper);
  for (const k of Object.keys(value)) setField(fields, k, encode((value as Record<string, unknown>)[k], seen));
  return wrapper;
}

/**
 * encode() of a cell's bindings as the kernel keeps them. A big binding of plain data (an array of numbers or
 * strings, a typed array) is serialized by V8 in one native step into shared memory (StoredValue), which the
 * kernel and the workers then pass by reference: it is parsed only where it is read. One that another binding
 * refers to, or reaches into, is encoded with the others instead, so that they stay one object.
 */
export function encodeKept(values: Record<string, unknown>, bytesOf: (name: string) => number): Record<string, unknown> {
  const seen = new Map<object, unknown>();
  const names = Object.keys(values);
  const big = names.filter((n) => bytesOf(n) >= STORE_MIN_BYTES && flat(values[n]));
  const out: Record<string, unknown> = {};
  for (const n of names) if (!big.includes(n)) setField(out, n, encode(values[n], seen));
  for (const n of big) {
    const v = values[n] as object;
    const shared = seen.has(v) || big.some((m) => m !== n && values[m] === v);
    setField(out, n, (shared ? null : store(v, encode)) ?? encode(v, seen));
  }
  // in the cell's order, as the bindings were
  return Object.fromEntries(names.filter((n) => Object.hasOwn(out, n)).map((n) => [n, out[n]]));
}

/** TypedArray.prototype.slice: a copy of the same class (a Buffer's own slice is a view); called with the view as `this`. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- taken unbound on purpose, to be .call()ed on any typed array
const copyView = (Object.getPrototypeOf(Uint8Array.prototype) as Uint8Array).slice;

/** Data with no object inside it that another binding could share. */
function flat(v: unknown): boolean {
  if (ArrayBuffer.isView(v)) return !(v instanceof DataView) && !(v.buffer instanceof SharedArrayBuffer);
  return Array.isArray(v) && !isProxy(v) && onlyData(v);
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

/** A decoded array of numbers, strings...: nothing in it to revive. A check with no allocation. */
function onlyData(a: unknown[]): boolean {
  if (Object.getPrototypeOf(a) !== Array.prototype) return false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== null && (typeof v === "object" || typeof v === "function" || typeof v === "symbol")) return false;
  }
  return true;
}

/**
 * A copy of a plain array of numbers, strings, booleans...: one pass with no call per element, and packed,
 * which structured clone writes in one block (`new Array(n).fill(x)` is holey, and V8 writes a holey array
 * key by key: 30 times slower, with a key per element). null if an element is an object.
 */
function dataCopy(a: unknown[]): unknown[] | null {
  if (isProxy(a) || Object.getPrototypeOf(a) !== Array.prototype) return null;
  const out: unknown[] = [];
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v !== null && (typeof v === "object" || typeof v === "function" || typeof v === "symbol")) return null;
    out.push(v);
  }
  return out;
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
    if (onlyData(value)) {
      const out = value.slice(); // a native copy: a fast array's elements are copied as one block
      seen.set(value, out);
      return out;
    }
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
    case "stored": {
      const parsed = unstore(value as StoredValue);
      // the parse is what the binding is compared against: a typed array, which decode passes on as it is, is copied
      const obj =
        parsed instanceof Numbers ? parsed.toArray() : ArrayBuffer.isView(parsed) ? copyView.call(parsed) : decode(parsed, lookupClass, seen);
      seen.set(value, obj);
      return obj;
    }
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

/**
 * Whether encode(value) would give `encoded` (structurally), found without
 * making it: a binding whose value passes is unchanged since `encoded` was
 * taken. A few compares per element, where encoding allocates; in doubt, false.
 */
export function sameAsEncoded(value: unknown, encoded: unknown, seen?: Map<object, unknown>): boolean {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function") return isUnavailable(encoded, standInFor(value) ?? (value.name ? `the function ${value.name}` : "a function"));
    if (typeof value === "symbol") return isUnavailable(encoded, "a symbol");
    return Object.is(value, encoded);
  }
  if (encoded === null || typeof encoded !== "object") return false;
  if (isStored(encoded)) {
    const parsed = unstore(encoded);
    return parsed instanceof Numbers ? Array.isArray(value) && parsed.same(value) : sameAsEncoded(value, parsed, seen);
  }
  seen ??= new Map();
  if (seen.has(value)) return seen.get(value) === encoded;
  seen.set(value, encoded);
  const share = (value as Partial<Shareable>)[SHARE];
  if (typeof share === "function") {
    const rec = encoded as Record<string, unknown>;
    const now = share.call(value);
    return rec[TAG] === "handle" && rec.kind === now.kind && sameData(now.data, rec.data);
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(encoded) || encoded.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === encoded[i] && (v === null || typeof v !== "object")) continue; // the common case, without a call
      if (!sameAsEncoded(v, encoded[i], seen)) return false;
    }
    return true;
  }
  if (value instanceof Map || value instanceof Set) {
    if (value.constructor !== encoded.constructor || (encoded as Map<unknown, unknown>).size !== value.size) return false;
    const theirs = (encoded as Map<unknown, unknown>).entries();
    for (const [k, v] of (value as Map<unknown, unknown>).entries()) {
      const [ek, ev] = theirs.next().value as [unknown, unknown];
      if (!sameAsEncoded(k, ek, seen) || !sameAsEncoded(v, ev, seen)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return (encoded as Record<string, unknown>)[TAG] === undefined && sameFields(value, encoded, seen);
  if (value instanceof Date) return encoded instanceof Date && encoded.getTime() === value.getTime();
  if (value instanceof RegExp) return encoded instanceof RegExp && encoded.source === value.source && encoded.flags === value.flags;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer || !ArrayBuffer.isView(encoded) || encoded.constructor !== value.constructor) return false;
    const a = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const b = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (value instanceof Error) return false;
  const rec = encoded as Record<string, unknown>;
  const cls = (proto?.constructor as { name?: string } | undefined)?.name ?? "";
  if (rec[TAG] !== "instance" || rec.cls !== cls) return false;
  return sameFields(value, rec.fields, seen);
}

function sameFields(value: object, encoded: unknown, seen: Map<object, unknown>): boolean {
  if (encoded === null || typeof encoded !== "object") return false;
  const keys = Object.keys(value);
  const theirs = encoded as Record<string, unknown>;
  if (Object.keys(theirs).length !== keys.length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(theirs, k) || !sameAsEncoded((value as Record<string, unknown>)[k], theirs[k], seen)) return false;
  }
  return true;
}

function isUnavailable(encoded: unknown, what: string): boolean {
  return encoded !== null && typeof encoded === "object" && (encoded as Record<string, unknown>)[TAG] === "unavailable" &&
    (encoded as Record<string, unknown>).what === what;
}

/** A runtime object's handle data (already plain: ids, shared memory, encoded fields) against an earlier one. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return Object.is(a, b);
  // the same memory comes back as another object after a message: its id, beside it, tells objects apart
  if (a instanceof SharedArrayBuffer) return b instanceof SharedArrayBuffer && a.byteLength === b.byteLength;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Decodes `value` where some of what it encodes already has an object here
 * that must stay the same object (an earlier cell's `const` array, map or
 * object, in a worker that holds it): `keep` maps each encoded part to that
 * object. The kept object's contents are replaced by the decoded ones, and
 * every reference to the part inside `value` decodes to it, so identity
 * between the notebook's bindings survives. A part whose object cannot be
 * refilled (frozen, another kind, a runtime object) decodes as usual.
 */
export function decodeKeeping(value: unknown, keep: Map<unknown, object>, lookupClass: ClassLookup): unknown {
  const seen = new Map<object, unknown>();
  const refill: Array<[object, object]> = [];
  for (const [kept, target] of keep) {
    let part = kept;
    if (isStored(part)) {
      part = unstore(part); // decode meets the parsed value inside
      if (part instanceof Numbers) part = part.toArray();
    }
    if (part === null || typeof part !== "object" || !refillable(target, part)) continue;
    seen.set(part, target);
    refill.push([part, target]);
  }
  const out = decode(value, lookupClass, seen);
  for (const [part, target] of refill) {
    try {
      refillFrom(target, part, lookupClass, seen);
    } catch {
      // a field it will not let go of (non-configurable, a getter alone): the object keeps what it could not take
    }
  }
  return out;
}

function refillable(target: object, part: object): boolean {
  if (typeof (target as Partial<Shareable>)[SHARE] === "function" || Object.isSealed(target)) return false;
  if (Array.isArray(part)) return Array.isArray(target);
  if (part instanceof Map) return target instanceof Map;
  if (part instanceof Set) return target instanceof Set;
  if (part instanceof Date) return target instanceof Date;
  if (ArrayBuffer.isView(part)) {
    return ArrayBuffer.isView(target) && !(target instanceof DataView) && target.constructor === part.constructor &&
      (target as Uint8Array).length === (part as Uint8Array).length;
  }
  const proto = Object.getPrototypeOf(part);
  if (proto !== Object.prototype && proto !== null) return false;
  const rec = part as Record<string, unknown>;
  const targetProto = Object.getPrototypeOf(target);
  if (rec[TAG] === "instance") return (targetProto?.constructor as { name?: string } | undefined)?.name === rec.cls;
  return rec[TAG] === undefined && (targetProto === Object.prototype || targetProto === null);
}

function refillFrom(target: object, part: object, lookupClass: ClassLookup, seen: Map<object, unknown>): void {
  const d = (v: unknown) => decode(v, lookupClass, seen);
  if (Array.isArray(part)) {
    const t = target as unknown[];
    t.length = part.length;
    for (let i = 0; i < part.length; i++) t[i] = d(part[i]);
  } else if (part instanceof Map) {
    const t = target as Map<unknown, unknown>;
    t.clear();
    for (const [k, v] of part) t.set(d(k), d(v));
  } else if (part instanceof Set) {
    const t = target as Set<unknown>;
    t.clear();
    for (const v of part) t.add(d(v));
  } else if (part instanceof Date) {
    (target as Date).setTime(part.getTime());
  } else if (ArrayBuffer.isView(part)) {
    if ((target as Uint8Array).buffer !== part.buffer) (target as Uint8Array).set(part as Uint8Array);
  } else {
    const rec = part as Record<string, unknown>;
    const fields = (rec[TAG] === "instance" ? rec.fields : rec) as Record<string, unknown>;
    const t = target as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!Object.hasOwn(fields, k)) delete t[k];
    for (const k of Object.keys(fields)) setField(t, k, d(fields[k]));
  }
}
