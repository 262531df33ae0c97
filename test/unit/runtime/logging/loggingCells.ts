// The prelude of the logging conformance cells, on support.ts's runner and
// helpers. The logging configuration lasts as long as the kernel (as in a
// Jupyter kernel), so each cell starts from Python's fresh state: the root
// logger without handlers at WARNING, nothing disabled. Each test uses
// logger names of its own, as test_logging's BaseTest gives each test a
// clean manager.
import { cellWith, HELPERS } from "../support";

export const PRELUDE = `import { basicConfig, getLogger, root, Logger, Handler, StreamHandler, FileHandler, NullHandler, QueueHandler,
  QueueListener, Formatter, LogRecord, makeLogRecord, getLevelName, addLevelName, disable, BASIC_FORMAT,
  CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET } from "logging";
import * as logging from "logging";
import { Thread, Event, Barrier, currentThread, getIdent } from "threading";
import { ThreadPoolExecutor } from "concurrent.futures";
import { Queue } from "queue";
import { Value } from "sharedctypes";
import { sleep, monotonic } from "time";
${HELPERS}/** What calling f did: its value, or the Python name and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try { const v = f(); return { ok: v === undefined ? null : v }; }
  catch (e) { return { err: (e as Error)?.name ?? String(e), message: (e as Error)?.message }; }
}
/** Records a failed expectation (in any thread) for mocha to show. */
function check(ok: boolean, what: string): void { if (!ok) report("fail", currentThread().name + ": " + what); }
/** A handler that sends each formatted line to a shared queue: what test_logging's StringIO streams are for. */
class Collect extends Handler {
  constructor(public lines: Queue, level: number = NOTSET) { super(level); }
  override emit(record: LogRecord) { this.lines.put(this.format(record)); }
}
/** Every line a Collect handler's queue holds now. */
function drain(q: Queue): string[] { const out: string[] = []; while (!q.empty()) out.push(q.get() as string); return out; }
for (const h of root.handlers) { root.removeHandler(h); h.close(); }
root.setLevel(WARNING);
disable(NOTSET);
`;

/** Runs PRELUDE + body as one cell (see support.ts's cellWith). */
export const cell = cellWith(PRELUDE);
