// "sharedctypes": memory that threads really share, for the race-condition
// lessons. `counter.value += 1` is a read, then a write: from several
// threads at once it loses updates, exactly as the notes say; under
// getLock() it does not.
import { inspect } from "node:util";
import { PyTypeError, ValueError, OverflowError } from "./errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "./shared";
import { RLock } from "./locks";
import { decode, encode } from "./share";

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
interface Code {
  make: (b: SharedArrayBuffer, n: number) => Typed;
  bytes: number;
  int: boolean;
  big?: boolean;
  bool?: boolean;
}
/** Python's typecodes, with the sizes of C types on 64-bit Linux. */
const CODES: Record<string, Code> = {
  b: { make: (b, n) => new Int8Array(b, 0, n), bytes: 1, int: true },
  B: { make: (b, n) => new Uint8Array(b, 0, n), bytes: 1, int: true },
  c: { make: (b, n) => new Uint8Array(b, 0, n), bytes: 1, int: true },
  "?": { make: (b, n) => new Uint8Array(b, 0, n), bytes: 1, int: true, bool: true },
  h: { make: (b, n) => new Int16Array(b, 0, n), bytes: 2, int: true },
  H: { make: (b, n) => new Uint16Array(b, 0, n), bytes: 2, int: true },
  i: { make: (b, n) => new Int32Array(b, 0, n), bytes: 4, int: true },
  I: { make: (b, n) => new Uint32Array(b, 0, n), bytes: 4, int: true },
  l: { make: (b, n) => new BigInt64Array(b, 0, n), bytes: 8, int: true, big: true },
  L: { make: (b, n) => new BigUint64Array(b, 0, n), bytes: 8, int: true, big: true },
  q: { make: (b, n) => new BigInt64Array(b, 0, n), bytes: 8, int: true, big: true },
  Q: { make: (b, n) => new BigUint64Array(b, 0, n), bytes: 8, int: true, big: true },
  f: { make: (b, n) => new Float32Array(b, 0, n), bytes: 4, int: false },
  d: { make: (b, n) => new Float64Array(b, 0, n), bytes: 8, int: false },
};

function codeOf(typecode: unknown): Code {
  const c = typeof typecode === "string" ? CODES[typecode] : undefined;
  if (!c) throw new PyTypeError(`unknown typecode ${JSON.stringify(typecode)}: use one of ${Object.keys(CODES).join(" ")}`);
  return c;
}

function toStored(c: Code, v: unknown): number | bigint {
  if (c.bool) return v ? 1 : 0;
  if (typeof v !== "number" && typeof v !== "bigint" && typeof v !== "boolean") throw new PyTypeError(`expected a number, not ${typeof v}`);
  const n = Number(v);
  if (c.int && !Number.isInteger(n)) throw new PyTypeError("an integer is required for an integer typecode");
  if (c.big) {
    if (!Number.isSafeInteger(n)) throw new OverflowError("int too large to convert");
    return BigInt(n);
  }
  return n;
}

function fromStored(c: Code, v: number | bigint): number | boolean {
  return c.bool ? v !== 0 : Number(v);
}

interface Meta {
  typecode: string;
  length: number;
  /** The lock (an RLock) of a synchronized value, or null for Raw ones. */
  lock: unknown;
}

// ---- Value / RawValue ------------------------------------------------------

export class RawValue {
  declare readonly id: number;
  declare protected readonly cell: Typed;
  declare protected readonly code: Code;
  declare readonly typecode: string;

  constructor(typecode: string, initial: unknown = 0) {
    const c = codeOf(typecode);
    initValue(this, allocateBytes(new.target.name, c.bytes), { typecode, length: 1, lock: null });
    this.value = initial as number;
  }
  get value(): number | boolean {
    return fromStored(this.code, this.cell[0]);
  }
  set value(v: number | boolean) {
    (this.cell as unknown as Array<number | bigint>)[0] = toStored(this.code, v);
  }
  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.typecode)}, ${String(this.value)})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A value with a lock, like Python's synchronized Value: reading and writing
 * `.value` each take the lock, but `v.value += 1` is still a read and then a
 * write, with the lock let go in between, so threads doing it at once still
 * lose updates; hold getLock() around the whole update to keep them.
 */
export class Value extends RawValue {
  declare private readonly lock: RLock | null;
  override get value(): number | boolean {
    if (!this.lock) return super.value;
    this.lock.acquire();
    try {
      return super.value;
    } finally {
      this.lock.release();
    }
  }
  override set value(v: number | boolean) {
    if (!this.lock) {
      super.value = v;
      return;
    }
    this.lock.acquire();
    try {
      super.value = v;
    } finally {
      this.lock.release();
    }
  }
  constructor(typecode: string, initial: unknown = 0, options: { lock?: boolean | RLock } = {}) {
    super(typecode, initial);
    hidden(this, { lock: options.lock === false ? null : options.lock instanceof RLock ? options.lock : new RLock() });
  }
  /** The lock that makes `value += 1` safe: `using _ = v.getLock().hold()`. */
  getLock(): RLock {
    if (!this.lock) throw new PyTypeError("this Value was made with { lock: false }: it has no lock");
    return this.lock;
  }
}

function allocateBytes(kind: string, bytes: number): SharedState {
  return allocate(kind, Math.ceil(bytes / 4) + (bytes % 8 === 0 ? 0 : 1));
}

function initValue(v: RawValue, state: SharedState, meta: Meta): RawValue {
  const c = codeOf(meta.typecode);
  hidden(v, { id: state.id, cell: c.make(state.buffer, 1), code: c, typecode: meta.typecode, lock: meta.lock });
  const kind = v instanceof Value ? "Value" : "RawValue";
  return adopt(v, kind, state, () => ({ ...meta, lock: encode((v as unknown as { lock: unknown }).lock ?? null) }));
}
defineKind("RawValue", (state, extra, lookup) => {
  const m = extra as Meta;
  return initValue(Object.create(RawValue.prototype) as RawValue, state, { ...m, lock: decode(m.lock, lookup) });
});
defineKind("Value", (state, extra, lookup) => {
  const m = extra as Meta;
  return initValue(Object.create(Value.prototype) as RawValue, state, { ...m, lock: decode(m.lock, lookup) });
});

// ---- Array / RawArray -----------------------------------------------------

export interface SharedArray extends Iterable<number | boolean> {
  [index: number]: number | boolean;
  readonly length: number;
  readonly typecode: string;
  getLock(): RLock;
  toArray(): Array<number | boolean>;
}

function makeArray(kind: "Array" | "RawArray", typecode: string, sizeOrValues: number | ArrayLike<unknown>, lock: RLock | null): SharedArray {
  const c = codeOf(typecode);
  const values = typeof sizeOrValues === "number" ? null : Array.from(sizeOrValues);
  const length = values ? values.length : sizeOrValues;
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0) throw new ValueError("array size must be a non-negative integer");
  const state = allocateBytes(kind, Math.max(1, length) * c.bytes);
  const arr = wrapArray(kind, state, { typecode, length, lock });
  values?.forEach((v, i) => (arr[i] = v as number));
  return arr;
}

function wrapArray(kind: "Array" | "RawArray", state: SharedState, meta: Meta): SharedArray {
  const c = codeOf(meta.typecode);
  const cells = c.make(state.buffer, meta.length) as unknown as Array<number | bigint>;
  const lock = meta.lock as RLock | null;
  const base = {
    typecode: meta.typecode,
    length: meta.length,
    getLock(): RLock {
      if (!lock) throw new PyTypeError(`a ${kind} made without a lock has none`);
      return lock;
    },
    toArray: () => Array.from(cells, (v) => fromStored(c, v)),
    *[Symbol.iterator]() {
      for (const v of cells) yield fromStored(c, v);
    },
    [inspect.custom]: () => `${kind}(${JSON.stringify(meta.typecode)}, ${inspect(Array.from(cells, (v) => fromStored(c, v)))})`,
  };
  const index = (k: PropertyKey) => (typeof k === "string" && /^\d+$/.test(k) ? Number(k) : -1);
  const proxy = new Proxy(base, {
    get(t, k, r) {
      const i = index(k);
      if (i < 0) return Reflect.get(t, k, r);
      if (i >= meta.length) return undefined;
      return fromStored(c, cells[i]);
    },
    set(t, k, v) {
      const i = index(k);
      if (i < 0) return Reflect.set(t, k, v);
      if (i >= meta.length) throw new RangeError(`index ${i} out of range for a ${kind} of length ${meta.length}`);
      cells[i] = toStored(c, v);
      return true;
    },
  }) as unknown as SharedArray;
  return adopt(proxy, kind, state, () => ({ ...meta, lock: encode(lock) }));
}
for (const kind of ["Array", "RawArray"] as const) {
  defineKind(kind, (state, extra, lookup) => {
    const m = extra as Meta;
    return wrapArray(kind, state, { ...m, lock: decode(m.lock, lookup) });
  });
}

/** Python's sharedctypes.Array(typecode, size_or_initializer, lock=True). */
export function SharedArrayOf(typecode: string, sizeOrValues: number | ArrayLike<unknown>, options: { lock?: boolean | RLock } = {}): SharedArray {
  const lock = options.lock === false ? null : options.lock instanceof RLock ? options.lock : new RLock();
  return makeArray("Array", typecode, sizeOrValues, lock);
}

export function RawArray(typecode: string, sizeOrValues: number | ArrayLike<unknown>): SharedArray {
  return makeArray("RawArray", typecode, sizeOrValues, null);
}
