'use strict';
// The real-VS Code harness: a code-server (VS Code's web build, from npm) serving a workspace, with the
// extension installed from the locally built .vsix, and Debian's chromium driven by Playwright. Everything
// listens on 127.0.0.1; the extension gallery points at a closed local port and telemetry and update checks
// are off, so nothing is fetched from anywhere.
const cp = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.codeLens': true,
  'window.commandCenter': false,
  'files.autoSave': 'off',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

async function waitUntil(what, fn, timeout = 30000, every = 100) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) {
        return v;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Starts code-server and chromium. `machineSettings` go to the Machine settings (the Remote tab), where a
 * machine-overridable setting such as forge-ls.serverPath lives in a remote window.
 */
async function startVsCode({ codeServer, vsix, tmp, machineSettings, out }) {
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home, { recursive: true });
  writeJson(path.join(userData, 'User', 'settings.json'), USER_SETTINGS);
  writeJson(path.join(userData, 'Machine', 'settings.json'), machineSettings);
  const config = path.join(tmp, 'code-server.yaml');
  fs.writeFileSync(config, '');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    // No marketplace: a gallery on a closed local port (the page's CSP blocks it anyway).
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/' }),
  };
  const base = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  cp.execFileSync(process.execPath, [codeServer, ...base, '--install-extension', vsix], { env, stdio: 'pipe' });
  const port = await freePort();
  const log = fs.openSync(path.join(out, 'code-server.log'), 'w');
  const server = cp.spawn(
    process.execPath,
    [
      codeServer,
      ...base,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ],
    { env, stdio: ['ignore', log, log], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('code-server to listen', async () => (await fetch(`${url}/healthz`)).ok, 60000, 250);
  const context = await chromium.launchPersistentContext(path.join(tmp, 'chromium'), {
    executablePath: process.env.FORGE_E2E_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 860 },
  });
  return {
    url,
    userData,
    context,
    async stop() {
      await context.close().catch(() => undefined);
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      fs.closeSync(log);
    },
  };
}

/** One VS Code window on `folder`. */
class Workbench {
  constructor(page, folder) {
    this.page = page;
    this.folder = folder;
  }

  static async open(vscode, folder) {
    const page = await vscode.context.newPage();
    await page.goto(`${vscode.url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    return new Workbench(page, folder);
  }

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  async quickInputVisible() {
    return this.quickInput().isVisible();
  }

  async waitQuickInput(what = 'the quick input') {
    await this.quickInput().waitFor({ state: 'visible', timeout: 20000 }).catch((e) => {
      throw new Error(`${what} did not open: ${e.message}`);
    });
  }

  async waitQuickInputClosed() {
    await this.quickInput().waitFor({ state: 'hidden', timeout: 20000 });
  }

  /** The open QuickPick: title (with its step, e.g. `(2/5)`), placeholder, typed value and the rows' labels. */
  async quickPick() {
    const qi = this.quickInput();
    const title = (await qi.locator('.quick-input-title').textContent().catch(() => '')) ?? '';
    const input = qi.locator('.quick-input-box input');
    const placeholder = (await input.getAttribute('placeholder').catch(() => '')) ?? '';
    const value = await input.inputValue().catch(() => '');
    const rows = await qi.locator('.quick-input-list .monaco-list-row').evaluateAll((els) =>
      els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()),
    );
    return { title: title.trim(), placeholder, value, rows };
  }

  /** Waits for a QuickPick whose rows or title satisfy `pred`. */
  async waitQuickPick(what, pred, timeout = 20000) {
    return waitUntil(what, async () => {
      if (!(await this.quickInputVisible())) {
        return false;
      }
      const qp = await this.quickPick();
      return pred(qp) ? qp : false;
    }, timeout).catch(async (e) => {
      const qp = (await this.quickInputVisible()) ? await this.quickPick() : 'no quick input';
      throw new Error(`${e.message}; last: ${JSON.stringify(qp)}`);
    });
  }

  /** Accepts the row whose label matches `re` (clicking it). */
  async pickRow(re) {
    const row = this.quickInput()
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: re })
      .first();
    await row.waitFor({ state: 'visible', timeout: 20000 });
    await row.click();
  }

  /** Runs a command from the command palette by its label, e.g. "Forge: New Bot". */
  async command(label) {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    await this.waitQuickInput('the command palette');
    await this.quickInput().locator('.quick-input-box input').fill(`>${label}`);
    const row = this.quickInput()
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: label })
      .first();
    await row.waitFor({ state: 'visible', timeout: 20000 });
    await this.page.keyboard.press('Enter');
  }

  async closeQuickInput() {
    for (let i = 0; i < 5 && (await this.quickInputVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(150);
    }
  }

  /** Opens a file of the workspace by its relative path (Quick Open). */
  async openFile(rel) {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+P');
    await this.waitQuickInput('quick open');
    await this.quickInput().locator('.quick-input-box input').fill(rel);
    const name = path.basename(rel);
    const dir = path.dirname(rel);
    // The file's own row (its name and its folder), once the search has found it.
    const row = this.quickInput()
      .locator('.quick-input-list .monaco-list-row')
      .filter({ hasText: name })
      .filter({ hasText: dir })
      .first();
    await row.waitFor({ timeout: 20000 });
    await row.click();
    await waitUntil(`${rel} open`, async () => {
      const label = await this.page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label');
      return label?.startsWith(name);
    }, 20000);
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
  }

  /** Puts the cursor at 1-based `line`:`column` of the active editor. */
  async goTo(line, column = 1) {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+G');
    await this.waitQuickInput('go to line');
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.waitQuickInputClosed();
  }

  /**
   * Presses Ctrl+. and returns the listed code actions' titles (the list stays open). Pressed the instant the
   * cursor lands, VS Code may answer "No code actions available" before it has the server's actions for the
   * new position (it then has them for the light bulb): like a person, press again.
   */
  async codeActions() {
    const items = this.page.locator('.action-widget .monaco-list-row.action');
    await this.pressUntilShown('Control+.', items);
    return items.evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  }

  /**
   * Presses `key` until `shown` appears: the key is sometimes taken before the editor has focus back
   * (VS Code answers "No code actions available", or no suggest list shows, after a hover's Escape).
   */
  async pressUntilShown(key, shown) {
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press(key);
      try {
        await shown.first().waitFor({ timeout: attempt < 5 ? 3000 : 20000 });
        return;
      } catch (e) {
        if (attempt >= 5) {
          throw e;
        }
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(500);
      }
    }
  }

  /** The completion list at the cursor (Ctrl+Space), as the rows' accessible labels. */
  async completions() {
    const rows = this.page.locator('.suggest-widget.visible .monaco-list-row');
    await this.pressUntilShown('Control+Space', rows);
    return waitUntil('completion items', async () => {
      const l = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      return l.length > 1 ? l : false;
    });
  }

  /** The notifications' texts. */
  async notifications() {
    return this.page.locator('.notifications-toasts .notification-toast').evaluateAll((els) =>
      els.map((e) => (e.textContent ?? '').trim()),
    );
  }

  async waitNotification(re, timeout = 30000) {
    return waitUntil(`a notification matching ${re}`, async () => (await this.notifications()).find((t) => re.test(t)), timeout).catch(async (e) => {
      throw new Error(`${e.message}; shown: ${JSON.stringify(await this.notifications())}`);
    });
  }

  async clearNotifications() {
    await this.command('Notifications: Clear All Notifications');
  }

  /** The rows of the Problems view. */
  async problems() {
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()),
    );
  }

  async tabs() {
    return this.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  async screenshot(file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file });
  }
}

module.exports = { startVsCode, Workbench, waitUntil, writeJson };

