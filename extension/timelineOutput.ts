// A cell's timeline as a notebook output: the kernel's Timeline as JSON under
// its own MIME type, which the timeline renderer (extension/renderer/timeline)
// draws. Never saved into the lesson (outputs.ts keeps only thread output).
import * as vscode from "vscode";
import { TIMELINE_MIME, type Timeline } from "../kernel/protocol/timeline";

const TIMELINE_KEY = "concnbTimeline";

export function timelineOutput(timeline: Timeline): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.json(timeline, TIMELINE_MIME)], { [TIMELINE_KEY]: true });
}

export function isTimelineOutput(output: vscode.NotebookCellOutput): boolean {
  return output.metadata?.[TIMELINE_KEY] === true || output.items.some((i) => i.mime === TIMELINE_MIME);
}
