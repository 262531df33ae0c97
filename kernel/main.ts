// The kernel process (one per open notebook): it speaks the protocol over
// Node's IPC channel and runs cells on its own worker threads, so nothing a
// cell does can freeze or crash the extension host.
import { isHostMessage, kernelOptionsFromEnv, type KernelMessage } from "./protocol/messages";
import { Kernel } from "./kernel";

/** Output sent to the host and not yet taken by the channel: past OUTPUT_IN_FLIGHT the threads' writes wait. */
let inFlight = 0;
const OUTPUT_IN_FLIGHT = 8 << 20;
const send = (m: KernelMessage) => {
  if (m.type !== "output") return process.send?.(m);
  let size = 0;
  for (const r of m.records) size += r.text.length;
  inFlight += size;
  process.send?.(m, undefined, {}, () => (inFlight -= size));
};
const kernel = new Kernel(kernelOptionsFromEnv(process.env));
kernel.outputBlocked = () => inFlight > OUTPUT_IN_FLIGHT;

process.on("message", (m: unknown) => {
  if (!isHostMessage(m)) return;
  switch (m.type) {
    case "run":
      kernel.run(m, (records) => send({ type: "output", execId: m.execId, records })).then(
        (result) => {
          const timeline = m.timeline || result.error?.name === "DeadlockError" ? kernel.timelineOf(m.execId) : null;
          send({ type: "done", execId: m.execId, result, ...(timeline ? { timeline } : {}) });
        },
        (e: unknown) =>
          send({ type: "done", execId: m.execId, result: { status: "error", durationMs: 0, error: { name: "KernelError", message: String((e as Error)?.stack ?? e) } } }),
      );
      break;
    case "timeline":
      send({ type: "timeline", execId: m.execId, timeline: kernel.timelineOf(m.execId) });
      break;
    case "interrupt":
      kernel.interrupt(m.execId, m.status ?? "interrupted");
      break;
    case "shutdown":
      void kernel.dispose().finally(() => process.exit(0));
      break;
  }
});
// the host went away: nothing left to serve
process.on("disconnect", () => process.exit(0));
// A fault of the kernel itself (never the user's code, which runs in workers): say so, and leave
// so the host starts a fresh kernel for the next run.
process.on("uncaughtException", (e) => {
  send({ type: "fatal", error: { name: "KernelError", message: e?.message ?? String(e), traceback: e?.stack } });
  process.exit(70);
});
send({ type: "ready", pid: process.pid });
