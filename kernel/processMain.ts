// The entry of a multiprocessing child (kernel/processes.ts starts it): a
// kernel of its own that runs one program, `target(...args)` (or a slice of a
// Pool.map) on the notebook's definitions, and sends its output and its end
// to the parent over IPC. Exit status as Python's: 0, the code given to
// sys.exit(), or 1 after an exception (whose traceback goes to stderr).
import { join } from "node:path";
import type { ChildRun, FromChild } from "./processes";
import type { OutputRecord } from "./protocol/messages";
import { compileCell } from "./compiler/compile";
import { WorkerPool } from "./pool";
import { Program } from "./program";

const IDENT = /^[A-Za-z_$][\w$]*$/;

function send(m: FromChild): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}

process.once("message", (m: ChildRun) => void run(m));
// the kernel that started this child is gone (restarted, closed): nobody is left to read its output
process.once("disconnect", () => process.exit(1));

async function run(m: ChildRun): Promise<void> {
  const fn = IDENT.test(m.target.name) ? m.target.name : `(${m.target.source})`;
  const source =
    m.mode === "call"
      ? `await ${fn}(...__concnb_rt.processArgs());\n`
      : m.mode === "map"
        ? `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[]).map((x) => ${fn}(x));\n`
        : `const __concnb_result__ = (__concnb_rt.processArgs()[0] as unknown[][]).map((a) => ${fn}(...a));\n`;
  const pool = new WorkerPool(join(__dirname, "thread.js"), 1);
  let exitCode = 1;
  try {
    const compiled = await compileCell(source, m.name);
    const program = new Program(
      pool,
      { programId: 1, full: compiled.full, defs: compiled.defs, chain: m.chain, process: { name: m.name, args: m.args } },
      (records: OutputRecord[]) => void send({ type: "records", records }),
    );
    const { result, values } = await program.done;
    // a Process prints its exception, as Python's does; a pool's task gives it back to the caller instead
    if (m.mode === "call" && result.status === "error" && result.error?.name !== "SystemExit") {
      // the first frame is the call this file wrote, not the learner's code
      const traceback = (result.error?.traceback ?? `${result.error?.name}: ${result.error?.message}\n`).replace(
        new RegExp(`  File "${m.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}", line 1, in <module>\n.*\n`),
        "",
      );
      await send({ type: "records", records: [{ stream: "stderr", thread: "MainThread", text: `Process ${m.name}:\n${traceback}` }] });
    }
    exitCode = result.status === "ok" ? 0 : result.error?.name === "SystemExit" ? Number(result.error.message) || 1 : 1;
    await send({ type: "done", result, value: values?.__concnb_result__ });
  } finally {
    await pool.dispose();
    process.exit(exitCode);
  }
}
