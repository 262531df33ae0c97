// Kernel-wide shared memory for small objects made in bulk (a future per
// submitted task). Every worker gets the one growable buffer at boot, so an
// object in it travels as a bare offset: no buffer to hand over, no message
// to the kernel, however many are made. Space is taken with one atomic add
// and never given back while the kernel lives (a future is 128 bytes: a
// million of them is 128 MB; Restart Kernel frees it all).
// The kernel's pool makes the arena (newArena, with its layout, in protocol/layout).
import { workerData } from "node:worker_threads";
import type { WorkerBoot } from "../../protocol/worker";
import { Arena } from "../../protocol/layout";

interface Growable extends SharedArrayBuffer {
  grow(bytes: number): void;
}

let top: Int32Array | null = null;

/** `bytes` (rounded up to 8) of zeroed shared memory: its byte offset in the arena. */
export function arenaAlloc(bytes: number): number {
  const arena = arenaBuffer() as Growable;
  top ??= new Int32Array(arena, 0, 1);
  const size = (bytes + 7) & ~7;
  const at = Atomics.add(top, Arena.Top, size);
  if (at + size > Arena.Max) throw new RangeError("the kernel's shared memory for futures is full: restart the kernel");
  while (arena.byteLength < at + size) {
    try {
      arena.grow(Math.min(Arena.Max, Math.max(arena.byteLength * 2, at + size)));
    } catch {
      // another thread grew it meanwhile (a grow never shrinks): look again
    }
  }
  return at;
}

export function arenaBuffer(): SharedArrayBuffer {
  return (workerData as WorkerBoot).arena;
}

// This thread's views of the whole arena. Fixed-length views, remade when an
// offset lies past them (another thread grew the arena): a length-tracking
// view of a growable buffer costs V8 about 6 times as much per access.
let words: Int32Array = new Int32Array(0);
let bytes: Uint8Array = new Uint8Array(0);

function cover(end: number): void {
  const arena = arenaBuffer();
  words = new Int32Array(arena, 0, arena.byteLength >> 2);
  bytes = new Uint8Array(arena, 0, arena.byteLength);
  if (end > arena.byteLength) throw new RangeError(`arena offset ${end} is past its end (${arena.byteLength})`);
}

/** The arena as Int32 words, covering at least the bytes below `end`. */
export function arenaWords(end: number): Int32Array {
  if (end > bytes.byteLength) cover(end);
  return words;
}

/** The arena as bytes, covering at least the bytes below `end`. */
export function arenaBytes(end: number): Uint8Array {
  if (end > bytes.byteLength) cover(end);
  return bytes;
}
