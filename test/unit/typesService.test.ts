// The types of cells (extension/server/typesService, typeFeatures): a real
// TypeScript language service over a notebook's cells, with the runtime's
// typings as the build generated them (out/typings, from the runtime's source).
import { strict as assert } from "node:assert";
import ts from "typescript";
import { join, resolve } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Position } from "vscode-languageserver";
import { completions, definition, hover, resolveCompletion, signatureHelp, typeErrors } from "../../extension/server/typeFeatures";
import { TypesService } from "../../extension/server/typesService";
import { cellModules, declaredNames } from "../../extension/server/notebookModules";

const root = resolve(__dirname, "..", "..", "..");
const typings = join(root, "out", "typings");

/** A notebook of these cells, opened in a fresh service; `|` in a cell marks the position asked about. */
function notebook(...cells: string[]) {
  const types = new TypesService(typings);
  const docs = cells.map((text, i) => TextDocument.create(`vscode-notebook-cell:/nb.concnb#c${i}`, "typescript", 1, text.replace("|", "")));
  types.setNotebook("file:///nb.concnb", docs.map((d) => ({ uri: d.uri, text: d.getText() })));
  const at = (i: number): Position => docs[i].positionAt(Math.max(0, cells[i].indexOf("|")));
  const byUri = (uri: string) => docs.find((d) => d.uri === uri);
  return { types, docs, at, byUri };
}

const messages = (types: TypesService, doc: TextDocument) => typeErrors(types, doc).map((d) => d.message);

describe("types of cells: one module per cell", () => {
  it("imports from the earlier cells the latest declaration of each name the cell does not declare, and exports its own", () => {
    const m = cellModules("n1", [
      { id: 1, text: `import { Lock } from "threading";\nfunction f() {}\nconst { a, b: [c] } = { a: 1, b: [2] };` },
      { id: 2, text: "function f(x: number) { return x; }\ninterface Shape { n: number }" },
      { id: 3, text: "f(1);" },
    ]);
    assert.equal(m[0].text.split("\n")[0], "", "cell 1 takes nothing");
    assert.equal(m[1].text.split("\n")[0], `import { Lock, a, c } from "./c1";`);
    assert.equal(m[2].text.split("\n")[0], `import { Lock, a, c } from "./c1"; import { f, Shape } from "./c2";`);
    assert.match(m[0].text, /\n;\nexport \{ Lock \}; export \{ f \}; export \{ a \}; export \{ c \};\n$/);
    assert.equal(m[2].text.slice(m[2].start, m[2].start + m[2].length), "f(1);");
  });

  it("does not export again what a cell exports itself", () => {
    assert.deepEqual(declaredNames("export const x = 1;\nlet y = 2;\nexport { y };"), { names: ["x", "y"], exported: new Set(["x", "y"]) });
  });
});

describe("types of cells: the language features", function () {
  this.timeout(60_000);

  it("completes a Thread's members: join, start, isAlive, with their documentation", () => {
    const { types, docs, at } = notebook(`import { Thread } from "threading";`, `const t = new Thread({ target: () => {} });\nt.|`);
    const items = completions(types, docs[1], at(1));
    const labels = items.map((i) => i.label);
    for (const name of ["join", "start", "isAlive", "name", "daemon"]) assert.ok(labels.includes(name), `${name} in ${labels.join(", ")}`);
    for (const plumbing of ["descOf", "view"]) assert.ok(!labels.includes(plumbing), `${plumbing} is not offered`);
    const join_ = resolveCompletion(types, items.find((i) => i.label === "join")!);
    assert.match(String(join_.detail), /join\(timeout\?: number \| null\): void/);
    assert.ok(join_.documentation, "join is documented");
  });

  it("knows a function, class, import and constant of cell 1 in cell 3, in notebook order", () => {
    const { types, docs, at } = notebook(
      `import { Lock } from "threading";\nfunction greet(name: string): string { return "hi " + name; }\nclass Box { n = 1; }\nconst LIMIT = 3;`,
      `const later = 1;`,
      `const lock = new Lock();\nconst g = gre|et("a");\nconst b = new Box();\nconst l: number = LIMIT + b.n;`,
    );
    assert.deepEqual(messages(types, docs[2]), []);
    assert.deepEqual(messages(types, docs[0]), [], "the import used only in cell 3 is no problem in cell 1");
    const h = hover(types, docs[2], at(2));
    const text = (h?.contents as { value: string }).value;
    assert.match(text, /function greet\(name: string\): string/);
    assert.doesNotMatch(text, /alias|import greet/, "an earlier cell's name is shown as declared, not as an import");
  });

  it("does not know, in cell 1, a name that only cell 2 declares", () => {
    const { types, docs } = notebook(`later();`, `function later() {}`);
    assert.deepEqual(messages(types, docs[0]), ["Cannot find name 'later'."]);
  });

  it("reports type errors in the cell where they are: a wrong type, a bad call, a misspelt method", () => {
    const { types, docs } = notebook(
      `import { Thread, Lock } from "threading";\nfunction greet(name: string): string { return name; }`,
      `const n: number = greet("b");`,
      `const t = new Thread({ target: () => {} });\nt.join(1, 2, 3);\nconst lock = new Lock();\nlock.aquire();`,
    );
    assert.deepEqual(messages(types, docs[1]), ["Type 'string' is not assignable to type 'number'."]);
    const third = typeErrors(types, docs[2]);
    assert.deepEqual(third.map((d) => [d.range.start.line, d.message]), [
      [1, "Expected 0-1 arguments, but got 3."],
      [3, "Property 'aquire' does not exist on type 'Lock'. Did you mean 'acquire'?"],
    ]);
    assert.deepEqual(messages(types, docs[0]), []);
  });

  it("lets a later cell declare a name again (the kernel nests cells: it shadows), and uses the latest declaration", () => {
    const { types, docs } = notebook(`let count = 0;\nfunction f(): number { return 1; }`, `function f(): string { return "s"; }\ncount += 1;`, `const s: string = f();`);
    assert.deepEqual(messages(types, docs[1]), []);
    assert.deepEqual(messages(types, docs[2]), []);
  });

  it("keeps an error in cell 1 out of the later cells", () => {
    const { types, docs } = notebook(`const x: number = "a";`, `const y: number = x;`);
    assert.equal(messages(types, docs[0]).length, 1);
    assert.deepEqual(messages(types, docs[1]), []);
  });

  it("resolves Node's built-in modules to @types/node, and says so of a module that does not exist", () => {
    const { types, docs } = notebook(`import { readFileSync } from "node:fs";\nimport os from "os";\nconst s: string = readFileSync("x", "utf8") + os.cpus().length;`, `import { x } from "no-such-module";`);
    assert.deepEqual(messages(types, docs[0]), []);
    assert.deepEqual(messages(types, docs[1]), ["Cannot find module 'no-such-module' or its corresponding type declarations."]);
  });

  it("gives signature help inside a call, and goes to definitions in an earlier cell and in the runtime's declarations", () => {
    const { types, docs, at, byUri } = notebook(`import { Lock } from "threading";\nfunction greet(name: string, times = 1): string { return name; }`, `greet("a", |`, `const l = new Lo|ck();`);
    const help = signatureHelp(types, docs[1], at(1));
    assert.equal(help?.signatures[0].label, "greet(name: string, times?: number): string");
    assert.equal(help?.activeParameter, 1);
    const local = definition(types, docs[1], { line: 0, character: 2 }, byUri);
    assert.deepEqual(local, [{ uri: docs[0].uri, range: { start: { line: 1, character: 9 }, end: { line: 1, character: 14 } } }]);
    const lib = definition(types, docs[2], at(2), byUri);
    assert.ok(lib.length >= 1, "the class (and its constructor)");
    for (const l of lib) assert.match(l.uri, /^file:\/\/.*\/out\/typings\/kernel\/runtime\/threading\/locks\.d\.ts$/);
  });

  it("checks Run in thread's arguments against the function's parameter types, in a copy that leaves the cell as it was", () => {
    const { types, docs } = notebook(`const label = "a";`, `function work(n: number, name: string): void {}`);
    assert.deepEqual(types.checkCall(docs[1].uri, "work", `1, label`), []);
    const wrong = types.checkCall(docs[1].uri, "work", `"1", label`);
    assert.deepEqual(wrong, ["Argument of type 'string' is not assignable to parameter of type 'number'."]);
    assert.deepEqual(messages(types, docs[1]), []);
    assert.equal(types.checkCall("vscode-notebook-cell:/elsewhere#c0", "work", "1"), undefined);
  });

  it("takes an edit of one cell: a fixed error goes away, and a cell added above is seen below", () => {
    const { types, docs } = notebook(`const n: number = "x";`, `use();`);
    assert.equal(messages(types, docs[0]).length, 1);
    types.setNotebook("file:///nb.concnb", [
      { uri: "vscode-notebook-cell:/nb.concnb#new", text: "function use() {}" },
      { uri: docs[0].uri, text: "const n: number = 1;" },
      { uri: docs[1].uri, text: "use();" },
    ]);
    const fixed = TextDocument.create(docs[0].uri, "typescript", 2, "const n: number = 1;");
    assert.deepEqual(messages(types, fixed), []);
    assert.deepEqual(messages(types, docs[1]), []);
  });
});

describe("types of cells: VS Code's own TypeScript stays out of them (extension/tsPlugin)", () => {
  // the plugin as tsserver loads it, around a real language service over a cell and an ordinary file
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const init = require("../../extension/tsPlugin") as ((m?: object) => { create(info: object): ts.LanguageService }) & { isConcnbCell(f: string): boolean };
  const cell = "^/vscode-notebook-cell/ts-nul-authority/work/lesson.concnb#W0sZmlsZQ==";
  const other = "/work/other.ts";
  const text = `import { Thread } from "threading";\nconst n: number = "x";\n`;
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => ({ strict: true, noUnusedLocals: true }),
    getScriptFileNames: () => [cell, other],
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => (f === cell || f === other ? ts.ScriptSnapshot.fromString(text) : ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)!) : undefined),
    getCurrentDirectory: () => "/work",
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === cell || f === other || ts.sys.fileExists(f),
    readFile: (f) => (f === cell || f === other ? text : ts.sys.readFile(f)),
  };
  const plain = ts.createLanguageService(host);
  const logged: string[] = [];
  const ls = init({ typescript: ts }).create({ languageService: plain, project: { projectService: { logger: { info: (m: string) => logged.push(m) } } } });

  it("knows a .concnb cell's name in tsserver, and nothing else", () => {
    assert.ok(init.isConcnbCell(cell));
    for (const f of [other, "^/vscode-notebook-cell/ts-nul-authority/work/x.ipynb#W0", "/work/a.concnb.ts"]) assert.ok(!init.isConcnbCell(f), f);
  });

  it("answers nothing for a cell: no diagnostics, completions, hover; and the same as TypeScript for another file", () => {
    assert.deepEqual(ls.getSemanticDiagnostics(cell), []);
    assert.deepEqual(ls.getSyntacticDiagnostics(cell), []);
    assert.deepEqual(ls.getSuggestionDiagnostics(cell), []);
    assert.equal(ls.getCompletionsAtPosition(cell, text.indexOf("Thread"), {}), undefined);
    assert.equal(ls.getQuickInfoAtPosition(cell, text.indexOf("Thread")), undefined);
    const problems = ls.getSemanticDiagnostics(other).map((d) => d.code);
    assert.deepEqual(problems, plain.getSemanticDiagnostics(other).map((d) => d.code));
    assert.ok(problems.includes(2307) && problems.includes(2322), `TypeScript's own errors for another file: ${problems.join(", ")}`);
    assert.ok(ls.getQuickInfoAtPosition(other, text.indexOf("n:")));
    assert.equal(logged.length, 1);
  });
});
