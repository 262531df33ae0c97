// The thread timeline in a real VS Code: shown under the output of a cell
// whose marker asks for it, of any cell on "Show Thread Timeline" (its last
// run's, from the kernel), and always for a deadlock, with its cycle.
import { strict as assert } from "node:assert";
import * as vscode from "vscode";
import { TIMELINE_MIME, type Timeline } from "../../kernel/protocol/timeline";
import { STDOUT, run, text, until } from "./support";

const SHOW_TIMELINE = "concnb.showTimeline";

async function notebook(...cells: Array<{ source: string; metadata?: Record<string, unknown> }>): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(
    cells.map((c) => {
      const d = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.source, "typescript");
      if (c.metadata) d.metadata = c.metadata;
      return d;
    }),
  );
  const doc = await vscode.workspace.openNotebookDocument("concnb", data);
  await vscode.window.showNotebookDocument(doc);
  return doc;
}

/** The cell's timeline output, parsed; undefined when it has none. */
function timelineOf(c: vscode.NotebookCell): Timeline | undefined {
  const item = c.outputs.flatMap((o) => o.items).find((i) => i.mime === TIMELINE_MIME);
  return item ? (JSON.parse(new TextDecoder().decode(item.data)) as Timeline) : undefined;
}

const TWO_SLEEPERS = `import { Thread } from "threading";
import { sleep } from "time";
const ts = ["a", "b"].map((name) => new Thread({ target: sleep, args: [0.1], name }));
ts.forEach((t) => t.start());
ts.forEach((t) => t.join());
console.log("joined");`;

suite("The thread timeline in VS Code", function () {
  this.timeout(90_000);

  teardown(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

  test("shows under the output of a cell whose marker asks for it, and not under another's", async () => {
    const doc = await notebook({ source: TWO_SLEEPERS, metadata: { timeline: true } }, { source: `console.log("plain")` });
    const asked = await run(doc, 0);
    const t = timelineOf(asked);
    assert.ok(t, `no timeline output: ${asked.outputs.map((o) => o.items.map((i) => i.mime).join()).join(" | ")}`);
    assert.deepEqual(t.lanes.map((l) => l.name).sort(), ["MainThread", "a", "b"]);
    assert.equal(t.spans.filter((s) => s.what === "sleep 0.1").length, 2);
    // the output comes first, the picture under it
    assert.equal(text(asked, STDOUT), "[MainThread] joined\n");
    assert.ok(asked.outputs.at(-1)?.items.some((i) => i.mime === TIMELINE_MIME));
    const plain = await run(doc, 1);
    assert.equal(timelineOf(plain), undefined);
  });

  test("Show Thread Timeline adds the last run's timeline under a cell's output, keeping the output and the run's order", async () => {
    const doc = await notebook({ source: TWO_SLEEPERS });
    const ran = await run(doc, 0);
    assert.equal(timelineOf(ran), undefined);
    const order = ran.executionSummary?.executionOrder;
    await vscode.commands.executeCommand(SHOW_TIMELINE, doc.cellAt(0));
    const t = await until(doc, () => timelineOf(doc.cellAt(0)));
    assert.deepEqual(t.lanes.map((l) => l.name).sort(), ["MainThread", "a", "b"]);
    assert.equal(text(doc.cellAt(0), STDOUT), "[MainThread] joined\n");
    assert.equal(doc.cellAt(0).executionSummary?.executionOrder, order);
    // asked again, it replaces the picture rather than adding a second one (the command resolves once it is shown)
    await vscode.commands.executeCommand(SHOW_TIMELINE, doc.cellAt(0));
    assert.equal(doc.cellAt(0).outputs.filter((o) => o.items.some((i) => i.mime === TIMELINE_MIME)).length, 1);
  });

  test("always shows a deadlocked cell's timeline, with the cycle and where each thread waits", async () => {
    const doc = await notebook({
      source: `import { Thread, Lock, Barrier } from "threading";
const a = new Lock(), b = new Lock(), both = new Barrier(2);
function one() { using _a = a.hold(); both.wait(); using _b = b.hold(); }
function two() { using _b = b.hold(); both.wait(); using _a = a.hold(); }
const t1 = new Thread({ target: one, name: "one" }), t2 = new Thread({ target: two, name: "two" });
t1.start(); t2.start(); t1.join(); t2.join();`,
    });
    const c = await run(doc, 0);
    assert.equal(c.executionSummary?.success, false);
    const t = timelineOf(c);
    assert.ok(t?.deadlock, "no deadlock in the timeline");
    const names = new Map(t.lanes.map((l) => [l.id, l.name]));
    assert.deepEqual(t.deadlock.cycle.map((s) => names.get(s.lane)).sort(), ["one", "two"]);
    for (const step of t.deadlock.cycle) assert.match(step.waitsFor, /^acquire Lock#\d+$/);
    // where each of the two waits: the hold of its second lock (the main thread's open wait is its join, line 6)
    const open = t.spans.filter((s) => s.open && ["one", "two"].includes(names.get(s.lane) ?? ""));
    assert.deepEqual(open.map((s) => s.where?.line).sort(), [3, 4]);
  });
});
