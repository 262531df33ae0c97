// What a stress case drives: `concnb run` on a notebook it writes, timed,
// with the peak resident memory of the CLI and every process under it (worker
// threads are inside the CLI's process; child processes are summed in).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const CLI = join(root, "bin", "concnb.js");

/** A .concnb text from code cells (strings) and { md } or { meta, code } objects. */
export function notebook(cells) {
  const parts = ["---", "title: stress", "---", ""];
  for (const c of cells) {
    if (typeof c === "string") parts.push("<!-- ts -->", "```ts", c, "```", "");
    else if (c.md) parts.push("<!-- md -->", c.md, "");
    else parts.push(`<!-- ts ${JSON.stringify(c.meta)} -->`, "```ts", c.code, "```", "");
  }
  return parts.join("\n");
}

/** Resident memory (bytes) of pid and all its descendants, read from /proc. */
export function treeRss(pid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const walk = (p) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

/** What a case passes as `onStdout` to learn when each piece of the CLI's stdout arrived (see arrival). */
export function recorder() {
  const events = [];
  return { events, onStdout: (d, at) => events.push([d, at]) };
}

/** When (ms since the CLI started) the stdout recorded so far first matched `re`; null if it never did. */
export function arrival(events, re) {
  let seen = "";
  for (const [text, at] of events) {
    seen += text;
    if (re.test(seen)) return at;
  }
  return null;
}

/** Resident memory (bytes) of pid alone. */
export function ownRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function harness() {
  const dir = mkdtempSync(join(tmpdir(), "concnb-stress-"));
  const h = {
    dir,
    lastSeconds: null,
    lastPeakMb: null,
    /** Writes a file into the case's folder; returns its path. */
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    /**
     * Runs `concnb run FILE ...args`; resolves { code, signal, stdout, stderr, seconds, peakMb, peakKernelMb }
     * (peakKernelMb: the tree without the CLI's own process, i.e. the kernel process and what it started).
     * `killAfterMs` is the harness's own guard: a CLI still running then is killed, and `code` is null.
     */
    concnb(args, { killAfterMs = 60_000, onStdout } = {}) {
      return new Promise((resolve) => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [CLI, "run", ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let stdoutBytes = 0;
        // keep at most the first and last 1 MB: a flood's output must not be what runs out of memory here
        const keep = (acc, d) => (acc.length < 2e6 ? acc + d : acc.slice(0, 1e6) + acc.slice(-1e6) + d);
        child.stdout.setEncoding("utf8").on("data", (d) => {
          stdoutBytes += d.length;
          stdout = keep(stdout, d);
          onStdout?.(d, performance.now() - t0);
        });
        child.stderr.setEncoding("utf8").on("data", (d) => (stderr = keep(stderr, d)));
        let peak = 0;
        let peakBelow = 0;
        const poll = setInterval(() => {
          const tree = treeRss(child.pid);
          peak = Math.max(peak, tree);
          // without the CLI's own process: the kernel's process and what it started
          peakBelow = Math.max(peakBelow, tree - ownRss(child.pid));
        }, 50);
        const guard = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
        child.on("exit", (code, signal) => {
          clearInterval(poll);
          clearTimeout(guard);
          const seconds = (performance.now() - t0) / 1000;
          h.lastSeconds = seconds;
          h.lastPeakMb = peak / 2 ** 20;
          resolve({ code, signal, stdout, stderr, stdoutBytes, seconds, peakMb: peak / 2 ** 20, peakKernelMb: peakBelow / 2 ** 20 });
        });
      });
    },
    /** Writes a notebook of `cells` (see notebook()) and runs it. */
    run(cells, args = [], opts) {
      return h.concnb([h.file("case.concnb", notebook(cells)), ...args], opts);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
