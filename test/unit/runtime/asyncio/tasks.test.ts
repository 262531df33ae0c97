// asyncio's tasks against what CPython's Lib/test/test_asyncio/test_tasks.py checks (gather's order and
// return_exceptions, cancel and cancelled, wait_for's timeout cancelling, wait, as_completed), each scenario a
// cell on a real kernel reporting what it saw. Orders are checked, never durations.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./asyncioCells";

describe("conformance: asyncio tasks (test_tasks.py)", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("gathers 10 simulated API calls concurrently, results in argument order whatever order they finish in", async () => {
    const r = await cell(k, `
const finished: number[] = [];
async function callApi(i: number) { await sleep((10 - i) * 0.01); finished.push(i); return { id: i, status: 200 }; }
const results = await gather(...Array.from({ length: 10 }, (_, i) => callApi(i)));
report("results", results.map((x) => x.id));
report("finished", finished);
`);
    assert.deepEqual(r.get("results"), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(r.get("finished"), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]); // they ran at once: the shortest sleep first
  });

  it("gather: the first error rejects it and the others keep running; returnExceptions makes errors results", async () => {
    const r = await cell(k, `
const done: string[] = [];
async function ok(name: string, s: number) { await sleep(s); done.push(name); return name; }
class ValueError extends Error { override name = "ValueError"; }
async function bad(s: number) { await sleep(s); throw new ValueError("bad"); }
const slow = createTask(ok("slow", 0.05));
report("first", await outcome(gather(ok("a", 0), bad(0.01), slow)));
report("slowDoneYet", slow.done());
report("slowResult", await slow);
const mixed = await gather(ok("x", 0), bad(0), { returnExceptions: true });
report("mixed", mixed.map((v) => (v instanceof Error ? v.name : v)));
report("empty", await gather());
`);
    assert.deepEqual(r.get("first"), { err: "ValueError" });
    assert.equal(r.get("slowDoneYet"), false);
    assert.equal(r.get("slowResult"), "slow");
    assert.deepEqual(r.get("mixed"), ["x", "ValueError"]);
    assert.deepEqual(r.get("empty"), []);
  });

  it("gather refuses an argument that is not awaitable (TypeError), at the call", async () => {
    const r = await cell(k, `report("bad", sync(() => gather(sleep(0), 42 as any)));
report("task", sync(() => createTask(42 as any)));
report("fn", sync(() => createTask((async () => 1) as any)));`);
    assert.deepEqual(r.get("bad"), { err: "TypeError" });
    assert.deepEqual(r.get("task"), { err: "TypeError" });
    assert.deepEqual(r.get("fn"), { err: "TypeError" });
  });

  it("cancel() rejects the task's pending await with CancelledError; the task ends cancelled (test_cancel)", async () => {
    const r = await cell(k, `
const seen: string[] = [];
async function inner() { seen.push("inner start"); await sleep(10); seen.push("inner end"); }
async function work() { await inner(); seen.push("after inner"); return 12; }
const t = createTask(work());
await sleep(0);
report("cancel", t.cancel("stop it"));
report("outcome", await outcome(t));
report("states", [t.done(), t.cancelled(), sync(() => t.result()), sync(() => t.exception())]);
report("again", t.cancel());
report("seen", seen);
`);
    assert.equal(r.get("cancel"), true);
    assert.deepEqual(r.get("outcome"), { err: "CancelledError" });
    assert.deepEqual(r.get("states"), [true, true, { err: "CancelledError" }, { err: "CancelledError" }]);
    assert.equal(r.get("again"), false);
    assert.deepEqual(r.get("seen"), ["inner start"]);
  });

  it("a coroutine may catch the CancelledError and go on: the task then ends with its value, not cancelled", async () => {
    const r = await cell(k, `
async function stubborn() {
  try { await sleep(10); } catch (e) { report("caught", (e as Error).name + ":" + (e as Error).message); }
  await sleep(0);
  return "cleaned up";
}
const t = createTask(stubborn());
await sleep(0);
t.cancel("please");
report("result", await t);
report("cancelled", t.cancelled());
`);
    assert.equal(r.get("caught"), "CancelledError:please");
    assert.equal(r.get("result"), "cleaned up");
    assert.equal(r.get("cancelled"), false);
  });

  it("cancelling a task that awaits another task cancels that one too; a task cancelled before it awaits is cancelled at its next await", async () => {
    const r = await cell(k, `
const child = createTask(sleep(10));
async function parent() { await child; }
const p = createTask(parent());
await sleep(0);
p.cancel();
report("parent", await outcome(p));
report("child", child.cancelled());
async function busy() { for (let i = 0; i < 3; i++) await Promise.resolve(); await sleep(10); return "never"; }
const b = createTask(busy());
b.cancel();
report("busy", await outcome(b));
`);
    assert.deepEqual(r.get("parent"), { err: "CancelledError" });
    assert.equal(r.get("child"), true);
    assert.deepEqual(r.get("busy"), { err: "CancelledError" });
  });

  it("tasks made one after another are cancelled apart, and each sees itself as currentTask()", async () => {
    const r = await cell(k, `
const log: string[] = [];
async function worker(name: string) {
  // before its first await a coroutine runs in its caller, before createTask wraps it (see the docs)
  report("first segment", currentTask());
  try { await sleep(0.01); log.push(name + " is " + currentTask()!.getName()); await sleep(10); } catch (e) { log.push(name + " cancelled"); throw e; }
}
const a = createTask(worker("a"), { name: "A" });
const b = createTask(worker("b"), { name: "B" });
async function who() { await sleep(0); return currentTask()!.getName(); }
report("who", await createTask(who(), { name: "W" }));
await sleep(0.02);
a.cancel();
await outcome(a);
report("after a", [a.cancelled(), b.done(), currentTask()]);
b.cancel();
await outcome(b);
report("log", log);
`);
    assert.equal(r.get("who"), "W");
    assert.deepEqual(r.get("after a"), [true, false, null]);
    assert.deepEqual(r.all("first segment"), [null, null]);
    assert.deepEqual(r.get("log"), ["a is A", "b is B", "a cancelled", "b cancelled"]);
  });

  it("result() and exception() of a pending task raise InvalidStateError; names are Task-N or given", async () => {
    const r = await cell(k, `
const t = createTask(sleep(0.01, "v"));
const named = createTask(sleep(0, 1), { name: "fetcher" });
report("pending", [sync(() => t.result()), sync(() => t.exception())]);
await gather(t, named);
report("done", [t.result(), t.exception(), named.getName(), /^Task-\\d+$/.test(t.getName())]);
`);
    assert.deepEqual(r.get("pending"), [{ err: "InvalidStateError" }, { err: "InvalidStateError" }]);
    assert.deepEqual(r.get("done"), ["v", null, "fetcher", true]);
  });

  it("waitFor: a timeout cancels the task and raises TimeoutError; 0 or a negative timeout times out at once", async () => {
    const r = await cell(k, `
let cancelledInside = false;
async function slow() { try { await sleep(10); return "late"; } catch (e) { cancelledInside = e instanceof CancelledError; throw e; } }
const t = createTask(slow());
report("timeout", await outcome(waitFor(t, 0.02)));
report("cancelled", [t.cancelled(), cancelledInside]);
report("inTime", await waitFor(sleep(0, "quick"), 5));
report("none", await waitFor(sleep(0.01, "no limit"), null));
const u = createTask(slow());
report("negative", await outcome(waitFor(u, -1)));
report("negCancelled", u.cancelled());
report("zeroDone", await waitFor(createTask(sleep(0, "x")).then((v) => v), 0).catch((e) => e.name));
`);
    assert.deepEqual(r.get("timeout"), { err: "TimeoutError" });
    assert.deepEqual(r.get("cancelled"), [true, true]);
    assert.equal(r.get("inTime"), "quick");
    assert.equal(r.get("none"), "no limit");
    assert.deepEqual(r.get("negative"), { err: "TimeoutError" });
    assert.equal(r.get("negCancelled"), true);
    assert.equal(r.get("zeroDone"), "TimeoutError");
  });

  it("wait() by FIRST_COMPLETED, FIRST_EXCEPTION and ALL_COMPLETED, and with a timeout that cancels nothing", async () => {
    const r = await cell(k, `
const ev = new Event();
const a = createTask(sleep(0, "a"));
const b = createTask(ev.wait());
let res = await wait([a, b], { returnWhen: FIRST_COMPLETED });
report("first", [res.done.has(a), res.notDone.has(b)]);
async function boom() { await sleep(0); throw new RangeError("x"); }
const c = createTask(boom());
res = await wait([b, c], { returnWhen: FIRST_EXCEPTION });
report("exception", [res.done.has(c), res.notDone.has(b)]);
res = await wait([b], { timeout: 0.01 });
report("timeout", [res.done.size, res.notDone.size, b.cancelled()]);
ev.set();
res = await wait([a, b, c]);
report("all", [res.done.size, res.notDone.size]);
report("empty", sync(() => wait([])));
report("badWhen", sync(() => wait([a], { returnWhen: "SOMETIMES" })));
`);
    assert.deepEqual(r.get("first"), [true, true]);
    assert.deepEqual(r.get("exception"), [true, true]);
    assert.deepEqual(r.get("timeout"), [0, 1, false]);
    assert.deepEqual(r.get("all"), [3, 0]);
    assert.deepEqual(r.get("empty"), { err: "ValueError" });
    assert.deepEqual(r.get("badWhen"), { err: "ValueError" });
  });

  it("asCompleted yields outcomes in finishing order; past its timeout the rest raise TimeoutError", async () => {
    const r = await cell(k, `
const order: unknown[] = [];
for (const next of asCompleted([sleep(0.03, "slow"), sleep(0, "fast"), sleep(0.015, "mid")])) order.push(await next);
report("order", order);
const ev = new Event();
const got: unknown[] = [];
for (const next of asCompleted([sleep(0, "quick"), ev.wait()], 0.02)) got.push(await outcome(next));
report("timeout", got);
`);
    assert.deepEqual(r.get("order"), ["fast", "mid", "slow"]);
    assert.deepEqual(r.get("timeout"), [{ ok: "quick" }, { err: "TimeoutError" }]);
  });

  it("run() gives main's value, cancels the tasks main left pending, and refuses to run inside a task", async () => {
    const r = await cell(k, `
let leftover: Task | null = null;
async function main() {
  leftover = createTask((async () => { try { await sleep(10); } catch (e) { report("leftover", (e as Error).name); throw e; } })());
  await sleep(0);
  report("nested", await outcome(async () => run(sleep(0))));
  return "main done";
}
report("value", await run(main()));
report("cancelled", leftover!.cancelled());
`);
    assert.equal(r.get("value"), "main done");
    assert.equal(r.get("leftover"), "CancelledError");
    assert.equal(r.get("cancelled"), true);
    assert.deepEqual(r.get("nested"), { err: "RuntimeError" });
  });

  it("time.sleep in a coroutine blocks the loop (no other task runs meanwhile); asyncio.sleep lets them interleave", async () => {
    const r = await cell(k, `
import * as time from "time";
async function steps(name: string, log: string[], blocking: boolean) {
  for (let i = 1; i <= 3; i++) { log.push(name + i); if (blocking) time.sleep(0.005); else await sleep(0.005); }
  await sleep(0);
}
const blocked: string[] = [];
await gather(steps("a", blocked, true), steps("b", blocked, true));
report("time.sleep", blocked.join(" "));
const free: string[] = [];
await gather(steps("a", free, false), steps("b", free, false));
report("asyncio.sleep", free.join(" "));
`);
    assert.equal(r.get("time.sleep"), "a1 a2 a3 b1 b2 b3");
    assert.equal(r.get("asyncio.sleep"), "a1 b1 a2 b2 a3 b3");
  });

  it("reports a task's exception nobody retrieved, on stderr, and the cell still ends ok", async () => {
    const r = await cell(
      k,
      `
async function fails() { await sleep(0); throw new RangeError("lost"); }
createTask(fails());
const kept = createTask(fails());
await sleep(0.02);
report("done", kept.done());
`,
      { stderr: true },
    );
    assert.equal(r.get("done"), true);
    const err = r.ran.text("stderr");
    assert.equal(err.split("Task exception was never retrieved").length - 1, 2, err);
    assert.match(err, /future: <Task finished name='Task-\d+' exception=RangeError\('lost'\)>/);
    assert.match(err, /RangeError: lost/);
  });

  it("a retrieved exception is not reported; an uncaught one in the main code fails the cell at its line", async () => {
    const ran = await k.run(`import { createTask, sleep } from "asyncio";
async function fails() { await sleep(0); throw new RangeError("seen"); }
const t = createTask(fails());
await t;`);
    assert.equal(ran.result.status, "error");
    assert.equal(ran.result.error?.name, "RangeError");
    assert.doesNotMatch(ran.text("stderr"), /never retrieved/);
    assert.match(ran.result.error?.traceback ?? "", /line 2, in fails/);
  });
});
