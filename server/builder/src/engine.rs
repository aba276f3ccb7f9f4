//! The session engine: pure functions from a session and an answer to the next session.
//!
//! The answers recorded per question are the source of truth; `config` is recomputed from the
//! reconfigure origin (if any) plus the answers after every step, so going back really forgets.

use super::answer::{clamp_text, clean_text, Answer, MAX_TEXT_BYTES};
use super::defaults::{classify_purpose, smart_defaults};
use super::flow::{
    apply_value, complete_config, complete_skill, options_for, parse_free_text, question,
    questions, BuilderContext, FieldValue, OptionInput, QuestionSpec,
};
use super::types::*;
use super::{now_rfc3339, BuilderError, Mode};
use serde::{Deserialize, Serialize};

/// One answered question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedAnswer {
    pub question_id: String,
    pub phase: BuilderPhase,
    pub value: FieldValue,
}

/// What the pending turn is waiting for. The offered values are stored with the turn so an option
/// index means the same thing after a restart even if the workspace changed meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub question_id: Option<String>,
    pub choices: Vec<FieldValue>,
}

/// One answered question, as shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSummary {
    pub question_id: String,
    pub phase: BuilderPhase,
    pub field: super::flow::Field,
    pub question: String,
    pub answer: String,
    pub value: FieldValue,
}

/// A builder session: everything the drafts store keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub mode: Mode,
    pub phase: BuilderPhase,
    pub description: String,
    pub purpose_category: Option<PurposeCategory>,
    pub conversation: Vec<BuilderExchange>,
    pub config: PartialBuilderConfig,
    /// Skill mode only.
    #[serde(default)]
    pub skill: Option<PartialSkillConfig>,
    /// OpenClaw workspace mode only.
    #[serde(default)]
    pub workspace: Option<WorkspaceConfig>,
    /// OpenClaw workspace mode: what the files said when the session began (the base that
    /// `workspace` is recomputed from, as `origin` is for a reconfigured bot).
    #[serde(default)]
    pub workspace_origin: Option<WorkspaceConfig>,
    pub answers: Vec<RecordedAnswer>,
    pub phase_history: Vec<BuilderPhase>,
    pub pending: Pending,
    pub turn: BuilderTurn,
    /// The bot folder this session writes to (set by reconfigure or after a first assemble).
    #[serde(default)]
    pub bound_folder: Option<String>,
    /// Reconfigure: the config loaded from the bot's files, so assemble can touch only what changed.
    #[serde(default)]
    pub origin: Option<BuilderConfig>,
    /// Where `forge.builder.start {folder}` asked the new bot to go (a bots directory); `None`: the
    /// `botsDir` setting.
    #[serde(default)]
    pub target_folder: Option<String>,
    /// Whether `turn` came from the LLM builder agent rather than this engine: its answers are
    /// recorded as exchanges (the model keeps no question table), see [`crate::agent`].
    #[serde(default)]
    pub from_model: bool,
    /// The conversation as a person saw it (chat messages, wizard answers, the builder's
    /// replies), so a chat surface can replay it; see [`crate::chat`].
    #[serde(default)]
    pub transcript: Vec<crate::chat::ChatMessage>,
    pub created_at: String,
    pub updated_at: String,
}

impl Session {
    /// The question the pending turn asks, if it is a question.
    pub fn pending_question(&self) -> Option<&'static QuestionSpec> {
        self.pending.question_id.as_deref().and_then(question)
    }

    pub fn is_ready(&self) -> bool {
        matches!(self.turn, BuilderTurn::ReadyToAssemble { .. })
    }

    /// Whether `Back` is accepted now: there is an earlier phase to return to. A reconfigure
    /// session or a resumed draft may ask its first question with nothing behind it, so clients
    /// ask this instead of guessing from how the flow began.
    pub fn can_go_back(&self) -> bool {
        !self.phase_history.is_empty()
    }

    /// The complete config (smart defaults for anything unanswered), as `ready_to_assemble` carries it.
    pub fn full_config(&self) -> Result<BuilderConfig, BuilderError> {
        let cfg = complete_config(&self.config, &self.description, &self.category())?;
        Ok(cfg)
    }

    /// Skill mode: the complete skill.
    pub fn full_skill(&self) -> Result<SkillConfig, BuilderError> {
        complete_skill(&self.skill.clone().unwrap_or_default(), &self.description)
    }

    /// Questions of this session's mode that have no answer yet.
    pub fn unanswered(&self) -> Vec<&'static QuestionSpec> {
        questions(self.mode)
            .filter(|q| !self.answers.iter().any(|a| a.question_id == q.id))
            .collect()
    }

    /// The answers so far, for `forge.builder.session`: one entry per answered question.
    pub fn answer_summaries(&self) -> Vec<AnswerSummary> {
        self.answers
            .iter()
            .filter_map(|a| {
                let spec = question(&a.question_id)?;
                Some(AnswerSummary {
                    question_id: a.question_id.clone(),
                    phase: a.phase,
                    field: spec.field,
                    question: spec.text_for(self.display_name().as_deref()),
                    answer: a.value.display(),
                    value: a.value.clone(),
                })
            })
            .collect()
    }

    fn category(&self) -> PurposeCategory {
        self.purpose_category
            .clone()
            .unwrap_or_else(|| classify_purpose(&self.description))
    }

    fn display_name(&self) -> Option<String> {
        match self.mode {
            Mode::Bot => self.config.name.clone(),
            Mode::Skill => self.skill.as_ref().and_then(|s| s.name.clone()),
            Mode::OpenclawWorkspace => self.workspace.as_ref().and_then(|w| w.name.clone()),
        }
    }
}

fn stamp(ctx: &BuilderContext) -> String {
    if ctx.now.is_empty() {
        now_rfc3339()
    } else {
        ctx.now.clone()
    }
}

fn empty_turn() -> BuilderTurn {
    BuilderTurn::Clarify {
        message: String::new(),
    }
}

/// Starts a session. An empty description yields a `clarify` turn asking for one.
pub fn start(mode: Mode, description: &str, ctx: &BuilderContext) -> Session {
    let description = clamp_text(description, MAX_TEXT_BYTES);
    let now = stamp(ctx);
    let mut s = Session {
        session_id: uuid::Uuid::new_v4().to_string(),
        mode,
        phase: BuilderPhase::Basics,
        purpose_category: (!description.is_empty()).then(|| classify_purpose(&description)),
        description,
        conversation: Vec::new(),
        config: PartialBuilderConfig::default(),
        skill: (mode == Mode::Skill).then(PartialSkillConfig::default),
        workspace: (mode == Mode::OpenclawWorkspace).then(WorkspaceConfig::default),
        workspace_origin: None,
        answers: Vec::new(),
        phase_history: Vec::new(),
        pending: Pending {
            question_id: None,
            choices: Vec::new(),
        },
        turn: empty_turn(),
        bound_folder: None,
        origin: None,
        target_folder: None,
        from_model: false,
        transcript: Vec::new(),
        created_at: now.clone(),
        updated_at: now,
    };
    advance(&mut s, ctx);
    s
}

/// Starts OpenClaw's first-run ritual over a workspace whose files already say `current` (each
/// question then offers "Keep: …" first, and assemble leaves unanswered lines alone).
pub fn start_workspace(
    description: &str,
    current: WorkspaceConfig,
    ctx: &BuilderContext,
) -> Session {
    let mut s = start(Mode::OpenclawWorkspace, description, ctx);
    s.workspace = Some(current.clone());
    s.workspace_origin = Some(current);
    advance(&mut s, ctx);
    s
}

/// Starts a reconfigure session from a bot's current config; every question offers "Keep: …" first.
pub fn start_reconfigure(
    origin: BuilderConfig,
    folder: Option<String>,
    ctx: &BuilderContext,
) -> Session {
    let mut s = start(Mode::Bot, &origin.description, ctx);
    if s.purpose_category.is_none() {
        s.purpose_category = Some(classify_purpose(&origin.personality.purpose));
    }
    s.config = PartialBuilderConfig::from_config(&origin);
    s.origin = Some(origin);
    s.bound_folder = folder;
    advance(&mut s, ctx);
    s
}

/// Applies an answer to the pending turn. On error the input session is untouched (it is borrowed).
pub fn answer(
    session: &Session,
    ans: Answer,
    ctx: &BuilderContext,
) -> Result<Session, BuilderError> {
    let mut s = session.clone();
    s.from_model = false;
    match (&session.turn, ans) {
        (_, Answer::Back) => go_back(&mut s)?,
        (BuilderTurn::ReadyToAssemble { .. }, Answer::Confirm(false)) => {
            s.turn = preview_turn(&s);
        }
        (BuilderTurn::ReadyToAssemble { .. }, _) => return Err(BuilderError::Finished),
        (BuilderTurn::Clarify { .. }, Answer::Text(t)) => {
            let d = clean_text(&t)?;
            s.conversation.push(BuilderExchange {
                question: clarify_message(s.mode),
                answer: d.clone(),
                phase: s.phase,
            });
            s.purpose_category = Some(classify_purpose(&d));
            s.description = d;
        }
        (BuilderTurn::Clarify { .. }, _) => {
            return Err(BuilderError::UnexpectedAnswer(
                "please answer with text describing what you want to build".into(),
            ))
        }
        (BuilderTurn::ShowPreview { .. }, Answer::Confirm(true)) => {
            s.conversation.push(BuilderExchange {
                question: "Does this look right?".into(),
                answer: "Yes, confirmed.".into(),
                phase: s.phase,
            });
            s.turn = ready_turn(&s)?;
            s.pending = Pending {
                question_id: None,
                choices: Vec::new(),
            };
            s.updated_at = stamp(ctx);
            return Ok(s);
        }
        (BuilderTurn::ShowPreview { .. }, Answer::Confirm(false)) => go_back(&mut s)?,
        (BuilderTurn::ShowPreview { .. }, _) => {
            return Err(BuilderError::UnexpectedAnswer(
                "this is the final review: confirm it ({\"confirm\": true}) or go back".into(),
            ))
        }
        (BuilderTurn::AskQuestion { .. }, ans) => {
            let spec = session.pending_question().ok_or_else(|| {
                BuilderError::UnexpectedAnswer(
                    "the pending question is unknown to this version".into(),
                )
            })?;
            let (value, label) = match ans {
                Answer::Option(i) => {
                    let v = session.pending.choices.get(i).cloned().ok_or(
                        BuilderError::OptionOutOfRange {
                            index: i,
                            count: session.pending.choices.len(),
                        },
                    )?;
                    let label = match &session.turn {
                        BuilderTurn::AskQuestion { options, .. } => options
                            .get(i)
                            .map(|o| o.label.clone())
                            .unwrap_or_else(|| v.display()),
                        _ => v.display(),
                    };
                    (v, label)
                }
                Answer::Text(t) => {
                    if !spec.allow_free_text {
                        return Err(BuilderError::FreeTextNotAllowed);
                    }
                    let v = parse_free_text(spec, &t, ctx)?;
                    let label = v.display();
                    (v, label)
                }
                Answer::Confirm(_) => {
                    return Err(BuilderError::UnexpectedAnswer(
                        "this question expects an option or text, not a confirmation".into(),
                    ))
                }
                // Matched by the first arm; kept as an error rather than a panic.
                Answer::Back => return Err(BuilderError::CannotGoBack),
            };
            let question_text = match &session.turn {
                BuilderTurn::AskQuestion { question, .. } => question.clone(),
                _ => spec.text_for(session.display_name().as_deref()),
            };
            record(&mut s, spec, value, question_text, label)?;
        }
    }
    advance(&mut s, ctx);
    s.updated_at = stamp(ctx);
    Ok(s)
}

/// §7.2 back without moving on: the previous phase restored, the answers and exchanges of the
/// phase left and of the restored one forgotten. The LLM agent then asks the model to re-ask.
pub fn back(session: &Session) -> Result<Session, BuilderError> {
    let mut s = session.clone();
    go_back(&mut s)?;
    Ok(s)
}

/// The offline flow's next turn for `session` as it stands: the first unanswered question, or the
/// review. The LLM agent falls back to it when the model cannot produce a usable turn.
pub fn offline_turn(session: &Session, ctx: &BuilderContext) -> Session {
    let mut s = session.clone();
    s.from_model = false;
    advance(&mut s, ctx);
    s.updated_at = stamp(ctx);
    s
}

/// Answers a specific question out of order (a code action in a file). The pending turn moves on only
/// if it was this question; a preview or ready turn is refreshed with the new value.
pub fn answer_question(
    session: &Session,
    question_id: &str,
    ans: Answer,
    ctx: &BuilderContext,
) -> Result<Session, BuilderError> {
    let spec = question(question_id)
        .filter(|q| q.mode == session.mode)
        .ok_or_else(|| BuilderError::UnknownQuestion(question_id.to_string()))?;
    if session.pending.question_id.as_deref() == Some(question_id) {
        return answer(session, ans, ctx);
    }
    let choices = choices_for(session, spec, ctx);
    let (value, label) = match ans {
        Answer::Option(i) => {
            let c = choices.get(i).ok_or(BuilderError::OptionOutOfRange {
                index: i,
                count: choices.len(),
            })?;
            (c.value.clone(), c.option.label.clone())
        }
        Answer::Text(t) if spec.allow_free_text => {
            let v = parse_free_text(spec, &t, ctx)?;
            let l = v.display();
            (v, l)
        }
        Answer::Text(_) => return Err(BuilderError::FreeTextNotAllowed),
        _ => {
            return Err(BuilderError::UnexpectedAnswer(
                "answer a specific question with an option or text".into(),
            ))
        }
    };
    let mut s = session.clone();
    let text = spec.text_for(session.display_name().as_deref());
    record(&mut s, spec, value, text, label)?;
    match s.turn {
        BuilderTurn::ShowPreview { .. } => s.turn = preview_turn(&s),
        BuilderTurn::ReadyToAssemble { .. } => s.turn = ready_turn(&s)?,
        _ => {}
    }
    s.updated_at = stamp(ctx);
    Ok(s)
}

/// The options a question would offer in this session right now.
pub fn choices_for(
    session: &Session,
    spec: &QuestionSpec,
    ctx: &BuilderContext,
) -> Vec<super::flow::Choice> {
    let category = session.category();
    options_for(
        spec,
        &OptionInput {
            description: &session.description,
            category: &category,
            config: &session.config,
            skill: session.skill.as_ref(),
            workspace: session.workspace.as_ref(),
            ctx,
        },
    )
}

fn record(
    s: &mut Session,
    spec: &QuestionSpec,
    value: FieldValue,
    question_text: String,
    label: String,
) -> Result<(), BuilderError> {
    s.answers.retain(|a| a.question_id != spec.id);
    s.answers.push(RecordedAnswer {
        question_id: spec.id.to_string(),
        phase: spec.phase,
        value,
    });
    s.conversation.push(BuilderExchange {
        question: question_text,
        answer: label,
        phase: spec.phase,
    });
    recompute(s)
}

/// Rebuilds `config`/`skill` from the origin and the recorded answers.
fn recompute(s: &mut Session) -> Result<(), BuilderError> {
    let mut config = s
        .origin
        .as_ref()
        .map(PartialBuilderConfig::from_config)
        .unwrap_or_default();
    let mut skill = PartialSkillConfig::default();
    let mut workspace = s.workspace_origin.clone().unwrap_or_default();
    for a in &s.answers {
        let spec = question(&a.question_id)
            .ok_or_else(|| BuilderError::UnknownQuestion(a.question_id.clone()))?;
        apply_value(spec, &a.value, &mut config, &mut skill, &mut workspace)?;
    }
    s.config = config;
    match s.mode {
        Mode::Skill => s.skill = Some(skill),
        Mode::OpenclawWorkspace => s.workspace = Some(workspace),
        Mode::Bot => {}
    }
    Ok(())
}

/// §7.2 back: pop the previous phase, forget the answers (and exchanges) of the phase being left and
/// of the restored one, so the restored phase is asked again from its first question.
fn go_back(s: &mut Session) -> Result<(), BuilderError> {
    let restored = s.phase_history.pop().ok_or(BuilderError::CannotGoBack)?;
    let leaving = s.phase;
    s.answers
        .retain(|a| a.phase != leaving && a.phase != restored);
    s.conversation
        .retain(|e| e.phase != leaving && e.phase != restored);
    s.phase = restored;
    recompute(s)
}

fn clarify_message(mode: Mode) -> String {
    match mode {
        Mode::Bot => "Tell me what your bot should do, in a sentence or two.".into(),
        Mode::Skill => "Tell me what the skill should do, in a sentence or two.".into(),
        // Never asked: the ritual needs no description.
        Mode::OpenclawWorkspace => "Tell me about the agent you want.".into(),
    }
}

/// Moves to the next unanswered question, or to the review preview.
fn advance(s: &mut Session, ctx: &BuilderContext) {
    // The ritual starts from "Who am I? Who are you?", not from a description.
    if s.description.is_empty() && s.mode != Mode::OpenclawWorkspace {
        s.turn = BuilderTurn::Clarify {
            message: clarify_message(s.mode),
        };
        s.pending = Pending {
            question_id: None,
            choices: Vec::new(),
        };
        return;
    }
    let next = questions(s.mode).find(|q| !s.answers.iter().any(|a| a.question_id == q.id));
    let phase = next.map(|q| q.phase).unwrap_or(BuilderPhase::Review);
    if phase != s.phase {
        s.phase_history.push(s.phase);
        s.phase = phase;
    }
    match next {
        Some(spec) => {
            let choices = choices_for(s, spec, ctx);
            s.turn = BuilderTurn::AskQuestion {
                phase: spec.phase,
                question: spec.text_for(s.display_name().as_deref()),
                options: choices.iter().map(|c| c.option.clone()).collect(),
                allow_free_text: spec.allow_free_text,
                phase_label: Some(spec.phase.label().to_string()),
            };
            s.pending = Pending {
                question_id: Some(spec.id.to_string()),
                choices: choices.into_iter().map(|c| c.value).collect(),
            };
        }
        None => {
            s.turn = preview_turn(s);
            s.pending = Pending {
                question_id: None,
                choices: Vec::new(),
            };
        }
    }
}

pub(crate) fn preview_turn(s: &Session) -> BuilderTurn {
    let preview = match s.mode {
        Mode::Bot => {
            let d = smart_defaults(&s.category());
            let c = &s.config;
            let tone = c.tone.clone().unwrap_or_else(|| d.tone.to_string());
            let traits = c
                .traits
                .clone()
                .unwrap_or_else(|| d.traits.iter().map(|t| t.to_string()).collect());
            BuilderPreview {
                name: c.name.clone(),
                description: c
                    .description
                    .clone()
                    .or_else(|| Some(s.description.clone())),
                personality_summary: Some(if traits.is_empty() {
                    format!("Tone: {tone}")
                } else {
                    format!("Tone: {tone}; traits: {}", traits.join(", "))
                }),
                model: Some(format!(
                    "{} (temperature {}, max tokens {})",
                    c.model.clone().unwrap_or_else(|| d.model.to_string()),
                    super::render::format_float(c.temperature.unwrap_or(d.temperature)),
                    c.max_tokens.unwrap_or(d.max_tokens)
                )),
                skills: c.skills.iter().map(|r| r.name.clone()).collect(),
                phase: BuilderPhase::Review,
            }
        }
        Mode::Skill => {
            let sk = s.skill.clone().unwrap_or_default();
            BuilderPreview {
                name: sk.name.clone(),
                description: sk.description.clone(),
                personality_summary: Some(format!(
                    "{} skill, trust tier {}",
                    sk.skill_type.map(|t| t.as_str()).unwrap_or("prompt"),
                    sk.trust_tier.map(|t| t.as_str()).unwrap_or("local")
                )),
                model: None,
                skills: sk
                    .capabilities
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
                phase: BuilderPhase::Review,
            }
        }
        Mode::OpenclawWorkspace => {
            let w = s.workspace.clone().unwrap_or_default();
            let identity: Vec<String> = [&w.emoji, &w.creature, &w.vibe]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            BuilderPreview {
                name: w.name.clone(),
                description: (!identity.is_empty()).then(|| identity.join(" · ")),
                personality_summary: w.values.as_ref().map(|v| v.join("; ")),
                model: None,
                skills: vec![],
                phase: BuilderPhase::Review,
            }
        }
    };
    BuilderTurn::ShowPreview {
        phase: BuilderPhase::Review,
        preview,
    }
}

fn ready_turn(s: &Session) -> Result<BuilderTurn, BuilderError> {
    match s.mode {
        Mode::Bot => Ok(BuilderTurn::ReadyToAssemble {
            config: s.full_config()?,
            skill: None,
            workspace: None,
        }),
        Mode::OpenclawWorkspace => {
            let w = s.workspace.clone().unwrap_or_default();
            // Mirrored into a bot-shaped config for clients that only read `config`, as in skill
            // mode; assemble writes `workspace`.
            let d = smart_defaults(&s.category());
            let name = w.name.clone().unwrap_or_else(|| "Assistant".into());
            let config = BuilderConfig {
                description: w
                    .creature
                    .clone()
                    .unwrap_or_else(|| "An OpenClaw agent".into()),
                category: "assistant".into(),
                tags: vec![],
                personality: PersonalityConfig {
                    tone: w.vibe.clone().unwrap_or_else(|| d.tone.into()),
                    traits: vec![],
                    purpose: w.values.clone().unwrap_or_default().join("; "),
                    boundaries: w.boundaries.as_ref().map(|b| b.join("; ")),
                },
                model_config: ModelConfig {
                    model: d.model.into(),
                    temperature: d.temperature,
                    max_tokens: d.max_tokens,
                },
                skills: vec![],
                name,
            };
            Ok(BuilderTurn::ReadyToAssemble {
                config,
                skill: None,
                workspace: Some(w),
            })
        }
        Mode::Skill => {
            let skill = s.full_skill()?;
            // Mirror the skill into a bot-shaped config, as Boternity's web client expects (§13.12).
            let d = smart_defaults(&s.category());
            let config = BuilderConfig {
                name: skill.name.clone(),
                description: skill.description.clone(),
                category: "utility".into(),
                tags: vec![],
                personality: PersonalityConfig {
                    tone: d.tone.into(),
                    traits: vec![],
                    purpose: skill.description.clone(),
                    boundaries: None,
                },
                model_config: ModelConfig {
                    model: d.model.into(),
                    temperature: d.temperature,
                    max_tokens: d.max_tokens,
                },
                skills: vec![SkillRequest {
                    name: skill.name.clone(),
                    description: skill.description.clone(),
                    skill_type: skill.skill_type.request_str().into(),
                }],
            };
            Ok(BuilderTurn::ReadyToAssemble {
                config,
                skill: Some(skill),
                workspace: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> BuilderContext {
        BuilderContext::fixed()
    }

    fn opt(n: usize) -> Answer {
        Answer::Option(n)
    }

    fn question_of(s: &Session) -> (&str, usize, bool) {
        match &s.turn {
            BuilderTurn::AskQuestion {
                question,
                options,
                allow_free_text,
                ..
            } => (question.as_str(), options.len(), *allow_free_text),
            other => panic!("not a question: {other:?}"),
        }
    }

    /// Answers every question with option 0 (or the text given for `name`) until review.
    fn run_to_review(mut s: Session) -> Session {
        for _ in 0..40 {
            if matches!(s.turn, BuilderTurn::ShowPreview { .. }) {
                return s;
            }
            let a = if s.pending.question_id.as_deref() == Some("name") {
                Answer::Text("Luna".into())
            } else {
                opt(0)
            };
            s = answer(&s, a, &ctx()).unwrap();
        }
        panic!("never reached review");
    }

    #[test]
    fn bot_flow_walks_all_phases_and_assembles() {
        let s = start(Mode::Bot, "Help me debug Rust code", &ctx());
        assert_eq!(s.phase, BuilderPhase::Basics);
        assert_eq!(s.purpose_category, Some(PurposeCategory::Coding));
        assert_eq!(s.pending.question_id.as_deref(), Some("name"));
        let s = answer(&s, Answer::Text("Luna".into()), &ctx()).unwrap();
        assert_eq!(question_of(&s).0, "In one sentence, what does Luna do?");
        let s = run_to_review(s);
        assert_eq!(s.phase, BuilderPhase::Review);
        assert_eq!(
            s.phase_history,
            vec![
                BuilderPhase::Basics,
                BuilderPhase::Personality,
                BuilderPhase::Model,
                BuilderPhase::Skills
            ]
        );
        let done = answer(&s, Answer::Confirm(true), &ctx()).unwrap();
        match &done.turn {
            BuilderTurn::ReadyToAssemble { config, skill, .. } => {
                assert!(skill.is_none());
                assert_eq!(config.name, "Luna");
                assert_eq!(config.category, "utility");
                assert_eq!(config.personality.tone, "technical");
                assert_eq!(config.model_config.temperature, 0.2);
                let names: Vec<_> = config.skills.iter().map(|s| s.name.as_str()).collect();
                assert_eq!(names, ["code-review", "code-generation"]);
            }
            other => panic!("{other:?}"),
        }
        // Answering a finished session is an error; confirm(false) returns to the preview.
        assert_eq!(
            answer(&done, opt(0), &ctx()).unwrap_err(),
            BuilderError::Finished
        );
        let back = answer(&done, Answer::Confirm(false), &ctx()).unwrap();
        assert!(matches!(back.turn, BuilderTurn::ShowPreview { .. }));
    }

    #[test]
    fn exchanges_record_real_question_and_label() {
        let s = start(Mode::Bot, "write poems", &ctx());
        let first_label = match &s.turn {
            BuilderTurn::AskQuestion { options, .. } => options[0].label.clone(),
            other => panic!("{other:?}"),
        };
        let s = answer(&s, opt(0), &ctx()).unwrap();
        let e = &s.conversation[0];
        assert_eq!(e.question, "What should your bot be called?");
        assert_eq!(e.answer, first_label);
        assert_eq!(s.config.name.as_deref(), Some(first_label.as_str()));
        assert_ne!(e.question, "(previous question)");
    }

    #[test]
    fn errors_leave_the_session_unchanged() {
        let s = start(Mode::Bot, "write poems", &ctx());
        let before = s.clone();
        let (_, n, _) = question_of(&s);
        assert_eq!(
            answer(&s, opt(n), &ctx()).unwrap_err(),
            BuilderError::OptionOutOfRange { index: n, count: n }
        );
        assert_eq!(
            answer(&s, Answer::Back, &ctx()).unwrap_err().to_string(),
            "cannot go back from the first phase"
        );
        assert!(answer(&s, Answer::Confirm(true), &ctx()).is_err());
        assert!(matches!(
            answer(&s, Answer::Text("x".repeat(1 << 20)), &ctx()),
            Err(BuilderError::TooLong { .. })
        ));
        assert_eq!(s, before);
        // category allows no free text
        let s = answer(&s, Answer::Text("Muse".into()), &ctx()).unwrap();
        let s = answer(&s, opt(0), &ctx()).unwrap();
        assert_eq!(s.pending.question_id.as_deref(), Some("category"));
        assert_eq!(
            answer(&s, Answer::Text("creative".into()), &ctx()).unwrap_err(),
            BuilderError::FreeTextNotAllowed
        );
    }

    #[test]
    fn back_forgets_the_phase_and_reasks() {
        let mut s = start(Mode::Bot, "research papers", &ctx());
        while s.phase == BuilderPhase::Basics {
            s = answer(&s, opt(0), &ctx()).unwrap();
        }
        assert_eq!(s.pending.question_id.as_deref(), Some("tone"));
        s = answer(&s, Answer::Text("snarky".into()), &ctx()).unwrap();
        assert_eq!(s.config.tone.as_deref(), Some("snarky"));
        let b = answer(&s, Answer::Back, &ctx()).unwrap();
        assert_eq!(b.phase, BuilderPhase::Basics);
        assert!(b.phase_history.is_empty());
        assert_eq!(b.pending.question_id.as_deref(), Some("name"));
        assert!(
            b.config.tone.is_none(),
            "answers of the left phase are reverted"
        );
        assert!(b.config.name.is_none());
        assert!(b.conversation.is_empty());
        assert_eq!(
            answer(&b, Answer::Back, &ctx()).unwrap_err(),
            BuilderError::CannotGoBack
        );
    }

    #[test]
    fn preview_confirm_false_goes_back_to_skills() {
        let s = run_to_review(start(Mode::Bot, "customer support tickets", &ctx()));
        let b = answer(&s, Answer::Confirm(false), &ctx()).unwrap();
        assert_eq!(b.phase, BuilderPhase::Skills);
        assert_eq!(b.pending.question_id.as_deref(), Some("skills"));
        assert!(answer(&s, opt(0), &ctx()).is_err());
    }

    #[test]
    fn empty_description_clarifies_first() {
        let s = start(Mode::Bot, "  \u{1}  ", &ctx());
        assert!(matches!(s.turn, BuilderTurn::Clarify { .. }));
        assert!(answer(&s, opt(0), &ctx()).is_err());
        let s = answer(&s, Answer::Text("a music bot".into()), &ctx()).unwrap();
        assert_eq!(s.purpose_category, Some(PurposeCategory::Creative));
        assert_eq!(s.pending.question_id.as_deref(), Some("name"));
    }

    #[test]
    fn skill_mode_builds_a_skill() {
        let s = start(Mode::Skill, "Fetch a web page and summarize it", &ctx());
        assert_eq!(s.pending.question_id.as_deref(), Some("skill_name"));
        let s = answer(&s, Answer::Text("Page Summarizer!".into()), &ctx()).unwrap();
        assert_eq!(
            question_of(&s).0,
            "Describe what page-summarizer does and when to use it."
        );
        let s = answer(
            &s,
            Answer::Text("Summarize a page: fetch it, then list bullets".into()),
            &ctx(),
        )
        .unwrap();
        assert_eq!(s.phase, BuilderPhase::Skills);
        let s = answer(&s, opt(0), &ctx()).unwrap(); // tool (heuristic: fetch → http_get)
        let s = answer(&s, opt(0), &ctx()).unwrap(); // suggested capabilities
        assert!(!question_of(&s).2, "trust tier is options only");
        let s = answer(&s, opt(1), &ctx()).unwrap(); // verified
        let s = answer(&s, opt(0), &ctx()).unwrap(); // generated instructions
        assert!(matches!(s.turn, BuilderTurn::ShowPreview { .. }));
        let s = answer(&s, Answer::Confirm(true), &ctx()).unwrap();
        match &s.turn {
            BuilderTurn::ReadyToAssemble {
                config,
                skill: Some(sk),
                ..
            } => {
                assert_eq!(sk.name, "page-summarizer");
                assert_eq!(sk.skill_type, SkillType::Tool);
                assert_eq!(sk.capabilities, vec![Capability::HttpGet]);
                assert_eq!(sk.trust_tier, TrustTier::Verified);
                assert!(sk.body.contains("## Instructions"));
                assert_eq!(config.skills[0].skill_type, "wasm");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reconfigure_offers_keep_and_answer_question_out_of_order() {
        let origin = complete_config(
            &PartialBuilderConfig {
                name: Some("Quill".into()),
                tone: Some("calm".into()),
                boundaries: Some("No homework.".into()),
                ..Default::default()
            },
            "Help students proofread essays",
            &PurposeCategory::Creative,
        )
        .unwrap();
        let s = start_reconfigure(origin.clone(), Some("bots/quill".into()), &ctx());
        assert_eq!(s.origin.as_ref(), Some(&origin));
        match &s.turn {
            BuilderTurn::AskQuestion { options, .. } => assert_eq!(options[0].label, "Keep: Quill"),
            other => panic!("{other:?}"),
        }
        let s2 = answer_question(&s, "tone", Answer::Text("stern".into()), &ctx()).unwrap();
        assert_eq!(s2.config.tone.as_deref(), Some("stern"));
        assert_eq!(s2.config.name.as_deref(), Some("Quill"), "origin kept");
        assert_eq!(s2.pending, s.pending, "pending question unchanged");
        assert!(answer_question(&s, "nope", opt(0), &ctx()).is_err());
        assert!(answer_question(&s, "skill_name", opt(0), &ctx()).is_err());
        // keep everything → ready config equals the origin
        let mut r = s;
        while !matches!(r.turn, BuilderTurn::ShowPreview { .. }) {
            r = answer(&r, opt(0), &ctx()).unwrap();
        }
        let r = answer(&r, Answer::Confirm(true), &ctx()).unwrap();
        assert_eq!(r.full_config().unwrap(), origin);
    }

    #[test]
    fn session_round_trips_through_json() {
        let s = run_to_review(start(Mode::Bot, "a data dashboard", &ctx()));
        let json = serde_json::to_string(&s).unwrap();
        let back: Session = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let next = answer(&back, Answer::Confirm(true), &ctx()).unwrap();
        assert!(next.is_ready());
    }

    #[test]
    fn control_characters_are_stripped_from_answers() {
        let s = start(Mode::Bot, "poems", &ctx());
        let s = answer(&s, Answer::Text("Lu\u{7}na\u{1b}".into()), &ctx()).unwrap();
        assert_eq!(s.config.name.as_deref(), Some("Luna"));
        let s = answer(
            &s,
            Answer::Text("line one\r\nline\ttwo\u{0}".into()),
            &ctx(),
        )
        .unwrap();
        assert_eq!(s.config.description.as_deref(), Some("line one\nline\ttwo"));
    }

    #[test]
    fn answer_summaries_list_answers() {
        let s = start(Mode::Bot, "poems", &ctx());
        let s = answer(&s, Answer::Text("Muse".into()), &ctx()).unwrap();
        let a = s.answer_summaries();
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].question_id.as_str(), a[0].answer.as_str()),
            ("name", "Muse")
        );
    }

    use proptest::prelude::*;

    fn any_answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            (0usize..12).prop_map(Answer::Option),
            "\\PC{0,30}".prop_map(Answer::Text),
            any::<bool>().prop_map(Answer::Confirm),
            Just(Answer::Back),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any answer sequence: no panic, errors leave the session as it was, and the pending turn
        /// always matches the stored choices.
        #[test]
        fn random_answers_keep_invariants(
            skill_mode in any::<bool>(),
            desc in "\\PC{0,40}",
            answers in proptest::collection::vec(any_answer(), 0..40),
        ) {
            let mode = if skill_mode { Mode::Skill } else { Mode::Bot };
            let mut s = start(mode, &desc, &ctx());
            for a in answers {
                let before = s.clone();
                match answer(&s, a, &ctx()) {
                    Ok(next) => s = next,
                    Err(_) => prop_assert_eq!(&s, &before),
                }
                if let BuilderTurn::AskQuestion { options, phase, .. } = &s.turn {
                    prop_assert_eq!(options.len(), s.pending.choices.len());
                    prop_assert_eq!(*phase, s.phase);
                    prop_assert!(s.pending_question().is_some());
                }
                prop_assert!(s.phase_history.iter().all(|p| *p < s.phase || s.phase == BuilderPhase::Basics));
                let json = serde_json::to_string(&s).unwrap();
                let back: Session = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(back, s.clone());
            }
        }
    }
}
