// `concnb run FILE [--json] [--timeout S] ...`: the headless runner. It runs
// the same kernel as VS Code, as VS Code does: in a process of its own
// (kernel/main), so a cell stuck where no interrupt reaches (a blocking system
// call in a thread) can still be ended by killing that process, and the
// runner always exits.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { CellResult, KernelOptions, OutputRecord } from "./protocol/messages";
import { parseConcnb } from "./protocol/format";
import { KernelClient, type KernelRun } from "./client/kernelClient";
import { ThreadMarks } from "./protocol/marks";
import { traceEvents } from "./traceEvents";
import type { Timeline } from "./protocol/timeline";
import { planRun, type PlannedCell } from "./runPlan";
import { checkExercise, passed, verdictOf, type CheckOutcome } from "./client/checks";

const USAGE = `usage: concnb run FILE [--json] [--timeout SECONDS] [--trace OUT.json] [--solutions] [--max-lines N] [--max-threads N] [--memory-mb N]

Runs a .concnb notebook cell by cell (or a .ts file as one program) on real
threads and prints each cell's output, every line marked with its thread.
  --json            print one JSON document: { "cells": [...] }
  --timeout S       stop a cell that runs longer than S seconds (status "timeout")
  --trace OUT.json  write what the threads did (Trace Event Format: open it in Perfetto or chrome://tracing)
  --solutions       run each exercise's solution in its place (an exercise's check runs it, and its exercise, N times)
  --max-lines N     lines of output a cell keeps before it leaves the middle out
  --max-threads N   live threads a program may have (start() past it raises RuntimeError)
  --memory-mb N     memory the kernel's threads may use in all, typed arrays included
Ctrl+C stops the running cell (a second one stops the runner).
Exit status: 0 when every cell is ok (or ends with the error its metadata
"expectError" names: a lesson's deadlock, say), 1 otherwise (a file that cannot
be run is an error too), 2 for a usage error.`;

/** How long a stopped cell may take to end before its kernel process is killed: the runner exits within 2 s. */
const STOP_GRACE_MS = 1000;

interface CellReport extends CellResult {
  index: number;
  outputs: OutputRecord[];
  /** The error a lesson's cell declares it ends with (cell metadata `expectError`), to show it on purpose. */
  expectError?: string;
  /** A check cell's verdict (docs/API.md, "Exercises"). */
  check?: { exercise: string; runs: number; passed: number; failure?: string };
}

/** A cell is as it should be when it is ok, or when it fails with the error its lesson says it does. */
const asExpected = (r: CellReport) => r.status === "ok" || (r.expectError !== undefined && r.status === "error" && r.error?.name === r.expectError);

function usage(message: string): never {
  process.stderr.write(`concnb: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** The file cannot be run: say why, and exit 1 without running any of it. */
function refuse(message: string): never {
  process.stderr.write(`concnb: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (command !== "run") usage(command ? `unknown command '${command}'` : "no command given");
  let file: string | undefined;
  let json = false;
  let timeout: number | undefined;
  let trace: string | undefined;
  let solutions = false;
  const options: KernelOptions = {};
  const limits = { "--max-lines": "outputLineLimit", "--max-threads": "maxThreads", "--memory-mb": "memoryBudgetMb" } as const;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--json") json = true;
    else if (a === "--solutions") solutions = true;
    else if (a in limits) {
      const n = Number(rest[++i]);
      if (!Number.isInteger(n) || n <= 0) usage(`${a} takes a positive whole number`);
      options[limits[a as keyof typeof limits]] = n;
    } else if (a === "--timeout") {
      timeout = Number(rest[++i]);
      if (!Number.isFinite(timeout) || timeout <= 0) usage("--timeout takes a positive number of seconds");
    } else if (a === "--trace") {
      trace = rest[++i];
      if (!trace || trace.startsWith("--")) usage("--trace takes the file to write");
    } else if (a.startsWith("--")) usage(`unknown option '${a}'`);
    else if (file === undefined) file = a;
    else usage(`unexpected argument '${a}'`);
  }
  if (!file) usage("no file given");
  return { file, json, timeout, trace, solutions, options };
}

/** The file's text, or a refusal that says plainly what is wrong with it. */
function textOf(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") refuse(`${file}: no such file`);
    if (err.code === "EISDIR") refuse(`${file} is a folder, not a notebook`);
    refuse(`cannot read ${file}: ${err.message}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) refuse(`${file} is not a text file (a zero byte at offset ${nul}): a notebook is UTF-8 text`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    refuse(`${file} is not UTF-8 text: a notebook is UTF-8 text`);
  }
}

/** The cells to run (runPlan), or a refusal that says what is wrong with the file. */
function cellsOf(file: string, solutions: boolean): PlannedCell[] {
  const text = textOf(file);
  if (extname(file) === ".ts") return [{ index: 1, label: basename(file), source: text }];
  const doc = parseConcnb(text);
  if (doc.problems.length > 0) {
    for (const p of doc.problems) process.stderr.write(`concnb: ${file}:${p.line}: ${p.message}\n`);
    refuse(`${file} was not run: fix the file first (VS Code opens it, shows the problem and keeps every byte)`);
  }
  const plan = planRun(doc.cells, solutions);
  if ("problems" in plan) {
    for (const p of plan.problems) process.stderr.write(`concnb: ${file}: cell ${p.index}: ${p.message}\n`);
    refuse(`${file} was not run: its exercises' metadata is wrong`);
  }
  return plan.cells;
}

// `concnb run lesson.concnb | head`: a reader that stops early is not an error of ours
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

async function main(): Promise<void> {
  const { file, json, timeout, trace, solutions, options } = parseArgs(process.argv.slice(2));
  const cells = cellsOf(file, solutions);
  const debug = process.env.CONCNB_DEBUG ? (l: string) => process.stderr.write(`concnb: ${l}\n`) : () => {};
  const kernel = new KernelClient({
    kernelPath: join(__dirname, "kernel.js"),
    cwd: process.cwd(),
    log: debug,
    kernelOptions: options,
    interruptGraceMs: STOP_GRACE_MS,
    shutdownGraceMs: STOP_GRACE_MS,
  });
  const marks = new ThreadMarks((stream, text) => (stream === "stderr" ? process.stderr : process.stdout).write(text));
  let running: KernelRun | undefined;
  let interrupts = 0;
  process.on("SIGINT", () => {
    if (++interrupts > 1 || !running) process.exit(130);
    running.interrupt();
  });
  // a cell's time limit counts from its run, not from the kernel's start
  if (!(await kernel.started)) {
    const exit = await kernel.exited;
    refuse(`the kernel process did not start (exit code ${exit.code}, signal ${exit.signal}): ${exit.stderrTail.join("\n")}`);
  }
  const reports: CellReport[] = [];
  const timelines: Array<{ index: number; timeline: Timeline }> = [];
  /** One run of a cell's text, under --timeout and Ctrl+C; a kernel killed for not stopping says so. */
  const runCell = async (label: string, source: string, onRecords: (records: OutputRecord[]) => void, index?: number): Promise<CellResult> => {
    const run = kernel.run(label, source, onRecords, { timeline: trace !== undefined && index !== undefined });
    running = run;
    const timer = timeout ? setTimeout(() => run.interrupt("timeout"), timeout * 1000) : undefined;
    let result = await run.result;
    running = undefined;
    clearTimeout(timer);
    if (kernel.killedAfterInterrupt) {
      const why = `it did not end within ${STOP_GRACE_MS / 1000} s of being stopped (a thread stuck in a blocking system call?), so its kernel process was killed`;
      result = { status: timeout && result.durationMs >= timeout * 1000 ? "timeout" : "interrupted", durationMs: result.durationMs, error: { name: "KernelKilled", message: why } };
    }
    const timeline = run.timeline();
    if (timeline && index !== undefined) timelines.push({ index, timeline });
    return result;
  };
  for (const cell of cells) {
    if (cell.solutionOf) {
      // a solution is read when the learner asks, never run in order: it would answer its exercise for them
      if (!json) process.stdout.write(`· ${cell.label}: the solution of "${cell.solutionOf.exercise}", not run (--solutions runs it in place of cell ${cell.solutionOf.index})\n`);
      continue;
    }
    if (!kernel.alive) {
      reports.push({ index: cell.index, status: "error", durationMs: 0, outputs: [], error: { name: "NotRun", message: "an earlier cell's kernel was stopped: this cell was not run" } });
      if (!json) process.stdout.write(`✗ ${cell.label}: not run (the kernel was stopped)\n`);
      continue;
    }
    const title = cell.check ? `${cell.label}: check of "${cell.check.exercise}", ${cell.check.runs === 1 ? "1 run" : `${cell.check.runs} runs`}` : cell.solvedBy ? `${cell.label} (its solution, cell ${cell.solvedBy})` : cell.label;
    if (!json) process.stdout.write(`── ${title} ${"─".repeat(Math.max(0, 60 - title.length))}\n`);
    if (cell.check) {
      const outcome = await checkExercise((c, out) => runCell(c.label, c.source, out), { id: cell.check.exercise, cell: cell.check.exerciseCell }, { cell, runs: cell.check.runs });
      reports.push(checkReport(cell.index, outcome));
      if (!json) {
        marks.add(outcome.outputs);
        marks.endLines();
        if (outcome.error) process.stderr.write(`${outcome.error.traceback ?? `${outcome.error.name}: ${outcome.error.message}`}\n`.replace(/\n+$/, "\n"));
        process.stdout.write(`${passed(outcome) ? "✓" : "✗"} ${cell.label}: "${cell.check.exercise}" ${verdictOf(outcome)}, in ${outcome.durationMs} ms\n`);
      }
      continue;
    }
    const outputs: OutputRecord[] = [];
    const result = await runCell(
      cell.label,
      cell.source,
      (records) => {
        // never spread: a batch can be long
        for (const r of records) outputs.push(r);
        if (!json) marks.add(records);
      },
      cell.index,
    );
    if (!json) marks.endLines();
    const report: CellReport = { index: cell.index, ...result, outputs, ...(cell.expectError ? { expectError: cell.expectError } : {}) };
    reports.push(report);
    if (!json) {
      if (result.error) process.stderr.write(`${result.error.traceback ?? `${result.error.name}: ${result.error.message}`}\n`.replace(/\n+$/, "\n"));
      const status = result.status === "error" && asExpected(report) ? `${result.error?.name}, as the lesson expects,` : result.status;
      process.stdout.write(`${asExpected(report) ? "✓" : "✗"} ${cell.label}: ${status} in ${Math.round(result.durationMs)} ms\n`);
    }
  }
  await kernel.shutdown();
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          cells: reports.map(({ index, status, durationMs, outputs, error, expectError, check }) => ({
            index, status, durationMs, outputs, ...(error ? { error } : {}), ...(expectError ? { expectError } : {}), ...(check ? { check } : {}),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  }
  process.exitCode = reports.every(asExpected) ? 0 : 1;
  if (trace !== undefined) writeTrace(trace, timelines);
}

/** A check cell's entry: "ok" only when every run passed; else the first failing run's error (or the stop). */
function checkReport(index: number, o: CheckOutcome): CellReport {
  const status: CellResult["status"] = o.stopped ?? (passed(o) ? "ok" : "error");
  const check = { exercise: o.exercise, runs: o.runs, passed: o.passed, ...(o.failure ? { failure: o.failure } : {}) };
  return { index, status, durationMs: o.durationMs, outputs: o.outputs, check, ...(o.error && status === "error" ? { error: o.error } : {}) };
}

/** The trace file; one that cannot be written is said on stderr and fails the run, after its cells have run. */
function writeTrace(file: string, timelines: Array<{ index: number; timeline: Timeline }>): void {
  try {
    writeFileSync(file, JSON.stringify(traceEvents(timelines)));
    process.stderr.write(`concnb: wrote the threads' trace to ${file} (open it in Perfetto, ui.perfetto.dev, or chrome://tracing)\n`);
  } catch (e) {
    process.stderr.write(`concnb: cannot write the trace to ${file}: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`concnb: internal error: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
