// The cell compiler: what a cell's top level becomes for later cells and threads.
import { strict as assert } from "node:assert";
import { analyze } from "../../kernel/compiler/analyze";
import { compileCell, CompileError } from "../../kernel/compiler/compile";
import { lookupLine } from "../../kernel/runtime/core/lineTable";
import type { Chunk } from "../../kernel/protocol/worker";
import { TestKernel } from "./support/kernel";

const spans = (src: string, list: Array<{ start: number; end: number }>) => list.map((s) => src.slice(s.start, s.end));

describe("compiler", () => {
  it("sorts a cell's top level into imports, definitions, copied bindings and statements", () => {
    const src = [
      `import { Thread } from "threading";`,
      `import type { Foo } from "threading";`,
      `function worker() {}`,
      `class Box {}`,
      `const double = (x: number) => x * 2;`,
      `const N = 3, M = N + 1;`,
      `let { a, b: [c] } = { a: 1, b: [2] };`,
      `console.log(N);`,
      `using r = { [Symbol.dispose]() {} };`,
    ].join("\n");
    const top = analyze(src, "cell.ts");
    assert.deepEqual(spans(src, top.defs), [
      `import { Thread } from "threading";`,
      `import type { Foo } from "threading";`,
      `function worker() {}`,
      `class Box {}`,
      `const double = (x: number) => x * 2;`,
    ]);
    assert.deepEqual(top.values.map((v) => [v.keyword, v.names]), [["const", ["N", "M"]], ["let", ["a", "c"]]]);
    assert.deepEqual(spans(src, top.others), [`console.log(N);`, `using r = { [Symbol.dispose]() {} };`]);
    assert.deepEqual(top.edits.map((e) => e.text), [`const { Thread } = __concnb_import("threading");`, ``]);
  });

  it("maps code in both chunks back to its line of the cell", async () => {
    const src = `import {\n  Thread,\n} from "threading";\nconst x = 1;\nfunction f() {\n  return x;\n}\nconsole.log(f());`;
    const { full, defs } = await compileCell(src, "cell 9");
    const cellLine = (chunk: Chunk, token: string) => {
      const at = chunk.code.indexOf(token);
      assert.ok(at >= 0, `${token} not in chunk`);
      const before = chunk.code.slice(0, at).split("\n");
      return lookupLine(chunk.lines, before.length - 1, before[before.length - 1].length) - chunk.lineOffset + 1;
    };
    for (const chunk of [full, defs]) {
      assert.equal(cellLine(chunk, "return x"), 6);
      assert.equal(cellLine(chunk, "function f"), 5);
      assert.equal(cellLine(chunk, `__concnb_import("threading")`), 1);
    }
    assert.equal(cellLine(full, "console.log(f())"), 8);
    assert.doesNotMatch(defs.code, /console\.log\(f\(\)\)/);
  });

  it("throws a CompileError naming the cell's line", async () => {
    await assert.rejects(compileCell("const a = 1;\n\nlet = = 2;", "cell 4"), (e: unknown) => {
      assert.ok(e instanceof CompileError);
      assert.match(e.cellError.traceback ?? "", /File "cell 4", line 3/);
      return true;
    });
  });

  describe("imports of names a runtime module does not export", () => {
    const exports = {
      threading: ["Thread", "Lock", "RLock", "local", "currentThread", "Event"],
      queue: ["Queue", "Empty", "Full"],
      time: ["sleep", "perfCounter"],
    };
    const importError = async (src: string) => {
      try {
        await compileCell(src, "cell 2", exports);
      } catch (e) {
        assert.ok(e instanceof CompileError, String(e));
        return e.cellError;
      }
      assert.fail("compiled without an error");
    };

    it("is an ImportError at compile time naming the module and the name, with a close name if there is one", async () => {
      const err = await importError(`const a = 1;\nimport { Thread, Lok } from "threading";\nnew Lok();`);
      assert.equal(err.name, "ImportError");
      assert.equal(err.message, "cannot import name 'Lok' from 'threading'. Did you mean: 'Lock'? (cell 2, line 2)");
      assert.equal(
        err.traceback,
        [
          `  File "cell 2", line 2`,
          `    import { Thread, Lok } from "threading";`,
          `                     ^^^`,
          `ImportError: cannot import name 'Lok' from 'threading'. Did you mean: 'Lock'?`,
        ].join("\n"),
      );
    });

    it("knows Python's snake_case spelling, an alias's original name, and a name that lives in another module", async () => {
      const snake = await importError(`import { current_thread as ct } from "threading";`);
      assert.match(snake.message, /^cannot import name 'current_thread' from 'threading'\. Did you mean: 'currentThread'\?/);
      const elsewhere = await importError(`import { Queue } from "threading";`);
      assert.match(elsewhere.message, /^cannot import name 'Queue' from 'threading'\. It is in 'queue'\./);
      const far = await importError(`import { Semaphore } from "threading";`);
      assert.match(far.message, /^cannot import name 'Semaphore' from 'threading' \(cell 2, line 1\)$/);
    });

    it("reports every bad name, and leaves alone type-only imports, defaults, namespaces and Node's modules", async () => {
      const err = await importError(`import { Lok } from "threading";\nimport { sleap } from "time";`);
      assert.match(err.traceback ?? "", /'Lok' from 'threading'[\s\S]*line 2[\s\S]*'sleap' from 'time'\. Did you mean: 'sleep'\?/);
      await compileCell(
        [
          `import type { ExceptHookArgs } from "threading";`,
          `import { type ThreadOptions, Thread } from "threading";`,
          `import threading from "threading";`,
          `import * as q from "queue";`,
          `import { readFileSync } from "node:fs";`,
          `import { anything } from "not-a-runtime-module";`,
        ].join("\n"),
        "cell 3",
        exports,
      );
    });
  });

  describe("on a kernel", () => {
    let k: TestKernel;
    beforeEach(() => (k = new TestKernel()));
    afterEach(() => k.dispose());

    it("runs a cell's statements once: threads and later cells get only its definitions", async () => {
      await k.run(`console.log("cell 1 ran"); function f() { return "f"; }`);
      const r = await k.run(`import { Thread } from "threading";
        const t = new Thread({ target: () => console.log(f()) }); t.start(); t.join(); console.log(f());`);
      assert.deepEqual(r.lines(), [["Thread-1 (<lambda>)", "f"], ["MainThread", "f"]]);
    });

    it("supports top-level await and using declarations", async () => {
      const r = await k.run(`
        const v = await new Promise<number>((res) => setTimeout(() => res(42), 1));
        { using r = { [Symbol.dispose]() { console.log("disposed"); } }; console.log("inside"); }
        console.log(v);`);
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      assert.deepEqual(r.lines().map(([, l]) => l), ["inside", "disposed", "42"]);
    });

    it("copies a thread's view of top-level bindings at start(): values, not shared memory", async () => {
      const r = await k.run(`import { Thread } from "threading";
        let count = 1;
        const t = new Thread({ target: () => { count += 100; console.log("thread sees", count); } });
        count = 2;
        t.start(); t.join();
        console.log("main sees", count);`);
      assert.deepEqual(r.lines().map(([, l]) => l), ["thread sees 102", "main sees 2"]);
    });

    it("stops a cell that imports a name the runtime does not export before any of it runs (the runtime's own list)", async () => {
      const r = await k.run(`console.log("ran");\nimport { Lok } from "threading";\nimport { as_completed } from "concurrent.futures";\nnew Lok();`);
      assert.equal(r.result.status, "error");
      assert.equal(r.result.error?.name, "ImportError");
      assert.equal(r.result.error?.message, "cannot import name 'Lok' from 'threading'. Did you mean: 'Lock'? (cell 1, line 2)");
      assert.match(r.result.error?.traceback ?? "", /cannot import name 'as_completed' from 'concurrent\.futures'\. Did you mean: 'asCompleted'\?/);
      assert.deepEqual(r.lines(), []);
      const ok = await k.run(`import { Lock, Thread } from "threading";\nimport { asCompleted, BrokenExecutor } from "concurrent.futures";\nimport { Array } from "sharedctypes";\nconsole.log(typeof Lock, typeof asCompleted, typeof BrokenExecutor, typeof Array);`);
      assert.deepEqual(ok.lines().map(([, l]) => l), ["function function function function"]);
    });

    it("explains a local variable a thread cannot see", async () => {
      const r = await k.run(`import { Thread } from "threading";
        function go() { const local = 5; const t = new Thread({ target: () => console.log(local) }); t.start(); t.join(); }
        go();`);
      assert.match(r.text("stderr"), /ReferenceError: local is not defined/);
    });
  });
});
