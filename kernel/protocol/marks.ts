// How output is shown as text, in a terminal (`concnb run`) and in a
// notebook: every line starts with the mark of the thread that wrote it. Records arrive as they are written, a
// line possibly in pieces (see OutputRecord.text), so the marks are kept per
// stream: a piece that continues its thread's open line gets no new mark; a
// line another thread starts first ends the open one; after a "\r" (a
// progress bar redrawing its line) the mark is written again, so it survives.
import type { OutputRecord } from "./messages";

type Write = (stream: OutputRecord["stream"], text: string) => void;

export class ThreadMarks {
  /** Per stream, the thread whose line is open (written without its newline yet), and whether it ended on "\r". */
  private readonly open = new Map<OutputRecord["stream"], { thread: string; redraw: boolean }>();

  constructor(private readonly write: Write) {}

  add(records: readonly OutputRecord[]): void {
    for (const r of records) {
      if (r.omitted) {
        this.endLines();
        this.write("stderr", r.text);
        continue;
      }
      const mark = `[${r.thread}] `;
      let text = "";
      let at = 0;
      const open = this.open.get(r.stream);
      if (open !== undefined && open.thread !== r.thread) text += "\n";
      let lineOpen = open?.thread === r.thread;
      if (lineOpen && open?.redraw && !r.text.startsWith("\n")) text += mark;
      while (at < r.text.length) {
        const nl = r.text.indexOf("\n", at);
        const end = nl < 0 ? r.text.length : nl + 1;
        const line = r.text.slice(at, end);
        // a line that begins by redrawing itself gets its mark after the "\r", below
        if (!lineOpen && !/^\r[^\n]/.test(line)) text += mark;
        // "\r" then more of the line: the line is drawn again, mark first
        text += line.replace(/\r(?=[^\n])/g, `\r${mark}`);
        lineOpen = nl < 0;
        at = end;
      }
      if (lineOpen) this.open.set(r.stream, { thread: r.thread, redraw: r.text.endsWith("\r") });
      else this.open.delete(r.stream);
      if (text) this.write(r.stream, text);
    }
  }

  /** Whether a line of `stream` is open (the next piece of its thread continues it). */
  isOpen(stream: OutputRecord["stream"]): boolean {
    return this.open.has(stream);
  }

  /** The open line of `stream` is shown somewhere new from here on (another output): its next piece is marked again. */
  breakLine(stream: OutputRecord["stream"]): void {
    this.open.delete(stream);
  }

  /** Ends the lines left open (the cell is over, or a note is due). */
  endLines(): void {
    for (const stream of this.open.keys()) this.write(stream, "\n");
    this.open.clear();
  }
}
