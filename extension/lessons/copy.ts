// Copying the lessons on disk: reads both folders, plans (plan.ts), writes.
// Plain Node, no VS Code, so the unit tests run it on real folders. A file
// that appears between the plan and the write is not written over ("wx"):
// whatever is there might be the learner's.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { planLessons, recordAfter, type Step } from "./plan";

export const LESSON_EXTENSION = ".concnb";

/** A lesson could not be read or written: which file, and why, in words a learner can act on. */
export class LessonCopyError extends Error {
  override readonly name = "LessonCopyError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export interface CopyResult {
  /** Each bundled lesson's step, done or (after `error`) not. */
  steps: Step[];
  /** The steps that were carried out; when a write fails, those before it. */
  done: Step[];
  /** What the folder now holds of what was copied: record it for the next run. */
  recorded: Map<string, string>;
  error?: LessonCopyError;
}

export function hashOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The .concnb files directly in `dir`, name → content; a folder that does not exist has none. */
export async function readLessons(dir: string): Promise<Map<string, Uint8Array>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith(LESSON_EXTENSION)).map((e) => e.name);
  } catch (e) {
    if (codeOf(e) === "ENOENT") return new Map();
    throw new LessonCopyError(dir, reasonOf(e));
  }
  const out = new Map<string, Uint8Array>();
  for (const name of names.sort()) {
    try {
      out.set(name, await readFile(join(dir, name)));
    } catch (e) {
      throw new LessonCopyError(join(dir, name), reasonOf(e));
    }
  }
  return out;
}

export interface CopyOptions {
  /** The folder of lessons to copy (the extension's own notebooks/). */
  from: string;
  /** The learner's folder; made when it does not exist. */
  to: string;
  /** What was copied into `to` before (see CopyResult.recorded). */
  recorded: ReadonlyMap<string, string>;
  /** Names of lessons open with unsaved changes. */
  unsaved?: ReadonlySet<string>;
  /** For the names of side copies: the extension's version. */
  label: string;
}

/** Plans and carries out the copy. Reading errors throw LessonCopyError; a writing error stops there and is returned with what was done. */
export async function copyLessons(options: CopyOptions): Promise<CopyResult> {
  const bundled = await readLessons(options.from);
  if (bundled.size === 0) throw new LessonCopyError(options.from, "there are no lessons (.concnb files) to copy there");
  const target = await readLessons(options.to);
  const hashes = (m: Map<string, Uint8Array>) => new Map([...m].map(([name, bytes]) => [name, hashOf(bytes)]));
  const steps = planLessons({ bundled: hashes(bundled), target: hashes(target), recorded: options.recorded, unsaved: options.unsaved, label: options.label });
  const done: Step[] = [];
  try {
    await mkdir(options.to, { recursive: true });
  } catch (e) {
    return { steps, done, recorded: new Map(options.recorded), error: new LessonCopyError(options.to, reasonOf(e)) };
  }
  for (const step of steps) {
    const file = writtenAs(step);
    if (file !== undefined) {
      const path = join(options.to, file);
      try {
        await writeFile(path, bundled.get(step.name)!, { flag: step.kind === "replace" ? "w" : "wx" });
      } catch (e) {
        return { steps, done, recorded: recordAfter(options.recorded, done), error: new LessonCopyError(path, reasonOf(e)) };
      }
    }
    done.push(step);
  }
  return { steps, done, recorded: recordAfter(options.recorded, done) };
}

/** The file a step writes, if it writes one. */
function writtenAs(step: Step): string | undefined {
  switch (step.kind) {
    case "copy":
    case "replace":
      return step.name;
    case "beside":
      return step.beside;
    case "keep":
    case "leave":
      return undefined;
  }
}

function codeOf(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : undefined;
}

/** Node's error codes in plain words; anything else as Node says it. */
function reasonOf(e: unknown): string {
  switch (codeOf(e) ?? "") {
    case "EACCES":
    case "EPERM":
      return "permission denied (you may not write there)";
    case "EROFS":
      return "the disk is read-only";
    case "ENOSPC":
      return "the disk is full";
    case "ENOTDIR":
      return "a file is in the way where a folder should be";
    case "EISDIR":
      return "a folder is in the way where a lesson file should be";
    case "EEXIST":
      return "something of that name is there already, and was left as it is";
    case "ENOENT":
      return "it does not exist";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
