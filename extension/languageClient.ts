// The client end of the language server (extension/server, its own process):
// started when the first .concnb notebook is open, never before, so activating
// for something else costs no process. It owns the client and its disposables.
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { NOTEBOOK_TYPE } from "./controller";
import { CHECK_ARGUMENTS_REQUEST, type CheckArgumentsParams, type CheckArgumentsResult, type ParamInfo } from "./server/protocol";

export class LanguageFeatures implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly channel: vscode.OutputChannel,
  ) {
    this.disposables.push(vscode.workspace.onDidOpenNotebookDocument((n) => this.startFor(n)));
    for (const notebook of vscode.workspace.notebookDocuments) this.startFor(notebook);
  }

  /**
   * What is wrong with `text` as the arguments of a function with these
   * parameters, and, given its cell and name, with their types (undefined
   * when nothing is). Without a running server the
   * kernel is left to report it.
   */
  async checkArguments(text: string, params: ParamInfo[], of?: { cell: string; name: string }): Promise<string | undefined> {
    await this.starting;
    if (!this.client?.isRunning()) return undefined;
    const request: CheckArgumentsParams = { text, params, ...of };
    const result = await this.client.sendRequest<CheckArgumentsResult>(CHECK_ARGUMENTS_REQUEST, request);
    return result.error;
  }

  /** Stops the server process; deactivate waits for it. */
  async stop(): Promise<void> {
    for (const d of this.disposables.splice(0)) d.dispose();
    const client = this.client;
    this.client = undefined;
    await this.starting;
    if (client?.isRunning()) await client.stop();
  }

  dispose(): void {
    this.stop().catch((error: unknown) => this.log(`stopping the language server: ${messageOf(error)}`));
  }

  private startFor(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== NOTEBOOK_TYPE || this.client) return;
    const module = vscode.Uri.joinPath(this.extensionUri, "out", "server.js").fsPath;
    const server: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--inspect=6010"] } },
    };
    const options: LanguageClientOptions = {
      // the TypeScript cells of our notebooks only (a Jupyter notebook's TypeScript is not ours)
      documentSelector: [{ notebook: NOTEBOOK_TYPE, language: "typescript" }],
      outputChannel: this.channel,
    };
    const client = new LanguageClient("concnb", "Concurrency Notebooks language server", server, options);
    this.client = client;
    this.starting = client.start().then(
      () => this.log("language server started"),
      (error: unknown) => this.log(`the language server did not start: ${messageOf(error)}`),
    );
  }

  private log(line: string): void {
    try {
      this.channel.appendLine(line);
    } catch {
      /* the channel is gone during shutdown */
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
