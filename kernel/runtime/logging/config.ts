// The one definition of the logging configuration, shared by every thread of
// the kernel: which loggers exist, their levels, propagate flags and
// handlers; each handler's class, fields, level and formatter; the level
// names. Threads have separate heaps, so it is a document in shared memory
// (the kernel-wide arena, found through the G.Logging slot), stored as bytes
// (runtime/core/transfer: runtime objects in it, such as a QueueHandler's
// queue or a handler's lock, stay the same objects). A change takes the
// document's mutex, rewrites it and bumps its version; a thread re-reads it
// only when the version it holds is older, so a thread started before
// basicConfig() or setLevel() obeys it at its next log call, and a log call
// that changes nothing costs one atomic load.
//
// It lives as long as the kernel, as Python's logging lives as long as a
// Jupyter kernel: a setup cell configures logging for the cells after it.
import { globalSlots, job } from "../core/context";
import { G } from "../../protocol/layout";
import { arenaAlloc, arenaBuffer, arenaBytes } from "../core/arena";
import { lockMutex, unlockMutex } from "../threading/locks";
import { pack, unpack } from "../core/transfer";

/** A runtime or notebook class's instance, as data: its class names (own class first, then its bases) and own fields. */
export interface ClassSpec {
  chain: string[];
  fields: Record<string, unknown>;
}

export interface HandlerSpec extends ClassSpec {
  level: number;
  name: string | null;
  formatter: ClassSpec | null;
  /** Counts setFormatter() calls: a thread makes its copy of the formatter again only when this moved. */
  formatterSeq: number;
  /** The handler's lock (Python's handler.lock): one RLock for every thread's copy, so emits never overlap. */
  lock: unknown;
}

export interface LoggerSpec {
  level: number;
  propagate: boolean;
  disabled: boolean;
  handlers: number[];
}

export interface Doc {
  /** When logging started in this kernel (ms since the epoch): relativeCreated counts from it. */
  start: number;
  loggers: Map<string, LoggerSpec>;
  handlers: Map<number, HandlerSpec>;
  /** logging.disable()'s level: records at or below it are dropped everywhere. */
  disable: number;
  /** addLevelName()'s names, on top of the built-in ones. */
  levelNames: Map<number, string>;
}

/** Int32 words of the document's header in the arena. */
const enum H {
  Mutex = 0,
  Version = 1,
  /** Byte offset (in the arena) and length of the document's bytes, and the room at that offset. */
  Data = 2,
  Length = 3,
  Capacity = 4,
  Size = 8,
}

/** The document as bytes (plain arrays: the codec's fast path, and no own-key pitfalls of objects keyed by name). */
interface Stored {
  start: number;
  loggers: Array<[string, LoggerSpec]>;
  handlers: Array<[number, HandlerSpec]>;
  disable: number;
  levelNames: Array<[number, string]>;
}

export const ROOT = "root";
const WARNING = 30;

let header: Int32Array | null = null;

function headerView(): Int32Array {
  if (header) return header;
  let at = Atomics.load(globalSlots, G.Logging);
  if (at === 0) {
    // the first thread to log makes the header, with a first document in it, before others can see it
    const mine = arenaAlloc(H.Size * 4);
    const view = new Int32Array(arenaBuffer(), mine, H.Size);
    writeBytes(view, pack(toStored(initial())));
    at = Atomics.compareExchange(globalSlots, G.Logging, 0, mine);
    if (at === 0) at = mine; // else another thread's header won: ours is a few unused bytes of the arena
  }
  header = new Int32Array(arenaBuffer(), at, H.Size);
  return header;
}

function initial(): Doc {
  return {
    start: Date.now(),
    loggers: new Map([[ROOT, { level: WARNING, propagate: true, disabled: false, handlers: [] }]]),
    handlers: new Map(),
    disable: 0,
    levelNames: new Map(),
  };
}

/** Writes a document's bytes at the header's data offset, moving to more room when they outgrow it. The caller holds the mutex (or is the header's maker). */
function writeBytes(view: Int32Array, bytes: Uint8Array): void {
  if (bytes.length > view[H.Capacity]) {
    const room = Math.max(4096, bytes.length * 2);
    view[H.Data] = arenaAlloc(room);
    view[H.Capacity] = room;
  }
  arenaBytes(view[H.Data] + bytes.length).set(bytes, view[H.Data]);
  view[H.Length] = bytes.length;
}

function toStored(d: Doc): Stored {
  return { start: d.start, loggers: [...d.loggers], handlers: [...d.handlers], disable: d.disable, levelNames: [...d.levelNames] };
}

function fromStored(s: Stored): Doc {
  return { start: s.start, loggers: new Map(s.loggers), handlers: new Map(s.handlers), disable: s.disable, levelNames: new Map(s.levelNames) };
}

/** Reads the document (the caller holds the mutex). */
function readDoc(view: Int32Array): Doc {
  const at = view[H.Data];
  const bytes = arenaBytes(at + view[H.Length]).slice(at, at + view[H.Length]);
  return fromStored(unpack(bytes) as Stored);
}

/** This thread's copy: the version it was read at, and the program it was decoded for (a notebook class is the program's). */
let held: { version: number; program: number; doc: Doc } | null = null;
const programListeners: Array<() => void> = [];

/** Called when this worker starts a job of another program than its last: per-thread objects of the last one are dropped. */
export function onProgramChange(f: () => void): void {
  programListeners.push(f);
}

function programId(): number {
  return job().ctx.programId;
}

/** Whether any thread has logged or configured logging in this kernel yet (without making the document). */
export function exists(): boolean {
  return header !== null || Atomics.load(globalSlots, G.Logging) !== 0;
}

/** The configuration as it is now, for every thread: this thread's copy when no thread has changed it since. */
export function current(): Doc {
  if (changing) return changing; // inside a change, its parts read what it has done so far
  const view = headerView();
  const version = Atomics.load(view, H.Version);
  const program = programId();
  if (held && held.version === version && held.program === program) return held.doc;
  if (held && held.program !== program) for (const f of programListeners) f();
  lockMutex(view, Infinity, 0, "acquire");
  try {
    held = { version: view[H.Version], program, doc: readDoc(view) };
  } finally {
    unlockMutex(view);
  }
  return held.doc;
}

/** The document a change in progress works on: a change made inside another (basicConfig's parts) joins it. */
let changing: Doc | null = null;

/**
 * Changes the configuration for every thread, as one step: `change` edits the document as it is now, which is then
 * written back with a new version. Changes made while `change` runs (in this thread) are part of the same step.
 */
export function mutate<T>(change: (doc: Doc) => T): T {
  if (changing) return change(changing);
  current(); // a program change is seen (and its objects dropped) before this change is made
  const view = headerView();
  lockMutex(view, Infinity, 0, "acquire");
  try {
    const doc = readDoc(view);
    changing = doc;
    const result = change(doc);
    writeBytes(view, pack(toStored(doc)));
    const version = Atomics.add(view, H.Version, 1) + 1;
    held = { version, program: programId(), doc };
    return result;
  } finally {
    changing = null;
    unlockMutex(view);
  }
}

/** A logger's entry, as a logger that was never configured has it. */
export function loggerSpec(doc: Doc, name: string): LoggerSpec | undefined {
  return doc.loggers.get(name);
}

/** A new kernel-wide id (for a handler): no message to anyone. */
export function newId(): number {
  return Atomics.add(globalSlots, G.ObjectId, 1) + 1;
}
