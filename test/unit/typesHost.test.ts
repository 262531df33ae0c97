// The TypeScript worker's host (extension/server/typesHost): a worker that
// hangs or runs out of its heap costs its notebook's types, with the reason,
// and the next questions go to a new worker. Real worker threads, with
// stand-in workers that speak typesProtocol.
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TypesHost, TypesUnavailable } from "../../extension/server/typesHost";
import { CONTROL } from "../../extension/server/typesProtocol";

/**
 * A worker that answers every request with its op and how often it was asked of that cell, but hangs on a cell named
 * "hang", fills its heap on "bomb", and on "slow" works until told to give way (the first time) as TypeScript's
 * cancellation token would, and answers at once after.
 */
const STAND_IN = `const { parentPort, workerData } = require("node:worker_threads");
const control = new Int32Array(workerData.control);
const seen = new Map();
const nap = new Int32Array(new SharedArrayBuffer(4));
parentPort.on("message", (req) => {
  const uri = req.args && req.args.uri;
  const key = uri || req.op;
  const n = (seen.get(key) || 0) + 1;
  seen.set(key, n);
  if (uri === "hang") for (;;) {}
  if (uri === "bomb") { const keep = []; for (;;) keep.push(new Array(1e5).fill({ x: 1 })); }
  if (uri === "slow" && n === 1) {
    while (Atomics.load(control, ${CONTROL.GIVE_WAY}) === 0) Atomics.wait(nap, 0, 0, 1);
    return parentPort.postMessage({ id: req.id, cancelled: true });
  }
  parentPort.postMessage({ id: req.id, result: { op: req.op, n } });
});`;

function host(retryAfterMs: number, timeoutMs = 300) {
  const dir = mkdtempSync(join(tmpdir(), "concnb-types-host-"));
  const entry = join(dir, "worker.js");
  writeFileSync(entry, STAND_IN);
  const retried: string[] = [];
  let onRetried: () => void = () => {};
  const retry = new Promise<void>((resolve) => (onRetried = resolve));
  const logged: string[] = [];
  const h = new TypesHost(entry, { typings: dir, exports: undefined }, {
    heapMb: 32,
    timeoutMs,
    retryAfterMs,
    log: (l) => logged.push(l),
    onRetry: (n) => {
      retried.push(n);
      onRetried();
    },
  });
  return { h, retried, retry, logged };
}

describe("TypeScript's worker: a hang or a heap run out costs the notebook's types, not the server", function () {
  this.timeout(30_000);

  it("answers in order through a real worker", async () => {
    const { h } = host(50);
    h.setNotebook("nb", [{ uri: "a", text: "" }]);
    assert.deepEqual(await h.ask("typeErrors", { uri: "a" }), { op: "typeErrors", n: 1 });
    await h.dispose();
  });

  it("ends a worker that takes over its time, refuses that notebook with the reason, and serves another notebook anew", async () => {
    const { h, logged } = host(60_000);
    h.setNotebook("stuck", [{ uri: "hang", text: "" }]);
    h.setNotebook("fine", [{ uri: "ok", text: "" }]);
    await assert.rejects(h.ask("typeErrors", { uri: "hang" }), (e: Error) => e instanceof TypesUnavailable && /took over 0.3 s/.test(e.message));
    await assert.rejects(h.ask("hover", { uri: "hang", position: { line: 0, character: 0 } }), TypesUnavailable);
    assert.deepEqual(await h.ask("typeErrors", { uri: "ok" }), { op: "typeErrors", n: 1 });
    // questions of a text alone are still answered for the notebook set aside
    assert.deepEqual(await h.ask("functions", { text: "" }), { op: "functions", n: 1 });
    assert.equal(logged.length, 1);
    await h.dispose();
  });

  it("ends a worker that runs out of its heap, and gives the notebook back to TypeScript once it changes", async () => {
    const { h, retried, retry } = host(50, 20_000);
    h.setNotebook("nb", [{ uri: "bomb", text: "" }]);
    await assert.rejects(h.ask("typeErrors", { uri: "bomb" }), (e: Error) => e instanceof TypesUnavailable && /ran out of its 32 MB/.test(e.message));
    h.setNotebook("nb", [{ uri: "fixed", text: "" }]);
    await retry;
    assert.deepEqual(retried, ["nb"]);
    assert.deepEqual(await h.ask("typeErrors", { uri: "fixed" }), { op: "typeErrors", n: 1 });
    await h.dispose();
  });

  it("answers what the learner waits on first: a background check running gives way, and is asked again after", async () => {
    const { h } = host(50, 20_000);
    h.setNotebook("nb", [{ uri: "slow", text: "" }, { uri: "b", text: "" }]);
    const order: string[] = [];
    const check = h.ask("typeErrors", { uri: "slow" }).then((r) => (order.push("typeErrors"), r));
    // asked again before it ran: the same check, answered once
    const later = h.ask("typeErrors", { uri: "b" });
    const again = h.ask("typeErrors", { uri: "b" });
    const hover = h.ask("hover", { uri: "b", position: { line: 0, character: 0 } }).then((r) => (order.push("hover"), r));
    assert.deepEqual(await hover, { op: "hover", n: 1 });
    assert.deepEqual(await check, { op: "typeErrors", n: 2 });
    assert.deepEqual(order, ["hover", "typeErrors"]);
    assert.deepEqual([await later, await again], [{ op: "typeErrors", n: 2 }, { op: "typeErrors", n: 2 }]);
    await h.dispose();
  });
});
