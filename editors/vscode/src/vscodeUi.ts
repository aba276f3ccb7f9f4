/** The builder flow's UI in VS Code: QuickPick for choices, InputBox for text, a virtual document for previews. */
import * as vscode from 'vscode';
import { questionLayout, type AssembleChoice, type FlowUI, type PreviewChoice, type QuestionChoice, type QuestionView } from './flow';

export const PREVIEW_SCHEME = 'forge-preview';

/**
 * The builder's previews: Markdown rendered by VS Code's own Markdown engine in a panel beside the editor
 * (the plain Markdown text when that engine is not there), replaced by each new preview and closed when the
 * conversation ends.
 */
export class PreviewProvider implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private panel: vscode.WebviewPanel | undefined;
  static readonly TITLE = 'Forge Preview';

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  async show(text: string): Promise<void> {
    let html: unknown;
    try {
      html = await vscode.commands.executeCommand('markdown.api.render', text);
    } catch {
      html = undefined;
    }
    if (typeof html === 'string') {
      if (!this.panel) {
        this.panel = vscode.window.createWebviewPanel(
          'forge.preview',
          PreviewProvider.TITLE,
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
          { enableScripts: false, enableFindWidget: true },
        );
        this.panel.onDidDispose(() => (this.panel = undefined));
      }
      this.panel.webview.html = page(html);
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${PreviewProvider.TITLE}.md` });
    this.contents.set(uri.path, text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }

  /** Closes the preview once the conversation is over. */
  async close(): Promise<void> {
    this.panel?.dispose();
    this.panel = undefined;
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === PREVIEW_SCHEME);
    this.contents.clear();
    if (tabs.length > 0) {
      await vscode.window.tabGroups.close(tabs, true);
    }
  }
}

/** The preview's page: the rendered Markdown in the editor's colours and font; no scripts, nothing loaded. */
function page(body: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
body { font-family: var(--vscode-markdown-font-family, var(--vscode-font-family)); font-size: 14px; line-height: 1.6; padding: 0 20px; color: var(--vscode-foreground); }
h1, h2 { border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: .2em; }
code { font-family: var(--vscode-editor-font-family); }
</style></head><body>${body}</body></html>`;
}

interface Item extends vscode.QuickPickItem {
  value: string;
}

const BACK = '__back__';
const FREE = '__free__';

/** Shows a QuickPick; resolves to the chosen item's value, `BACK`, or undefined when dismissed. */
function pick(
  title: string,
  placeholder: string,
  items: Item[],
  opts: { back: boolean; freeText?: boolean; step?: number; totalSteps?: number },
): Promise<{ value: string; typed: string } | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = title;
    qp.placeholder = placeholder;
    qp.step = opts.step;
    qp.totalSteps = opts.totalSteps;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    const base = opts.back ? [...items, { label: '$(arrow-left) Back', value: BACK, alwaysShow: true }] : items;
    qp.items = base;
    if (opts.back) {
      qp.buttons = [vscode.QuickInputButtons.Back];
    }
    let done = false;
    const finish = (result: { value: string; typed: string } | undefined) => {
      if (!done) {
        done = true;
        resolve(result);
        qp.dispose();
      }
    };
    if (opts.freeText) {
      qp.onDidChangeValue((value) => {
        const typed = value.trim();
        qp.items = typed
          ? [{ label: `$(edit) Answer: ${typed}`, value: FREE, alwaysShow: true }, ...base]
          : base;
      });
    }
    qp.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) {
        finish({ value: BACK, typed: '' });
      }
    });
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (chosen) {
        finish({ value: chosen.value, typed: qp.value.trim() });
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

export class VsCodeFlowUI implements FlowUI {
  constructor(private readonly previews: PreviewProvider) {}

  async askQuestion(view: QuestionView): Promise<QuestionChoice> {
    const items: Item[] = view.options.map((o, i) => ({
      label: o.label,
      detail: o.description,
      value: String(i),
    }));
    if (view.allowFreeText) {
      items.push({ label: '$(edit) Write my own answer…', value: FREE, alwaysShow: true });
    }
    const layout = questionLayout(view);
    for (;;) {
      const result = await pick(layout.title, layout.placeholder, items, {
        back: view.allowBack,
        freeText: view.allowFreeText,
        step: layout.step,
        totalSteps: layout.totalSteps,
      });
      if (!result) {
        return undefined;
      }
      if (result.value === BACK) {
        return { back: true };
      }
      if (result.value !== FREE) {
        return { option: Number(result.value) };
      }
      if (result.typed) {
        return { text: result.typed };
      }
      const text = await vscode.window.showInputBox({
        title: layout.title,
        prompt: view.hint ? `Type ${view.hint}` : undefined,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Type an answer, or press Escape to go back to the options'),
      });
      if (text !== undefined) {
        return { text: text.trim() };
      }
    }
  }

  async clarify(title: string, message: string): Promise<{ text: string } | { back: true } | undefined> {
    const text = await vscode.window.showInputBox({
      title,
      prompt: message,
      placeHolder: 'Your answer (leave empty to go back)',
      ignoreFocusOut: true,
    });
    if (text === undefined) {
      return undefined;
    }
    return text.trim() ? { text: text.trim() } : { back: true };
  }

  async showPreview(title: string, preview: string): Promise<PreviewChoice> {
    await this.previews.show(preview);
    const result = await pick(
      title,
      'Review the bot in the preview beside',
      [
        { label: '$(check) Looks good, continue', value: 'confirm' },
        { label: '$(edit) Change something', value: 'revise' },
      ],
      { back: true },
    );
    if (!result) {
      return undefined;
    }
    return result.value === BACK ? 'back' : (result.value as PreviewChoice);
  }

  async confirmAssemble(title: string, summary: string): Promise<AssembleChoice> {
    await this.previews.show(summary);
    const result = await pick(
      title,
      'Write the files now? (Escape keeps the draft for later)',
      [{ label: '$(package) Assemble now', value: 'assemble' }],
      { back: true },
    );
    if (!result) {
      return undefined;
    }
    return result.value === BACK ? 'back' : 'assemble';
  }

  info(message: string): void {
    void vscode.window.showInformationMessage(message);
  }
}
