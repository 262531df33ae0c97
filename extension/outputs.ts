// How captured thread output becomes notebook cell outputs, and back (for the
// serializer when outputs are saved). Every line shows the thread that wrote
// it (kernel/protocol/marks, as in a terminal); stderr stays a separate stream
// so VS Code colours it as errors.
import * as vscode from "vscode";
import type { OutputRecord } from "../kernel/protocol/messages";
import { ThreadMarks } from "../kernel/protocol/marks";

/** Output metadata key under which the records behind an output are kept. */
const RECORDS = "concnbRecords";

interface Run {
  stream: OutputRecord["stream"];
  text: string;
  records: OutputRecord[];
}

/**
 * Records as runs of one stream each, marked. `lastStream` is the stream of the output shown last:
 * a line of another stream left open is continued in a new output, so it is marked again there.
 */
class Runs {
  private readonly marks = new ThreadMarks((stream, text) => this.text(stream, text));
  private runs: Run[] = [];
  lastStream: OutputRecord["stream"] | undefined;

  take(records: readonly OutputRecord[]): Run[] {
    for (const r of records) {
      if (r.stream !== this.lastStream && this.marks.isOpen(r.stream)) this.marks.breakLine(r.stream);
      this.marks.add([r]);
      const run = this.runs[this.runs.length - 1];
      if (run?.stream === r.stream) run.records.push(r);
    }
    const runs = this.runs;
    this.runs = [];
    return runs;
  }

  isOpen(stream: OutputRecord["stream"]): boolean {
    return this.marks.isOpen(stream);
  }

  private text(stream: OutputRecord["stream"], text: string): void {
    const run = this.runs[this.runs.length - 1];
    if (run?.stream === stream) run.text += text;
    else this.runs.push({ stream, text, records: [] });
    this.lastStream = stream;
  }
}

const item = (run: Run) =>
  run.stream === "stderr" ? vscode.NotebookCellOutputItem.stderr(run.text) : vscode.NotebookCellOutputItem.stdout(run.text);

/** Consecutive records of one stream become one output. */
export function outputsFromRecords(records: readonly OutputRecord[]): vscode.NotebookCellOutput[] {
  return new Runs().take(records).map((run) => new vscode.NotebookCellOutput([item(run)], { [RECORDS]: run.records }));
}

/**
 * One step's output as it arrives: a new output per batch and stream, but a line still open (a
 * progress bar, a line written in pieces) is continued in the output that holds it, where VS Code
 * joins the pieces and honours "\r". Outputs continued so have stale records in their metadata:
 * `end()` puts the step's outputs right, once.
 */
export class LiveOutput {
  private readonly runs = new Runs();
  private readonly all: OutputRecord[] = [];
  private last: vscode.NotebookCellOutput | undefined;
  private continued = false;
  private readonly before: readonly vscode.NotebookCellOutput[];

  constructor(private readonly execution: vscode.NotebookCellExecution) {
    this.before = [...execution.cell.outputs];
  }

  async add(records: readonly OutputRecord[]): Promise<void> {
    for (const r of records) this.all.push(r);
    const open = this.last && this.runs.lastStream !== undefined && this.runs.isOpen(this.runs.lastStream) ? this.runs.lastStream : undefined;
    for (const [i, run] of this.runs.take(records).entries()) {
      if (i === 0 && this.last && run.stream === open) {
        this.continued = true;
        await this.execution.appendOutputItems([item(run)], this.last);
      } else {
        this.last = new vscode.NotebookCellOutput([item(run)], { [RECORDS]: run.records });
        await this.execution.appendOutput(this.last);
      }
    }
  }

  async end(): Promise<void> {
    if (this.continued) await this.execution.replaceOutput([...this.before, ...outputsFromRecords(this.all)]);
  }
}

/** The records behind outputs made by outputsFromRecords; other outputs are skipped. */
export function recordsOfOutputs(outputs: readonly vscode.NotebookCellOutput[]): OutputRecord[] {
  const records: OutputRecord[] = [];
  for (const o of outputs) {
    const r = o.metadata?.[RECORDS];
    if (Array.isArray(r)) for (const x of r as OutputRecord[]) records.push(x);
  }
  return records;
}
