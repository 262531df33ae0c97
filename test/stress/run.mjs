// `npm run stress`: every fault a learner can throw at the kernel, each run
// for real (through `concnb run`, as a learner's terminal would), with a table
// of figures: how long it took, the peak memory of the whole process tree,
// and whether the kernel held. `--short` runs the cases marked short (the
// form `npm test` runs); `--only WORD` runs the cases whose name holds WORD.
//
// A case file in cases/ exports `cases`: [{ name, short?, run(h) }], where
// run resolves { ok, detail } and `h` is the harness below (h.concnb runs the
// CLI on a notebook written from cells and measures it).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { harness } from "./harness.mjs";

const args = process.argv.slice(2);
const short = args.includes("--short");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const dir = new URL("./cases/", import.meta.url).pathname;

const all = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith(".mjs")).sort()) {
  const { cases } = await import(pathToFileURL(join(dir, f)).href);
  for (const c of cases) all.push({ file: f, ...c });
}
const chosen = all.filter((c) => (!short || c.short) && (!only || c.name.includes(only)));

const rows = [];
for (const c of chosen) {
  const h = harness();
  let verdict, detail;
  try {
    const r = await c.run(h);
    // a case that runs several faults at once (the VS Code suite) reports a row for each
    if (r.rows) {
      for (const x of r.rows) {
        const row = { fault: x.fault, seconds: x.seconds, peakMb: x.peakMb, verdict: x.ok ? "held" : "FAILED", detail: x.detail };
        rows.push(row);
        console.log(`${row.verdict === "held" ? "✓" : "✗"} ${row.fault}: ${fmtS(row.seconds)}, peak ${fmtMb(row.peakMb)}: ${row.detail}`);
      }
      if (r.rows.length > 0 && r.ok !== false) continue;
    }
    verdict = r.ok ? "held" : "FAILED";
    detail = r.detail;
  } catch (e) {
    verdict = "FAILED";
    detail = `the case threw: ${e?.stack ?? e}`;
  } finally {
    h.cleanup();
  }
  const row = { fault: c.name, seconds: h.lastSeconds, peakMb: h.lastPeakMb, verdict, detail };
  rows.push(row);
  console.log(`${verdict === "held" ? "✓" : "✗"} ${c.name}: ${fmtS(row.seconds)}, peak ${fmtMb(row.peakMb)}: ${detail}`);
}

function fmtS(s) {
  return s == null ? "—" : `${s.toFixed(2)} s`;
}
function fmtMb(m) {
  return m == null ? "—" : `${Math.round(m)} MB`;
}

const w = Math.max(5, ...rows.map((r) => r.fault.length));
console.log(`\n| ${"fault".padEnd(w)} | time | peak memory (tree) | verdict | figures |`);
console.log(`|${"-".repeat(w + 2)}|------|------|------|------|`);
for (const r of rows) console.log(`| ${r.fault.padEnd(w)} | ${fmtS(r.seconds)} | ${fmtMb(r.peakMb)} | ${r.verdict} | ${String(r.detail ?? "").replace(/\|/g, "/")} |`);
const failed = rows.filter((r) => r.verdict !== "held").length;
console.log(`\n${rows.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 && rows.length > 0 ? 0 : 1;
