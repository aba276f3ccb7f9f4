'use strict';
// Starts the real forge-ls binary and talks LSP to it over stdio, sending what the extension sends.
// The binary: $FORGE_LS, else <repo>/target/release/forge-ls (build it with `cargo build --release -p forge-ls`).
const test = require('node:test');
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  ExecuteCommandRequest,
  DidChangeConfigurationNotification,
  ShutdownRequest,
  ExitNotification,
} = require('vscode-languageserver-protocol/node');
const { ServerCommands } = require('../out/constants.js');
const { buildServerSettings, answerConfiguration } = require('../out/settings.js');

const REPO = path.resolve(__dirname, '..', '..', '..');
const SERVER = process.env.FORGE_LS || path.join(REPO, 'target', 'release', 'forge-ls');

function startServer(workspace) {
  assert.ok(fs.existsSync(SERVER), `forge-ls binary not found at ${SERVER}; run: cargo build --release -p forge-ls`);
  const child = cp.spawn(SERVER, ['--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, BOTERNITY_DATA_DIR: path.join(workspace, '.no-library') } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const state = { settings: {}, configRequests: [] };
  // workspace/configuration is answered exactly as the extension's middleware answers it.
  connection.onRequest('workspace/configuration', (params) => {
    state.configRequests.push(params.items);
    return answerConfiguration(params.items, () => (key) => state.settings[key]);
  });
  connection.onRequest('workspace/applyEdit', (params) => {
    state.applied = (state.applied ?? []).concat([params.edit]);
    return { applied: false, failureReason: 'protocol test does not write files' };
  });
  connection.onRequest((method) => {
    state.other = (state.other ?? []).concat([method]);
    return null;
  });
  connection.onNotification(() => undefined);
  connection.listen();
  return {
    connection,
    state,
    child,
    stderr: () => stderr,
    async close() {
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 3000))]);
        connection.sendNotification(ExitNotification.type);
      } catch {
        /* already gone */
      }
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 3000);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      connection.dispose();
    },
  };
}

async function initialize(server, workspace, settings) {
  server.state.settings = settings;
  const uri = pathToFileURL(workspace).toString();
  const result = await server.connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: path.basename(workspace) }],
    initializationOptions: buildServerSettings((key) => settings[key]),
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true, applyEdit: true, didChangeConfiguration: { dynamicRegistration: true }, executeCommand: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { codeDescriptionSupport: true } },
    },
  });
  server.connection.sendNotification(InitializedNotification.type, {});
  return result;
}

function waitFor(predicate, ms, what) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (predicate()) {
        resolve();
      } else if (Date.now() - start > ms) {
        reject(new Error(`timed out waiting for ${what}`));
      } else {
        setTimeout(tick, 50);
      }
    };
    tick();
  });
}

function gate(t, commands, needed) {
  const missing = needed.filter((c) => !commands.includes(c));
  if (missing.length > 0) {
    const message = `SKIPPED: server lacks ${missing.join(', ')}`;
    console.log(message);
    t.skip(message);
    return false;
  }
  return true;
}

const exec = (server, command, arg) => server.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] });

test('forge-ls over LSP: commands advertised, initializationOptions and workspace/configuration honoured', async (t) => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-proto-'));
  const server = startServer(workspace);
  t.after(() => server.close());
  const dbA = path.join(workspace, 'state-a', 'drafts.db');
  const dbB = path.join(workspace, 'state-b', 'drafts.db');
  const result = await initialize(server, workspace, { 'llm.provider': 'none', draftsPath: dbA, botsDir: 'agents' });
  assert.ok(result && result.capabilities, 'initialize returned capabilities');
  const provider = result.capabilities.executeCommandProvider;
  if (!provider) {
    console.log('SKIPPED: server lacks executeCommandProvider (every command-driven check below is gated)');
  } else {
    assert.ok(Array.isArray(provider.commands), `executeCommandProvider.commands is a list: ${JSON.stringify(provider)}`);
  }
  const commands = provider ? provider.commands : [];
  assert.equal(new Set(commands).size, commands.length, 'no command advertised twice');
  assert.ok(commands.every((c) => c.startsWith('forge.')), `server commands stay in the forge.* namespace: ${commands}`);
  assert.ok(!commands.some((c) => c.startsWith('forge.ui.')), 'forge.ui.* is reserved for the extension palette');

  await t.test('every interface command is advertised', (t2) => {
    for (const command of Object.values(ServerCommands)) {
      if (!commands.includes(command)) {
        console.log(`SKIPPED: server lacks ${command}`);
      }
    }
    if (gate(t2, commands, Object.values(ServerCommands))) {
      assert.ok(true);
    }
  });

  await t.test('the server reads the forge section through workspace/configuration', async () => {
    await waitFor(() => server.state.configRequests.some((items) => items.some((i) => i.section === 'forge')), 5000, 'a workspace/configuration request for section forge').catch(async () => {
      // Servers may read configuration only after didChangeConfiguration; VS Code sends one on change.
      server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { forge: buildServerSettings((k) => server.state.settings[k]) } });
      await waitFor(() => server.state.configRequests.some((items) => items.some((i) => i.section === 'forge')), 5000, 'a workspace/configuration request for section forge');
    });
  });

  await t.test('initializationOptions: the drafts database is where draftsPath says', async (t2) => {
    if (!gate(t2, commands, [ServerCommands.builderStart, ServerCommands.builderDrafts])) {
      return;
    }
    const started = await exec(server, ServerCommands.builderStart, { mode: 'bot', description: 'a protocol test bot' });
    assert.equal(typeof started.session_id, 'string');
    assert.ok(['ask_question', 'show_preview', 'ready_to_assemble', 'clarify'].includes(started.turn.action), JSON.stringify(started.turn));
    // The turn says whether Back is possible; the flow relies on it (nothing to go back to yet).
    assert.equal(started.can_go_back, false, JSON.stringify(started));
    assert.ok(fs.existsSync(dbA), `drafts database not created at draftsPath ${dbA}`);
    const drafts = await exec(server, ServerCommands.builderDrafts, {});
    assert.ok(drafts.some((d) => d.session_id === started.session_id && d.mode === 'bot'), JSON.stringify(drafts));
  });

  await t.test('workspace/configuration: a changed draftsPath is honoured after didChangeConfiguration', async (t2) => {
    if (!gate(t2, commands, [ServerCommands.builderStart, ServerCommands.builderDrafts])) {
      return;
    }
    server.state.settings = { ...server.state.settings, draftsPath: dbB };
    const before = server.state.configRequests.length;
    // What vscode-languageclient's synchronize.configurationSection sends on a settings change.
    server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { forge: buildServerSettings((k) => server.state.settings[k]) } });
    await waitFor(() => server.state.configRequests.length > before, 5000, 'the server to re-read workspace/configuration').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const started = await exec(server, ServerCommands.builderStart, { mode: 'skill', description: 'second session' });
    assert.ok(fs.existsSync(dbB), `drafts database not moved to the new draftsPath ${dbB}`);
    const drafts = await exec(server, ServerCommands.builderDrafts, {});
    assert.ok(drafts.some((d) => d.session_id === started.session_id), JSON.stringify(drafts));
  });

  await t.test('an unknown session is a clean error', async (t2) => {
    if (!gate(t2, commands, [ServerCommands.builderSession])) {
      return;
    }
    await assert.rejects(exec(server, ServerCommands.builderSession, { session_id: 'no-such-session' }));
  });
});
