// Every lesson type-checks as the editor checks it (extension/server's types
// of cells, with the runtime's typings as the build made them): each code cell
// in notebook order with the cells above it in scope, zero type errors, and no
// `any` written in lesson code, where a learner would copy it.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { TextDocument } from "vscode-languageserver-textdocument";
import { typeErrors } from "../../extension/server/typeFeatures";
import { TypesService } from "../../extension/server/typesService";
import { parseConcnb } from "../../kernel/protocol/format";

const root = resolve(__dirname, "..", "..", "..");
const lessons = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".concnb")).sort();

function codeCells(lesson: string): TextDocument[] {
  const nb = parseConcnb(readFileSync(join(root, "notebooks", lesson), "utf8"));
  return nb.cells.filter((c) => c.kind === "code").map((c, i) => TextDocument.create(`vscode-notebook-cell:/${lesson}#c${i}`, "typescript", 1, c.source));
}

describe("lessons type-check in notebook order", function () {
  this.timeout(60_000);
  it("finds the lessons", () => assert.ok(lessons.length >= 9, lessons.join(", ")));

  for (const lesson of lessons) {
    it(`${lesson}: no type error in any cell, and no \`any\``, () => {
      const cells = codeCells(lesson);
      assert.ok(cells.length > 0);
      const types = new TypesService(join(root, "out", "typings"));
      types.setNotebook(`file:///${lesson}`, cells.map((d) => ({ uri: d.uri, text: d.getText() })));
      const problems = cells.flatMap((d, i) => typeErrors(types, d).map((e) => `cell ${i + 1}, line ${e.range.start.line + 1}: ${e.message}`));
      const anys = cells.flatMap((d, i) => {
        const sf = ts.createSourceFile("cell.ts", d.getText(), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
        const found: string[] = [];
        const visit = (n: ts.Node): void => {
          if (n.kind === ts.SyntaxKind.AnyKeyword) found.push(`cell ${i + 1}, line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: any`);
          ts.forEachChild(n, visit);
        };
        visit(sf);
        return found;
      });
      assert.deepEqual([...problems, ...anys], []);
    });
  }
});
