// Reads a program's output rings (protocol/outputRing) into its CellOutput on
// the kernel's own schedule: every PUMP_MS while nothing presses, at once
// while a ring fills up, never more than PUMP_BYTES in one turn of the event
// loop (so a flood cannot starve the stop button, --timeout or the IPC
// channel), and not at all while whoever takes the output is behind (then the
// rings fill and their writers block: back-pressure).
import type { CellOutput } from "./output";
import type { PoolWorker } from "./pool";

/** How often the rings are read while nothing presses: a line shows within about this. */
const PUMP_MS = 20;
/** Bytes read from the rings in one turn of the kernel's event loop. */
const PUMP_BYTES = 1 << 20;
/** A ring fuller than this is read again at once. */
const PRESSED = 0.25;

export class OutputPump {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private stopped = false;

  constructor(
    private readonly output: CellOutput,
    /** The workers whose rings are read now (the program's running ones). */
    private readonly workers: () => Iterable<PoolWorker>,
    private readonly blocked: () => boolean = () => false,
  ) {
    this.schedule(PUMP_MS);
  }

  /** Reads what is in `w`'s ring now (at most `maxBytes`): a writer still flooding cannot keep this going. */
  read(w: PoolWorker, maxBytes?: number): number {
    const source = String(w.worker.threadId);
    return w.ring.read((r) => this.output.write(source, r.stream, r.thread, r.text, r.seq), maxBytes);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = null;
  }

  private turn(): void {
    this.timer = this.immediate = null;
    if (this.stopped) return;
    if (this.blocked()) return this.schedule(5);
    let budget = PUMP_BYTES;
    let pressed = false;
    for (const w of this.workers()) {
      budget -= this.read(w, budget);
      if (w.ring.fill > PRESSED) pressed = true;
      if (budget <= 0) break;
    }
    this.output.tick();
    this.schedule(pressed || budget <= 0 ? 0 : PUMP_MS);
  }

  private schedule(ms: number): void {
    if (this.timer || this.immediate || this.stopped) return;
    if (ms === 0) this.immediate = setImmediate(() => this.turn());
    else this.timer = setTimeout(() => this.turn(), ms);
  }
}
