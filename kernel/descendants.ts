// The processes a program started behind the runtime's back (execSync,
// spawn, a shell pipeline): on interrupt or timeout they are killed, whole
// trees of them, or a thread blocked in execSync("sleep 15") could not stop
// and a stopped cell would leave its processes running.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** pid → parent pid of every process we can see. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  if (process.platform === "linux") {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        // the command name (field 2) may hold spaces and parentheses: fields after its last ")"
        out.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }
  if (process.platform === "win32") return out; // see killDescendants
  for (const line of execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid) out.set(pid, ppid);
  }
  return out;
}

/** The processes this process has started and that are still there (cheap: read per thread of ours on Linux). */
export function directChildren(): Set<number> {
  const out = new Set<number>();
  if (process.platform === "linux") {
    try {
      for (const task of readdirSync("/proc/self/task")) {
        for (const pid of readFileSync(`/proc/self/task/${task}/children`, "utf8").split(" ")) if (pid.trim()) out.add(Number(pid));
      }
      return out;
    } catch {
      // a kernel without /proc/PID/task/TID/children: the whole table below
    }
  }
  if (process.platform === "win32") return out;
  for (const [pid, ppid] of parents()) if (ppid === process.pid) out.add(pid);
  return out;
}

/** Every process below `root`, deepest first. */
export function descendantsOf(root: number, except: ReadonlySet<number> = new Set()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(pid);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (except.has(c)) continue;
      walk(c);
      found.push(c);
    }
  };
  walk(root);
  return found;
}

/** Kills every process below this one but `except` (and theirs); returns how many. */
export function killDescendants(except: ReadonlySet<number> = new Set()): number {
  if (process.platform === "win32") {
    // no process tree to read without a native module: taskkill walks it for each direct child
    return 0;
  }
  let killed = 0;
  for (const pid of descendantsOf(process.pid, except)) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
