// The errors the host side itself reports in a cell, with stable names that
// tests and users can rely on, and how any cell error is shaped for VS Code's
// error renderer. No `vscode` here, so plain mocha can test it.
import type { CellError, CellResult } from "../protocol/messages";

export const KernelDied = "KernelDied";
export const KernelStartFailed = "KernelStartFailed";
export const KernelRestarted = "KernelRestarted";
export const KernelStopped = "KernelStopped";
/** A bug on the host side; shown in the cell rather than lost in a log. */
export const ExtensionError = "ExtensionError";

const NEXT_RUN = "The next run starts a new kernel.";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr, oldest first. */
  stderrTail: readonly string[];
}

export function describeExit(exit: ExitInfo): string {
  if (exit.signal) return `was killed by signal ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return "stopped";
}

/** V8 prints this before aborting; the signal alone (SIGABRT) would not tell the user why. */
function ranOutOfMemory(exit: ExitInfo): boolean {
  return exit.stderrTail.some((line) => /heap out of memory|Allocation failed/i.test(line));
}

function stderrNote(exit: ExitInfo): string | undefined {
  if (exit.stderrTail.length === 0) return undefined;
  return `Last lines the kernel wrote to stderr:\n${exit.stderrTail.map((l) => `  ${l}`).join("\n")}`;
}

/** The running cell's error when the kernel process went away on its own (or had to be killed). */
export function kernelDiedError(exit: ExitInfo, why?: string): CellError {
  const how = ranOutOfMemory(exit)
    ? `ran out of memory and ${describeExit(exit)}`
    : describeExit(exit);
  const reason = why ? ` (${why})` : "";
  return {
    name: KernelDied,
    message: `The kernel process ${how}${reason} while this cell ran. ${NEXT_RUN}`,
    traceback: stderrNote(exit),
  };
}

export function kernelStartFailedError(exit: ExitInfo | undefined, why: string): CellError {
  return {
    name: KernelStartFailed,
    message: `The kernel process could not start: ${why}. ${NEXT_RUN}`,
    traceback: exit ? stderrNote(exit) : undefined,
  };
}

export const kernelRestartedError: CellError = {
  name: KernelRestarted,
  message: "The kernel was restarted while this cell ran; the notebook's state was dropped.",
};

/** A cell stopped before the kernel got it, named as the kernel names an interrupt. */
export function interruptedBeforeStart(durationMs = 0): CellResult {
  return {
    status: "interrupted",
    durationMs,
    error: { name: "KeyboardInterrupt", message: "The cell was interrupted before it started." },
  };
}

/** Seen only if a cell still runs when its notebook closes or another controller takes over. */
export const kernelStoppedError: CellError = {
  name: KernelStopped,
  message: "The kernel was stopped while this cell ran.",
};

export function extensionError(error: unknown): CellError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: ExtensionError, message: e.message, traceback: e.stack };
}

const defaultNames: Record<CellResult["status"], string> = {
  ok: "Error",
  error: "Error",
  interrupted: "KeyboardInterrupt",
  timeout: "TimeoutError",
};

/** The error of a result that is not ok; the kernel may leave `error` out. */
export function errorOfResult(result: CellResult): CellError {
  if (result.error) return result.error;
  const message = result.status === "interrupted" ? "The cell was interrupted." : `The cell ended with status "${result.status}".`;
  return { name: defaultNames[result.status], message };
}

/**
 * VS Code's error renderer shows only `stack` when there is one, so a
 * traceback that does not already name the error gets Python's last line,
 * `Name: message`, appended.
 */
export function errorForDisplay(error: CellError): { name: string; message: string; stack?: string } {
  const { name, message } = error;
  const traceback = error.traceback?.replace(/\s+$/, "");
  if (!traceback) return { name, message };
  const named = traceback.split("\n").some((line) => line === name || line.startsWith(`${name}:`));
  return { name, message, stack: named ? traceback : `${traceback}\n${name}: ${message}` };
}
