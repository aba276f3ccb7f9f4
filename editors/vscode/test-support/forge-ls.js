'use strict';
// The real forge-ls for node tests: spawned on a workspace folder, initialized over stdio, stopped when the
// test ends. The binary: $FORGE_LS, else <repo>/target/release/forge-ls.
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  ExecuteCommandRequest,
  ShutdownRequest,
  ExitNotification,
} = require('vscode-languageserver-protocol/node');

const REPO = path.resolve(__dirname, '..', '..', '..');
const SERVER = process.env.FORGE_LS || path.join(REPO, 'target', 'release', 'forge-ls');

/**
 * forge-ls on the workspace folder `root`, initialized with `capabilities`; `onRequest(method, params)`
 * answers the server's requests (null by default). Returns the connection and `exec(command, arg)`.
 */
async function startForgeLs(t, root, { capabilities = {}, onRequest } = {}) {
  assert.ok(fs.existsSync(SERVER), `forge-ls binary not found at ${SERVER}; run: cargo build --release -p forge-ls`);
  const child = cp.spawn(SERVER, ['--stdio'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BOTERNITY_DATA_DIR: path.join(root, '.no-library') },
  });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest((method, params) => (onRequest ? onRequest(method, params) : null));
  connection.onNotification(() => undefined);
  connection.listen();
  t.after(async () => {
    await Promise.race([connection.sendRequest(ShutdownRequest.type).catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    connection.sendNotification(ExitNotification.type);
    await new Promise((r) => setTimeout(r, 200));
    child.kill();
    connection.dispose();
  });
  const rootUri = pathToFileURL(root).toString();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'ws' }], capabilities });
  connection.sendNotification(InitializedNotification.type, {});
  const exec = (command, arg) => connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] });
  return { connection, exec };
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Applies a workspace edit to disk as an editor would (created files, then full-range or insert edits). */
function applyEdit(edit) {
  for (const op of edit.documentChanges ?? []) {
    if (op.kind === 'create') {
      write(fileURLToPath(op.uri), '');
    } else if (!op.kind) {
      const file = fileURLToPath(op.textDocument.uri);
      let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const offset = (p) => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
      for (const e of [...op.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
        text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
      }
      fs.writeFileSync(file, text);
    }
  }
}

module.exports = { REPO, SERVER, applyEdit, startForgeLs, write };
