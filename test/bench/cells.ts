// The kernel as the benchmarks drive it: cells run one after another in one
// kernel (in this process, so its workers' memory is this process's), their
// output read back.
import { join } from "node:path";
import { Kernel } from "../../kernel/kernel";

/** The bundled thread entry, beside this bench's bundle (out/test/bench/*.js). */
const THREAD_ENTRY = join(__dirname, "..", "..", "thread.js");

export class BenchKernel {
  readonly kernel = new Kernel({}, THREAD_ENTRY);
  private execId = 0;

  /** Runs a cell that must end ok; resolves with what it wrote to stdout. */
  async run(source: string): Promise<string> {
    let out = "";
    const r = await this.kernel.run(this.request(source), (recs) => recs.forEach((x) => (out += x.text)));
    if (r.status !== "ok") throw new Error(`bench cell failed: ${JSON.stringify(r)}`);
    return out;
  }

  /** Runs a cell whose every stdout line is a JSON object (one per thread that reports): the objects merged. */
  async numbers(source: string): Promise<Record<string, number>> {
    const out = await this.run(source);
    return Object.assign({}, ...out.trim().split("\n").map((l) => JSON.parse(l))) as Record<string, number>;
  }

  /**
   * Runs a cell however it ends: its stdout, how it ended, and when its result came, in seconds on perfCounter()'s
   * clock (the machine's monotonic one, which cells read too).
   */
  async ended(source: string): Promise<{ out: string; at: number; status: string; name?: string }> {
    let out = "";
    const r = await this.kernel.run(this.request(source), (recs) => recs.forEach((x) => (out += x.text)));
    return { out, at: Number(process.hrtime.bigint()) / 1e9, status: r.status, name: r.error?.name };
  }

  /** Runs a cell however it ends: how long it took, end to end, and how it ended. */
  async timed(source: string): Promise<{ ms: number; status: string; name?: string }> {
    const t0 = performance.now();
    const r = await this.kernel.run(this.request(source), () => {});
    return { ms: performance.now() - t0, status: r.status, name: r.error?.name };
  }

  /**
   * Thread start+join with an empty target, timed inside a cell after `warm` unmeasured rounds: the median of
   * `n`, in µs. One definition for the benches that compare it (against CPython, against a raw Worker).
   */
  async startJoinUs(n: number, warm: number): Promise<number> {
    await this.run(`import { Thread } from "threading"; for (let i = 0; i < ${warm}; i++) { const t = new Thread({ target: () => {} }); t.start(); t.join(); }`);
    const out = await this.run(`
    import { Thread } from "threading";
    import { perfCounter } from "time";
    const times: number[] = [];
    for (let i = 0; i < ${n}; i++) {
      const t0 = perfCounter();
      const t = new Thread({ target: () => {} });
      t.start();
      t.join();
      times.push((perfCounter() - t0) * 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(times[Math.floor(times.length / 2)]);`);
    return Number(out.trim());
  }

  dispose(): Promise<void> {
    return this.kernel.dispose();
  }

  private request(source: string) {
    return { execId: ++this.execId, cellLabel: `cell ${this.execId}`, source };
  }
}
