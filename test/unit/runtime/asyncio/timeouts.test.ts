// asyncio.timeout against CPython's Lib/test/test_asyncio/test_timeouts.py, in this runtime's shape:
// `await timeout(seconds, async (cm) => body)` (see the docs for why not `await using`).
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell } from "./asyncioCells";

describe("conformance: asyncio timeouts (test_timeouts.py)", function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("past the deadline the body's await gets CancelledError and timeout() raises TimeoutError (test_timeout_basic)", async () => {
    const r = await cell(k, `
let inside = "";
let cm: any = null;
report("expired", await outcome(timeout(0.01, async (c) => { cm = c; try { await sleep(10); } catch (e) { inside = (e as Error).name; throw e; } })));
report("inside", inside);
report("cm", cm.expired());
`);
    assert.deepEqual(r.get("expired"), { err: "TimeoutError" });
    assert.equal(r.get("inside"), "CancelledError");
    assert.equal(r.get("cm"), true);
  });

  it("in time, or with no deadline, it gives the body's value (test_timeout_not_called, test_timeout_disabled)", async () => {
    const r = await cell(k, `
report("inTime", await timeout(5, async (cm) => { await sleep(0); return ["done", cm.expired()]; }));
report("none", await timeout(null, async (cm) => { await sleep(0.01); return cm.when(); }));
report("zero", await outcome(timeout(0, async () => { await sleep(1); })));
report("negative", await outcome(timeout(-1, async () => { await sleep(1); })));
report("bad", sync(() => timeout("soon" as any, async () => 1)));
`);
    assert.deepEqual(r.get("inTime"), ["done", false]);
    assert.equal(r.get("none"), null);
    assert.deepEqual(r.get("zero"), { err: "TimeoutError" });
    assert.deepEqual(r.get("negative"), { err: "TimeoutError" });
    assert.deepEqual(r.get("bad"), { err: "TypeError" });
  });

  it("reschedule() moves the deadline; a body that swallows the cancel ends without TimeoutError (test_reschedule)", async () => {
    const r = await cell(k, `
import { monotonic } from "time";
report("moved", await timeout(0.01, async (cm) => { cm.reschedule(monotonic() + 10); await sleep(0.03); return "not expired"; }));
report("later", await outcome(timeout(null, async (cm) => { cm.reschedule(monotonic() + 0.01); await sleep(10); })));
report("swallowed", await timeout(0.01, async () => { try { await sleep(10); } catch { return "swallowed"; } }));
`);
    assert.equal(r.get("moved"), "not expired");
    assert.deepEqual(r.get("later"), { err: "TimeoutError" });
    assert.equal(r.get("swallowed"), "swallowed");
  });

  it("the task awaiting a timeout() can be cancelled: CancelledError, not TimeoutError (test_cancel_in_timeout_after_cancellation)", async () => {
    const r = await cell(k, `
const t = createTask(timeout(10, async () => { await sleep(10); }));
await sleep(0);
t.cancel();
report("t", await outcome(t));
`);
    assert.deepEqual(r.get("t"), { err: "CancelledError" });
  });
});
