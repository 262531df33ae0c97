// The faults of the stress suite, in the real VS Code: a flood stopped with
// the stop button, a failed import, the kernel killed under a running cell.
// Each test also prints a STRESS line (fault, time, peak memory of the kernel's
// process tree) that `npm run stress` gathers into its table.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as vscode from "vscode";
import { ERROR, STDERR, STDOUT, ended, kernelProcesses as kernels, openNotebook, run, text, until } from "./support";

/** Resident memory (MB) of the kernels and everything under them. */
function kernelTreeMb(): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let kb = 0;
  const walk = (pid: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return;
    }
    for (const c of children.get(pid) ?? []) walk(c);
  };
  for (const k of kernels()) walk(k);
  return kb / 1024;
}

/** Samples the kernels' memory while `work` runs; resolves with its value, its time and the peak. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  let peakMb = kernelTreeMb();
  const timer = setInterval(() => (peakMb = Math.max(peakMb, kernelTreeMb())), 50);
  const t0 = Date.now();
  try {
    const value = await work();
    return { value, seconds: (Date.now() - t0) / 1000, peakMb: Math.max(peakMb, kernelTreeMb()) };
  } finally {
    clearInterval(timer);
  }
}

function report(fault: string, seconds: number, peakMb: number, ok: boolean, detail: string): void {
  console.log(`STRESS ${JSON.stringify({ fault: `VS Code: ${fault}`, seconds, peakMb, ok, detail })}`);
}

const cells = (doc: vscode.NotebookDocument, index: number) => ({ ranges: [{ start: index, end: index + 1 }], document: doc.uri });

suite("stress in VS Code", function () {
  this.timeout(120_000);

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("the stop button ends `while (true) console.log(i++)` within 1 s, with the output so far kept", async () => {
    const doc = await openNotebook(`let i = 0;\nwhile (true) console.log(i++);`, `console.log("after the flood")`);
    const end = ended(doc, 0);
    const m = await measured(async () => {
      void vscode.commands.executeCommand("notebook.cell.execute", cells(doc, 0));
      // flooding for a while: past the cell's line limit, so the kernel is writing the rest to its file
      await until(doc, () => (/left out|goes to/.test(text(doc.cellAt(0), STDERR)) ? true : undefined));
      const t0 = Date.now();
      await vscode.commands.executeCommand("notebook.cell.cancelExecution", cells(doc, 0));
      const c = await end;
      return { c, stop: (Date.now() - t0) / 1000 };
    });
    const { c, stop } = m.value;
    const out = text(c, STDOUT);
    const kept = out.startsWith("[MainThread] 0\n[MainThread] 1\n");
    assert.equal(c.executionSummary?.success, false);
    assert.ok(kept, "the first lines are kept");
    const next = await run(doc, 1);
    assert.equal(text(next, STDOUT), "[MainThread] after the flood\n");
    report("flood, then the stop button", m.seconds, m.peakMb, stop < 1 && kept, `stopped ${stop.toFixed(2)} s after the click; output kept; the next cell ran`);
    assert.ok(stop < 1, `the stop took ${stop} s`);
  });

  test("a failed import fails its cell only: the next cell runs, and so does the cell once fixed", async () => {
    const doc = await openNotebook(`import { x } from "no-such-module";\nconsole.log(x);`, `console.log("later cell")`);
    const m = await measured(async () => {
      const bad = await run(doc, 0);
      const later = await run(doc, 1);
      return { bad, later };
    });
    const { bad, later } = m.value;
    assert.equal(bad.executionSummary?.success, false);
    assert.match(text(bad, ERROR), /no-such-module/);
    const ok = later.executionSummary?.success === true && text(later, STDOUT) === "[MainThread] later cell\n";
    report("a failed import, then a later cell", m.seconds, m.peakMb, ok, ok ? "the later cell ran" : `the later cell: ${text(later, ERROR).slice(0, 120)}`);
    assert.ok(ok, `the later cell failed: ${text(later, ERROR)}`);
  });

  test("the kernel killed under a running cell: the cell says so, and the next run starts a new kernel", async () => {
    const doc = await openNotebook(`import { sleep } from "time";\nconsole.log("sleeping");\nsleep(60);`, `console.log("on a new kernel")`);
    const end = ended(doc, 0);
    const m = await measured(async () => {
      void vscode.commands.executeCommand("notebook.cell.execute", cells(doc, 0));
      await until(doc, () => (text(doc.cellAt(0), STDOUT).includes("sleeping") ? true : undefined));
      const before = kernels();
      for (const pid of before) process.kill(pid, "SIGKILL");
      const c = await end;
      const next = await run(doc, 1);
      return { c, next, before };
    });
    const { c, next } = m.value;
    const told = /KernelDied|kernel/i.test(text(c, ERROR));
    const ok = c.executionSummary?.success === false && told && text(next, STDOUT) === "[MainThread] on a new kernel\n";
    report("the kernel killed mid-cell", m.seconds, m.peakMb, ok, `the cell says the kernel died: ${told}; the next cell ran on a new kernel`);
    assert.ok(ok, `cell: ${text(c, ERROR)}; next: ${text(next, STDOUT)}`);
  });

  test("a progress bar drawn with \\r is one line in the output, redrawn, with its mark", async () => {
    const doc = await openNotebook(`import { sleep } from "time";
console.log("start");
for (let p = 1; p <= 3; p++) { process.stdout.write(\`\\rprogress \${p * 33}%\`); sleep(0.3); }
process.stdout.write("\\n");`);
    const seen: string[] = [];
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook === doc) seen.push(text(doc.cellAt(0), STDOUT));
    });
    const c = await run(doc, 0);
    sub.dispose();
    assert.equal(text(c, STDOUT), "[MainThread] start\n\r[MainThread] progress 33%\r[MainThread] progress 66%\r[MainThread] progress 99%\n");
    assert.ok(seen.some((t) => t.includes("progress 33%") && !t.includes("progress 99%")), "the unfinished line showed while the cell ran");
  });
});
