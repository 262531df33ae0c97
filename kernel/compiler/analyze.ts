// Reads a cell's top level with TypeScript's parser (parsing only, no type
// checking) and sorts every statement into what later cells and threads need:
// imports, definitions (re-evaluated wherever they are needed) and bindings
// whose values are copied. Everything else runs once, in the main thread.
import ts from "typescript";
import type { ImportedName } from "./imports";

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface TopLevel {
  /** Rewrites that turn imports into runtime look-ups and drop `export`. Same for both chunks. */
  edits: Edit[];
  /** Spans kept in the definitions chunk as written, and the runtime names each defines (none for types). */
  defs: Array<{ start: number; end: number; names: string[]; varLike?: boolean; fn?: boolean }>;
  /** Variable statements whose bindings are copied: span, keyword and bound names. */
  values: Array<{ start: number; end: number; keyword: "const" | "let" | "var"; names: string[] }>;
  /** Spans blanked out of the definitions chunk. */
  others: Array<{ start: number; end: number }>;
  /** Names imported by name (type-only ones left out), to check against what their module exports. */
  imports: ImportedName[];
}

const IMPORT = "__concnb_import";

export function analyze(source: string, fileName: string): TopLevel {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: TopLevel = { edits: [], defs: [], values: [], others: [], imports: [] };
  for (const st of sf.statements) {
    const start = st.getStart(sf);
    const end = st.getEnd();
    dropExport(st, sf, out.edits);
    if (ts.isImportDeclaration(st)) {
      out.edits.push({ start, end, text: rewriteImport(st) });
      importedNames(st, sf, out.imports);
      out.defs.push({ start, end, names: importBindings(st) });
    } else if (
      ts.isFunctionDeclaration(st) ||
      ts.isClassDeclaration(st) ||
      ts.isEnumDeclaration(st) ||
      ts.isInterfaceDeclaration(st) ||
      ts.isTypeAliasDeclaration(st) ||
      ts.isModuleDeclaration(st)
    ) {
      // an enum or a namespace compiles to a `var`: undefined, not uninitialized, until its statement runs
      const varLike = ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st);
      // a function's body runs only when called; a class's static parts, an enum's members run where it stands
      const fn = ts.isFunctionDeclaration(st);
      out.defs.push({ start, end, names: declaredName(st), ...(varLike ? { varLike } : {}), ...(fn ? { fn } : {}) });
    } else if (ts.isVariableStatement(st)) {
      const list = st.declarationList;
      const keyword = variableKeyword(list);
      if (keyword === null) {
        out.others.push({ start, end }); // `using`: a resource of this run only
      } else if (keyword === "const" && list.declarations.every((d) => d.initializer && isFunctionLike(d.initializer))) {
        const names: string[] = [];
        for (const d of list.declarations) boundNames(d.name, names);
        out.defs.push({ start, end, names, fn: true });
      } else {
        const names: string[] = [];
        for (const d of list.declarations) boundNames(d.name, names);
        out.values.push({ start, end, keyword, names });
      }
    } else if (ts.isExportDeclaration(st) || ts.isExportAssignment(st)) {
      out.edits.push({ start, end, text: "" });
      out.others.push({ start, end });
    } else {
      out.others.push({ start, end });
    }
  }
  return out;
}

/** The runtime binding a declaration makes: none for a type, an interface, a `declare`d or type-only namespace. */
function declaredName(st: ts.Statement): string[] {
  if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) return [];
  if (ts.getModifiers(st as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return [];
  if (ts.isModuleDeclaration(st) && !instantiated(st)) return [];
  const name = (st as ts.DeclarationStatement).name;
  return name && ts.isIdentifier(name) ? [name.text] : [];
}

/** Whether a namespace has code (esbuild emits nothing for one of types only). */
function instantiated(m: ts.ModuleDeclaration): boolean {
  const body = m.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return instantiated(body);
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some(
    (s) => !ts.isInterfaceDeclaration(s) && !ts.isTypeAliasDeclaration(s) && !(ts.isModuleDeclaration(s) && !instantiated(s)),
  );
}

/** The local names an import binds at run time (type-only ones left out). */
function importBindings(st: ts.ImportDeclaration): string[] {
  const clause = st.importClause;
  if (!clause || clause.isTypeOnly) return [];
  const names = clause.name ? [clause.name.text] : [];
  const nb = clause.namedBindings;
  if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
  if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) if (!e.isTypeOnly) names.push(e.name.text);
  return names;
}

function variableKeyword(list: ts.VariableDeclarationList): "const" | "let" | "var" | null {
  const f = list.flags;
  // Using and AwaitUsing share bits with Const in TypeScript's flags, so test them first.
  if ((f & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Using || (f & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing) return null;
  if (f & ts.NodeFlags.Const) return "const";
  if (f & ts.NodeFlags.Let) return "let";
  return "var";
}

function isFunctionLike(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e);
}

function boundNames(name: ts.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) into.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(el.name, into);
}

function dropExport(st: ts.Statement, sf: ts.SourceFile, edits: Edit[]): void {
  const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
  for (const m of mods ?? []) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
      edits.push({ start: m.getStart(sf), end: m.getEnd(), text: "" });
    }
  }
}

function importedNames(st: ts.ImportDeclaration, sf: ts.SourceFile, into: ImportedName[]): void {
  const module = (st.moduleSpecifier as ts.StringLiteral).text;
  const nb = st.importClause?.namedBindings;
  if (st.importClause?.isTypeOnly || !nb || !ts.isNamedImports(nb)) return;
  for (const e of nb.elements) {
    if (e.isTypeOnly) continue;
    const written = e.propertyName ?? e.name; // `{ Lok as L }`: the module's name is Lok
    into.push({ module, name: written.text, start: written.getStart(sf), end: written.getEnd() });
  }
}

function rewriteImport(st: ts.ImportDeclaration): string {
  const spec = (st.moduleSpecifier as ts.StringLiteral).text;
  const mod = `${IMPORT}(${JSON.stringify(spec)})`;
  const clause = st.importClause;
  if (!clause) return `${mod};`;
  if (clause.isTypeOnly) return "";
  const parts: string[] = [];
  if (clause.name) parts.push(`const ${clause.name.text} = ${IMPORT}.default(${JSON.stringify(spec)});`);
  const nb = clause.namedBindings;
  if (nb && ts.isNamespaceImport(nb)) parts.push(`const ${nb.name.text} = ${mod};`);
  if (nb && ts.isNamedImports(nb)) {
    const names = nb.elements
      .filter((e) => !e.isTypeOnly)
      .map((e) => (e.propertyName ? `${e.propertyName.text}: ${e.name.text}` : e.name.text));
    if (names.length > 0) parts.push(`const { ${names.join(", ")} } = ${mod};`);
  }
  return parts.join(" ");
}
