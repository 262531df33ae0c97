// Folders follow process boundaries (DESIGN.md): these rules are checked on
// the sources themselves, so a stray import fails the build's tests.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
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
