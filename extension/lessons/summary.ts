// What the learner is told after the lessons were copied: plainly, which files
// were written, which of theirs were kept, and where a newer lesson went
// instead. Pure, so the words are tested with the plan.
import type { Step } from "./plan";

export interface Summary {
  /** "warning" when a file of theirs was kept beside a newer lesson: they should notice, and may want to compare. */
  level: "info" | "warning";
  text: string;
}

export function summarize(steps: readonly Step[], folder: string): Summary {
  const of = <K extends Step["kind"]>(kind: K) => steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
  const copied = of("copy");
  const replaced = of("replace");
  const beside = of("beside");
  const kept = of("keep");
  const parts: string[] = [];
  if (copied.length > 0) parts.push(`Copied ${count(copied.length, "lesson")} into ${folder}.`);
  if (replaced.length > 0) parts.push(`Updated ${count(replaced.length, "lesson")} you had not changed: ${names(replaced.map((s) => s.name))}.`);
  if (beside.length === 1) parts.push(`Kept ${beside[0].name}, which you changed; the new version of the lesson is beside it, as ${beside[0].beside}.`);
  if (beside.length > 1) {
    const pairs = beside.map((s) => `${s.name} (new version: ${s.beside})`);
    parts.push(`Kept ${beside.length} lessons you changed, each with its new version beside it: ${names(pairs)}.`);
  }
  if (kept.length > 0) parts.push(`Your changes to ${names(kept.map((s) => s.name))} are kept as they are.`);
  if (copied.length + replaced.length + beside.length === 0) parts.unshift(`The lessons in ${folder} are up to date.`);
  return { level: beside.length > 0 ? "warning" : "info", text: parts.join(" ") };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function names(list: readonly string[]): string {
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}
