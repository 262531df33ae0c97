// A notebook's code cells as TypeScript sees them: one module per cell, which
// imports, from the earlier cells, each name it does not declare itself (the
// latest earlier declaration of it, as the kernel nests a cell inside those
// before it) and exports every name it declares. So a function of cell 1 is
// known in cell 3 and an import used only in a later cell counts as used
// (it is exported); a name of a later cell is not known; a cell that declares
// a name again shadows it rather than redeclaring it. Editing a cell changes
// its own module alone, and the later cells' first lines only when the set of
// names it declares changes: a keystroke re-parses one cell, not the notebook.
// Pure: cell texts in, module texts and offset maps out.
import ts from "typescript";

/** The virtual folder of the cells' modules: no file there exists on disk. */
export const CELLS_ROOT = "/concnb-cells";

export interface CellModule {
  /** Where TypeScript reads the cell: `${CELLS_ROOT}/<notebook>/c<n>.ts`. */
  fileName: string;
  /** The module: a first line of imports from earlier cells, the cell's text, a last line of exports. */
  text: string;
  /** Where the cell's own text starts in `text`. */
  start: number;
  /** The cell's own length. */
  length: number;
  /** Names this module takes from earlier cells (assigning one is not an error the kernel would raise). */
  imported: ReadonlySet<string>;
  /**
   * The cell is one TypeScript cannot parse: its module leaves the text out (so the notebook's program stays whole
   * and the other cells keep their types), and the cell is told why instead.
   */
  unparsable: boolean;
}

/** The names a cell declares at top level, in order, and those it already exports itself. */
export interface Declared {
  names: string[];
  exported: Set<string>;
  /** TypeScript's parser cannot read the cell (it nests deeper than the stack: `((((...` typed 5,000 times). */
  unparsable?: boolean;
}

export function declaredNames(text: string): Declared {
  let sf: ts.SourceFile;
  try {
    sf = ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  } catch (e) {
    if (e instanceof RangeError) return { names: [], exported: new Set(), unparsable: true };
    throw e;
  }
  const names = new Set<string>(); // in order of declaration
  const exported = new Set<string>();
  const add = (n: string, isExported = false) => {
    names.add(n);
    if (isExported) exported.add(n);
  };
  const bindings = (b: ts.BindingName, isExported: boolean): void => {
    if (ts.isIdentifier(b)) add(b.text, isExported);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) bindings(e.name, isExported);
  };
  for (const st of sf.statements) {
    const isExported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bindings(d.name, isExported);
    else if (
      (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) &&
      st.name
    )
      add(st.name.text, isExported);
    else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) add(st.name.text, isExported);
    else if (ts.isImportEqualsDeclaration(st)) add(st.name.text, isExported);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) add(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) add(c.namedBindings.name.text);
      else if (c.namedBindings) for (const s of c.namedBindings.elements) add(s.name.text);
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const s of st.exportClause.elements) exported.add(s.name.text);
    }
  }
  return { names: [...names], exported };
}

/**
 * The modules of a notebook's code cells, in notebook order. `notebook` names the folder (one per notebook, so two
 * notebooks never see each other's cells); `ids` gives each cell a stable number, so a cell keeps its file name while
 * cells are added or moved around it; `declared`, its names when the caller has them from an earlier call.
 */
export function cellModules(notebook: string, cells: ReadonlyArray<{ id: number; text: string; declared?: Declared }>): CellModule[] {
  const latest = new Map<string, number>(); // name → the id of the latest cell so far that declares it
  return cells.map(({ id, text, declared }) => {
    const { names, exported, unparsable = false } = declared ?? declaredNames(text);
    const own = new Set(names);
    const from = new Map<number, string[]>();
    for (const [name, cell] of latest) {
      if (own.has(name)) continue;
      const list = from.get(cell);
      if (list) list.push(name);
      else from.set(cell, [name]);
    }
    const header = [...from].map(([cell, ns]) => `import { ${ns.join(", ")} } from "./c${cell}";`).join(" ");
    // After a `;` of its own line, so a cell that ends mid-expression (`t.` as it is typed) does not take the exports
    // into it; and one name per statement, so a cell left with an open `{` turns them into short blocks, never into
    // one comma expression of every name (a chain TypeScript's checker recurses down, past the stack at 20,000).
    const footer = `;\n${names.filter((n) => !exported.has(n)).map((n) => `export { ${n} };`).join(" ") || "export {};"}`;
    for (const n of names) latest.set(n, id);
    const start = header.length + 1;
    return {
      fileName: `${CELLS_ROOT}/${notebook}/c${id}.ts`,
      text: `${header}\n${unparsable ? "" : text}\n${footer}\n`,
      start,
      length: unparsable ? 0 : text.length,
      imported: new Set([...from.values()].flat()),
      unparsable,
    };
  });
}
