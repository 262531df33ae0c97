// VS Code's view of a .concnb file. The format itself lives in
// kernel/protocol/format.ts (the CLI reads files with it too); this file only
// maps its cells to notebook cells and back, keeping in metadata what the
// format needs to give back a file's exact bytes.
import * as vscode from "vscode";
import {
  parseConcnb,
  serializeConcnb,
  type CellLayout,
  type ConcnbCell,
  type ConcnbProblem,
  type Eol,
} from "../kernel/protocol/format";
import { foldAway, foldedOf, unfold, type FoldedCell } from "./exercises/folding";
import { outputsFromRecords, recordsOfOutputs } from "./outputs";

/** Notebook and cell metadata key under which this extension keeps what the format needs. */
const KEY = "concnb";
const CODE_LANGUAGE = "typescript";
/** A part the parser did not understand: shown as text, never run (the kernel runs only TypeScript). */
const RAW_LANGUAGE = "plaintext";

/** What the notebook's metadata holds, so that saving writes the file's own spelling back. */
interface NotebookState {
  frontMatter?: { raw: string; data: Record<string, unknown> };
  eol: Eol;
  finalNewline: boolean;
  bom: boolean;
  layout?: { gap?: string[] };
  /** Hints and solutions not shown yet (extension/exercises/folding): written back where they were on saving. */
  folded?: FoldedCell[];
}

/** What a cell's metadata holds besides the marker's own JSON. */
interface CellState {
  raw?: true;
  layout?: CellLayout;
  /** A `concnb` key of the marker's JSON, moved aside because that key is ours. */
  own?: unknown;
}

export interface SerializerSettings {
  saveOutputs(): boolean;
}

export class ConcnbSerializer implements vscode.NotebookSerializer {
  constructor(
    private readonly settings: SerializerSettings,
    private readonly warn: (message: string) => void = (m) => void vscode.window.showWarningMessage(m),
  ) {}

  deserializeNotebook(content: Uint8Array, _token: vscode.CancellationToken): vscode.NotebookData {
    const { text, valid } = decode(content);
    // not a text file (invalid UTF-8, or zero bytes): one plain-text cell of its bytes, one character each
    // (latin1), written back the same way, so that a save keeps every byte
    if (!valid || content.includes(0)) {
      const shown = Buffer.from(content).toString("latin1");
      const data = new vscode.NotebookData([rawCell(shown)]);
      // the editor may change line breaks (a lone \r) in the cell's text: the bytes themselves are kept aside
      data.metadata = { [KEY]: { bytes: Buffer.from(content).toString("base64"), shown: sameBreaks(shown) } };
      this.warn(
        "This file is not a text notebook (it is not UTF-8 text, or it holds zero bytes): it is shown as one plain-text cell, " +
          "nothing in it runs, and saving keeps its bytes as they are.",
      );
      return data;
    }
    const doc = parseConcnb(text);
    const { shown, folded } = foldAway(doc.cells);
    const data = new vscode.NotebookData(shown.map(toCellData));
    const state: NotebookState = { eol: doc.eol, finalNewline: doc.finalNewline, bom: doc.bom };
    if (folded.length > 0) state.folded = folded;
    if (doc.frontMatter) state.frontMatter = doc.frontMatter;
    if (doc.layout) state.layout = doc.layout;
    data.metadata = { [KEY]: state };
    const message = warning(doc.problems);
    if (message) this.warn(message);
    return data;
  }

  serializeNotebook(data: vscode.NotebookData, _token: vscode.CancellationToken): Uint8Array {
    const state = objectOr(data.metadata?.[KEY]);
    // opened as bytes (see deserializeNotebook): the same bytes back, unless the learner changed the text, which is then kept
    if (typeof state.bytes === "string") {
      const text = data.cells.map((c) => c.value).join("\n");
      return sameBreaks(text) === state.shown ? Buffer.from(state.bytes, "base64") : Buffer.from(text, "latin1");
    }
    const frontMatter = objectOr(state.frontMatter);
    const text = serializeConcnb(
      {
        frontMatter: typeof frontMatter.raw === "string" ? { raw: frontMatter.raw } : undefined,
        cells: unfold(data.cells.map(fromCellData), foldedOf(state.folded)),
        eol: state.eol === "\r\n" ? "\r\n" : "\n",
        finalNewline: state.finalNewline !== false,
        bom: state.bom === true,
        layout: objectOr(state.layout),
      },
      { saveOutputs: this.settings.saveOutputs() },
    );
    return new TextEncoder().encode(text);
  }
}

/** Text with its line breaks made one kind, as an editor may make them. */
function sameBreaks(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

function rawCell(text: string): vscode.NotebookCellData {
  const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, RAW_LANGUAGE);
  data.metadata = { [KEY]: { raw: true } satisfies CellState };
  return data;
}

/** A cell of the file as a notebook cell (also for a folded hint or solution when it is shown). */
export function toCellData(cell: ConcnbCell): vscode.NotebookCellData {
  const ours: CellState = {};
  let data: vscode.NotebookCellData;
  if (cell.kind === "markdown") data = new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, "markdown");
  else if (cell.kind === "code") {
    data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, CODE_LANGUAGE);
    if (cell.outputs) data.outputs = outputsFromRecords(cell.outputs);
  } else {
    data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, RAW_LANGUAGE);
    ours.raw = true;
  }
  if (cell.layout) ours.layout = cell.layout;
  const { [KEY]: own, ...metadata } = cell.metadata ?? {};
  if (own !== undefined) ours.own = own;
  data.metadata = Object.keys(ours).length > 0 ? { ...metadata, [KEY]: ours } : metadata;
  return data;
}

export function fromCellData(data: vscode.NotebookCellData): ConcnbCell {
  const { [KEY]: state, ...metadata } = data.metadata ?? {};
  const ours = objectOr(state);
  if (ours.own !== undefined) metadata[KEY] = ours.own;
  // A cell's text model may use the platform's line ending; the file's own eol is applied on writing.
  const source = data.value.replace(/\r\n/g, "\n");
  const kind: ConcnbCell["kind"] = data.kind === vscode.NotebookCellKind.Markup ? "markdown" : data.languageId === RAW_LANGUAGE ? "raw" : "code";
  const cell: ConcnbCell = { kind, source };
  if (kind !== "raw" && Object.keys(metadata).length > 0) cell.metadata = metadata;
  if (kind === "code" && data.outputs) {
    const records = recordsOfOutputs(data.outputs);
    if (records.length > 0) cell.outputs = records;
  }
  // The format checks every part of a layout against the cell before using it, so a stale or odd one is harmless.
  if (ours.layout !== undefined) cell.layout = objectOr(ours.layout);
  return cell;
}

/** Whether the bytes are UTF-8 text (a file that is not is kept as bytes: see deserializeNotebook). */
function decode(content: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(content), valid: true };
  } catch {
    return { text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(content), valid: false };
  }
}

function warning(problems: readonly ConcnbProblem[]): string | undefined {
  const parts: string[] = [];
  const n = problems.length;
  if (n > 0) {
    // The first few with their reason; the rest by line only, so the notification stays short.
    const shown = problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`);
    if (n > 3) shown.push(`and lines ${problems.slice(3).map((p) => p.line).join(", ")}`);
    parts.push(
      `${n === 1 ? "A part" : `${n} parts`} of this notebook could not be read as cells (${shown.join("; ")}). ` +
        (n === 1 ? "It is kept as it is: shown as a plain-text cell that does not run, and saved unchanged." : "They are kept as they are: shown as plain-text cells that do not run, and saved unchanged."),
    );
  }
  return parts.length > 0 ? parts.join(" ") : undefined;
}

function objectOr(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
