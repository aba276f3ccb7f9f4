/**
 * Builds the nested settings object the server expects (interface section 3): the dotted key `llm.provider`
 * becomes `{ llm: { provider } }`. Pure so that tests can check exactly what the extension sends.
 */

export interface SettingSpec {
  key: string;
  default: string | number;
}

/** Every server setting, with the default the extension declares in package.json. */
export const SERVER_SETTINGS: readonly SettingSpec[] = [
  { key: 'llm.provider', default: 'none' },
  { key: 'llm.baseUrl', default: '' },
  { key: 'llm.model', default: '' },
  { key: 'llm.apiKeyEnv', default: '' },
  { key: 'llm.timeoutSecs', default: 60 },
  { key: 'draftsPath', default: '' },
  { key: 'botsDir', default: 'bots' },
  { key: 'skillsDir', default: 'skills' },
  { key: 'boternityDataDir', default: '' },
  { key: 'validation.profile', default: 'auto' },
  { key: 'openclaw.bootstrapMaxChars', default: 20000 },
  { key: 'openclaw.bootstrapTotalMaxChars', default: 60000 },
  { key: 'budget.systemPromptTokens', default: 0 },
  { key: 'budget.skillListingTokens', default: 100 },
];

export type Getter = (key: string) => unknown;

/**
 * Reads every known key through `get` (e.g. `vscode.workspace.getConfiguration('forge').get`) and nests it.
 * Empty strings mean "use the server's default" and are left out, so the server applies its own defaults.
 */
export function buildServerSettings(get: Getter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of SERVER_SETTINGS) {
    const value = get(key);
    if (value === undefined || value === null || value === '') {
      continue;
    }
    setPath(out, key.split('.'), value);
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) {
      node[part] = {};
    }
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/**
 * Answers a `workspace/configuration` request: items asking for the `forge` section (or a key inside it) get
 * the nested object built by `buildServerSettings`; `getFor(scopeUri)` returns a getter for that scope.
 * Items for other sections are answered with `null` here and filled in by the caller.
 */
export function answerConfiguration(
  items: readonly { section?: string; scopeUri?: string }[],
  getFor: (scopeUri: string | undefined) => Getter,
): unknown[] {
  return items.map((item) => {
    const section = item.section ?? '';
    if (section === 'forge') {
      return buildServerSettings(getFor(item.scopeUri));
    }
    if (section.startsWith('forge.')) {
      let node: unknown = buildServerSettings(getFor(item.scopeUri));
      for (const part of section.slice('forge.'.length).split('.')) {
        node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
      }
      return node ?? null;
    }
    return null;
  });
}
