// The programs a multiprocessing child runs (a Process's target, a pool's
// initializer, each task), compiled here, in the process that starts the
// child, and sent to it ready to run. So a child never loads the compiler:
// TypeScript's parser alone took a child 400 ms to load and tens of MB to
// hold, for every worker process of every pool. The compiler itself is loaded
// on first use (a child that starts children of its own pays for it then).
import type { CompiledCell } from "./compiler/compile";
import type { ChildProgram, TaskMode } from "./protocol/process";
import type { TargetSpec } from "./protocol/worker";

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The function over what the parent sent (processArgs()), its results kept in __concnb_result__. */
function source(mode: TaskMode | "call", target: TargetSpec): string {
  const fn = IDENT.test(target.name) ? target.name : `(${target.source})`;
  return mode === "call"
    ? `await ${fn}(...__concnb_rt.processArgs());\n`
    : mode === "map"
      ? `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[]).map((x) => ${fn}(x));\n`
      : `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[][]).map((a) => ${fn}(...a));\n`;
}

/** Compiling costs a few milliseconds: the same function, sent again, reuses its program. */
const compiled = new Map<string, Promise<CompiledCell>>();

/** The program for `target` in this mode, labelled for tracebacks; a compile error comes back as the program's error. */
export async function childProgram(mode: TaskMode | "call", target: TargetSpec, label: string): Promise<ChildProgram> {
  const key = `${mode}\n${label}\n${target.name}\n${target.source}`;
  let c = compiled.get(key);
  if (!c) {
    c = import("./compiler/compile").then(({ compileCell }) => compileCell(source(mode, target), label));
    compiled.set(key, c);
    c.catch(() => compiled.delete(key));
  }
  try {
    const { full, defs } = await c;
    return { full, defs };
  } catch (e) {
    const error = (e as { cellError?: ChildProgram["error"] }).cellError;
    return { error: error ?? { name: "SyntaxError", message: String(e) } };
  }
}
