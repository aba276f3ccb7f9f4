import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import * as vscode from 'vscode';
import { installSkill, INSTALL_ANYWAY } from './install';
import {
  ExecuteCommandRequest,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
  State,
} from 'vscode-languageclient/node';
import { ForgeLanguageClient } from './client';
import {
  CLIENT_SECTION,
  CONFIG_SECTION,
  FILE_PATTERNS,
  INSTALL_COMMAND,
  PaletteCommands,
  ServerCommands,
} from './constants';
import { dedupeAgainst, isSkillFile } from './diagnostics';
import { WORKFLOW_PATTERNS, WorkflowSync } from './workflow';
import {
  assemble,
  draftLabel,
  type FlowOptions,
  type FlowOutcome,
  isTurnResult,
  type Mode,
  parseDrafts,
  runFlow,
  type TurnResult,
} from './flow';
import {
  botsFolder,
  lensCommand,
  type LogLevel,
  missingServerMessage,
  serverLogLine,
  serverPathSettingsCommand,
} from './presentation';
import { answerConfiguration, buildServerSettings } from './settings';
import { resolveServerPath } from './serverPath';
import { PREVIEW_SCHEME, PreviewProvider, VsCodeFlowUI } from './vscodeUi';
import { openPromptPreview, type PromptPreviews, registerPromptPreview, rewritePreviewLenses } from './promptPreview';
import { registerChatParticipant } from './vscodeChat';

let forge: Forge | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Forge> {
  forge = new Forge(context);
  forge.registerPaletteCommands();
  forge.registerChat();
  await forge.start();
  return forge;
}

export async function deactivate(): Promise<void> {
  const current = forge;
  forge = undefined;
  await current?.stop();
}

export class Forge {
  client: ForgeLanguageClient | undefined;
  /** Settles once the user has answered the "forge-ls not found" message (tests wait on it). */
  missingServerReport: Promise<void> | undefined;
  readonly output: vscode.LogOutputChannel;
  private readonly previews = new PreviewProvider();
  private readonly prompts: PromptPreviews;
  private readonly rawDiagnostics = new Map<string, { diags: vscode.Diagnostic[]; shown: number }>();
  /** Which YAML documents are workflows the server was told about. */
  private readonly workflows = new WorkflowSync();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Forge Language Server', { log: true });
    context.subscriptions.push(this.output);
    context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this.previews));
    this.prompts = registerPromptPreview(context, (command, arg) => this.exec(command, arg));
  }

  registerPaletteCommands(): void {
    // A string argument comes from a code lens (see lensCommand): a bot file's URI or a session id.
    const text = (arg: unknown) => (typeof arg === 'string' ? arg : undefined);
    const handlers: Record<keyof typeof PaletteCommands, (arg?: unknown) => Promise<unknown>> = {
      newBot: () => this.newBuild('bot'),
      newSkill: () => this.newBuild('skill'),
      resumeDraft: (arg) => this.resumeDraft(text(arg)),
      deleteDraft: () => this.deleteDraft(),
      reconfigure: (arg) => this.reconfigure(text(arg)),
      validateSkills: () => this.validateSkills(),
      assemble: () => this.assembleDraft(),
      restartServer: () => this.restart(),
      previewSystemPrompt: () => openPromptPreview(this.prompts),
      openclawFirstRun: (arg) => this.openclawFirstRun(text(arg)),
      installSkill: () => this.installSkill(),
    };
    for (const [key, id] of Object.entries(PaletteCommands) as [keyof typeof PaletteCommands, string][]) {
      this.context.subscriptions.push(
        vscode.commands.registerCommand(id, (arg?: unknown) => this.guard(() => handlers[key](arg))),
      );
    }
  }

  /** The `@forge` chat participant, where VS Code has the Chat API (else the palette flows only). */
  registerChat(): void {
    let participant: vscode.Disposable | undefined;
    try {
      participant = registerChatParticipant(this.context, {
        exec: (command, arg, token) => this.exec(command, arg, token),
        botsFolder: () => {
          const folder = vscode.workspace.workspaceFolders?.[0];
          return folder ? this.botsFolder(folder) : undefined;
        },
        activeBotFile: () => this.activeBotFile(),
        saveWritten: (uris) => this.saveWritten(uris),
      });
    } catch (error) {
      // A chat API that refuses the participant must not cost the extension its palette commands.
      this.output.error(`@forge: the chat participant could not be registered: ${String(error)}`);
      return;
    }
    this.output.info(participant ? '@forge: chat participant registered' : '@forge: this editor has no Chat API; the builder is in the command palette');
  }

  private async guard(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof Cancelled) {
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`error: ${message}`);
      void vscode.window.showErrorMessage(`Forge: ${message}`);
    }
  }

  async start(): Promise<void> {
    const clientConfig = vscode.workspace.getConfiguration(CLIENT_SECTION);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverPath = resolveServerPath(clientConfig.get<string>('serverPath'), process.env, root);
    if (!serverPath) {
      // Not awaited: activation must not wait for the user to answer the message.
      this.missingServerReport = this.reportMissingServer(clientConfig.get<string>('serverPath'), root);
      return;
    }
    // TransportKind.stdio adds `--stdio` itself.
    const serverOptions: ServerOptions = {
      command: serverPath,
      args: [],
      transport: TransportKind.stdio,
    };
    const clientOptions: LanguageClientOptions = {
      // One client for every workspace folder: the server serves all of them, and a single client means the
      // server's commands are registered once (see serverCommands.ts for the second line of defence).
      // Bot and skill files by name; YAML files too, of which only Boternity workflows are synced (middleware).
      documentSelector: [...FILE_PATTERNS, ...WORKFLOW_PATTERNS].map((pattern) => ({ scheme: 'file', pattern })),
      synchronize: {
        configurationSection: CONFIG_SECTION,
        fileEvents: [
          vscode.workspace.createFileSystemWatcher('**/{SKILL.md,IDENTITY.md,SOUL.md,USER.md,skills.toml,AGENTS.md,TOOLS.md,HEARTBEAT.md,BOOTSTRAP.md,MEMORY.md}'),
          // The server reads a changed YAML file to see whether it is a workflow.
          vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}'),
        ],
      },
      initializationOptions: buildServerSettings((key) => vscode.workspace.getConfiguration(CONFIG_SECTION).get(key)),
      outputChannel: this.output,
      // forge-ls logs every level to stderr: keep each line's level instead of showing all as errors.
      stdioOptions: {
        stdout: () => undefined,
        stderr: (input, channel) => {
          let level: LogLevel = 'info';
          readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (line) => {
            const parsed = serverLogLine(line, level);
            level = parsed.level;
            channel[level](parsed.text);
          });
        },
      },
      middleware: {
        // YAML that is not a Boternity workflow stays the editor's: never opened at the server.
        didOpen: (document, next) =>
          this.workflows.opens(document.uri.toString(), document.uri.fsPath, document.getText()) ? next(document) : Promise.resolve(),
        didChange: (event, next) =>
          this.workflows.synced(event.document.uri.toString(), event.document.uri.fsPath) ? next(event) : Promise.resolve(),
        didSave: (document, next) =>
          this.workflows.synced(document.uri.toString(), document.uri.fsPath) ? next(document) : Promise.resolve(),
        didClose: (document, next) => {
          const synced = this.workflows.synced(document.uri.toString(), document.uri.fsPath);
          this.workflows.closed(document.uri.toString());
          return synced ? next(document) : Promise.resolve();
        },
        provideCodeLenses: async (document, token, next) => {
          // The prompt lens opens the preview document, the builder lenses the conversation, rather
          // than running bare server commands.
          const lenses = rewritePreviewLenses(await next(document, token));
          for (const lens of lenses ?? []) {
            if (lens.command) {
              lens.command = { ...lens.command, ...lensCommand(lens.command) };
            }
          }
          return lenses;
        },
        workspace: {
          configuration: async (params, token, next) => {
            const fromVsCode = await next(params, token);
            const ours = answerConfiguration(params.items, (scopeUri) => {
              const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION, scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
              return (key) => cfg.get(key);
            });
            if (!Array.isArray(fromVsCode)) {
              return fromVsCode;
            }
            return params.items.map((item, i) =>
              item.section === CONFIG_SECTION || item.section?.startsWith(`${CONFIG_SECTION}.`) ? ours[i] : fromVsCode[i],
            );
          },
        },
        handleDiagnostics: (uri, diagnostics, next) => {
          if (!isSkillFile(uri.fsPath) || !vscode.workspace.getConfiguration(CLIENT_SECTION).get<boolean>('dedupeSkillDiagnostics', true)) {
            next(uri, diagnostics);
            return;
          }
          const shown = dedupeAgainst(diagnostics, vscode.languages.getDiagnostics(uri));
          this.rawDiagnostics.set(uri.toString(), { diags: diagnostics, shown: shown.length });
          next(uri, shown);
        },
      },
    };
    this.client = new ForgeLanguageClient('forge-ls', 'Forge Language Server', serverOptions, clientOptions);
    // When another validator (re)publishes for a SKILL.md, re-filter the last forge-ls diagnostics for it.
    this.context.subscriptions.push(
      vscode.languages.onDidChangeDiagnostics((event) => {
        for (const uri of event.uris) {
          const raw = this.rawDiagnostics.get(uri.toString());
          const collection = this.client?.diagnostics;
          if (!raw || !collection) {
            continue;
          }
          const shown = dedupeAgainst(raw.diags, vscode.languages.getDiagnostics(uri));
          if (shown.length !== raw.shown) {
            raw.shown = shown.length;
            collection.set(uri, shown);
          }
        }
      }),
    );
    this.context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration(async (event) => {
        if (event.affectsConfiguration(`${CLIENT_SECTION}.serverPath`)) {
          await this.restart();
        }
      }),
    );
    try {
      await this.client.start();
    } catch (error) {
      void vscode.window.showErrorMessage(`Forge: could not start ${serverPath}: ${String(error)}`);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      await client.stop();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async reportMissingServer(configured: string | undefined, root: string | undefined): Promise<void> {
    const inRepo = root !== undefined && fs.existsSync(path.join(root, 'server', 'Cargo.toml'));
    const buttons = inRepo ? ['Install in Terminal', 'Copy Install Command', 'Open Settings'] : ['Copy Install Command', 'Open Settings'];
    const choice = await vscode.window.showErrorMessage(missingServerMessage(configured), ...buttons);
    if (choice === 'Install in Terminal' && root) {
      const terminal = vscode.window.createTerminal({ name: 'Install forge-ls', cwd: root });
      terminal.show();
      terminal.sendText(INSTALL_COMMAND);
    } else if (choice === 'Copy Install Command') {
      await vscode.env.clipboard.writeText(INSTALL_COMMAND);
    } else if (choice === 'Open Settings') {
      const [command, arg] = serverPathSettingsCommand(vscode.env.remoteName);
      await vscode.commands.executeCommand(command, arg);
    }
  }

  /** Sends `workspace/executeCommand` with one JSON argument, checking the server advertises the command. */
  async exec(command: string, arg: unknown, token?: vscode.CancellationToken): Promise<unknown> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error('the forge-ls server is not running (see the "Forge Language Server" output)');
    }
    const advertised = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!advertised.includes(command)) {
      throw new Error(`this forge-ls does not provide ${command}; update the server`);
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] }, token);
  }

  private ui(): VsCodeFlowUI {
    return new VsCodeFlowUI(this.previews);
  }

  private async pickFolder(): Promise<vscode.WorkspaceFolder> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      throw new Error('open a folder first: forge-ls writes bots and skills inside the workspace');
    }
    if (folders.length === 1) {
      return folders[0];
    }
    const folder = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where should the result be written?' });
    if (!folder) {
      throw new Cancelled();
    }
    return folder;
  }

  /** The bot folder of the active editor, if it is one of a bot's files. */
  private activeBotFile(): vscode.Uri | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      return undefined;
    }
    const dir = path.dirname(uri.fsPath);
    const isBot = ['IDENTITY.md', 'SOUL.md'].some((f) => fs.existsSync(path.join(dir, f)));
    return isBot ? uri : undefined;
  }

  async newBuild(mode: Mode): Promise<void> {
    const folder = await this.pickFolder();
    const description = await vscode.window.showInputBox({
      title: mode === 'bot' ? 'Forge · New Bot' : 'Forge · New Skill',
      prompt: mode === 'bot' ? 'Describe the bot you want' : 'Describe what the skill should do',
      placeHolder: mode === 'bot' ? 'A friendly research assistant that…' : 'Summarise a PDF into…',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A short description is needed to start'),
    });
    if (description === undefined) {
      return;
    }
    let bot: string | undefined;
    const activeBot = mode === 'skill' ? this.activeBotFile() : undefined;
    if (activeBot) {
      const name = path.basename(path.dirname(activeBot.fsPath));
      const attach = await vscode.window.showQuickPick(
        [
          { label: `Attach to ${name}`, description: 'adds the skill to its skills.toml', attach: true },
          { label: 'Do not attach', attach: false },
        ],
        { title: 'Forge · New Skill', ignoreFocusOut: true },
      );
      if (!attach) {
        return;
      }
      bot = attach.attach ? activeBot.toString() : undefined;
    }
    // A skill without a bot goes to the server's skillsDir; a bot to botsDir of the chosen folder.
    const bots = mode === 'bot' ? this.botsFolder(folder) : undefined;
    const first = await this.exec(ServerCommands.builderStart, {
      mode,
      description: description.trim(),
      ...(bots ? { folder: bots } : {}),
    });
    await this.converse(asTurn(first), { mode, folder: bots, bot, fresh: true });
  }

  /**
   * OpenClaw's first-run ritual over a workspace folder (the one a lens names, else one the user picks):
   * its questions one by one, then the answers written into IDENTITY.md, USER.md and SOUL.md and
   * BOOTSTRAP.md deleted.
   */
  async openclawFirstRun(folder?: string): Promise<void> {
    const target = folder ?? (await this.pickFolder()).uri.fsPath;
    const first = await this.exec(ServerCommands.builderStart, { mode: 'openclaw-workspace', folder: target });
    await this.converse(asTurn(first), { mode: 'openclaw-workspace', fresh: true });
  }

  /**
   * *Install Skill…*: a folder, `.zip`/`.skill` archive or SKILL.md, scanned by the server first; a refusal
   * (an error-level finding, or a skill already installed) is shown in a modal with *Install Anyway*. With a
   * bot's file in the editor, the user may attach the skill to that bot.
   */
  async installSkill(): Promise<void> {
    const activeBot = this.activeBotFile();
    let bot: string | undefined;
    if (activeBot) {
      const name = path.basename(path.dirname(activeBot.fsPath));
      const attach = await vscode.window.showQuickPick(
        [
          { label: `Attach to ${name}`, description: 'installs into its skills/ and adds it to its skills.toml', attach: true },
          { label: 'Do not attach', description: 'installs into forge.skillsDir', attach: false },
        ],
        { title: 'Forge · Install Skill', ignoreFocusOut: true },
      );
      if (!attach) {
        return;
      }
      bot = attach.attach ? activeBot.toString() : undefined;
    }
    const installed = await installSkill(
      (command, arg) => this.exec(command, arg),
      {
        pickSource: async () => {
          const picked = await vscode.window.showOpenDialog({
            title: 'Forge · Install Skill: a skill folder, a .zip or .skill archive, or a SKILL.md',
            openLabel: 'Scan and Install',
            canSelectFiles: true,
            canSelectFolders: true,
            canSelectMany: false,
            filters: { Skills: ['zip', 'skill', 'md'] },
          });
          return picked?.[0]?.toString();
        },
        confirm: async (message) =>
          (await vscode.window.showWarningMessage(
            'Forge: install this skill anyway?',
            { modal: true, detail: message },
            INSTALL_ANYWAY,
          )) === INSTALL_ANYWAY,
      },
      bot,
    );
    if (!installed) {
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.parse(installed.uri));
    const n = installed.findings.reduce((k, f) => k + f.diagnostics.length, 0);
    void vscode.window.showInformationMessage(
      `Forge: installed ${installed.name}${installed.replaced ? ' (replacing the installed copy)' : ''}${n ? `, with ${n} finding(s)` : ''}`,
    );
  }

  /** `forge.botsDir` of a workspace folder, as the absolute path the server's `folder` argument takes. */
  private botsFolder(folder: vscode.WorkspaceFolder): string {
    const dir = vscode.workspace.getConfiguration(CONFIG_SECTION, folder.uri).get<string>('botsDir');
    return botsFolder(folder.uri.fsPath, dir);
  }

  /** Runs the conversation, then closes its preview whatever the outcome. */
  private async converse(first: TurnResult, options: FlowOptions): Promise<void> {
    const ui = this.ui();
    try {
      const outcome = await runFlow((c, a) => this.exec(c, a), ui, first, options);
      await this.previews.close();
      await this.finish(outcome);
    } finally {
      await this.previews.close();
    }
  }

  /** The flow's name for a stored session: a reconfigure session names its bot. */
  private static sessionName(session: unknown, mode: Mode): string | undefined {
    const bound = (session as { bound_folder?: unknown })?.bound_folder;
    return typeof bound === 'string' && mode === 'bot' ? `Reconfigure ${path.basename(bound)}` : undefined;
  }

  private async chooseDraft(title: string): Promise<{ session_id: string; mode: Mode } | undefined> {
    const drafts = parseDrafts(await this.exec(ServerCommands.builderDrafts, {}));
    if (drafts.length === 0) {
      void vscode.window.showInformationMessage('Forge: there are no drafts.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      drafts.map((d) => ({ ...draftLabel(d), draft: d })),
      { title, placeHolder: 'Choose a draft', matchOnDescription: true, matchOnDetail: true },
    );
    return chosen?.draft;
  }

  /** Continues a draft: the one a code lens names, else one the user picks. */
  async resumeDraft(sessionId?: string): Promise<void> {
    const draft = sessionId ? undefined : await this.chooseDraft('Forge · Resume Draft');
    const id = sessionId ?? draft?.session_id;
    if (!id) {
      return;
    }
    const session = await this.exec(ServerCommands.builderSession, { session_id: id });
    const stored = (session as { mode?: unknown })?.mode;
    const mode: Mode = draft?.mode ?? (stored === 'skill' || stored === 'openclaw-workspace' ? stored : 'bot');
    const folder = await this.resumeFolder(session, mode);
    await this.converse(asTurn(session), { mode, folder, name: Forge.sessionName(session, mode) });
  }

  /** Where a resumed new bot goes when there are several workspace folders (else the server's default). */
  private async resumeFolder(session: unknown, mode: Mode): Promise<string | undefined> {
    const bound = (session as { bound_folder?: unknown })?.bound_folder;
    if (mode !== 'bot' || typeof bound === 'string' || (vscode.workspace.workspaceFolders ?? []).length < 2) {
      return undefined;
    }
    return this.botsFolder(await this.pickFolder());
  }

  async assembleDraft(): Promise<void> {
    const draft = await this.chooseDraft('Forge · Assemble');
    if (!draft) {
      return;
    }
    const raw = await this.exec(ServerCommands.builderSession, { session_id: draft.session_id });
    const session = asTurn(raw);
    const folder = await this.resumeFolder(raw, draft.mode);
    if (session.turn.action === 'ready_to_assemble') {
      await this.finish(await assemble((c, a) => this.exec(c, a), session.session_id, { mode: draft.mode, folder }));
      return;
    }
    const go = await vscode.window.showInformationMessage(
      'Forge: this draft still has questions to answer before it can be assembled.',
      'Continue Draft',
    );
    if (go) {
      await this.converse(session, { mode: draft.mode, folder, name: Forge.sessionName(raw, draft.mode) });
    }
  }

  async deleteDraft(): Promise<void> {
    const drafts = parseDrafts(await this.exec(ServerCommands.builderDrafts, {}));
    if (drafts.length === 0) {
      void vscode.window.showInformationMessage('Forge: there are no drafts.');
      return;
    }
    const chosen = await vscode.window.showQuickPick(
      drafts.map((d) => ({ ...draftLabel(d), draft: d })),
      { title: 'Forge · Delete Draft', placeHolder: 'Choose the drafts to delete', canPickMany: true },
    );
    if (!chosen || chosen.length === 0) {
      return;
    }
    let deleted = 0;
    for (const item of chosen) {
      const result = (await this.exec(ServerCommands.builderDelete, { session_id: item.draft.session_id })) as { deleted?: boolean };
      if (result?.deleted) {
        deleted++;
      }
    }
    void vscode.window.showInformationMessage(`Forge: deleted ${deleted} draft${deleted === 1 ? '' : 's'}.`);
  }

  /** Reconfigures the bot of `uri` (from a code lens), else of the active editor, else one the user picks. */
  async reconfigure(uri?: string): Promise<void> {
    let target = uri ? vscode.Uri.parse(uri) : this.activeBotFile();
    if (!target) {
      const files = await vscode.workspace.findFiles('**/{IDENTITY.md,SOUL.md}', '**/node_modules/**', 500);
      const bots = new Map<string, vscode.Uri>();
      for (const f of files) {
        bots.set(path.dirname(f.fsPath), f);
      }
      if (bots.size === 0) {
        throw new Error('no bot found in the workspace (a bot folder holds IDENTITY.md or SOUL.md)');
      }
      const chosen = await vscode.window.showQuickPick(
        [...bots.entries()].map(([dir, uri]) => ({ label: path.basename(dir), description: vscode.workspace.asRelativePath(dir), uri })),
        { title: 'Forge · Reconfigure Bot', placeHolder: 'Which bot?' },
      );
      if (!chosen) {
        return;
      }
      target = chosen.uri;
    }
    const first = await this.exec(ServerCommands.builderReconfigure, { uri: target.toString() });
    // `target` is a bot file or (from a lens or the server) possibly the bot's folder.
    const dir = /\.(md|toml)$/i.test(target.fsPath) ? path.dirname(target.fsPath) : target.fsPath;
    await this.converse(asTurn(first), { mode: 'bot', name: `Reconfigure ${path.basename(dir)}` });
  }

  async validateSkills(): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    let arg: { uri?: string } = {};
    if (active && isSkillFile(active.fsPath)) {
      const scope = await vscode.window.showQuickPick(
        [
          { label: 'This skill', uri: active.toString() },
          { label: 'All skills in the workspace', uri: undefined },
        ],
        { title: 'Forge · Validate Skills' },
      );
      if (!scope) {
        return;
      }
      arg = scope.uri ? { uri: scope.uri } : {};
    }
    const result = (await this.exec(ServerCommands.skillValidate, arg)) as {
      skills?: { uri: string; name?: string; errors?: number; warnings?: number }[];
    };
    const skills = result?.skills ?? [];
    const errors = skills.reduce((n, s) => n + (s.errors ?? 0), 0);
    const warnings = skills.reduce((n, s) => n + (s.warnings ?? 0), 0);
    this.output.appendLine(`Validated ${skills.length} skill(s): ${errors} error(s), ${warnings} warning(s)`);
    for (const s of skills) {
      this.output.appendLine(`  ${s.name ?? s.uri}: ${s.errors ?? 0} error(s), ${s.warnings ?? 0} warning(s) — ${s.uri}`);
    }
    const summary = `Forge: ${skills.length} skill(s) validated, ${errors} error(s), ${warnings} warning(s).`;
    const withProblems = skills.filter((s) => (s.errors ?? 0) + (s.warnings ?? 0) > 0);
    if (withProblems.length === 0) {
      void vscode.window.showInformationMessage(summary);
      return;
    }
    const chosen = await vscode.window.showQuickPick(
      withProblems.map((s) => ({
        label: s.name ?? path.basename(path.dirname(vscode.Uri.parse(s.uri).fsPath)),
        description: `${s.errors ?? 0} error(s), ${s.warnings ?? 0} warning(s)`,
        uri: s.uri,
      })),
      { title: summary, placeHolder: 'Open a skill with problems' },
    );
    if (chosen) {
      await vscode.window.showTextDocument(vscode.Uri.parse(chosen.uri));
    }
  }

  /** workspace/applyEdit leaves edited files dirty in VS Code: save what the server wrote so it is on disk. */
  private async saveWritten(uris: string[]): Promise<void> {
    for (const uri of uris) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (doc?.isDirty) {
        await doc.save();
      }
    }
  }

  private async finish(outcome: FlowOutcome): Promise<void> {
    await this.saveWritten(outcome.kind === 'assembled' ? outcome.files : outcome.kind === 'skill-created' ? [outcome.uri] : []);
    if (outcome.kind === 'assembled') {
      this.output.appendLine(`Assembled ${outcome.session_id}: ${outcome.files.join(', ')}`);
      const first = outcome.files.find((f) => f.endsWith('IDENTITY.md')) ?? outcome.files[0];
      if (first) {
        await vscode.window.showTextDocument(vscode.Uri.parse(first));
      }
      void vscode.window.showInformationMessage(`Forge: wrote ${outcome.files.length} file(s).`);
    } else if (outcome.kind === 'skill-created') {
      await vscode.window.showTextDocument(vscode.Uri.parse(outcome.uri));
      const n = outcome.diagnostics.length;
      void vscode.window.showInformationMessage(
        n === 0 ? 'Forge: skill created and valid.' : `Forge: skill created with ${n} diagnostic(s); see Problems.`,
      );
    }
  }
}

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

function asTurn(value: unknown): TurnResult {
  if (!isTurnResult(value)) {
    throw new Error(`unexpected builder reply ${JSON.stringify(value)}`);
  }
  return value;
}
