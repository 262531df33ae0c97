// asyncio's exceptions. Where the name is one the runtime already has, it is that class: an exception revived in
// another thread finds its class by name (core/errors' pythonErrors), so two classes of one name cannot both live.
import { define } from "../core/errors";

export { CancelledError, InvalidStateError, TimeoutError } from "../concurrent/futures/future";

/** Raised by Queue.getNowait() on an empty queue (asyncio's own, not queue.Empty, as in Python). */
export const QueueEmpty = define("QueueEmpty");
/** Raised by Queue.putNowait() on a full queue (asyncio's own, not queue.Full, as in Python). */
export const QueueFull = define("QueueFull");
