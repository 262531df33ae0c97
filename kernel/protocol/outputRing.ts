// The one layout of a worker's output ring, and both its ends. Each worker
// writes what its thread prints into its own ring of shared memory; the
// kernel reads every ring of a program on its own schedule. A write costs what
// it writes (no message per write, no rescan of an unfinished line), and a
// thread that writes faster than the kernel reads blocks on a full ring, as a
// writer to a full pipe does, instead of memory growing.
//
// Layout: Int32 header slots (see R), then CAPACITY bytes of records. Counters
// are byte totals modulo 2^32 (the distance between them is what is in the
// ring); a record may wrap around the end of the data.
// Record: u32 seq, u32 (stream << 16 | thread name length), u32 text length,
// the name's UTF-8 bytes, the text's UTF-8 bytes.

/** Int32 slots of the ring's header. */
export const enum R {
  /** Bytes written in all (mod 2^32); the writer stores it after the record's bytes. */
  Written = 0,
  /** Bytes read in all (mod 2^32); the writer waits on it when the ring is full. */
  Read = 1,
  /** 1 while the writer waits for room: the reader notifies Read after reading. */
  WriterWaiting = 2,
  Size = 4,
}

/** Bytes of record data per worker: big enough for a burst of prints, small enough for 1,000 threads. */
export const RING_BYTES = 1 << 18;
const HEADER_BYTES = R.Size * 4;
const RECORD_HEAD = 12;
/** The longest piece of text one record carries (a longer write is cut into pieces). */
const MAX_PIECE_CHARS = Math.floor((RING_BYTES - RECORD_HEAD - 1024) / 4);

export type Stream = "stdout" | "stderr";

export interface RingRecord {
  seq: number;
  stream: Stream;
  thread: string;
  text: string;
}

export function newOutputRing(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + RING_BYTES);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class RingView {
  protected readonly slots: Int32Array;
  protected readonly data: Uint8Array;
  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer, 0, R.Size);
    this.data = new Uint8Array(buffer, HEADER_BYTES, RING_BYTES);
  }

  /** Bytes in the ring now. */
  protected used(): number {
    return (Atomics.load(this.slots, R.Written) - Atomics.load(this.slots, R.Read)) >>> 0;
  }
}

/** The writing end, in the worker. Only one thread writes a ring. */
export class RingWriter extends RingView {
  private readonly head = new Uint8Array(RECORD_HEAD);
  private readonly headView = new DataView(this.head.buffer);
  private name = "";
  private nameBytes = new Uint8Array(0);

  /** Writes one record; blocks while the ring has no room for it (the reader frees room as it reads). */
  write(seq: number, stream: Stream, thread: string, text: string): void {
    if (thread !== this.name) [this.name, this.nameBytes] = [thread, encoder.encode(thread.slice(0, 512))];
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + MAX_PIECE_CHARS);
      // never cut a surrogate pair in two
      if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
      this.put(seq, stream, encoder.encode(text.slice(at, end)));
      at = end;
    }
  }

  private put(seq: number, stream: Stream, text: Uint8Array): void {
    const need = RECORD_HEAD + this.nameBytes.length + text.length;
    while (RING_BYTES - this.used() < need) {
      Atomics.store(this.slots, R.WriterWaiting, 1);
      const read = Atomics.load(this.slots, R.Read);
      if (RING_BYTES - this.used() >= need) break;
      // bounded waits: a reader that read between our check and the wait is seen on the next turn
      Atomics.wait(this.slots, R.Read, read, 50);
    }
    Atomics.store(this.slots, R.WriterWaiting, 0);
    this.headView.setUint32(0, seq >>> 0, true);
    this.headView.setUint32(4, ((stream === "stderr" ? 1 : 0) << 16) | this.nameBytes.length, true);
    this.headView.setUint32(8, text.length, true);
    let at = Atomics.load(this.slots, R.Written) >>> 0;
    at = this.copyIn(this.head, at);
    at = this.copyIn(this.nameBytes, at);
    at = this.copyIn(text, at);
    // the bytes are in place before the reader can see the new total
    Atomics.store(this.slots, R.Written, at | 0);
  }

  private copyIn(bytes: Uint8Array, total: number): number {
    const pos = total % RING_BYTES;
    const first = Math.min(bytes.length, RING_BYTES - pos);
    this.data.set(first === bytes.length ? bytes : bytes.subarray(0, first), pos);
    if (first < bytes.length) this.data.set(bytes.subarray(first), 0);
    return (total + bytes.length) >>> 0;
  }
}

/** The reading end, in the kernel. */
export class RingReader extends RingView {
  /** Whether records are waiting. */
  get pending(): boolean {
    return this.used() > 0;
  }

  /** How full the ring is, 0 to 1. */
  get fill(): number {
    return this.used() / RING_BYTES;
  }

  /** Takes the records written so far (up to about `maxBytes` of them) and frees their room. */
  read(into: (r: RingRecord) => void, maxBytes = RING_BYTES): number {
    let read = Atomics.load(this.slots, R.Read) >>> 0;
    const written = Atomics.load(this.slots, R.Written) >>> 0;
    let taken = 0;
    while (read !== written && taken < maxBytes) {
      const head = this.copyOut(read, RECORD_HEAD);
      const view = new DataView(head.buffer);
      const seq = view.getUint32(0, true);
      const tag = view.getUint32(4, true);
      const textLength = view.getUint32(8, true);
      const nameLength = tag & 0xffff;
      const thread = decoder.decode(this.copyOut(read + RECORD_HEAD, nameLength));
      const text = decoder.decode(this.copyOut(read + RECORD_HEAD + nameLength, textLength));
      const size = RECORD_HEAD + nameLength + textLength;
      read = (read + size) >>> 0;
      taken += size;
      into({ seq, stream: tag >>> 16 ? "stderr" : "stdout", thread, text });
    }
    if (taken > 0) {
      Atomics.store(this.slots, R.Read, read | 0);
      if (Atomics.load(this.slots, R.WriterWaiting)) Atomics.notify(this.slots, R.Read);
    }
    return taken;
  }

  /** Forgets what is in the ring (its worker is gone or reset). */
  clear(): void {
    Atomics.store(this.slots, R.Read, Atomics.load(this.slots, R.Written));
    Atomics.notify(this.slots, R.Read);
  }

  private copyOut(total: number, length: number): Uint8Array {
    const pos = (total >>> 0) % RING_BYTES;
    const first = Math.min(length, RING_BYTES - pos);
    // copies: the writer may reuse these bytes as soon as Read moves on
    if (first === length) return this.data.slice(pos, pos + length);
    const out = new Uint8Array(length);
    out.set(this.data.subarray(pos, RING_BYTES), 0);
    out.set(this.data.subarray(0, length - first), first);
    return out;
  }
}
