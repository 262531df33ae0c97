import * as assert from "node:assert/strict";
import { OutputBatcher } from "../../extension/outputBatcher";

const noErrors = (error: unknown) => assert.fail(String(error));

describe("OutputBatcher", () => {
  it("gathers items written close together into one flush", async () => {
    const flushes: number[][] = [];
    const b = new OutputBatcher<number>(async (items) => { flushes.push(items); }, 20, noErrors);
    b.add([1]);
    b.add([2, 3]);
    b.add([]);
    await b.close();
    assert.deepEqual(flushes, [[1, 2, 3]]);
  });

  it("flushes on its own after the delay, without close", async () => {
    let resolveFlushed!: (items: number[]) => void;
    const flushed = new Promise<number[]>((r) => (resolveFlushed = r));
    const b = new OutputBatcher<number>(async (items) => resolveFlushed(items), 10, noErrors);
    b.add([7]);
    assert.deepEqual(await flushed, [7]);
    await b.close();
  });

  it("never has two flushes in flight; what arrives meanwhile goes in the next one, in order", async () => {
    const flushes: number[][] = [];
    let inFlight = 0;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let firstStarted!: () => void;
    const firstStartedP = new Promise<void>((r) => (firstStarted = r));
    const b = new OutputBatcher<number>(async (items) => {
      inFlight++;
      assert.equal(inFlight, 1);
      flushes.push(items);
      if (flushes.length === 1) {
        firstStarted();
        await firstHeld;
      }
      inFlight--;
    }, 1, noErrors);
    b.add([1]);
    await firstStartedP;
    b.add([2]);
    b.add([3]);
    releaseFirst();
    await b.close();
    assert.deepEqual(flushes, [[1], [2, 3]]);
  });

  it("a failing flush is reported and later items are still flushed", async () => {
    const flushes: number[][] = [];
    let reported!: () => void;
    const firstReported = new Promise<void>((r) => (reported = r));
    const errors: unknown[] = [];
    const b = new OutputBatcher<number>(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) throw new Error("editor gone");
    }, 1, (e) => {
      errors.push(e);
      reported();
    });
    b.add([1]);
    await firstReported;
    b.add([2]);
    await b.close();
    assert.deepEqual(flushes, [[1], [2]]);
    assert.equal(errors.length, 1);
  });
});
