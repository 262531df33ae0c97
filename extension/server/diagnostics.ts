// What is wrong with a cell before it runs, as the kernel would report it when
// it ran: syntax errors (esbuild's, as the cell compiler's) and named imports
// a runtime module does not export (the compiler's own check, badImports).
// Pure: source in, LSP diagnostics out.
import * as esbuild from "../../kernel/compiler/esbuild";
import { DiagnosticSeverity, type Diagnostic, type Position } from "vscode-languageserver";
import { analyze } from "../../kernel/compiler/analyze";
import { badImports } from "../../kernel/compiler/imports";
import type { ModuleExports } from "../../kernel/protocol/worker";
import { DIAGNOSTIC_SOURCE } from "./protocol";


export async function diagnose(source: string, exports: ModuleExports | undefined): Promise<Diagnostic[]> {
  const syntax = await syntaxErrors(source);
  // a cell that does not parse never reaches the import check in the kernel either
  if (syntax.length > 0) return syntax;
  if (!exports) return [];
  const lines = lineStarts(source);
  return badImports(analyze(source, "cell.ts").imports, exports).map((i) => ({
    range: { start: positionAt(lines, i.start), end: positionAt(lines, i.end) },
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: "ImportError",
    message: `ImportError: ${i.message}`,
  }));
}

async function syntaxErrors(source: string): Promise<Diagnostic[]> {
  try {
    // the options the cell compiler transforms with (kernel/compiler/compile.ts)
    await esbuild.transform(source, {
      loader: "ts",
      target: "node20",
      logLevel: "silent",
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    });
    return [];
  } catch (e) {
    const errors = (e as esbuild.TransformFailure).errors;
    if (!Array.isArray(errors)) throw e;
    return errors.map((m) => ({
      range: rangeOf(m.location),
      severity: DiagnosticSeverity.Error,
      source: DIAGNOSTIC_SOURCE,
      code: "SyntaxError",
      message: `SyntaxError: ${m.text}`,
    }));
  }
}

/** esbuild counts columns and lengths in UTF-8 bytes; LSP in UTF-16 code units. */
function rangeOf(loc: esbuild.Location | null): Diagnostic["range"] {
  if (!loc) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const bytes = Buffer.from(loc.lineText, "utf8");
  const start = bytes.subarray(0, loc.column).toString("utf8").length;
  const end = bytes.subarray(0, loc.column + Math.max(loc.length, 0)).toString("utf8").length;
  const line = loc.line - 1;
  // a zero-length error (an unexpected end, say) still gets one character to underline
  return { start: { line, character: start }, end: { line, character: end > start ? end : start + 1 } };
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  return starts;
}

function positionAt(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}
