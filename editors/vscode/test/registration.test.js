'use strict';
// Command registration under a stub of the `vscode` API that throws on duplicate ids, as VS Code does.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { ForgeLanguageClient } = require('../out/client.js');
const { PaletteCommands, ServerCommands, INSTALL_COMMAND } = require('../out/constants.js');

const SERVER_COMMANDS = Object.values(ServerCommands);
const caps = { executeCommandProvider: { commands: SERVER_COMMANDS } };
const rec = vscode.__recorded;

function makeClient(Cls) {
  return new Cls('forge-ls', 'Forge', { command: '/nonexistent/forge-ls' }, {
    documentSelector: [{ scheme: 'file', pattern: '**/SKILL.md' }],
  });
}

function countOf(id) {
  return rec.registrations.filter((r) => r === id).length;
}

test.beforeEach(() => vscode.__reset());

test('control: two stock LanguageClients make the stub throw "already exists" (the multi-root bug)', () => {
  const a = makeClient(LanguageClient);
  const b = makeClient(LanguageClient);
  a.getFeature('workspace/executeCommand').initialize(caps);
  assert.throws(() => b.getFeature('workspace/executeCommand').initialize(caps), /command 'forge\.builder\.start' already exists/);
  a.getFeature('workspace/executeCommand').clear();
});

test('ForgeLanguageClient registers every server command exactly once, shared between clients', async () => {
  const a = makeClient(ForgeLanguageClient);
  const b = makeClient(ForgeLanguageClient);
  const sent = [];
  for (const [name, client] of [['a', a], ['b', b]]) {
    client.sendRequest = async (type, params) => {
      sent.push({ name, method: type.method, params });
      return { from: name };
    };
  }
  const fa = a.getFeature('workspace/executeCommand');
  const fb = b.getFeature('workspace/executeCommand');
  assert.equal(fa.constructor.name, 'SharedExecuteCommandFeature');
  fa.initialize(caps);
  fb.initialize(caps);
  for (const id of SERVER_COMMANDS) {
    assert.equal(countOf(id), 1, `${id} registered once`);
  }
  // A VS Code command (e.g. a code action's command) reaches the server as workspace/executeCommand.
  const arg = { session_id: 's', answer: { option: 0 } };
  assert.deepEqual(await vscode.commands.executeCommand('forge.builder.answer', arg), { from: 'b' });
  assert.deepEqual(sent.at(-1), {
    name: 'b',
    method: 'workspace/executeCommand',
    params: { command: 'forge.builder.answer', arguments: [arg] },
  });
  // When one client stops, the other keeps serving the commands.
  fb.clear();
  assert.deepEqual(await vscode.commands.executeCommand('forge.builder.drafts', {}), { from: 'a' });
  // When the last one stops, the VS Code commands are gone, and a restart registers them again.
  fa.clear();
  assert.ok(!rec.commands.has('forge.builder.start'));
  fa.initialize(caps);
  assert.ok(rec.commands.has('forge.builder.start'));
  assert.equal(countOf('forge.builder.start'), 2);
  fa.clear();
});

test('a server command another extension already owns does not stop the client', () => {
  vscode.commands.registerCommand('forge.skill.validate', () => 'theirs');
  const a = makeClient(ForgeLanguageClient);
  const feature = a.getFeature('workspace/executeCommand');
  assert.doesNotThrow(() => feature.initialize(caps));
  assert.equal(countOf('forge.builder.start'), 1);
  feature.clear();
});

test('dynamic registration adds and removes commands', () => {
  const a = makeClient(ForgeLanguageClient);
  const feature = a.getFeature('workspace/executeCommand');
  feature.register({ id: 'r1', registerOptions: { commands: ['forge.soul.diff'] } });
  assert.ok(rec.commands.has('forge.soul.diff'));
  feature.unregister('r1');
  assert.ok(!rec.commands.has('forge.soul.diff'));
});

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

function context() {
  return { subscriptions: [], extensionPath: path.join(__dirname, '..') };
}

test('activate registers each palette command once, with ids distinct from the server commands', async () => {
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  const ext = require('../out/extension.js');
  const ctx = context();
  await ext.activate(ctx);
  const paletteIds = Object.values(PaletteCommands);
  for (const id of paletteIds) {
    assert.equal(countOf(id), 1, `${id} registered once`);
    assert.ok(!SERVER_COMMANDS.includes(id));
  }
  // package.json contributes exactly the commands the extension registers.
  assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...paletteIds].sort());
  // Activating again while the first activation lives would collide: registration really happens.
  await assert.rejects(ext.activate(context()), /already exists/);
  ctx.subscriptions.forEach((d) => d.dispose());
  await ext.deactivate();
  for (const id of paletteIds) {
    assert.ok(!rec.commands.has(id), `${id} disposed with the extension`);
  }
});

test('without the Chat API nothing chat-related is registered and activation does not fail', async () => {
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  const ext = require('../out/extension.js');
  const ctx = context();
  assert.equal(vscode.chat, undefined);
  const forge = await ext.activate(ctx);
  assert.equal(countOf(PaletteCommands.newBot), 1, 'the palette flows stay');
  assert.ok(forge.output.lines.includes('@forge: this editor has no Chat API; the builder is in the command palette'), forge.output.lines.join('\n'));
  ctx.subscriptions.forEach((d) => d.dispose());
  await ext.deactivate();
});

test('with the Chat API the @forge participant of package.json is created and answers', async () => {
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  const created = [];
  rec.chat = {
    createChatParticipant(id, handler) {
      const participant = { id, requestHandler: handler, disposed: false, dispose() { this.disposed = true; } };
      created.push(participant);
      return participant;
    },
  };
  const ext = require('../out/extension.js');
  const ctx = context();
  const forge = await ext.activate(ctx);
  assert.equal(created.length, 1);
  assert.ok(forge.output.lines.includes('@forge: chat participant registered'), forge.output.lines.join('\n'));
  const participant = created[0];
  const declared = manifest.contributes.chatParticipants;
  assert.deepEqual(declared.map((p) => p.id), [participant.id]);
  assert.equal(declared[0].name, 'forge');
  assert.deepEqual(declared[0].commands.map((c) => c.name), ['bot', 'skill', 'resume', 'back', 'preview', 'assemble', 'reconfigure']);
  assert.ok(manifest.activationEvents.includes(`onChatParticipant:${participant.id}`));
  // Follow-ups are the options of the reply's metadata.
  const meta = { sessionId: 's1', mode: 'bot', options: [{ index: 1, label: 'Mendel' }] };
  assert.deepEqual(await participant.followupProvider.provideFollowups({ metadata: meta }, { history: [] }, {}), [
    { prompt: '1', label: '1. Mendel' },
  ]);
  // The session id of the conversation comes from the history; without a server, the error is the reply's.
  const parts = [];
  const stream = new Proxy({}, { get: (_, kind) => (...args) => parts.push({ kind, args }) });
  const history = [new vscode.ChatResponseTurn([], { metadata: meta }, participant.id), new vscode.ChatResponseTurn([], { metadata: { sessionId: 'other' } }, 'someone.else')];
  const result = await participant.requestHandler({ prompt: '2', command: undefined, references: [] }, { history }, stream, {});
  assert.match(result.errorDetails.message, /not running/);
  assert.deepEqual(result.metadata, { sessionId: 's1', mode: 'bot', options: meta.options }, 'the conversation is kept');
  assert.deepEqual(parts.map((p) => p.kind), ['progress']);
  ctx.subscriptions.forEach((d) => d.dispose());
  assert.ok(participant.disposed, 'disposed with the extension');
  await ext.deactivate();
});

test('a chat API that refuses the participant costs nothing but the participant', async () => {
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  rec.chat = {
    createChatParticipant() {
      throw new Error('participant not declared');
    },
  };
  const ext = require('../out/extension.js');
  const ctx = context();
  const forge = await ext.activate(ctx);
  assert.equal(countOf(PaletteCommands.newBot), 1);
  assert.ok(forge.output.lines.some((l) => /could not be registered: Error: participant not declared/.test(l)), forge.output.lines.join('\n'));
  ctx.subscriptions.forEach((d) => d.dispose());
  await ext.deactivate();
});

test('a missing server is reported with the install command and a button that copies it', async () => {
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  rec.errorChoice = 'Copy Install Command';
  const ext = require('../out/extension.js');
  const ctx = context();
  const forge = await ext.activate(ctx);
  assert.equal(forge.client, undefined, 'no client without a server');
  await forge.missingServerReport;
  assert.equal(rec.errors.length, 1);
  assert.match(rec.errors[0].message, /forge-ls was not found at "\/nonexistent\/forge-ls"/);
  assert.ok(rec.errors[0].message.includes(INSTALL_COMMAND));
  assert.ok(rec.errors[0].items.includes('Copy Install Command'));
  assert.equal(rec.clipboard, 'cargo install --path server/forge-ls');
  // The palette commands explain that the server is not running instead of failing silently.
  await vscode.commands.executeCommand(PaletteCommands.newBot);
  assert.match(rec.errors.at(-1).message, /(not running|open a folder)/);
  ctx.subscriptions.forEach((d) => d.dispose());
  await ext.deactivate();
});

test('package.json points documentSelector patterns and activation at the bot and skill files', () => {
  const { FILE_PATTERNS } = require('../out/constants.js');
  assert.deepEqual([...FILE_PATTERNS].sort(), [
    '**/AGENTS.md', '**/BOOTSTRAP.md', '**/HEARTBEAT.md', '**/IDENTITY.md', '**/MEMORY.md',
    '**/SKILL.md', '**/SOUL.md', '**/TOOLS.md', '**/USER.md', '**/skills.toml',
  ]);
  for (const pattern of ['**/SKILL.md', '**/IDENTITY.md', '**/SOUL.md', '**/skills.toml']) {
    assert.ok(manifest.activationEvents.includes(`workspaceContains:${pattern}`), pattern);
  }
  assert.equal(manifest.main, './dist/extension.js');
});

test('the bundled dist/extension.js (what the .vsix ships) loads and registers the palette commands', async () => {
  const bundle = path.join(__dirname, '..', 'dist', 'extension.js');
  assert.ok(fs.existsSync(bundle), 'dist/extension.js missing: run `npm run bundle` first');
  rec.config['forge-ls.serverPath'] = '/nonexistent/forge-ls';
  const ext = require(bundle);
  const ctx = context();
  await ext.activate(ctx);
  for (const id of Object.values(PaletteCommands)) {
    assert.equal(countOf(id), 1, id);
  }
  ctx.subscriptions.forEach((d) => d.dispose());
  await ext.deactivate();
});
