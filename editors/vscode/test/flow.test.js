'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  runFlow,
  answerTurn,
  renderPreview,
  renderReady,
  phaseTitle,
  parseDrafts,
  draftLabel,
  questionLayout,
  splitHint,
} = require('../out/flow.js');
const { createFakeBuilder, scriptedUI } = require('../test-support/fake-builder.js');

async function start(fake, mode = 'bot') {
  return fake.exec('forge.builder.start', { mode, description: 'a cosy bot' });
}

test('a whole bot conversation sends the answers the user chose and assembles into the folder', async () => {
  const fake = createFakeBuilder();
  const ui = scriptedUI([
    ['question', { option: 0 }],
    ['question', { option: 0 }],
    ['preview', 'confirm'],
    ['assemble', 'assemble'],
  ]);
  const outcome = await runFlow(fake.exec, ui, await start(fake), { mode: 'bot', folder: 'file:///ws', fresh: true });
  assert.deepEqual(outcome, {
    kind: 'assembled',
    session_id: 's-1',
    files: ['file:///ws/bots/luna/IDENTITY.md', 'file:///ws/bots/luna/SOUL.md'],
  });
  assert.deepEqual(
    fake.calls.slice(1).map((c) => [c.command, c.arg]),
    [
      ['forge.builder.answer', { session_id: 's-1', answer: { option: 0 } }],
      ['forge.builder.answer', { session_id: 's-1', answer: { option: 0 } }],
      ['forge.builder.answer', { session_id: 's-1', answer: { confirm: true } }],
      ['forge.builder.assemble', { session_id: 's-1', folder: 'file:///ws' }],
    ],
  );
  // The question view carries the options with descriptions, free text and the phase in the title.
  const first = ui.seen[0].view;
  assert.equal(first.title, 'Forge · New Bot · Identity');
  assert.equal(first.flow, 'New Bot');
  assert.equal(first.allowFreeText, true);
  assert.equal(first.allowBack, false, 'no Back on the opening question of a new session');
  assert.deepEqual(first.options[0], { id: 'luna', label: 'Luna', description: 'soft and curious' });
  assert.equal(ui.seen[1].view.title, 'Forge · New Bot · Personality', 'phase humanized without phase_label');
  assert.equal(ui.seen[1].view.allowBack, true);
  assert.equal(ui.seen[1].view.allowFreeText, false);
  // The preview is shown before assembling, rendered from the server's file map.
  assert.match(ui.seen[2].view.preview, /## SOUL\.md\n\n# Soul\nwarm/);
  assert.match(ui.seen[3].view.summary, /^# Luna\n/);
});

test('free text, back and revise are sent as {text}, {back: true} and {confirm: false}', async () => {
  const fake = createFakeBuilder();
  const ui = scriptedUI([
    ['question', { text: 'Nova' }],
    ['question', { back: true }],
    ['question', { text: 'Orion' }],
    ['question', { option: 1 }],
    ['preview', 'revise'],
    ['question', { option: 0 }],
    ['preview', 'back'],
    ['question', { option: 0 }],
    ['preview', 'confirm'],
    ['assemble', 'back'],
    ['preview', 'confirm'],
    ['assemble', 'assemble'],
  ]);
  await runFlow(fake.exec, ui, await start(fake), { mode: 'bot', fresh: true });
  const answers = fake.calls.filter((c) => c.command === 'forge.builder.answer').map((c) => c.arg.answer);
  assert.deepEqual(answers, [
    { text: 'Nova' },
    { back: true },
    { text: 'Orion' },
    { option: 1 },
    { confirm: false },
    { option: 0 },
    { back: true },
    { option: 0 },
    { confirm: true },
    { back: true },
    { confirm: true },
  ]);
  const assembleCall = fake.calls.at(-1);
  assert.deepEqual(assembleCall, { command: 'forge.builder.assemble', arg: { session_id: 's-1' } });
  assert.equal(fake.state.answers[0], 'Orion');
});

test('dismissing a prompt pauses: nothing is assembled and the user is told how to resume', async () => {
  const fake = createFakeBuilder();
  const ui = scriptedUI([
    ['question', { option: 1 }],
    ['question', undefined],
  ]);
  const outcome = await runFlow(fake.exec, ui, await start(fake), { mode: 'bot', fresh: true });
  assert.deepEqual(outcome, { kind: 'paused', session_id: 's-1' });
  assert.ok(!fake.calls.some((c) => c.command === 'forge.builder.assemble'));
  assert.match(ui.infos[0], /Resume Draft/);
});

test('a resumed session allows Back on its first question', async () => {
  const fake = createFakeBuilder();
  fake.state.step = 1;
  const ui = scriptedUI([['question', undefined]]);
  await runFlow(fake.exec, ui, { session_id: 's-1', turn: { action: 'ask_question', question: 'q', options: [] } }, { mode: 'bot' });
  assert.equal(ui.seen[0].view.allowBack, true);
});

test('Back is offered exactly when the turn says the server can go back', async () => {
  // A reconfigure session or a resumed draft at its first phase: not a fresh flow, yet no Back.
  const q = { action: 'ask_question', question: 'What should Luna be called?', options: [{ label: 'Keep: Luna' }] };
  const seenBack = [];
  const exec = async (command, arg) => {
    assert.equal(command, 'forge.builder.answer');
    assert.ok(!arg.answer.back, 'Back was never sent where the server refuses it');
    return { session_id: 's', turn: { action: 'ask_question', phase: 'personality', question: 'Tone?', options: [{ label: 'a' }] }, can_go_back: true };
  };
  const ui = scriptedUI([
    ['question', (view) => (seenBack.push(view.allowBack), { option: 0 })],
    ['question', (view) => (seenBack.push(view.allowBack), undefined)],
  ]);
  await runFlow(exec, ui, { session_id: 's', turn: q, can_go_back: false }, { mode: 'bot', name: 'Reconfigure luna' });
  assert.deepEqual(seenBack, [false, true]);
  assert.equal(ui.seen[0].view.flow, 'Reconfigure luna', 'a reconfigure is not titled New Bot');
  // Even a UI that tries is refused before anything is sent.
  await assert.rejects(answerTurn(q, scriptedUI([['question', { back: true }]]), 'bot', false), /cannot go back/);
});

test('skill mode creates the skill from the session and attaches it to the bot', async () => {
  const fake = createFakeBuilder({ mode: 'skill' });
  const ui = scriptedUI([
    ['question', { option: 0 }],
    ['question', { option: 0 }],
    ['preview', 'confirm'],
    ['assemble', 'assemble'],
  ]);
  const outcome = await runFlow(fake.exec, ui, await start(fake, 'skill'), {
    mode: 'skill',
    bot: 'file:///ws/bots/luna',
    fresh: true,
  });
  assert.equal(outcome.kind, 'skill-created');
  assert.equal(outcome.uri, 'file:///ws/skills/pdf-summary/SKILL.md');
  assert.deepEqual(fake.calls.at(-1), {
    command: 'forge.skill.create',
    arg: { session_id: 's-1', bot: 'file:///ws/bots/luna' },
  });
  assert.equal(ui.seen[0].view.title, 'Forge · New Skill · Identity');
});

test('clarify turns take a free-text answer', async () => {
  const ui = scriptedUI([['clarify', { text: 'for my team' }]]);
  const answer = await answerTurn({ action: 'clarify', message: 'Who is it for?' }, ui, 'bot', true);
  assert.deepEqual(answer, { text: 'for my team' });
  assert.equal(ui.seen[0].view.message, 'Who is it for?');
});

test('answers the server cannot accept are refused instead of sent', async () => {
  const turn = { action: 'ask_question', question: 'q', options: [{ label: 'a' }], allow_free_text: false };
  await assert.rejects(answerTurn(turn, scriptedUI([['question', { option: 3 }]]), 'bot', true), /out of range/);
  await assert.rejects(answerTurn(turn, scriptedUI([['question', { text: 'x' }]]), 'bot', true), /free-text/);
  await assert.rejects(answerTurn({ action: 'dance' }, scriptedUI([]), 'bot', true), /unknown builder turn/);
});

test('malformed server replies are reported, not looped on', async () => {
  const exec = async () => ({ nope: true });
  const ui = scriptedUI([['question', { option: 0 }]]);
  const first = { session_id: 's', turn: { action: 'ask_question', question: 'q', options: [{ label: 'a' }] } };
  await assert.rejects(runFlow(exec, ui, first, { mode: 'bot' }), /forge\.builder\.answer returned/);
  const assembleExec = async () => ({ files: 'x' });
  const ui2 = scriptedUI([['assemble', 'assemble']]);
  await assert.rejects(
    runFlow(assembleExec, ui2, { session_id: 's', turn: { action: 'ready_to_assemble', config: {} } }, { mode: 'bot' }),
    /expected \{files\}/,
  );
});

test('a server that never finishes is stopped', async () => {
  const exec = async () => ({ session_id: 's', turn: { action: 'clarify', message: 'again?' } });
  const ui = { clarify: async () => ({ text: 'x' }), info() {} };
  await assert.rejects(
    runFlow(exec, ui, { session_id: 's', turn: { action: 'clarify', message: 'm' } }, { mode: 'bot', maxTurns: 5 }),
    /did not finish within 5 turns/,
  );
});

test('previews, titles and drafts render for people', () => {
  assert.equal(renderPreview('plain'), 'plain');
  assert.equal(phaseTitle('New Bot', {}), 'Forge · New Bot');
  assert.equal(phaseTitle('New Skill', { phase: 'skill_body' }), 'Forge · New Skill · Skill body');
  // Boternity's progress label is not a title: no trailing "...".
  assert.equal(phaseTitle('New Bot', { phase_label: 'Defining personality...' }), 'Forge · New Bot · Defining personality');
  const drafts = parseDrafts([
    { session_id: 'a', mode: 'skill', description: 'x'.repeat(100), phase: 'identity', updated_at: '2026-01-01' },
    { junk: true },
  ]);
  assert.equal(drafts.length, 1);
  const label = draftLabel(drafts[0]);
  assert.ok(label.label.startsWith('Skill: xxx') && label.label.endsWith('…'));
  assert.equal(label.description, 'Identity');
  assert.throws(() => parseDrafts({}), /expected a list/);
});

test('a question is laid out with the question as the title, its step, and its hint once', async () => {
  const turn = {
    action: 'ask_question',
    phase: 'personality',
    phase_label: 'Defining personality...',
    question: 'Which traits describe Luna? (free text: a comma-separated list)',
    options: [{ label: 'curious, kind' }],
    allow_free_text: true,
  };
  const ui = scriptedUI([['question', undefined]]);
  await answerTurn(turn, ui, 'bot', true);
  const view = ui.seen[0].view;
  assert.equal(view.question, 'Which traits describe Luna?');
  assert.equal(view.hint, 'a comma-separated list');
  assert.deepEqual([view.step, view.totalSteps], [2, 5]);
  const layout = questionLayout(view);
  assert.equal(layout.title, 'Personality: Which traits describe Luna?');
  assert.equal(layout.placeholder, 'Forge · New Bot — pick one, or type a comma-separated list');
  assert.deepEqual([layout.step, layout.totalSteps], [2, 5]);
  const all = `${layout.title} ${layout.placeholder}`;
  assert.equal(all.match(/comma-separated/g).length, 1, 'the hint is not doubled');
  assert.ok(!all.includes('...'));
  // Without free text there is nothing to type.
  const closed = questionLayout({ ...view, allowFreeText: false, hint: undefined });
  assert.equal(closed.placeholder, 'Forge · New Bot — pick one');
  assert.deepEqual(splitHint('What is it?'), { question: 'What is it?' });
});

test('review and assemble previews are Markdown about the bot, without internal fields', () => {
  // show_preview's preview and ready_to_assemble's config, as the server sends them (docs/interface.md).
  const review = renderPreview({
    name: 'Luna',
    description: 'Plans meals',
    personality_summary: 'Warm and playful',
    model: 'claude-sonnet-4-20250514',
    skills: ['web-search'],
    phase: 'review',
  });
  assert.match(review, /^# Luna\n\nPlans meals\n/);
  assert.match(review, /\*\*Model:\*\* claude-sonnet-4-20250514/);
  assert.match(review, /## Personality\n\nWarm and playful/);
  assert.match(review, /## Skills\n\n- \*\*web-search\*\*/);
  assert.ok(!/phase|review|```|\{/.test(review), review);
  const ready = renderReady(
    {
      config: {
        name: 'Luna',
        description: 'Plans meals',
        category: 'assistant',
        tags: ['food'],
        personality: { tone: 'warm', traits: ['kind', 'curious'], purpose: 'Plan meals.', boundaries: 'No medical advice.' },
        model_config: { model: 'claude-sonnet-4-20250514', temperature: 0.7, max_tokens: 4096 },
        skills: [{ name: 'web-search', description: 'Searches the web', skill_type: 'local' }],
      },
    },
    'bot',
  );
  for (const want of [
    /^# Luna\n/,
    /\*\*Category:\*\* assistant/,
    /\*\*Temperature:\*\* 0\.7/,
    /\*\*Max tokens:\*\* 4096/,
    /\*\*Traits:\*\* kind, curious/,
    /### Purpose\n\nPlan meals\./,
    /### Boundaries\n\nNo medical advice\./,
    /- \*\*web-search\*\* — Searches the web/,
  ]) {
    assert.match(ready, want);
  }
  assert.ok(!ready.includes('```') && !ready.includes('"'), ready);
  const skill = renderReady(
    { config: {}, skill: { name: 'pdf-summary', description: 'Summarises PDFs', skill_type: 'prompt', capabilities: ['read_file'], trust_tier: 'local', body: 'Read the PDF.' } },
    'skill',
  );
  assert.match(skill, /^# pdf-summary\n\nSummarises PDFs\n/);
  assert.match(skill, /\*\*Capabilities:\*\* read_file/);
  assert.match(skill, /## Instructions\n\nRead the PDF\./);
  const ritual = renderReady(
    {
      config: { name: 'Quill' },
      workspace: { name: 'Quill', creature: 'paper owl', vibe: 'sharp', emoji: '🦉', user_name: 'Ada', call_them: 'Ada', timezone: 'UTC', values: ['No filler'], boundaries: ['Private stays private'] },
    },
    'openclaw-workspace',
  );
  assert.match(ritual, /### IDENTITY\.md\n\n- \*\*Name:\*\* Quill\n- \*\*Creature:\*\* paper owl/);
  assert.match(ritual, /- \*\*What to call them:\*\* Ada/);
  assert.match(ritual, /Core Truths:\n- No filler/);
  assert.match(ritual, /BOOTSTRAP\.md is deleted/);
});
