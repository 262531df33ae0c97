// The editor's types of cells, through the real language server (out/server.js
// over stdio, LSP's notebook sync), on the largest lesson, typing in its last
// code cell (the one with the most cells above it):
//   completion after a keystroke   : p95 of 40, request to answer             target < 100 ms
//   hover after a keystroke        : p95 of 40                               target < 100 ms
//   fresh diagnostics of a keystroke: p95 of 40, change sent to diagnostics   target < 100 ms
//   server memory                  : peak RSS of its process                 target < 300 MB
// Baseline, in the same run: the same completion and hover asked of a bare TypeScript language service in this
// process over the lesson's code as one file (no notebook, no LSP), after the same edit.
// Run: npm run bench
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { parseConcnb } from "../../kernel/protocol/format";
import { cellOptions } from "../../extension/server/typesService";

const ROUNDS = 40;
const out = join(__dirname, "..", "..");
const root = join(out, "..");

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function largestLesson(): string {
  const dir = join(root, "notebooks");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".concnb"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

/** The text of the last cell in round i: after `stage` keystrokes of the line the round types. */
function typed(base: string, i: number, stage: "dot" | "j" | "call"): string {
  const line = `const c${i} = new Thread({ target: () => {} });\nc${i}.`;
  return `${base}\n${line}${stage === "dot" ? "" : stage === "j" ? "j" : "join();"}`;
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function server(file: string) {
  const child = spawn(process.execPath, [join(out, "server.js"), "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map<string, (version: number) => void>();
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number }) => waiting.get(p.uri)?.(p.version ?? -1));
  conn.onNotification("window/logMessage", (p: { message: string }) => {
    if (/error/i.test(p.message)) console.error(`server: ${p.message}`);
  });
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: { notebookDocument: { synchronization: {} } } });
  await conn.sendNotification("initialized", {});

  const nb = parseConcnb(readFileSync(file, "utf8"));
  const nbUri = `file://${file}`;
  const cells = nb.cells.map((c, i) => ({ kind: c.kind === "code" ? 2 : 1, document: `vscode-notebook-cell://${file}#c${i}`, source: c.source }));
  const last = cells.filter((c) => c.kind === 2).at(-1)!;
  const diagnosed = (uri: string, version: number) =>
    new Promise<void>((resolve) => waiting.set(uri, (v) => v === version && (waiting.delete(uri), resolve())));
  const opened = diagnosed(last.document, 1);
  await conn.sendNotification("notebookDocument/didOpen", {
    notebookDocument: { uri: nbUri, notebookType: "concnb", version: 1, cells: cells.map(({ kind, document }) => ({ kind, document })) },
    cellTextDocuments: cells.map((c) => ({ uri: c.document, languageId: c.kind === 2 ? "typescript" : "markdown", version: 1, text: c.source })),
  });
  await opened;
  let version = 1;
  let nbVersion = 1;
  /** One keystroke: the last cell's text becomes `text` (sent whole: what LSP sends for a keystroke costs the same). */
  const key = async (text: string) => {
    version++;
    await conn.sendNotification("notebookDocument/didChange", {
      notebookDocument: { uri: nbUri, version: ++nbVersion },
      change: { cells: { textContent: [{ document: { uri: last.document, version }, changes: [{ text }] }] } },
    });
    return version;
  };
  return { conn, child, last, key, diagnosed };
}

/** A bare language service over the lesson's code as one file: the same questions with no notebook between. */
function bare(code: string) {
  const file = join(root, "bare.ts");
  let text = code;
  let v = 0;
  const typings = join(out, "typings");
  const modules = JSON.parse(readFileSync(join(typings, "modules.json"), "utf8")) as Record<string, string>;
  const options = cellOptions(typings);
  const ls = ts.createLanguageService({
    getCompilationSettings: () => options,
    getScriptFileNames: () => [file],
    getScriptVersion: (f) => (f === file ? String(v) : "0"),
    getScriptSnapshot: (f) => (f === file ? ts.ScriptSnapshot.fromString(text) : ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)!) : undefined),
    getCurrentDirectory: () => root,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
    resolveModuleNameLiterals: (lits, from) =>
      lits.map((l) => ({
        resolvedModule: modules[l.text] ? { resolvedFileName: join(typings, modules[l.text]), extension: ts.Extension.Dts } : ts.resolveModuleName(l.text, from, options, ts.sys).resolvedModule,
      })),
  });
  return {
    set(t: string) {
      text = t;
      v++;
    },
    completion: () => ls.getCompletionsAtPosition(file, text.length, {}),
    hover: (at: number) => ls.getQuickInfoAtPosition(file, at),
  };
}

async function main(): Promise<void> {
  const file = largestLesson();
  const { conn, child, last, key, diagnosed } = await server(file);
  const base = last.source;
  const lesson = parseConcnb(readFileSync(file, "utf8")).cells.filter((c) => c.kind === "code").map((c) => c.source);
  const others = lesson.slice(0, -1).join("\n");
  const b = bare(others);
  const times = { completion: [] as number[], hover: [] as number[], diagnostics: [] as number[], bareCompletion: [] as number[], bareHover: [] as number[] };
  const warm = 5;
  for (let i = 0; i < ROUNDS + warm; i++) {
    const keep = i >= warm;
    const uri = last.document;
    // completion right after typing the dot
    const dotText = typed(base, i, "dot");
    await key(dotText);
    let t0 = performance.now();
    const list = await conn.sendRequest<{ label: string }[] | { items: { label: string }[] }>("textDocument/completion", {
      textDocument: { uri },
      position: endOf(dotText),
    });
    const labels = (Array.isArray(list) ? list : list.items).map((x) => x.label);
    if (!labels.includes("join")) throw new Error(`completion after c${i}. lacks join: ${labels.slice(0, 20).join(", ")}`);
    if (keep) times.completion.push(performance.now() - t0);
    // hover on Thread right after the next keystroke
    const jText = typed(base, i, "j");
    await key(jText);
    const at = jText.lastIndexOf("Thread") + 2;
    t0 = performance.now();
    const h = await conn.sendRequest<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position: positionOf(jText, at) });
    if (!h || !/class Thread/.test(h.contents.value)) throw new Error(`no hover on Thread: ${JSON.stringify(h)}`);
    if (keep) times.hover.push(performance.now() - t0);
    // fresh diagnostics for the keystroke that completes the line
    const callText = typed(base, i, "call");
    t0 = performance.now();
    const v = await key(callText);
    await diagnosed(uri, v);
    if (keep) times.diagnostics.push(performance.now() - t0);
    // the baseline: the same questions of a bare service, after the same edit
    const bareBase = `${others}\n${base}`;
    b.set(typed(bareBase, i, "dot"));
    t0 = performance.now();
    b.completion();
    if (keep) times.bareCompletion.push(performance.now() - t0);
    const bj = typed(bareBase, i, "j");
    b.set(bj);
    t0 = performance.now();
    b.hover(bj.lastIndexOf("Thread") + 2);
    if (keep) times.bareHover.push(performance.now() - t0);
  }
  const rss = peakRssMb(child.pid!);
  await conn.sendRequest("shutdown");
  await conn.sendNotification("exit");
  conn.dispose();
  child.kill();

  const name = file.slice(file.lastIndexOf("/") + 1);
  const row = (what: string, xs: number[], base?: number[]) => {
    const ratio = base ? `  (${(p95(xs) / p95(base)).toFixed(2)}× a bare language service's ${p95(base).toFixed(1)} ms)` : "";
    const verdict = p95(xs) < 100 ? "held" : "NOT held";
    console.log(`${what.padEnd(34)} p95 ${p95(xs).toFixed(1)} ms, median ${median(xs).toFixed(1)} ms${ratio}   target < 100 ms: ${verdict}`);
  };
  console.log(`largest lesson: ${name}, ${lesson.length} code cells; typing in the last, ${ROUNDS} rounds`);
  row("completion after a keystroke", times.completion, times.bareCompletion);
  row("hover after a keystroke", times.hover, times.bareHover);
  row("fresh diagnostics of a keystroke", times.diagnostics);
  console.log(`${"server memory (peak RSS)".padEnd(34)} ${rss.toFixed(0)} MB   target < 300 MB: ${rss < 300 ? "held" : "NOT held"}`);
}

function positionOf(text: string, offset: number) {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function endOf(text: string) {
  return positionOf(text, text.length);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
