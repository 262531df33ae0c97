// Values stored as bytes in shared memory (queue items, future results), so
// that any thread can take them without a message to it. A value is first
// encoded as for any crossing (share.ts: copies of plain data, handles for
// runtime objects), then serialized by V8. Handles hold SharedArrayBuffers,
// which bytes cannot: each one is written as a kernel-wide id, and a thread
// that reads an id it has not met asks the kernel for that buffer, once.
import { serialize, deserialize } from "node:v8";
import { globalSlots, job, rpc, send } from "./context";
import { decode, encode } from "./share";
import { hereLookup } from "./scope";
import { G } from "./state";

const idOf = new WeakMap<SharedArrayBuffer, number>();
const byId = new Map<number, SharedArrayBuffer>();

const MARK = "__concnb_buffer__";

/** The id every thread knows `buffer` by; the kernel keeps it for threads that meet the id first. */
function idOfBuffer(buffer: SharedArrayBuffer): number {
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
function withoutBuffers(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof SharedArrayBuffer) return { [MARK]: idOfBuffer(v) };
  if (Array.isArray(v)) return v.map(withoutBuffers);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [withoutBuffers(k), withoutBuffers(x)]));
  if (v instanceof Set) return new Set([...v].map(withoutBuffers));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // Dates, typed arrays, errors: V8 copies them
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = withoutBuffers((v as Record<string, unknown>)[k]);
  return out;
}

function withBuffers(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = withBuffers(v[i]);
    return v;
  }
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [withBuffers(k), withBuffers(x)]));
  if (v instanceof Set) return new Set([...v].map(withBuffers));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const rec = v as Record<string, unknown>;
  if (typeof rec[MARK] === "number") return bufferOf(rec[MARK]);
  for (const k of Object.keys(rec)) rec[k] = withBuffers(rec[k]);
  return rec;
}

/** The bytes of a value, as another thread will unpack it. */
export function pack(value: unknown): Uint8Array {
  return serialize(withoutBuffers(encode(value)));
}

/** The value of bytes made by pack (in any thread): plain data copied, runtime objects the same ones. */
export function unpack(bytes: Uint8Array): unknown {
  return decode(withBuffers(deserialize(bytes)), hereLookup());
}

function bufferOf(id: number): SharedArrayBuffer {
  let b = byId.get(id);
  if (!b) {
    b = rpc({ type: "rpc", op: "buffer", programId: job().ctx.programId, bufferId: id }) as SharedArrayBuffer;
    byId.set(id, b);
    idOf.set(b, id);
  }
  return b;
}
