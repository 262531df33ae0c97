// "asyncio", as cells import it: TypeScript's own async/await under Python's names. One thread, one event loop:
// tasks (task.ts, their context in context.ts), waits that never block the thread (op.ts, sleep.ts, locks.ts,
// semaphore.ts, queues.ts), waiting on many (gather.ts, waiting.ts, timeout.ts), run() (run.ts) and real threads
// for blocking work (toThread.ts).
export { run } from "./run";
export { sleep } from "./sleep";
export { Future } from "./future";
export { Task, createTask, currentTask, allTasks, shield } from "./task";
export { gather, GatheringFuture } from "./gather";
export type { GatherOptions } from "./gather";
export { waitFor, wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from "./waiting";
export type { WaitResult } from "./waiting";
export { timeout, timeoutAt, Timeout } from "./timeout";
export { toThread } from "./toThread";
export { Lock, Event, Condition } from "./locks";
export { Semaphore, BoundedSemaphore } from "./semaphore";
export { Queue } from "./queues";
export { Op } from "./op";
export { TimeoutError, CancelledError, InvalidStateError, QueueEmpty, QueueFull } from "./errors";
