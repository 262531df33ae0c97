// "sharedctypes": memory that threads really share, for the race-condition
// lessons. `counter.value += 1` is a read, then a write: from several
// threads at once it loses updates, exactly as the notes say; under
// getLock() it does not.
import { inspect } from "node:util";
import { PyTypeError, ValueError, OverflowError } from "../../core/errors";
import { allocate, adopt, defineKind, hidden, type SharedState } from "../../core/shared";
import { RLock } from "../../threading/locks";
import { decode, encode } from "../../core/share";

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
interface Code {
  make: (b: SharedArrayBuffer, n: number) => Typed;
  bytes: number;
  int: boolean;
  big?: boolean;
  bool?: boolean;
}
/** A typecode: Python's letter for a C type ("i" a C int, "d" a double, "?" a bool, "q" a long long, ...). */
export type Typecode = "b" | "B" | "c" | "?" | "h" | "H" | "i" | "I" | "l" | "L" | "q" | "Q" | "f" | "d";
/** What a shared value of a typecode reads as: a boolean for "?", a number for every other. */
export type ValueOf<C extends Typecode> = C extends "?" ? boolean : number;
/** The typecodes of numbers: a plain `Value` in a type (`counter: Value`) is a numeric one. */
export type NumberTypecode = Exclude<Typecode, "?">;

/** Python's typecodes, with the sizes of C types on 64-bit Linux. */
const CODES: Record<Typecode, Code> = {
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
  const c = typeof typecode === "string" ? (CODES as Record<string, Code | undefined>)[typecode] : undefined;
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

/**
 * Python's sharedctypes.RawValue, `new RawValue("i", 0)`: one value of a C type in memory every thread shares, with no
 * lock. TypeError for an unknown typecode.
 */
export class RawValue<C extends Typecode = NumberTypecode> {
  /** Its kernel-wide id: how it travels to other threads. @internal */
  declare readonly id: number;
  declare protected readonly cell: Typed;
  declare protected readonly code: Code;
  /** Its typecode, as given: "i" a C int, "d" a double, and so on. */
  declare readonly typecode: C;

  constructor(typecode: C, initial: ValueOf<C> | number = 0) {
    const c = codeOf(typecode);
    initValue(this, allocateBytes(new.target.name, c.bytes), { typecode, length: 1, lock: null });
    this.value = initial as ValueOf<C>;
  }
  /** The value in the shared memory now. Writing raises TypeError for a non-number, or a fraction for an integer typecode. */
  get value(): ValueOf<C> {
    return fromStored(this.code, this.cell[0]) as ValueOf<C>;
  }
  set value(v: ValueOf<C>) {
    (this.cell as unknown as Array<number | bigint>)[0] = toStored(this.code, v);
  }
  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.typecode)}, ${String(this.value)})`;
  }
  /** @internal */
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
export class Value<C extends Typecode = NumberTypecode> extends RawValue<C> {
  declare private readonly lock: RLock | null;
  /** The value now; each read and each write takes the lock, but `v.value += 1` is two steps: hold getLock() around it. */
  override get value(): ValueOf<C> {
    if (!this.lock) return super.value;
    this.lock.acquire();
    try {
      return super.value;
    } finally {
      this.lock.release();
    }
  }
  override set value(v: ValueOf<C>) {
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
  constructor(typecode: C, initial: ValueOf<C> | number = 0, options: { lock?: boolean | RLock } = {}) {
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

function initValue(v: RawValue<Typecode>, state: SharedState, meta: Meta): RawValue<Typecode> {
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

/** What Array() and RawArray() give: a fixed number of C values in memory every thread shares; iterable. */
export interface SharedArray<T extends number | boolean = number | boolean> extends Iterable<T> {
  /** The item at an index, read from or written to the shared memory; writing past the end raises RangeError. */
  [index: number]: T;
  /** How many items it has, fixed when it was made. */
  readonly length: number;
  /** Its typecode, as given: "i" a C int, "d" a double, and so on. */
  readonly typecode: Typecode;
  /** The RLock that guards it: `using _ = arr.getLock().hold()`. TypeError for a RawArray or one made with `{ lock: false }`. */
  getLock(): RLock;
  /** A plain array, a copy of its items now. */
  toArray(): T[];
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

/** Array's signature, called as Python calls it (`Array("i", 4)`) or with `new`, as a class would be. */
interface ArrayMaker {
  <C extends Typecode>(typecode: C, sizeOrValues: number | ArrayLike<ValueOf<C>>, options?: { lock?: boolean | RLock }): SharedArray<ValueOf<C>>;
  new <C extends Typecode>(typecode: C, sizeOrValues: number | ArrayLike<ValueOf<C>>, options?: { lock?: boolean | RLock }): SharedArray<ValueOf<C>>;
}

/** Python's sharedctypes.Array(typecode, size_or_initializer, lock=True). */
export const SharedArrayOf = function Array(typecode: Typecode, sizeOrValues: number | ArrayLike<unknown>, options: { lock?: boolean | RLock } = {}): SharedArray {
  const lock = options.lock === false ? null : options.lock instanceof RLock ? options.lock : new RLock();
  return makeArray("Array", typecode, sizeOrValues, lock);
} as ArrayMaker;

/**
 * Python's sharedctypes.RawArray: Array() without a lock, `RawArray("i", 10)` (ten zeros) or `RawArray("d", [1, 2])`.
 * ValueError for a negative size, TypeError for an unknown typecode.
 */
export function RawArray<C extends Typecode>(typecode: C, sizeOrValues: number | ArrayLike<ValueOf<C>>): SharedArray<ValueOf<C>> {
  return makeArray("RawArray", typecode, sizeOrValues, null) as SharedArray<ValueOf<C>>;
}
