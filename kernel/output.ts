// One cell's output on its way out of the kernel: the writes of every thread,
// put in the order they were written, as lines, with a limit.
//
// Order across threads: each write carries a number taken from one shared
// counter as it is made. Writes from different workers sit in different rings,
// so before a batch goes out the program reads every ring (a write made before
// that moment is then in hand) and the batch is sorted by number: a line
// written after join() comes after the joined thread's lines.
//
// Lines: a write without a newline is held for a turn (the rest of its line
// usually follows at once) and then goes out as it is, so a progress bar
// drawn with "\r" shows as it is drawn. A record that does not end with a
// newline is continued by the next record of the same thread and stream.
//
// The limit: a cell keeps its first lines and its last thousand (at most half
// the limit) and leaves out the middle, which goes, with everything else, into a file
// whose name the cell is told.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputRecord } from "./protocol/messages";

/** Lines a cell keeps when KernelOptions.outputLineLimit is not set. */
export const DEFAULT_OUTPUT_LINES = 20_000;
/** Bytes a cell keeps per line of its limit: a flood of long lines is bounded too. */
const BYTES_PER_LINE = 512;
/** The whole-output file stops growing here (the count of lines goes on). */
const FILE_CAP_BYTES = 1 << 30;
/** Lines of the end a cell keeps past its limit (at most half the limit). */
const TAIL_LINES = 1000;
/** A line longer than this is cut in the tail kept in memory (the file has it whole). */
const TAIL_LINE_CHARS = 4096;

interface Numbered extends OutputRecord {
  seq: number;
}

interface Held {
  thread: string;
  stream: OutputRecord["stream"];
  pieces: string[];
  seq: number;
  /** Turns it has been held: at 1 it goes out unfinished. */
  age: number;
}

export interface OutputLimit {
  lines: number;
  /** Where the whole output goes once the limit is passed (made only then). */
  file: string;
}

/** A file name for the whole output of one program of this kernel process. */
export function outputFileFor(label: string, programId: number): string {
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "cell";
  return join(tmpdir(), "concnb-output", `${process.pid}-${programId}-${safe}.txt`);
}

export class CellOutput {
  private readonly held = new Map<string, Held>();
  private pending: Numbered[] = [];
  private readonly limit: LimitedSink;

  constructor(emit: (records: OutputRecord[]) => void, limit: OutputLimit) {
    this.limit = new LimitedSink(emit, limit);
  }

  /** `source` tells writers apart (one per worker), `thread` is what the lines are marked with. */
  write(source: string, stream: OutputRecord["stream"], thread: string, text: string, seq: number): void {
    if (text.length === 0) return;
    const key = `${source}\0${stream}`;
    let held = this.held.get(key);
    if (held && held.thread !== thread) {
      this.release(key, held); // renamed in the middle of a line: the old name's part goes out as it is
      held = undefined;
    }
    // only the new text is searched: a long unfinished line is never scanned again
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      if (held) held.pieces.push(text);
      else this.held.set(key, { thread, stream, pieces: [text], seq, age: 0 });
      return;
    }
    const whole = text.slice(0, cut + 1);
    if (held) {
      this.held.delete(key);
      held.pieces.push(whole);
      this.pending.push({ stream, thread, text: held.pieces.join(""), seq: held.seq });
    } else this.pending.push({ stream, thread, text: whole, seq });
    if (cut + 1 < text.length) this.held.set(key, { thread, stream, pieces: [text.slice(cut + 1)], seq, age: 0 });
  }

  /** Ends the lines a source left open (its thread ended): they go out as they are. */
  close(source: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${source}\0${stream}`;
      const held = this.held.get(key);
      if (held) this.release(key, held);
    }
  }

  /** One turn: whole lines go out, in order, and lines held a turn already go out unfinished. */
  tick(): void {
    for (const [key, h] of this.held) {
      if (h.age++ >= 1) this.release(key, h);
    }
    this.emitPending();
  }

  /** Emits everything held now (the program is ending); with the limit passed, the tail and a note. */
  flush(): void {
    for (const [key, h] of [...this.held]) this.release(key, h);
    this.emitPending();
    this.limit.end();
  }

  private release(key: string, h: Held): void {
    this.held.delete(key);
    this.pending.push({ stream: h.stream, thread: h.thread, text: h.pieces.join(""), seq: h.seq });
  }

  private emitPending(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.sort((a, b) => a.seq - b.seq);
    this.pending = [];
    const out: OutputRecord[] = [];
    for (const { stream, thread, text } of batch) {
      const last = out[out.length - 1];
      if (last && last.stream === stream && last.thread === thread) last.text += text;
      else out.push({ stream, thread, text });
    }
    this.limit.add(out);
  }
}

/** Counts lines through; keeps the head, then writes to the file and keeps a tail. */
class LimitedSink {
  private readonly headLines: number;
  private readonly headBytes: number;
  private readonly tailLines: number;
  private lines = 0;
  private bytes = 0;
  /** What went out, kept to start the file with once the limit is passed. */
  private head: OutputRecord[] = [];
  private fd: number | null = null;
  private fileBytes = 0;
  private fileFull = false;
  private tail: OutputRecord[] = [];
  private tailAt = 0;
  private omitted = 0;
  /** Past the limit: what comes now goes to the file and the tail. */
  private omitting = false;

  constructor(
    private readonly emit: (records: OutputRecord[]) => void,
    private readonly limit: OutputLimit,
  ) {
    // the end of a long output is what explains how it ended; its start, how it began: keep both, the start longer
    this.tailLines = Math.max(1, Math.min(TAIL_LINES, Math.floor(limit.lines / 2)));
    this.headLines = Math.max(1, limit.lines - this.tailLines);
    this.headBytes = this.headLines * BYTES_PER_LINE;
  }

  add(records: OutputRecord[]): void {
    if (this.omitting) {
      for (const r of records) this.past(r);
      return;
    }
    const out: OutputRecord[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const n = countLines(r.text);
      if (this.lines + n <= this.headLines && this.bytes + r.text.length <= this.headBytes) {
        this.lines += n;
        this.bytes += r.text.length;
        out.push(r);
        this.head.push(r);
        continue;
      }
      // the head is full within this record: what fits goes out, the rest starts the omission
      const fit = fitting(r.text, this.headLines - this.lines, this.headBytes - this.bytes);
      if (fit > 0) {
        const first = { ...r, text: r.text.slice(0, fit) };
        out.push(first);
        this.head.push(first);
      }
      this.startOmitting(out);
      this.past({ ...r, text: r.text.slice(fit) });
      for (const rest of records.slice(i + 1)) this.past(rest);
      return;
    }
    if (out.length > 0) this.emit(out);
  }

  /** The program ended: past the limit, the note and the tail go out. */
  end(): void {
    if (!this.omitting) return;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const tail = [...this.tail.slice(this.tailAt), ...this.tail.slice(0, this.tailAt)];
    const shown = tail.length;
    const left = this.omitted - shown;
    const where = this.fileFull ? `the first ${FILE_CAP_BYTES / 2 ** 20} MB of the whole output are in ${this.limit.file}` : `the whole output is in ${this.limit.file}`;
    const note: OutputRecord = {
      stream: "stderr",
      thread: "",
      text: `[… ${left.toLocaleString("en-US")} lines left out: a cell keeps its first ${this.headLines.toLocaleString("en-US")} and last ${this.tailLines.toLocaleString("en-US")} lines (the output line limit, concnb.outputLineLimit or --max-lines); ${where} …]\n`,
      omitted: { lines: Math.max(0, left), file: this.limit.file },
    };
    this.emit(left > 0 ? [note, ...tail] : tail);
  }

  private startOmitting(out: OutputRecord[]): void {
    this.omitting = true;
    try {
      mkdirSync(join(this.limit.file, ".."), { recursive: true });
      this.fd = openSync(this.limit.file, "w");
      for (const r of this.head) this.toFile(r);
    } catch {
      this.fd = null;
      this.fileFull = true;
    }
    this.head = [];
    out.push({
      stream: "stderr",
      thread: "",
      text: `[… this cell has written ${this.headLines.toLocaleString("en-US")} lines, as many as its output line limit keeps from the start: what it writes now goes to ${this.limit.file}; its last ${this.tailLines.toLocaleString("en-US")} lines show when it ends …]\n`,
      omitted: { lines: 0, file: this.limit.file },
    });
    this.emit(out);
  }

  private past(r: OutputRecord): void {
    if (!r.text) return;
    this.toFile(r);
    const parts = r.text.split("\n");
    // a record that does not end a line continues the tail's last line
    const last = this.tail.length === 0 ? undefined : this.tail[(this.tailAt + this.tail.length - 1) % this.tail.length];
    if (last && !last.text.endsWith("\n") && last.thread === r.thread && last.stream === r.stream) {
      const first = parts.shift() ?? "";
      last.text = cut(last.text + first + (parts.length > 0 ? "\n" : ""));
    }
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      if (isLast && parts[i] === "") break;
      this.pushTail({ stream: r.stream, thread: r.thread, text: cut(parts[i]) + (isLast ? "" : "\n") });
    }
  }

  private pushTail(line: OutputRecord): void {
    this.omitted++;
    if (this.tail.length < this.tailLines) this.tail.push(line);
    else {
      this.tail[this.tailAt] = line;
      this.tailAt = (this.tailAt + 1) % this.tailLines;
    }
  }

  private toFile(r: OutputRecord): void {
    if (this.fd === null || this.fileFull) return;
    const mark = r.stream === "stderr" ? `[${r.thread}] (stderr) ` : `[${r.thread}] `;
    const text = r.text.replace(/\n(?=.)/gs, `\n${mark}`);
    const bytes = Buffer.byteLength(text) + mark.length;
    if (this.fileBytes + bytes > FILE_CAP_BYTES) {
      this.fileFull = true;
      return;
    }
    this.fileBytes += bytes;
    writeSync(this.fd, mark + text);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** How many characters of `text` fit in `lines` newlines and `bytes` characters. */
function fitting(text: string, lines: number, bytes: number): number {
  let at = 0;
  for (let n = 0; n < lines; n++) {
    const i = text.indexOf("\n", at);
    if (i < 0 || i + 1 > bytes) break;
    at = i + 1;
  }
  return Math.min(at, Math.max(0, bytes));
}

function cut(line: string): string {
  if (line.length <= TAIL_LINE_CHARS + 1) return line;
  const end = line.endsWith("\n") ? "\n" : "";
  return `${line.slice(0, TAIL_LINE_CHARS)}… (${line.length - TAIL_LINE_CHARS - end.length} more characters in the file)${end}`;
}
