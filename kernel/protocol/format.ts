// The .concnb file format (docs/FORMAT.md): Markdown that a person can read and
// diff, each cell opened by an HTML-comment marker line. Shared by the VS Code
// serializer and the headless CLI, hence no vscode here. Parsing never throws
// and never loses a byte: a part it does not understand becomes a "raw" cell
// that is written back exactly as it was read.
import type { OutputRecord } from "./messages";

export type Eol = "\n" | "\r\n";

export interface FrontMatter {
  /** The text between the `---` lines, exactly as written: every line ends with "\n". */
  raw: string;
  /** Top-level `key: value` pairs of raw, read leniently; derived from raw, never written. */
  data: Record<string, unknown>;
}

export interface ConcnbCell {
  kind: "markdown" | "code" | "raw";
  /** Markdown, the TypeScript between the fences, or a raw part's exact text; lines joined by "\n". */
  source: string;
  /** The JSON object of the marker line (`<!-- ts {"collapsed":true} -->`). */
  metadata?: Record<string, unknown>;
  outputs?: OutputRecord[];
  /** Set by the parser only where the file differs from how serializeConcnb would write it. */
  layout?: CellLayout;
}

/**
 * How a hand-edited cell was spelled (`<!--ts-->`, four backticks, two blank
 * lines after...). Kept so that saving a file gives back its bytes; each part
 * is used only while it still spells the cell's current content. Treat as opaque.
 */
export interface CellLayout {
  /** From the marker line to the end of a Markdown body or to a code cell's closing fence. */
  head?: string;
  /** From after the closing fence to the end of the outputs block. */
  outputs?: string;
  /** The blank lines after the cell. */
  gap?: string[];
}

export interface ConcnbProblem {
  /** 1-based line of the file. */
  line: number;
  message: string;
}

export interface ConcnbDocument {
  frontMatter?: FrontMatter;
  cells: ConcnbCell[];
  eol: Eol;
  finalNewline: boolean;
  /** Whether the text started with a byte order mark (kept, not part of any cell). */
  bom: boolean;
  /** The blank lines between the front matter (or the file's start) and the first cell, when unusual. */
  layout?: { gap?: string[] };
  /** One per raw cell, in file order; empty for a well-formed file. */
  problems: ConcnbProblem[];
}

/** What serializeConcnb needs: a parsed document, or one built by hand. */
export interface ConcnbDocumentInput {
  frontMatter?: { raw: string };
  cells: readonly ConcnbCell[];
  eol?: Eol;
  finalNewline?: boolean;
  bom?: boolean;
  layout?: { gap?: string[] };
}

export interface SerializeOptions {
  /** Outputs are not the lesson: by default they are left out so lessons diff cleanly. */
  saveOutputs: boolean;
}

/** Thrown only for cell metadata that JSON cannot hold (a cycle, a BigInt). */
export class ConcnbSerializeError extends Error {
  override readonly name = "ConcnbSerializeError";
}

// ---- lines ----------------------------------------------------------------
const BLANKISH = /^[ \t]*$/;
const OUTPUTS_OPEN = /^<!--[ \t]*outputs$/;
// Any marker line will do for checking how a cell reads back when followed by another cell.
const NEXT = "<!-- md -->";

/** "" is no lines at all, so an empty cell is just its marker (or an empty fence). */
const linesOf = (s: string): string[] => (s === "" ? [] : s.split("\n"));

interface Marker {
  kind: "markdown" | "code";
  metadata?: Record<string, unknown>;
  error?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A marker is `<!-- md -->` or `<!-- ts -->` at column 0, optionally with a JSON object before `-->`. */
function readMarker(line: string): Marker | undefined {
  const t = line.trimEnd();
  if (!t.startsWith("<!--") || !t.endsWith("-->") || t.length < 9) return undefined;
  // Only JSON-looking text after the kind makes metadata: `<!-- md is great -->` is prose, not a broken marker.
  const m = /^(md|ts)(?:$|[ \t]*([{[].*))$/s.exec(t.slice(4, -3).trim());
  if (!m) return undefined;
  const kind = m[1] === "md" ? "markdown" : "code";
  if (m[2] === undefined) return { kind };
  try {
    const v: unknown = JSON.parse(m[2]);
    return isObject(v) ? { kind, metadata: v } : { kind, error: "the cell metadata in the marker must be a JSON object" };
  } catch (e) {
    return { kind, error: `the cell metadata in the marker is not valid JSON (${(e as Error).message})` };
  }
}

function isRecord(v: unknown): v is OutputRecord {
  return isObject(v) && (v.stream === "stdout" || v.stream === "stderr") && typeof v.thread === "string" && typeof v.text === "string";
}

// ---- parsing --------------------------------------------------------------
export function parseConcnb(text: string): ConcnbDocument {
  const bom = text.startsWith("\uFEFF");
  if (bom) text = text.slice(1);
  // Mixed line endings read as LF: a stray "\r" stays inside its line, so no byte is lost.
  const eol: Eol = text.includes("\r\n") && !/(^|[^\r])\n/.test(text) ? "\r\n" : "\n";
  const lines = text === "" ? [] : text.split(eol);
  // An empty file is a new notebook: give it a final newline once it has cells.
  const finalNewline = text === "" || lines[lines.length - 1] === "";
  if (text !== "" && finalNewline) lines.pop();
  return { ...parseLines(lines), eol, finalNewline, bom };
}

function parseLines(lines: string[]): Omit<ConcnbDocument, "eol" | "finalNewline" | "bom"> {
  const n = lines.length;
  const markers = lines.map(readMarker);
  const cells: ConcnbCell[] = [];
  const problems: ConcnbProblem[] = [];
  const nextMarker = (from: number) => {
    while (from < n && !markers[from]) from++;
    return from;
  };
  const blanksFrom = (from: number, end: number) => {
    while (from < end && BLANKISH.test(lines[from])) from++;
    return from;
  };
  /** Markdown and raw bodies run to the next marker; one empty line before it is the separator. */
  const pushBody = (kind: "markdown" | "raw", head: string[], start: number, end: number, metadata?: Record<string, unknown>) => {
    const body = lines.slice(start, end);
    const gap = end < n && body.length > 0 && body[body.length - 1] === "" ? [body.pop() as string] : [];
    const cell: ConcnbCell = { kind, source: body.join("\n") };
    if (metadata) cell.metadata = metadata;
    note(cell, kind === "raw" ? undefined : [...head, ...body], undefined, gap, end < n);
    cells.push(cell);
  };
  const raw = (start: number, end: number, message: string, line = start) => {
    problems.push({ line: line + 1, message });
    pushBody("raw", [], start, end);
  };

  let i = 0;
  let frontMatter: FrontMatter | undefined;
  let frontMatterProblem = false;
  if (lines[0] === "---") {
    // A `---` further down is a Markdown rule, so the front matter must close before the first cell.
    const close = lines.indexOf("---", 1);
    if (close !== -1 && close < nextMarker(1)) {
      const yaml = lines.slice(1, close).map((l) => `${l}\n`).join("");
      frontMatter = { raw: yaml, data: parseFrontMatter(yaml) };
      i = close + 1;
    } else frontMatterProblem = true;
  }
  const lead = blanksFrom(i, n);
  const gap = lines.slice(i, lead);
  i = lead;
  if (i < n && !markers[i]) {
    const end = nextMarker(i);
    raw(i, end, frontMatterProblem ? "the front matter opened by `---` is not closed by a `---` line before the first cell" : "text before the first cell marker (`<!-- md -->` or `<!-- ts -->`)");
    i = end;
  }
  while (i < n) {
    const marker = markers[i] as Marker;
    const end = nextMarker(i + 1);
    if (marker.error) raw(i, end, marker.error);
    else if (marker.kind === "markdown") pushBody("markdown", [lines[i]], i + 1, end, marker.metadata);
    else parseCode(i, end, marker.metadata);
    i = end;
  }

  function parseCode(at: number, end: number, metadata?: Record<string, unknown>): void {
    const open = blanksFrom(at + 1, end);
    const fence = open < end ? /^(`{3,})[ \t]*([^\s`]*)[ \t]*$/.exec(lines[open].trimEnd()) : null;
    if (!fence) return raw(at, end, "a ts cell must hold a fenced code block (```ts ... ```) after its marker", open < end ? open : at);
    if (!["", "ts", "typescript"].includes(fence[2])) return raw(at, end, `code cells are TypeScript, but this block is \`\`\`${fence[2]}`, open);
    let close = open + 1;
    while (close < end && lines[close].trimEnd() !== fence[1]) close++;
    if (close === end) return raw(at, end, `the code block opened here is not closed by a line of ${fence[1].length} backticks`, open);
    const cell: ConcnbCell = { kind: "code", source: lines.slice(open + 1, close).join("\n") };
    if (metadata) cell.metadata = metadata;
    let after = close + 1;
    let outputsText: string[] | undefined;
    let problem: ConcnbProblem | undefined;
    const o = blanksFrom(after, end);
    if (o < end && OUTPUTS_OPEN.test(lines[o].trimEnd())) {
      let c = o + 1;
      while (c < end && lines[c].trim() !== "-->") c++;
      const records = c < end ? readRecords(lines.slice(o + 1, c).join("\n")) : "the outputs block opened here is not closed by a line `-->`";
      if (typeof records === "string") problem = { line: o + 1, message: records };
      else {
        cell.outputs = records;
        outputsText = lines.slice(after, c + 1);
        after = c + 1;
      }
    }
    const junk = blanksFrom(after, end);
    note(cell, lines.slice(at, close + 1), outputsText, lines.slice(after, junk), junk < n);
    cells.push(cell);
    if (junk < end) {
      const p = problem ?? { line: junk + 1, message: `text after the code block that ends at line ${close + 1} (only an outputs block may follow it)` };
      raw(junk, end, p.message, p.line - 1);
    }
  }

  const doc: Omit<ConcnbDocument, "eol" | "finalNewline" | "bom"> = { cells, problems };
  if (frontMatter) doc.frontMatter = frontMatter;
  if (!sameLines(gap, docGap(!!frontMatter, cells.length))) doc.layout = { gap };
  return doc;
}

/** Records, as layout, only the parts of a cell that serializeConcnb would spell differently. */
function note(cell: ConcnbCell, head: string[] | undefined, outputs: string[] | undefined, gap: string[], followed: boolean): void {
  const layout: CellLayout = {};
  if (head && !sameLines(head, headLines(cell))) layout.head = head.join("\n");
  if (outputs && !sameLines(outputs, outputLines(cell.outputs))) layout.outputs = outputs.join("\n");
  if (!sameLines(gap, followed ? [""] : [])) layout.gap = gap;
  if (Object.keys(layout).length > 0) cell.layout = layout;
}

const sameLines = (a: string[], b: string[]) => a.length === b.length && a.every((l, k) => l === b[k]);

function readRecords(json: string): OutputRecord[] | string {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    return `the outputs block is not valid JSON (${(e as Error).message})`;
  }
  return Array.isArray(v) && v.every(isRecord) ? v : 'the outputs block must be a JSON array of {"stream","thread","text"} records';
}

// ---- writing --------------------------------------------------------------
/** JSON that cannot end an HTML comment or break a line: no `--`, no U+2028/U+2029 (JSON.parse undoes it). */
function commentJson(v: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(v);
  } catch (e) {
    throw new ConcnbSerializeError(`cell metadata or outputs cannot be written as JSON: ${(e as Error).message}`);
  }
  return json.replace(/--/g, "-\\u002d").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function markerLine(kind: "md" | "ts", metadata: Record<string, unknown> | undefined): string {
  return metadata && Object.keys(metadata).length > 0 ? `<!-- ${kind} ${commentJson(metadata)} -->` : `<!-- ${kind} -->`;
}

/** One backtick more than the longest run that starts a code line (indented too: Markdown closes fences indented up to 3 spaces). */
function fenceFor(code: string[]): string {
  let longest = 2;
  for (const line of code) longest = Math.max(longest, /^[ \t]*(`*)/.exec(line)![1].length);
  return "`".repeat(longest + 1);
}

function headLines(cell: ConcnbCell): string[] {
  const body = linesOf(cell.source);
  if (cell.kind === "raw") return body;
  if (cell.kind === "markdown") return [markerLine("md", cell.metadata), ...body];
  const fence = fenceFor(body);
  return [markerLine("ts", cell.metadata), `${fence}ts`, ...body, fence];
}

/** One record a line, so a diff of saved outputs shows which lines changed. */
function outputLines(records: readonly OutputRecord[] | undefined): string[] {
  if (!records || records.length === 0) return [];
  const last = records.length - 1;
  return ["<!-- outputs", ...records.map((r, k) => `${k === 0 ? "[" : ""}${commentJson(r)}${k === last ? "]" : ","}`), "-->"];
}

const docGap = (frontMatter: boolean, cells: number) => (frontMatter && cells > 0 ? [""] : []);

export function serializeConcnb(doc: ConcnbDocumentInput, options: SerializeOptions): string {
  const out: string[] = [];
  if (doc.frontMatter) {
    const raw = doc.frontMatter.raw;
    // Every line of raw ends with "\n", so "" is no lines and "\n" is one empty line.
    out.push("---", ...(raw === "" ? [] : (raw.endsWith("\n") ? raw.slice(0, -1) : raw).split("\n")), "---");
  }
  // An emptied raw cell has nothing left to keep.
  const cells = doc.cells.filter((c) => !(c.kind === "raw" && c.source === ""));
  // loops, not push(...lines): a cell's saved output can be long
  for (const line of blankLines(doc.layout?.gap) ?? docGap(!!doc.frontMatter, cells.length)) out.push(line);
  cells.forEach((cell, k) => {
    for (const line of cellLines(cell, k < cells.length - 1, options.saveOutputs)) out.push(line);
  });
  const bom = doc.bom ? "\uFEFF" : "";
  if (out.length === 0) return bom;
  const eol = doc.eol ?? "\n";
  return bom + out.join(eol) + ((doc.finalNewline ?? true) ? eol : "");
}

function cellLines(cell: ConcnbCell, followed: boolean, saveOutputs: boolean): string[] {
  const hint = cell.layout ?? {};
  let head = headLines(cell);
  if (typeof hint.head === "string" && cell.kind !== "raw" && spells(cell, hint.head)) head = linesOf(hint.head);
  let outputs = saveOutputs && cell.kind === "code" ? outputLines(cell.outputs) : [];
  if (outputs.length > 0 && typeof hint.outputs === "string" && spellsOutputs(cell, hint.outputs)) outputs = linesOf(hint.outputs);
  const written = [...head, ...outputs];
  return [...written, ...gapAfter(cell, written, hint.gap, followed)];
}

/** Layout may come back from an editor's metadata, so it is checked rather than trusted. */
function blankLines(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((l) => typeof l === "string" && BLANKISH.test(l)) ? (v as string[]) : undefined;
}

function gapAfter(cell: ConcnbCell, written: string[], hint: unknown, followed: boolean): string[] {
  const usual = followed ? [""] : [];
  const gap = blankLines(hint);
  if (!gap) return usual;
  // Blank lines after a code cell are never content; after Markdown or raw text they are, but one empty separator.
  if (cell.kind === "code") return gap;
  if (gap.length === 0 && (!followed || written[written.length - 1] !== "")) return [];
  return usual;
}

/** Whether a hand-written head still reads back as this cell (same kind, source and metadata). */
function spells(cell: ConcnbCell, head: string): boolean {
  const back = parseLines([...linesOf(head), "", NEXT]);
  const c = back.cells[0];
  return back.problems.length === 0 && back.cells.length === 2 && c.kind === cell.kind && c.source === cell.source && sameJson(c.metadata ?? {}, cell.metadata ?? {});
}

function spellsOutputs(cell: ConcnbCell, outputs: string): boolean {
  const back = parseLines([...headLines(cell), ...linesOf(outputs), "", NEXT]);
  return back.problems.length === 0 && back.cells.length === 2 && sameJson(back.cells[0].outputs ?? [], cell.outputs ?? []);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// ---- front matter ---------------------------------------------------------
/**
 * Top-level `key: value` pairs with scalar or `[a, b]` values, which is all a
 * lesson's metadata needs; nested YAML is skipped rather than misread.
 */
export function parseFrontMatter(raw: string): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const line of raw.split(/\r?\n/)) {
    const m = /^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
    if (m && m[1] !== "__proto__") data[m[1]] = scalar(m[2] ?? "");
  }
  return data;
}

function scalar(v: string): unknown {
  const dq = /^("(?:[^"\\]|\\.)*")(?:[ \t]+#.*)?$/.exec(v);
  if (dq) {
    try {
      return JSON.parse(dq[1]) as unknown;
    } catch {
      return v; // a YAML escape JSON lacks: keep the text rather than guess
    }
  }
  const sq = /^'((?:[^']|'')*)'(?:[ \t]+#.*)?$/.exec(v);
  if (sq) return sq[1].replace(/''/g, "'");
  v = v.replace(/(^|[ \t])#.*$/, "").trim();
  if (v === "" || v === "~" || v === "null") return null;
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  const list = /^\[(.*)\]$/.exec(v);
  if (list) return list[1].trim() === "" ? [] : list[1].split(",").map((x) => scalar(x.trim()));
  return v;
}
