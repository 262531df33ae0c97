// Kernel-wide shared memory for small objects made in bulk (a future per
// submitted task). Every worker gets the one growable buffer at boot, so an
// object in it travels as a bare offset: no buffer to hand over, no message
// to the kernel, however many are made. Space is taken with one atomic add
// and never given back while the kernel lives (a future is 128 bytes: a
// million of them is 128 MB; Restart Kernel frees it all).
// (no import of ./context: the kernel's pool makes the arena, and context is for workers only)
import { workerData } from "node:worker_threads";
import type { WorkerBoot } from "../protocol/worker";

const INITIAL = 1 << 20;
/** Offsets are kept in Int32 words. */
const MAX = 1 << 30;
const TOP = 0; // word 0: the next free byte

interface Growable extends SharedArrayBuffer {
  grow(bytes: number): void;
}

/** Made by the kernel's pool, once. */
export function newArena(): SharedArrayBuffer {
  const make = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  const arena = new make(INITIAL, { maxByteLength: MAX });
  new Int32Array(arena)[TOP] = 64; // the first bytes are the arena's own
  return arena;
}

let top: Int32Array | null = null;

/** `bytes` (rounded up to 8) of zeroed shared memory: its byte offset in the arena. */
export function arenaAlloc(bytes: number): number {
  const arena = arenaBuffer() as Growable;
  top ??= new Int32Array(arena, 0, 1);
  const size = (bytes + 7) & ~7;
  const at = Atomics.add(top, TOP, size);
  if (at + size > MAX) throw new RangeError("the kernel's shared memory for futures is full: restart the kernel");
  while (arena.byteLength < at + size) {
    try {
      arena.grow(Math.min(MAX, Math.max(arena.byteLength * 2, at + size)));
    } catch {
      // another thread grew it meanwhile (a grow never shrinks): look again
    }
  }
  return at;
}

export function arenaBuffer(): SharedArrayBuffer {
  return (workerData as WorkerBoot).arena;
}
