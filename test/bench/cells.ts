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

  /** Runs a cell however it ends: how long it took, end to end, and how it ended. */
  async timed(source: string): Promise<{ ms: number; status: string; name?: string }> {
    const t0 = performance.now();
    const r = await this.kernel.run(this.request(source), () => {});
    return { ms: performance.now() - t0, status: r.status, name: r.error?.name };
  }

  dispose(): Promise<void> {
    return this.kernel.dispose();
  }

  private request(source: string) {
    return { execId: ++this.execId, cellLabel: `cell ${this.execId}`, source };
  }
}
