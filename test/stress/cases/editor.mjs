// The language server under what a learner types: a huge cell, a type that
// instantiates without end, a notebook of hundreds of cells, a cell of
// garbage, and the editor killed under it. The real server (out/server.js),
// over stdio, started as the language client starts it; each case says how
// long the server took to answer and how big it grew.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";
import { ownRss } from "../harness.mjs";

const root = new URL("../../../", import.meta.url).pathname;

/** A server with one notebook of these code cells open; `ask` times a request, `peakMb` its peak RSS so far. */
async function lsp(cells) {
  const child = spawn(process.execPath, [join(root, "out", "server.js"), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map();
  const waiters = [];
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    diagnostics.set(p.uri, p);
    for (const w of waiters.splice(0)) w();
  });
  child.once("exit", () => waiters.splice(0).forEach((w) => w()));
  conn.onNotification("window/logMessage", (p) => process.env.CONCNB_STRESS_LSP_LOG && console.error(`server: ${p.message}`));
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: { notebookDocument: { synchronization: {} } } });
  await conn.sendNotification("initialized", {});
  const uris = cells.map((_, i) => `vscode-notebook-cell:/stress.concnb#c${i}`);
  await conn.sendNotification("notebookDocument/didOpen", {
    notebookDocument: { uri: "file:///stress.concnb", notebookType: "concnb", version: 1, cells: uris.map((document) => ({ kind: 2, document })) },
    cellTextDocuments: cells.map((text, i) => ({ uri: uris[i], languageId: "typescript", version: 1, text })),
  });
  let peak = 0;
  const sample = () => (peak = Math.max(peak, ownRss(child.pid) / 2 ** 20));
  const sampler = setInterval(sample, 50);
  const versions = uris.map(() => 1);
  let nbVersion = 1;
  return {
    uris,
    peakMb: () => (sample(), peak),
    /** Resolves with the diagnostics of cell i once `check` accepts them. */
    diagnosed: (i, check = () => true) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for cell ${i + 1} in 60 s (server ${child.exitCode ?? child.signalCode ?? "alive"})`)), 60_000);
        const look = () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            return reject(new Error(`the server exited (${child.exitCode ?? child.signalCode}): ${stderr.trim().split("\n").slice(-3).join(" / ")}`));
          }
          const d = diagnostics.get(uris[i]);
          if (d && d.version === versions[i] && check(d.diagnostics)) {
            clearTimeout(timer);
            return resolve(d.diagnostics);
          }
          waiters.push(look);
        };
        look();
      }),
    async edit(i, text) {
      versions[i]++;
      await conn.sendNotification("notebookDocument/didChange", {
        notebookDocument: { uri: "file:///stress.concnb", version: ++nbVersion },
        change: { cells: { textContent: [{ document: { uri: uris[i], version: versions[i] }, changes: [{ text }] }] } },
      });
    },
    async ask(method, i, position) {
      const t0 = performance.now();
      const r = await conn.sendRequest(method, { textDocument: { uri: uris[i] }, position });
      return { r, ms: performance.now() - t0 };
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    async close() {
      clearInterval(sampler);
      try {
        await conn.sendRequest("shutdown");
        await conn.sendNotification("exit");
      } catch {
        // the server is gone already: the case has said so
      }
      conn.dispose();
      child.kill("SIGKILL");
    },
  };
}

const endOf = (text) => {
  const lines = text.split("\n");
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
};
const labels = (r) => (Array.isArray(r) ? r : (r?.items ?? [])).map((x) => x.label);
const row = (fault, t0, s, ok, detail) => ({ rows: [{ fault, seconds: (performance.now() - t0) / 1000, peakMb: s.peakMb(), ok, detail }] });

export const cases = [
  {
    name: "types: a 20,000-line cell",
    short: true,
    async run() {
      const t0 = performance.now();
      const base = `import { Thread } from "threading";\n${Array.from({ length: 20_000 }, (_, i) => `const v${i}: number = ${i};`).join("\n")}\nconst t = new Thread({ target: () => {} });`;
      const s = await lsp([`${base}\nt.`]);
      try {
        await s.diagnosed(0);
        const times = [];
        let listed = true;
        for (let k = 0; k < 5; k++) {
          const text = `${base}\n// ${k}\nt.`;
          await s.edit(0, text);
          const { r, ms } = await s.ask("textDocument/completion", 0, endOf(text));
          listed &&= labels(r).includes("join");
          times.push(ms);
        }
        const worst = Math.max(...times);
        const ok = listed && worst < 2000 && s.alive();
        return row(this.name, t0, s, ok, `completion after a keystroke: worst ${Math.round(worst)} ms of 5 (target < 2 s), join listed: ${listed}`);
      } finally {
        await s.close();
      }
    },
  },
  {
    name: "types: a type that instantiates without end",
    short: true,
    async run() {
      const t0 = performance.now();
      const bomb = `type Deep<T, N extends unknown[] = []> = N["length"] extends 100000 ? T : Deep<[T], [...N, 0]>;\nconst x: Deep<1> = [1] as never;`;
      const s = await lsp([bomb, `const y: number = "a";`]);
      try {
        // TypeScript's worker runs out of its heap: the notebook's cells say so, the server carries on
        const [told] = await s.diagnosed(0, (ds) => ds.length > 0);
        const fixedAt = performance.now();
        await s.edit(0, `const x = 1;`);
        // once fixed, the notebook's types come back by themselves, in a new worker
        const [back] = await s.diagnosed(1, (ds) => ds.some((d) => /not assignable/.test(d.message)));
        const recovery = (performance.now() - fixedAt) / 1000;
        const lenses = await s.ask("textDocument/codeLens", 0, { line: 0, character: 0 });
        const ok = /Types not checked: TypeScript ran out of its \d+ MB/.test(told?.message ?? "") && /not assignable/.test(back.message) && recovery < 10 && s.alive() && Array.isArray(lenses.r);
        return row(this.name, t0, s, ok, `cell 1 said "${told?.message.slice(0, 70)}"; fixed, the notebook's type errors were back in ${recovery.toFixed(2)} s (target < 10 s); the server stayed up`);
      } finally {
        await s.close();
      }
    },
  },
  {
    name: "types: a notebook of 300 cells",
    short: true,
    async run() {
      const t0 = performance.now();
      const cells = Array.from({ length: 300 }, (_, i) => (i === 0 ? `import { Lock } from "threading";` : `function f${i}(n: number): number { return n + ${i}; }\nconst r${i} = f${i}(${i - 1});`));
      cells.push(`const lock = new Lock();\nlock.`);
      const s = await lsp(cells);
      try {
        const opened = await s.diagnosed(300);
        const openS = (performance.now() - t0) / 1000;
        const times = [];
        let listed = true;
        for (let k = 0; k < 5; k++) {
          const text = `const lock = new Lock();\n// ${k}\nlock.`;
          await s.edit(300, text);
          const { r, ms } = await s.ask("textDocument/completion", 300, endOf(text));
          listed &&= labels(r).includes("acquire") && !labels(r).includes("f1");
          times.push(ms);
        }
        const hover = await s.ask("textDocument/hover", 300, { line: 0, character: 8 });
        const worst = Math.max(...times);
        // the cell ends in `lock.`, as it is being typed: the kernel's SyntaxError is its one problem
        const ok = opened.every((d) => d.code === "SyntaxError") && listed && worst < 1000 && s.alive();
        return row(this.name, t0, s, ok, `first diagnostics of cell 301 in ${openS.toFixed(2)} s (${opened.length} problems: ${opened[0]?.message.slice(0, 60) ?? "none"}); lock. lists acquire: ${listed}; completion after a keystroke: worst ${Math.round(worst)} ms of 5 (target < 1 s); hover ${Math.round(hover.ms)} ms`);
      } finally {
        await s.close();
      }
    },
  },
  {
    name: "types: a cell of garbage (NUL bytes, a 1 MB line, unclosed brackets)",
    short: true,
    async run() {
      const t0 = performance.now();
      const garbage = [`\u0000\u0001\u0002 const \uFFFF = ;`, "x".repeat(1 << 20), "(".repeat(5000) + "[{".repeat(2000), `const fine: number = 1;`];
      const s = await lsp(garbage);
      try {
        const got = [];
        for (let i = 0; i < garbage.length; i++) got.push((await s.diagnosed(i)).length);
        const { r } = await s.ask("textDocument/hover", 3, { line: 0, character: 7 });
        const ok = got[0] > 0 && got[2] > 0 && got[3] === 0 && /fine: number/.test(r?.contents?.value ?? "") && s.alive();
        return row(this.name, t0, s, ok, `problems per cell: ${got.join(", ")}; the good cell after them hovers: ${/fine: number/.test(r?.contents?.value ?? "")}`);
      } finally {
        await s.close();
      }
    },
  },
  {
    name: "types: the editor killed under the server",
    short: true,
    async run() {
      const t0 = performance.now();
      // an editor of its own (a node process that starts the server as the client does), then SIGKILL to it
      const editor = `const { spawn } = require("node:child_process");
const s = spawn(process.execPath, [${JSON.stringify(join(root, "out", "server.js"))}, "--stdio"], { stdio: ["pipe", "pipe", "ignore"] });
const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: process.pid, rootUri: null, capabilities: {} } });
s.stdin.write("Content-Length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body);
s.stdout.once("data", () => console.log(s.pid));
setInterval(() => {}, 1000);`;
      const ed = spawn(process.execPath, ["-e", editor], { stdio: ["ignore", "pipe", "inherit"] });
      const pid = Number(await new Promise((r) => ed.stdout.once("data", (d) => r(String(d).trim()))));
      ed.kill("SIGKILL");
      const killed = performance.now();
      const gone = () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      };
      while (!gone() && performance.now() - killed < 10_000) await new Promise((r) => setTimeout(r, 50));
      const s = (performance.now() - killed) / 1000;
      if (!gone()) process.kill(pid, "SIGKILL");
      return { rows: [{ fault: this.name, seconds: (performance.now() - t0) / 1000, peakMb: null, ok: s < 5, detail: `the orphaned server exited ${s.toFixed(2)} s after its editor was killed (target < 5 s)` }] };
    },
  },
];
