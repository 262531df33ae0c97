// Checks the arguments typed for "Run in thread" before anything runs: they
// must be one list of TypeScript expressions (`3, "a"`, `[1, 2], { n: 1 }`)
// that the kernel can put between the brackets of a Thread's `args`, and as
// many as the function takes.
import * as esbuild from "../../kernel/compiler/esbuild";
import ts from "typescript";
import type { ParamInfo } from "./protocol";

/** What is wrong with `text` as the arguments for `params`, or null when nothing is. */
export async function checkArguments(text: string, params: readonly ParamInfo[]): Promise<string | null> {
  const wrapped = `[\n${text}\n]`;
  // `1], [2` parses, as two arrays: the list must be the one array literal, whole
  const sf = ts.createSourceFile("args.ts", wrapped, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const only = sf.statements.length === 1 ? sf.statements[0] : undefined;
  const list = only && ts.isExpressionStatement(only) && ts.isArrayLiteralExpression(only.expression) ? only.expression : undefined;
  if (!list || list.getStart(sf) !== 0 || list.getEnd() !== wrapped.length) return "Not a list of expressions: write them as in a call, e.g. 3, \"a\"";
  try {
    await esbuild.transform(wrapped, { loader: "ts", logLevel: "silent" });
  } catch (e) {
    const first = (e as esbuild.TransformFailure).errors?.[0];
    return first ? `Syntax error: ${first.text}` : String(e);
  }
  const elements = list.elements;
  if (elements.some(ts.isOmittedExpression)) return "An argument is missing between two commas";
  if (elements.some(ts.isSpreadElement)) return null; // how many a spread gives is known only when it runs
  const required = params.filter((p) => !p.optional && !p.rest).length;
  const most = params.some((p) => p.rest) ? Infinity : params.length;
  if (elements.length < required || elements.length > most) {
    const takes = required === most ? `${required}` : most === Infinity ? `at least ${required}` : `${required} to ${most}`;
    return `Takes ${takes} argument${takes === "1" ? "" : "s"} (${params.map(show).join(", ")}); got ${elements.length}`;
  }
  return null;
}

function show(p: ParamInfo): string {
  return `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}`;
}
