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
  | { action: 'ready_to_assemble'; config: unknown; skill?: unknown }
  | { action: 'clarify'; message: string; phase?: string; phase_label?: string };

export interface TurnResult {
  session_id: string;
  turn: Turn;
  /** Whether the server accepts `{back: true}` now (interface: Builder and skill commands). */
  can_go_back?: boolean;
}

export type Answer = { option: number } | { text: string } | { confirm: boolean } | { back: true };

/** What a session builds: `openclaw-workspace` is OpenClaw's first-run ritual over a workspace. */
export type Mode = 'bot' | 'skill' | 'openclaw-workspace';

/** What the user chose when shown a question. `undefined` means they dismissed it (Escape). */
export type QuestionChoice = { option: number } | { text: string } | { back: true } | undefined;
export type PreviewChoice = 'confirm' | 'revise' | 'back' | undefined;
export type AssembleChoice = 'assemble' | 'back' | undefined;

export interface QuestionView {
  /** What the flow is, e.g. "New Bot" or "Reconfigure Luna". */
  flow: string;
  /** The phase, e.g. "Personality". */
  phase?: string;
  /** 1-based position of the phase among the builder's phases, and their number. */
  step?: number;
  totalSteps?: number;
  title: string;
  /** The question without its "(free text: …)" hint. */
  question: string;
  /** What free text should be, from the question's "(free text: …)", e.g. "a comma-separated list". */
  hint?: string;
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
  /**
   * True when `first` is the opening turn of a new session (no Back on it). Only used with a server whose
   * turns do not say `can_go_back`.
   */
  fresh?: boolean;
  /** What the flow is called in titles; default "New Bot" / "New Skill". */
  name?: string;
  /** Guard against a server that never finishes; a real conversation is far shorter. */
  maxTurns?: number;
}

/** The builder's phases in order (docs/interface.md, Turn): a question's step is its phase's position. */
export const PHASES = ['basics', 'personality', 'model', 'skills', 'review'] as const;

export function flowName(mode: Mode): string {
  if (mode === 'openclaw-workspace') {
    return 'OpenClaw First Run';
  }
  return mode === 'bot' ? 'New Bot' : 'New Skill';
}

/** The phase as a title word: "Personality", never Boternity's progress label "Defining personality...". */
export function phaseName(turn: { phase?: string; phase_label?: string }): string | undefined {
  return humanize(turn.phase) ?? turn.phase_label?.replace(/(\.\.\.|…)\s*$/, '').trim();
}

export function phaseStep(phase: string | undefined): { step: number; totalSteps: number } | undefined {
  const i = PHASES.indexOf(phase as (typeof PHASES)[number]);
  return i < 0 ? undefined : { step: i + 1, totalSteps: PHASES.length };
}

export function phaseTitle(flow: string, turn: { phase?: string; phase_label?: string }): string {
  const phase = phaseName(turn);
  return phase ? `Forge · ${flow} · ${phase}` : `Forge · ${flow}`;
}

function humanize(phase: string | undefined): string | undefined {
  if (!phase) {
    return undefined;
  }
  const words = phase.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Splits the server's "(free text: …)" hint off a question, so it is shown once, as the hint. */
export function splitHint(question: string): { question: string; hint?: string } {
  const m = /^(.*?)\s*\(free text: ([^()]*)\)\s*$/s.exec(question);
  return m ? { question: m[1], hint: m[2] } : { question };
}

/**
 * How a question is laid out in a QuickPick: the question itself is the title (it stays visible while the user
 * types, unlike the placeholder) with the phase before it and the step counter beside it; the placeholder says
 * what the flow is and how to answer.
 */
export function questionLayout(view: QuestionView): {
  title: string;
  placeholder: string;
  step?: number;
  totalSteps?: number;
} {
  const how = view.allowFreeText
    ? `pick one, or type ${view.hint ?? 'your own answer'}`
    : 'pick one';
  return {
    title: view.phase ? `${view.phase}: ${view.question}` : view.question,
    placeholder: `Forge · ${view.flow} — ${how}`,
    step: view.step,
    totalSteps: view.totalSteps,
  };
}

const LABELS: Record<string, string> = {
  personality_summary: 'Personality',
  model_config: 'Model',
  max_tokens: 'Max tokens',
  skill_type: 'Type',
  trust_tier: 'Trust tier',
};
/** Fields of the builder's JSON that describe the conversation, not the bot. */
const INTERNAL = new Set(['phase']);

function label(key: string): string {
  return LABELS[key] ?? humanize(key) ?? key;
}

function inline(value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? '—' : value.map((v) => (v && typeof v === 'object' ? inline((v as { name?: unknown }).name ?? v) : String(v))).join(', ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => !INTERNAL.has(k) && v !== null && v !== undefined)
      .map(([k, v]) => `${label(k)} ${inline(v)}`)
      .join(' · ');
  }
  return String(value);
}

/** The rest of an object as a Markdown list, for fields this renderer does not know by name. */
function rest(obj: Record<string, unknown>, known: string[]): string[] {
  return Object.entries(obj)
    .filter(([k, v]) => !known.includes(k) && !INTERNAL.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => `- **${label(k)}:** ${inline(v)}`);
}

/** A bot (a review's summary or the config about to be written) as Markdown people read. */
export function renderBot(bot: Record<string, unknown>): string {
  const out: string[] = [`# ${typeof bot.name === 'string' && bot.name ? bot.name : 'New bot'}`];
  if (typeof bot.description === 'string' && bot.description) {
    out.push('', bot.description);
  }
  const facts: string[] = [];
  if (bot.category) {facts.push(`- **Category:** ${inline(bot.category)}`);}
  if (Array.isArray(bot.tags) && bot.tags.length) {facts.push(`- **Tags:** ${inline(bot.tags)}`);}
  if (typeof bot.model === 'string') {facts.push(`- **Model:** ${bot.model}`);}
  const mc = bot.model_config as Record<string, unknown> | undefined;
  if (mc && typeof mc === 'object') {
    facts.push(`- **Model:** ${inline(mc.model)}`);
    if (mc.temperature !== undefined && mc.temperature !== null) {facts.push(`- **Temperature:** ${inline(mc.temperature)}`);}
    if (mc.max_tokens !== undefined && mc.max_tokens !== null) {facts.push(`- **Max tokens:** ${inline(mc.max_tokens)}`);}
  }
  facts.push(...rest(bot, ['name', 'description', 'category', 'tags', 'model', 'model_config', 'personality', 'personality_summary', 'skills']));
  if (facts.length) {
    out.push('', ...facts);
  }
  if (typeof bot.personality_summary === 'string' && bot.personality_summary) {
    out.push('', '## Personality', '', bot.personality_summary);
  }
  const p = bot.personality as Record<string, unknown> | undefined;
  if (p && typeof p === 'object') {
    out.push('', '## Personality', '');
    if (p.tone) {out.push(`- **Tone:** ${inline(p.tone)}`);}
    if (Array.isArray(p.traits) && p.traits.length) {out.push(`- **Traits:** ${inline(p.traits)}`);}
    out.push(...rest(p, ['tone', 'traits', 'purpose', 'boundaries']));
    for (const key of ['purpose', 'boundaries']) {
      if (typeof p[key] === 'string' && p[key]) {
        out.push('', `### ${label(key)}`, '', p[key] as string);
      }
    }
  }
  if (Array.isArray(bot.skills)) {
    out.push('', '## Skills', '');
    if (bot.skills.length === 0) {
      out.push('No skills.');
    }
    for (const sk of bot.skills) {
      if (sk && typeof sk === 'object') {
        const o = sk as Record<string, unknown>;
        const desc = typeof o.description === 'string' && o.description ? ` — ${o.description}` : '';
        out.push(`- **${inline(o.name)}**${desc}`);
      } else {
        out.push(`- **${String(sk)}**`);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** A skill about to be written, as Markdown. */
export function renderSkill(skill: Record<string, unknown>): string {
  const out: string[] = [`# ${typeof skill.name === 'string' && skill.name ? skill.name : 'New skill'}`];
  if (typeof skill.description === 'string' && skill.description) {
    out.push('', skill.description);
  }
  const facts = [
    skill.skill_type ? `- **Type:** ${inline(skill.skill_type)}` : '',
    Array.isArray(skill.capabilities) ? `- **Capabilities:** ${inline(skill.capabilities)}` : '',
    skill.trust_tier ? `- **Trust tier:** ${inline(skill.trust_tier)}` : '',
    ...rest(skill, ['name', 'description', 'skill_type', 'capabilities', 'trust_tier', 'body']),
  ].filter(Boolean);
  if (facts.length) {
    out.push('', ...facts);
  }
  if (typeof skill.body === 'string' && skill.body.trim()) {
    out.push('', '## Instructions', '', skill.body.trim());
  }
  return out.join('\n') + '\n';
}

/** Renders a preview or config object as readable Markdown when the server sent structured data. */
export function renderPreview(preview: unknown): string {
  if (typeof preview === 'string') {
    return preview;
  }
  if (preview && typeof preview === 'object' && !Array.isArray(preview)) {
    const obj = preview as Record<string, unknown>;
    // A map of file name -> content is shown file by file.
    const entries = Object.entries(obj);
    if (entries.length > 0 && entries.every(([k, v]) => typeof v === 'string' && /\.(md|toml)$/i.test(k))) {
      return entries.map(([name, text]) => `## ${name}\n\n${text as string}`).join('\n\n');
    }
    return renderBot(obj);
  }
  return inline(preview);
}

/** The lines OpenClaw's ritual is about to write, file by file. */
export function renderWorkspace(w: Record<string, unknown>): string {
  const line = (label: string, v: unknown) => (typeof v === 'string' && v ? [`- **${label}:** ${v}`] : []);
  const list = (v: unknown) => (Array.isArray(v) ? v.map((i) => `- ${String(i)}`) : []);
  const parts: string[] = [];
  const identity = [...line('Name', w.name), ...line('Creature', w.creature), ...line('Vibe', w.vibe), ...line('Emoji', w.emoji)];
  const user = [...line('Name', w.user_name), ...line('What to call them', w.call_them), ...line('Timezone', w.timezone)];
  if (identity.length) {parts.push(['### IDENTITY.md', '', ...identity].join('\n'));}
  if (user.length) {parts.push(['### USER.md', '', ...user].join('\n'));}
  const soul = [
    ...(list(w.values).length ? ['Core Truths:', ...list(w.values)] : []),
    ...(list(w.boundaries).length ? ['Boundaries:', ...list(w.boundaries)] : []),
  ];
  if (soul.length) {parts.push(['### SOUL.md', '', ...soul].join('\n'));}
  parts.push('BOOTSTRAP.md is deleted: the ritual is done.');
  return parts.join('\n\n');
}

/** What `ready_to_assemble` is about to write: the skill in skill mode, else the bot. */
export function renderReady(turn: { config?: unknown; skill?: unknown; workspace?: unknown }, mode: Mode): string {
  if (mode === 'skill' && turn.skill && typeof turn.skill === 'object') {
    return renderSkill(turn.skill as Record<string, unknown>);
  }
  if (mode === 'openclaw-workspace' && turn.workspace && typeof turn.workspace === 'object') {
    return renderWorkspace(turn.workspace as Record<string, unknown>);
  }
  return renderPreview(turn.config);
}

/** Translates one turn into the answer to send, or a terminal decision. Pure apart from asking the UI. */
export async function answerTurn(
  turn: Turn,
  ui: FlowUI,
  mode: Mode,
  allowBack: boolean,
  flow: string = flowName(mode),
): Promise<Answer | 'assemble' | 'cancel'> {
  const title = phaseTitle(flow, 'phase' in turn || 'phase_label' in turn ? turn : {});
  switch (turn.action) {
    case 'ask_question': {
      const { question, hint } = splitHint(turn.question);
      const choice = await ui.askQuestion({
        flow,
        phase: phaseName(turn),
        ...phaseStep(turn.phase),
        title,
        question,
        hint,
        options: turn.options ?? [],
        allowFreeText: turn.allow_free_text ?? false,
        allowBack,
      });
      if (choice === undefined) {
        return 'cancel';
      }
      if ('back' in choice && !allowBack) {
        throw new Error('the builder cannot go back from here');
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
      if (choice && 'back' in choice && !allowBack) {
        return 'cancel';
      }
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
        phaseTitle(flow, { phase_label: 'Ready to assemble' }),
        renderReady(turn, mode),
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
    // The server says whether Back is possible; an older server that does not is guessed for.
    const allowBack = current.can_go_back ?? !(options.fresh && i === 0);
    const decision = await answerTurn(current.turn, ui, options.mode, allowBack, options.name);
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
