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

class RingView {
  protected readonly slots: Int32Array;
  /** The record bytes, as a Buffer: its UTF-8 encode and decode work in place, with no copy per record. */
  protected readonly data: Buffer;
  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer, 0, R.Size);
    this.data = Buffer.from(buffer, HEADER_BYTES, RING_BYTES);
  }

  /** Bytes in the ring now. */
  protected used(): number {
    return (Atomics.load(this.slots, R.Written) - Atomics.load(this.slots, R.Read)) >>> 0;
  }
}

/** The writing end, in the worker. Only one thread writes a ring. */
export class RingWriter extends RingView {
  private readonly head = Buffer.alloc(RECORD_HEAD);
  private name = "";
  private nameBytes: Uint8Array = new Uint8Array(0);

  /** Writes one record; blocks while the ring has no room for it (the reader frees room as it reads). */
  write(seq: number, stream: Stream, thread: string, text: string): void {
    if (thread !== this.name) [this.name, this.nameBytes] = [thread, encoder.encode(thread.slice(0, 512))];
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + MAX_PIECE_CHARS);
      // never cut a surrogate pair in two
      if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
      this.put(seq, stream, at === 0 && end === text.length ? text : text.slice(at, end));
      at = end;
    }
  }

  private put(seq: number, stream: Stream, text: string): void {
    const textBytes = Buffer.byteLength(text, "utf8");
    const need = RECORD_HEAD + this.nameBytes.length + textBytes;
    while (RING_BYTES - this.used() < need) {
      Atomics.store(this.slots, R.WriterWaiting, 1);
      const read = Atomics.load(this.slots, R.Read);
      if (RING_BYTES - this.used() >= need) break;
      // bounded waits: a reader that read between our check and the wait is seen on the next turn
      Atomics.wait(this.slots, R.Read, read, 50);
    }
    Atomics.store(this.slots, R.WriterWaiting, 0);
    this.head.writeUInt32LE(seq >>> 0, 0);
    this.head.writeUInt32LE(((stream === "stderr" ? 1 : 0) << 16) | this.nameBytes.length, 4);
    this.head.writeUInt32LE(textBytes, 8);
    let at = Atomics.load(this.slots, R.Written) >>> 0;
    at = this.copyIn(this.head, at);
    at = this.copyIn(this.nameBytes, at);
    const pos = at % RING_BYTES;
    if (pos + textBytes <= RING_BYTES) this.data.write(text, pos, textBytes, "utf8");
    else this.copyIn(Buffer.from(text, "utf8"), at);
    at = (at + textBytes) >>> 0;
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
  private lastName: Buffer = Buffer.alloc(0);
  private lastThread = "";

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
      const seq = this.u32(read);
      const tag = this.u32(read + 4);
      const textLength = this.u32(read + 8);
      const nameLength = tag & 0xffff;
      const thread = this.name(read + RECORD_HEAD, nameLength);
      const text = this.utf8(read + RECORD_HEAD + nameLength, textLength);
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

  private u32(total: number): number {
    const pos = (total >>> 0) % RING_BYTES;
    return pos + 4 <= RING_BYTES ? this.data.readUInt32LE(pos) : this.bytes(total, 4).readUInt32LE(0);
  }

  /** The thread's name: the same as the record before's, most of the time, so compared before it is decoded. */
  private name(total: number, length: number): string {
    const pos = (total >>> 0) % RING_BYTES;
    if (pos + length <= RING_BYTES) {
      if (length === this.lastName.length && this.data.compare(this.lastName, 0, length, pos, pos + length) === 0) return this.lastThread;
      this.lastName = Buffer.from(this.data.subarray(pos, pos + length));
    } else this.lastName = this.bytes(total, length);
    this.lastThread = this.lastName.toString("utf8");
    return this.lastThread;
  }

  private utf8(total: number, length: number): string {
    const pos = (total >>> 0) % RING_BYTES;
    // a string is a copy: the writer may reuse these bytes as soon as Read moves on
    return pos + length <= RING_BYTES ? this.data.toString("utf8", pos, pos + length) : this.bytes(total, length).toString("utf8");
  }

  /** A record's bytes that wrap around the end of the ring, copied out in one piece. */
  private bytes(total: number, length: number): Buffer {
    const pos = (total >>> 0) % RING_BYTES;
    const first = RING_BYTES - pos;
    return Buffer.concat([this.data.subarray(pos, RING_BYTES), this.data.subarray(0, length - first)]);
  }
}
