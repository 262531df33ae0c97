// The timeline renderer's pure parts (extension/renderer/timeline): the scale,
// ticks, zoom and pan, culling, lane order, arrows, hit tests and the words
// the chart shows. The DOM drawing is looked at, not unit-tested.
import { strict as assert } from "node:assert";
import type { Flow, Lane, Span, Timeline } from "../../kernel/protocol/timeline";
import { ariaSummary, deadlockCaption, droppedNote, flowTooltip, formatDuration, runningTooltip, spanTooltip, summaryLine } from "../../extension/renderer/timeline/format";
import { hitTest, tooltipFor } from "../../extension/renderer/timeline/hit";
import { METRICS, barBox, buildModel, buildRows, flowEndpoints, orderLanes, visibleSpans } from "../../extension/renderer/timeline/layout";
import { isTimelineRendererMessage } from "../../extension/renderer/timeline/messages";
import { pieces } from "../../extension/renderer/timeline/pieces";
import { type Plot, type View, boundsOf, clampView, fit, niceStep, panBy, tOf, ticks, xOf, zoomAround } from "../../extension/renderer/timeline/scale";

const T0 = 1_000_000;
const lane = (id: number, name: string, start: number, extra: Partial<Lane> = {}): Lane => ({
  id, name, pid: 1, process: "MainProcess", start, end: T0 + 10_000, daemon: false, pool: false, ...extra,
});

function fixture(): Timeline {
  return {
    cell: "cell 2",
    start: T0,
    end: T0 + 10_000,
    lanes: [lane(3, "Thread-2", T0 + 300), lane(2, "Thread-1", T0 + 100), lane(1, "MainThread", T0)],
    spans: [
      { lane: 3, state: "blocked", start: T0 + 1_000, end: T0 + 3_500, what: "acquire Lock#3", where: { cell: "cell 2", line: 5, code: "    lock.acquire()" } },
      { lane: 2, state: "sleeping", start: T0 + 4_000, end: T0 + 6_000, what: "sleep 0.002" },
    ],
    flows: [{ id: 1, what: "release Lock#3", from: { lane: 2, ts: T0 + 3_490 }, to: { lane: 3, ts: T0 + 3_500 } }],
    dropped: 0,
  };
}

const plot: Plot = { x0: 100, width: 1000 };

describe("timeline renderer: scale", () => {
  it("maps time to x and back", () => {
    const v: View = { t0: 2_000, t1: 4_000 };
    assert.equal(xOf(v, plot, 2_000), 100);
    assert.equal(xOf(v, plot, 3_000), 600);
    assert.equal(xOf(v, plot, 4_000), 1100);
    assert.equal(tOf(v, plot, 350), 2_500);
  });

  it("picks 1-2-5 steps", () => {
    assert.deepEqual([0.7, 1, 1.2, 3, 7, 15, 4_100].map(niceStep), [1, 1, 2, 5, 10, 20, 5_000]);
  });

  it("labels ticks from the cell's start in the unit of the view, at least the gap apart", () => {
    const ms = ticks({ t0: T0, t1: T0 + 48_000 }, plot, T0, 150);
    assert.deepEqual(ms.map((t) => t.label), ["0", "10 ms", "20 ms", "30 ms", "40 ms"]);
    for (let i = 1; i < ms.length; i++) assert.ok(ms[i].x - ms[i - 1].x >= 150);
    const us = ticks({ t0: T0 + 100, t1: T0 + 600 }, plot, T0, 90);
    assert.deepEqual(us.map((t) => t.label), ["100 µs", "150 µs", "200 µs", "250 µs", "300 µs", "350 µs", "400 µs", "450 µs", "500 µs", "550 µs", "600 µs"]);
    const s = ticks({ t0: T0, t1: T0 + 2_000_000 }, plot, T0, 90);
    assert.deepEqual(s.map((t) => t.label), ["0", "0.2 s", "0.4 s", "0.6 s", "0.8 s", "1.0 s", "1.2 s", "1.4 s", "1.6 s", "1.8 s", "2.0 s"]);
  });

  it("keeps neighbouring labels distinct when zoomed deep into a late moment", () => {
    const deep = ticks({ t0: T0 + 12_400, t1: T0 + 12_450 }, plot, T0, 90);
    const labels = deep.map((t) => t.label);
    assert.equal(new Set(labels).size, labels.length);
    assert.equal(labels[0], "12.400 ms");
  });
});

describe("timeline renderer: zoom and pan", () => {
  const b = boundsOf(0, 100_000);

  it("keeps the time under the pointer where it was", () => {
    const v: View = { t0: 20_000, t1: 60_000 };
    for (const [x, f] of [[350, 2], [800, 1.5], [150, 4], [600, 0.8]]) {
      const before = tOf(v, plot, x);
      const z = zoomAround(v, plot, f, x, b);
      assert.ok(Math.abs(tOf(z, plot, x) - before) < 1e-6, `x=${x} f=${f}`);
      assert.ok(Math.abs(z.t1 - z.t0 - 40_000 / f) < 1e-6);
    }
  });

  it("does not zoom out past the whole run, nor in past the smallest span", () => {
    assert.deepEqual(zoomAround({ t0: 40_000, t1: 60_000 }, plot, 0.01, 300, b), fit(b));
    const deep = zoomAround({ t0: 40_000, t1: 60_000 }, plot, 1e9, 300, b);
    assert.equal(deep.t1 - deep.t0, b.minSpan);
  });

  it("pans the other way from the drag, and stops at the ends", () => {
    const v: View = { t0: 20_000, t1: 60_000 };
    const p = panBy(v, plot, 100, b); // dragged right by 100 px = 4,000 µs earlier
    assert.deepEqual(p, { t0: 16_000, t1: 56_000 });
    assert.deepEqual(panBy(v, plot, -1e6, b), { t0: 60_000, t1: 100_000 });
    assert.deepEqual(clampView({ t0: -5, t1: 39_995 }, b), { t0: 0, t1: 40_000 });
  });
});

describe("timeline renderer: culling and pieces", () => {
  // a deterministic spread of spans, with one long one that starts early and overlaps later ones
  function manySpans(n: number): Span[] {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const out: Span[] = [{ lane: 1, state: "blocked", start: 10, end: 900_000, what: "long" }];
    for (let i = 0; i < n; i++) {
      const start = Math.floor(rnd() * 1_000_000);
      out.push({ lane: 1, state: i % 2 ? "blocked" : "sleeping", start, end: start + Math.floor(rnd() * 500), what: `s${i}` });
    }
    return out;
  }

  it("returns exactly the spans that overlap the view", () => {
    const spans = manySpans(20_000);
    const tl: Timeline = { cell: "c", start: 0, end: 1_000_000, lanes: [lane(1, "MainThread", 0, { end: 1_000_000 })], spans, flows: [], dropped: 0 };
    const m = buildModel(tl);
    for (const [t0, t1] of [[500_000, 500_500], [0, 50], [950_000, 1_000_000], [899_999, 900_001]]) {
      const got = visibleSpans(m.spans.get(1), t0, t1).map((s) => s.what).sort();
      const want = spans.filter((s) => s.end >= t0 && s.start <= t1).map((s) => s.what).sort();
      assert.deepEqual(got, want, `[${t0}, ${t1}]`);
      assert.ok(got.length < spans.length / 10);
    }
    assert.ok(visibleSpans(m.spans.get(1), 500_000, 500_500).some((s) => s.what === "long"));
    assert.deepEqual(visibleSpans(m.spans.get(99), 0, 1e9), []);
  });

  it("draws a wide span as itself and folds spans narrower than a pixel into columns by their main state", () => {
    const v: View = { t0: 0, t1: 1_000 }; // 1 µs per px
    const p: Plot = { x0: 0, width: 1_000 };
    const wide: Span = { lane: 1, state: "idle", start: 100, end: 200, what: "w" };
    const narrow = (start: number, len: number, state: Span["state"]): Span => ({ lane: 1, state, start, end: start + len, what: "n" });
    const got = pieces([narrow(10.0, 0.4, "sleeping"), narrow(10.5, 0.3, "blocked"), narrow(11.1, 0.2, "blocked"), wide, narrow(500.1, 0.1, "blocked")], v, p);
    assert.deepEqual(got.map((g) => [g.x1, g.x2, g.state, !!g.span, !!g.partial]), [
      [10, 11, "sleeping", false, false], // 0.4 sleeping beats 0.3 blocked, and the two are most of the µs
      [11, 12, "blocked", false, true], // 0.2 of 1 µs: a mark on a running column
      [100, 200, "idle", true, false],
      [500, 501, "blocked", false, true],
    ]);
  });
});

describe("timeline renderer: lanes and arrows", () => {
  it("puts the main thread first, then the others by start", () => {
    assert.deepEqual(orderLanes(fixture().lanes).map((g) => g.map((l) => l.name)), [["MainThread", "Thread-1", "Thread-2"]]);
  });

  it("groups lanes per process, with a header only when there are several", () => {
    const lanes = [lane(5, "MainThread", T0 + 500, { pid: 9, process: "Process-1" }), lane(6, "Thread-9", T0 + 50, { pid: 9, process: "Process-1" }), ...fixture().lanes];
    const { rows } = buildRows(lanes);
    assert.deepEqual(rows.map((r) => (r.kind === "process" ? `[${r.label}]` : r.lane.name)), [
      "[MainProcess (pid 1)]", "MainThread", "Thread-1", "Thread-2", "[Process-1 (pid 9)]", "MainThread", "Thread-9",
    ]);
    assert.ok(buildRows(fixture().lanes).rows.every((r) => r.kind === "lane"));
  });

  it("runs an arrow from the waker's lane at from.ts to the edge of the woken lane's bar at to.ts", () => {
    const m = buildModel(fixture());
    const v = fit(m.bounds);
    const [f] = m.tl.flows;
    const a = flowEndpoints(m, f, v, plot);
    assert.ok(a);
    const from = m.rowOf.get(2);
    const to = m.rowOf.get(3);
    assert.ok(from && to && to.y > from.y);
    assert.equal(a.x1, xOf(v, plot, T0 + 3_490));
    assert.equal(a.x2, xOf(v, plot, T0 + 3_500));
    assert.equal(a.y1, from.y + METRICS.lane / 2);
    assert.equal(a.y2, barBox(to.y, "running").y - 1); // downwards: the head stops at the bar's top
    const up = flowEndpoints(m, { ...f, from: f.to, to: f.from }, v, plot);
    assert.equal(up?.y2, barBox(from.y, "running").y + METRICS.bar + 1);
    assert.equal(flowEndpoints(m, { ...f, to: { lane: 42, ts: 0 } }, v, plot), undefined);
  });

  it("finds the arrow, span or running stretch under the pointer", () => {
    const m = buildModel(fixture());
    const v = fit(m.bounds);
    const y = (id: number) => (m.rowOf.get(id)?.y ?? NaN) + METRICS.lane / 2;
    const span = hitTest(m, v, plot, xOf(v, plot, T0 + 2_000), y(3));
    assert.equal(span?.kind === "span" && span.span.what, "acquire Lock#3");
    const run = hitTest(m, v, plot, xOf(v, plot, T0 + 7_000), y(2));
    assert.deepEqual(run?.kind === "running" && [run.start, run.end], [T0 + 6_000, T0 + 10_000]);
    const flow = hitTest(m, v, plot, xOf(v, plot, T0 + 3_495), (y(2) + y(3)) / 2);
    assert.equal(flow?.kind, "flow");
    assert.equal(hitTest(m, v, plot, xOf(v, plot, T0 + 2_000), m.rowOf.get(3)!.y + 1), undefined); // between bars
    assert.equal(hitTest(m, v, plot, 20, y(3)), undefined); // over the labels
    assert.ok(span && tooltipFor(m, span).includes("cell 2, line 5: lock.acquire()"));
  });
});

describe("timeline renderer: words", () => {
  const lanes = new Map(fixture().lanes.map((l) => [l.id, l]));

  it("formats durations in µs, ms and s", () => {
    assert.deepEqual([0, 12, 999, 1_000, 1_250, 12_500, 125_000, 3_400_000].map(formatDuration), ["0 µs", "12 µs", "999 µs", "1.00 ms", "1.25 ms", "12.5 ms", "125 ms", "3.40 s"]);
  });

  it("says what a span waited on, how long, and where when it knows", () => {
    const [blocked, sleeping] = fixture().spans;
    assert.deepEqual(spanTooltip(blocked, lanes.get(3), T0), ["Thread-2", "blocked: acquire Lock#3", "2.50 ms (from 1.00 ms to 3.50 ms)", "cell 2, line 5: lock.acquire()"]);
    assert.deepEqual(spanTooltip(sleeping, lanes.get(2), T0), ["Thread-1", "sleeping: sleep 0.002", "2.00 ms (from 4.00 ms to 6.00 ms)"]);
    const idle: Span = { lane: 2, state: "idle", start: T0 + 9_000, end: T0 + 10_000, what: "get work", open: true };
    assert.deepEqual(spanTooltip(idle, lanes.get(2), T0).slice(1), ["idle in pool: get work", "1.00 ms (from 9.00 ms), still waiting when the cell ended"]);
  });

  it("says who handed off to whom, and the running stretches", () => {
    const f: Flow = fixture().flows[0];
    assert.deepEqual(flowTooltip(f, lanes, T0), ["hand-off: release Lock#3", "Thread-1 → Thread-2", "at 3.49 ms", "woken 10 µs later"]);
    assert.deepEqual(runningTooltip(lanes.get(1)!, T0, T0 + 500, T0, false), ["MainThread", "running", "500 µs (from 0 µs to 500 µs)"]);
  });

  it("builds the deadlock caption from the cycle", () => {
    const tl = { ...fixture(), deadlock: { cycle: [{ lane: 2, waitsFor: "acquire Lock#2", heldBy: 3 }, { lane: 3, waitsFor: "acquire Lock#1", heldBy: 2 }] } };
    assert.equal(deadlockCaption(tl, lanes), "Deadlock: Thread-1 waits to acquire Lock#2, held by Thread-2; Thread-2 waits to acquire Lock#1, held by Thread-1. None of them can go on.");
    // a join waits for a thread to end; a wait nobody holds (a Queue) names no holder
    const joins = { ...fixture(), deadlock: { cycle: [{ lane: 1, waitsFor: "join Thread-1", heldBy: 2 }, { lane: 2, waitsFor: "get Queue#1" }] } };
    assert.equal(deadlockCaption(joins, lanes), "Deadlock: MainThread waits for Thread-1 to finish; Thread-1 waits in get Queue#1. None of them can go on.");
    assert.equal(deadlockCaption(fixture(), lanes), undefined);
    assert.match(ariaSummary(tl, lanes), /1 blocked, 1 sleeping, 0 idle.*Deadlock: Thread-1 waits/);
  });

  it("sums the run up, and notes dropped events", () => {
    assert.equal(summaryLine(fixture()), "cell 2: 3 threads, 2 waits, 1 hand-off, over 10.0 ms");
    assert.equal(droppedNote(0), undefined);
    assert.equal(droppedNote(1_234), "1,234 earlier events were not kept (each thread keeps its latest events).");
  });

  it("recognises the reveal message it posts", () => {
    assert.ok(isTimelineRendererMessage({ type: "reveal", cell: "cell 2", line: 5 }));
    assert.ok(!isTimelineRendererMessage({ type: "reveal", cell: "cell 2" }));
    assert.ok(!isTimelineRendererMessage(null));
  });
});
