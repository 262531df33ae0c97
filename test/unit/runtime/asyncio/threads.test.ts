// asyncio.toThread against CPython's Lib/test/test_asyncio/test_threads.py, on real threads: the function runs
// in another thread named as Python's default executor names them, the event loop keeps running meanwhile,
// and its exception rejects the await with the same error and a traceback at the cell's lines.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./asyncioCells";

describe("conformance: asyncio.toThread (test_threads.py)", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("runs the function in another thread, named asyncio_N, with its arguments (test_to_thread, test_to_thread_args)", async () => {
    const r = await cell(k, `
import { currentThread } from "threading";
function where(a: number, b: number) { return [currentThread().name, a + b]; }
report("here", currentThread().name);
report("there", await toThread(where, 2, 3));
report("both", await gather(toThread(where, 1, 1), toThread(where, 2, 2)));
`);
    assert.equal(r.get("here"), "MainThread");
    const [name, sum] = r.get("there");
    assert.match(name, /^asyncio_\d+$/);
    assert.equal(sum, 5);
    const both = r.get("both");
    assert.deepEqual(both.map((x: unknown[]) => x[1]), [2, 4]);
    for (const [n] of both) assert.match(n, /^asyncio_\d+$/);
  });

  it("the event loop keeps running while the thread works: a sleeping coroutine makes progress meanwhile", async () => {
    const r = await cell(k, `
import { Event as ThreadEvent } from "threading";
const ticked = new ThreadEvent();
// blocks its thread until the main thread's coroutine has ticked three times: were the loop blocked, it would time out
function blocking(ev: ThreadEvent) { return ev.wait(20); }
let ticks = 0;
async function ticker() { while (ticks < 3) { await sleep(0.005); ticks++; } ticked.set(); }
const [fromThread] = await gather(toThread(blocking, ticked), ticker());
report("result", [fromThread, ticks]);
`);
    assert.deepEqual(r.get("result"), [true, 3]);
  });

  it("an exception in the thread rejects the await with the same error name, its traceback at the cell's lines (test_to_thread_exception)", async () => {
    const r = await cell(k, `
class BadInput extends Error { override name = "BadInput"; }
function parse(text: string): number { if (!/^\\d+$/.test(text)) throw new BadInput("not a number: " + text); return Number(text); }
report("caught", await outcome(toThread(parse, "x1")));
report("ok", await toThread(parse, "12"));
`);
    assert.deepEqual(r.get("caught"), { err: "BadInput" });
    assert.equal(r.get("ok"), 12);
    const ran = await k.run(`import { toThread } from "asyncio";
function fails(): never { throw new RangeError("from the thread"); }
async function main() { return await toThread(fails); }
await main();`);
    assert.equal(ran.result.status, "error");
    assert.equal(ran.result.error?.name, "RangeError");
    const tb = ran.result.error?.traceback ?? "";
    assert.match(tb, /RangeError: from the thread/);
    assert.match(tb, /line 2, in fails/, tb);
    assert.match(tb, /line 3, in main/, tb);
  });

  it("toThread refuses what is not a function (TypeError)", async () => {
    const r = await cell(k, `report("bad", sync(() => toThread(42 as any)));`);
    assert.deepEqual(r.get("bad"), { err: "TypeError" });
  });
});
