// The .concnb format: exact round trips (fixtures, their CRLF / no-final-newline
// / BOM variants, and generated documents), structure, and malformed files that
// keep every byte and say which lines they could not read.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OutputRecord } from "../../kernel/protocol/messages";
import {
  ConcnbSerializeError,
  parseConcnb,
  parseFrontMatter,
  serializeConcnb,
  type ConcnbCell,
  type ConcnbDocumentInput,
} from "../../kernel/protocol/format";

const root = resolve(__dirname, "..", "..", "..");
const fixtures = join(root, "test", "fixtures", "format");
const fixture = (name: string) => readFileSync(join(fixtures, name), "utf8");
const save = { saveOutputs: true };

/** 1-based line of the first line containing needle, so expectations follow the fixture, not the parser. */
function lineOf(text: string, needle: string): number {
  const k = text.split(/\r?\n/).findIndex((l) => l.includes(needle));
  assert.ok(k >= 0, `fixture has no line with ${needle}`);
  return k + 1;
}

/** The same file as CRLF, without its final newline, and with a byte order mark. */
function variants(text: string): Record<string, string> {
  const crlf = text.replace(/\n/g, "\r\n");
  return {
    lf: text,
    crlf,
    "lf, no final newline": text.replace(/\n$/, ""),
    "crlf, no final newline": crlf.replace(/\r\n$/, ""),
    "bom, crlf": `\uFEFF${crlf}`,
  };
}

const shape = (c: ConcnbCell) => ({
  kind: c.kind,
  source: c.source,
  metadata: c.metadata && Object.keys(c.metadata).length > 0 ? c.metadata : undefined,
  outputs: c.outputs && c.outputs.length > 0 ? c.outputs : undefined,
});

describe("format: round trip", () => {
  const names = readdirSync(fixtures).filter((f) => f.endsWith(".concnb"));

  it("has the fixtures it checks", () => assert.ok(names.length >= 5));

  for (const name of names) {
    for (const [variant, text] of Object.entries(variants(fixture(name)))) {
      it(`${name} (${variant}) serializes back to the same bytes`, () => {
        assert.equal(serializeConcnb(parseConcnb(text), save), text);
      });
    }
  }

  it("detects the line ending and the final newline", () => {
    const text = fixture("lesson.concnb");
    const crlf = parseConcnb(text.replace(/\n/g, "\r\n"));
    assert.equal(crlf.eol, "\r\n");
    assert.equal(crlf.finalNewline, true);
    for (const c of crlf.cells) assert.ok(!c.source.includes("\r"), "sources use \\n whatever the file uses");
    assert.deepEqual(crlf.cells.map(shape), parseConcnb(text).cells.map(shape));
    const bare = parseConcnb(text.replace(/\n$/, ""));
    assert.equal(bare.eol, "\n");
    assert.equal(bare.finalNewline, false);
  });

  it("keeps mixed line endings exactly, reading them as LF", () => {
    const text = "<!-- md -->\r\nwindows line\nunix line\r\n\r\n<!-- ts -->\n```ts\nx();\r\n```\n";
    const doc = parseConcnb(text);
    assert.equal(doc.eol, "\n");
    assert.deepEqual(doc.cells.map((c) => c.kind), ["markdown", "code"]);
    assert.equal(serializeConcnb(doc, save), text);
  });

  it("round-trips empty and nearly empty files", () => {
    for (const text of ["", "\n", "\n\n", "   \n", "---\n---\n", "---\n\n---\n", "---\nx: 1\n---", "<!-- md -->", "<!-- md -->\n", "\uFEFF"]) {
      assert.equal(serializeConcnb(parseConcnb(text), save), text, JSON.stringify(text));
    }
    const empty = parseConcnb("");
    assert.deepEqual(empty.cells, []);
    assert.equal(empty.finalNewline, true, "a new notebook gets a final newline once it has cells");
  });
});

describe("format: structure", () => {
  it("reads the front matter, cells, metadata and outputs of a lesson", () => {
    const doc = parseConcnb(fixture("lesson.concnb"));
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.frontMatter?.raw, 'title: Threads, the raw way\nlesson: 1\ntags: [threads, "start & join"]\ndraft: false\n');
    assert.deepEqual(doc.frontMatter?.data, { title: "Threads, the raw way", lesson: 1, tags: ["threads", "start & join"], draft: false });
    assert.deepEqual(doc.cells.map((c) => c.kind), ["markdown", "code", "code", "markdown"]);
    assert.ok(doc.cells[0].source.startsWith("# Threads\n"));
    assert.ok(doc.cells[0].source.endsWith("```python\nt = threading.Thread(target=work)\n```"), "a fence in prose is prose");
    assert.equal(doc.cells[1].source, 'import { Thread } from "threading";\nconsole.log("hi");');
    assert.deepEqual(doc.cells[2].metadata, { collapsed: true, tags: ["demo"] });
    assert.deepEqual(doc.cells[2].outputs, [
      { stream: "stdout", thread: "worker", text: "<!-- not a comment -->\n" },
      { stream: "stderr", thread: "MainThread", text: "a ----> b\n" },
    ]);
    assert.equal(doc.cells[3].source, "That's all.");
    for (const c of doc.cells) assert.equal(c.layout, undefined, "the fixture is spelled the way the serializer writes");
  });

  it("gives the CLI the code cells in order", () => {
    const doc = parseConcnb(fixture("lesson.concnb"));
    const code = doc.cells.filter((c) => c.kind === "code").map((c) => c.source.split("\n")[0]);
    assert.deepEqual(code, ['import { Thread } from "threading";', 'const t = new Thread({ target: () => console.log("<!-- not a comment -->"), name: "worker" });']);
  });

  it("treats one blank line before a marker as the separator and other blank lines as content", () => {
    const doc = parseConcnb(fixture("blank-lines.concnb"));
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(
      doc.cells.map((c) => [c.kind, c.source]),
      [
        ["markdown", "\n\nTwo blank lines above are content, and one below.\n"],
        ["code", "\nlet x = 1;\n"],
        ["markdown", "No blank line before the next marker."],
        ["markdown", ""],
        ["code", ""],
        ["code", ""],
        ["markdown", "Trailing blank lines at the end are content of the last Markdown cell.\n\n"],
      ],
    );
  });

  it("reads hand-spelled markers and fences, and fences longer than the code's backtick runs", () => {
    const doc = parseConcnb(fixture("fences.concnb"));
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.cells.map((c) => c.kind), ["code", "code", "markdown", "markdown"]);
    assert.equal(doc.cells[0].source, "const md = `\n```ts\nnested\n```\n`;");
    assert.equal(doc.cells[1].source, "const five = `\n  ````\n`;");
    assert.deepEqual(doc.cells[1].metadata, { collapsed: true });
    assert.deepEqual(doc.cells[2].metadata, { note: "md with metadata" });
    assert.ok(doc.cells[3].source.startsWith("<!-- md is not a marker"), "an HTML comment that only starts with md is prose");
  });

  it("reads lenient front matter", () => {
    const data = parseFrontMatter(
      ["title: 'It''s threads' # a comment", 'quoted: "a: b"', "n: -2.5", "yes: TRUE", "none: ~", "empty:", "list: []", "nested:", "  child: 1", "__proto__: x", "url: http://x/#y", ""].join("\n"),
    );
    assert.deepEqual(data, { title: "It's threads", quoted: "a: b", n: -2.5, yes: true, none: null, empty: null, list: [], nested: null, url: "http://x/#y" });
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });
});

describe("format: parts the parser does not understand", () => {
  it("keeps every byte of a malformed file as raw cells and names their lines", () => {
    const text = fixture("malformed.concnb");
    const doc = parseConcnb(text);
    assert.equal(serializeConcnb(doc, save), text);
    assert.equal(serializeConcnb(doc, { saveOutputs: false }), text, "raw parts are written as they are, outputs setting or not");
    const expected: Array<[number, RegExp]> = [
      [lineOf(text, "STRAY"), /before the first cell marker/],
      [lineOf(text, '"bad": json'), /not valid JSON/],
      [lineOf(text, "NOFENCE"), /fenced code block/],
      [lineOf(text, "```python"), /TypeScript/],
      [lineOf(text, "UNCLOSED") - 1, /not closed by a line of 3 backticks/],
      [lineOf(text, "JUNK"), /text after the code block that ends at line \d+/],
      [lineOf(text, "BADOUTPUTS") - 1, /outputs block is not valid JSON/],
      [lineOf(text, "OPENOUTPUTS") - 1, /outputs block .* not closed/],
      [lineOf(text, '{"a": 1} [1]'), /not valid JSON/],
      [lineOf(text, "<!-- ts [1] -->"), /must be a JSON object/],
    ];
    assert.deepEqual(
      doc.problems.map((p) => p.line),
      expected.map(([line]) => line),
    );
    doc.problems.forEach((p, k) => assert.match(p.message, expected[k][1], `line ${p.line}`));
    const raws = doc.cells.filter((c) => c.kind === "raw");
    assert.equal(raws.length, expected.length, "one raw cell per problem");
    for (const r of raws) assert.ok(text.includes(r.source), `raw text is a verbatim part of the file: ${r.source}`);
    const good = doc.cells.filter((c) => c.kind !== "raw").map((c) => c.source);
    assert.deepEqual(good, ["Fine prose.", "okay();", "outputsBad();", "outputsOpen();", "The end."]);
  });

  it("reports an unclosed front matter and still reads the cells after it", () => {
    const text = fixture("unclosed-front-matter.concnb");
    const doc = parseConcnb(text);
    assert.equal(doc.frontMatter, undefined);
    assert.deepEqual(doc.problems.map((p) => p.line), [1]);
    assert.match(doc.problems[0].message, /front matter/);
    assert.deepEqual(doc.cells.map((c) => c.kind), ["raw", "markdown"]);
    assert.equal(doc.cells[0].source, "---\ntitle: never closed");
    assert.equal(doc.cells[1].source, "# Still read\n---\nA rule above, not front matter.");
  });

  it("writes raw cells byte for byte when other cells change, and drops emptied ones", () => {
    const text = fixture("malformed.concnb");
    const doc = parseConcnb(text);
    const fine = doc.cells.findIndex((c) => c.source === "Fine prose.");
    const cells = doc.cells.map((c, k) => (k === fine ? { ...c, source: "Edited prose." } : c));
    assert.equal(serializeConcnb({ ...doc, cells }, save), text.replace("Fine prose.", "Edited prose."));
    const stray = doc.cells[0];
    assert.equal(stray.kind, "raw");
    const without = serializeConcnb({ ...doc, cells: [{ ...stray, source: "" }, ...doc.cells.slice(1)] }, save);
    assert.equal(without, text.slice(text.indexOf("<!-- md -->")));
  });
});

describe("format: writing", () => {
  const record = (text: string, stream: OutputRecord["stream"] = "stdout"): OutputRecord => ({ stream, thread: "MainThread", text });

  it("leaves outputs out unless asked to save them", () => {
    const text = fixture("lesson.concnb");
    const doc = parseConcnb(text);
    const lines = text.split("\n");
    const open = lines.indexOf("<!-- outputs");
    const close = lines.indexOf("-->", open);
    const expected = [...lines.slice(0, open), ...lines.slice(close + 1)].join("\n");
    const written = serializeConcnb(doc, { saveOutputs: false });
    assert.equal(written, expected);
    const back = parseConcnb(written);
    assert.ok(back.cells.every((c) => c.outputs === undefined));
    assert.deepEqual(back.cells.map((c) => c.source), doc.cells.map((c) => c.source));
  });

  it("writes outputs so that no text can close the comment early", () => {
    const nasty = ["-->", "--->", "a--b", "<!-- md -->\n", "\u2028\u2029", "\r\n", "\\-->", "-"];
    const outputs = nasty.map((t, k) => record(t, k % 2 ? "stderr" : "stdout"));
    const text = serializeConcnb({ cells: [{ kind: "code", source: "x();", outputs }, { kind: "markdown", source: "after" }] }, save);
    const lines = text.split("\n");
    const open = lines.indexOf("<!-- outputs");
    const close = lines.indexOf("-->");
    assert.ok(open > 0 && close > open);
    for (const l of lines.slice(open + 1, close)) {
      assert.ok(!l.includes("--"), `no -- inside the block: ${l}`);
      assert.ok(!/[\u2028\u2029]/.test(l));
    }
    assert.equal(lines.slice(open + 1, close).length, outputs.length, "one record a line");
    const back = parseConcnb(text);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.cells[0].outputs, outputs);
    assert.equal(back.cells[1].source, "after");
  });

  it("writes metadata that cannot close the marker", () => {
    const metadata = { "a-->b": "--x-->", n: -1, list: [-2, "--"] };
    const text = serializeConcnb({ cells: [{ kind: "code", source: "", metadata }] }, save);
    const marker = text.split("\n")[0];
    assert.ok(marker.startsWith("<!-- ts {") && marker.endsWith("} -->"));
    assert.ok(!marker.slice(4, -3).includes("--"));
    assert.deepEqual(parseConcnb(text).cells[0].metadata, metadata);
  });

  it("picks a fence longer than any backtick run that starts a code line", () => {
    for (const code of ["```", "  ````", "`````ts", "a ``````` b", "``", "\t```\n```ts"]) {
      const text = serializeConcnb({ cells: [{ kind: "code", source: code }] }, save);
      const fence = text.split("\n")[1];
      const longest = Math.max(...code.split("\n").map((l) => /^\s*(`*)/.exec(l)![1].length));
      assert.match(fence, /^`+ts$/);
      assert.ok(fence.length - 2 > Math.max(2, longest), `${fence} for ${JSON.stringify(code)}`);
      assert.equal(parseConcnb(text).cells[0].source, code);
    }
  });

  it("rewrites only the cell that was edited, in its canonical spelling", () => {
    const text = fixture("fences.concnb");
    const doc = parseConcnb(text);
    const cells = doc.cells.map((c, k) => (k === 0 ? { ...c, source: "edited();" } : c));
    const written = serializeConcnb({ ...doc, cells }, save);
    const rest = text.slice(text.indexOf('<!-- ts {  "collapsed"'));
    assert.equal(written, `<!-- ts -->\n\`\`\`ts\nedited();\n\`\`\`\n\n${rest}`);
  });

  it("keeps a hand-spelled gap, but only while it still reads back the same", () => {
    const doc = parseConcnb("<!-- md -->\nno separator\n<!-- md -->\nnext\n");
    assert.equal(serializeConcnb(doc, save), "<!-- md -->\nno separator\n<!-- md -->\nnext\n");
    // Ending with an empty line, the cell now needs a separator or that line would become one.
    const edited = [{ ...doc.cells[0], source: "now ends empty\n" }, doc.cells[1]];
    const written = serializeConcnb({ ...doc, cells: edited }, save);
    assert.deepEqual(parseConcnb(written).cells.map((c) => c.source), ["now ends empty\n", "next"]);
  });

  it("uses a hand-spelled outputs block only while the outputs are the same", () => {
    const text = '<!-- ts -->\n```ts\nx();\n```\n\n<!-- outputs\n[\n  {"stream": "stdout", "thread": "MainThread", "text": "1\\n"}\n]\n-->\n';
    const doc = parseConcnb(text);
    assert.equal(serializeConcnb(doc, save), text);
    const rerun = [{ ...doc.cells[0], outputs: [record("2\n")] }];
    const written = serializeConcnb({ ...doc, cells: rerun }, save);
    assert.ok(written.includes('\n<!-- outputs\n[{"stream":"stdout","thread":"MainThread","text":"2\\n"}]\n-->\n'), written);
  });

  it("throws a named error for metadata JSON cannot hold", () => {
    const metadata: Record<string, unknown> = {};
    metadata.self = metadata;
    assert.throws(() => serializeConcnb({ cells: [{ kind: "markdown", source: "", metadata }] }, save), (e: Error) => e instanceof ConcnbSerializeError && e.name === "ConcnbSerializeError");
  });
});

describe("format: generated documents", () => {
  // A seeded generator, so a failure names a case that can be replayed.
  function random(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // Lines chosen to sit near every rule of the format; a line that is itself a cell marker cannot be content (see FORMAT.md).
  const palette = ["", "", " ", "\t", "x", "```", "````", "```ts", "  ```", "`", "--", "---", "-->", "<!--", "<!-- outputs", "<!-- md is prose -->", "<!-- mdx -->", "a\rb", "\\", '"', "é ü 漢字", "\u2028", "# heading", "  indented"];
  const metas = [undefined, {}, { collapsed: true }, { "a-->b": "--x--", n: -1, arr: [1, "-->"] }, { concnb: { raw: true } }];

  function generate(rnd: () => number): ConcnbDocumentInput {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const text = (max: number) => Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick(palette)).join("\n");
    const finalNewline = rnd() < 0.7;
    const cells: ConcnbCell[] = Array.from({ length: Math.floor(rnd() * 6) }, () => {
      const kind = rnd() < 0.5 ? "markdown" : "code";
      const cell: ConcnbCell = { kind, source: text(5) };
      const metadata = pick(metas);
      if (metadata) cell.metadata = metadata;
      if (kind === "code" && rnd() < 0.5) cell.outputs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ stream: pick(["stdout", "stderr"] as const), thread: pick(["MainThread", "Thread-1 (w)", "--"]), text: text(3) }));
      return cell;
    });
    // Without a final newline, a trailing empty line of the last Markdown cell would read as the final newline.
    const last = cells[cells.length - 1];
    if (!finalNewline && last?.kind === "markdown" && last.source.endsWith("\n")) last.source += "x";
    const frontMatter = rnd() < 0.5 ? { raw: Array.from({ length: Math.floor(rnd() * 3) }, () => `${pick(["title: T", "lesson: 2", "", "  - x"])}\n`).join("") } : undefined;
    return { frontMatter, cells, eol: rnd() < 0.5 ? "\n" : "\r\n", finalNewline };
  }

  for (let seed = 1; seed <= 400; seed++) {
    it(`seed ${seed}: serialize, parse and serialize again`, () => {
      const doc = generate(random(seed));
      const text = serializeConcnb(doc, save);
      const back = parseConcnb(text);
      assert.deepEqual(back.problems, []);
      assert.deepEqual(back.cells.map(shape), doc.cells.map(shape));
      for (const c of back.cells) assert.equal(c.layout, undefined, "the serializer's own spelling needs no layout");
      assert.equal(back.frontMatter?.raw, doc.frontMatter?.raw);
      if (text !== "") {
        assert.equal(back.eol, text.includes("\n") ? doc.eol : "\n");
        assert.equal(back.finalNewline, doc.finalNewline);
      }
      assert.equal(serializeConcnb(back, save), text);
    });
  }
});

describe("format: docs/FORMAT.md", () => {
  it("has examples that read without problems and write back unchanged", () => {
    const doc = readFileSync(join(root, "docs", "FORMAT.md"), "utf8");
    const examples = [...doc.matchAll(/^(`{4,})markdown\n([\s\S]*?)^\1$/gm)].map((m) => m[2]);
    assert.ok(examples.length >= 2);
    for (const text of examples) {
      const parsed = parseConcnb(text);
      assert.deepEqual(parsed.problems, []);
      assert.ok(parsed.cells.some((c) => c.kind === "code"));
      assert.equal(serializeConcnb(parsed, save), text);
    }
  });
});

describe("format: grammar and language configuration", () => {
  const grammar = JSON.parse(readFileSync(join(root, "syntaxes", "concnb.tmLanguage.json"), "utf8"));

  it("is JSON with its $schema and scope name", () => {
    assert.equal(grammar.$schema, "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json");
    assert.equal(grammar.scopeName, "text.concnb");
    const all = JSON.stringify(grammar);
    for (const scope of ["meta.embedded.block.typescript", "meta.embedded.block.frontmatter", "source.ts", "source.yaml", "text.html.markdown"]) {
      assert.ok(all.includes(`"${scope}"`), scope);
    }
  });

  it("highlights as markers exactly the lines the parser reads as markers", () => {
    const md = new RegExp(grammar.repository.markdownCell.begin);
    const ts = new RegExp(grammar.repository.codeCell.begin);
    const lines = ["<!-- md -->", "<!--md-->", "<!--   md   -->", '<!-- md {"a":1} -->', "<!-- ts -->", '<!-- ts {"collapsed":true} -->', "<!--ts{}-->", "<!-- ts -->  ", "<!-- md is prose -->", "<!-- mdx -->", " <!-- md -->", "<!-- outputs", "<!-- tsx -->", "<!-- md -- >"];
    for (const line of lines) {
      const kind = parseConcnb(`${line}\n\`\`\`ts\n\`\`\`\n`).cells[0]?.kind;
      assert.equal(md.test(line), kind === "markdown", `md: ${line}`);
      assert.equal(ts.test(line), kind === "code", `ts: ${line}`);
    }
  });

  it("has a language configuration with HTML comments", () => {
    const config = JSON.parse(readFileSync(join(root, "syntaxes", "language-configuration.json"), "utf8"));
    assert.deepEqual(config.comments.blockComment, ["<!--", "-->"]);
    assert.ok(Array.isArray(config.brackets));
  });
});
