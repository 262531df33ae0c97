// The language server's own logic, on cells' source: where "Run in thread"
// lenses go and what they pass, the diagnostics a cell gets before it runs,
// and the check of arguments typed for a thread.
import { strict as assert } from "node:assert";
import { checkArguments } from "../../extension/server/arguments";
import { diagnose } from "../../extension/server/diagnostics";
import { topLevelFunctions } from "../../extension/server/functions";
import type { ParamInfo } from "../../extension/server/protocol";
import { WorkerPool } from "../../kernel/pool";
import type { ModuleExports } from "../../kernel/protocol/worker";
import { THREAD_ENTRY } from "./support/kernel";

describe("language server: top-level functions", () => {
  it("finds function declarations and const arrow/function expressions, with their parameters", () => {
    const fns = topLevelFunctions(`import { Thread } from "threading";

function worker(name: string, n = 2, flag?: boolean): void {
  function inner() {}
}
  const arrow = (x: number, ...rest: number[]) => x;
const expr = function (this: Window, { a, b }: { a: number; b: number }) {};
let notADefinition = () => 1;
const value = 3, late = async () => {};
if (true) { function hidden() {} }
class C { method() {} }
function* gen() {}`);
    assert.deepEqual(
      fns.map((f) => [f.name, f.line, f.character]),
      [["worker", 2, 0], ["arrow", 5, 2], ["expr", 6, 0], ["late", 8, 17]],
    );
    assert.deepEqual(fns[0].params, [
      { name: "name", optional: false, rest: false },
      { name: "n", optional: true, rest: false },
      { name: "flag", optional: true, rest: false },
    ]);
    assert.deepEqual(fns[1].params, [
      { name: "x", optional: false, rest: false },
      { name: "rest", optional: false, rest: true },
    ]);
    assert.deepEqual(fns[2].params, [{ name: "{ a, b }", optional: false, rest: false }], "`this` is not an argument");
  });

  it("puts the lens on an overloaded function's implementation only, and still finds functions in a cell with a syntax error", () => {
    const fns = topLevelFunctions(`function f(a: string): void;
function f(a: number): void;
function f(a: unknown) {}
const x = ;
function after() {}
`);
    assert.deepEqual(fns.map((f) => [f.name, f.line]), [["f", 2], ["after", 4]]);
  });
});

describe("language server: diagnostics", function () {
  // the runtime's table as the kernel gets it: from a worker that loaded the runtime
  let exports: ModuleExports;
  before(async () => {
    const pool = new WorkerPool(THREAD_ENTRY, 1);
    try {
      const table = await pool.runtimeExports();
      assert.ok(table, "a worker reported the runtime's exports");
      exports = table;
    } finally {
      await pool.dispose();
    }
  });

  it("reports a syntax error with its range", async () => {
    const d = await diagnose(`const ok = 1;\nconst x = ;\n`, exports);
    assert.equal(d.length, 1);
    assert.equal(d[0].code, "SyntaxError");
    assert.match(d[0].message, /^SyntaxError: Unexpected ";"/);
    assert.deepEqual(d[0].range, { start: { line: 1, character: 10 }, end: { line: 1, character: 11 } });
  });

  it("counts columns in UTF-16 units after non-ASCII text", async () => {
    const d = await diagnose(`const s = "héllo😀"; const = 1;`, exports);
    assert.equal(d.length, 1);
    const at = `const s = "héllo😀"; const `.length;
    assert.equal(d[0].range.start.character, at);
  });

  it("reports an import of a name the runtime module lacks, on the name, with Python's suggestion", async () => {
    const source = `import { Thread, Lok } from "threading";\nimport { Queue as Q, sleep } from "queue";\nimport { cpus } from "node:os";`;
    const d = await diagnose(source, exports);
    assert.deepEqual(
      d.map((x) => [x.code, x.message, x.range.start.line, x.range.start.character, x.range.end.character]),
      [
        ["ImportError", "ImportError: cannot import name 'Lok' from 'threading'. Did you mean: 'Lock'?", 0, 17, 20],
        ["ImportError", "ImportError: cannot import name 'sleep' from 'queue'. It is in 'asyncio' and 'time'.", 1, 21, 26],
      ],
    );
  });

  it("has nothing to say about a cell that is fine, so fixing a cell clears its diagnostics", async () => {
    assert.equal((await diagnose(`import { Lok } from "threading";`, exports)).length, 1);
    assert.deepEqual(await diagnose(`import { Lock } from "threading";\nusing _ = new Lock().hold();\nawait Promise.resolve();`, exports), []);
  });
});

describe("language server: arguments for Run in thread", () => {
  const p = (name: string, optional = false, rest = false): ParamInfo => ({ name, optional, rest });

  it("accepts an expression list as in a call, TypeScript included", async () => {
    assert.equal(await checkArguments(`3, "a"`, [p("n"), p("s")]), null);
    assert.equal(await checkArguments(`[1, 2], { n: 1 } as const`, [p("xs"), p("o")]), null);
    assert.equal(await checkArguments(``, [p("n", true)]), null);
    assert.equal(await checkArguments(`1, 2, 3`, [p("first"), p("rest", false, true)]), null);
    assert.equal(await checkArguments(`...[1, 2]`, [p("a"), p("b")]), null);
  });

  it("rejects what is not one list of expressions, or the wrong number of them", async () => {
    assert.match((await checkArguments(`3,, 4`, [p("a"), p("b")])) ?? "", /missing/);
    assert.match((await checkArguments(`3], [4`, [p("n")])) ?? "", /Not a list of expressions/);
    assert.match((await checkArguments(`3 +`, [p("n")])) ?? "", /Syntax error|Not a list/);
    assert.equal(await checkArguments(`1`, [p("a"), p("b")]), "Takes 2 arguments (a, b); got 1");
    assert.equal(await checkArguments(`1, 2`, [p("a"), p("b", true)]), null);
    assert.equal(await checkArguments(`1, 2, 3`, [p("a"), p("b", true)]), "Takes 1 to 2 arguments (a, b?); got 3");
    assert.equal(await checkArguments(`1`, [p("a"), p("b"), p("rest", false, true)]), "Takes at least 2 arguments (a, b, ...rest); got 1");
  });
});
