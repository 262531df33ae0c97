// Runs cells on a real Kernel (real worker threads) and collects what they wrote.
import { join, sep } from "node:path";
import { Kernel } from "../../../kernel/kernel";
import type { CellResult, KernelOptions, OutputRecord } from "../../../kernel/protocol/messages";

/** The thread entry, built at the top of out/ (tests are bundled under out/test/unit/, at any depth). */
export const THREAD_ENTRY = join(__dirname.slice(0, __dirname.lastIndexOf(`${sep}out${sep}`) + 5), "thread.js");

export interface Ran {
  result: CellResult;
  records: OutputRecord[];
  /** Lines written to a stream, each as [thread, text]. */
  lines(stream?: "stdout" | "stderr"): Array<[string, string]>;
  text(stream?: "stdout" | "stderr"): string;
}

export class TestKernel {
  readonly kernel: Kernel;
  constructor(options: KernelOptions = {}) {
    this.kernel = new Kernel(options, THREAD_ENTRY);
  }
  private execId = 0;
  private cell = 0;

  /** An `ephemeral` run (see RunRequest) is labelled after the last cell and takes no number of its own. */
  async run(source: string, onRecords?: (r: OutputRecord[], execId: number) => void, ephemeral = false): Promise<Ran> {
    const execId = ++this.execId;
    const records: OutputRecord[] = [];
    const cellLabel = ephemeral ? `cell ${this.cell}, in a thread` : `cell ${++this.cell}`;
    const result = await this.kernel.run({ execId, cellLabel, source, ...(ephemeral ? { ephemeral } : {}) }, (r) => {
      records.push(...r);
      onRecords?.(r, execId);
    });
    return ran(result, records);
  }

  /** Runs a cell that must end ok (else fails with its traceback); its stdout lines, without thread names. */
  async stdout(source: string): Promise<string[]> {
    const r = await this.run(source);
    if (r.result.status !== "ok") throw new Error(`the cell ended ${r.result.status}: ${r.result.error?.traceback ?? r.result.error?.message ?? ""}`);
    return r.lines("stdout").map(([, l]) => l);
  }

  get lastExecId(): number {
    return this.execId;
  }

  dispose(): Promise<void> {
    return this.kernel.dispose();
  }
}

function ran(result: CellResult, records: OutputRecord[]): Ran {
  const lines = (stream?: "stdout" | "stderr") =>
    records
      .filter((r) => !stream || r.stream === stream)
      .flatMap((r) => r.text.replace(/\n$/, "").split("\n").map((l): [string, string] => [r.thread, l]));
  return { result, records, lines, text: (stream) => lines(stream).map(([, l]) => l).join("\n") };
}
