// A cell's failure, its timers and its promises are its own (issue #10, points 3 and 4): a failed cell
// never takes the later ones with it, a timer never runs into a later cell, a rejection is never lost,
// and what a cell does to globals never reaches another cell through a reused worker.

/** Runs the cells with --json; the CLI's report, or null if it printed none. */
async function report(h, cells, args = [], opts = {}) {
  const r = await h.run(cells, ["--json", ...args], opts);
  try {
    return { r, cells: JSON.parse(r.stdout).cells };
  } catch {
    return { r, cells: null };
  }
}

const text = (cell, stream) => cell.outputs.filter((o) => !stream || o.stream === stream).map((o) => o.text).join("");

/** A failing first cell, then `later` cells that must all run ok. */
async function failedThenGood(h, bad, later = 4) {
  const good = Array.from({ length: later }, (_, i) => `console.log("cell ${i + 2} ran", typeof kept);`);
  const { r, cells } = await report(h, [`function kept() {}\n${bad}`, ...good]);
  if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
  const ok = cells.filter((c) => c.status === "ok" && /ran function/.test(text(c, "stdout"))).length;
  const first = cells[0];
  return {
    ok: first.status === "error" && ok === later,
    detail: `cell 1 ${first.status} (${first.error?.name}); ${ok} of ${later} later cells ran ok and saw its function, in ${r.seconds.toFixed(2)} s`,
  };
}

export const cases = [
  {
    name: "bad import, then good cells",
    short: true,
    run: (h) => failedThenGood(h, `import { x } from "no-such-module";`),
  },
  {
    name: "class extends undefined, then good cells",
    short: true,
    run: (h) => failedThenGood(h, `class X extends (undefined as any) {}`),
  },
  {
    name: "setInterval flood, stopped by --timeout",
    short: true,
    run: async (h) => {
      const { r, cells } = await report(
        h,
        [`let n = 0;\nsetInterval(() => console.log("tick", ++n), 1);`, `await new Promise((done) => setTimeout(done, 500));\nconsole.log("two");`],
        ["--timeout", "1.5"],
      );
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      const ticks = (text(cells[0], "stdout").match(/tick/g) ?? []).length;
      const leaked = (text(cells[1]).match(/tick/g) ?? []).length;
      return {
        ok: cells[0].status === "timeout" && ticks > 0 && leaked === 0 && text(cells[1], "stdout") === "two\n" && r.seconds < 5,
        detail: `${ticks} ticks in its own cell, ${leaked} in the next; CLI done in ${r.seconds.toFixed(2)} s`,
      };
    },
  },
  {
    name: "unhandled rejection",
    short: true,
    run: async (h) => {
      const { r, cells } = await report(h, [
        `console.log("before");\nPromise.reject(new Error("nobody caught me"));`,
        `import { Thread } from "threading";\nconst t = new Thread({ target: () => { Promise.reject(new Error("in a thread")); } });\nt.start(); t.join();`,
        `console.log("three");`,
      ]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      const main = cells[0].error?.traceback ?? "";
      const inMain = /File "cell 1", line 2/.test(main) && /nobody caught me/.test(main);
      const inThread = /Unhandled promise rejection in thread Thread-1[\s\S]*in a thread/.test(text(cells[1], "stderr"));
      return {
        ok: cells[0].status === "error" && inMain && inThread && cells[2].status === "ok",
        detail: `main: ${cells[0].status}, ${inMain ? "traceback at cell 1, line 2" : "no traceback"}; thread: ${inThread ? "reported on its stderr" : "lost"}; next cell ${cells[2].status}`,
      };
    },
  },
  {
    name: "prototype pollution",
    short: true,
    run: async (h) => {
      const check = `const seen = [typeof ([] as any).sum, typeof (globalThis as any).leak, Math.random() === 4 ? "patched" : "random", typeof ({} as any).poisoned];\nconsole.log(seen.join(" "));`;
      const later = 6;
      const { r, cells } = await report(h, [
        `(Array.prototype as any).sum = 1;\n(globalThis as any).leak = 2;\nMath.random = () => 4;\n(Object.prototype as any).poisoned = 3;\nconsole.log(([] as any).sum);`,
        ...Array.from({ length: later }, () => check),
      ]);
      if (!cells) return { ok: false, detail: `no report (exit ${r.code}): ${r.stderr.slice(0, 200)}` };
      const clean = cells.slice(1).filter((c) => text(c, "stdout") === "undefined undefined random undefined\n").length;
      return { ok: text(cells[0], "stdout") === "1\n" && clean === later, detail: `${clean} of ${later} later cells saw none of it, in ${r.seconds.toFixed(2)} s` };
    },
  },
];
