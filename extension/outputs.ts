// How captured thread output becomes notebook cell outputs, and back (for the
// serializer when outputs are saved). Every line shows the thread that wrote
// it; stderr stays a separate stream so VS Code colours it as errors.
import * as vscode from "vscode";
import type { OutputRecord } from "../kernel/protocol/messages";

/** Output metadata key under which the records behind an output are kept. */
const RECORDS = "concnbRecords";

export function threadLines(records: readonly OutputRecord[]): string {
  let text = "";
  for (const r of records) {
    const lines = r.text.endsWith("\n") ? r.text.slice(0, -1).split("\n") : r.text.split("\n");
    for (const line of lines) text += `[${r.thread}] ${line}\n`;
  }
  return text;
}

/** Consecutive records of one stream become one output. */
export function outputsFromRecords(records: readonly OutputRecord[]): vscode.NotebookCellOutput[] {
  const outputs: vscode.NotebookCellOutput[] = [];
  let run: OutputRecord[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const text = threadLines(run);
    const item = run[0].stream === "stderr"
      ? vscode.NotebookCellOutputItem.stderr(text)
      : vscode.NotebookCellOutputItem.stdout(text);
    outputs.push(new vscode.NotebookCellOutput([item], { [RECORDS]: run }));
    run = [];
  };
  for (const r of records) {
    if (run.length > 0 && run[0].stream !== r.stream) flush();
    run.push(r);
  }
  flush();
  return outputs;
}

/** The records behind outputs made by outputsFromRecords; other outputs are skipped. */
export function recordsOfOutputs(outputs: readonly vscode.NotebookCellOutput[]): OutputRecord[] {
  const records: OutputRecord[] = [];
  for (const o of outputs) {
    const r = o.metadata?.[RECORDS];
    if (Array.isArray(r)) records.push(...(r as OutputRecord[]));
  }
  return records;
}
