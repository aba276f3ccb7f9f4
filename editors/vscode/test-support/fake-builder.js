'use strict';
// A scripted stand-in for the server's builder commands, recording every call, for the flow tests.
// Phases: name (options + free text) -> tone (options only) -> preview -> ready_to_assemble.

function createFakeBuilder({ mode = 'bot' } = {}) {
  const calls = [];
  const state = { step: 0, answers: [] };
  const steps = [
    () => ({
      action: 'ask_question',
      phase: 'identity',
      phase_label: 'Identity',
      question: 'What should the bot be called?',
      options: [
        { id: 'luna', label: 'Luna', description: 'soft and curious' },
        { id: 'max', label: 'Max', description: 'direct' },
      ],
      allow_free_text: true,
    }),
    () => ({
      action: 'ask_question',
      phase: 'personality',
      question: 'What tone?',
      options: [{ id: 'warm', label: 'Warm and playful' }, { id: 'dry', label: 'Dry' }],
      allow_free_text: false,
    }),
    () => ({ action: 'show_preview', phase: 'preview', preview: { 'SOUL.md': '# Soul\nwarm' } }),
    () => ({ action: 'ready_to_assemble', config: { name: state.answers[0] } }),
  ];
  // Like the server: Back is possible once there is an earlier phase, and the turn says so.
  const turn = () => ({ session_id: 's-1', turn: steps[state.step](), can_go_back: state.step > 0 });
  async function exec(command, arg) {
    calls.push({ command, arg: JSON.parse(JSON.stringify(arg)) });
    switch (command) {
      case 'forge.builder.start':
        return turn();
      case 'forge.builder.answer': {
        const a = arg.answer;
        if (a.back) {
          state.step = Math.max(0, state.step - 1);
          state.answers.pop();
        } else if (a.confirm === false) {
          state.step = 1; // revise: back to the personality question
          state.answers.length = 1;
        } else {
          state.answers.push(a.text ?? (a.option !== undefined ? steps[state.step]().options[a.option].label : a.confirm));
          state.step = Math.min(steps.length - 1, state.step + 1);
        }
        return turn();
      }
      case 'forge.builder.assemble':
        return { files: ['file:///ws/bots/luna/IDENTITY.md', 'file:///ws/bots/luna/SOUL.md'] };
      case 'forge.skill.create':
        return { uri: 'file:///ws/skills/pdf-summary/SKILL.md', diagnostics: [] };
      default:
        throw new Error(`unexpected command ${command}`);
    }
  }
  return { exec, calls, state, mode };
}

/** A FlowUI answering from a script; each entry is consumed by the matching prompt kind, in order. */
function scriptedUI(script) {
  const seen = [];
  const next = (kind, view) => {
    seen.push({ kind, view });
    if (script.length === 0) throw new Error(`UI script exhausted at ${kind}`);
    const [expectedKind, answer] = script.shift();
    if (expectedKind !== kind) throw new Error(`UI script expected ${expectedKind}, flow asked ${kind}`);
    return typeof answer === 'function' ? answer(view) : answer;
  };
  return {
    seen,
    infos: [],
    askQuestion: async (view) => next('question', view),
    clarify: async (title, message) => next('clarify', { title, message }),
    showPreview: async (title, preview) => next('preview', { title, preview }),
    confirmAssemble: async (title, summary) => next('assemble', { title, summary }),
    info(message) {
      this.infos.push(message);
    },
  };
}

module.exports = { createFakeBuilder, scriptedUI };
