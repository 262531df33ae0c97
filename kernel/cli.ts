// `concnb run FILE [--json] [--timeout S]`: the headless runner. It runs the
// same kernel as VS Code, in this process, cell by cell.
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { CellResult, KernelOptions, OutputRecord } from "./protocol/messages";
import { parseConcnb } from "./protocol/format";
import { Kernel } from "./kernel";

const USAGE = `usage: concnb run FILE [--json] [--timeout SECONDS] [--max-lines N] [--max-threads N] [--memory-mb N]

Runs a .concnb notebook cell by cell (or a .ts file as one program) on real
threads and prints each cell's output, every line marked with its thread.
  --json            print one JSON document: { "cells": [...] }
  --timeout S       stop a cell that runs longer than S seconds (status "timeout")
  --max-lines N     lines of output a cell keeps before it leaves the middle out
  --max-threads N   live threads a program may have (start() past it raises RuntimeError)
  --memory-mb N     memory the kernel's threads may use in all, typed arrays included
Exit status: 0 when every cell is ok (or ends with the error its metadata
"expectError" names: a lesson's deadlock, say), 1 otherwise, 2 for a usage error.`;

interface CellReport extends CellResult {
  index: number;
  outputs: OutputRecord[];
  /** The error a lesson's cell declares it ends with (cell metadata `expectError`), to show it on purpose. */
  expectError?: string;
}

/** A cell is as it should be when it is ok, or when it fails with the error its lesson says it does. */
const asExpected = (r: CellReport) => r.status === "ok" || (r.expectError !== undefined && r.status === "error" && r.error?.name === r.expectError);

function fail(message: string): never {
  process.stderr.write(`concnb: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (command !== "run") fail(command ? `unknown command '${command}'` : "no command given");
  let file: string | undefined;
  let json = false;
  let timeout: number | undefined;
  const options: KernelOptions = {};
  const limits = { "--max-lines": "outputLineLimit", "--max-threads": "maxThreads", "--memory-mb": "memoryBudgetMb" } as const;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--json") json = true;
    else if (a in limits) {
      const n = Number(rest[++i]);
      if (!Number.isInteger(n) || n <= 0) fail(`${a} takes a positive whole number`);
      options[limits[a as keyof typeof limits]] = n;
    }
    else if (a === "--timeout") {
      timeout = Number(rest[++i]);
      if (!Number.isFinite(timeout) || timeout <= 0) fail("--timeout takes a positive number of seconds");
    } else if (a.startsWith("--")) fail(`unknown option '${a}'`);
    else if (file === undefined) file = a;
    else fail(`unexpected argument '${a}'`);
  }
  if (!file) fail("no file given");
  return { file, json, timeout, options };
}

/** The code cells to run, each with the index VS Code shows (1-based, Markdown cells counted). */
function cellsOf(file: string): Array<{ index: number; label: string; source: string; expectError?: string }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (extname(file) === ".ts") return [{ index: 1, label: basename(file), source: text }];
  const doc = parseConcnb(text);
  for (const p of doc.problems) process.stderr.write(`concnb: ${file}:${p.line}: ${p.message} (left as it is, not run)\n`);
  return doc.cells.flatMap((c, i) => {
    if (c.kind !== "code") return [];
    const expect = c.metadata?.expectError;
    return [{ index: i + 1, label: `cell ${i + 1}`, source: c.source, ...(typeof expect === "string" ? { expectError: expect } : {}) }];
  });
}

function mark(records: OutputRecord[]): void {
  for (const r of records) {
    const lines = r.text.endsWith("\n") ? r.text.slice(0, -1).split("\n") : r.text.split("\n");
    const text = lines.map((l) => `[${r.thread}] ${l}\n`).join("");
    (r.stream === "stderr" ? process.stderr : process.stdout).write(text);
  }
}

// `concnb run lesson.concnb | head`: a reader that stops early is not an error of ours
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

async function main(): Promise<void> {
  const { file, json, timeout, options } = parseArgs(process.argv.slice(2));
  const cells = cellsOf(file);
  const kernel = new Kernel(options);
  const reports: CellReport[] = [];
  let execId = 0;
  for (const cell of cells) {
    const id = ++execId;
    const outputs: OutputRecord[] = [];
    if (!json) process.stdout.write(`── ${cell.label} ${"─".repeat(Math.max(0, 60 - cell.label.length))}\n`);
    const timer = timeout ? setTimeout(() => kernel.interrupt(id, "timeout"), timeout * 1000) : undefined;
    const result = await kernel.run({ execId: id, cellLabel: cell.label, source: cell.source }, (records) => {
      outputs.push(...records);
      if (!json) mark(records);
    });
    clearTimeout(timer);
    const report: CellReport = { index: cell.index, ...result, outputs, ...(cell.expectError ? { expectError: cell.expectError } : {}) };
    reports.push(report);
    if (!json) {
      if (result.error) process.stderr.write(`${result.error.traceback ?? `${result.error.name}: ${result.error.message}`}\n`.replace(/\n+$/, "\n"));
      const status = result.status === "error" && asExpected(report) ? `${result.error?.name}, as the lesson expects,` : result.status;
      process.stdout.write(`${asExpected(report) ? "✓" : "✗"} ${cell.label}: ${status} in ${Math.round(result.durationMs)} ms\n`);
    }
  }
  await kernel.dispose();
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          cells: reports.map(({ index, status, durationMs, outputs, error, expectError }) => ({
            index, status, durationMs, outputs, ...(error ? { error } : {}), ...(expectError ? { expectError } : {}),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  }
  process.exitCode = reports.every(asExpected) ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`concnb: internal error: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
