// The cap on a program's live threads (KernelOptions.maxThreads), on real
// threads: start() past it raises RuntimeError at once in the starting
// thread, naming the cap; threads that have finished give their place back.
import * as assert from "node:assert/strict";
import { TestKernel } from "./support/kernel";
import { defaultMaxThreads } from "../../kernel/threadCap";

/** Starts threads that wait on one Event until start() raises; prints how many started and what it raised. */
const storm = (tries: number) => `
import { Thread, Event, activeCount } from "threading";
const go = new Event();
function hold(e: Event): void { e.wait(); }
const held: Thread[] = [];
let raised = "none";
try {
  for (let i = 0; i < ${tries}; i++) {
    const t = new Thread({ target: hold, args: [go], daemon: i % 2 === 0 });
    t.start();
    held.push(t);
  }
} catch (e) {
  raised = String(e);
}
console.log(held.length);
console.log(activeCount());
console.log(raised);
go.set();
held.forEach((t) => t.join());`;

describe("the cap on live threads", function () {
  this.timeout(60_000);
  let k: TestKernel;
  afterEach(() => k.dispose());

  it("start() past maxThreads raises RuntimeError naming the cap, in the starting thread, which carries on", async () => {
    k = new TestKernel({ maxThreads: 6 });
    const [started, active, raised] = await k.stdout(storm(50));
    // the main thread is one of the six
    assert.equal(started, "5");
    assert.equal(active, "6");
    assert.equal(raised, "RuntimeError: can't start new thread: 6 threads are live, the limit (concnb.maxThreads / --max-threads) is 6");
  });

  it("a thread that has finished gives its place back: past the cap, threads start again", async () => {
    k = new TestKernel({ maxThreads: 4 });
    const out = await k.stdout(`
import { Thread } from "threading";
function nothing(): void {}
let ran = 0;
for (let i = 0; i < 40; i++) {
  const t = new Thread({ target: nothing });
  t.start();
  t.join();
  ran++;
}
console.log(ran);`);
    assert.deepEqual(out, ["40"]);
    // and the next cell (a new program) has the whole cap again
    const [started] = await k.stdout(storm(10));
    assert.equal(started, "3");
  });

  it("a thread started by a thread meets the same cap, and can catch it", async () => {
    k = new TestKernel({ maxThreads: 3 });
    const out = await k.stdout(`
import { Thread, Event } from "threading";
const go = new Event();
function hold(e: Event): void { e.wait(); }
function starter(e: Event): void {
  const mine = new Thread({ target: hold, args: [e] });
  mine.start();
  try {
    new Thread({ target: hold, args: [e] }).start();
    console.log("no error");
  } catch (err) {
    console.log(String(err).split(":")[0]);
  }
  e.set();
  mine.join();
}
const s = new Thread({ target: starter, args: [go] });
s.start();
s.join();`);
    assert.deepEqual(out, ["RuntimeError"]);
  });

  it("a thread whose worker died gives its place back", async () => {
    k = new TestKernel({ maxThreads: 3 });
    const r = await k.run(`
import { Thread } from "threading";
function leave(): void { process.exit(3); }
for (let i = 0; i < 8; i++) {
  const t = new Thread({ target: leave });
  t.start();
  t.join();
}
console.log("all started");`);
    assert.equal(r.result.status, "ok", r.text("stderr"));
    assert.deepEqual(r.lines("stdout").map(([, l]) => l), ["all started"]);
  });

  it("the default is derived from memory, within bounds", () => {
    assert.equal(defaultMaxThreads(100), 16);
    assert.equal(defaultMaxThreads(1e9), 4096);
    assert.equal(defaultMaxThreads(5000), 500);
    const d = defaultMaxThreads();
    assert.ok(d >= 16 && d <= 4096, String(d));
  });
});
