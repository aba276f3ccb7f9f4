/**
 * The `@forge` chat participant's VS Code glue: the logic is in chat.ts (tested against the real server).
 * Registered only where the Chat API exists; elsewhere (older VS Code, code-server without chat) the palette
 * flows are the builder and nothing is registered.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { type ChatMeta, type ChatSink, followups, handleChat, PARTICIPANT_ID, PARTICIPANT_NAME } from './chat';

export interface ChatHost {
  exec(command: string, arg: unknown, token?: vscode.CancellationToken): Promise<unknown>;
  /** The bots directory of the first workspace folder (forge.botsDir), if a folder is open. */
  botsFolder(): string | undefined;
  /** The bot file in the active editor, if any. */
  activeBotFile(): vscode.Uri | undefined;
  /** Saves the files the server wrote through workspace/applyEdit (VS Code leaves them dirty). */
  saveWritten(uris: string[]): Promise<void>;
}

/** Whether this VS Code has the Chat Participant API. */
export function hasChat(): boolean {
  const chat = (vscode as { chat?: { createChatParticipant?: unknown } }).chat;
  return typeof chat?.createChatParticipant === 'function';
}

export function registerChatParticipant(context: vscode.ExtensionContext, host: ChatHost): vscode.Disposable | undefined {
  if (!hasChat()) {
    return undefined;
  }
  const handler: vscode.ChatRequestHandler = async (request, chatContext, stream, token) => {
    const history = chatContext.history
      .filter((t): t is vscode.ChatResponseTurn => t instanceof vscode.ChatResponseTurn && t.participant === PARTICIPANT_ID)
      .map((t) => t.result.metadata as ChatMeta | undefined);
    const sink: ChatSink = {
      markdown: (text) => stream.markdown(text),
      progress: (text) => stream.progress(text),
      // The button sends the option's number to @forge as if the user had typed it.
      button: (title, message) =>
        stream.button({ title, command: 'workbench.action.chat.open', arguments: [{ query: `@${PARTICIPANT_NAME} ${message}` }] }),
      files: (base, tree, files) => {
        stream.filetree(tree, vscode.Uri.parse(base));
        for (const f of files) {
          stream.anchor(vscode.Uri.parse(f), path.basename(vscode.Uri.parse(f).fsPath));
        }
      },
    };
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const outcome = await handleChat(
      (command, arg) => host.exec(command, arg, token),
      { command: request.command, prompt: request.prompt },
      {
        history,
        botsFolder: host.botsFolder(),
        activeBotFile: host.activeBotFile()?.toString(),
        resolvePath: (text) => {
          const p = path.isAbsolute(text) ? text : root ? path.join(root, text) : undefined;
          return p ? vscode.Uri.file(p).toString() : undefined;
        },
      },
      sink,
    );
    if (outcome.written) {
      await host.saveWritten(outcome.written);
    }
    return {
      metadata: outcome.meta,
      ...(outcome.error ? { errorDetails: { message: outcome.error } } : {}),
    };
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = new vscode.ThemeIcon('tools');
  participant.followupProvider = {
    provideFollowups: (result) => followups(result.metadata as ChatMeta | undefined),
  };
  context.subscriptions.push(participant);
  return participant;
}
