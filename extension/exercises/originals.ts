// What Reset puts back: an exercise's text as the lesson gives it. For a
// lesson the extension ships, that is the bundled copy's cell (notebooks/ of
// the extension, by file name), whatever the learner's copy says now; for any
// other notebook, and for the bundled files themselves when they are the ones
// open (as `npm start` opens them), the text first seen when the notebook was
// opened, kept in global storage (never in the file).
import * as vscode from "vscode";
import { exercisesOf } from "../../kernel/protocol/exercises";
import { parseConcnb } from "../../kernel/protocol/format";
import { exercisesIn } from "./inNotebook";
import { lessonKey } from "./progress";

const KEY = "concnb.originals";

type Stored = Record<string, Record<string, string>>;

export class Originals {
  /** The bundled lessons' exercise texts by file name, read once. */
  private readonly bundled = new Map<string, Promise<Map<string, string>>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly memento: vscode.Memento,
  ) {}

  /** The exercise's original text, or undefined when it is not known. */
  async of(notebook: vscode.NotebookDocument, id: string): Promise<string | undefined> {
    const own = this.bundledUri(notebook);
    if (own.toString() !== notebook.uri.toString()) {
      const text = (await this.bundledTexts(own)).get(id);
      if (text !== undefined) return text;
    }
    return this.stored()[notebook.uri.toString()]?.[id];
  }

  /** Remembers each exercise's text the first time its notebook is seen. */
  async remember(notebook: vscode.NotebookDocument): Promise<void> {
    const exercises = exercisesIn(notebook);
    if (exercises.size === 0) return;
    const all = this.stored();
    const key = notebook.uri.toString();
    const seen = { ...all[key] };
    let added = false;
    for (const ex of exercises.values()) {
      if (seen[ex.id] !== undefined) continue;
      seen[ex.id] = notebook.cellAt(ex.exercise).document.getText();
      added = true;
    }
    if (added) await this.memento.update(KEY, { ...all, [key]: seen });
  }

  private bundledUri(notebook: vscode.NotebookDocument): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, "notebooks", lessonKey(notebook.uri));
  }

  private bundledTexts(uri: vscode.Uri): Promise<Map<string, string>> {
    const key = uri.toString();
    let texts = this.bundled.get(key);
    if (!texts) {
      texts = Promise.resolve(vscode.workspace.fs.readFile(uri)).then(
        (bytes) => {
          const doc = parseConcnb(new TextDecoder().decode(bytes));
          const { exercises } = exercisesOf(doc.cells);
          return new Map([...exercises.values()].map((ex) => [ex.id, doc.cells[ex.exercise].source]));
        },
        () => new Map<string, string>(), // not a bundled lesson
      );
      this.bundled.set(key, texts);
    }
    return texts;
  }

  private stored(): Stored {
    const v = this.memento.get<unknown>(KEY);
    return typeof v === "object" && v !== null ? (v as Stored) : {};
  }
}
