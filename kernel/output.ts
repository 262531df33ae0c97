// Turns the writes of every thread into whole lines, in the order they were
// written, batched per turn of the event loop: 1,000 quick prints reach the
// notebook in a few messages, each line still shows as soon as it is written.
//
// Order across threads: each write carries a number taken from one shared
// counter as it is made. Writes from different workers arrive on different
// ports, so before a batch goes out the owner drains every port (a message
// posted before that moment is then in hand) and the batch is sorted by
// number: a line written after join() comes after the joined thread's lines.
import type { OutputRecord } from "./protocol/messages";

interface Numbered extends OutputRecord {
  seq: number;
}

export class LineCollector {
  private readonly partial = new Map<string, { thread: string; text: string; seq: number }>();
  private pending: Numbered[] = [];
  private scheduled = false;

  constructor(
    private readonly emit: (records: OutputRecord[]) => void,
    /** Called before each batch goes out, to take in writes already made but not yet delivered. */
    private readonly collect: () => void = () => {},
  ) {}

  /** `source` tells writers apart (one per worker), `thread` is what the lines are marked with. */
  write(source: string, stream: OutputRecord["stream"], thread: string, text: string, seq: number): void {
    const key = `${source}\0${stream}`;
    const held = this.partial.get(key);
    let all = held ? held.text + text : text;
    const cut = all.lastIndexOf("\n");
    if (cut >= 0) {
      this.push({ stream, thread, text: all.slice(0, cut + 1), seq: held?.seq ?? seq });
      all = all.slice(cut + 1);
      if (all) this.partial.set(key, { thread, text: all, seq });
      else this.partial.delete(key);
    } else {
      this.partial.set(key, { thread, text: all, seq: held?.seq ?? seq });
    }
  }

  /** Ends the lines a source left open (its thread ended). */
  close(source: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${source}\0${stream}`;
      const held = this.partial.get(key);
      if (held) this.push({ stream, thread: held.thread, text: held.text + "\n", seq: held.seq });
      this.partial.delete(key);
    }
  }

  /** Emits everything held now (the program is ending). */
  flush(): void {
    for (const key of [...this.partial.keys()]) this.close(key.split("\0")[0]);
    this.emitPending();
  }

  private emitPending(): void {
    this.scheduled = false;
    const batch = this.pending.sort((a, b) => a.seq - b.seq);
    this.pending = [];
    const out: OutputRecord[] = [];
    for (const { stream, thread, text } of batch) {
      const last = out[out.length - 1];
      if (last && last.stream === stream && last.thread === thread) last.text += text;
      else out.push({ stream, thread, text });
    }
    if (out.length > 0) this.emit(out);
  }

  private push(r: Numbered): void {
    this.pending.push(r);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        if (!this.scheduled) return;
        this.collect();
        this.emitPending();
      });
    }
  }
}
