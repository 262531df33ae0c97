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
  const lines = (stream?: "stdout" | "stderr") => {
    // a record that does not end its line is continued by the next record of its thread and stream
    const out: Array<[string, string]> = [];
    const open = new Map<string, number>();
    for (const r of records) {
      if (stream && r.stream !== stream) continue;
      const parts = r.text.split("\n");
      const ended = parts[parts.length - 1] === "";
      if (ended) parts.pop();
      const key = `${r.stream}\0${r.thread}`;
      const at = open.get(key);
      if (at !== undefined && out.length - 1 === at && parts.length > 0) out[at][1] += parts.shift();
      open.delete(key);
      for (const p of parts) out.push([r.thread, p]);
      if (!ended && out.length > 0) open.set(key, out.length - 1);
    }
    return out;
  };
  return { result, records, lines, text: (stream) => lines(stream).map(([, l]) => l).join("\n") };
}
