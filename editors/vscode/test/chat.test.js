'use strict';
// The @forge chat participant's handler (src/chat.ts) against the real forge-ls: a bot built from a
// conversation to files on disk (buttons, follow-ups, /preview, /back, the file tree), /reconfigure of that
// bot, /resume of a draft started through the palette's commands, and bad input answered without losing the
// conversation. The binary: $FORGE_LS, else <repo>/target/release/forge-ls.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');
const { handleChat, followups, fileTree, currentMeta } = require('../out/chat.js');
const { applyEdit, startForgeLs } = require('../test-support/forge-ls.js');

/** A ChatResponseStream that records its parts. */
function recorder() {
  const parts = [];
  return {
    parts,
    markdown: (text) => parts.push({ kind: 'markdown', text }),
    progress: (text) => parts.push({ kind: 'progress', text }),
    button: (title, message) => parts.push({ kind: 'button', title, message }),
    files: (base, tree, files) => parts.push({ kind: 'files', base, tree, files }),
    text: () => parts.filter((p) => p.kind === 'markdown').map((p) => p.text).join('\n'),
    of: (kind) => parts.filter((p) => p.kind === kind),
  };
}

async function setup(t) {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'forge-chat-')));
  const { exec } = await startForgeLs(t, root, {
    capabilities: { workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } },
    onRequest: (method, params) => {
      if (method === 'workspace/applyEdit') {
        applyEdit(params.edit);
        return { applied: true };
      }
      return method === 'window/showDocument' ? { success: true } : null;
    },
  });
  // One chat conversation: the metadata of every reply, as VS Code keeps it in the chat history.
  const history = [];
  const env = {
    history,
    botsFolder: path.join(root, 'bots'),
    resolvePath: (text) => pathToFileURL(path.isAbsolute(text) ? text : path.join(root, text)).toString(),
  };
  const say = async (prompt, command) => {
    const sink = recorder();
    const outcome = await handleChat(exec, { prompt, command }, env, sink);
    history.push(outcome.meta);
    return { ...outcome, sink };
  };
  return { root, exec, history, say };
}

test('@forge: a bot from a conversation to files on disk, then /reconfigure of it', async (t) => {
  const { root, say } = await setup(t);

  const first = await say('A patient chemistry tutor for high-school students; never gives away graded answers');
  assert.equal(first.error, undefined);
  const id = first.meta.sessionId;
  assert.ok(id, 'the session id is kept in the reply metadata');
  assert.equal(first.meta.mode, 'bot');
  assert.equal(first.sink.parts[0].kind, 'progress');
  assert.match(first.sink.text(), /\*\*.+\?\*\*/, 'the question in bold');
  // Options: one button each, sending the option's number; the same as follow-ups.
  const options = first.meta.options;
  assert.ok(options.length > 0);
  assert.deepEqual(first.sink.of('button').map((b) => b.message), options.map((o) => String(o.index)));
  assert.deepEqual(followups(first.meta), options.map((o) => ({ prompt: String(o.index), label: `${o.index}. ${o.label}` })));

  // The name in the user's own words, then /preview (nothing changes) and /back.
  const named = await say('Mendel');
  assert.equal(named.meta.sessionId, id);
  const preview = await say('', 'preview');
  assert.equal(preview.meta.sessionId, id);
  assert.match(preview.sink.text(), /Mendel/, preview.sink.text());
  const back = await say('', 'back');
  assert.equal(back.error, undefined);
  assert.equal(back.meta.sessionId, id);

  // Then the first option of every question, until the files are written.
  let last = back;
  for (let i = 0; i < 60 && last.meta.sessionId; i++) {
    last = await say(last.meta.options?.length ? '1' : 'Patient and precise.');
    assert.equal(last.error, undefined, last.error);
  }
  assert.equal(last.meta.sessionId, undefined, 'done: no session left in the conversation');
  const tree = last.sink.of('files');
  assert.equal(tree.length, 1, last.sink.text());
  const files = tree[0].files.map((f) => fileURLToPath(f));
  assert.deepEqual(last.written, tree[0].files);
  const identity = files.find((f) => f.endsWith('IDENTITY.md'));
  assert.ok(identity, files.join(', '));
  assert.equal(path.dirname(path.dirname(identity)), path.join(root, 'bots'));
  for (const f of files) {
    assert.ok(fs.existsSync(f), `${f} on disk`);
  }
  assert.match(fs.readFileSync(identity, 'utf8'), /Mendel/);
  // The tree: the bot's folder under bots/, its files inside.
  assert.equal(fileURLToPath(tree[0].base), path.join(root, 'bots'));
  assert.equal(tree[0].tree.length, 1);
  assert.equal(tree[0].tree[0].name, path.basename(path.dirname(identity)));
  assert.ok(tree[0].tree[0].children.some((c) => c.name === 'IDENTITY.md'));

  // A conversation about the bot just written: /reconfigure with its file.
  const rel = path.relative(root, identity.replace(/IDENTITY\.md$/, 'SOUL.md'));
  const again = await say(rel, 'reconfigure');
  assert.equal(again.error, undefined, again.error);
  assert.ok(again.meta.sessionId && again.meta.sessionId !== id);
  assert.match(again.sink.text(), /\*\*.+\*\*/);
  assert.ok(again.sink.of('button').length > 0);
});

test('@forge: /resume lists the drafts and continues one started in the palette; /skill; bad input', async (t) => {
  const { exec, history, say } = await setup(t);

  const none = await say('', 'resume');
  assert.match(none.sink.text(), /no drafts/);

  const started = await exec('forge.builder.start', { mode: 'skill', description: 'Summarise a PDF into bullet points' });
  const list = await say('', 'resume');
  assert.match(list.sink.text(), /Summarise a PDF/);
  assert.deepEqual(list.sink.of('button').map((b) => b.message), [`/resume ${started.session_id}`]);
  const resumed = await say('1', 'resume');
  assert.equal(resumed.error, undefined, resumed.error);
  assert.equal(resumed.meta.sessionId, started.session_id);
  assert.equal(resumed.meta.mode, 'skill');
  assert.match(resumed.sink.text(), /\*\*Me:\*\* Summarise a PDF into bullet points/);
  const next = await say('1');
  assert.equal(next.meta.sessionId, started.session_id, 'the resumed draft is answered');

  // /skill without a description asks for one; the next message starts a skill.
  const ask = await say('', 'skill');
  assert.deepEqual(ask.meta, { mode: 'skill' });
  const skill = await say('Renames photos by the date they were taken');
  assert.equal(skill.meta.mode, 'skill');
  assert.ok(skill.meta.sessionId && skill.meta.sessionId !== started.session_id);

  // An unknown session: a clear error, the conversation kept where it was.
  history.push({ sessionId: 'no-such-draft', mode: 'bot', options: [] });
  const bad = await say('1');
  assert.match(bad.error, /no builder session `no-such-draft`/);
  assert.equal(bad.meta.sessionId, 'no-such-draft');
  assert.equal(currentMeta(history).sessionId, 'no-such-draft');
  history.length = 0;
  const nothing = await say('', 'assemble');
  assert.match(nothing.sink.text(), /nothing to work on yet/);
  const unknown = await say('x', 'deploy');
  assert.match(unknown.sink.text(), /`\/deploy` is not a command here/);
  const missing = await say('', 'reconfigure');
  assert.match(missing.sink.text(), /`\/reconfigure` with a file/);
});

test('fileTree: the common folder, its parent as the base', () => {
  const { base, tree } = fileTree(['file:///w/bots/my%20bot/IDENTITY.md', 'file:///w/bots/my%20bot/skills/a/SKILL.md']);
  assert.equal(base, 'file:///w/bots');
  assert.deepEqual(tree, [{ name: 'my bot', children: [{ name: 'IDENTITY.md' }, { name: 'skills', children: [{ name: 'a', children: [{ name: 'SKILL.md' }] }] }] }]);
});
