// TypeScript's language service over the notebooks' cells (see
// notebookModules.ts): what completion, hover, signature help, go to
// definition and type errors are computed with. The runtime's modules resolve
// to the declarations the build generates from the runtime's own source
// (out/typings, scripts/typings.mjs), Node's to @types/node copied beside
// them. One program holds every open notebook; TypeScript keeps the parsed
// files that did not change between keystrokes.
import ts from "typescript";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { cellModules, CELLS_ROOT, declaredNames, type CellModule, type Declared } from "./notebookModules";

/** The compiler options a cell is checked with: what the cell compiler accepts (top-level await, `using`), strict. */
export function cellOptions(typings: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    esModuleInterop: true,
    allowJs: false,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [join(typings, "node_modules", "@types")],
  };
}

/** A cell of an open notebook, where TypeScript has it. */
export interface CellPlace {
  notebook: string;
  module: CellModule;
}

export class TypesService {
  private readonly notebooks = new Map<string, string[]>(); // notebook URI → its code cells' URIs, in order
  private readonly byCell = new Map<string, CellPlace>(); // cell URI → its module
  private readonly byFile = new Map<string, { cell: string; module: CellModule }>();
  private readonly versions = new Map<string, number>();
  private readonly ids = new Map<string, number>(); // cell URI → its stable number
  private lastId = 0; // numbers are never reused: a forgotten cell's file name may still be in a module's imports
  private readonly folders = new Map<string, number>(); // notebook URI → its folder's number
  private readonly declared = new Map<string, { text: string; declared: Declared }>(); // cell URI → its names, by text
  private projectVersion = 0;
  private readonly modules: Record<string, string>; // Python name → declaration file
  readonly service: ts.LanguageService;

  /**
   * `typings`: the folder scripts/typings.mjs wrote (modules.json, the declarations, node_modules/@types/node).
   * `cancelled`: asked while TypeScript works; true ends the work with ts.OperationCanceledException.
   */
  constructor(
    readonly typings: string,
    cancelled: () => boolean = () => false,
  ) {
    const table = join(typings, "modules.json");
    if (!existsSync(table)) throw new Error(`the runtime's typings are missing (${table}): run npm run build`);
    this.modules = Object.fromEntries(
      Object.entries(JSON.parse(readFileSync(table, "utf8")) as Record<string, string>).map(([name, p]) => [name, join(typings, p)]),
    );
    const options = cellOptions(typings);
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getCancellationToken: () => ({ isCancellationRequested: cancelled }),
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [...this.byFile.keys()],
      getScriptVersion: (f) => String(this.versions.get(f) ?? 0),
      getScriptSnapshot: (f) => {
        const cell = this.byFile.get(f);
        if (cell) return new CellSnapshot(cell.module.text);
        return existsSync(f) ? ts.ScriptSnapshot.fromString(readFileSync(f, "utf8")) : undefined;
      },
      getCurrentDirectory: () => CELLS_ROOT,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.byFile.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.byFile.get(f)?.module.text ?? ts.sys.readFile(f),
      readDirectory: (...a) => ts.sys.readDirectory(...a),
      directoryExists: (d) => d.startsWith(CELLS_ROOT) || ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      resolveModuleNameLiterals: (literals, containingFile, _ref, compilerOptions) =>
        literals.map((l) => ({ resolvedModule: this.resolve(l.text, containingFile, compilerOptions) })),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private resolve(spec: string, from: string, options: ts.CompilerOptions): ts.ResolvedModuleFull | undefined {
    if (from.startsWith(CELLS_ROOT) && spec.startsWith("./c")) {
      const file = join(from, "..", `${spec.slice(2)}.ts`);
      if (this.byFile.has(file)) return { resolvedFileName: file, extension: ts.Extension.Ts };
    }
    const runtime = this.modules[spec];
    if (runtime) return { resolvedFileName: runtime, extension: ts.Extension.Dts };
    // Node's built-in modules are ambient modules of @types/node (`declare module "node:fs"`): no file to resolve to
    return ts.resolveModuleName(spec, from, options, ts.sys).resolvedModule;
  }

  /** Sets a notebook's code cells, in notebook order; returns the cells whose module changed. */
  setNotebook(notebook: string, cells: ReadonlyArray<{ uri: string; text: string }>): string[] {
    let folder = this.folders.get(notebook);
    if (folder === undefined) this.folders.set(notebook, (folder = this.folders.size + 1));
    const withIds = cells.map((c) => {
      let id = this.ids.get(c.uri);
      if (id === undefined) this.ids.set(c.uri, (id = ++this.lastId));
      // a keystroke changes one cell: the others' names are known from their unchanged text
      let known = this.declared.get(c.uri);
      if (known?.text !== c.text) this.declared.set(c.uri, (known = { text: c.text, declared: declaredNames(c.text) }));
      return { id, text: c.text, declared: known.declared };
    });
    const modules = cellModules(`n${folder}`, withIds);
    const old = this.notebooks.get(notebook) ?? [];
    const kept = new Set(cells.map((c) => c.uri));
    for (const [uri, place] of this.byCell) {
      if (place.notebook === notebook && !kept.has(uri)) this.forgetCell(uri, place);
    }
    const changed: string[] = [];
    modules.forEach((module, i) => {
      const uri = cells[i].uri;
      const before = this.byCell.get(uri)?.module;
      const place = { notebook, module };
      this.byCell.set(uri, place);
      this.byFile.set(module.fileName, { cell: uri, module });
      if (before?.text !== module.text) {
        this.versions.set(module.fileName, (this.versions.get(module.fileName) ?? 0) + 1);
        changed.push(uri);
      }
    });
    this.notebooks.set(notebook, cells.map((c) => c.uri));
    if (changed.length > 0 || old.length !== cells.length) this.projectVersion++;
    return changed;
  }

  closeNotebook(notebook: string): void {
    for (const [uri, place] of this.byCell) if (place.notebook === notebook) this.forgetCell(uri, place);
    this.notebooks.delete(notebook);
    this.projectVersion++;
  }

  private forgetCell(uri: string, place: CellPlace): void {
    this.byCell.delete(uri);
    this.byFile.delete(place.module.fileName);
    this.ids.delete(uri);
    this.declared.delete(uri);
  }

  /**
   * The type errors of calling the cell's function `name` with `args` (an argument list, as typed for "Run in thread"),
   * as the messages TypeScript gives; undefined when the cell is not open. The call is checked in a scratch copy of
   * the cell's module, removed again, so the cell's own diagnostics never see it.
   */
  checkCall(cellUri: string, name: string, args: string): string[] | undefined {
    const cell = this.byCell.get(cellUri);
    if (!cell) return undefined;
    const fileName = cell.module.fileName.replace(/\.ts$/, ".call.ts");
    const start = cell.module.text.length;
    const text = `${cell.module.text};(${name})(\n${args}\n);\n`;
    this.byFile.set(fileName, { cell: cellUri, module: { ...cell.module, fileName, text } });
    this.versions.set(fileName, (this.versions.get(fileName) ?? 0) + 1);
    this.projectVersion++;
    try {
      return this.service
        .getSemanticDiagnostics(fileName)
        .filter((d) => d.start !== undefined && d.start >= start && d.category === ts.DiagnosticCategory.Error)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
    } finally {
      this.byFile.delete(fileName);
      this.projectVersion++;
    }
  }

  /** Where a cell is, or undefined for a cell of no open notebook. */
  cell(uri: string): CellPlace | undefined {
    return this.byCell.get(uri);
  }

  /** The cell a file of the program is, and where in it: for definitions that land in another cell. */
  cellOfFile(fileName: string): { cell: string; module: CellModule } | undefined {
    return this.byFile.get(fileName);
  }

  /** The cells of a notebook, in order (their URIs). */
  cellsOf(notebook: string): readonly string[] {
    return this.notebooks.get(notebook) ?? [];
  }

  /** The source file TypeScript has for a declaration file (for line numbers of definitions). */
  sourceFile(fileName: string): ts.SourceFile | undefined {
    return this.service.getProgram()?.getSourceFile(fileName);
  }
}

/**
 * A cell module's text that tells TypeScript what changed since the text it had (the span between the common start
 * and the common end), so that it re-parses only that: a keystroke in a long cell costs the keystroke, not the cell.
 */
class CellSnapshot implements ts.IScriptSnapshot {
  constructor(private readonly text: string) {}
  getText(start: number, end: number): string {
    return this.text.slice(start, end);
  }
  getLength(): number {
    return this.text.length;
  }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    const before = old instanceof CellSnapshot ? old.text : old.getText(0, old.getLength());
    const after = this.text;
    const most = Math.min(before.length, after.length);
    let start = 0;
    while (start < most && before.charCodeAt(start) === after.charCodeAt(start)) start++;
    let end = 0;
    while (end < most - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
    return ts.createTextChangeRange(ts.createTextSpan(start, before.length - start - end), after.length - start - end);
  }
}
