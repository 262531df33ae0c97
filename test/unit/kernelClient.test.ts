// KernelClient against real processes: a fake kernel that speaks the
// protocol (test/fixtures/fakeKernel.js) and does on request what real cells
// can do to a kernel: stream output, ignore interrupts, exit, die of a signal,
// run out of memory.
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import type { OutputRecord } from "../../kernel/protocol/messages";
import { KernelClient, type KernelClientOptions, type KernelExit } from "../../kernel/client/kernelClient";

// Bundled into out/test/unit/, so the fixtures are three levels up.
const fixtures = path.resolve(__dirname, "../../../test/fixtures");
const fakeKernel = path.join(fixtures, "fakeKernel.js");
const silentKernel = path.join(fixtures, "silentKernel.js");

describe("KernelClient", function () {
  const clients: KernelClient[] = [];
  let logs: string[] = [];

  function start(options: Partial<KernelClientOptions> = {}): KernelClient {
    const client = new KernelClient({ kernelPath: fakeKernel, log: (l) => logs.push(l), ...options });
    clients.push(client);
    return client;
  }

  async function runText(client: KernelClient, source: string) {
    const records: OutputRecord[] = [];
    const result = await client.run("cell 1", source, (r) => records.push(...r)).result;
    return { result, records, text: records.map((r) => `${r.stream} ${r.thread} ${r.text}`).join("") };
  }

  beforeEach(() => (logs = []));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
  });

  it("runs cells on one process, streaming every record in order", async () => {
    const client = start();
    const first = await runText(client, "print a\nthread Thread-1 b\neprint c\ncount");
    assert.equal(first.result.status, "ok");
    assert.equal(first.text, "stdout MainThread a\nstdout Thread-1 b\nstderr MainThread c\nstdout MainThread 1\n");
    const second = await runText(client, "count");
    assert.equal(second.text, "stdout MainThread 2\n", "the second run reaches the same process");
    assert.equal(await client.started, true);
  });

  it("sends the kernel's own stderr to the log", async () => {
    const client = start();
    await client.started;
    await runText(client, "print x");
    assert.ok(logs.some((l) => l.includes("stderr] fake kernel starting")), logs.join("\n"));
  });

  it("passes a kernel error through as the run's result", async () => {
    const { result } = await runText(start(), "raise ValueError bad value");
    assert.equal(result.status, "error");
    assert.equal(result.error?.name, "ValueError");
  });

  it("interrupt ends a running cell as interrupted and the kernel goes on", async () => {
    const client = start();
    const records: OutputRecord[] = [];
    let sawOutput!: () => void;
    const running = new Promise<void>((r) => (sawOutput = r));
    const run = client.run("cell 1", "print started\nspin\nprint never", (r) => {
      records.push(...r);
      sawOutput();
    });
    await running;
    run.interrupt();
    run.interrupt(); // twice is harmless
    const result = await run.result;
    assert.equal(result.status, "interrupted");
    assert.deepEqual(records.map((r) => r.text), ["started\n"]);
    assert.equal((await runText(client, "count")).text, "stdout MainThread 2\n");
  });

  it("an interrupt before the kernel is ready ends the run without sending it", async () => {
    const client = start();
    const run = client.run("cell 1", "print should not run", () => assert.fail("the run was sent"));
    run.interrupt();
    const result = await run.result;
    assert.equal(result.status, "interrupted");
    assert.equal(result.error?.name, "KeyboardInterrupt");
    assert.equal((await runText(client, "count")).text, "stdout MainThread 1\n");
  });

  it("a kernel that ignores an interrupt is killed, and the cell says so", async () => {
    const client = start({ interruptGraceMs: 300 });
    await client.started;
    const exits: KernelExit[] = [];
    client.onExit((e) => exits.push(e));
    // interrupt once the kernel is inside the run, known by its first output
    const run = client.run("cell 1", "print deaf now\ndeaf", () => run.interrupt());
    const result = await run.result;
    assert.equal(result.error?.name, "KernelDied");
    assert.match(result.error?.message ?? "", /did not stop within 0.3 s of the interrupt/);
    assert.match(result.error?.message ?? "", /killed by signal SIGKILL/);
    assert.equal(exits.length, 1, "exit listeners run before the result settles");
    assert.equal(exits[0].requested, false);
    assert.equal(client.alive, false);
  });

  it("a kernel that exits mid-run ends the cell with KernelDied and the exit code", async () => {
    const client = start();
    const { result } = await runText(client, "print before\nexit 3");
    assert.equal(result.status, "error");
    assert.equal(result.error?.name, "KernelDied");
    assert.match(result.error?.message ?? "", /exited with code 3/);
    assert.match(result.error?.message ?? "", /next run starts a new kernel/);
    const exit = await client.exited;
    assert.deepEqual([exit.code, exit.signal, exit.requested], [3, null, false]);
  });

  it("a kernel killed by a signal ends the cell with KernelDied naming the signal", async () => {
    const { result } = await runText(start(), "signal SIGKILL");
    assert.equal(result.error?.name, "KernelDied");
    assert.match(result.error?.message ?? "", /killed by signal SIGKILL/);
  });

  it("a kernel that runs out of memory says so, with V8's last words", async () => {
    const { result } = await runText(start(), "oom");
    assert.equal(result.error?.name, "KernelDied");
    assert.match(result.error?.message ?? "", /ran out of memory and was killed by signal SIGABRT/);
    assert.match(result.error?.traceback ?? "", /JavaScript heap out of memory/);
    assert.doesNotMatch(result.error?.traceback ?? "", /0x[0-9a-f]+ v8::/, "native frames stay in the log only");
    assert.ok(logs.some((l) => /0x[0-9a-f]+ v8::/.test(l)));
  });

  it("a fatal message ends the cell with the kernel's error and stops the process", async () => {
    const client = start();
    const { result } = await runText(client, "fatal");
    assert.equal(result.error?.name, "MemoryError");
    assert.match(result.error?.message ?? "", /next run starts a new kernel/);
    const exit = await client.exited;
    assert.equal(exit.requested, false, "a fatal kernel counts as dead: the queue behind it is dropped");
  });

  it("a kernel program that does not exist fails to start with a reason", async () => {
    const client = start({ kernelPath: path.join(fixtures, "no-such-kernel.js") });
    const { result } = await runText(client, "print x");
    assert.equal(await client.started, false);
    assert.equal(result.error?.name, "KernelStartFailed");
    assert.match(result.error?.message ?? "", /exited before it was ready/);
    assert.match(result.error?.traceback ?? "", /Cannot find module/);
  });

  it("a kernel that never says ready times out, is killed and fails the run", async () => {
    const client = start({ kernelPath: silentKernel, startTimeoutMs: 300 });
    const { result } = await runText(client, "print x");
    assert.equal(result.error?.name, "KernelStartFailed");
    assert.match(result.error?.message ?? "", /did not report ready within 0.3 s/);
  });

  it("shutdown ends a running cell at once with the given error, and the process leaves", async () => {
    const client = start();
    await client.started;
    const run = client.run("cell 1", "spin", () => {});
    const exited = client.shutdown({ name: "KernelRestarted", message: "restarted" });
    assert.equal((await run.result).error?.name, "KernelRestarted");
    const exit = await exited;
    assert.equal(exit.requested, true);
    assert.equal(exit.code, 0, "the fake kernel leaves on its own when asked");
  });

  it("shutdown kills a kernel that does not leave when asked", async () => {
    const client = start({ kernelPath: silentKernel, shutdownGraceMs: 200 });
    const exit = await client.shutdown();
    assert.deepEqual([exit.signal, exit.requested], ["SIGKILL", true]);
  });

  it("runs the kernel in the given working directory", async () => {
    const dir = os.tmpdir();
    const { text } = await runText(start({ cwd: dir }), "cwd");
    assert.equal(text, `stdout MainThread ${dir}\n`);
  });
});
