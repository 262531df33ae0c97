// "threading", as cells import it: Python's threading module on worker threads. This file is the module's whole
// public surface (the kernel's import check and the editor's typings are read off it); the rest of the folder is
// how it works.
export { Timer } from "./timer";
export { Thread, currentThread, mainThread, enumerate, activeCount, getIdent, getNativeId, excepthook, setExcepthook, TIMEOUT_MAX } from "./thread";
export type { ThreadOptions, ExceptHookArgs } from "./thread";
export { Lock, RLock } from "./locks";
export { Condition } from "./condition";
export { Semaphore, BoundedSemaphore } from "./semaphore";
export { Event } from "./event";
export { Barrier, BrokenBarrierError } from "./barrier";
export { local } from "./local";
