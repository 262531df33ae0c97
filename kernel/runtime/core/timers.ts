// A job's timers and event loop. A thread's code (the cell's main code, or a
// thread's run()) is done when it returns *and* what it left for the event
// loop has run, as `node script.js` is: a pending setTimeout fires, a
// setInterval ticks until it is cleared (or the stop button, or --timeout, ends
// the program), I/O callbacks come back. So a timer never outlives its job:
// what is still pending when the job ends (an unref'd timer, or all of them
// when the code failed) is cancelled with a one-line note, never left to fire
// in a later cell of this reused worker.
import timersModule from "node:timers";

type Kind = "setTimeout" | "setInterval" | "setImmediate";
type Handle = NodeJS.Timeout | NodeJS.Immediate;

const native = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

/** How long only intervals keep a program going before it says so. */
const INTERVAL_HINT_MS = 3000;

/** The job's timers not yet fired (setInterval: not yet cleared). */
const live = new Map<Handle, Kind>();
let wake: (() => void) | null = null;
/** What an exception thrown by a timer's callback does: the job's choice (see settle). */
let thrown: (e: unknown) => void = () => {};
/** Set once a callback threw: the job's code has failed, and its other timers are cancelled. */
let failed = false;

function changed(): void {
  const w = wake;
  wake = null;
  w?.();
}

/** The job's code failed outside its main flow (a callback, a promise nobody handled): its timers stop. */
export function failJob(e: unknown): void {
  if (failed) return;
  failed = true;
  thrown(e);
  changed();
}

function call(cb: (...a: unknown[]) => unknown, args: unknown[]): void {
  if (failed) return;
  try {
    cb(...args);
  } catch (e) {
    failJob(e);
  }
}

function forget(h: unknown): void {
  // clearTimeout also takes the timer's number (`+t`)
  const handle = typeof h === "object" ? (h as Handle) : [...live.keys()].find((k) => Number(k) === Number(h));
  if (handle && live.delete(handle)) changed();
}

const wrapped = {
  setTimeout(cb: unknown, ms?: number, ...args: unknown[]) {
    if (typeof cb !== "function") return (native.setTimeout as (...a: unknown[]) => NodeJS.Timeout)(cb, ms, ...args); // Node's own TypeError
    const h: NodeJS.Timeout = native.setTimeout(() => {
      live.delete(h);
      call(cb as (...a: unknown[]) => unknown, args);
      changed();
    }, ms);
    live.set(h, "setTimeout");
    return h;
  },
  setInterval(cb: unknown, ms?: number, ...args: unknown[]) {
    if (typeof cb !== "function") return (native.setInterval as (...a: unknown[]) => NodeJS.Timeout)(cb, ms, ...args);
    const h: NodeJS.Timeout = native.setInterval(() => call(cb as (...a: unknown[]) => unknown, args), ms);
    live.set(h, "setInterval");
    return h;
  },
  setImmediate(cb: unknown, ...args: unknown[]) {
    if (typeof cb !== "function") return (native.setImmediate as (...a: unknown[]) => NodeJS.Immediate)(cb, ...args);
    const h: NodeJS.Immediate = native.setImmediate(() => {
      live.delete(h);
      call(cb as (...a: unknown[]) => unknown, args);
      changed();
    });
    live.set(h, "setImmediate");
    return h;
  },
  clearTimeout(h?: unknown) {
    native.clearTimeout(h as NodeJS.Timeout);
    forget(h);
  },
  clearInterval(h?: unknown) {
    native.clearInterval(h as NodeJS.Timeout);
    forget(h);
  },
  clearImmediate(h?: unknown) {
    native.clearImmediate(h as NodeJS.Immediate);
    forget(h);
  },
};

/** Puts the tracking functions in place of Node's, as globals and in `node:timers` (once, at boot). */
export function installTimers(): void {
  for (const [name, f] of Object.entries(wrapped)) {
    Object.defineProperty(f, "name", { value: name });
    (globalThis as Record<string, unknown>)[name] = f;
    (timersModule as unknown as Record<string, unknown>)[name] = f;
  }
}

/** A fresh start for a job: its code's exceptions in callbacks go to `onThrow`. */
export function beginTimers(onThrow: (e: unknown) => void): void {
  live.clear();
  failed = false;
  thrown = onThrow;
  baseline = resources();
}

let baseline = new Map<string, number>();
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Kinds of resources (an fs request, a socket) the job holds beyond those its worker held when it started. */
function extra(): string[] {
  const out: string[] = [];
  for (const [kind, n] of resources()) if (kind !== "Timeout" && kind !== "Immediate" && n > (baseline.get(kind) ?? 0)) out.push(kind);
  return out;
}

/** Whether the job left something for the event loop that keeps Node alive: a ref'd timer, a pending I/O. */
export function eventLoopBusy(): boolean {
  for (const h of live.keys()) if (h.hasRef()) return true;
  return extra().length > 0;
}

/** One turn of the event loop: rejections nobody handled are reported (process "unhandledRejection") by then. */
export function nextTurn(): Promise<void> {
  return new Promise<void>((r) => native.setImmediate(r));
}

/** The reason of the promise rejectionsReported() rejects on purpose (made once): process "unhandledRejection" ignores it. */
const PROBE = new Error("the runtime's probe for rejections nobody handled");
let probed: (() => void) | null = null;
/** The net under the probe (see rejectionsReported): cleared when the probe is seen, so no handle is left behind. */
let net: NodeJS.Immediate | null = null;

/**
 * Resolves once Node has reported the rejections nobody handled so far (process "unhandledRejection"),
 * without a turn of the event loop: Node reports them, in the order they were rejected, when the microtasks
 * of the current callback have run; a promise rejected here on purpose, last, is reported after them. A
 * start+join of a thread that leaves nothing for the event loop is a hot path, and a turn costs tens of µs.
 * With a listener of the learner's (who would see the probe) it waits for a turn instead.
 */
export function rejectionsReported(): Promise<void> {
  if (process.listenerCount("unhandledRejection") !== 1) return nextTurn();
  return new Promise<void>((resolve) => {
    probed = resolve;
    void Promise.reject(PROBE);
    // should Node ever not report the probe, the thread still ends, a turn later; a handle left open would
    // retire the worker (leftResources), so the probe clears it
    net = native.setImmediate(() => {
      net = null;
      if (probed !== resolve) return;
      probed = null;
      resolve();
    });
  });
}

/** For process "unhandledRejection": true if the rejection was rejectionsReported()'s, to be ignored. */
export function probeSeen(reason: unknown): boolean {
  if (reason !== PROBE) return false;
  if (net) native.clearImmediate(net);
  net = null;
  const p = probed;
  probed = null;
  p?.();
  return true;
}

/**
 * Lets the event loop run what the job's code left for it, until nothing that keeps Node alive (a ref'd timer, a
 * pending I/O) is left, or a callback throws. Always lets one turn go by: a promise rejected and never handled
 * is reported (process "unhandledRejection") before this returns.
 */
export async function settle(say: (text: string) => void): Promise<void> {
  let told = false;
  for (;;) {
    await nextTurn();
    if (failed) return;
    const keepAlive = [...live].filter(([h]) => h.hasRef());
    if (keepAlive.length > 0) {
      // an interval nobody clears keeps the program going, as it keeps `node` going: say so, once, while it does
      const hint =
        told || keepAlive.some(([, kind]) => kind !== "setInterval")
          ? null
          : native.setTimeout(() => {
              told = true;
              say(`note: the main code is done, but ${keepAlive.length === 1 ? "a setInterval keeps" : `${keepAlive.length} setIntervals keep`} the program running: clearInterval() ends ${keepAlive.length === 1 ? "it" : "them"}, as does the stop button\n`);
            }, INTERVAL_HINT_MS);
      await new Promise<void>((r) => (wake = r));
      if (hint) native.clearTimeout(hint);
    } else if (extra().length > 0) {
      // no event for "an I/O callback came back" that is not the callback itself: look again shortly
      await new Promise<void>((r) => native.setTimeout(r, 5));
    } else {
      return;
    }
  }
}

/** Cancels the job's timers still pending; the note to print (null if none were). */
export function cancelTimers(): string | null {
  if (live.size === 0) return null;
  const kinds = new Map<Kind, number>();
  for (const [h, kind] of live) {
    if (kind === "setImmediate") native.clearImmediate(h as NodeJS.Immediate);
    else native.clearTimeout(h as NodeJS.Timeout);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  live.clear();
  const list = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
  return `note: the program ended, and its pending timers were cancelled (${list})\n`;
}

/** Whether the job left something in this worker's event loop that the kernel cannot cancel (a socket, a watcher). */
export function leftResources(): boolean {
  const now = resources();
  if (now.size !== baseline.size) return true;
  for (const [kind, n] of now) if (baseline.get(kind) !== n) return true;
  return false;
}
