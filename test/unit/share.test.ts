// The pieces of runtime/core/share that keep the notebook's bindings current in
// every worker (runtime/core/bindings): telling a value from what it was encoded
// as without encoding it, and decoding onto objects that must stay the same.
import { strict as assert } from "node:assert";
import { decodeKeeping, encode, sameAsEncoded } from "../../kernel/runtime/core/share";

class Box {
  constructor(public n: number) {}
}
const noClass = () => undefined;

describe("share: values against what they were encoded as", () => {
  const makers: Array<[string, () => unknown, (v: any) => void]> = [
    ["a number", () => 1, () => {}],
    ["NaN", () => NaN, () => {}],
    ["an array", () => [1, "a", [2, 3]], (v) => v[2].push(4)],
    ["an object", () => ({ a: 1, b: { c: [1] } }), (v) => (v.b.c[0] = 2)],
    ["a Map", () => new Map([["a", 1]]), (v) => v.set("b", 2)],
    ["a Set", () => new Set([1, 2]), (v) => v.delete(2)],
    ["a class instance", () => new Box(1), (v) => (v.n = 2)],
    ["a Date", () => new Date(0), (v) => v.setTime(5)],
    ["a typed array", () => new Float64Array([1, 2]), (v) => (v[1] = 3)],
    ["an object met twice", () => { const x = { n: 1 }; return [x, x]; }, (v) => (v[1].n = 2)],
    ["an instance met twice", () => { const b = new Box(1); return { a: b, b }; }, (v) => (v.b.n = 3)],
    ["a cycle", () => { const o: any = { n: 1 }; o.self = o; return o; }, (v) => (v.n = 2)],
    ["a key added", () => ({ a: 1 }), (v) => (v.b = undefined)],
  ];
  for (const [what, make, change] of makers) {
    it(`${what}: the same until changed`, () => {
      const v = make();
      const encoded = structuredClone(encode(v)); // as it arrives in another thread
      assert.equal(sameAsEncoded(v, encoded), true);
      change(v);
      if (typeof v === "object") assert.equal(sameAsEncoded(v, encoded), false);
    });
  }

  it("tells a function and a stand-in apart from a changed value", () => {
    function f() {}
    assert.equal(sameAsEncoded(f, encode(f)), true);
    assert.equal(sameAsEncoded(() => 1, encode(f)), false);
    assert.equal(sameAsEncoded([f], encode([1])), false);
  });

  it("decodes onto objects that must stay the same: refilled, and what refers to them refers to them", () => {
    const list = [1];
    const byName = new Map([["list", list]]);
    const encoded = structuredClone(encode({ list: [1, 2], byName: new Map([["list", [1, 2]]]) })) as any;
    // the same array under both names, as encode gives it when the two bindings share it
    const shared = [1, 2];
    const together = structuredClone(encode({ list: shared, byName: new Map([["list", shared]]) })) as any;
    const out = decodeKeeping(together, new Map<unknown, object>([[together.list, list], [together.byName, byName]]), noClass) as any;
    assert.equal(out.list, list);
    assert.equal(out.byName, byName);
    assert.deepEqual(list, [1, 2]);
    assert.equal(byName.get("list"), list);
    // a kept object of another kind is not refilled: the value decodes as usual
    const frozen = Object.freeze([1]);
    const other = decodeKeeping(encoded, new Map<unknown, object>([[encoded.list, frozen]]), noClass) as any;
    assert.notEqual(other.list, frozen);
    assert.deepEqual(other.list, [1, 2]);
  });
});
