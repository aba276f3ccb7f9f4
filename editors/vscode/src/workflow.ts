/**
 * Boternity workflows: YAML files the server checks, recognised by their content the way the server
 * recognises them (`rules::workflow::looks_like`): top-level `steps:` and `name:`, and one of `version:`,
 * `owner:`, `triggers:`. Other YAML (GitHub Actions, Compose files) is never sent to the server.
 */

/** YAML files that may be workflows; the client syncs only those whose text passes `isWorkflowText`. */
export const WORKFLOW_PATTERNS = ['**/*.yaml', '**/*.yml'] as const;

export function isYamlPath(fsPath: string): boolean {
  return /\.ya?ml$/.test(fsPath);
}

export function isWorkflowText(text: string): boolean {
  let steps = false;
  let name = false;
  let other = false;
  for (const line of text.split(/\r?\n|\r/)) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      continue;
    }
    const key = line.slice(0, colon).trimEnd();
    if (key === 'steps') {
      steps = true;
    } else if (key === 'name') {
      name = true;
    } else if (key === 'version' || key === 'owner' || key === 'triggers') {
      other = true;
    }
    if (steps && name && other) {
      return true;
    }
  }
  return false;
}

/**
 * Which YAML documents the server was told about: a workflow when it was opened stays synced until it
 * is closed, so its changes, saves and close reach the server; other YAML never does.
 */
export class WorkflowSync {
  private readonly open = new Set<string>();

  /** Whether to send `didOpen` for a document (bot and skill files always; YAML only as a workflow). */
  opens(uri: string, fsPath: string, text: string): boolean {
    if (!isYamlPath(fsPath)) {
      return true;
    }
    if (!isWorkflowText(text)) {
      return false;
    }
    this.open.add(uri);
    return true;
  }

  /** Whether a change, save or close of the document goes to the server. */
  synced(uri: string, fsPath: string): boolean {
    return !isYamlPath(fsPath) || this.open.has(uri);
  }

  closed(uri: string): void {
    this.open.delete(uri);
  }
}
