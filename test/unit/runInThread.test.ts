// "Run in thread" on a real kernel: the program the extension sends
// (threadProgram) runs the function on a new thread named after it, and, being
// ephemeral, leaves nothing behind for later cells.
import { strict as assert } from "node:assert";
import { threadProgram } from "../../extension/threadProgram";
import { TestKernel } from "./support/kernel";

describe("run in thread: the program", () => {
  it("starts the named function on a Thread with the arguments as typed, on lines of their own", () => {
    const p = threadProgram("worker", `3, "a" // a comment`);
    assert.match(p, /^import \{ Thread as __concnb_Thread \} from "threading";\n/);
    assert.match(p, /target: worker, args: \[\n3, "a" \/\/ a comment\n\] \}\)\.start\(\);/);
  });

  it("refuses a target that is not a plain name", () => {
    assert.throws(() => threadProgram("worker(); evil", ""), /not a function name/);
    assert.doesNotThrow(() => threadProgram("$work_2", ""));
  });
});

describe("run in thread: on the kernel", function () {
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel()));
  afterEach(() => k.dispose());

  it("runs a function of an earlier cell on a thread named after it, its exception on that thread's stderr", async () => {
    await k.stdout(`function worker(n: number, s: string) { console.log("working on", n, s); }
function bad() {
  throw new Error("boom");
}`);
    const ok = await k.run(threadProgram("worker", `3, "a"`), undefined, true);
    assert.equal(ok.result.status, "ok");
    assert.deepEqual(ok.lines("stdout"), [["Thread-1 (worker)", "working on 3 a"]]);

    const failed = await k.run(threadProgram("bad", ""), undefined, true);
    assert.equal(failed.result.status, "ok", "a thread's exception does not fail the program, as in any cell");
    assert.match(failed.text("stderr"), /^Exception in thread Thread-1 \(bad\):\n/);
    assert.match(failed.text("stderr"), /File "cell 1", line 3, in bad/);
    assert.ok(failed.lines("stderr").every(([t]) => t === "Thread-1 (bad)"));
  });

  it("adds no definitions: later cells see none of an ephemeral program's", async () => {
    await k.stdout(`const kept = 1;`);
    const r = await k.run(`const marker = 2; function g() {} import { Lock } from "threading";`, undefined, true);
    assert.equal(r.result.status, "ok");
    assert.deepEqual(await k.stdout(`console.log(typeof kept, typeof marker, typeof g, typeof Lock)`), ["number undefined undefined undefined"]);
  });
});
