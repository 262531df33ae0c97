import * as assert from "node:assert/strict";
import { errorForDisplay, errorOfResult, kernelDiedError, kernelStartFailedError } from "../../kernel/client/kernelErrors";

describe("kernelErrors", () => {
  it("KernelDied says how the process died and that the next run starts a new kernel", () => {
    const byCode = kernelDiedError({ code: 3, signal: null, stderrTail: [] });
    assert.equal(byCode.name, "KernelDied");
    assert.match(byCode.message, /exited with code 3/);
    assert.match(byCode.message, /next run starts a new kernel/);
    assert.equal(byCode.traceback, undefined);
    const bySignal = kernelDiedError({ code: null, signal: "SIGKILL", stderrTail: ["bye"] });
    assert.match(bySignal.message, /killed by signal SIGKILL/);
    assert.match(bySignal.traceback ?? "", /bye/);
  });

  it("KernelDied names running out of memory when V8 said so", () => {
    const e = kernelDiedError({
      code: null,
      signal: "SIGABRT",
      stderrTail: ["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"],
    });
    assert.match(e.message, /ran out of memory and was killed by signal SIGABRT/);
  });

  it("KernelStartFailed carries the reason", () => {
    const e = kernelStartFailedError(undefined, "it exited before it was ready");
    assert.equal(e.name, "KernelStartFailed");
    assert.match(e.message, /could not start: it exited before it was ready/);
  });

  it("a result without an error still gets a stable name", () => {
    assert.equal(errorOfResult({ status: "interrupted", durationMs: 1 }).name, "KeyboardInterrupt");
    assert.equal(errorOfResult({ status: "timeout", durationMs: 1 }).name, "TimeoutError");
    const given = { name: "ValueError", message: "bad" };
    assert.equal(errorOfResult({ status: "error", durationMs: 1, error: given }), given);
  });

  it("the displayed stack always carries `Name: message`, since VS Code shows only the stack", () => {
    assert.deepEqual(errorForDisplay({ name: "ValueError", message: "bad" }), { name: "ValueError", message: "bad" });
    const python = 'Traceback (most recent call last):\n  File "cell 2", line 3\nValueError: bad\n';
    assert.equal(errorForDisplay({ name: "ValueError", message: "bad", traceback: python }).stack, python.trimEnd());
    const bare = 'Traceback (most recent call last):\n  File "cell 2", line 3';
    assert.equal(errorForDisplay({ name: "ValueError", message: "bad", traceback: bare }).stack, `${bare}\nValueError: bad`);
  });
});
