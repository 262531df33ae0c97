// Tracebacks in Python's shape whose frames point at cells and lines of the
// user's code. V8 hands us structured call sites; frames in compiled cells
// are mapped back through each chunk's line table, every other frame (the
// runtime, Node) is left out: a learner's traceback shows only their code.
import { inspect } from "node:util";
import { lookupLine } from "./lineTable";
import { CELL_FUNCTION, chunkNumber, type Chunk } from "../../protocol/worker";
import { whyUndefined } from "./scope";

export interface Frame {
  label: string;
  line: number;
  fn: string;
  code: string;
  /** The compiled chunk's number (its url ends with it; the kernel knows its cell by it). */
  chunk: number;
}

const chunks = new Map<string, { chunk: Chunk; lines: string[]; id: number }>();
const frames = new WeakMap<object, Frame[]>();

export function registerChunk(chunk: Chunk): void {
  if (!chunks.has(chunk.url)) chunks.set(chunk.url, { chunk, lines: chunk.source.split("\n"), id: chunkNumber(chunk.url) });
}

export function installTracebacks(): void {
  Error.stackTraceLimit = 100;
  Error.prepareStackTrace = (err: Error, sites: NodeJS.CallSite[]) => {
    const mapped = sites.map(mapSite).filter((f): f is Frame => f !== null);
    if (typeof err === "object" && err !== null) frames.set(err, mapped);
    const head = headline(err);
    return [head, ...mapped.map((f) => `    at ${f.fn} (${f.label}:${f.line})`)].join("\n");
  };
}

function mapSite(site: NodeJS.CallSite): Frame | null {
  const url = site.getScriptNameOrSourceURL?.() ?? site.getFileName();
  const known = url ? chunks.get(url) : undefined;
  if (!known) return null;
  const { chunk, lines, id } = known;
  const tsLine = lookupLine(chunk.lines, (site.getLineNumber() ?? 1) - 1, (site.getColumnNumber() ?? 1) - 1);
  const line = tsLine - chunk.lineOffset + 1;
  if (tsLine < 0 || line < 1 || line > lines.length) return null;
  const name = site.getFunctionName();
  const fn = name === CELL_FUNCTION ? "<module>" : name || "<lambda>";
  return { label: chunk.label, line, fn, code: lines[line - 1].trim(), chunk: id };
}

export function headline(err: unknown): string {
  if (err instanceof Error || (typeof err === "object" && err !== null && "message" in err)) {
    const e = err as Error;
    // `class InsufficientFunds extends Error {}` keeps the name "Error"; Python shows the class
    const cls = (e.constructor as { name?: string } | undefined)?.name;
    const name = e.name === "Error" && cls && cls !== "Error" && cls !== "Object" ? cls : e.name || "Error";
    const message = e.message + whyUndefined(e);
    return message ? `${name}: ${message}` : name;
  }
  return `Error: thrown value ${inspect(err)}`;
}

/** The cell frames of an error, oldest call first. */
export function framesOf(err: unknown): Frame[] {
  if (typeof err !== "object" || err === null) return [];
  void (err as Error).stack; // V8 prepares the stack, and so our frames, on first access
  return [...(frames.get(err) ?? [])].reverse();
}

/** Gives an error (one rebuilt from another thread, say) these frames, oldest call first. */
export function setFrames(err: object, oldestFirst: Frame[]): void {
  void (err as Error).stack;
  frames.set(err, [...oldestFirst].reverse());
}

/** Python's traceback text: "Traceback (most recent call last):", the frames, then "Name: message". */
export function formatTraceback(err: unknown): string {
  const fs = framesOf(err);
  let text = fs.length > 0 ? "Traceback (most recent call last):\n" : "";
  for (const f of fs) text += `  File "${f.label}", line ${f.line}, in ${f.fn}\n    ${f.code}\n`;
  return text + headline(err) + "\n";
}
