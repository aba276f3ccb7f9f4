/**
 * The builder conversation, independent of VS Code: given the server's turns, ask the user through a `FlowUI`
 * and send the answers back through `exec` (which is `workspace/executeCommand`). The VS Code extension and the
 * tests both drive this module; nothing here imports `vscode`.
 */
import { ServerCommands } from './constants';

export interface TurnOption {
  id?: string;
  label: string;
  description?: string;
}

export type Turn =
  | {
      action: 'ask_question';
      phase?: string;
      phase_label?: string;
      question: string;
      options?: TurnOption[];
      allow_free_text?: boolean;
    }
  | { action: 'show_preview'; phase?: string; phase_label?: string; preview: unknown }
  | { action: 'ready_to_assemble'; config: unknown }
  | { action: 'clarify'; message: string; phase?: string; phase_label?: string };

export interface TurnResult {
  session_id: string;
  turn: Turn;
}

export type Answer = { option: number } | { text: string } | { confirm: boolean } | { back: true };

export type Mode = 'bot' | 'skill';

/** What the user chose when shown a question. `undefined` means they dismissed it (Escape). */
export type QuestionChoice = { option: number } | { text: string } | { back: true } | undefined;
export type PreviewChoice = 'confirm' | 'revise' | 'back' | undefined;
export type AssembleChoice = 'assemble' | 'back' | undefined;

export interface QuestionView {
  title: string;
  question: string;
  options: TurnOption[];
  allowFreeText: boolean;
  allowBack: boolean;
}

/** The user interface the flow needs; VS Code implements it with QuickPick/InputBox, tests with scripts. */
export interface FlowUI {
  askQuestion(view: QuestionView): Promise<QuestionChoice>;
  /** Free-text answer to a `clarify` turn; `undefined` on dismiss. */
  clarify(title: string, message: string): Promise<{ text: string } | { back: true } | undefined>;
  showPreview(title: string, preview: string): Promise<PreviewChoice>;
  confirmAssemble(title: string, summary: string): Promise<AssembleChoice>;
  info(message: string): void;
}

export type Exec = (command: string, arg: unknown) => Promise<unknown>;

export type FlowOutcome =
  | { kind: 'assembled'; session_id: string; files: string[] }
  | { kind: 'skill-created'; session_id: string; uri: string; diagnostics: unknown[] }
  | { kind: 'paused'; session_id: string };

export interface FlowOptions {
  mode: Mode;
  /** The workspace folder URI to assemble into, when the user picked one. */
  folder?: string;
  /** For skills: the bot (folder or file URI) to attach the new skill to. */
  bot?: string;
  /** True when `first` is the opening turn of a new session (no Back on it). */
  fresh?: boolean;
  /** Guard against a server that never finishes; a real conversation is far shorter. */
  maxTurns?: number;
}

export function phaseTitle(mode: Mode, turn: { phase?: string; phase_label?: string }): string {
  const what = mode === 'bot' ? 'New Bot' : 'New Skill';
  const phase = turn.phase_label ?? humanize(turn.phase);
  return phase ? `Forge · ${what} · ${phase}` : `Forge · ${what}`;
}

function humanize(phase: string | undefined): string | undefined {
  if (!phase) {
    return undefined;
  }
  const words = phase.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Renders a preview or config object as readable Markdown when the server sent structured data. */
export function renderPreview(preview: unknown): string {
  if (typeof preview === 'string') {
    return preview;
  }
  if (preview && typeof preview === 'object') {
    const obj = preview as Record<string, unknown>;
    // A map of file name -> content is shown file by file.
    const entries = Object.entries(obj);
    if (entries.length > 0 && entries.every(([k, v]) => typeof v === 'string' && /\.(md|toml)$/i.test(k))) {
      return entries.map(([name, text]) => `## ${name}\n\n${text as string}`).join('\n\n');
    }
    return '```json\n' + JSON.stringify(preview, null, 2) + '\n```';
  }
  return String(preview);
}

/** Translates one turn into the answer to send, or a terminal decision. Pure apart from asking the UI. */
export async function answerTurn(
  turn: Turn,
  ui: FlowUI,
  mode: Mode,
  allowBack: boolean,
): Promise<Answer | 'assemble' | 'cancel'> {
  const title = phaseTitle(mode, 'phase' in turn || 'phase_label' in turn ? turn : {});
  switch (turn.action) {
    case 'ask_question': {
      const choice = await ui.askQuestion({
        title,
        question: turn.question,
        options: turn.options ?? [],
        allowFreeText: turn.allow_free_text ?? false,
        allowBack,
      });
      if (choice === undefined) {
        return 'cancel';
      }
      if ('option' in choice) {
        const count = turn.options?.length ?? 0;
        if (!Number.isInteger(choice.option) || choice.option < 0 || choice.option >= count) {
          throw new Error(`option ${choice.option} is out of range (0..${count - 1})`);
        }
      }
      if ('text' in choice && !turn.allow_free_text) {
        throw new Error('this question does not take a free-text answer');
      }
      return choice;
    }
    case 'clarify': {
      const choice = await ui.clarify(title, turn.message);
      return choice === undefined ? 'cancel' : choice;
    }
    case 'show_preview': {
      const choice = await ui.showPreview(title, renderPreview(turn.preview));
      switch (choice) {
        case 'confirm':
          return { confirm: true };
        case 'revise':
          return { confirm: false };
        case 'back':
          return { back: true };
        default:
          return 'cancel';
      }
    }
    case 'ready_to_assemble': {
      const choice = await ui.confirmAssemble(
        phaseTitle(mode, { phase_label: 'Ready to assemble' }),
        renderPreview(turn.config),
      );
      if (choice === 'assemble') {
        return 'assemble';
      }
      return choice === 'back' ? { back: true } : 'cancel';
    }
    default: {
      const unknownTurn = turn as { action?: unknown };
      throw new Error(`unknown builder turn action ${JSON.stringify(unknownTurn.action)}`);
    }
  }
}

export function isTurnResult(value: unknown): value is TurnResult {
  if (!value || typeof value !== 'object') {
    return false;
  }
  const v = value as Record<string, unknown>;
  return typeof v.session_id === 'string' && !!v.turn && typeof v.turn === 'object';
}

function expectTurnResult(value: unknown, command: string): TurnResult {
  if (!isTurnResult(value)) {
    throw new Error(`${command} returned ${JSON.stringify(value)}, expected {session_id, turn}`);
  }
  return value;
}

/**
 * Runs the conversation from `first` (the result of `start`, `reconfigure` or `session`) until the user
 * assembles or dismisses it. The draft is kept by the server at every turn, so dismissing only pauses it.
 */
export async function runFlow(
  exec: Exec,
  ui: FlowUI,
  first: TurnResult,
  options: FlowOptions,
): Promise<FlowOutcome> {
  const maxTurns = options.maxTurns ?? 500;
  let current = expectTurnResult(first, 'the builder');
  for (let i = 0; i < maxTurns; i++) {
    const decision = await answerTurn(current.turn, ui, options.mode, !(options.fresh && i === 0));
    if (decision === 'cancel') {
      ui.info('Draft saved. Continue it with "Forge: Resume Draft".');
      return { kind: 'paused', session_id: current.session_id };
    }
    if (decision === 'assemble') {
      return assemble(exec, current.session_id, options);
    }
    const next = await exec(ServerCommands.builderAnswer, { session_id: current.session_id, answer: decision });
    current = expectTurnResult(next, ServerCommands.builderAnswer);
  }
  throw new Error(`the builder did not finish within ${maxTurns} turns`);
}

export async function assemble(exec: Exec, sessionId: string, options: FlowOptions): Promise<FlowOutcome> {
  if (options.mode === 'skill') {
    const arg: Record<string, unknown> = { session_id: sessionId };
    if (options.bot) {
      arg.bot = options.bot;
    }
    const result = (await exec(ServerCommands.skillCreate, arg)) as { uri?: unknown; diagnostics?: unknown };
    if (!result || typeof result.uri !== 'string') {
      throw new Error(`${ServerCommands.skillCreate} returned ${JSON.stringify(result)}, expected {uri, diagnostics}`);
    }
    const diagnostics = Array.isArray(result.diagnostics) ? result.diagnostics : [];
    return { kind: 'skill-created', session_id: sessionId, uri: result.uri, diagnostics };
  }
  const arg: Record<string, unknown> = { session_id: sessionId };
  if (options.folder) {
    arg.folder = options.folder;
  }
  const result = (await exec(ServerCommands.builderAssemble, arg)) as { files?: unknown };
  if (!result || !Array.isArray(result.files)) {
    throw new Error(`${ServerCommands.builderAssemble} returned ${JSON.stringify(result)}, expected {files}`);
  }
  return { kind: 'assembled', session_id: sessionId, files: result.files.map(String) };
}

export interface Draft {
  session_id: string;
  mode: Mode;
  description: string;
  phase: string;
  updated_at: string | number;
}

export function parseDrafts(value: unknown): Draft[] {
  if (!Array.isArray(value)) {
    throw new Error(`${ServerCommands.builderDrafts} returned ${JSON.stringify(value)}, expected a list`);
  }
  return value.filter(
    (d): d is Draft => !!d && typeof d === 'object' && typeof (d as Draft).session_id === 'string',
  );
}

export function draftLabel(d: Draft): { label: string; description: string; detail: string } {
  const what = d.mode === 'skill' ? 'Skill' : 'Bot';
  const description = d.description.length > 70 ? d.description.slice(0, 67) + '…' : d.description;
  return {
    label: `${what}: ${description || '(no description)'}`,
    description: humanize(d.phase) ?? '',
    detail: `updated ${String(d.updated_at)} · ${d.session_id}`,
  };
}
