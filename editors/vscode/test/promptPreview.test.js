'use strict';
// The prompt preview's provider against the real forge-ls: it shows what `forge.bot.preview` returns, its
// sections are the outline, and it refreshes (once edits rest) when one of the bot's files changes.
// The binary: $FORGE_LS, else <repo>/target/release/forge-ls.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { DidOpenTextDocumentNotification, DidChangeTextDocumentNotification } = require('vscode-languageserver-protocol/node');
const { PromptPreviews, headings, rewritePreviewLenses, PREVIEW_PALETTE_COMMAND } = require('../out/promptPreview.js');
const { REPO, startForgeLs } = require('../test-support/forge-ls.js');

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    if (e.isDirectory()) copyDir(src, path.join(to, e.name));
    else fs.copyFileSync(src, path.join(to, e.name));
  }
}

test('headings: the ## lines outside fences, each to the next', () => {
  const md = '# Title\n\n## soul · 5 tokens\n\n````text\n## not a heading\n````\n\n## identity · 9 tokens\n\n```text\nx\n```\n';
  assert.deepEqual(headings(md), [
    { name: 'soul · 5 tokens', line: 2, endLine: 7 },
    { name: 'identity · 9 tokens', line: 8, endLine: 13 },
  ]);
});

test('the server lens opens the preview instead of running the bare server command', () => {
  const lenses = [{ command: { title: 'system prompt ≈ 9 tokens · preview', command: 'forge.bot.preview', arguments: [{ uri: 'file:///b/SOUL.md' }] } }, { command: { title: 'x', command: 'forge.soul.save' } }];
  const out = rewritePreviewLenses(lenses);
  assert.equal(out[0].command.command, PREVIEW_PALETTE_COMMAND);
  assert.equal(out[0].command.title, 'system prompt ≈ 9 tokens · preview');
  assert.equal(out[1].command.command, 'forge.soul.save');
});

test('the preview document follows the bot files through the real forge-ls', async (t) => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'forge-prompt-')));
  copyDir(path.join(REPO, 'tests', 'fixtures', 'preview', 'emoji'), root);
  const { connection, exec: run } = await startForgeLs(t, root);

  let calls = 0;
  const exec = (command, arg) => {
    calls++;
    return run(command, arg);
  };
  const previews = new PromptPreviews(exec, 50);
  t.after(() => previews.dispose());
  const soulPath = path.join(root, 'bots', 'luna', 'SOUL.md');
  const soul = pathToFileURL(soulPath).toString();
  const uri = await previews.load(soul);
  assert.equal(uri.scheme, 'forge-prompt');
  const first = previews.provideTextDocumentContent(uri);
  assert.match(first, /^# Boternity system prompt · ≈ [\d,]+ tokens/);
  assert.ok(first.includes('Dreamy, kind, a little mysterious. Uses 🌟 sparingly.'), first);
  const names = previews.provideDocumentSymbols({ uri }).map((s) => s.name.split(' · ')[0]);
  assert.deepEqual(names, ['soul', 'identity', 'user_context', 'instructions', 'available_skills']);
  assert.match(previews.provideDocumentSymbols({ uri })[0].name, /^soul · ≈ \d+ tokens$/);

  // An edit to a file the prompt is not built from changes nothing.
  previews.edited(pathToFileURL(path.join(root, 'elsewhere.md')).toString());
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(calls, 1);

  // Typing in SOUL.md (the server gets the unsaved text): one refresh once edits rest, with the new text.
  const text = fs.readFileSync(soulPath, 'utf8');
  connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: soul, languageId: 'markdown', version: 1, text } });
  const changed = new Promise((resolve) => previews.onDidChange((u) => resolve(u)));
  for (let v = 2; v <= 4; v++) {
    connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: soul, version: v },
      contentChanges: [{ text: text.replace('sparingly', `sparingly, edit ${v}`) }],
    });
    previews.edited(soul);
  }
  assert.equal((await changed).path, uri.path);
  assert.equal(calls, 2, 'three edits in a burst, one refresh');
  const after = previews.provideTextDocumentContent(uri);
  assert.ok(after.includes('Uses 🌟 sparingly, edit 4.'), after);
});
