// The memory budget, inside a worker. V8's heap limit does not see
// ArrayBuffers (typed arrays, Buffers, SharedArrayBuffers live outside the
// heap), so every way a cell makes one is checked here before it is made:
// when the kernel's threads would pass the budget, the allocation raises
// MemoryError where it was written, as Python's does. What escapes these
// checks (memory made by other means, a heap growing in a tight loop) the
// kernel's watchdog (kernel/memory) sees in the process's RSS.
import { BUDGET_SETTING, formatBytes, M, W } from "../../protocol/memory";
import { boot, job } from "./context";
import { MemoryError } from "./errors";
import { collect } from "./gc";

const mem = new Int32Array(boot.memory);
const mine = M.Workers + boot.memorySlot * W.Size;
const KB = 1024;
const MB = 2 ** 20;
/** Small allocations are summed and checked together: measuring costs about 10 µs. */
const CHECK_EVERY = 8 * MB;
let since = 0;

/** What this worker holds, as process.memoryUsage() says it (per isolate in a worker, except rss). */
function measure(): { total: number; buffers: number } {
  const u = process.memoryUsage();
  // SharedArrayBuffers count in arrayBuffers but not in external; strings kept outside the heap only in external
  const buffers = Math.max(u.external, u.arrayBuffers);
  return { total: u.heapTotal + buffers, buffers };
}

/**
 * Measures this worker and writes it where the kernel and the other workers read it, with `claim` bytes
 * about to be allocated: counted before they exist, they are never counted twice (once here, once in the
 * process's RSS beyond what workers published, which the kernel charges to its own overhead).
 */
export function publish(claim = 0, m = measure()): { total: number; buffers: number } {
  if (boot.memorySlot >= 0) {
    Atomics.store(mem, mine + W.TotalKb, Math.ceil((m.total + claim) / KB));
    Atomics.store(mem, mine + W.BuffersKb, Math.ceil((m.buffers + claim) / KB));
  }
  return m;
}

/** What the kernel's process and every other worker hold, as last published. */
function others(): number {
  let kb = Atomics.load(mem, M.OverheadKb);
  const end = Atomics.load(mem, M.SlotsUsed);
  for (let i = 0; i < end; i++) if (i !== boot.memorySlot) kb += Atomics.load(mem, M.Workers + i * W.Size + W.TotalKb);
  return kb * KB;
}


function threadName(): string {
  try {
    return job().desc.name;
  } catch {
    return "a thread";
  }
}

/** Raises MemoryError if `bytes` more would take the kernel's threads past the budget. */
export function charge(bytes: number): void {
  if (!(bytes > 0)) return;
  since += bytes;
  if (since < CHECK_EVERY && bytes < MB) return;
  since = 0;
  check(bytes);
}

/** Whether `bytes` more fit in the budget now (a copy about to be made, of values sent to the kernel). */
export function fits(bytes: number): boolean {
  try {
    check(bytes);
    return true;
  } catch (e) {
    if (e instanceof MemoryError) return false;
    throw e;
  }
}

/** "used 1.2 GB of array buffers": how a MemoryError names the budget. */
export function budgetText(): string {
  return `the kernel's budget is ${formatBytes(Atomics.load(mem, M.BudgetKb) * KB)} (${BUDGET_SETTING})`;
}

/**
 * About how many bytes a copy of `v` takes (what structured clone and decoding make of it), found by walking
 * it; stops counting past `cap`.
 */
export function approxBytes(v: unknown, cap = Infinity, seen = new Set<object>()): number {
  if (typeof v === "string") return 16 + v.length * 2;
  if (v === null || typeof v !== "object") return 8;
  if (seen.has(v)) return 8;
  seen.add(v);
  if (ArrayBuffer.isView(v)) return v.byteLength + 64;
  if (v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return v.byteLength + 64;
  let n = 32;
  const add = (x: unknown) => {
    n += x !== null && typeof x === "object" || typeof x === "string" ? approxBytes(x, cap - n, seen) : 8;
    return n <= cap;
  };
  if (Array.isArray(v)) {
    for (const x of v) if (!add(x)) break;
  } else if (v instanceof Map) {
    for (const [a, b] of v) if (!add(a) || !add(b)) break;
  } else if (v instanceof Set) {
    for (const x of v) if (!add(x)) break;
  } else {
    for (const k of Object.keys(v)) {
      n += 16 + k.length;
      if (!add((v as Record<string, unknown>)[k])) break;
    }
  }
  return n;
}

function check(bytes: number): void {
  const limit = Atomics.load(mem, M.LimitKb) * KB;
  let m = publish(bytes);
  if (others() + m.total + bytes <= limit) return;
  collect();
  m = publish(bytes);
  let rest = others();
  // a worker being stopped (a thread that held a bomb) still holds its memory for a moment: wait for it
  for (let waited = 0, n = Atomics.load(mem, M.Exiting); n > 0 && rest + m.total + bytes > limit && waited < 2000; waited += 50) {
    Atomics.wait(mem, M.Exiting, n, 50);
    n = Atomics.load(mem, M.Exiting);
    rest = others();
  }
  if (rest + m.total + bytes <= limit) return;
  publish();
  const budget = Atomics.load(mem, M.BudgetKb) * KB;
  const what = m.buffers >= m.total / 2 ? `${formatBytes(m.buffers)} of array buffers` : `${formatBytes(m.total)}`;
  throw new MemoryError(
    `${threadName()} used ${what} and asked for ${formatBytes(bytes)} more; the kernel's budget is ${formatBytes(budget)} ` +
      `(${BUDGET_SETTING})` + (rest > budget / 4 ? `, and the kernel and its other threads hold ${formatBytes(rest)} of it` : ""),
  );
}

let atJobStart = 0;
/**
 * What the last job's end measured and published, while this worker rests: the next job starts from it. (A
 * measure costs several µs, most of it the process's RSS that comes with it, at the start of every thread.)
 */
let atRest: number | null = null;

/** A job starts: what it adds is measured from here. */
export function jobStarts(): void {
  atJobStart = atRest ?? publish().total;
  atRest = null;
}

/** A job is over: what it left behind is collected if it was much, so an idle worker holds no garbage against the budget. */
export function jobEnds(): void {
  let m = measure();
  if (m.total - atJobStart > 64 * MB) {
    collect();
    m = measure();
  }
  atRest = publish(0, m).total;
}

type Ctor = abstract new (...a: never[]) => object;

/**
 * Puts a check in front of a global constructor, keeping what code sees of it:
 * `instanceof`, `.prototype`, statics, `x.constructor === Uint8Array` (which
 * is why the prototype's `constructor` points at the guard), and subclasses,
 * whose `super()` comes through here too.
 */
function guard(name: string, bytesOf: (args: unknown[], C: Ctor) => number): void {
  const C = (globalThis as Record<string, unknown>)[name] as Ctor | undefined;
  if (typeof C !== "function") return;
  const guarded: Ctor = new Proxy(C, {
    construct(target, args, newTarget) {
      charge(bytesOf(args, C));
      return Reflect.construct(target, args, newTarget === guarded ? target : newTarget) as object;
    },
  });
  Object.defineProperty(C.prototype, "constructor", { value: guarded, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, name, { value: guarded, writable: true, configurable: true, enumerable: false });
}

/** Wraps a method so that it is checked first, keeping its name and length. */
function guardMethod(owner: object, key: string, bytesOf: (self: unknown, args: unknown[]) => number): void {
  const f = (owner as Record<string, unknown>)[key];
  if (typeof f !== "function") return;
  const wrapped = {
    [key](this: unknown, ...args: unknown[]): unknown {
      charge(bytesOf(this, args));
      return Reflect.apply(f, this, args);
    },
  }[key];
  Object.defineProperty(wrapped, "length", { value: f.length });
  Object.defineProperty(owner, key, { value: wrapped, writable: true, configurable: true, enumerable: false });
}

const size = (v: unknown) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0);
/** Elements a typed array constructor is given: a length, or an array-like or iterable to copy (a buffer to view costs nothing). */
function elements(a: unknown): number {
  if (typeof a === "number") return a;
  if (a === null || typeof a !== "object" || a instanceof ArrayBuffer || a instanceof SharedArrayBuffer) return 0;
  const n = (a as { length?: unknown }).length;
  return typeof n === "number" ? n : 0;
}

const TYPED = [
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
];

/** Installs the checks in this worker's global scope (once, as the runtime boots). */
export function installMemoryChecks(): void {
  for (const name of TYPED) {
    guard(name, (args, C) => elements(args[0]) * ((C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT ?? 1));
  }
  guard("ArrayBuffer", (args) => size(args[0]));
  guard("SharedArrayBuffer", (args) => size(args[0]));
  guardMethod(ArrayBuffer.prototype, "resize", (self, args) => size(args[0]) - (self as ArrayBuffer).byteLength);
  guardMethod(SharedArrayBuffer.prototype, "grow", (self, args) => size(args[0]) - (self as SharedArrayBuffer).byteLength);
  for (const key of ["alloc", "allocUnsafe", "allocUnsafeSlow"]) guardMethod(Buffer, key, (_s, args) => size(args[0]));
  guardMethod(Buffer, "from", (_s, args) => (typeof args[0] === "string" ? args[0].length : elements(args[0])));
  guardMethod(Buffer, "concat", (_s, args) =>
    typeof args[1] === "number" ? args[1] : Array.isArray(args[0]) ? args[0].reduce((n: number, b: { length?: number }) => n + (b?.length ?? 0), 0) : 0,
  );
  guardMethod(String.prototype, "repeat", (self, args) => String(self).length * size(args[0]) * 2);
  publish();
  // an idle worker's figure falls as its garbage is collected; a busy one publishes at each check
  setInterval(publish, 500).unref();
}
