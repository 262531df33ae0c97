// KernelClient driving the real kernel process, out/kernel.js, exactly as the
// extension spawns it: the IPC protocol end to end, interrupt, and a cell
// that kills the process it runs in.
import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { OutputRecord } from "../../kernel/protocol/messages";
import { KernelClient } from "../../kernel/client/kernelClient";

// Bundled into out/test/unit/, next to out/kernel.js two levels up.
const kernelPath = path.resolve(__dirname, "../../kernel.js");

describe("KernelClient with the real kernel process", function () {
  let client: KernelClient;
  let cell = 0;
  const log: string[] = [];

  before(function () {
    if (!existsSync(kernelPath)) this.skip(); // not built yet
  });
  beforeEach(() => {
    cell = 0;
    client = new KernelClient({ kernelPath, log: (l) => log.push(l) });
  });
  afterEach(async () => {
    await client.shutdown();
  });

  function run(source: string, onOutput: (records: OutputRecord[]) => void = () => {}) {
    return client.run(`cell ${++cell}`, source, onOutput);
  }

  it("starts, runs cells that share state, and streams thread output", async () => {
    assert.equal(await client.started, true, log.join("\n"));
    const records: OutputRecord[] = [];
    const first = await run(
      `import { Thread } from "threading";
       function greet(n: number) { console.log("hello", n); }
       const t = new Thread({ target: greet, args: [1] }); t.start(); t.join();`,
      (r) => records.push(...r),
    ).result;
    assert.equal(first.status, "ok", JSON.stringify(first));
    assert.ok(records.some((r) => r.thread === "Thread-1 (greet)" && r.text.includes("hello 1")), JSON.stringify(records));
    const second = await run(`greet(2);`, (r) => records.push(...r)).result;
    assert.equal(second.status, "ok", JSON.stringify(second));
    assert.ok(records.some((r) => r.thread === "MainThread" && r.text.includes("hello 2")));
  });

  it("interrupts an endless loop well within the grace period, and the next cell runs", async () => {
    const looping = run(`console.log("spinning"); while (true) {}`, () => looping.interrupt());
    const t0 = Date.now();
    const result = await looping.result;
    assert.equal(result.status, "interrupted", JSON.stringify(result));
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    assert.equal((await run(`console.log("after");`).result).status, "ok");
  });

  it("a cell that kills its kernel ends with KernelDied naming the signal", async () => {
    const result = await run(`process.kill(process.pid, "SIGKILL");`).result;
    assert.equal(result.error?.name, "KernelDied", JSON.stringify(result));
    assert.match(result.error?.message ?? "", /killed by signal SIGKILL/);
    assert.equal((await client.exited).requested, false);
  });

  it("leaves when asked to shut down", async () => {
    await client.started;
    const exit = await client.shutdown();
    assert.deepEqual([exit.code, exit.requested], [0, true]);
  });
});
