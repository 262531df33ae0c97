// threading.local against what CPython's Lib/test/test_threading_local.py
// checks (and the _threading_local docstring examples it runs as doctests),
// on real threads.
import { strict as assert } from "node:assert";
import { TestKernel } from "../../support/kernel";
import { cell, short } from "../threadingCells";

describe("conformance: threading.local (test_threading_local)", function () {
  let k: TestKernel;
  before(() => (k = new TestKernel()));
  after(() => k.dispose());

  it("keeps attributes per thread: another thread starts empty, and what it sets is not seen here", async () => {
    const r = await cell(k, `
      const mydata = new local();
      mydata.number = 42;
      report("here", [mydata.number, { ...mydata }, Object.keys(mydata)]);
      function f() {
        report("there", [Object.keys(mydata), mydata.number ?? null, "number" in mydata]);
        mydata.number = 11;
        report("thereAfter", mydata.number);
      }
      const t = new Thread({ target: f }); t.start(); t.join();
      report("hereAfter", mydata.number);`);
    assert.deepEqual(r.get("here"), [42, { number: 42 }, ["number"]]);
    assert.deepEqual(r.get("there"), [[], null, false]);
    assert.equal(r.get("thereAfter"), 11);
    assert.equal(r.get("hereAfter"), 42);
  });

  it("runs a subclass's initializer in every thread that uses it, with its arguments; defaults and methods work there", async () => {
    const r = await cell(k, `
      const inits = new Value("i", 0);
      class MyLocal extends local {
        number = 2;
        color: string | undefined;
        madeIn = currentThread().name;
        constructor(color: string) { super(color); this.color = color; inc(inits); }
        squared() { return (this.number as number) ** 2; }
      }
      const mydata = new MyLocal("red");
      report("here", [mydata.number, mydata.color, mydata.squared(), mydata.madeIn, mydata instanceof MyLocal]);
      delete mydata.color;
      function f() {
        report("there", [Object.keys(mydata).sort(), mydata.color, mydata.madeIn, mydata instanceof MyLocal]);
        mydata.number = 11;
        report("squared", mydata.squared());
      }
      for (let i = 0; i < 3; i++) { const t = new Thread({ target: f }); t.start(); t.join(); }
      report("hereAfter", [mydata.number, mydata.color ?? null, "color" in mydata, inits.value]);`);
    assert.deepEqual(r.get("here"), [2, "red", 4, "MainThread", true]);
    assert.deepEqual(r.all("there"), [1, 2, 3].map((n) => [["color", "madeIn", "number"], "red", `Thread-${n} (f)`, true]));
    assert.deepEqual(r.all("squared"), [121, 121, 121]);
    // the initializer ran once here and once per thread, never again on the creating thread
    assert.deepEqual(r.get("hereAfter"), [2, null, false, 4]);
  });

  it("does not show one thread's attributes to another (_test_one_class), for local and a subclass", async () => {
    const r = await cell(k, `
      class LocalSubclass extends local {}
      for (const obj of [new local(), new LocalSubclass()]) {
        const e1 = new Event();
        const e2 = new Event();
        const t1 = new Thread({ target: f1, args: [obj, e1, e2] }); t1.start();
        e1.wait();
        const t2 = new Thread({ target: f2, args: [obj] }); t2.start(); t2.join();
        e2.set(); t1.join();
      }
      function f1(obj: local, e1: Event, e2: Event) {
        obj.x = "foo"; obj.y = "bar"; delete obj.y;
        report("t1", [obj.x, obj.y ?? null]);
        e1.set(); e2.wait();
      }
      function f2(obj: local) { report("t2", [obj.x ?? null, "x" in obj]); }`);
    assert.deepEqual(r.all("t1"), [["foo", null], ["foo", null]]);
    assert.deepEqual(r.all("t2"), [[null, false], [null, false]]);
  });

  it("gives each of many threads its own value even when the initializer is slow (test_derived, issue 3088)", async () => {
    const r = await cell(k, `
      class Local extends local {
        constructor() { super(); sleep(0.01); }
      }
      const loc = new Local();
      function f(i: number) { loc.x = i; check(loc.x === i, "read back " + loc.x + " after setting " + i); report("set", i); }
      const ts = Array.from({ length: 10 }, (_, i) => new Thread({ target: f, args: [i] }));
      ts.forEach((t) => t.start()); ts.forEach((t) => t.join());`);
    assert.deepEqual([...r.all("set")].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts every new thread empty, though threads run one after another on reused workers", async () => {
    const r = await cell(k, `
      const loc = new local();
      function f(i: number) { report("seen", loc.last ?? null); loc.last = i; }
      for (let i = 0; i < 6; i++) { const t = new Thread({ target: f, args: [i] }); t.start(); t.join(); }`);
    assert.deepEqual(r.all("seen"), Array(6).fill(null));
  });

  it("takes no constructor arguments unless a subclass does (test_arguments)", async () => {
    const r = await cell(k, `
      class MyLocal extends local {
        constructor(...args: unknown[]) { super(...args); }
      }
      report("outcomes", [
        outcome(() => { new MyLocal({ a: 1 }); }),
        outcome(() => { new MyLocal(1); }),
        outcome(() => new (local as any)({ a: 1 })),
        outcome(() => new (local as any)(1)),
      ]);`);
    assert.deepEqual(r.get("outcomes").map(short), ["ok:null", "ok:null", "TypeError", "TypeError"]);
  });

  it("lists its attributes like a plain object: keys, spread and JSON (test_dict_attribute)", async () => {
    const r = await cell(k, `
      class LocalSubclass extends local {}
      for (const obj of [new local(), new LocalSubclass()]) {
        obj.x = 5;
        report("dict", [{ ...obj }, Object.keys(obj), JSON.stringify(obj), Object.entries(obj)]);
      }`);
    assert.deepEqual(r.all("dict"), Array(2).fill([{ x: 5 }, ["x"], '{"x":5}', [["x", 5]]]));
  });

  it("is one object in a thread whether reached through a top-level name or through args", async () => {
    const r = await cell(k, `
      const loc = new local();
      function f(viaArgs: local) { viaArgs.v = 1; report("same", [viaArgs === loc, loc.v]); }
      const t = new Thread({ target: f, args: [loc] }); t.start(); t.join();`);
    assert.deepEqual(r.get("same"), [true, 1]);
  });
});
