'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildServerSettings, answerConfiguration, SERVER_SETTINGS } = require('../out/settings.js');
const { dedupeAgainst, isSkillFile } = require('../out/diagnostics.js');
const { resolveServerPath } = require('../out/serverPath.js');

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

test('settings are nested the way the server reads them and empty values are left to the server', () => {
  const values = { 'llm.provider': 'openai', 'llm.baseUrl': 'http://127.0.0.1:11434', 'llm.timeoutSecs': 5, botsDir: 'agents', draftsPath: '' };
  assert.deepEqual(buildServerSettings((k) => values[k]), {
    llm: { provider: 'openai', baseUrl: 'http://127.0.0.1:11434', timeoutSecs: 5 },
    botsDir: 'agents',
  });
});

test('workspace/configuration answers: the forge section, a sub-key, and other sections left alone', () => {
  const values = { 'llm.provider': 'anthropic', skillsDir: 'sk' };
  const scopes = [];
  const answers = answerConfiguration(
    [{ section: 'forge', scopeUri: 'file:///ws' }, { section: 'forge.llm' }, { section: 'forge.llm.provider' }, { section: 'editor' }],
    (scope) => {
      scopes.push(scope);
      return (k) => values[k];
    },
  );
  assert.deepEqual(answers, [{ llm: { provider: 'anthropic' }, skillsDir: 'sk' }, { provider: 'anthropic' }, 'anthropic', null]);
  assert.equal(scopes[0], 'file:///ws');
});

test('package.json declares every server setting under "forge." with the same default', () => {
  const props = Object.assign({}, ...manifest.contributes.configuration.map((c) => c.properties));
  const declared = Object.keys(props).filter((k) => k.startsWith('forge.')).sort();
  assert.deepEqual(declared, SERVER_SETTINGS.map((s) => `forge.${s.key}`).sort());
  for (const s of SERVER_SETTINGS) {
    const prop = props[`forge.${s.key}`];
    assert.equal(prop.default, s.default, s.key);
    assert.ok((prop.markdownDescription ?? prop.description ?? '').length > 10, `${s.key} is described`);
  }
  assert.deepEqual(props['forge.validation.profile'].enum.sort(), ['agentskills', 'auto', 'boternity', 'openclaw']);
  assert.deepEqual(props['forge.llm.provider'].enum, ['none', 'anthropic', 'openai']);
  assert.ok(props['forge-ls.serverPath'], 'serverPath is a client setting');
});

const d = (line, severity, source) => ({ range: { start: { line }, end: { line } }, severity, source });

test('a SKILL.md finding another validator already reports on the same line is not shown twice', () => {
  const ours = [d(1, 0, 'forge-ls'), d(2, 0, 'forge-ls'), d(3, 1, 'forge-ls')];
  const all = [...ours, d(1, 0, 'Agent Skills'), d(3, 0, 'Agent Skills')];
  assert.deepEqual(dedupeAgainst(ours, all), [ours[1], ours[2]]);
  assert.deepEqual(dedupeAgainst(ours, ours), ours, 'our own earlier diagnostics do not hide new ones');
  assert.ok(isSkillFile('/a/b/SKILL.md'));
  assert.ok(!isSkillFile('/a/b/SOUL.md'));
  assert.ok(!isSkillFile('/a/b/NOTSKILL.md'));
});

test('the server is found through the setting, then PATH, else reported missing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-path-'));
  const bin = path.join(dir, 'forge-ls');
  fs.writeFileSync(bin, '#!/bin/sh\n');
  fs.chmodSync(bin, 0o755);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-empty-'));
  const env = { PATH: dir, CARGO_HOME: empty };
  assert.equal(resolveServerPath(undefined, env), bin);
  assert.equal(resolveServerPath('', { PATH: empty, CARGO_HOME: empty }), undefined);
  assert.equal(resolveServerPath(bin, { PATH: '' }), bin);
  assert.equal(resolveServerPath('forge-ls', { PATH: '' }, dir), bin, 'relative to the workspace');
  assert.equal(resolveServerPath(path.join(dir, 'missing'), env), undefined, 'a set but wrong path is not silently replaced');
  fs.chmodSync(bin, 0o644);
  assert.equal(resolveServerPath(undefined, env), undefined, 'not executable');
});

test('Boternity workflows are recognised by content, as the server does; other YAML is not synced', () => {
  const { isWorkflowText, WorkflowSync, WORKFLOW_PATTERNS } = require('../out/workflow.js');
  const flow = 'id: "01938e90-0000-7000-8000-000000000001"\nname: daily-digest\nversion: "1.0"\nowner:\n  type: global\nsteps:\n  - id: a\n';
  assert.ok(isWorkflowText(flow));
  assert.ok(isWorkflowText(flow.replace(/\n/g, '\r\n')));
  assert.ok(!isWorkflowText('name: CI\non: push\njobs:\n  b:\n    steps:\n      - run: x\n'), 'GitHub Actions');
  assert.ok(!isWorkflowText('name: x\ntrigger: [main]\nsteps:\n  - script: echo\n'), 'Azure Pipelines');
  assert.ok(!isWorkflowText('services:\n  web:\n    image: nginx\n'), 'Compose');
  const sync = new WorkflowSync();
  assert.ok(sync.opens('file:///w/workflows/a.yaml', '/w/workflows/a.yaml', flow));
  assert.ok(sync.synced('file:///w/workflows/a.yaml', '/w/workflows/a.yaml'));
  assert.ok(!sync.opens('file:///w/compose.yaml', '/w/compose.yaml', 'services: {}\n'));
  assert.ok(!sync.synced('file:///w/compose.yaml', '/w/compose.yaml'));
  assert.ok(sync.opens('file:///w/bots/a/SOUL.md', '/w/bots/a/SOUL.md', '---\n'));
  sync.closed('file:///w/workflows/a.yaml');
  assert.ok(!sync.synced('file:///w/workflows/a.yaml', '/w/workflows/a.yaml'));
  assert.deepEqual([...WORKFLOW_PATTERNS], ['**/*.yaml', '**/*.yml']);
  for (const ext of ['yaml', 'yml']) {
    assert.ok(manifest.activationEvents.includes(`workspaceContains:**/workflows/*.${ext}`), ext);
  }
});
