/**
 * The `@forge` chat participant, independent of VS Code: one chat request becomes `forge.builder.chat` (or a
 * slash command: `/bot`, `/skill`, `/resume`, `/back`, `/preview`, `/assemble`, `/reconfigure`), and the
 * server's reply is written to a `ChatSink` (VS Code's ChatResponseStream in the extension, a recorder in the
 * tests). The conversation's session id travels in each reply's metadata (`ChatResult.metadata`), so the next
 * request, or the chat history after a reload, continues the same draft. Nothing here imports `vscode`.
 */
import { ServerCommands } from './constants';
import type { Exec, Mode } from './flow';
import { parseDrafts } from './flow';

const CHAT_COMMAND = ServerCommands.builderChat;
const TRANSCRIPT_COMMAND = ServerCommands.builderTranscript;
const DRAFTS_COMMAND = ServerCommands.builderDrafts;
const RECONFIGURE_COMMAND = ServerCommands.builderReconfigure;

/** The participant's id and the name users type (`@forge`); both are in package.json's chatParticipants. */
export const PARTICIPANT_ID = 'forge-ls.forge';
export const PARTICIPANT_NAME = 'forge';

export interface ChatOption {
  index: number;
  label: string;
  description?: string;
}

/** What `forge.builder.chat` returns (docs/interface.md, Chat). */
export interface ChatReply {
  session_id: string;
  mode: Mode;
  reply: string;
  options: ChatOption[];
  phase?: string;
  ready_to_assemble?: boolean;
  understood?: boolean;
  done?: boolean;
  files?: string[];
  deleted?: string[];
}

/** Kept in `ChatResult.metadata` of every reply: where the conversation stands. */
export interface ChatMeta {
  /** The draft being built; absent before the first description and once the files are written. */
  sessionId?: string;
  /** The mode of the next new draft (after `/skill` without a description). */
  mode?: Mode;
  /** The pending question's options, offered again as follow-ups. */
  options?: ChatOption[];
}

/** A node of a file tree, as VS Code's ChatResponseFileTree. */
export interface FileNode {
  name: string;
  children?: FileNode[];
}

/** Where the reply goes. `button` answers for the user by sending `message` to `@forge`. */
export interface ChatSink {
  markdown(text: string): void;
  progress(text: string): void;
  button(title: string, message: string): void;
  /** The files written, as a tree under the folder `base` (a file URI), then one anchor per file. */
  files(base: string, tree: FileNode[], files: string[]): void;
}

export interface ChatRequestInfo {
  /** The slash command without its slash, if any. */
  command?: string;
  prompt: string;
}

export interface ChatEnv {
  /** The metadata of this participant's earlier replies in the conversation, oldest first. */
  history: (ChatMeta | undefined)[];
  /** The bots directory a new bot goes to (an absolute path), when the workspace names one. */
  botsFolder?: string;
  /** A `/reconfigure` argument (a path relative to the workspace, or absolute) as a file URI. */
  resolvePath(text: string): string | undefined;
  /** The URI of the bot file in the active editor, for `/reconfigure` without an argument. */
  activeBotFile?: string;
}

export interface ChatOutcome {
  meta: ChatMeta;
  /** The error to show (`ChatResult.errorDetails`); the conversation stays where it was. */
  error?: string;
  /** The file URIs written by this request (the editor saves them). */
  written?: string[];
}

/** The slash commands, as package.json declares them (the same as `forge-ls acp`'s). */
export const CHAT_SLASH_COMMANDS = ['bot', 'skill', 'resume', 'back', 'preview', 'assemble', 'reconfigure'] as const;

/** Where the conversation stands: the newest reply's metadata. */
export function currentMeta(history: (ChatMeta | undefined)[]): ChatMeta {
  for (let i = history.length - 1; i >= 0; i--) {
    const meta = history[i];
    if (meta && typeof meta === 'object') {
      return meta;
    }
  }
  return {};
}

/** The follow-ups offered under a reply: its options, each sending its number. */
export function followups(meta: ChatMeta | undefined): { prompt: string; label: string }[] {
  return (meta?.options ?? []).map((o) => ({ prompt: String(o.index), label: `${o.index}. ${o.label}` }));
}

/** Handles one chat request; never throws (errors come back as `error`, the session kept). */
export async function handleChat(exec: Exec, request: ChatRequestInfo, env: ChatEnv, sink: ChatSink): Promise<ChatOutcome> {
  const meta = currentMeta(env.history);
  const keep: ChatMeta = { sessionId: meta.sessionId, mode: meta.mode, options: meta.options };
  // Records what a `forge.builder.chat` call wrote, for the editor to save.
  let written: string[] | undefined;
  const sinkWithFiles: ChatSink = {
    markdown: (text) => sink.markdown(text),
    progress: (text) => sink.progress(text),
    button: (title, message) => sink.button(title, message),
    files: (base, tree, files) => {
      written = files;
      sink.files(base, tree, files);
    },
  };
  try {
    const next = await dispatch(exec, request, env, sinkWithFiles, meta);
    return { meta: next, ...(written ? { written } : {}) };
  } catch (error) {
    return { meta: keep, error: error instanceof Error ? error.message : String(error) };
  }
}

async function dispatch(exec: Exec, request: ChatRequestInfo, env: ChatEnv, sink: ChatSink, meta: ChatMeta): Promise<ChatMeta> {
  const text = request.prompt.trim();
  switch (request.command) {
    case 'bot':
    case 'skill': {
      const mode: Mode = request.command;
      if (!text) {
        sink.markdown(`A new ${mode}: tell me what it should do, in a sentence or two.`);
        return { mode };
      }
      return send(exec, sink, newSession(mode, text, env));
    }
    case 'back':
    case 'preview':
    case 'assemble':
      if (!meta.sessionId) {
        sink.markdown('There is nothing to work on yet: tell me what to build first (`/bot` or `/skill`).');
        return { mode: meta.mode };
      }
      return send(exec, sink, { session_id: meta.sessionId, message: request.command });
    case 'resume':
      return resume(exec, text, sink, meta);
    case 'reconfigure': {
      const uri = text ? env.resolvePath(text) : env.activeBotFile;
      if (!uri) {
        sink.markdown('Say `/reconfigure` with a file or the folder of the bot to change, or open one of its files first.');
        return meta;
      }
      sink.progress('Reading the bot…');
      const first = (await exec(RECONFIGURE_COMMAND, { uri })) as { session_id?: unknown };
      if (typeof first?.session_id !== 'string') {
        throw new Error(`${RECONFIGURE_COMMAND} returned ${JSON.stringify(first)}`);
      }
      return showPending(exec, sink, first.session_id, false);
    }
    case undefined:
    case '':
      if (!text) {
        sink.markdown('Tell me what you want to build: a bot by default, `/skill` for a skill, `/resume` for a draft.');
        return meta;
      }
      return send(exec, sink, meta.sessionId ? { session_id: meta.sessionId, message: text } : newSession(meta.mode ?? 'bot', text, env));
    default:
      sink.markdown(`\`/${request.command}\` is not a command here; these are: ${CHAT_SLASH_COMMANDS.map((c) => `/${c}`).join(', ')}.`);
      return meta;
  }
}

function newSession(mode: Mode, message: string, env: ChatEnv): Record<string, unknown> {
  return { mode, message, ...(mode === 'bot' && env.botsFolder ? { folder: env.botsFolder } : {}) };
}

/** One `forge.builder.chat` call, its reply rendered. */
async function send(exec: Exec, sink: ChatSink, arg: Record<string, unknown>): Promise<ChatMeta> {
  sink.progress('Forge is thinking…');
  const reply = asReply(await exec(CHAT_COMMAND, arg));
  render(sink, reply);
  return reply.done ? { mode: reply.mode } : { sessionId: reply.session_id, mode: reply.mode, options: reply.options };
}

/** The reply as Markdown, its options as buttons, and once done the files written. */
export function render(sink: ChatSink, reply: { reply: string; options: ChatOption[]; done?: boolean; files?: string[] }): void {
  sink.markdown(reply.reply);
  for (const o of reply.options) {
    sink.button(`${o.index}. ${o.label}`, String(o.index));
  }
  const files = reply.done ? (reply.files ?? []) : [];
  if (files.length > 0) {
    const { base, tree } = fileTree(files);
    sink.files(base, tree, files);
  }
}

async function resume(exec: Exec, text: string, sink: ChatSink, meta: ChatMeta): Promise<ChatMeta> {
  sink.progress('Reading the drafts…');
  const drafts = parseDrafts(await exec(DRAFTS_COMMAND, {}));
  if (!text) {
    if (drafts.length === 0) {
      sink.markdown('There are no drafts in this workspace.');
      return meta;
    }
    const lines = drafts.map(
      (d, i) => `${i + 1}. **${d.mode === 'skill' ? 'Skill' : 'Bot'}:** ${oneLine(d.description) || '(no description)'} · ${d.phase} · \`${d.session_id}\``,
    );
    sink.markdown(`Drafts in this workspace, newest first:\n\n${lines.join('\n')}\n\nSay \`/resume\` with a number or an id to continue one.`);
    drafts.forEach((d, i) => sink.button(`${i + 1}. ${oneLine(d.description).slice(0, 40) || d.session_id}`, `/resume ${d.session_id}`));
    return meta;
  }
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  const id = n >= 1 && n <= drafts.length ? drafts[n - 1].session_id : text;
  return showPending(exec, sink, id, true);
}

interface Transcript {
  session_id: string;
  mode: Mode;
  messages: { role: string; text: string }[];
  reply: string;
  options: ChatOption[];
}

/** A session's pending turn from `forge.builder.transcript`; with `replay`, the conversation so far first. */
async function showPending(exec: Exec, sink: ChatSink, sessionId: string, replay: boolean): Promise<ChatMeta> {
  const t = (await exec(TRANSCRIPT_COMMAND, { session_id: sessionId })) as Transcript;
  if (!t || typeof t.session_id !== 'string' || typeof t.reply !== 'string' || !Array.isArray(t.options)) {
    throw new Error(`${TRANSCRIPT_COMMAND} returned ${JSON.stringify(t)}`);
  }
  if (replay && Array.isArray(t.messages) && t.messages.length > 0) {
    // The earlier turns as a quoted record; the pending question follows in full.
    const said = t.messages
      .filter((m) => m.role === 'user')
      .map((m) => `> **Me:** ${oneLine(m.text)}`)
      .join('\n>\n');
    sink.markdown(`Resuming draft \`${t.session_id}\` (${t.mode}). So far you said:\n\n${said}\n\n---\n\n`);
  }
  render(sink, { reply: t.reply, options: t.options });
  return { sessionId: t.session_id, mode: t.mode, options: t.options };
}

function asReply(value: unknown): ChatReply {
  const r = value as ChatReply;
  if (!r || typeof r.session_id !== 'string' || typeof r.reply !== 'string' || !Array.isArray(r.options)) {
    throw new Error(`${CHAT_COMMAND} returned ${JSON.stringify(value)}, expected {session_id, reply, options, …}`);
  }
  return r;
}

function oneLine(text: string): string {
  return (text ?? '').split('\n')[0].trim();
}

/**
 * The written files as a tree: `base` is the folder above the files' common folder (so a new bot shows as its
 * folder with its files inside), every path below it a node.
 */
export function fileTree(files: string[]): { base: string; tree: FileNode[] } {
  const parts = files.map((f) => new URL(f).pathname.split('/').filter(Boolean));
  let common = parts[0].slice(0, -1);
  for (const p of parts.slice(1)) {
    let i = 0;
    while (i < common.length && i < p.length - 1 && common[i] === p[i]) {
      i++;
    }
    common = common.slice(0, i);
  }
  const baseParts = common.slice(0, Math.max(0, common.length - 1));
  const tree: FileNode[] = [];
  for (const p of parts) {
    let level = tree;
    for (const [i, name] of p.slice(baseParts.length).entries()) {
      let node = level.find((n) => n.name === decodeURIComponent(name));
      if (!node) {
        node = { name: decodeURIComponent(name) };
        level.push(node);
      }
      if (i < p.length - baseParts.length - 1) {
        node.children ??= [];
        level = node.children;
      }
    }
  }
  return { base: `file:///${baseParts.join('/')}`, tree };
}
