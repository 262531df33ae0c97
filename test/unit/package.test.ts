// `npm run package` as a publisher runs it: the .vsix holds exactly the files
// of the allow-list (test/fixtures/package/files.txt), no more and none
// missing, is at most 5 MB, and its manifest names only what it carries.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";

const root = join(__dirname, "..", "..", "..");
const LIMIT = 5 * 1024 * 1024;

/** The allow-list's lines as patterns: `**` any segments, `*` any part of one. */
function patterns(): Array<{ line: string; re: RegExp }> {
  return readFileSync(join(root, "test", "fixtures", "package", "files.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((line) => ({
      line,
      re: new RegExp(
        "^" +
          line
            .split("**")
            .map((part) => part.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
            .join(".*") +
          "$",
      ),
    }));
}

/**
 * The entries of a zip file, and the text of one of them, read from its central directory (a .vsix is a plain zip:
 * stored or deflated entries, no zip64 at this size).
 */
function entries(zip: string, read: string): { names: string[]; text: string } {
  const z = readFileSync(zip);
  let end = z.length - 22;
  while (end >= 0 && z.readUInt32LE(end) !== 0x06054b50) end--; // the end record, after a comment of any length
  assert.ok(end >= 0, "not a zip file");
  const count = z.readUInt16LE(end + 10);
  let at = z.readUInt32LE(end + 16);
  const names: string[] = [];
  let text = "";
  for (let i = 0; i < count; i++) {
    assert.equal(z.readUInt32LE(at), 0x02014b50, "a broken central directory");
    const [method, size, nameLength, extraLength, commentLength, local] = [
      z.readUInt16LE(at + 10),
      z.readUInt32LE(at + 20),
      z.readUInt16LE(at + 28),
      z.readUInt16LE(at + 30),
      z.readUInt16LE(at + 32),
      z.readUInt32LE(at + 42),
    ];
    const name = z.toString("utf8", at + 46, at + 46 + nameLength);
    names.push(name);
    if (name === read) {
      const data = local + 30 + z.readUInt16LE(local + 26) + z.readUInt16LE(local + 28);
      const body = z.subarray(data, data + size);
      text = (method === 8 ? inflateRawSync(body) : body).toString("utf8");
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return { names, text };
}

describe("npm run package", function () {
  this.timeout(300_000);
  const vsix = join(mkdtempSync(join(tmpdir(), "concnb-vsix-")), "concurrency-notebooks.vsix");
  let made: ReturnType<typeof spawnSync>;
  before(() => {
    made = spawnSync(process.execPath, [join(root, "scripts", "package.mjs"), vsix], { cwd: root, encoding: "utf8" });
  });

  it("makes a .vsix of at most 5 MB", () => {
    assert.equal(made.status, 0, `${String(made.stdout).slice(-2000)}\n${String(made.stderr).slice(-2000)}`);
    const size = statSync(vsix).size;
    assert.ok(size <= LIMIT, `${(size / 1024 / 1024).toFixed(2)} MB`);
  });

  it("holds the allow-list's files and nothing else; the manifest names only what it carries", () => {
    const { names, text } = entries(vsix, "extension/package.json");
    const allowed = patterns();
    const unlisted = names.filter((n) => !allowed.some((p) => p.re.test(n)));
    const unused = allowed.filter((p) => !names.some((n) => p.re.test(n))).map((p) => p.line);
    assert.deepEqual(unlisted, [], "files in the package that the allow-list does not name");
    assert.deepEqual(unused, [], "allow-list lines that no file of the package matches");
    const manifest = JSON.parse(text) as { dependencies?: Record<string, string>; devDependencies?: unknown; scripts?: unknown; repository?: unknown };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}).sort(), ["concnb-ts-plugin", "typescript"]);
    assert.equal(manifest.devDependencies, undefined);
    assert.equal(manifest.scripts, undefined);
    assert.ok(manifest.repository, "the Marketplace needs a repository (README images resolve against it)");
  });
});
