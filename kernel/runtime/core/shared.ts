// Runtime objects that live in shared memory (locks, events, ...). Each has
// a kernel-wide id; sent to another thread it travels as a handle (its id and
// memory) and comes back as the one object of that id in that thread, so
// every thread holds the same lock, not a copy of it.
import { globalSlots, send } from "./context";
import { registerReviver, SHARE, type ClassLookup } from "./share";
import { G } from "../../protocol/layout";
import { framesOf } from "./traceback";
import { Identities } from "./identities";

export interface SharedState {
  id: number;
  buffer: SharedArrayBuffer;
}

const live = new Identities<object>();

/** Memory for a new runtime object; the kernel is told what it is and where it was made. */
export function allocate(kind: string, words: number): SharedState {
  const id = Atomics.add(globalSlots, G.ObjectId, 1) + 1;
  const buffer = new SharedArrayBuffer(words * 4);
  const f = framesOf(new Error()).at(-1);
  send({ type: "object", id, kind, state: buffer, where: f ? { label: f.label, line: f.line, fn: f.fn, code: f.code } : null });
  return { id, buffer };
}

/** Registers obj as this thread's object for its id, and makes it travel as a handle. */
export function adopt<T extends object>(obj: T, kind: string, state: SharedState, extra?: () => unknown): T {
  live.set(state.id, obj);
  Object.defineProperty(obj, SHARE, {
    value: () => ({ kind, data: { ...state, extra: extra?.() } }),
  });
  return obj;
}

/** How a kind of object is rebuilt (and adopted) in a thread that has not seen it yet. */
export function defineKind(kind: string, rebuild: (state: SharedState, extra: unknown, lookup: ClassLookup) => object): void {
  registerReviver(kind, (data, lookup) => {
    const d = data as SharedState & { extra: unknown };
    return live.get(d.id) ?? rebuild({ id: d.id, buffer: d.buffer }, d.extra, lookup);
  });
}

/** A hidden, non-enumerable field: runtime objects spread or inspected show only what Python's would. */
export function hidden<T extends object>(obj: T, fields: Record<string, unknown>): T {
  for (const [k, value] of Object.entries(fields)) Object.defineProperty(obj, k, { value, writable: true });
  return obj;
}
