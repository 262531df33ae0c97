// asyncio.run: runs a coroutine as the main task of a "loop" (this thread's event loop is always there; run()
// gives it Python's beginning and end). When the main task is done, the tasks made under it and still pending are
// cancelled and waited for, and failures nobody retrieved are reported, as asyncio.run does.
import { inspect } from "node:util";
import { PyTypeError, RuntimeError } from "../core/errors";
import { currentOwner, type Runner } from "./context";
import { Future, reportUnretrieved } from "./future";
import { adoptTasksMadeNow, Task } from "./task";

class Run implements Runner {
  readonly tasks = new Set<unknown>();
}

/**
 * Runs `coro` (`await run(main())`) and gives its value (or throws its exception). At its end, the tasks it made
 * that are still pending are cancelled. RuntimeError when called from inside a task (a running loop).
 */
export function run<T>(coro: PromiseLike<T>, options: { debug?: boolean } = {}): Promise<Awaited<T>> {
  void options; // Python's debug mode: nothing to switch here
  if (currentOwner() !== null) throw new RuntimeError("asyncio.run() cannot be called from a running event loop");
  if (coro instanceof Future || coro === null || typeof coro !== "object" || typeof coro.then !== "function") {
    throw new PyTypeError(`a coroutine was expected, got ${inspect(coro)}`);
  }
  const runner = new Run();
  adoptTasksMadeNow(runner);
  return finish(runner, new Task<Awaited<T>>(coro as PromiseLike<Awaited<T>>, null, runner));
}

async function finish<T>(runner: Run, main: Task<T>): Promise<T> {
  try {
    await settled(main as unknown as Future);
    return main.result();
  } finally {
    const left = [...runner.tasks].filter((t): t is Task => t instanceof Task && !t.done());
    for (const t of left) t.cancel();
    await Promise.all(left.map(settled));
    reportUnretrieved((f) => runner.tasks.has(f));
  }
}

/** Resolves when the future is done, whatever its outcome, without retrieving it. */
function settled(f: Future): Promise<void> {
  return new Promise<void>((resolve) => f.addDoneCallback(() => resolve()));
}
