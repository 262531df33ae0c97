// Output capture. Every write goes into this worker's output ring at once,
// from the writing thread, tagged with the thread's name: nothing waits for
// this worker's event loop, so a thread that spins or blocks in join() still
// has every line it wrote delivered, in order. A full ring blocks the writer
// until the kernel has read it (kernel/protocol/outputRing).
import { formatWithOptions } from "node:util";
import { RingWriter } from "../../protocol/outputRing";
import { boot, globalSlots } from "./context";
import { G } from "../../protocol/layout";

const ring = new RingWriter(boot.outRing);

let threadName = "MainThread";
export function setThreadName(name: string): void {
  threadName = name;
}

export function write(stream: "stdout" | "stderr", text: string): void {
  if (text.length > 0) ring.write(Atomics.add(globalSlots, G.OutSeq, 1), stream, threadName, text);
}

const format = (args: unknown[]) => formatWithOptions({ colors: false }, ...args) + "\n";

export function installCapture(): void {
  const out = (...a: unknown[]) => write("stdout", format(a));
  const err = (...a: unknown[]) => write("stderr", format(a));
  Object.assign(console, { log: out, info: out, debug: out, error: err, warn: err });
  console.trace = (...a: unknown[]) => {
    const e = new Error(formatWithOptions({ colors: false }, ...a));
    e.name = "Trace";
    write("stderr", `${e.stack ?? e.message}\n`);
  };
  console.dir = (v: unknown) => out(v);
  for (const stream of ["stdout", "stderr"] as const) {
    process[stream].write = ((chunk: unknown, ...rest: unknown[]) => {
      write(stream, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      if (cb) queueMicrotask(cb);
      return true;
    });
  }
}
