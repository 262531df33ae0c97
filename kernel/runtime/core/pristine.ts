// Whether a job changed what every later job of this worker would see: the
// globals and the built-in objects (`globalThis.y = 1`, `Array.prototype.x`,
// `Math.random = ...`, `process.on(...)`). A worker whose job changed them is
// retired instead of reused, so a cell never sees what another cell's program
// (on the same worker, by chance) left there. Taken once at boot, checked at
// the end of each job, after its jobDone. After a cell's main program every
// watched property is compared by identity (some 900, about 40 µs); after a
// thread, whose start+join is a hot path, only what is cheap to see (about
// 5 µs): a property added by assignment to the common prototypes, a global,
// Math or console member added or replaced.

interface Watched {
  obj: object;
  keys: Array<string | symbol>;
  /** Per key: the value of a data property, or the getter and setter of an accessor. */
  values: unknown[];
  accessors: boolean[];
  extensible: boolean;
  /** How many enumerable own keys (Object.keys): an assignment `Array.prototype.x = 1` adds one. */
  enumerable: number;
}

let watched: Watched[] = [];
let listeners = "";

/**
 * The language's own built-ins (and console), each with its prototype: what a learner patches
 * (`Array.prototype.sum`, `Math.random`, `console.log`). The web APIs Node adds (URL, fetch's classes, ...) are
 * left out: a third of the cost of the check for what lessons do not touch.
 */
const BUILTINS = [
  "Object", "Function", "Array", "Number", "Boolean", "String", "Symbol", "BigInt", "Promise", "Map", "Set", "WeakMap",
  "WeakSet", "WeakRef", "FinalizationRegistry", "Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError",
  "TypeError", "URIError", "AggregateError", "RegExp", "Date", "JSON", "Math", "Reflect", "Atomics", "ArrayBuffer",
  "SharedArrayBuffer", "DataView", "console",
];

function builtins(): object[] {
  const g = globalThis as unknown as Record<string, unknown>;
  const out = new Set<object>([globalThis]);
  for (const name of BUILTINS) {
    const v = g[name];
    if (typeof v !== "function" && (typeof v !== "object" || v === null)) continue;
    out.add(v);
    const proto = (v as { prototype?: unknown }).prototype;
    if (typeof proto === "object" && proto !== null) out.add(proto);
  }
  // the prototypes no global names: typed arrays', iterators', generators'
  const more = [
    Object.getPrototypeOf(Int8Array), Object.getPrototypeOf(Int8Array.prototype),
    Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}),
  ];
  for (const o of more) if (o) out.add(o as object);
  return [...out];
}

function snapshot(obj: object, only?: ReadonlySet<string | symbol>): Watched {
  // globalThis's accessors are Node's lazy globals (fetch, navigator, ...), which replace themselves when first
  // read: a change to them is not the learner's, and reading the global object's properties is what costs most
  const keys = Reflect.ownKeys(obj).filter(
    (k) => (!only || only.has(k)) && (obj !== globalThis || "value" in Reflect.getOwnPropertyDescriptor(obj, k)!),
  );
  const values: unknown[] = [];
  const accessors: boolean[] = [];
  for (const k of keys) {
    const d = Reflect.getOwnPropertyDescriptor(obj, k)!;
    const accessor = !("value" in d);
    accessors.push(accessor);
    values.push(accessor ? d.get : d.value);
  }
  return { obj, keys, values, accessors, extensible: Object.isExtensible(obj), enumerable: Object.keys(obj).length };
}

function processListeners(): string {
  return process.eventNames().map((n) => `${String(n)}:${process.listenerCount(n)}`).join(",");
}

let cheap: Watched[] = [];
let cheapKeys: Watched[] = [];

/** Takes the state every job must leave as it found it: after the runtime is installed, before any job. */
export function takePristine(): void {
  watched = builtins().map((o) => snapshot(o));
  // what a learner replaces (setTimeout, Math.random, console.log): checked by identity after every job
  const globals = new Set<string | symbol>([...Object.keys(globalThis), ...BUILTINS]);
  cheap = [snapshot(globalThis, globals), snapshot(Math), snapshot(console)];
  const patched = [Object, Array, Function, String, Number, Promise, Map, Set].map((c) => c.prototype as object);
  cheapKeys = watched.filter((w) => patched.includes(w.obj));
  listeners = processListeners();
}

/** An object with this many enumerable keys (console) is checked for replaced ones only. */
const FEW = 4;

/** Whether an object has the keys it had (enumerable ones, which an assignment makes), and not only after Object.keys. */
function sameKeys(w: Watched): boolean {
  if (Object.isExtensible(w.obj) !== w.extensible) return false;
  // Object.keys, not Reflect.ownKeys: built-ins have next to no enumerable keys, so this costs little, and an
  // assignment makes one (a property defined non-enumerable with Object.defineProperty is not seen)
  return (w.enumerable >= FEW && w.obj !== globalThis) || Object.keys(w.obj).length === w.enumerable;
}

function sameValues(w: Watched): boolean {
  const { obj, keys, values, accessors } = w;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (accessors[i]) {
      const d = Reflect.getOwnPropertyDescriptor(obj, k);
      if (!d || d.get !== values[i]) return false;
    } else if (!Object.is((obj as Record<string | symbol, unknown>)[k], values[i])) {
      return false; // (a data property made a getter is read through it: caught when its value differs)
    }
  }
  return true;
}

/** Whether anything watched differs from boot (`full`: every property, else what is cheap): then this worker must not run another job. */
export function tainted(full: boolean): boolean {
  try {
    if (full) {
      for (const w of watched) if (!sameKeys(w) || !sameValues(w)) return true;
    } else {
      for (const w of cheapKeys) if (!sameKeys(w)) return true;
      for (const w of cheap) if (!sameKeys(w) || !sameValues(w)) return true;
    }
  } catch {
    return true; // a getter put there throws: changed
  }
  return processListeners() !== listeners;
}
