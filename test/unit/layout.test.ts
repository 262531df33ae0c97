// Folders follow process boundaries (DESIGN.md): these rules are checked on
// the sources themselves, so a stray import fails the build's tests.
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";

const root = resolve(__dirname, "..", "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;'"]*?from\s+["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
}

function resolved(file: string, spec: string): string {
  return spec.startsWith(".") ? relative(root, resolve(dirname(file), spec)) : spec;
}

describe("layout: folders follow process boundaries", () => {
  it("finds the sources it checks", () => {
    assert.ok(sources(join(root, "kernel")).length > 10);
    assert.ok(sources(join(root, "extension")).length > 2);
  });

  it("keeps kernel/ free of vscode", () => {
    for (const f of sources(join(root, "kernel"))) {
      for (const spec of imports(f)) assert.notEqual(spec, "vscode", `${relative(root, f)} imports vscode`);
    }
  });

  it("keeps the runtime (code inside worker threads) off the kernel's host side", () => {
    for (const f of sources(join(root, "kernel", "runtime"))) {
      for (const spec of imports(f)) {
        const target = resolved(f, spec);
        if (!spec.startsWith(".")) continue;
        assert.ok(
          target.startsWith("kernel/runtime/") || target.startsWith("kernel/protocol/"),
          `${relative(root, f)} imports ${target}`,
        );
      }
    }
  });

  it("gives each runtime module its folder, whose index is what cells import; modules.ts names only those indexes", () => {
    const runtime = join(root, "kernel", "runtime");
    const table = join(runtime, "modules.ts");
    const specs = imports(table).filter((s) => s.startsWith("./"));
    const folders = specs.filter((s) => !s.startsWith("./core/"));
    assert.ok(folders.length >= 8, folders.join(", "));
    for (const spec of folders) {
      assert.ok(statSync(join(runtime, spec)).isDirectory() && statSync(join(runtime, spec, "index.ts")).isFile(), `${spec} is a folder with an index.ts`);
    }
    for (const spec of specs.filter((s) => s.startsWith("./core/"))) assert.ok(spec === "./core/errors", `modules.ts imports ${spec}`);
    // An index is the module's public surface: it re-exports, it holds no code of its own, so its declarations are
    // exactly what a cell can import.
    for (const f of sources(runtime).filter((f) => f.endsWith("index.ts") && folders.some((s) => f === join(runtime, s, "index.ts")))) {
      const code = readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "").trim();
      if (f.endsWith(join("sys", "index.ts")) || f.endsWith(join("time", "index.ts"))) continue; // one-file modules
      for (const stmt of code.split(/;\s*/).filter(Boolean)) assert.match(stmt, /^export\s/, `${relative(root, f)}: ${stmt.slice(0, 80)}`);
    }
  });

  it("keeps a runtime module's tests under the same path in test/unit/runtime/ as its code in kernel/runtime/", () => {
    const tests = join(root, "test", "unit", "runtime");
    const files = sources(tests).filter((f) => f.endsWith(".test.ts"));
    assert.ok(files.length >= 10);
    for (const f of files) {
      const folder = relative(tests, dirname(f));
      assert.ok(folder !== "" && existsSync(join(root, "kernel", "runtime", folder, "index.ts")), `${relative(root, f)}: kernel/runtime/${folder} is a module`);
    }
    for (const m of ["threading", "concurrent/futures", "queue", "multiprocessing", "atexit"]) {
      assert.ok(files.some((f) => relative(tests, dirname(f)) === m), `test/unit/runtime/${m} has tests`);
    }
  });

  it("keeps kernel/runtime/core (the plumbing the modules share) off the modules", () => {
    const files = sources(join(root, "kernel", "runtime", "core"));
    assert.ok(files.length >= 10);
    for (const f of files) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) continue;
        const target = resolved(f, spec);
        assert.ok(target.startsWith("kernel/runtime/core/") || target.startsWith("kernel/protocol/"), `${relative(root, f)} imports ${target}`);
      }
    }
  });

  it("keeps kernel/client (the host's end of a kernel process, for the extension and the CLI) to the protocol", () => {
    const files = sources(join(root, "kernel", "client"));
    assert.ok(files.length >= 2);
    for (const f of files) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) continue;
        const target = resolved(f, spec);
        assert.ok(target.startsWith("kernel/client/") || target.startsWith("kernel/protocol/"), `${relative(root, f)} imports ${target}`);
      }
    }
  });

  it("keeps the kernel's host side and extension/ off kernel/runtime (they share its memory through kernel/protocol/layout)", () => {
    const runtime = join(root, "kernel", "runtime");
    const host = [...sources(join(root, "kernel")).filter((f) => !f.startsWith(runtime + "/")), ...sources(join(root, "extension"))];
    assert.ok(host.some((f) => f.endsWith(join("kernel", "program.ts"))) && host.some((f) => f.endsWith(join("kernel", "protocol", "layout.ts"))));
    for (const f of host) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) continue;
        const target = resolved(f, spec);
        assert.ok(!target.startsWith("kernel/runtime/") && target !== "kernel/runtime", `${relative(root, f)} imports ${target}`);
      }
    }
  });

  it("keeps kernel/protocol, which every side imports, importing only itself and Node", () => {
    for (const f of sources(join(root, "kernel", "protocol"))) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) {
          assert.ok(spec.startsWith("node:"), `${relative(root, f)} imports ${spec}`);
          continue;
        }
        const target = resolved(f, spec);
        assert.ok(target.startsWith("kernel/protocol/"), `${relative(root, f)} imports ${target}`);
      }
    }
  });

  it("defines each shared-memory layout of kernel/protocol/layout once: no other file declares an enum of the same name", () => {
    const layout = join(root, "kernel", "protocol", "layout.ts");
    const enums = (file: string) => [...readFileSync(file, "utf8").matchAll(/^\s*(?:export\s+)?(?:const\s+)?enum\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
    const names = new Set(enums(layout));
    for (const n of ["G", "P", "T", "L", "PS", "AsyncSlot", "Arena"]) assert.ok(names.has(n), `layout.ts defines ${n}`);
    for (const f of [...sources(join(root, "kernel")), ...sources(join(root, "extension"))]) {
      if (f === layout) continue;
      const again = enums(f).filter((n) => names.has(n));
      assert.deepEqual(again, [], `${relative(root, f)} declares ${again.join(", ")} again`);
    }
  });


  it("lets extension/ import only vscode, Node, its own files, kernel/protocol, kernel/client and the language server's protocol", () => {
    const server = join(root, "extension", "server");
    for (const f of sources(join(root, "extension")).filter((f) => !f.startsWith(server + "/"))) {
      for (const spec of imports(f)) {
        if (!spec.startsWith(".")) continue;
        const target = resolved(f, spec);
        const ok =
          (target.startsWith("extension/") && !target.startsWith("extension/server/")) ||
          target.startsWith("kernel/protocol/") ||
          target.startsWith("kernel/client/");
        assert.ok(ok || target === "extension/server/protocol", `${relative(root, f)} imports ${target}`);
      }
    }
  });

  it("keeps the language server (its own process) free of vscode, importing only its folder and the kernel's pure compiler and protocol", () => {
    const files = sources(join(root, "extension", "server"));
    assert.ok(files.length >= 3);
    for (const f of files) {
      for (const spec of imports(f)) {
        assert.notEqual(spec, "vscode", `${relative(root, f)} imports vscode`);
        if (!spec.startsWith(".")) continue;
        const target = resolved(f, spec);
        assert.ok(
          ["extension/server/", "kernel/compiler/", "kernel/protocol/"].some((d) => target.startsWith(d)),
          `${relative(root, f)} imports ${target}`,
        );
      }
    }
  });
});

describe("layout: the published extension carries every program it runs", () => {
  it("lets every top-level bundle of out/ into the package (.vscodeignore is an allow-list)", () => {
    const allowed = readFileSync(join(root, ".vscodeignore"), "utf8").split("\n").filter((l) => l.startsWith("!out/"));
    const bundles = readdirSync(join(root, "out")).filter((f) => f.endsWith(".js"));
    assert.ok(bundles.length >= 5, bundles.join(", "));
    for (const b of bundles) assert.ok(allowed.includes(`!out/${b}`), `.vscodeignore leaves out out/${b}`);
  });
});
