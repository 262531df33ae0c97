// Big plain values kept once, as bytes in shared memory (StoredValue): written here, and parsed here, once per
// StoredValue, where a thread reads them. share.ts decides which values are stored; the encoder it passes in is
// its own (a parameter, so that the two files do not import each other).
import { deserialize, serialize } from "node:v8";
import { collect } from "./gc";
import type { StoredValue } from "../../protocol/worker";

/**
 * The value serialized into shared memory; null if it does not fit (the memory budget) or V8 cannot. An array of
 * numbers is written as float64s: V8 would write a tag per element, and parse a long array back into one that
 * takes five times the memory (a dictionary of its elements).
 */
export function store(value: unknown, encode: (value: unknown) => unknown): StoredValue | null {
  try {
    if (Array.isArray(value) && allNumbers(value)) {
      const bytes = new SharedArrayBuffer(value.length * 8);
      new Float64Array(bytes).set(value);
      return { __concnb_shared__: "stored", bytes, numbers: true };
    }
    const body = serialize(encode(value));
    const bytes = new SharedArrayBuffer(body.length);
    new Uint8Array(bytes).set(body);
    return { __concnb_shared__: "stored", bytes };
  } catch {
    return null;
  }
}

/**
 * A stored value parsed, once per StoredValue object: a worker that holds a link compares its bindings against
 * the values it was sent (runtime/core/bindings), which for a stored one is this parse.
 */
const parsed = new WeakMap<object, unknown>();
function allNumbers(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== "number") return false;
  return true;
}

/** A stored array of numbers, parsed: what a binding of it is compared against and decoded from. */
export class Numbers {
  constructor(readonly items: Float64Array) {}
  /** The array, packed (one push per element: a preallocated `new Array(n)` would be holey, or a dictionary). */
  toArray(): number[] {
    const out: number[] = [];
    const f = this.items;
    for (let i = 0; i < f.length; i++) out.push(f[i]);
    // the stores that pushing outgrew are as much again: given back now, not after the thread's next allocations
    if (f.length >= 8e6) collect();
    return out;
  }
  same(a: unknown[]): boolean {
    const f = this.items;
    if (a.length !== f.length) return false;
    for (let i = 0; i < f.length; i++) if (!Object.is(a[i], f[i])) return false;
    return true;
  }
}

export function unstore(s: StoredValue): unknown {
  // from a copy of the bytes: Node's deserializer makes a typed array a view of the bytes it reads, which would
  // be a typed array shared for real by every thread that reads the binding
  if (!parsed.has(s)) {
    const copy = new Uint8Array(s.bytes).slice();
    parsed.set(s, s.numbers ? new Numbers(new Float64Array(copy.buffer)) : deserialize(copy));
  }
  return parsed.get(s);
}
