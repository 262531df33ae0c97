// The editor's typings of the runtime, generated from its own source at build
// time (never written twice): TypeScript's declaration emit of every module's
// index (kernel/runtime/<module>/index.ts) and what it reaches, into
// out/typings/, with a table of the modules cells import by Python's names.
// Node's own typings (@types/node) are copied beside them, so the language
// server of an installed extension resolves `node:fs` without the project's
// development dependencies.
import ts from "typescript";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/**
 * The runtime's table of modules, read off kernel/runtime/modules.ts itself: the namespace imports
 * (`import * as futures from "./concurrent/futures"`) and the object that names them ({ "concurrent.futures": futures }).
 */
export function runtimeModules(root) {
  const file = join(root, "kernel/runtime/modules.ts");
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const specs = new Map();
  let table;
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && node.importClause?.namedBindings && ts.isNamespaceImport(node.importClause.namedBindings)) {
      specs.set(node.importClause.namedBindings.name.text, node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.getText(sf) === "Object.entries" && ts.isObjectLiteralExpression(node.arguments[0])) {
      table = node.arguments[0];
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (!table) throw new Error("typings: kernel/runtime/modules.ts has no Object.entries({ ...modules }) table");
  const out = {};
  for (const p of table.properties) {
    const name = ts.isShorthandPropertyAssignment(p) ? p.name.text : p.name.text;
    const ident = ts.isShorthandPropertyAssignment(p) ? p.name.text : p.initializer.getText(sf);
    const spec = specs.get(ident);
    if (!spec) throw new Error(`typings: module "${name}" of kernel/runtime/modules.ts is not a namespace import`);
    out[name] = relative(root, join(dirname(file), spec, "index.ts"));
  }
  return out;
}

/** Emits the declarations into `outDir`; returns the table (Python name → .d.ts path relative to outDir). Throws on any error. */
export function buildTypings(root, outDir) {
  const modules = runtimeModules(root);
  rmSync(outDir, { recursive: true, force: true });
  const options = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(root, "node_modules/@types")],
    declaration: true,
    emitDeclarationOnly: true,
    // members marked @internal are the runtime's plumbing, not what a cell may call
    stripInternal: true,
    rootDir: root,
    outDir,
  };
  const program = ts.createProgram(Object.values(modules).map((p) => join(root, p)), options);
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
    throw new Error(`typings: declaration emit failed\n${ts.formatDiagnostics(errors, host)}`);
  }
  const table = Object.fromEntries(Object.entries(modules).map(([name, p]) => [name, p.replace(/\.ts$/, ".d.ts")]));
  writeFileSync(join(outDir, "modules.json"), JSON.stringify(table, null, 2) + "\n");
  // Node's typings and what they import, as an installed extension will hold them
  for (const pkg of ["@types/node", "undici-types"]) {
    const to = join(outDir, "node_modules", pkg);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(root, "node_modules", pkg), to, { recursive: true, filter: (src) => !/\.(md|ts\.map)$/.test(src) });
  }
  return table;
}

/**
 * What the generated typings leave without a doc comment: every export of every module, and every public member of
 * the classes and interfaces they export, as "threading.Lock.acquire". Read off the declarations in `outDir`.
 */
export function undocumented(outDir) {
  const table = JSON.parse(readFileSync(join(outDir, "modules.json"), "utf8"));
  const program = ts.createProgram(
    Object.values(table).map((p) => join(outDir, p)),
    { target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"], strict: true, types: ["node"], typeRoots: [join(outDir, "node_modules/@types")], noEmit: true },
  );
  const checker = program.getTypeChecker();
  const missing = [];
  const documented = (sym) => ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() !== "";
  for (const [name, p] of Object.entries(table)) {
    const sf = program.getSourceFile(join(outDir, p));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) {
      missing.push(`${name} (no declarations)`);
      continue;
    }
    for (const exp of checker.getExportsOfModule(mod)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (!documented(sym)) missing.push(`${name}.${exp.name}`);
      if (!(sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
      for (const member of sym.members?.values() ?? []) {
        const decl = member.declarations?.[0];
        // constructors are the class's own doc; toString is Object's; symbol-keyed members a cell cannot name
        if (!decl || member.flags & ts.SymbolFlags.TypeParameter || ["__constructor", "toString"].includes(member.name) || member.name.startsWith("__@")) continue;
        const mods = ts.getCombinedModifierFlags(decl);
        if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || ts.isPrivateIdentifier(decl.name ?? decl)) continue;
        if (!documented(member)) missing.push(`${name}.${exp.name}.${member.name}`);
      }
    }
  }
  return missing;
}

// `node scripts/typings.mjs [outDir]`: builds the typings and lists what they leave undocumented.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const root = new URL("..", import.meta.url).pathname;
  const outDir = process.argv[2] ?? join(root, "out/typings");
  buildTypings(root, outDir);
  const missing = undocumented(outDir);
  console.log(missing.length ? `undocumented (${missing.length}):\n${missing.join("\n")}` : "every export and public member is documented");
  process.exitCode = missing.length ? 1 : 0;
}
