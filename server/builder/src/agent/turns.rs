//! The pure steps of a model-driven builder turn: the request built from a session, the user's
//! answer recorded before the model is asked, and the model's reply checked and applied. Nothing
//! here does I/O, so every rule is unit-tested without a model.

use std::path::Path;

use serde_json::Value;

use super::schema::{builder_turn_schema, SCHEMA_NAME};
use super::{bot_problems, AgentContext};
use crate::answer::{clean_line, clean_text};
use crate::{
    offline_turn, render_bot, slugify, Answer, BotTexts, BuilderContext, BuilderError,
    BuilderExchange, BuilderTurn, Mode, PartialBuilderConfig, Pending, Session,
};
use forge_analysis::rules::Profile;
use forge_llm::prompt::{
    build_forge_system_prompt, ForgeMode, ForgePromptInput, PastSession, PromptExchange,
    WorkspaceSkill as PromptSkill,
};
use forge_llm::StructuredRequest;

/// More options than this is a model rambling, not a question.
const MAX_OPTIONS: usize = 12;

/// What the user message says for each answer that is not an option or text (formats §7.6).
const CONFIRMED: &str = "Yes, confirmed.";
const CHANGES: &str = "No, I'd like to make changes.";
const PREVIEW_QUESTION: &str = "Does this look right?";

/// The user's answer applied to a session, before the model is asked for the next turn.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The session the model's turn is applied to.
    pub session: Session,
    /// The offline flow's next turn: what the user gets if the model's reply is unusable.
    pub fallback: Session,
    /// The user message sent to the model.
    pub message: String,
    /// False when the offline flow has finished (ready to assemble): no model call is needed.
    pub ask_model: bool,
}

/// Applies `ans` to `s`. Turns the offline engine asked go through it unchanged; turns the model
/// asked are recorded as exchanges (§7.2). Errors leave `s` as it is (it is borrowed).
pub fn record(s: &Session, ans: &Answer, ctx: &BuilderContext) -> Result<Recorded, BuilderError> {
    if *ans == Answer::Back && s.from_model {
        let base = crate::back(s)?;
        return Ok(Recorded {
            fallback: offline_turn(&base, ctx),
            message: back_message(&base),
            session: base,
            ask_model: true,
        });
    }
    if !s.from_model {
        let next = crate::answer(s, ans.clone(), ctx)?;
        let message = match ans {
            Answer::Back => back_message(&next),
            _ if next.conversation.len() > s.conversation.len() => next
                .conversation
                .last()
                .map(|e| e.answer.clone())
                .unwrap_or_default(),
            _ => CHANGES.to_string(),
        };
        return Ok(Recorded {
            ask_model: !next.is_ready(),
            session: next.clone(),
            fallback: next,
            message,
        });
    }
    let mut r = s.clone();
    let (question, answer, message) = match (&s.turn, ans) {
        (
            BuilderTurn::AskQuestion {
                question, options, ..
            },
            Answer::Option(i),
        ) => {
            let o = options.get(*i).ok_or(BuilderError::OptionOutOfRange {
                index: *i,
                count: options.len(),
            })?;
            (question.clone(), o.label.clone(), o.label.clone())
        }
        (
            BuilderTurn::AskQuestion {
                question,
                allow_free_text,
                ..
            },
            Answer::Text(t),
        ) => {
            if !allow_free_text {
                return Err(BuilderError::FreeTextNotAllowed);
            }
            let t = clean_text(t)?;
            (question.clone(), t.clone(), t)
        }
        (BuilderTurn::AskQuestion { .. }, _) => {
            return Err(BuilderError::UnexpectedAnswer(
                "this question expects an option or text, not a confirmation".into(),
            ))
        }
        (BuilderTurn::ShowPreview { .. }, Answer::Confirm(yes)) => {
            let m = if *yes { CONFIRMED } else { CHANGES };
            (PREVIEW_QUESTION.to_string(), m.to_string(), m.to_string())
        }
        (BuilderTurn::ShowPreview { .. }, _) => {
            return Err(BuilderError::UnexpectedAnswer(
                "this is the final review: confirm it ({\"confirm\": true}) or go back".into(),
            ))
        }
        (BuilderTurn::Clarify { message }, Answer::Text(t)) => {
            let t = clean_text(t)?;
            if r.description.is_empty() {
                r.purpose_category = Some(crate::classify_purpose(&t));
                r.description = t.clone();
            }
            (message.clone(), t.clone(), t)
        }
        (BuilderTurn::Clarify { .. }, _) => {
            return Err(BuilderError::UnexpectedAnswer(
                "please answer with text".into(),
            ))
        }
        (BuilderTurn::ReadyToAssemble { .. }, Answer::Confirm(false)) => {
            (PREVIEW_QUESTION.to_string(), CHANGES.into(), CHANGES.into())
        }
        (BuilderTurn::ReadyToAssemble { .. }, _) => return Err(BuilderError::Finished),
    };
    r.conversation.push(BuilderExchange {
        question,
        answer,
        phase: r.phase,
    });
    Ok(Recorded {
        fallback: offline_turn(&r, ctx),
        session: r,
        message,
        ask_model: true,
    })
}

/// A chat message in the user's own words to the pending turn of `s`. A model-driven turn records
/// it as the answer to its question whatever the question allowed (the model reads it); an offline
/// turn takes it as free text.
pub fn record_message(
    s: &Session,
    text: &str,
    ctx: &BuilderContext,
) -> Result<Recorded, BuilderError> {
    if !s.from_model {
        return record(s, &Answer::Text(text.to_string()), ctx);
    }
    let question = match &s.turn {
        BuilderTurn::AskQuestion { question, .. } => question.clone(),
        BuilderTurn::ShowPreview { .. } => PREVIEW_QUESTION.to_string(),
        BuilderTurn::Clarify { message } => message.clone(),
        BuilderTurn::ReadyToAssemble { .. } => return Err(BuilderError::Finished),
    };
    let text = clean_text(text)?;
    let mut r = s.clone();
    r.conversation.push(BuilderExchange {
        question,
        answer: text.clone(),
        phase: r.phase,
    });
    Ok(Recorded {
        fallback: offline_turn(&r, ctx),
        session: r,
        message: text,
        ask_model: true,
    })
}

fn back_message(s: &Session) -> String {
    format!(
        "I'd like to go back to the {} phase: ask its question again.",
        s.phase.short_label()
    )
}

/// The user message that opens a session (formats §7.6).
pub fn start_message(s: &Session) -> String {
    match &s.origin {
        Some(origin) => format!(
            "Show me the current configuration of my bot \"{}\" and ask what I'd like to adjust.",
            origin.name
        ),
        None => s.description.clone(),
    }
}

/// The Forge request for `s` with `message` as the user's turn.
pub fn request(s: &Session, ctx: &AgentContext, message: &str) -> StructuredRequest {
    let system = build_forge_system_prompt(&prompt_input(s, ctx));
    let mut req = StructuredRequest::new(system, message, SCHEMA_NAME, builder_turn_schema());
    if !ctx.history.is_empty() {
        let mut messages = ctx.history.clone();
        match messages.last_mut() {
            // Roles alternate: a conversation ending with the user's words gets this message too.
            Some(last) if last.role == forge_llm::Role::User => {
                last.content.push_str("\n\n");
                last.content.push_str(message);
            }
            _ => messages.push(forge_llm::Message::user(message)),
        }
        req.messages = messages;
    }
    req
}

fn prompt_input(s: &Session, ctx: &AgentContext) -> ForgePromptInput {
    ForgePromptInput {
        mode: if s.origin.is_some() {
            ForgeMode::ReconfigureBot
        } else {
            ForgeMode::NewBot
        },
        initial_description: s.description.clone(),
        phase_label: s.phase.label().to_string(),
        // The product prints the category's Rust debug form (`Coding`, `Custom("…")`), §7.4.
        purpose_category: s.purpose_category.as_ref().map(|c| format!("{c:?}")),
        questions_asked: s.conversation.len(),
        exchanges: s
            .conversation
            .iter()
            .map(|e| PromptExchange {
                question: e.question.clone(),
                answer: e.answer.clone(),
            })
            .collect(),
        config_lines: config_lines(&s.config),
        past_sessions: ctx
            .builder
            .memory
            .iter()
            .map(|m| PastSession {
                bot_slug: m.bot_slug.clone(),
                description: m.initial_description.clone(),
                tone: m.chosen_tone.clone(),
                model: m.chosen_model.clone(),
                skills: m.chosen_skills.clone(),
            })
            .collect(),
        workspace_skills: ctx
            .builder
            .workspace_skills
            .iter()
            .map(|w| PromptSkill {
                name: w.name.clone(),
                description: w.description.clone(),
            })
            .collect(),
        diagnostics: ctx.diagnostics.clone(),
    }
}

/// One line per set field, as §7.4's `<current_config>` lists them.
fn config_lines(c: &PartialBuilderConfig) -> Vec<String> {
    let text = |label: &str, v: &Option<String>| v.as_ref().map(|v| format!("{label}: {v}"));
    let list = |label: &str, v: &Option<Vec<String>>| {
        v.as_ref().map(|v| format!("{label}: {}", v.join(", ")))
    };
    [
        text("Name", &c.name),
        text("Description", &c.description),
        text("Category", &c.category),
        list("Tags", &c.tags),
        text("Tone", &c.tone),
        list("Traits", &c.traits),
        text("Purpose", &c.purpose),
        text("Boundaries", &c.boundaries),
        text("Model", &c.model),
        c.temperature.map(|t| format!("Temperature: {t}")),
        c.max_tokens.map(|t| format!("Max tokens: {t}")),
        (!c.skills.is_empty()).then(|| {
            let names: Vec<&str> = c.skills.iter().map(|s| s.name.as_str()).collect();
            format!("Skills: {}", names.join(", "))
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Parses and checks the model's reply for session `s`. `Err` says why, in words the repair
/// request can send back to the model.
pub fn accept(reply: Value, s: &Session) -> Result<BuilderTurn, String> {
    let turn: BuilderTurn = serde_json::from_value(reply).map_err(|e| e.to_string())?;
    match turn {
        BuilderTurn::AskQuestion {
            phase,
            question,
            options,
            allow_free_text,
            phase_label,
        } => {
            let question = clean_text(&question).map_err(|_| "the question is empty")?;
            if options.is_empty() && !allow_free_text {
                return Err("an ask_question turn needs options or allow_free_text: true".into());
            }
            if options.len() > MAX_OPTIONS {
                return Err(format!("offer at most {MAX_OPTIONS} options"));
            }
            let mut clean = Vec::with_capacity(options.len());
            for mut o in options {
                o.label = clean_line(&o.label)
                    .map_err(|e| format!("option `{}` has a bad label: {e}", o.id))?;
                if o.id.trim().is_empty()
                    || clean.iter().any(|c: &crate::QuestionOption| c.id == o.id)
                {
                    return Err(format!(
                        "option ids must be unique and non-empty (`{}`)",
                        o.id
                    ));
                }
                clean.push(o);
            }
            Ok(BuilderTurn::AskQuestion {
                phase,
                question,
                options: clean,
                allow_free_text,
                phase_label: phase_label.or_else(|| Some(phase.label().to_string())),
            })
        }
        BuilderTurn::Clarify { message } => {
            let message = clean_text(&message).map_err(|_| "the clarify message is empty")?;
            Ok(BuilderTurn::Clarify { message })
        }
        BuilderTurn::ReadyToAssemble { config, .. } => {
            if s.mode != Mode::Bot {
                return Err("ready_to_assemble is only for bot sessions".into());
            }
            check_config(&config)?;
            Ok(BuilderTurn::ReadyToAssemble {
                config,
                skill: None,
                workspace: None,
            })
        }
        preview @ BuilderTurn::ShowPreview { .. } => Ok(preview),
    }
}

/// A config is acceptable when the bot files it renders pass forge-ls's own rules without an
/// error or warning (warnings too: the model can fix what the offline renderer never produces, e.g.
/// a temperature out of range).
fn check_config(config: &crate::BuilderConfig) -> Result<(), String> {
    let slug = slugify(&config.name).map_err(|e| format!("config.name: {e}"))?;
    let files = render_bot(config);
    let texts = BotTexts {
        identity: Some(files.identity_md),
        soul: Some(files.soul_md),
        user: Some(files.user_md),
        skills_toml: files.skills_toml,
    };
    let problems = bot_problems(Path::new(&slug), &texts, Profile::Boternity);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the configuration makes invalid bot files: {}",
            problems.join("; ")
        ))
    }
}

/// `s` with the model's (accepted) turn: the phase advances as §7.2 says.
pub fn apply(s: &Session, turn: BuilderTurn) -> Session {
    let mut n = s.clone();
    match &turn {
        BuilderTurn::AskQuestion { phase, .. } | BuilderTurn::ShowPreview { phase, .. } => {
            if *phase != n.phase {
                n.phase_history.push(n.phase);
                n.phase = *phase;
            }
        }
        // The authoritative configuration is the one in `ready_to_assemble` (§7.2); assemble
        // completes `config`, so it is stored there too.
        BuilderTurn::ReadyToAssemble { config, .. } => {
            n.config = PartialBuilderConfig::from_config(config)
        }
        BuilderTurn::Clarify { .. } => {}
    }
    n.turn = turn;
    n.pending = Pending {
        question_id: None,
        choices: Vec::new(),
    };
    n.from_model = true;
    n.updated_at = crate::now_rfc3339();
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{start, BuilderPhase};
    use serde_json::json;

    fn ctx() -> BuilderContext {
        BuilderContext::fixed()
    }

    fn question_turn() -> Value {
        json!({
            "action": "ask_question", "phase": "personality", "question": "How should it talk?",
            "options": [
                {"id": "warm", "label": "Warm", "description": null},
                {"id": "other", "label": "Other", "description": "Describe it"}
            ],
            "allow_free_text": true, "phase_label": null
        })
    }

    fn model_session() -> Session {
        let s = start(Mode::Bot, "helps me write poems", &ctx());
        apply(&s, accept(question_turn(), &s).unwrap())
    }

    #[test]
    fn a_model_question_moves_the_phase_and_clears_pending() {
        let s = model_session();
        assert!(s.from_model);
        assert_eq!(s.phase, BuilderPhase::Personality);
        assert_eq!(s.phase_history, vec![BuilderPhase::Basics]);
        assert_eq!(s.pending.question_id, None);
        match &s.turn {
            BuilderTurn::AskQuestion { phase_label, .. } => {
                assert_eq!(phase_label.as_deref(), Some("Defining personality..."))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn answers_to_model_turns_become_exchanges_and_errors_change_nothing() {
        let s = model_session();
        let before = s.clone();
        assert_eq!(
            record(&s, &Answer::Option(2), &ctx()).unwrap_err(),
            BuilderError::OptionOutOfRange { index: 2, count: 2 }
        );
        assert!(record(&s, &Answer::Confirm(true), &ctx()).is_err());
        assert_eq!(s, before);
        let r = record(&s, &Answer::Option(0), &ctx()).unwrap();
        assert_eq!(r.message, "Warm");
        let e = r.session.conversation.last().unwrap();
        assert_eq!(
            (e.question.as_str(), e.answer.as_str()),
            ("How should it talk?", "Warm")
        );
        assert_eq!(e.phase, BuilderPhase::Personality);
        // The fallback is the offline flow's next question.
        assert_eq!(r.fallback.pending.question_id.as_deref(), Some("name"));
        assert!(!r.fallback.from_model);
        let t = record(&s, &Answer::Text("gentle\u{7}".into()), &ctx()).unwrap();
        assert_eq!(t.message, "gentle");
    }

    #[test]
    fn offline_turns_go_through_the_engine() {
        let s = start(Mode::Bot, "helps me write poems", &ctx());
        let r = record(&s, &Answer::Text("Muse".into()), &ctx()).unwrap();
        assert_eq!(r.message, "Muse");
        assert_eq!(r.session.config.name.as_deref(), Some("Muse"));
        assert!(r.ask_model);
        let back = record(&model_session(), &Answer::Back, &ctx()).unwrap();
        assert_eq!(back.session.phase, BuilderPhase::Basics);
        assert!(back.session.phase_history.is_empty());
        assert!(back.message.contains("back to the Basics phase"));
        assert_eq!(back.fallback.pending.question_id.as_deref(), Some("name"));
    }

    #[test]
    fn bad_turns_are_rejected_with_a_reason() {
        let s = start(Mode::Bot, "poems", &ctx());
        for (reply, why) in [
            (json!({"action": "dance"}), "unknown variant"),
            (json!({"action": "clarify", "message": "  "}), "empty"),
            (
                json!({"action": "ask_question", "phase": "basics", "question": "q", "options": [], "allow_free_text": false}),
                "needs options",
            ),
            (
                json!({"action": "ask_question", "phase": "basics", "question": "q", "options": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}], "allow_free_text": false}),
                "unique",
            ),
        ] {
            let e = accept(reply, &s).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn ready_configs_are_checked_by_the_rules_and_stored() {
        let s = model_session();
        let mut config = json!({
            "name": "Muse", "description": "Writes poems", "category": "creative", "tags": [],
            "personality": {"tone": "warm", "traits": ["kind"], "purpose": "Write poems", "boundaries": null},
            "model_config": {"model": "claude-sonnet-4-20250514", "temperature": 0.9, "max_tokens": 4096},
            "skills": []
        });
        let ok = accept(json!({"action": "ready_to_assemble", "config": config}), &s).unwrap();
        let done = apply(&s, ok);
        assert!(done.is_ready());
        assert_eq!(done.full_config().unwrap().name, "Muse");
        assert_eq!(
            done.phase,
            BuilderPhase::Personality,
            "ready keeps the phase"
        );
        config["model_config"]["temperature"] = json!(7.5);
        let e = accept(json!({"action": "ready_to_assemble", "config": config}), &s).unwrap_err();
        assert!(e.contains("IDENTITY.md"), "{e}");
        config["name"] = json!("!!!");
        assert!(accept(json!({"action": "ready_to_assemble", "config": config}), &s).is_err());
    }

    #[test]
    fn the_request_carries_session_context() {
        let mut s = model_session();
        s.conversation.push(BuilderExchange {
            question: "Name?".into(),
            answer: "Muse".into(),
            phase: BuilderPhase::Basics,
        });
        s.config.name = Some("Muse".into());
        let ctx = AgentContext {
            builder: BuilderContext {
                workspace_skills: vec![crate::WorkspaceSkill {
                    name: "rhymes".into(),
                    description: "Finds rhymes".into(),
                }],
                ..Default::default()
            },
            diagnostics: vec!["SOUL.md line 2: bad tone".into()],
            history: Vec::new(),
        };
        let req = request(&s, &ctx, "Warm");
        assert_eq!(req.schema_name, "BuilderTurn");
        assert_eq!(req.messages[0].content, "Warm");
        for part in [
            "Current phase: Defining personality...",
            "Purpose category: Creative",
            "Q: Name?\nA: Muse",
            "<current_config>\nName: Muse",
            "- rhymes: Finds rhymes",
            "SOUL.md line 2: bad tone",
        ] {
            assert!(req.system.contains(part), "{part}");
        }
    }
}
