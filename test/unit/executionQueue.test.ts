import * as assert from "node:assert/strict";
import { ExecutionQueue, type CancellationLike, type QueuedJob } from "../../extension/executionQueue";

/** A cancellation source of the shape vscode.CancellationToken has. */
class Token implements CancellationLike {
  isCancellationRequested = false;
  private listeners = new Set<() => unknown>();
  onCancellationRequested(listener: () => unknown) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
}

/** A job that runs until released, recording what happened to it in `log`. */
function job(name: string, log: string[], token?: Token) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const j: QueuedJob = {
    token,
    run: async () => {
      log.push(`run ${name}`);
      started();
      await released;
      log.push(`end ${name}`);
    },
    skip: () => log.push(`skip ${name}`),
  };
  return { job: j, release, started: startedP };
}

describe("ExecutionQueue", () => {
  it("runs jobs one at a time, in order", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    const a = job("a", log), b = job("b", log), c = job("c", log);
    const done = [q.enqueue(a.job), q.enqueue(b.job), q.enqueue(c.job)];
    await a.started;
    assert.deepEqual(log, ["run a"]);
    assert.equal(q.busy, true);
    assert.equal(q.pending, 2);
    c.release(); // releasing a later job early must not let it jump the queue
    b.release();
    a.release();
    await Promise.all(done);
    assert.deepEqual(log, ["run a", "end a", "run b", "end b", "run c", "end c"]);
    assert.equal(q.busy, false);
  });

  it("a job whose token is cancelled while it waits is skipped at once, the others run", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    const token = new Token();
    const a = job("a", log), b = job("b", log, token), c = job("c", log);
    const done = [q.enqueue(a.job), q.enqueue(b.job), q.enqueue(c.job)];
    await a.started;
    token.cancel();
    await done[1]; // settles before the running job ends
    assert.deepEqual(log, ["run a", "skip b"]);
    a.release();
    c.release();
    await Promise.all(done);
    assert.deepEqual(log, ["run a", "skip b", "end a", "run c", "end c"]);
  });

  it("a job enqueued with an already cancelled token never runs", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    const token = new Token();
    token.cancel();
    await q.enqueue(job("a", log, token).job);
    assert.deepEqual(log, ["skip a"]);
  });

  it("cancelling the running job's token does not touch the queue (stopping it is the job's business)", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    const token = new Token();
    const a = job("a", log, token), b = job("b", log);
    const done = [q.enqueue(a.job), q.enqueue(b.job)];
    await a.started;
    token.cancel();
    a.release();
    b.release();
    await Promise.all(done);
    assert.deepEqual(log, ["run a", "end a", "run b", "end b"]);
  });

  it("clear skips the waiting jobs but lets the running one finish", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    const a = job("a", log), b = job("b", log), c = job("c", log);
    const done = [q.enqueue(a.job), q.enqueue(b.job), q.enqueue(c.job)];
    await a.started;
    q.clear();
    assert.deepEqual(log, ["run a", "skip b", "skip c"]);
    a.release();
    await Promise.all(done);
    const d = job("d", log);
    d.release();
    await q.enqueue(d.job); // the queue goes on working after a clear
    assert.deepEqual(log, ["run a", "skip b", "skip c", "end a", "run d", "end d"]);
  });

  it("a job that throws (sync or async) is reported and the queue moves on", async () => {
    const errors: unknown[] = [];
    const q = new ExecutionQueue((e) => errors.push(e));
    const log: string[] = [];
    const b = job("b", log);
    b.release();
    await Promise.all([
      q.enqueue({ run: () => { throw new Error("sync"); }, skip: () => {} }),
      q.enqueue({ run: async () => { throw new Error("async"); }, skip: () => {} }),
      q.enqueue(b.job),
    ]);
    assert.deepEqual(errors.map((e) => (e as Error).message), ["sync", "async"]);
    assert.deepEqual(log, ["run b", "end b"]);
  });

  it("a skip that throws is reported and does not stop the others being skipped", async () => {
    const errors: unknown[] = [];
    const q = new ExecutionQueue((e) => errors.push(e));
    const log: string[] = [];
    const a = job("a", log);
    const done = [
      q.enqueue(a.job),
      q.enqueue({ run: async () => {}, skip: () => { throw new Error("skip failed"); } }),
      q.enqueue(job("c", log).job),
    ];
    await a.started;
    q.clear();
    a.release();
    await Promise.all(done);
    assert.equal(errors.length, 1);
    assert.deepEqual(log, ["run a", "skip c", "end a"]);
  });

  it("after dispose every job is skipped", async () => {
    const q = new ExecutionQueue();
    const log: string[] = [];
    q.dispose();
    await q.enqueue(job("a", log).job);
    assert.deepEqual(log, ["skip a"]);
  });
});
