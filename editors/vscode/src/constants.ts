/** Names fixed by the forge-ls interface (docs/forge-ls-interface.md, sections 3 and 4). */

/** Commands the server advertises in `executeCommandProvider` and that the flows call. */
export const ServerCommands = {
  builderStart: 'forge.builder.start',
  builderAnswer: 'forge.builder.answer',
  builderSession: 'forge.builder.session',
  builderDrafts: 'forge.builder.drafts',
  builderDelete: 'forge.builder.delete',
  builderAssemble: 'forge.builder.assemble',
  builderReconfigure: 'forge.builder.reconfigure',
  builderChat: 'forge.builder.chat',
  builderTranscript: 'forge.builder.transcript',
  skillCreate: 'forge.skill.create',
  skillValidate: 'forge.skill.validate',
} as const;

/**
 * Command-palette commands contributed by the extension. They live under `forge.ui.*` so that they never
 * collide with the server's `forge.*` commands, which vscode-languageclient registers as VS Code commands.
 */
export const PaletteCommands = {
  newBot: 'forge.ui.newBot',
  newSkill: 'forge.ui.newSkill',
  resumeDraft: 'forge.ui.resumeDraft',
  deleteDraft: 'forge.ui.deleteDraft',
  reconfigure: 'forge.ui.reconfigure',
  validateSkills: 'forge.ui.validateSkills',
  assemble: 'forge.ui.assemble',
  restartServer: 'forge.ui.restartServer',
  previewSystemPrompt: 'forge.ui.previewSystemPrompt',
  openclawFirstRun: 'forge.ui.openclawFirstRun',
  installSkill: 'forge.ui.installSkill',
} as const;

/** Files the server understands; the client attaches to them whatever language VS Code gave them. */
export const FILE_PATTERNS = [
  '**/SKILL.md',
  '**/IDENTITY.md',
  '**/SOUL.md',
  '**/USER.md',
  '**/skills.toml',
  // OpenClaw workspace files: the server analyses them only inside an OpenClaw workspace.
  '**/AGENTS.md',
  '**/TOOLS.md',
  '**/HEARTBEAT.md',
  '**/BOOTSTRAP.md',
  '**/MEMORY.md',
] as const;

/** The configuration section synchronised with the server (`workspace/configuration`, section `forge`). */
export const CONFIG_SECTION = 'forge';

/** Client-only settings (never sent to the server). */
export const CLIENT_SECTION = 'forge-ls';

export const INSTALL_COMMAND = 'cargo install --path server/forge-ls';
