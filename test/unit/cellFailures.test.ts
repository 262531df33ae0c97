// A cell's failure, its timers and its promises are its own: on a real Kernel, with real workers.
import { strict as assert } from "node:assert";
import type { CellResult, OutputRecord } from "../../kernel/protocol/messages";
import { TestKernel } from "./support/kernel";

/** Runs a cell under a label of our choosing (re-running "cell 1" is running the same cell again). */
async function runAs(k: TestKernel, label: string, source: string, onRecords?: (r: OutputRecord[], execId: number) => void) {
  const execId = 10_000 + Math.floor(Math.random() * 1e9);
  const records: OutputRecord[] = [];
  const result: CellResult = await k.kernel.run({ execId, cellLabel: label, source }, (r) => {
    records.push(...r);
    onRecords?.(r, execId);
  });
  const text = (stream: "stdout" | "stderr") => records.filter((r) => r.stream === stream).map((r) => r.text).join("");
  return { result, records, stdout: text("stdout"), stderr: text("stderr"), execId };
}

describe("a cell's failure is its own", function () {
  this.timeout(30_000);
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("a failed import fails its cell only; later cells see what it defined before, and are told what it did not", async () => {
    const bad = await runAs(k, "cell 1", `const a = 1;\nfunction f() { return 2; }\nimport { x } from "no-such-module";\nclass K {}\nlet b = 3;`);
    assert.equal(bad.result.status, "error");
    assert.equal(bad.result.error?.name, "ModuleNotFoundError");
    assert.match(bad.stderr, /note: cell 1 stopped before defining 'x', 'K', 'b': later cells do not see them/);
    const good = await runAs(k, "cell 2", `console.log(a, f(), typeof K);`);
    assert.equal(good.result.status, "ok", good.result.error?.traceback);
    assert.equal(good.stdout, "1 2 undefined\n");
    const uses = await runAs(k, "cell 3", `console.log(b);`);
    assert.equal(uses.result.status, "error");
    assert.match(uses.result.error?.traceback ?? "", /ReferenceError: b is not defined: cell 1 failed before defining it \(ModuleNotFoundError: No module named 'no-such-module'\)/);
  });

  it("a class that extends undefined fails its cell only; threads of later cells run with what it defined", async () => {
    const bad = await runAs(k, "cell 1", `import { Thread } from "threading";\nconst n = 4;\nclass X extends (undefined as any) {}\nfunction g() {}`);
    assert.equal(bad.result.status, "error");
    assert.match(bad.stderr, /stopped before defining 'X'/);
    const good = await runAs(k, "cell 2", `const t = new Thread({ target: () => console.log("in thread", n, typeof g) }); t.start(); t.join(); console.log("main");`);
    assert.equal(good.result.status, "ok", good.result.error?.traceback);
    assert.match(good.stdout, /in thread 4 function\nmain\n/);
  });

  it("a fixed cell run again replaces its run where it stands: a later cell's function sees the new definition", async () => {
    await runAs(k, "cell 1", `import { x } from "no-such-module";`);
    const uses = await runAs(k, "cell 2", `function useX() { return x * 2; }`);
    assert.equal(uses.result.status, "ok");
    const fixed = await runAs(k, "cell 1", `const x = 21;`);
    assert.equal(fixed.result.status, "ok");
    assert.equal(fixed.stderr, "");
    const call = await runAs(k, "cell 3", `console.log(useX());`);
    assert.equal(call.result.status, "ok", call.result.error?.traceback);
    assert.equal(call.stdout, "42\n");
  });

  it("a run that fails before a definition leaves the one of the cell's last complete run", async () => {
    await runAs(k, "cell 1", `let limit = 5;\nfunction show() { return "old"; }`);
    const bad = await runAs(k, "cell 1", `function show() { return "new"; }\nthrow new Error("no");\nlet limit = 10;`);
    assert.equal(bad.result.status, "error");
    assert.match(bad.stderr, /later cells see 'limit' as its last complete run left it/);
    const after = await runAs(k, "cell 2", `console.log(limit, show());`);
    assert.equal(after.stdout, "5 new\n");
  });

  it("an interrupted cell keeps its definitions, and says its variables are not kept", async () => {
    const stopped = await runAs(k, "cell 1", `function kept() { return "kept"; }\nlet count = 1;\nconsole.log("looping");\nwhile (true) {}`, (r, execId) => {
      if (r.some((x) => x.text.includes("looping"))) k.kernel.interrupt(execId);
    });
    assert.equal(stopped.result.status, "interrupted");
    assert.match(stopped.stderr, /note: cell 1 was interrupted, so the value of 'count' is not kept: later cells do not see it/);
    const after = await runAs(k, "cell 2", `console.log(kept());\nconsole.log(count);`);
    assert.equal(after.stdout, "kept\n");
    assert.match(after.result.error?.traceback ?? "", /count is not defined: cell 1 was interrupted before its variables were kept/);
  });
});

describe("a cell's timers and promises belong to its program", function () {
  this.timeout(30_000);
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("a pending setTimeout fires before the cell ends, as node waits for it; a self-clearing setInterval ticks its ticks", async () => {
    const r = await runAs(k, "cell 1", `setTimeout(() => console.log("later"), 50);\nlet n = 0;\nconst id = setInterval(() => { console.log("tick", ++n); if (n === 3) clearInterval(id); }, 10);\nconsole.log("main done");`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), ["later", "main done", "tick 1", "tick 2", "tick 3"]);
    assert.equal(r.records.find((x) => x.text.includes("later"))?.thread, "MainThread");
  });

  it("a setInterval never cleared runs until the stop button, and never into a later cell", async () => {
    const r = await runAs(k, "cell 1", `setInterval(() => console.log("tick"), 5);`, (recs, execId) => {
      if (recs.some((x) => x.text.includes("tick"))) k.kernel.interrupt(execId);
    });
    assert.equal(r.result.status, "interrupted");
    const next = await runAs(k, "cell 2", `await new Promise((done) => setTimeout(done, 200));\nconsole.log("two");`);
    assert.equal(next.stdout, "two\n");
  });

  it("an unref'd timer does not keep the program going: it is cancelled with a note, and never fires later", async () => {
    const r = await runAs(k, "cell 1", `setTimeout(() => console.log("late"), 100).unref();`);
    assert.equal(r.result.status, "ok");
    assert.match(r.stderr, /note: the program ended, and its pending timers were cancelled \(1 setTimeout\)/);
    const next = await runAs(k, "cell 2", `await new Promise((done) => setTimeout(done, 300));`);
    assert.doesNotMatch(next.stdout, /late/);
  });

  it("an exception in a timer's callback fails the cell with its traceback", async () => {
    const r = await runAs(k, "cell 1", `setTimeout(() => {\n  throw new RangeError("in a timer");\n}, 10);`);
    assert.equal(r.result.status, "error");
    assert.match(r.result.error?.traceback ?? "", /File "cell 1", line 2[\s\S]*RangeError: in a timer/);
  });

  it("a rejection nobody handled fails the main program with its cell line; in a thread it is printed in the thread", async () => {
    const main = await runAs(k, "cell 1", `Promise.reject(new Error("boom"));\nconsole.log("after");`);
    assert.equal(main.result.status, "error");
    assert.match(main.result.error?.traceback ?? "", /nothing handled it[\s\S]*File "cell 1", line 1[\s\S]*Error: boom/);
    assert.equal(main.stdout, "after\n");
    const thread = await runAs(k, "cell 2", `import { Thread } from "threading";\nconst t = new Thread({ target: () => { Promise.reject(new Error("in thread")); } });\nt.start(); t.join();`);
    assert.equal(thread.result.status, "ok");
    assert.match(thread.stderr, /Unhandled promise rejection in thread Thread-1[\s\S]*Error: in thread/);
  });

  it("a rejection made microtasks after a thread's run() returned is still printed in that thread, before its join returns", async () => {
    const r = await runAs(
      k,
      "cell 1",
      `import { Thread } from "threading";\nasync function later(): Promise<void> { await null; await null; await null; throw new Error("late rejection"); }\n` +
        `const t = new Thread({ target: () => { void later(); } });\nt.start(); t.join();\nconsole.error("joined");`,
    );
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.match(r.stderr, /Unhandled promise rejection in thread Thread-1[\s\S]*Error: late rejection[\s\S]*joined/);
  });

  it("threads one after another on reused workers each see the cell's bindings as they were at their start()", async () => {
    // each thread changes what it was given (a let, a const array, which bindings are one object): the next
    // thread, on a worker that ran the last one, must not see it
    const r = await runAs(
      k,
      "cell 1",
      `import { Thread } from "threading";\nlet n = 0;\nconst seen: number[] = [];\nlet a = { v: 1 };\nlet b = a;\nconst out: string[] = [];\n` +
        `function work(i: number): void { out.push(\`\${i}:\${n}:\${seen.join("+")}:\${a === b}:\${a.v}\`); console.log(out[out.length - 1]); n += 100; seen.push(99); b = { v: 7 }; a.v = 5; }\n` +
        `for (let i = 0; i < 12; i++) { n = i; seen.push(i); const t = new Thread({ target: work, args: [i] }); t.start(); t.join(); }`,
    );
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    const expected = Array.from({ length: 12 }, (_, i) => `${i}:${i}:${Array.from({ length: i + 1 }, (_, j) => j).join("+")}:true:1`);
    assert.deepEqual(r.stdout.trim().split("\n"), expected);
  });

  it("a thread's setTimeout fires in the thread, before its join returns", async () => {
    const r = await runAs(k, "cell 1", `import { Thread } from "threading";\nconst t = new Thread({ target: () => { setTimeout(() => console.log("timer in thread"), 30); } });\nt.start(); t.join();\nconsole.log("joined");`);
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.equal(r.stdout, "timer in thread\njoined\n");
  });

  it("globals and prototypes changed by a cell, in its main thread or a thread, are not seen by later cells", async () => {
    const polluted = await runAs(
      k,
      "cell 1",
      `import { Thread } from "threading";\n(Array.prototype as any).sum = 1; (globalThis as any).leak = 2; Math.random = () => 4;\n` +
        `const t = new Thread({ target: () => { (Object.prototype as any).fromThread = 3; } }); t.start(); t.join();`,
    );
    assert.equal(polluted.result.status, "ok", polluted.result.error?.traceback);
    for (let i = 2; i < 6; i++) {
      const r = await runAs(
        k,
        `cell ${i}`,
        `import { Thread } from "threading";\nconst see = () => [typeof ([] as any).sum, typeof (globalThis as any).leak, Math.random() === 4, typeof ({} as any).fromThread].join(" ");\n` +
          `console.log(see());\nconst t = new Thread({ target: () => console.log(see()) }); t.start(); t.join();`,
      );
      assert.equal(r.stdout, "undefined undefined false undefined\n".repeat(2), `cell ${i}`);
    }
  });
});
