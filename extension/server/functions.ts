// The functions a "Run in thread" code lens goes above: a cell's top-level
// function declarations and `const f = (...) => ...` / `function (...)`
// bindings, with their parameters. Parsing only (TypeScript's parser, as the
// kernel's compiler reads cells), so a cell with errors still gets lenses.
import ts from "typescript";
import type { ParamInfo } from "./protocol";

export interface TopLevelFunction {
  name: string;
  /** Where the declaration starts (0-based line and UTF-16 column), for the lens. */
  line: number;
  character: number;
  params: ParamInfo[];
}

export function topLevelFunctions(source: string): TopLevelFunction[] {
  const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: TopLevelFunction[] = [];
  const add = (name: string, at: ts.Node, fn: ts.SignatureDeclarationBase) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(at.getStart(sf));
    out.push({ name, line, character, params: paramsOf(fn, sf) });
  };
  for (const st of sf.statements) {
    // an overload signature has no body: the implementation below it gets the lens
    if (ts.isFunctionDeclaration(st) && st.name && st.body && !st.asteriskToken) add(st.name.text, st, st);
    // only `const`: the compiler makes definitions (which threads can run) of const functions alone
    if (ts.isVariableStatement(st) && isConst(st.declarationList)) {
      for (const d of st.declarationList.declarations) {
        const fn = d.initializer && functionOf(d.initializer);
        if (fn && ts.isIdentifier(d.name)) add(d.name.text, st.declarationList.declarations.length === 1 ? st : d, fn);
      }
    }
  }
  return out;
}

function isConst(list: ts.VariableDeclarationList): boolean {
  // Using and AwaitUsing share bits with Const in TypeScript's flags
  return (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
}

function functionOf(e: ts.Expression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (ts.isArrowFunction(e)) return e;
  if (ts.isFunctionExpression(e) && !e.asteriskToken) return e;
  return undefined;
}

function paramsOf(fn: ts.SignatureDeclarationBase, sf: ts.SourceFile): ParamInfo[] {
  return fn.parameters
    .filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this")) // `this: T` is a type annotation, not an argument
    .map((p) => ({
      name: p.name.getText(sf),
      optional: p.questionToken !== undefined || p.initializer !== undefined,
      rest: p.dotDotDotToken !== undefined,
    }));
}
