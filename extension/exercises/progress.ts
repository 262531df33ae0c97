// The learner's progress: each exercise's latest verdict, remembered across
// restarts in the extension's global storage, never in the lesson file (the
// file is the learner's text; a verdict is about one run of it). Keyed by the
// lesson's file name and the exercise's id, so a fresh copy of the lessons
// keeps what was passed.
import * as vscode from "vscode";

export interface Verdict {
  passed: boolean;
  /** "passed 20 of 20 runs", "failed 3 of 20 runs: expected 200000, got 187411 (cell 6, line 3)". */
  text: string;
  /** The exercise's text the verdict is about. */
  source: string;
  /** When it was given (ms since the epoch). */
  at: number;
}

const KEY = "concnb.progress";
/** A verdict's text is short, and a learner's exercise small; a pasted megabyte is not kept. */
const MAX_SOURCE = 64 * 1024;

type Stored = Record<string, Record<string, Verdict>>;

/** The lesson's name as progress knows it: its file name. */
export function lessonKey(uri: vscode.Uri): string {
  return uri.path.split("/").pop() ?? uri.path;
}

export class Progress implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires when a verdict is recorded (with its lesson's key, see lessonKey) or progress is cleared (undefined). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  get(lesson: vscode.Uri, exercise: string): Verdict | undefined {
    const v = this.all()[lessonKey(lesson)]?.[exercise];
    return isVerdict(v) ? v : undefined;
  }

  async record(lesson: vscode.Uri, exercise: string, verdict: Omit<Verdict, "at">): Promise<void> {
    const all = this.all();
    const key = lessonKey(lesson);
    const source = verdict.source.length > MAX_SOURCE ? "" : verdict.source;
    all[key] = { ...all[key], [exercise]: { ...verdict, source, at: Date.now() } };
    await this.memento.update(KEY, all);
    this.changed.fire(key);
  }

  /** Forgets every verdict (the command "Reset Progress"). */
  async clear(): Promise<void> {
    await this.memento.update(KEY, undefined);
    this.changed.fire(undefined);
  }

  private all(): Stored {
    const v = this.memento.get<unknown>(KEY);
    return typeof v === "object" && v !== null ? { ...(v as Stored) } : {};
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function isVerdict(v: unknown): v is Verdict {
  const o = v as Verdict | undefined;
  return typeof o === "object" && o !== null && typeof o.passed === "boolean" && typeof o.text === "string" && typeof o.source === "string";
}
