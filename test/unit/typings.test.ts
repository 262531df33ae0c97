// The runtime's typings, as the build generated them from its source
// (scripts/typings.mjs, into out/typings): every module a cell can import has
// declarations, every export and public member a learner can hover has its
// doc comment, and the plumbing marked @internal is not there to be called.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..", "..", "..");
const typings = join(root, "out", "typings");

describe("the runtime's typings, generated from its source", () => {
  it("declare every runtime module cells can import", () => {
    const table = JSON.parse(readFileSync(join(typings, "modules.json"), "utf8")) as Record<string, string>;
    const source = readFileSync(join(root, "kernel", "runtime", "modules.ts"), "utf8");
    for (const name of ["threading", "concurrent.futures", "queue", "sharedctypes", "multiprocessing", "time", "sys", "atexit"]) {
      assert.ok(table[name], `${name} has declarations`);
      assert.ok(source.includes(name === "concurrent.futures" ? `"concurrent.futures"` : name), `${name} is a module of modules.ts`);
      assert.match(readFileSync(join(typings, table[name]), "utf8"), /export /);
    }
  });

  it("document every export and public member (what scripts/typings.mjs lists as undocumented is empty)", () => {
    const script = `import(${JSON.stringify(join(root, "scripts", "typings.mjs"))}).then((m) => console.log(JSON.stringify(m.undocumented(${JSON.stringify(typings)}))))`;
    const missing = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as string[];
    assert.deepEqual(missing, []);
  });

  it("leave out the plumbing (@internal) and keep the Disposable side of a lock", () => {
    const locks = readFileSync(join(typings, "kernel", "runtime", "threading", "locks.d.ts"), "utf8");
    const lock = locks.slice(locks.indexOf("export declare class Lock "), locks.indexOf("export declare class RLock"));
    assert.match(lock, /hold\(\): Disposable;/);
    assert.match(lock, /acquire\(blocking\?: boolean, timeout\?: number\): boolean;/);
    assert.doesNotMatch(lock, /isOwned|readonly id:/);
  });
});
