import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const BINARY = process.platform === 'win32' ? 'forge-ls.exe' : 'forge-ls';

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * Finds the server: the `forge-ls.serverPath` setting when set (relative paths against the first workspace
 * folder), else `forge-ls` on PATH, else cargo's install directory (GUI-launched editors often lack it on PATH).
 * Returns `undefined` when nothing executable is found.
 */
export function resolveServerPath(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  workspaceRoot?: string,
): string | undefined {
  if (configured && configured.trim() !== '') {
    let candidate = expandHome(configured.trim());
    if (!path.isAbsolute(candidate) && workspaceRoot) {
      candidate = path.join(workspaceRoot, candidate);
    }
    return isExecutable(candidate) ? candidate : undefined;
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const cargoHome = env.CARGO_HOME ?? path.join(os.homedir(), '.cargo');
  dirs.push(path.join(cargoHome, 'bin'));
  for (const dir of dirs) {
    const candidate = path.join(dir, BINARY);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}
