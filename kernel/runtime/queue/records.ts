// A queue's items, as bytes (runtime/core/transfer) in one growable shared buffer
// that every thread maps: records [length][bytes, padded to 4][length] laid
// end to end between a head and a tail offset. The trailing length lets a
// LIFO queue pop from the tail. Callers hold the queue's mutex.
const INITIAL_BYTES = 64 * 1024;
/** Address space reserved, not memory used: a growable buffer takes pages as it grows. */
const MAX_BYTES = 1024 * 1024 * 1024;

interface Growable extends SharedArrayBuffer {
  grow(bytes: number): void;
}

export function newRecordBuffer(): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return new make(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
}

const pad = (n: number) => (n + 3) & ~3;

export class Records {
  // length-tracking views: they follow the buffer when any thread grows it
  private readonly bytes: Uint8Array;
  private readonly words: Int32Array;
  constructor(private readonly buffer: SharedArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
    this.words = new Int32Array(buffer);
  }

  /** Appends at tail; returns the new tail. Moves live records to the front, or grows, when out of room. */
  append(head: number, tail: number, item: Uint8Array): { head: number; tail: number } {
    const size = 8 + pad(item.length);
    if (tail + size > this.buffer.byteLength && head > 0) {
      this.bytes.copyWithin(0, head, tail);
      tail -= head;
      head = 0;
    }
    if (tail + size > this.buffer.byteLength) {
      const want = Math.max(this.buffer.byteLength * 2, tail + size);
      if (want > MAX_BYTES) throw new RangeError(`queue items take more than ${MAX_BYTES / 2 ** 20} MiB`);
      (this.buffer as Growable).grow(want);
    }
    this.words[tail >> 2] = item.length;
    this.bytes.set(item, tail + 4);
    this.words[(tail + size - 4) >> 2] = item.length;
    return { head, tail: tail + size };
  }

  /** The record at offset `at`: its bytes (a copy) and where the next begins. */
  read(at: number): { item: Uint8Array; next: number } {
    const n = this.words[at >> 2];
    return { item: this.bytes.slice(at + 4, at + 4 + n), next: at + 8 + pad(n) };
  }

  /** Where the record that ends at `end` begins. */
  startOfLast(end: number): number {
    return end - 8 - pad(this.words[(end - 4) >> 2]);
  }

  /** Removes the record [at, next) from the middle: the ones after it move down. Returns the new tail. */
  remove(at: number, next: number, tail: number): number {
    this.bytes.copyWithin(at, next, tail);
    return tail - (next - at);
  }
}
