// The learner's settings that shape a kernel (Settings > Concurrency Notebooks). They are read at
// each kernel start: a change takes effect on the next start (Restart Kernel).
import * as vscode from "vscode";
import type { KernelOptions } from "../kernel/protocol/messages";

export function kernelOptionsFromSettings(): KernelOptions {
  const c = vscode.workspace.getConfiguration("concnb");
  const options: KernelOptions = {};
  const outputLineLimit = c.get<number>("outputLineLimit");
  const maxThreads = c.get<number>("maxThreads");
  const memoryBudgetMb = c.get<number>("memoryBudgetMb");
  // 0 (the default of the two limits derived from the machine) leaves the kernel to choose
  if (outputLineLimit) options.outputLineLimit = outputLineLimit;
  if (maxThreads) options.maxThreads = maxThreads;
  if (memoryBudgetMb) options.memoryBudgetMb = memoryBudgetMb;
  return options;
}
