'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {
  serverLogLine,
  botsFolder,
  lensCommand,
  missingServerMessage,
  serverPathSettingsCommand,
} = require('../out/presentation.js');

test('server log lines keep their level; the timestamp is left to the output channel', () => {
  assert.deepEqual(serverLogLine('2026-12-07T15:58:42.210326Z  INFO forge_ls::lsp: indexed 3 files'), {
    level: 'info',
    text: 'forge_ls::lsp: indexed 3 files',
  });
  assert.equal(serverLogLine('2026-12-07T15:58:42.210326Z  WARN forge_ls: skipped bytes').level, 'warn');
  assert.equal(serverLogLine('2026-12-07T15:58:42.210326Z DEBUG forge_ls: x').level, 'debug');
  assert.equal(serverLogLine('2026-12-07T15:58:42.210326Z ERROR forge_ls: x').level, 'error');
  assert.equal(serverLogLine("thread 'main' panicked at src/x.rs:1:1:").level, 'error');
  // A continuation line keeps the level of the line before it.
  assert.deepEqual(serverLogLine('  more detail', 'warn'), { level: 'warn', text: '  more detail' });
});

test('a new bot goes into forge.botsDir of the workspace folder, not the workspace folder itself', () => {
  assert.equal(botsFolder('/ws', 'bots'), path.join('/ws', 'bots'));
  assert.equal(botsFolder('/ws', 'agents/mine'), path.join('/ws', 'agents/mine'));
  assert.equal(botsFolder('/ws', ''), path.join('/ws', 'bots'));
  assert.equal(botsFolder('/ws', undefined), path.join('/ws', 'bots'));
});

test('builder lenses open the conversation in VS Code instead of running a server command', () => {
  const uri = 'file:///ws/bots/luna/IDENTITY.md';
  assert.deepEqual(
    lensCommand({ title: 'Forge · 3 unanswered builder questions', command: 'forge.builder.reconfigure', arguments: [{ uri }] }),
    { title: 'Forge · 3 unanswered builder questions', command: 'forge.ui.reconfigure', arguments: [uri] },
  );
  assert.deepEqual(
    lensCommand({ title: 'Forge · Basics: q', command: 'forge.builder.session', arguments: [{ session_id: 's-1' }] }),
    { title: 'Forge · Basics: q', command: 'forge.ui.resumeDraft', arguments: ['s-1'] },
  );
  assert.deepEqual(
    lensCommand({
      title: 'Forge · first-run ritual: 9 questions unanswered',
      command: 'forge.builder.start',
      arguments: [{ mode: 'openclaw-workspace', folder: '/ws' }],
    }),
    { title: 'Forge · first-run ritual: 9 questions unanswered', command: 'forge.ui.openclawFirstRun', arguments: ['/ws'] },
  );
  const soul = { title: 'Soul v3', command: 'forge.soul.history', arguments: [{ uri }] };
  assert.deepEqual(lensCommand(soul), soul);
});

test('the missing-server message is plain text and Open Settings finds the setting in a remote window', () => {
  const message = missingServerMessage(undefined);
  assert.ok(!message.includes('`'), message);
  assert.match(message, /cargo install --path server\/forge-ls/);
  assert.match(missingServerMessage('/x/forge-ls'), /not found at "\/x\/forge-ls"/);
  assert.deepEqual(serverPathSettingsCommand(undefined), ['workbench.action.openSettings', 'forge-ls.serverPath']);
  assert.deepEqual(serverPathSettingsCommand('ssh-remote'), [
    'workbench.action.openRemoteSettings',
    { query: 'forge-ls.serverPath' },
  ]);
});
