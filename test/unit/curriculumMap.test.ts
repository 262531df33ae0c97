// notebooks/README.md maps every section, takeaway and exercise of the five
// Python notes to the lesson cells that teach it. Lessons change (headings are
// renamed, lessons are added), and the map must follow: every place it names,
// `lesson · heading`, is a heading of that lesson; its list of lessons is the
// lessons in notebooks/, with their front-matter titles; every row says how
// fully it is taught, in one of the three ways the file explains; its summary
// counts what the tables hold; and, as the learner has none of the notes'
// files, it names the notes by their titles only, never by a file name or
// number.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseConcnb } from "../../kernel/protocol/format";

const root = join(__dirname.slice(0, __dirname.lastIndexOf("/out/")));
const notebooks = join(root, "notebooks");
const mapFile = join(notebooks, "README.md");

interface Lesson {
  file: string;
  number: number;
  title: string;
  /** Its Markdown cells' headings, as normalizeHeading gives them. */
  headings: Set<string>;
}

/** A heading as the map may name it: an exercise's "1. " left off, emphasis and code marks dropped. */
function normalizeHeading(text: string): string {
  return text
    .replace(/^\d+\.\s+/, "")
    .replace(/[*`]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The `#`..`######` headings of a Markdown text, outside fenced code. */
function markdownHeadings(markdown: string): string[] {
  const headings: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1].startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (h) headings.push(h[1]);
  }
  return headings;
}

function readLessons(): Map<number, Lesson> {
  const lessons = new Map<number, Lesson>();
  for (const file of readdirSync(notebooks).filter((f) => f.endsWith(".concnb")).sort()) {
    const doc = parseConcnb(readFileSync(join(notebooks, file), "utf8"));
    const data = doc.frontMatter?.data ?? {};
    const number = Number(data.lesson ?? Number.parseInt(file, 10));
    const headings = doc.cells
      .filter((c) => c.kind === "markdown")
      .flatMap((c) => markdownHeadings(c.source))
      .map(normalizeHeading);
    const title = typeof data.title === "string" ? data.title : "";
    lessons.set(number, { file, number, title, headings: new Set(headings) });
  }
  return lessons;
}

type Status = "taught" | "in part" | "not yet";

interface Row {
  note: string;
  line: number;
  item: string;
  places: Array<{ lesson: number; heading: string; text: string }>;
  where: string;
  status: Status | null;
  fully: string;
}

interface ParsedMap {
  /** The lesson list: `N. [title](file)`. */
  listed: Array<{ number: number; title: string; file: string; line: number }>;
  rows: Row[];
  /** The note sections that hold a table, in file order. */
  notes: string[];
  summary: Map<string, { items: number; taught: number; inPart: number; notYet: number; line: number }>;
  /** Table lines whose header is neither a note's table nor the summary. */
  unknownTables: number[];
}

const PLACE = /`(\d+) · ([^`]+)`/g;

function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

function statusOf(fully: string): Status | null {
  if (fully === "taught") return "taught";
  if (/^in part \(.+\)$/.test(fully)) return "in part";
  if (/^not yet \(.+\)$/.test(fully)) return "not yet";
  return null;
}

function parseMap(text: string): ParsedMap {
  const lines = text.split(/\r?\n/);
  const parsed: ParsedMap = { listed: [], rows: [], notes: [], summary: new Map(), unknownTables: [] };
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const h2 = /^##\s+(.*?)\s*$/.exec(line);
    if (h2) section = h2[1];
    const item = /^(\d+)\.\s+\[([^\]]+)\]\(([^)]+)\)\s*$/.exec(line);
    if (item) parsed.listed.push({ number: Number(item[1]), title: item[2], file: item[3], line: i + 1 });

    // a table: a header line, a separator line, then rows until a line that is not one
    if (!line.trim().startsWith("|") || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) continue;
    const header = cellsOf(line).join(" | ");
    const kind =
      header === "Item of the note | Where it is taught | How fully"
        ? "note"
        : header === "Note | Items | Taught | In part | Not yet"
          ? "summary"
          : null;
    if (kind === null) parsed.unknownTables.push(i + 1);
    if (kind === "note") parsed.notes.push(section);
    let r = i + 2;
    for (; r < lines.length && lines[r].trim().startsWith("|"); r++) {
      const cells = cellsOf(lines[r]);
      if (kind === "note") {
        const [itemCell = "", where = "", fully = ""] = cells;
        const places = [...where.matchAll(PLACE)].map((m) => ({ lesson: Number(m[1]), heading: m[2], text: m[0] }));
        parsed.rows.push({
          note: section,
          line: r + 1,
          item: cells.length === 3 ? itemCell : `(${cells.length} cells) ${itemCell}`,
          places,
          where,
          status: cells.length === 3 ? statusOf(fully) : null,
          fully,
        });
      } else if (kind === "summary") {
        const [note = "", ...counts] = cells;
        const [items, taught, inPart, notYet] = counts.map(Number);
        parsed.summary.set(note, { items, taught, inPart, notYet, line: r + 1 });
      }
    }
    i = r - 1;
  }
  return parsed;
}

describe("the curriculum map (notebooks/README.md)", () => {
  const text = readFileSync(mapFile, "utf8");
  const map = parseMap(text);
  const lessons = readLessons();

  it("lists every lesson of notebooks/, in order, with its number and front-matter title", () => {
    const expected = [...lessons.values()].map((l) => `${l.number}. ${l.title} (${l.file})`);
    const listed = map.listed.map((l) => `${l.number}. ${l.title} (${l.file})`);
    assert.ok(lessons.size >= 9, `only ${lessons.size} lessons found`);
    assert.deepEqual(listed, expected);
  });

  it("has a table for each of the five notes, and no other tables but the summary", () => {
    assert.equal(map.notes.length, 5, `note tables under: ${map.notes.join(", ")}`);
    assert.equal(new Set(map.notes).size, 5, "two tables under one note's heading");
    assert.deepEqual(map.unknownTables, [], "tables with an unknown header, at these lines");
    assert.ok(map.rows.length > 0);
  });

  it("names, in every place, a heading that the lesson has", () => {
    const wrong: string[] = [];
    for (const row of map.rows) {
      for (const place of row.places) {
        const lesson = lessons.get(place.lesson);
        if (!lesson) wrong.push(`line ${row.line}: ${place.text}: there is no lesson ${place.lesson}`);
        else if (!lesson.headings.has(normalizeHeading(place.heading)))
          wrong.push(`line ${row.line}: ${place.text}: no such heading in ${lesson.file}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("writes the places as `lesson · heading`, separated by semicolons, or — for none", () => {
    const malformed = map.rows
      .filter((row) => row.where !== "—" && (row.places.length === 0 || row.where.replace(PLACE, "").replace(/;/g, "").trim() !== ""))
      .map((row) => `line ${row.line}: ${row.where}`);
    assert.deepEqual(malformed, []);
  });

  it('says for every row how fully it is taught: "taught", "in part (...)" or "not yet (...)"', () => {
    const wrong = map.rows.flatMap((row) => {
      if (row.status === null) return [`line ${row.line}: "${row.fully}"`];
      if (row.status === "not yet" && row.places.length > 0) return [`line ${row.line}: not yet, but it names places`];
      if (row.status !== "not yet" && row.places.length === 0) return [`line ${row.line}: ${row.status}, but where?`];
      return [];
    });
    assert.deepEqual(wrong, []);
  });

  it("counts, in its summary, what each note's table holds", () => {
    const counted = new Map(
      map.notes.map((note) => {
        const rows = map.rows.filter((r) => r.note === note);
        const n = (s: Status) => rows.filter((r) => r.status === s).length;
        return [note, { items: rows.length, taught: n("taught"), inPart: n("in part"), notYet: n("not yet") }];
      }),
    );
    const summary = new Map([...map.summary].map(([note, { line: _line, ...counts }]) => [note, counts]));
    assert.deepEqual(summary, counted);
  });

  it("cites every lesson somewhere", () => {
    const cited = new Set(map.rows.flatMap((r) => r.places.map((p) => p.lesson)));
    assert.deepEqual([...lessons.keys()].filter((n) => !cited.has(n)), []);
  });

  it("names the notes by their titles, never by a file name or number", () => {
    const forbidden = [/seeds?/gi, /\b\d{3}_/g, /\.txt\b/gi, /\.ipynb\b/gi, /\*\*\d{3}\*\*/g, /\bassignments?\s*#?\d+/gi];
    const found = text
      .split("\n")
      .flatMap((line, i) => forbidden.flatMap((re) => [...line.matchAll(re)].map((m) => `line ${i + 1}: "${m[0]}"`)));
    assert.deepEqual(found, []);
  });
});
