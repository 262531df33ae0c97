// Starts code-server (the real VS Code workbench and Node extension host) on
// loopback with a throw-away profile, and builds the URLs that load this
// extension into it (the same `payload` @vscode/test-web uses).
//
// Anyone who reaches the port can run code as this user, so the server asks
// for a password made afresh at each start; it goes to code-server in its
// environment (code-server reads $PASSWORD and deletes it before it starts
// any child), never on the command line, which every user can read in `ps`.
// Workspace Trust stays on: a folder the learner has not trusted opens in
// Restricted Mode, where the extension runs no cell.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": true,
  // the first time a folder opens in a browser, VS Code asks whether its authors are trusted
  "security.workspace.trust.startupPrompt": "once",
  "files.hotExit": "off",
  "git.openRepositoryInParentFolders": "never",
  // a lesson clicked before the extension host has registered the notebook type still opens as a notebook
  "workbench.editorAssociations": { "*.concnb": "concnb" },
};

/**
 * Starts code-server on `folder`, with a profile of its own. `install` lists .vsix files installed into that profile
 * first, as `code-server --install-extension` installs a published one; `home` is the $HOME its extension host sees.
 */
export async function startServer({ codeServer, port, folder, log = () => {}, install = [], home }) {
  const profile = mkdtempSync(join(tmpdir(), "concnb-vscode-"));
  // A quiet workbench: no welcome page over the lessons, no tips, no telemetry.
  mkdirSync(join(profile, "user", "User"), { recursive: true });
  writeFileSync(join(profile, "user", "User", "settings.json"), JSON.stringify(SETTINGS, null, 2));
  // an empty config of our own, or code-server writes one with a password of its own into ~/.config
  const config = join(profile, "config.yaml");
  writeFileSync(config, "", { mode: 0o600 });
  const password = randomBytes(18).toString("base64url");
  for (const vsix of install) {
    execFileSync(process.execPath, [join(codeServer, "out", "node", "entry.js"), "--user-data-dir", join(profile, "user"), "--extensions-dir", join(profile, "extensions"), "--install-extension", vsix], {
      stdio: ["ignore", "pipe", "pipe"],
      env: serverEnv(password, home),
    });
  }
  const args = [
    join(codeServer, "out", "node", "entry.js"),
    "--config", config,
    "--auth", "password",
    "--bind-addr", `127.0.0.1:${port}`,
    "--user-data-dir", join(profile, "user"),
    "--extensions-dir", join(profile, "extensions"),
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    folder,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: serverEnv(password, home) });
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
    /** What the login page asks for; valid until this server stops. */
    password,
    /** A workbench URL on `folder` (or another folder: `on`) with `payload` pairs (paths made remote URIs where asked). */
    url(payload = [], on = folder) {
      const q = new URLSearchParams({ folder: on });
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

/** Our password only: a $HASHED_PASSWORD the user has set for another code-server would take its place. */
function serverEnv(password, home) {
  const env = { ...process.env, PASSWORD: password, ...(home ? { HOME: home } : {}) };
  delete env.HASHED_PASSWORD;
  return env;
}
