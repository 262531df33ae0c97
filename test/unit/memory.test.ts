// The memory budget on real threads: a bomb of any kind ends its thread (or
// its cell) with a MemoryError, the rest of the program carries on, and a
// thread is given only the top-level values its code can reach.
import assert from "node:assert/strict";
import { TestKernel } from "./support/kernel";

const BUDGET = "the kernel's budget is 2 GB (concnb.memoryBudgetMb / --memory-mb)";

describe("memory budget", function () {
  this.timeout(60_000);
  let k: TestKernel;
  beforeEach(() => (k = new TestKernel({ memoryBudgetMb: 2048 })));
  afterEach(() => k.dispose());

  const inThread = (body: string) => `
    import { Thread } from "threading";
    function bomb() { ${body} }
    const t = new Thread({ target: bomb });
    t.start(); t.join();
    console.log("main carries on");`;

  for (const [kind, body] of [
    ["typed arrays", "const keep: Uint8Array[] = []; for (;;) keep.push(new Uint8Array(64e6).fill(1));"],
    ["Buffer.alloc", "const keep: Buffer[] = []; for (;;) keep.push(Buffer.alloc(64e6, 1));"],
    ["SharedArrayBuffers", "const keep: SharedArrayBuffer[] = []; for (;;) { const s = new SharedArrayBuffer(64e6); new Uint8Array(s).fill(1); keep.push(s); }"],
    ["ArrayBuffers in small pieces", "const keep: ArrayBuffer[] = []; for (;;) keep.push(new ArrayBuffer(64e3));"],
  ]) {
    it(`ends a thread that allocates ${kind} without end with a MemoryError on its stderr; main carries on`, async () => {
      const r = await k.run(inThread(body));
      assert.equal(r.result.status, "ok", r.result.error?.traceback);
      const err = r.text("stderr");
      assert.match(err, /MemoryError: Thread-1 \(bomb\) used [\d.]+ [MG]B/);
      assert.ok(err.includes(BUDGET), err);
      assert.deepEqual(r.lines("stdout"), [["MainThread", "main carries on"]]);
    });
  }

  it("stops a thread whose memory no check sees (copies made by structuredClone) from the process's RSS", async () => {
    const r = await k.run(inThread("const src = new Uint8Array(32e6).fill(1); const keep: Uint8Array[] = []; for (;;) keep.push(structuredClone(src));"));
    assert.equal(r.result.status, "ok", r.result.error?.traceback);
    assert.match(r.text("stderr"), /MemoryError: Thread-1 \(bomb\) used .*; the kernel's budget is 2 GB .*the thread was stopped/);
    assert.deepEqual(r.lines("stdout"), [["MainThread", "main carries on"]]);
  });

  it("fails the cell with a MemoryError when the main thread is the bomb, and the next cell has the memory back", async () => {
    const r = await k.run("const keep: Uint8Array[] = []; for (;;) keep.push(new Uint8Array(64e6).fill(1));");
    assert.equal(r.result.status, "error");
    assert.equal(r.result.error?.name, "MemoryError");
    assert.ok(r.result.error?.message.includes(BUDGET), r.result.error?.message);
    // the bomb's memory was given back: most of the budget can be used again
    assert.deepEqual(await k.stdout("const a = new Uint8Array(500e6).fill(1); console.log(a.length);"), ["500000000"]);
  });

  it("refuses one allocation past the budget where it is written, catchable as Python's MemoryError is", async () => {
    const out = await k.stdout(`
      try { new Float64Array(3e8); } catch (e) { console.log((e as Error).name, (e as Error).message.includes("asked for 2.2 GB more")); }`);
    assert.deepEqual(out, ["MemoryError true"]);
  });

  it("keeps typed arrays what they are: instanceof, constructor, subclasses, Buffers", async () => {
    const out = await k.stdout(`
      class Bytes extends Uint8Array {}
      const b = new Bytes(4), u = new Uint8Array([1, 2]), buf = Buffer.from("hi");
      console.log(b instanceof Uint8Array, b instanceof Bytes, u.constructor === Uint8Array, buf instanceof Uint8Array,
        Object.getPrototypeOf(u) === Uint8Array.prototype, u.slice(1)[0], Uint8Array.from([7])[0], new ArrayBuffer(8).slice(4).byteLength);`);
    assert.deepEqual(out, ["true true true true true 2 7 4"]);
  });

  it("copies a top-level value only into the threads whose code names it", async () => {
    await k.stdout("const big = Array.from({ length: 4e6 }, (_, i) => i + 0.5);");
    const out = await k.stdout(`
      import { Thread } from "threading";
      const heapMb = () => Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      function probe() { console.log("probe", heapMb()); }
      function user() { console.log("user", big.length, heapMb()); }
      for (const f of [probe, user]) { const t = new Thread({ target: f }); t.start(); t.join(); }`);
    const probe = Number(out.find((l) => l.startsWith("probe"))!.split(" ")[1]);
    const [, length, user] = out.find((l) => l.startsWith("user"))!.split(" ");
    assert.equal(length, "4000000");
    // 4e6 doubles are 32 MB: the thread that uses them holds them, the other does not
    assert.ok(Number(user) >= 32, `user thread heap ${user} MB`);
    assert.ok(probe < 24, `probe thread heap ${probe} MB`);
  });

  it("copies an earlier cell's value into a later cell's main thread only if its code can reach it", async () => {
    await k.stdout("const big = Array.from({ length: 4e6 }, (_, i) => i + 0.5); function size() { return big.length; }");
    const heap = `const heapMb = () => Math.round(process.memoryUsage().heapUsed / 2 ** 20);`;
    const [away] = await k.stdout(`${heap} console.log(heapMb());`);
    const [near] = await k.stdout(`${heap} console.log(heapMb(), size());`);
    // 4e6 doubles are 32 MB: a worker given them holds its copy on its heap (and, off it, the float64s it was sent)
    const [nearMb, length] = near.split(" ").map(Number);
    assert.equal(length, 4e6);
    assert.ok(nearMb - Number(away) >= 24, `heap of a main that never names big ${away} MB, of one that calls size() ${nearMb} MB`);
  });

  it("keeps every value as the last cell left it, whether a cell's main thread was given it or not", async () => {
    await k.stdout("const seen = [1, 2]; let limit = 5; function grow() { seen.push(seen.length + 1); }");
    await k.stdout(`import { Thread } from "threading"; const t = new Thread({ target: grow }); t.start(); t.join();`);
    assert.deepEqual(await k.stdout(`console.log("nothing of cell 1 here");`), ["nothing of cell 1 here"]);
    assert.deepEqual(await k.stdout("grow(); limit = 7;"), []);
    assert.deepEqual(await k.stdout(`console.log(eval("seen.join(' ') + ' ' + limit"));`), ["1 2 3 7"]);
    // a thread given what its target reaches, from a main given none of it; what it changes is its own copy
    const thread = `import { Thread } from "threading"; const t = new Thread({ target: () => { grow(); console.log(seen.length); } }); t.start(); t.join();`;
    assert.deepEqual(await k.stdout(thread), ["4"]);
    assert.deepEqual(await k.stdout("console.log(seen.length, limit);"), ["3 7"]);
  });

  it("keeps a big value as the last cell left it; a thread that changes it changes its own copy", async () => {
    // past a MB each: kept as bytes in shared memory (runtime/core/share's encodeKept), parsed where they are read
    await k.stdout(`const nums = Array.from({ length: 3e5 }, (_, i) => i); const f64 = new Float64Array(3e5).fill(2);
      const words = Array.from({ length: 1e5 }, (_, i) => "w" + i); const same = words; const cfg = { nums };`);
    assert.deepEqual(await k.stdout(`
      import { Thread } from "threading";
      const t = new Thread({ target: () => { nums[0] = 9; f64[0] = 9; words.push("x"); console.log(nums[0], f64[0], words.length); } });
      t.start(); t.join();
      console.log(nums[0], f64[0], words.length);`), ["9 9 100001", "0 2 100000"]);
    assert.deepEqual(await k.stdout("nums.push(-1); f64[1] = 5; words.push(\"y\");"), []);
    assert.deepEqual(await k.stdout("console.log(nums.length, nums.at(-1), f64[1], words.at(-1), same === words, cfg.nums === nums);"),
      ["300001 -1 5 y true true"]);
  });

  it("gives a thread what its target reaches through the notebook's functions and classes", async () => {
    await k.stdout("const table = [1, 2, 3]; class Sum { total() { return table.reduce((a, b) => a + b, 0); } }");
    const out = await k.stdout(`
      import { Thread } from "threading";
      function viaFunction() { return helper(); }
      function helper() { return table.length; }
      const t1 = new Thread({ target: () => console.log(viaFunction()) });
      const t2 = new Thread({ target: (s: Sum) => console.log(s.total()), args: [new Sum()] });
      for (const t of [t1, t2]) { t.start(); t.join(); }`);
    assert.deepEqual(out, ["3", "6"]);
  });
});
