// The bytes of a value stored in shared memory (runtime/core/transfer). Node's
// v8.serialize costs microseconds and garbage for every small item, and a
// queue or a future moves millions of small items; this writes the common
// shapes (numbers, strings, booleans, null, arrays, plain objects, shared
// buffers) itself, into one reused scratch buffer, and hands anything else
// (Maps, Dates, typed arrays, cycles, shared sub-objects) to V8 whole.
import { serialize, deserialize } from "node:v8";
import { setField } from "./share";

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

/**
 * A value the fast path does not write: the caller falls back to V8 for the whole value. Made once
 * (its stack is taken here, not at each throw) and caught in toBytes, by identity.
 */
const NOT_SIMPLE = new Error("not simple");

let scratch = new Uint8Array(4096);
let data = new DataView(scratch.buffer);
let at = 0;
/** The objects met while writing one value (one Set for every call: toBytes is not re-entered). */
const seenObjects = new Set<object>();
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
  const n = s.length;
  room(5 + n * 3);
  if (n <= 32) {
    // short strings (keys, names) are mostly ASCII: encodeInto's call costs more than the loop
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      scratch[at + 4 + i] = c;
    }
    if (i === n) {
      data.setUint32(at, n, true);
      at += 4 + n;
      return;
    }
  }
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
    case "bigint":
    case "function":
    case "symbol":
      throw NOT_SIMPLE;
  }
}

/** The bytes of v (already encoded for crossing: data, handles, buffers). */
export function toBytes(v: unknown, bufferId: (b: SharedArrayBuffer) => number, viaV8: (v: unknown) => unknown): Uint8Array {
  at = 0;
  try {
    write(v, seenObjects, bufferId);
    return scratch.slice(0, at);
  } catch (e) {
    if (e !== NOT_SIMPLE) throw e;
  } finally {
    seenObjects.clear();
  }
  const body = serialize(viaV8(v));
  const out = new Uint8Array(body.length + 1);
  out[0] = Tag.V8;
  out.set(body, 1);
  return out;
}

/** The value of bytes made by toBytes. */
export function fromBytes(bytes: Uint8Array, buffer: (id: number) => SharedArrayBuffer, fromV8: (v: unknown) => unknown): unknown {
  // V8 reads its own copy (the bytes may be shared memory, read in place)
  if (bytes[0] === Tag.V8) return fromV8(deserialize(bytes.slice(1)));
  input = bytes;
  inputView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  p = 0;
  bufferOf = buffer;
  try {
    return read();
  } finally {
    input = EMPTY;
    bufferOf = noBuffers;
  }
}

// the reader's state, module-wide as the writer's (no closures per value read: a queue reads millions)
const EMPTY = new Uint8Array(0);
const noBuffers = (): SharedArrayBuffer => {
  throw new Error("no buffer lookup");
};
let input: Uint8Array = EMPTY;
let inputView: DataView = new DataView(EMPTY.buffer);
let p = 0;
let bufferOf: (id: number) => SharedArrayBuffer = noBuffers;

function readString(): string {
  const n = inputView.getUint32(p, true);
  p += 4;
  const end = p + n;
  if (n > 32) {
    const s = fromUtf8.decode(input.subarray(p, end));
    p = end;
    return s;
  }
  // short strings (keys, names) are mostly ASCII: TextDecoder's call costs more than the loop
  let s = "";
  for (let i = p; i < end; i++) {
    const c = input[i];
    if (c > 0x7f) {
      s = fromUtf8.decode(input.subarray(p, end));
      break;
    }
    s += String.fromCharCode(c);
  }
  p = end;
  return s;
}

function read(): unknown {
  const tag = input[p++];
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
      return inputView.getInt32(p - 4, true);
    case Tag.Float:
      p += 8;
      return inputView.getFloat64(p - 8, true);
    case Tag.String:
      return readString();
    case Tag.Buffer:
      p += 4;
      return bufferOf(inputView.getUint32(p - 4, true));
    case Tag.Array: {
      const n = inputView.getUint32(p, true);
      p += 4;
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = read();
      return a;
    }
    case Tag.Object: {
      const n = inputView.getUint32(p, true);
      p += 4;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = readString();
        setField(o, k, read());
      }
      return o;
    }
    default:
      throw new Error(`corrupt stored value (tag ${tag})`);
  }
}
