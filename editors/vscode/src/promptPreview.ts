/**
 * `Forge: Preview System Prompt`: the system prompt the runtime assembles for the bot of the active file
 * (`forge.bot.preview`), in a read-only virtual document on its own scheme that refreshes while the bot's
 * files are edited, with each section as a document symbol and its token count in its heading.
 */
import * as path from 'path';
import * as vscode from 'vscode';

export const PROMPT_SCHEME = 'forge-prompt';
export const PREVIEW_SERVER_COMMAND = 'forge.bot.preview';
export const PREVIEW_PALETTE_COMMAND = 'forge.ui.previewSystemPrompt';

/** How long edits must rest before the preview asks the server again. */
const REFRESH_DELAY_MS = 300;

type Exec = (command: string, arg: unknown) => Promise<unknown>;

/** What `forge.bot.preview` returns (docs/interface.md, "Preview command"). */
export interface PreviewResult {
  kind: string;
  markdown: string;
  tokens: number;
  exact: boolean;
  files: string[];
}

export function isPreviewResult(v: unknown): v is PreviewResult {
  const r = v as PreviewResult;
  return typeof r === 'object' && r !== null && typeof r.markdown === 'string' && Array.isArray(r.files);
}

/** A `## ` heading of the preview and the lines its section spans (to the next heading). */
export interface Heading {
  name: string;
  line: number;
  endLine: number;
}

/** The sections of a preview's Markdown: its `## ` headings outside fenced blocks. */
export function headings(markdown: string): Heading[] {
  const lines = markdown.split('\n');
  const out: Heading[] = [];
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const opener = /^(`{3,})/.exec(line);
    if (opener) {
      if (fence === undefined) {
        fence = opener[1];
      } else if (line.trim() === fence) {
        fence = undefined;
      }
      return;
    }
    if (fence === undefined && line.startsWith('## ')) {
      if (out.length > 0) {
        out[out.length - 1].endLine = i - 1;
      }
      out.push({ name: line.slice(3), line: i, endLine: lines.length - 1 });
    }
  });
  return out;
}

interface Preview {
  /** The file or folder the preview was asked for (a `file:` URI). */
  target: string;
  content: string;
  files: Set<string>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The previews' content provider and outline, refreshed when one of their files changes. */
export class PromptPreviews implements vscode.TextDocumentContentProvider, vscode.DocumentSymbolProvider {
  private readonly previews = new Map<string, Preview>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly exec: Exec,
    private readonly delayMs = REFRESH_DELAY_MS,
  ) {}

  /** The virtual document's URI for `target`: one preview per bot folder. */
  uriFor(target: string): vscode.Uri {
    const file = vscode.Uri.parse(target).fsPath;
    const folder = /\.(md|toml)$/.test(file) ? path.dirname(file) : file;
    return vscode.Uri.from({ scheme: PROMPT_SCHEME, path: `${folder}/system prompt.md` });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.previews.get(uri.path)?.content ?? '';
  }

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const content = this.previews.get(doc.uri.path)?.content ?? '';
    return headings(content).map((h) => {
      const range = new vscode.Range(h.line, 0, h.endLine, 0);
      return new vscode.DocumentSymbol(h.name, '', vscode.SymbolKind.String, range, new vscode.Range(h.line, 0, h.line, 0));
    });
  }

  /** Asks the server for the preview of `target` and stores it; returns the virtual document's URI. */
  async load(target: string): Promise<vscode.Uri> {
    const uri = this.uriFor(target);
    const result = await this.exec(PREVIEW_SERVER_COMMAND, { uri: target });
    if (!isPreviewResult(result)) {
      throw new Error(`unexpected preview reply ${JSON.stringify(result)}`);
    }
    const old = this.previews.get(uri.path);
    this.previews.set(uri.path, {
      target,
      content: result.markdown,
      files: new Set(result.files),
      timer: old?.timer,
    });
    this.emitter.fire(uri);
    return uri;
  }

  /** A file changed: previews built from it ask again once edits rest. */
  edited(file: string): void {
    for (const [key, p] of this.previews) {
      if (!p.files.has(file)) {
        continue;
      }
      if (p.timer) {
        clearTimeout(p.timer);
      }
      p.timer = setTimeout(() => {
        p.timer = undefined;
        this.load(p.target).catch(() => undefined);
      }, this.delayMs);
      this.previews.set(key, p);
    }
  }

  /** Whether a preview shows `uri` (a virtual document's path). */
  has(uri: vscode.Uri): boolean {
    return this.previews.has(uri.path);
  }

  dispose(): void {
    for (const p of this.previews.values()) {
      if (p.timer) {
        clearTimeout(p.timer);
      }
    }
    this.emitter.dispose();
  }
}

/** Lens commands of the server that name `forge.bot.preview` open the preview (of the active editor's file,
 * where the lens was clicked) instead. */
export function rewritePreviewLenses<T extends { command?: { command: string; arguments?: unknown[] } }>(
  lenses: T[] | null | undefined,
): T[] | null | undefined {
  for (const lens of lenses ?? []) {
    if (lens.command?.command === PREVIEW_SERVER_COMMAND) {
      lens.command = { ...lens.command, command: PREVIEW_PALETTE_COMMAND, arguments: [] };
    }
  }
  return lenses;
}

/** Registers the provider, the outline and the refresh on edits (the palette command is the extension's). */
export function registerPromptPreview(context: vscode.ExtensionContext, exec: Exec): PromptPreviews {
  const previews = new PromptPreviews(exec);
  context.subscriptions.push(
    previews,
    vscode.workspace.registerTextDocumentContentProvider(PROMPT_SCHEME, previews),
    vscode.languages.registerDocumentSymbolProvider({ scheme: PROMPT_SCHEME }, previews),
    vscode.workspace.onDidChangeTextDocument((e) => previews.edited(e.document.uri.toString())),
    vscode.workspace.onDidSaveTextDocument((d) => previews.edited(d.uri.toString())),
  );
  return previews;
}

/** `Forge: Preview System Prompt` for the active editor's file: opens the preview beside it. */
export async function openPromptPreview(previews: PromptPreviews): Promise<void> {
  const file = vscode.window.activeTextEditor?.document.uri;
  if (!file || file.scheme !== 'file') {
    throw new Error('open a file of a bot, an OpenClaw workspace or a skill first');
  }
  const uri = await previews.load(file.toString());
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}
