// @ts-check
// A TypeScript server plugin: VS Code's built-in TypeScript sees each cell of
// a .concnb notebook alone, so it would say "Cannot find module 'threading'",
// call an import "unused" that the next cell uses, and double our completions.
// The cells' types are the Concurrency Notebooks language server's (it sees
// the notebook whole, in order, with the runtime's typings); for those cells
// this plugin answers nothing, and for every other file it stays out of the way.
"use strict";

/** tsserver's name for a cell of a .concnb notebook: `^/vscode-notebook-cell/<authority>/<path>.concnb#<cell>`. */
function isConcnbCell(fileName) {
  return /[/\\]vscode-notebook-cell[/\\]/.test(fileName) && /\.concnb(#|$)/.test(fileName);
}

/** What each silenced feature answers for a cell: nothing to show. */
const NOTHING = {
  getCompletionsAtPosition: () => undefined,
  getCompletionEntryDetails: () => undefined,
  getQuickInfoAtPosition: () => undefined,
  getSignatureHelpItems: () => undefined,
  getDefinitionAtPosition: () => undefined,
  getDefinitionAndBoundSpan: () => undefined,
  getTypeDefinitionAtPosition: () => undefined,
  getImplementationAtPosition: () => undefined,
  getReferencesAtPosition: () => undefined,
  findReferences: () => undefined,
  getDocumentHighlights: () => undefined,
  findRenameLocations: () => undefined,
  getRenameInfo: () => ({ canRename: false, localizedErrorMessage: "Renaming in a notebook cell is not supported" }),
  getSyntacticDiagnostics: () => [],
  getSemanticDiagnostics: () => [],
  getSuggestionDiagnostics: () => [],
  getCodeFixesAtPosition: () => [],
  getApplicableRefactors: () => [],
  getInlayHints: () => [],
};

/** tsserver calls this with its own `typescript` module, which the plugin needs not. */
function init() {
  return {
    /** @param {import("typescript").server.PluginCreateInfo} info */
    create(info) {
      const ls = info.languageService;
      /** @type {Record<string, unknown>} */
      const proxy = Object.create(null);
      for (const key of Object.keys(ls)) {
        const original = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (ls))[key];
        proxy[key] = typeof original === "function" ? original.bind(ls) : original;
      }
      for (const [key, answer] of Object.entries(NOTHING)) {
        const original = proxy[key];
        if (typeof original !== "function") continue;
        proxy[key] = (/** @type {unknown[]} */ ...args) => (typeof args[0] === "string" && isConcnbCell(args[0]) ? answer() : original(...args));
      }
      info.project.projectService.logger.info("concnb-ts-plugin: the cells of .concnb notebooks are left to the Concurrency Notebooks language server");
      return /** @type {import("typescript").LanguageService} */ (/** @type {unknown} */ (proxy));
    },
  };
}

init.isConcnbCell = isConcnbCell;
module.exports = init;
