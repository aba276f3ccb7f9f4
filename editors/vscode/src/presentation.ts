/**
 * Small decisions of the extension that do not need VS Code to be made, so the node tests can check them:
 * how server log lines are leveled, where a new bot goes, which command a code lens runs, how the
 * missing-server message reads and where its *Open Settings* leads.
 */
import * as path from 'path';
import { CLIENT_SECTION, INSTALL_COMMAND, PaletteCommands } from './constants';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of one stderr line of forge-ls (`tracing`'s format: `<time>  INFO <target>: <message>`) and the
 * line without its timestamp (the output channel adds its own). A line of no known format (a panic's
 * continuation) keeps the level of the line before it.
 */
export function serverLogLine(line: string, previous: LogLevel = 'info'): { level: LogLevel; text: string } {
  const m = /^\S+\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+(.*)$/.exec(line);
  if (m) {
    return { level: m[1].toLowerCase() as LogLevel, text: m[2] };
  }
  if (/^thread '.*' panicked at/.test(line)) {
    return { level: 'error', text: line };
  }
  return { level: previous, text: line };
}

/**
 * The bots directory a new bot goes into: `forge.botsDir` of the chosen workspace folder (the server reads
 * `folder` as the bots directory itself, not as the workspace folder).
 */
export function botsFolder(workspaceFolder: string, botsDir: string | undefined): string {
  const dir = botsDir?.trim() || 'bots';
  return path.isAbsolute(dir) ? dir : path.join(workspaceFolder, dir);
}

export interface LensCommand {
  title: string;
  command: string;
  arguments?: unknown[];
}

/**
 * The server's builder lenses name server commands that only return JSON (clicking them would show nothing);
 * in VS Code they open the conversation instead: unanswered questions start *Reconfigure* on the bot, a bound
 * session is resumed.
 */
export function lensCommand(c: LensCommand): LensCommand {
  const arg = (c.arguments?.[0] ?? {}) as { uri?: unknown; session_id?: unknown };
  if (c.command === 'forge.builder.reconfigure' && typeof arg.uri === 'string') {
    return { title: c.title, command: PaletteCommands.reconfigure, arguments: [arg.uri] };
  }
  if (c.command === 'forge.builder.session' && typeof arg.session_id === 'string') {
    return { title: c.title, command: PaletteCommands.resumeDraft, arguments: [arg.session_id] };
  }
  const start = arg as { mode?: unknown; folder?: unknown };
  if (c.command === 'forge.builder.start' && start.mode === 'openclaw-workspace' && typeof start.folder === 'string') {
    return { title: c.title, command: PaletteCommands.openclawFirstRun, arguments: [start.folder] };
  }
  return c;
}

/** The "forge-ls not found" message: plain text (notifications do not render Markdown). */
export function missingServerMessage(configured: string | undefined): string {
  const what = configured
    ? `forge-ls was not found at "${configured}" (setting ${CLIENT_SECTION}.serverPath)`
    : 'forge-ls was not found on PATH';
  return `Forge: ${what}. Install it from the forge-ls repository with: ${INSTALL_COMMAND}. Or set ${CLIENT_SECTION}.serverPath.`;
}

/**
 * The command that shows `forge-ls.serverPath`. It is machine-overridable: in a remote window (code-server,
 * Remote-SSH, WSL, Codespaces) it is a setting of the remote machine, listed under the Remote tab, and the
 * User tab finds nothing.
 */
export function serverPathSettingsCommand(remoteName: string | undefined): [string, unknown] {
  const setting = `${CLIENT_SECTION}.serverPath`;
  return remoteName
    ? ['workbench.action.openRemoteSettings', { query: setting }]
    : ['workbench.action.openSettings', setting];
}
