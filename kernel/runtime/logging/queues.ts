// QueueHandler and QueueListener: the pattern that keeps slow handlers off
// the threads that log. A QueueHandler puts a copy of each record, its
// message already formatted, on a queue ("queue"'s, shared by every thread,
// or "multiprocessing"'s, shared by every process); a QueueListener's thread
// takes them off and hands them to its handlers, so their lines are that
// thread's.
import { RuntimeError } from "../core/errors";
import { defaultName, registerThreadClass, Thread } from "../threading/thread";
import { Handler, registerClass } from "./handler";
import { LogRecord, makeLogRecord } from "./record";

/** What a QueueHandler puts records on and a QueueListener takes them from: a queue of "queue" or "multiprocessing". */
export interface LogQueue {
  /** Puts an item (a QueueHandler puts without blocking). */
  put(item: unknown, block?: boolean, timeout?: number | null): unknown;
  /** Takes the next item, waiting for one (a QueueListener's thread waits). */
  get(block?: boolean, timeout?: number | null): unknown;
}

/** Python's QueueHandler: each record, prepared, is put on the queue without blocking. */
export class QueueHandler extends Handler {
  /** The queue records go to: the same queue in every thread (and process) that holds it. */
  queue: LogQueue;

  constructor(queue: LogQueue) {
    super();
    this.queue = queue;
  }

  /** Puts the record on the queue without waiting (Python's put_nowait). */
  enqueue(record: LogRecord): void {
    this.queue.put(record, false);
  }

  /**
   * A copy of the record fit to cross to another thread: its message formatted (with this handler's formatter, so a
   * traceback is part of it), args, excInfo, excText and stackInfo cleared.
   */
  prepare(record: LogRecord): LogRecord {
    const msg = this.format(record);
    const r = Object.assign(Object.create(Object.getPrototypeOf(record) as object) as LogRecord, record);
    r.message = msg;
    r.msg = msg;
    r.args = null;
    r.excInfo = null;
    r.excText = null;
    r.stackInfo = null;
    return r;
  }

  /** Puts the prepared record on the queue; a failure goes to handleError(). */
  override emit(record: LogRecord): void {
    try {
      this.enqueue(this.prepare(record));
    } catch (e) {
      this.handleError(record, e);
    }
  }
}
registerClass(QueueHandler);

/** QueueListener's options (Python's keyword argument). */
export interface QueueListenerOptions {
  /** Hand a record only to handlers whose level it reaches (by default every handler gets every record). */
  respectHandlerLevel?: boolean;
}

/** The records' round, in the listener's own thread: plain data and runtime objects, which travel to it. */
class ListenerThread extends Thread {
  queue: LogQueue;
  handlers: Handler[];
  respectHandlerLevel: boolean;

  constructor(queue: LogQueue, handlers: Handler[], respectHandlerLevel: boolean) {
    super({ name: defaultName(monitorNamed), daemon: true });
    this.queue = queue;
    this.handlers = handlers;
    this.respectHandlerLevel = respectHandlerLevel;
  }

  override run(): void {
    for (;;) {
      const item = this.queue.get(true);
      if (item === null || item === undefined) return; // the sentinel stop() puts
      const record = item instanceof LogRecord ? item : makeLogRecord(item as Record<string, unknown>);
      for (const h of this.handlers) if (!this.respectHandlerLevel || record.levelno >= h.level) h.handle(record);
    }
  }
}
registerThreadClass(ListenerThread);
/** Python's listener thread runs `_monitor`: its default name is Thread-N (_monitor). */
const monitorNamed = function _monitor() {};

/** Python's QueueListener: a thread that takes records off a queue and hands each to its handlers. */
export class QueueListener {
  /** The queue it takes records from. */
  readonly queue: LogQueue;
  /** The handlers each record is handed to, in the listener's thread. */
  readonly handlers: Handler[];
  /** Whether a handler gets only records at or above its level. */
  readonly respectHandlerLevel: boolean;
  private thread: ListenerThread | null = null;

  /** `new QueueListener(queue, handler1, handler2, { respectHandlerLevel: true })`. */
  constructor(queue: LogQueue, ...handlers: Array<Handler | QueueListenerOptions>) {
    this.queue = queue;
    const last = handlers.at(-1);
    const options = last !== undefined && !(last instanceof Handler) ? (handlers.pop() as QueueListenerOptions) : {};
    this.handlers = handlers as Handler[];
    this.respectHandlerLevel = Boolean(options.respectHandlerLevel);
  }

  /** Starts the listener's thread (a daemon). Starting it twice: RuntimeError. */
  start(): void {
    if (this.thread) throw new RuntimeError("Listener already started");
    const t = new ListenerThread(this.queue, this.handlers, this.respectHandlerLevel);
    t.start();
    this.thread = t;
  }

  /** Puts the sentinel (null) that ends the listener's round. */
  enqueueSentinel(): void {
    this.queue.put(null, false);
  }

  /** Hands every record already on the queue to the handlers, then ends the thread and waits for it. */
  stop(): void {
    const t = this.thread;
    if (!t) return;
    this.enqueueSentinel();
    t.join();
    this.thread = null;
  }

  /** stop(), so that `using listener = ...` stops it at the end of the block. */
  [Symbol.dispose](): void {
    this.stop();
  }
}
