// Values stored as bytes in shared memory (queue items, future results), so
// that any thread can take them without a message to it. A value is first
// encoded as for any crossing (share.ts: copies of plain data, handles for
// runtime objects), then serialized by V8. Handles hold SharedArrayBuffers,
// which bytes cannot: each one is written as a kernel-wide id, and a thread
// that reads an id it has not met asks the kernel for that buffer, once.
import { fromBytes, toBytes } from "./codec";
import { globalSlots, rpc, send } from "./context";
import { decode, encode, setField } from "./share";
import { hereLookup } from "./scope";
import { G } from "../../protocol/layout";

const idOf = new WeakMap<SharedArrayBuffer, number>();
const byId = new Map<number, SharedArrayBuffer>();

const MARK = "__concnb_buffer__";

/** The id every thread knows `buffer` by; the kernel keeps it for threads that meet the id first. */
export function idOfBuffer(buffer: SharedArrayBuffer): number {
  let id = idOf.get(buffer);
  if (id === undefined) {
    id = Atomics.add(globalSlots, G.BufferId, 1) + 1;
    idOf.set(buffer, id);
    byId.set(id, buffer);
    send({ type: "buffer", id, buffer });
  }
  return id;
}

/**
 * The encoded value with each SharedArrayBuffer replaced by a mark holding its
 * id: V8's serializer hands shared buffers to a delegate that Node's
 * deserializer cannot answer, so they never reach it.
 */
function withoutBuffers(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof SharedArrayBuffer) return { [MARK]: idOfBuffer(v) };
  if (seen.has(v)) return seen.get(v); // cycles and shared parts stay so: V8 keeps them
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(withoutBuffers(x, seen));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(withoutBuffers(k, seen), withoutBuffers(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(withoutBuffers(x, seen));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // Dates, typed arrays, errors: V8 copies them
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) setField(out, k, withoutBuffers((v as Record<string, unknown>)[k], seen));
  return out;
}

/** Puts the buffers back in place of their marks, in place (the value is fresh from V8). */
function withBuffers(v: unknown, seen = new Set<object>()): unknown {
  if (v === null || typeof v !== "object") return v;
  const proto = Object.getPrototypeOf(v);
  const plain = proto === Object.prototype || proto === null;
  if (plain && typeof (v as Record<string, unknown>)[MARK] === "number") return bufferOf((v as Record<string, number>)[MARK]);
  if (seen.has(v)) return v;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = withBuffers(v[i], seen);
  } else if (v instanceof Map) {
    for (const [k, x] of [...v]) {
      v.delete(k);
      v.set(withBuffers(k, seen), withBuffers(x, seen));
    }
  } else if (v instanceof Set) {
    const items = [...v];
    v.clear();
    for (const x of items) v.add(withBuffers(x, seen));
  } else if (plain) {
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) rec[k] = withBuffers(rec[k], seen);
  }
  return v;
}

/** The bytes of a value, as another thread will unpack it. */
export function pack(value: unknown): Uint8Array {
  return toBytes(encode(value), idOfBuffer, withoutBuffers);
}

/** The value of bytes made by pack (in any thread): plain data copied, runtime objects the same ones. */
export function unpack(bytes: Uint8Array): unknown {
  return decode(fromBytes(bytes, bufferOf, withBuffers), hereLookup());
}

/** The buffer of an id made by idOfBuffer, in any thread. */
export function bufferOf(id: number): SharedArrayBuffer {
  let b = byId.get(id);
  if (!b) {
    b = rpc("buffer", { bufferId: id });
    byId.set(id, b);
    idOf.set(b, id);
  }
  return b;
}
