// What copying the lessons into a learner's folder does to each file, decided
// from hashes alone (no files, no VS Code), so every case can be tested. The
// rule it keeps: a learner's edit is never overwritten. A file still as it was
// copied is not the learner's work, so a newer lesson may replace it; a file
// that differs from what was copied (or was there before any copy) is theirs,
// and a newer lesson goes beside it under a name that says what it is.
//
// "Newer" means the bundled file differs from what was copied last time: the
// extension cannot order two versions of a lesson, but it knows the text it
// wrote, and a bundle that no longer has that text has changed since.

export interface PlanInput {
  /** The lessons to copy: file name → hash of its content. */
  bundled: ReadonlyMap<string, string>;
  /** Every file in the learner's folder now: file name → hash (lessons, earlier side copies, their own files). */
  target: ReadonlyMap<string, string>;
  /** What was copied into this folder before: file name → hash of what was written. */
  recorded: ReadonlyMap<string, string>;
  /** Files open with unsaved changes: on disk they may look untouched, but the learner is editing them. */
  unsaved?: ReadonlySet<string>;
  /** Goes into a side copy's name ("0.2.0" gives "01-threads (lesson 0.2.0).concnb"). */
  label: string;
}

export type Step =
  /** Not in the folder: written. */
  | { kind: "copy"; name: string; hash: string }
  /** As it was copied, and the bundled lesson is newer: written over. */
  | { kind: "replace"; name: string; hash: string }
  /** Changed by the learner, and the bundled lesson is newer: theirs stays, the lesson is written as `beside`. */
  | { kind: "beside"; name: string; beside: string; hash: string }
  /** Changed by the learner and nothing newer to add (or the newer lesson is beside it already): untouched. */
  | { kind: "keep"; name: string; hash: string }
  /** The same as the bundled lesson: untouched. */
  | { kind: "leave"; name: string; hash: string };

/** A name for side copies never goes past this many tries: a folder with a hundred of them has something else wrong. */
const MAX_SIDE_COPIES = 100;

/** Each bundled lesson's step, in file name order (the lessons' order). */
export function planLessons(input: PlanInput): Step[] {
  const names = [...input.bundled.keys()].sort();
  const taken = new Set(input.target.keys());
  return names.map((name) => {
    const hash = input.bundled.get(name)!;
    const now = input.target.get(name);
    if (now === undefined) {
      taken.add(name);
      return { kind: "copy", name, hash };
    }
    if (now === hash) return { kind: "leave", name, hash };
    const copied = input.recorded.get(name);
    const untouched = copied !== undefined && now === copied && !input.unsaved?.has(name);
    if (untouched) return { kind: "replace", name, hash };
    // theirs; there is something to add only if the lesson changed since it was copied (or was never copied here)
    if (copied !== undefined && copied === hash) return { kind: "keep", name, hash };
    for (let n = 1; n <= MAX_SIDE_COPIES; n++) {
      const beside = besideName(name, input.label, n);
      const there = input.target.get(beside);
      if (there === hash) return { kind: "keep", name, hash };
      if (there === undefined && !taken.has(beside)) {
        taken.add(beside);
        return { kind: "beside", name, beside, hash };
      }
    }
    return { kind: "keep", name, hash };
  });
}

/** "01-threads.concnb" → "01-threads (lesson 0.2.0).concnb"; the n-th try adds ", n". */
export function besideName(name: string, label: string, n = 1): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  return `${stem} (lesson ${label}${n > 1 ? `, ${n}` : ""})${ext}`;
}

/** What was copied into the folder once the steps are done: the record to keep for the next run. */
export function recordAfter(recorded: ReadonlyMap<string, string>, done: readonly Step[]): Map<string, string> {
  const next = new Map(recorded);
  for (const step of done) {
    switch (step.kind) {
      case "copy":
      case "replace":
      case "leave":
        next.set(step.name, step.hash);
        break;
      case "beside":
        // the learner's file keeps its old record: it still differs from what was copied, so it stays theirs
        next.set(step.beside, step.hash);
        break;
      case "keep":
        break;
    }
  }
  return next;
}
