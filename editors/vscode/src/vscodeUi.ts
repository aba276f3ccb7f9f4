/** The builder flow's UI in VS Code: QuickPick for choices, InputBox for text, a virtual document for previews. */
import * as vscode from 'vscode';
import type { AssembleChoice, FlowUI, PreviewChoice, QuestionChoice, QuestionView } from './flow';

export const PREVIEW_SCHEME = 'forge-preview';

/** Read-only virtual documents showing builder previews (no "save changes?" prompt when closed). */
export class PreviewProvider implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  async show(name: string, text: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${name}.md` });
    this.contents.set(uri.path, text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preview: true,
      preserveFocus: true,
    });
  }
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
  opts: { back: boolean; freeText?: boolean },
): Promise<{ value: string; typed: string } | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = title;
    qp.placeholder = placeholder;
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
    for (;;) {
      const placeholder = view.allowFreeText ? `${view.question} (pick one or type your own)` : view.question;
      const result = await pick(view.title, placeholder, items, { back: view.allowBack, freeText: view.allowFreeText });
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
        title: view.title,
        prompt: view.question,
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
    await this.previews.show('Forge Preview', preview);
    const result = await pick(
      title,
      'Review the preview beside this editor',
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
    await this.previews.show('Forge Assemble', summary);
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
