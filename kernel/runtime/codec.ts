// The bytes of a value stored in shared memory (runtime/transfer). Node's
// v8.serialize costs microseconds and garbage for every small item, and a
// queue or a future moves millions of small items; this writes the common
// shapes (numbers, strings, booleans, null, arrays, plain objects, shared
// buffers) itself, into one reused scratch buffer, and hands anything else
// (Maps, Dates, typed arrays, cycles, shared sub-objects) to V8 whole.
import { serialize, deserialize } from "node:v8";

const enum Tag {
  Undefined = 0,
  Null = 1,
  True = 2,
  False = 3,
  Int = 4,
  Float = 5,
  String = 6,
  Array = 7,
  Object = 8,
  Buffer = 9,
  /** The whole value, serialized by V8 (the first byte of anything this codec did not write itself). */
  V8 = 10,
}

/** A value the fast path does not write: the caller falls back to V8 for the whole value. */
const NOT_SIMPLE = Symbol("not simple");

let scratch = new Uint8Array(4096);
let data = new DataView(scratch.buffer);
let at = 0;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function room(n: number): void {
  if (at + n <= scratch.length) return;
  const bigger = new Uint8Array(Math.max(scratch.length * 2, at + n));
  bigger.set(scratch.subarray(0, at));
  scratch = bigger;
  data = new DataView(scratch.buffer);
}

function writeString(s: string): void {
  room(5 + s.length * 3);
  const { written } = utf8.encodeInto(s, scratch.subarray(at + 4));
  data.setUint32(at, written, true);
  at += 4 + written;
}

function write(v: unknown, seen: Set<object>, bufferId: (b: SharedArrayBuffer) => number): void {
  room(9);
  switch (typeof v) {
    case "undefined":
      scratch[at++] = Tag.Undefined;
      return;
    case "boolean":
      scratch[at++] = v ? Tag.True : Tag.False;
      return;
    case "number":
      if ((v | 0) === v && !Object.is(v, -0)) {
        scratch[at++] = Tag.Int;
        data.setInt32(at, v, true);
        at += 4;
      } else {
        scratch[at++] = Tag.Float;
        data.setFloat64(at, v, true);
        at += 8;
      }
      return;
    case "string":
      scratch[at++] = Tag.String;
      writeString(v);
      return;
    case "object": {
      if (v === null) {
        scratch[at++] = Tag.Null;
        return;
      }
      if (v instanceof SharedArrayBuffer) {
        scratch[at++] = Tag.Buffer;
        data.setUint32(at, bufferId(v), true);
        at += 4;
        return;
      }
      if (seen.has(v)) throw NOT_SIMPLE; // shared or cyclic: V8 keeps such graphs as they are
      seen.add(v);
      if (Array.isArray(v)) {
        scratch[at++] = Tag.Array;
        data.setUint32(at, v.length, true);
        at += 4;
        for (let i = 0; i < v.length; i++) write(v[i], seen, bufferId);
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw NOT_SIMPLE;
      const keys = Object.keys(v);
      scratch[at++] = Tag.Object;
      data.setUint32(at, keys.length, true);
      at += 4;
      for (const k of keys) {
        writeString(k);
        write((v as Record<string, unknown>)[k], seen, bufferId);
      }
      return;
    }
    default:
      throw NOT_SIMPLE;
  }
}

/** The bytes of v (already encoded for crossing: data, handles, buffers). */
export function toBytes(v: unknown, bufferId: (b: SharedArrayBuffer) => number, viaV8: (v: unknown) => unknown): Uint8Array {
  at = 0;
  try {
    write(v, new Set(), bufferId);
    return scratch.slice(0, at);
  } catch (e) {
    if (e !== NOT_SIMPLE) throw e;
  }
  const body = serialize(viaV8(v));
  const out = new Uint8Array(body.length + 1);
  out[0] = Tag.V8;
  out.set(body, 1);
  return out;
}

/** The value of bytes made by toBytes. */
export function fromBytes(bytes: Uint8Array, buffer: (id: number) => SharedArrayBuffer, fromV8: (v: unknown) => unknown): unknown {
  if (bytes[0] === Tag.V8) return fromV8(deserialize(bytes.subarray(1)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const str = (): string => {
    const n = view.getUint32(p, true);
    const s = fromUtf8.decode(bytes.subarray(p + 4, p + 4 + n));
    p += 4 + n;
    return s;
  };
  const read = (): unknown => {
    const tag = bytes[p++];
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.True:
        return true;
      case Tag.False:
        return false;
      case Tag.Int:
        p += 4;
        return view.getInt32(p - 4, true);
      case Tag.Float:
        p += 8;
        return view.getFloat64(p - 8, true);
      case Tag.String:
        return str();
      case Tag.Buffer:
        p += 4;
        return buffer(view.getUint32(p - 4, true));
      case Tag.Array: {
        const n = view.getUint32(p, true);
        p += 4;
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = read();
        return a;
      }
      case Tag.Object: {
        const n = view.getUint32(p, true);
        p += 4;
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = str();
          o[k] = read();
        }
        return o;
      }
      default:
        throw new Error(`corrupt stored value (tag ${tag})`);
    }
  };
  return read();
}
