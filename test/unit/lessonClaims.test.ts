// What the lessons tell the learner to expect ("Expect ...") holds on the
// learner's machine: each claim below is read from the output of the lesson's
// solved run (`concnb run LESSON --json --solutions`), as an order, a count, a
// name or a ratio the cell itself measured, never as an absolute time, so that
// it holds on a slow or loaded machine too. Lessons 1, 2, 3 and 6 have their
// central claims in lessons.test.ts; lesson 1's daemon cell is here.
//
// CONCNB_LESSONS=DIR runs the lessons of DIR instead of notebooks/ (to see a
// claim fail on a lesson broken on purpose).
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { lessonRun } from "./support/lessonRuns";

const root = join(__dirname.slice(0, __dirname.lastIndexOf("/out/")));
const dir = process.env.CONCNB_LESSONS ?? join(root, "notebooks");
const lessons = readdirSync(dir).filter((f) => f.endsWith(".concnb")).sort();

interface Cell {
  index: number;
  status: string;
  outputs: Array<{ stream: string; thread: string; text: string }>;
}

/** One line of output, with the thread and the stream that wrote it. */
interface Line {
  thread: string;
  stream: string;
  text: string;
}

/** Each lesson runs once, with its solutions (shared with lessons.test); its claims read that run. */
async function run(number: string): Promise<Cell[]> {
  const lesson = lessons.find((l) => l.startsWith(`${number}-`));
  assert.ok(lesson, `no lesson ${number} in ${dir}`);
  return (await lessonRun(join(dir, lesson))).cells;
}

/**
 * The cell's output, line by line, in the order the lines were finished. A line
 * may come in several pieces (output streams partial lines), so each thread's
 * stream is joined before it is split.
 */
function lines(c: Cell): Line[] {
  const pending = new Map<string, string>();
  const out: Line[] = [];
  for (const o of c.outputs) {
    const key = `${o.stream}\n${o.thread}`;
    const parts = ((pending.get(key) ?? "") + o.text).split("\n");
    pending.set(key, parts.pop()!);
    for (const text of parts) out.push({ thread: o.thread, stream: o.stream, text });
  }
  for (const [key, text] of pending) {
    const [stream, thread] = key.split("\n");
    if (text !== "") out.push({ thread, stream, text });
  }
  return out;
}

/** The cell of `cells` that printed a line matching `re` on stdout. */
function cellWith(cells: Cell[], re: RegExp): Line[] {
  const c = cells.find((x) => lines(x).some((l) => l.stream === "stdout" && re.test(l.text)));
  assert.ok(c, `no cell printed ${re}`);
  return lines(c);
}

const stdoutOf = (ls: Line[]) => ls.filter((l) => l.stream === "stdout");
const texts = (ls: Line[]) => ls.map((l) => l.text).join("\n");
/** Where the first line matching `re` is, -1 if none. */
const at = (ls: Line[], re: RegExp) => ls.findIndex((l) => re.test(l.text));
/** The number in the first group of `re` on the first line it matches. */
function num(ls: Line[], re: RegExp): number {
  const m = ls.map((l) => re.exec(l.text)).find((x) => x);
  assert.ok(m, `no line matches ${re}:\n${texts(ls)}`);
  return Number(m[1]);
}

describe("lesson claims", function () {
  this.timeout(300_000);

  describe("01: threads", () => {
    it("the heartbeat ticks while the main thread itself runs worker(), and is stopped when the main thread is done", async () => {
      const out = cellWith(await run("01"), /important work starting/);
      const start = at(out, /important work starting/);
      const done = at(out, /important work done/);
      assert.equal(out[start].thread, "MainThread", "the main thread runs worker() itself");
      assert.equal(out[done].thread, "MainThread");
      const ticks = out.slice(start + 1, done);
      assert.ok(ticks.length >= 2, `a few ticks while the main thread sleeps in worker():\n${texts(out)}`);
      assert.ok(ticks.every((l) => l.thread === "heartbeat" && l.text === "tick"), texts(out));
      assert.match(out[done + 1]?.text ?? "", /heartbeat is a daemon: true \| alive: true/);
      const note = out.filter((l) => l.stream === "stderr");
      assert.equal(note.length, 1, texts(out));
      assert.equal(note[0].thread, "heartbeat");
      assert.match(note[0].text, /daemon thread stopped/);
      assert.equal(out.indexOf(note[0]), out.length - 1, "the note comes last, when the program ends");
    });
  });

  describe("04: events and conditions", () => {
    it("three waiters wait until set(), and all three get it at the moment of set()", async () => {
      const out = cellWith(await run("04"), /^[\d.]+ s set$/);
      const setAt = at(out, /^[\d.]+ s set$/);
      const waiting = out.filter((l) => / s waiting$/.test(l.text));
      const got = out.filter((l) => / s got it$/.test(l.text));
      assert.equal(new Set(waiting.map((l) => l.thread)).size, 3, texts(out));
      assert.deepEqual(new Set(got.map((l) => l.thread)), new Set(waiting.map((l) => l.thread)));
      assert.ok(waiting.every((l) => out.indexOf(l) < setAt), `every waiting line before set:\n${texts(out)}`);
      assert.ok(got.every((l) => out.indexOf(l) > setAt), `every got it line after set:\n${texts(out)}`);
      // "at that same moment": the three wake-ups lie closer together than the wait before set() was long
      const time = (l: Line) => Number(l.text.split(" ")[0]);
      const set = num(out, /^([\d.]+) s set$/);
      const gotTimes = got.map(time);
      assert.ok(gotTimes.every((t) => t >= set), texts(out));
      assert.ok(Math.max(...gotTimes) - set < (set - Math.max(...waiting.map(time))) / 2, `the got it lines come together with set:\n${texts(out)}`);
    });

    it("the bounded shelf fills up to 2 and never goes above it", async () => {
      const out = stdoutOf(cellWith(await run("04"), /baked loaf \d+, on the shelf: \d+/));
      const sizes = out.map((l) => /on the shelf: (\d+)/.exec(l.text)).filter((m) => m).map((m) => Number(m![1]));
      assert.equal(out.filter((l) => /^baked loaf/.test(l.text)).length, 6, texts(out));
      assert.equal(out.filter((l) => /^took one/.test(l.text)).length, 6, texts(out));
      assert.equal(Math.max(...sizes), 2, texts(out));
      assert.ok(sizes.every((s) => s >= 0), texts(out));
    });

    it("notify() lets exactly one guest in, notifyAll() the other two", async () => {
      const out = stdoutOf(cellWith(await run("04"), /tickets still unused: 2/));
      const unused = at(out, /tickets still unused: 2/);
      const all = at(out, /^notifyAll\(\)$/);
      const wentIn = out.map((l, i) => (l.text === "went in" ? i : -1)).filter((i) => i >= 0);
      assert.equal(wentIn.filter((i) => i < unused).length, 1, texts(out));
      assert.equal(wentIn.filter((i) => i > all).length, 2, texts(out));
      assert.equal(new Set(wentIn.map((i) => out[i].thread)).size, 3, "three different guests");
    });
  });

  describe("05: semaphores, timers, barriers", () => {
    it("the semaphore lets at most 3 downloads run at once, and 3 do", async () => {
      const out = stdoutOf(cellWith(await run("05"), /^peak: \d+ at once/));
      const running = out.map((l) => /starts, (\d+) running/.exec(l.text)).filter((m) => m).map((m) => Number(m![1]));
      assert.equal(running.length, 8, texts(out));
      assert.ok(Math.max(...running) <= 3, texts(out));
      assert.equal(num(out, /^peak: (\d+) at once/), 3);
      assert.equal(num(out, /(\d+) downloads in/), 8);
    });

    it("the barrier lets the runners go together once all are ready; the last to arrive gets index 2 and runs the action", async () => {
      const out = stdoutOf(cellWith(await run("05"), /^GO!$/));
      const ready = out.filter((l) => / s ready$/.test(l.text));
      const running = out.filter((l) => /running, index \d$/.test(l.text));
      const go = at(out, /^GO!$/);
      assert.equal(ready.length, 3, texts(out));
      assert.equal(out.filter((l) => l.text === "GO!").length, 1, "the action runs once");
      assert.ok(ready.every((l) => out.indexOf(l) < go) && running.every((l) => out.indexOf(l) > go), texts(out));
      assert.deepEqual(running.map((l) => Number(l.text.slice(-1))).sort(), [0, 1, 2]);
      const last = ready[ready.length - 1].thread;
      assert.equal(out[go].thread, last, "the last to arrive runs the action");
      assert.match(running.find((l) => l.thread === last)!.text, /index 2$/);
    });

    it("no worker starts round 2 before all have finished round 1, and the action announces each round once", async () => {
      const out = stdoutOf(cellWith(await run("05"), /round 1 done/));
      const lastRound1 = Math.max(...out.map((l, i) => (/round 1 done/.test(l.text) ? i : -1)));
      const firstRound2 = at(out, /round 2 done/);
      assert.equal(out.filter((l) => /round 1 done/.test(l.text)).length, 3, texts(out));
      assert.equal(out.filter((l) => /round 2 done/.test(l.text)).length, 3, texts(out));
      assert.ok(lastRound1 < firstRound2, texts(out));
      const announced = out.map((l, i) => (/everybody finished this round/.test(l.text) ? i : -1)).filter((i) => i >= 0);
      assert.equal(announced.length, 2, texts(out));
      assert.ok(announced[0] > lastRound1 && announced[0] < firstRound2, texts(out));
    });

    it("a barrier that times out breaks for both waiters, and reset() mends it", async () => {
      const out = stdoutOf(cellWith(await run("05"), /^broken: true$/));
      assert.equal(out.filter((l) => /^BrokenBarrierError/.test(l.text)).length, 2, texts(out));
      assert.ok(at(out, /^broken: true$/) < at(out, /reset\(\), broken: false$/), texts(out));
    });
  });

  describe("07: thread pools and futures", () => {
    it("submit() returns at once with a future not done; result() comes from a pool thread, done", async () => {
      const out = stdoutOf(cellWith(await run("07"), /submitted; done\? false/));
      const fetching = out.find((l) => /^fetching/.test(l.text));
      assert.equal(fetching?.thread, "ThreadPoolExecutor-0_0", texts(out));
      assert.ok(at(out, /submitted; done\? false/) < at(out, /-> 200 OK/), texts(out));
      assert.ok(at(out, /-> 200 OK/) < at(out, /done\? true$/), texts(out));
    });

    it("map() gives the results in the order of the inputs, after the slowest is done, whatever order they finish in", async () => {
      const out = stdoutOf(cellWith(await run("07"), /^result \d+$/));
      const results = out.filter((l) => /^result/.test(l.text));
      assert.deepEqual(results.map((l) => l.text), ["result 1", "result 4", "result 9"]);
      assert.ok(results.every((l) => l.thread === "MainThread"));
      const finished = out.map((l, i) => (/^finished/.test(l.text) ? i : -1)).filter((i) => i >= 0);
      assert.equal(finished.length, 3, texts(out));
      assert.ok(at(out, /^finished 1$/) < out.indexOf(results[0]), "result 1 waits for input 1, the slowest");
    });

    it("a failed task raises in map()'s iteration at its place: here, 2, then the error, never 5", async () => {
      const out = stdoutOf(cellWith(await run("07"), /^here$/));
      assert.deepEqual(out.map((l) => l.text).slice(0, 2), ["here", "2"]);
      assert.match(out[2]?.text ?? "", /ZeroDivisionError: division by zero/);
      assert.equal(out.length, 3, texts(out));
    });

    it("a partial failure: one task fails, the four others give their results, nothing on stderr", async () => {
      const out = cellWith(await run("07"), /^3 failed: ValueError: cannot process 3$/);
      assert.deepEqual(stdoutOf(out).map((l) => l.text).sort(), ["0 -> 0", "1 -> 10", "2 -> 20", "3 failed: ValueError: cannot process 3", "4 -> 40"]);
      assert.equal(out.filter((l) => l.stream === "stderr").length, 0, texts(out));
    });

    it("wait(FIRST_COMPLETED) returns with the short nap done and 2 not done, well before the rest are", async () => {
      const out = stdoutOf(cellWith(await run("07"), /: 1 done, 2 not done$/));
      const first = num(out, /^([\d.]+) s: 1 done, 2 not done$/);
      const rest = num(out, /^([\d.]+) s: the other 2 are done too$/);
      assert.match(texts(out), /first: napped 0\.2 s/);
      // the naps are 0.2 s and 0.8 s: the first wait ends at most half way to the second
      assert.ok(first < rest / 2, texts(out));
    });
  });

  describe("08: queues, producers and consumers", () => {
    it("the consumer gets the five items in the order they were made, then the sentinel", async () => {
      const out = stdoutOf(cellWith(await run("08"), /sentinel seen, stopping/));
      const got = out.filter((l) => l.thread === "consumer").map((l) => l.text);
      assert.deepEqual(got, ["got item 1", "got item 2", "got item 3", "got item 4", "got item 5", "sentinel seen, stopping"]);
      for (let i = 1; i <= 5; i++) assert.ok(at(out, new RegExp(`^made item ${i}$`)) < at(out, new RegExp(`^got item ${i}$`)), texts(out));
    });

    it("join() returns after the fourth taskDone(), and then the daemon worker is stopped", async () => {
      const out = cellWith(await run("08"), /all 4 items processed/);
      const done = stdoutOf(out).filter((l) => / done [a-d]$/.test(l.text));
      assert.deepEqual(done.map((l) => l.text.slice(-1)), ["a", "b", "c", "d"]);
      assert.ok(out.indexOf(done[3]) < at(out, /all 4 items processed/), texts(out));
      const note = out.filter((l) => l.stream === "stderr");
      assert.equal(note.length, 1, texts(out));
      assert.equal(note[0].thread, "worker");
      assert.match(note[0].text, /daemon thread stopped/);
    });

    it("the bounded queue never holds more than 2, and the later puts wait for the slow consumer", async () => {
      const out = stdoutOf(cellWith(await run("08"), /^[\d.]+ s put 1, size \d$/));
      const puts = out.map((l) => /^([\d.]+) s put (\d), size (\d)$/.exec(l.text)).filter((m) => m);
      assert.deepEqual(puts.map((m) => Number(m![2])), [1, 2, 3, 4, 5]);
      assert.ok(puts.every((m) => Number(m![3]) <= 2), texts(out));
      assert.equal(out.filter((l) => / s got \d$/.test(l.text)).length, 5);
      // puts 4 and 5 each wait for one more get, behind a 0.3 s sleep that no machine shortens:
      // put 5 comes at least two of those sleeps after put 3, where puts 1 and 2 came at once
      const [, , p3, , p5] = puts.map((m) => Number(m![1]));
      assert.ok(p5 - p3 >= 2 * 0.3 - 0.02, texts(out));
    });

    it("two consumers share the nine items of three producers: each item once, the counts add up to 9", async () => {
      const out = stdoutOf(cellWith(await run("08"), /^handled \d+ items$/));
      const handled = out.filter((l) => /^handling/.test(l.text)).map((l) => l.text.slice("handling ".length));
      assert.deepEqual(handled.sort(), ["P1-0", "P1-1", "P1-2", "P2-0", "P2-1", "P2-2", "P3-0", "P3-1", "P3-2"]);
      const counts = out.filter((l) => /^handled \d+ items$/.test(l.text));
      assert.deepEqual(counts.map((l) => l.thread).sort(), ["consumer-A", "consumer-B"]);
      assert.equal(counts.reduce((sum, l) => sum + Number(l.text.split(" ")[1]), 0), 9);
    });

    it("get() with a timeout gives up with Empty after the three items", async () => {
      const out = stdoutOf(cellWith(await run("08"), /gave up: no item for 0\.5 s/));
      assert.deepEqual(out.map((l) => l.text.replace(/^[\d.]+ s /, "")), ["got x", "got y", "got z", "gave up: no item for 0.5 s"]);
    });
  });

  describe("09: processes and CPU-bound work", () => {
    it("two I/O-bound waits overlap on two threads: a little over half the serial time", async () => {
      const out = stdoutOf(cellWith(await run("09"), /^one after the other:/));
      const serial = num(out, /^one after the other: ([\d.]+) s/);
      const threads = num(out, /^on two threads: +([\d.]+) s/);
      assert.ok(threads > serial / 2 - 0.02, texts(out));
      assert.ok(threads < serial * 0.8, `the waits did not overlap:\n${texts(out)}`);
    });

    it("CPU-bound work on threads speeds up by at most cpuCount() times", async () => {
      const cells = await run("09");
      const cores = num(cellWith(cells, /^cores: \d+$/), /^cores: (\d+)$/);
      const speedup = num(cellWith(cells, /^best of three:/), /^best of three: ([\d.]+)x faster on two threads/);
      // two tasks on two threads: at most min(2, cores), with room for timing noise
      assert.ok(speedup <= Math.min(2, cores) * 1.15, `speedup ${speedup} on ${cores} cores`);
    });

    it("a process as a class runs its run() in a child process of its own", async () => {
      const cells = await run("09");
      const notebookPid = num(cellWith(cells, /^and this is MainProcess/), /^and this is MainProcess \(pid (\d+)\)/);
      const out = cellWith(cells, /^hello class, from/);
      const hello = out.find((l) => /^hello class, from Process-1 \(pid \d+\)$/.test(l.text));
      assert.ok(hello, texts(out));
      assert.equal(hello.thread, "Process-1");
      assert.notEqual(num([hello], /pid (\d+)/), notebookPid);
      assert.equal(out[out.length - 1].text, "Process-1: exitcode 0");
    });

    it("processes share no memory: the child changes its own copy", async () => {
      const out = stdoutOf(cellWith(await run("09"), /^in MainProcess: counter = /));
      assert.deepEqual(
        out.filter((l) => /counter = /.test(l.text)).map((l) => `[${l.thread}] ${l.text}`),
        ["[Process-1] in Process-1: counter = 11", "[MainThread] in MainProcess: counter = 10"],
      );
      assert.match(texts(out), /^TypeError: .*Lock/m);
    });

    it("a process costs many times what a thread costs to start and join", async () => {
      const out = stdoutOf(cellWith(await run("09"), /^a process: +[\d.]+ ms$/));
      const thread = Math.min(num(out, /^a thread: +([\d.]+) ms$/), num(out, /^another thread: +([\d.]+) ms$/));
      const proc = num(out, /^a process: +([\d.]+) ms$/);
      const printed = num(out, /^the process took (\d+) times as long as the quicker thread$/);
      // the times are printed to 0.1 ms, the ratio from the unrounded ones: it lies within what the rounding allows
      const [low, high] = [(proc - 0.05) / (thread + 0.05), (proc + 0.05) / Math.max(thread - 0.05, 0.001)];
      assert.ok(printed >= Math.floor(low) - 1 && printed <= Math.ceil(high) + 1, `the cell prints the ratio it measured:\n${texts(out)}`);
      assert.ok(proc / thread >= 5, texts(out));
    });

    it("Pool.map gives the results in order, each worker one slice; a pool's later task starts no process", async () => {
      const cells = await run("09");
      const map = stdoutOf(cellWith(cells, /^1 squared is 1, in /));
      const squares = map.map((l) => /^(\d+) squared is (\d+), in (\S+)$/.exec(l.text)!);
      assert.deepEqual(squares.map((m) => Number(m[2])), [1, 4, 9, 16, 25]);
      const workers = squares.map((m) => m[3]);
      assert.deepEqual([...new Set(workers)].sort(), ["ForkPoolWorker-1", "ForkPoolWorker-2"]);
      const slices = workers.filter((w, i) => i === 0 || w !== workers[i - 1]);
      assert.equal(slices.length, 2, `each worker's inputs are next to each other: ${workers.join(", ")}`);

      const later = stdoutOf(cellWith(cells, /^ready at once\? /));
      assert.equal(later[0].text, "ready at once? false");
      const again = num(later, /^one more task: [\d.]+ ms \(the first two took (\d+) times as long\)$/);
      assert.ok(again >= 3, texts(later));
    });

    it("ProcessPoolExecutor: done? false at once, the count from ForkPoolWorker-1, and the count is only part of the wait", async () => {
      const out = stdoutOf(cellWith(await run("09"), /^submitted; done\? /));
      assert.equal(out[0].text, "submitted; done? false");
      assert.equal(out[1].text, "78498 primes below 1000000, counted in ForkPoolWorker-1");
      const waited = num(out, /^waited ([\d.]+) s, of which the count took [\d.]+ s in the child$/);
      const counted = num(out, /^waited [\d.]+ s, of which the count took ([\d.]+) s in the child$/);
      assert.ok(counted < waited, texts(out));
    });
  });
});
