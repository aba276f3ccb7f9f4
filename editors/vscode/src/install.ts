/**
 * *Forge: Install Skill…*: a skill folder, `.zip`/`.skill` archive or SKILL.md installed through the server's
 * `forge.skill.install`, which validates and scans it first. A skill with an error-level finding (or one that
 * would replace an installed skill) is refused; the user then sees the findings in a modal and may install it
 * anyway. No `vscode` import: the UI comes in, so the flow is tested against the real server.
 */
import type { Exec } from './flow';

export const INSTALL_COMMAND = 'forge.skill.install';
export const INSTALL_ANYWAY = 'Install Anyway';

export interface InstallUI {
  /** The source as a `file:` URI, or undefined when the user cancelled. */
  pickSource(): Promise<string | undefined>;
  /** Shows `message` (the server's refusal, findings included) modally; true to install anyway. */
  confirm(message: string): Promise<boolean>;
}

export interface Installed {
  uri: string;
  name: string;
  replaced: boolean;
  errors: number;
  findings: { uri: string; diagnostics: unknown[] }[];
}

/** Whether an error from `forge.skill.install` is a refusal the user may override. */
export function isRefusal(message: string): boolean {
  return /Nothing was installed|already installed/.test(message);
}

/** Installs a skill; undefined when the user cancelled (nothing installed). */
export async function installSkill(exec: Exec, ui: InstallUI, bot?: string): Promise<Installed | undefined> {
  const source = await ui.pickSource();
  if (!source) {
    return undefined;
  }
  const arg: Record<string, unknown> = { source, confirm: false, ...(bot ? { bot } : {}) };
  let result: unknown;
  try {
    result = await exec(INSTALL_COMMAND, arg);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!isRefusal(message) || !(await ui.confirm(message))) {
      if (isRefusal(message)) {
        return undefined;
      }
      throw error;
    }
    result = await exec(INSTALL_COMMAND, { ...arg, confirm: true });
  }
  const r = result as Partial<Installed> | null;
  if (!r || typeof r.uri !== 'string' || typeof r.name !== 'string') {
    throw new Error(`${INSTALL_COMMAND} returned ${JSON.stringify(result)}, expected {uri, name, …}`);
  }
  return {
    uri: r.uri,
    name: r.name,
    replaced: Boolean(r.replaced),
    errors: Number(r.errors ?? 0),
    findings: Array.isArray(r.findings) ? r.findings : [],
  };
}
