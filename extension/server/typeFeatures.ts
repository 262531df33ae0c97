// The language features of a cell, asked of TypesService and said in LSP's
// terms: completion, hover, signature help, go to definition, type errors.
// Positions are the cell's (its TextDocument's); TypeScript's are offsets in
// the cell's module, which starts `module.start` characters before the cell.
import ts from "typescript";
import { pathToFileURL } from "node:url";
import {
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  MarkupKind,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type Location,
  type Position,
  type SignatureHelp,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { DIAGNOSTIC_SOURCE } from "./protocol";
import type { TypesService } from "./typesService";


/** TypeScript's diagnostics that say nothing true of a cell the kernel runs (see typeErrors). */
const CANNOT_ASSIGN_IMPORT = 2632; // `count++` of an earlier cell's `let count`: cells are nested, not imported
/** A named import a runtime module lacks: the kernel's ImportError says it, in Python's words (diagnostics.ts). */
const NO_EXPORTED_MEMBER = new Set([2305, 2614, 2724]);

/** Resolves a cell URI to its text (for definitions in other cells). */
export type Documents = (uri: string) => TextDocument | undefined;

function place(types: TypesService, doc: TextDocument, position: Position): { file: string; offset: number } | undefined {
  const cell = types.cell(doc.uri);
  if (!cell || cell.module.unparsable) return undefined;
  return { file: cell.module.fileName, offset: cell.module.start + doc.offsetAt(position) };
}

export function completions(types: TypesService, doc: TextDocument, position: Position): CompletionItem[] {
  const at = place(types, doc, position);
  if (!at) return [];
  const info = types.service.getCompletionsAtPosition(at.file, at.offset, {
    includeCompletionsWithInsertText: true,
    includeCompletionsForModuleExports: false,
  });
  if (!info) return [];
  return info.entries.map((e) => ({
    label: e.name,
    kind: completionKind(e.kind),
    sortText: e.sortText,
    insertText: e.insertText,
    filterText: e.filterText,
    // optional members (`?`) and deprecated ones say so, as in VS Code's own TypeScript
    labelDetails: e.kindModifiers?.includes("optional") ? { detail: "?" } : undefined,
    data: { uri: doc.uri, offset: at.offset, name: e.name, source: e.source },
  }));
}

/** The detail and documentation of one completion, asked for when it is selected. */
export function resolveCompletion(types: TypesService, item: CompletionItem): CompletionItem {
  const d = item.data as { uri: string; offset: number; name: string; source?: string } | undefined;
  const cell = d && types.cell(d.uri);
  if (!d || !cell) return item;
  const details = types.service.getCompletionEntryDetails(cell.module.fileName, d.offset, d.name, {}, d.source, {}, undefined);
  if (!details) return item;
  return { ...item, detail: ts.displayPartsToString(details.displayParts), documentation: docMarkdown(details.documentation, details.tags) };
}

export function hover(types: TypesService, doc: TextDocument, position: Position): Hover | null {
  const at = place(types, doc, position);
  const cell = types.cell(doc.uri);
  if (!at || !cell) return null;
  let info = types.service.getQuickInfoAtPosition(at.file, at.offset);
  if (!info) return null;
  const span = info.textSpan;
  // A name of an earlier cell is, to TypeScript, an import the learner never wrote: show what the earlier cell declares.
  const word = doc.getText().slice(span.start - cell.module.start, span.start - cell.module.start + span.length);
  if (info.kind === ts.ScriptElementKind.alias && cell.module.imported.has(word)) {
    const declared = types.service.getDefinitionAtPosition(at.file, at.offset)?.[0];
    info = (declared && types.service.getQuickInfoAtPosition(declared.fileName, declared.textSpan.start)) || info;
  }
  const signature = ts.displayPartsToString(info.displayParts);
  const doc_ = docMarkdown(info.documentation, info.tags);
  return {
    contents: { kind: MarkupKind.Markdown, value: ["```typescript", signature, "```", ...(doc_ ? ["", doc_] : [])].join("\n") },
    range: rangeIn(cell.module.start, doc, span),
  };
}

export function signatureHelp(types: TypesService, doc: TextDocument, position: Position): SignatureHelp | null {
  const at = place(types, doc, position);
  if (!at) return null;
  const help = types.service.getSignatureHelpItems(at.file, at.offset, undefined);
  if (!help) return null;
  return {
    activeSignature: help.selectedItemIndex,
    activeParameter: help.argumentIndex,
    signatures: help.items.map((item) => {
      const separator = ts.displayPartsToString(item.separatorDisplayParts);
      const params = item.parameters.map((p) => ts.displayPartsToString(p.displayParts));
      const prefix = ts.displayPartsToString(item.prefixDisplayParts);
      let offset = prefix.length;
      const parameters = params.map((label, i) => {
        const range: [number, number] = [offset, offset + label.length];
        offset += label.length + separator.length;
        const d = ts.displayPartsToString(item.parameters[i].documentation);
        return { label: range, documentation: d || undefined };
      });
      return {
        label: prefix + params.join(separator) + ts.displayPartsToString(item.suffixDisplayParts),
        documentation: docMarkdown(item.documentation, item.tags),
        parameters,
      };
    }),
  };
}

export function definition(types: TypesService, doc: TextDocument, position: Position, documents: Documents): Location[] {
  const at = place(types, doc, position);
  if (!at) return [];
  const found = types.service.getDefinitionAndBoundSpan(at.file, at.offset);
  const out: Location[] = [];
  for (const d of found?.definitions ?? []) {
    const cell = types.cellOfFile(d.fileName);
    if (cell) {
      const target = documents(cell.cell);
      const start = d.textSpan.start - cell.module.start;
      // the first line of a cell's module is imports it did not write: nothing there to go to
      if (!target || start < 0 || start > cell.module.length) continue;
      out.push({ uri: cell.cell, range: rangeIn(cell.module.start, target, d.textSpan) });
      continue;
    }
    const sf = types.sourceFile(d.fileName);
    if (!sf) continue;
    const s = sf.getLineAndCharacterOfPosition(d.textSpan.start);
    const e = sf.getLineAndCharacterOfPosition(d.textSpan.start + d.textSpan.length);
    out.push({ uri: pathToFileURL(d.fileName).href, range: { start: s, end: e } });
  }
  return out;
}

/**
 * The cell's type errors (TypeScript's semantic diagnostics within the cell's own text), less what is not true of a
 * cell the kernel runs. Syntax errors are not here: the cell compiler's (diagnostics.ts) are what the kernel says.
 */
export function typeErrors(types: TypesService, doc: TextDocument): Diagnostic[] {
  const cell = types.cell(doc.uri);
  if (!cell) return [];
  if (cell.module.unparsable) {
    const at = { line: 0, character: 0 };
    const message = "Types not checked: this cell nests deeper than TypeScript's parser can follow";
    return [{ range: { start: at, end: at }, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, message }];
  }
  const { start, length } = cell.module;
  const out: Diagnostic[] = [];
  for (const d of types.service.getSemanticDiagnostics(cell.module.fileName)) {
    if (d.start === undefined || d.start < start || d.start > start + length) continue;
    if (NO_EXPORTED_MEMBER.has(d.code)) continue;
    const span = { start: d.start, length: d.length ?? 0 };
    const word = doc.getText().slice(d.start - start, d.start - start + span.length);
    if (d.code === CANNOT_ASSIGN_IMPORT && cell.module.imported.has(word)) continue;
    out.push({
      range: rangeIn(start, doc, span),
      severity: d.category === ts.DiagnosticCategory.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: DIAGNOSTIC_SOURCE,
      code: `TS${d.code}`,
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      tags: d.reportsDeprecated ? [DiagnosticTag.Deprecated] : undefined,
    });
  }
  return out;
}

function rangeIn(base: number, doc: TextDocument, span: ts.TextSpan): { start: Position; end: Position } {
  return { start: doc.positionAt(span.start - base), end: doc.positionAt(span.start - base + span.length) };
}

function docMarkdown(documentation: ts.SymbolDisplayPart[] | undefined, tags: ts.JSDocTagInfo[] | undefined): string | undefined {
  const text = ts.displayPartsToString(documentation);
  const tagText = (tags ?? []).map((t) => `*@${t.name}* ${ts.displayPartsToString(t.text)}`.trim());
  const all = [text, ...tagText].filter(Boolean).join("\n\n");
  return all || undefined;
}

const K = ts.ScriptElementKind;
/** LSP's kind of each TypeScript kind a completion shows as other than a variable. */
const KINDS = new Map<ts.ScriptElementKind, CompletionItemKind>([
  [K.memberFunctionElement, CompletionItemKind.Method],
  [K.functionElement, CompletionItemKind.Function],
  [K.localFunctionElement, CompletionItemKind.Function],
  [K.memberVariableElement, CompletionItemKind.Property],
  [K.memberGetAccessorElement, CompletionItemKind.Property],
  [K.memberSetAccessorElement, CompletionItemKind.Property],
  [K.classElement, CompletionItemKind.Class],
  [K.localClassElement, CompletionItemKind.Class],
  [K.interfaceElement, CompletionItemKind.Interface],
  [K.typeElement, CompletionItemKind.TypeParameter],
  [K.typeParameterElement, CompletionItemKind.TypeParameter],
  [K.enumElement, CompletionItemKind.Enum],
  [K.enumMemberElement, CompletionItemKind.EnumMember],
  [K.moduleElement, CompletionItemKind.Module],
  [K.externalModuleName, CompletionItemKind.Module],
  [K.constElement, CompletionItemKind.Constant],
  [K.keyword, CompletionItemKind.Keyword],
  [K.alias, CompletionItemKind.Reference],
  [K.string, CompletionItemKind.Text],
]);

function completionKind(kind: ts.ScriptElementKind): CompletionItemKind {
  return KINDS.get(kind) ?? CompletionItemKind.Variable;
}
