// Starts code-server (the real VS Code workbench and Node extension host) on
// loopback with a throw-away profile, and builds the URLs that load this
// extension into it (the same `payload` @vscode/test-web uses).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "files.hotExit": "off",
  "git.openRepositoryInParentFolders": "never",
  // a lesson clicked before the extension host has registered the notebook type still opens as a notebook
  "workbench.editorAssociations": { "*.concnb": "concnb" },
};

export async function startServer({ codeServer, port, folder, log = () => {} }) {
  const profile = mkdtempSync(join(tmpdir(), "concnb-vscode-"));
  // A quiet workbench: no welcome page over the lessons, no tips, no telemetry.
  mkdirSync(join(profile, "user", "User"), { recursive: true });
  writeFileSync(join(profile, "user", "User", "settings.json"), JSON.stringify(SETTINGS, null, 2));
  const args = [
    join(codeServer, "out", "node", "entry.js"),
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--user-data-dir", join(profile, "user"),
    "--extensions-dir", join(profile, "extensions"),
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    folder,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const onData = (d) => {
    for (const l of String(d).split("\n").filter(Boolean)) {
      lines.push(l);
      log(l);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s:\n${lines.join("\n")}`)), 60_000);
    const check = (d) => {
      if (/HTTP server listening/.test(String(d))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${lines.join("\n")}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    base,
    /** A workbench URL on `folder` with `payload` pairs (paths made remote URIs where asked). */
    url(payload = []) {
      const q = new URLSearchParams({ folder });
      if (payload.length > 0) q.set("payload", JSON.stringify(payload));
      return `${base}/?${q}`;
    },
    remote,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            r();
          }, 5000);
          child.once("exit", () => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}
