//! The builder as a conversation: what a chat message means for the pending turn, the reply written
//! for a person, and the transcript kept in the draft. Pure functions; `commands::chat` runs a
//! turn start to end (turn source, durable save, assemble) for every chat surface (the LSP command
//! `forge.builder.chat`, `forge-ls acp`).
//!
//! Offline, a message answers the pending question: an option by its number (1-based, as the reply
//! shows them) or its label, free text where the question takes it, and the plain words of
//! [`WORDS`]. A session the model drives gets the message as the user's words (the model reads
//! several facts from one message), with the whole transcript as the conversation
//! ([`history`]), as Boternity's Forge chat sends each message to its `LlmBuilderAgent`
//! (mondalsuman/boternity@b9c08e1:crates/boternity-infra/src/builder/llm_builder.rs).

use serde::{Deserialize, Serialize};

use crate::engine::preview_turn;
use crate::{Answer, BuilderError, BuilderTurn, Mode, Session};

/// Who wrote a transcript message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Forge,
}

/// One message of the conversation, as a person saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    /// Markdown for the builder's messages, the user's words as sent.
    pub text: String,
    pub at: String,
    /// The builder's turn behind a reply (the model sees its own earlier turns as they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<BuilderTurn>,
}

/// A numbered option of the reply: `index` is what the user types (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatOption {
    pub index: usize,
    pub label: String,
    pub description: Option<String>,
}

/// A plain word the chat understands at any turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Back,
    Skip,
    Preview,
    Assemble,
    StartOver,
    Yes,
    No,
}

/// The plain words, as typed (compared lower-cased, without surrounding punctuation). A message
/// in quotes is never a word: `"Preview"` names a bot Preview.
pub const WORDS: &[(Word, &[&str])] = &[
    (
        Word::Back,
        &["back", "go back", "previous", "previous question", "undo"],
    ),
    (
        Word::Skip,
        &[
            "skip",
            "skip it",
            "skip this",
            "skip this one",
            "pass",
            "you choose",
            "you decide",
            "use the default",
            "default",
            "whatever you suggest",
        ],
    ),
    (
        Word::Preview,
        &[
            "preview",
            "show preview",
            "show the preview",
            "show me the preview",
            "summary",
            "show me what we have",
            "what do we have so far",
        ],
    ),
    (
        Word::Assemble,
        &[
            "assemble",
            "assemble it",
            "build it",
            "create it",
            "write the files",
            "write it",
            "finish",
            "create the bot",
            "create the skill",
        ],
    ),
    (
        Word::StartOver,
        &[
            "start over",
            "start again",
            "restart",
            "reset",
            "from scratch",
            "begin again",
        ],
    ),
    (
        Word::Yes,
        &[
            "yes",
            "y",
            "yep",
            "yeah",
            "ok",
            "okay",
            "sure",
            "confirm",
            "confirmed",
            "looks good",
            "looks right",
            "correct",
            "that's right",
            "lgtm",
        ],
    ),
    (
        Word::No,
        &[
            "no",
            "n",
            "nope",
            "not yet",
            "make changes",
            "change something",
            "change it",
        ],
    ),
];

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// An answer to the pending turn, for the turn source.
    Answer(Answer),
    /// A model-driven session: the message as the user's words.
    Say(String),
    /// Take the pending question's suggestion (its first option).
    Skip,
    /// Show what the session would build so far; nothing changes.
    Preview,
    /// Confirm the review if needed, then write the files.
    Assemble,
    /// Forget every answer and ask the first question again.
    StartOver,
}

/// What the model is told for "skip" (it keeps no question table to take a default from).
pub const SKIP_MESSAGE: &str = "Skip this question: use what you suggest.";

fn normalise(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| matches!(c, '.' | '!' | '?' | ',' | ';'))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn word_of(norm: &str) -> Option<Word> {
    WORDS
        .iter()
        .find(|(_, phrases)| phrases.contains(&norm))
        .map(|(w, _)| *w)
}

/// `3`, `3.`, `3)`, `#3`, `option 3`.
fn number_of(norm: &str) -> Option<usize> {
    let n = norm.strip_prefix("option").unwrap_or(norm).trim();
    let n = n.strip_prefix('#').unwrap_or(n);
    let n = n.trim_end_matches(['.', ')']);
    n.parse().ok()
}

/// A message in straight or typographic quotes, unquoted.
fn quoted(message: &str) -> Option<&str> {
    let t = message.trim();
    for (a, b) in [('"', '"'), ('“', '”'), ('\'', '\'')] {
        if let Some(inner) = t.strip_prefix(a).and_then(|r| r.strip_suffix(b)) {
            if !inner.trim().is_empty() {
                return Some(inner);
            }
        }
    }
    None
}

/// Reads `message` against the pending turn of `s`. `Err` says, for a person, what would fit.
pub fn interpret(s: &Session, message: &str) -> Result<Intent, BuilderError> {
    if let Some(text) = quoted(message) {
        return literal(s, text);
    }
    let norm = normalise(message);
    if norm.is_empty() {
        return Err(BuilderError::EmptyAnswer);
    }
    let word = word_of(&norm);
    match word {
        Some(Word::Back) => return Ok(Intent::Answer(Answer::Back)),
        Some(Word::StartOver) => return Ok(Intent::StartOver),
        Some(Word::Preview) => return Ok(Intent::Preview),
        Some(Word::Assemble) => return Ok(Intent::Assemble),
        _ => {}
    }
    match &s.turn {
        BuilderTurn::AskQuestion {
            options,
            allow_free_text,
            ..
        } => {
            if let Some(i) = options
                .iter()
                .position(|o| normalise(&o.label) == norm || normalise(&o.id) == norm)
            {
                return Ok(Intent::Answer(Answer::Option(i)));
            }
            if let Some(n) = number_of(&norm).filter(|n| (1..=options.len()).contains(n)) {
                return Ok(Intent::Answer(Answer::Option(n - 1)));
            }
            if word == Some(Word::Skip) {
                return Ok(Intent::Skip);
            }
            if s.from_model {
                return Ok(Intent::Say(message.trim().to_string()));
            }
            if *allow_free_text {
                return Ok(Intent::Answer(Answer::Text(message.to_string())));
            }
            // One option whose label holds the words ("playful" for "Warm and playful").
            let hits: Vec<usize> = options
                .iter()
                .enumerate()
                .filter(|(_, o)| norm.chars().count() >= 3 && normalise(&o.label).contains(&norm))
                .map(|(i, _)| i)
                .collect();
            match hits[..] {
                [i] => Ok(Intent::Answer(Answer::Option(i))),
                _ => Err(BuilderError::UnexpectedAnswer(format!(
                    "this question takes one of its options: reply with a number from 1 to {} or the option's name",
                    options.len()
                ))),
            }
        }
        BuilderTurn::ShowPreview { .. } => match (word, number_of(&norm)) {
            (Some(Word::Yes), _) | (_, Some(1)) => Ok(Intent::Answer(Answer::Confirm(true))),
            (Some(Word::No), _) | (_, Some(2)) => Ok(Intent::Answer(Answer::Confirm(false))),
            _ if s.from_model => Ok(Intent::Say(message.trim().to_string())),
            _ => Err(BuilderError::UnexpectedAnswer(
                "this is the review: say \"yes\" (1) to confirm, \"no\" (2) to make changes, or \"back\"".into(),
            )),
        },
        BuilderTurn::ReadyToAssemble { .. } => match (word, number_of(&norm)) {
            (Some(Word::Yes), _) | (_, Some(1)) => Ok(Intent::Assemble),
            (Some(Word::No), _) | (_, Some(2)) => Ok(Intent::Answer(Answer::Confirm(false))),
            _ => Err(BuilderError::Finished),
        },
        BuilderTurn::Clarify { .. } => Ok(Intent::Answer(Answer::Text(message.to_string()))),
    }
}

/// A quoted message: the text itself, never a word or a number.
fn literal(s: &Session, text: &str) -> Result<Intent, BuilderError> {
    match &s.turn {
        BuilderTurn::AskQuestion { options, .. } => {
            let norm = normalise(text);
            if let Some(i) = options.iter().position(|o| normalise(&o.label) == norm) {
                return Ok(Intent::Answer(Answer::Option(i)));
            }
            Ok(if s.from_model {
                Intent::Say(text.trim().to_string())
            } else {
                Intent::Answer(Answer::Text(text.to_string()))
            })
        }
        BuilderTurn::Clarify { .. } => Ok(Intent::Answer(Answer::Text(text.to_string()))),
        BuilderTurn::ReadyToAssemble { .. } => Err(BuilderError::Finished),
        BuilderTurn::ShowPreview { .. } if s.from_model => Ok(Intent::Say(text.trim().to_string())),
        BuilderTurn::ShowPreview { .. } => Err(BuilderError::UnexpectedAnswer(
            "this is the review: say \"yes\" to confirm or \"no\" to make changes".into(),
        )),
    }
}

/// The numbered options of the pending turn: a question's options, the review's and the ready
/// turn's two choices.
pub fn options(s: &Session) -> Vec<ChatOption> {
    let two = |yes: &str, no: &str| {
        vec![
            ChatOption {
                index: 1,
                label: yes.into(),
                description: None,
            },
            ChatOption {
                index: 2,
                label: no.into(),
                description: None,
            },
        ]
    };
    match &s.turn {
        BuilderTurn::AskQuestion { options, .. } => options
            .iter()
            .enumerate()
            .map(|(i, o)| ChatOption {
                index: i + 1,
                label: o.label.clone(),
                description: o.description.clone(),
            })
            .collect(),
        BuilderTurn::ShowPreview { .. } => two("Looks good", "Make changes"),
        BuilderTurn::ReadyToAssemble { .. } => two("Assemble", "Make changes"),
        BuilderTurn::Clarify { .. } => Vec::new(),
    }
}

fn what(mode: Mode) -> &'static str {
    match mode {
        Mode::Bot => "bot",
        Mode::Skill => "skill",
        Mode::OpenclawWorkspace => "workspace",
    }
}

/// The pending turn written for a person (Markdown), its options numbered.
pub fn reply(s: &Session) -> String {
    let mut out = String::new();
    let numbered = |out: &mut String| {
        for o in options(s) {
            out.push_str(&format!("{}. **{}**", o.index, o.label));
            if let Some(d) = o.description.as_deref().filter(|d| !d.is_empty()) {
                out.push_str(&format!(" — {d}"));
            }
            out.push('\n');
        }
    };
    match &s.turn {
        BuilderTurn::AskQuestion {
            phase,
            question,
            allow_free_text,
            phase_label,
            ..
        } => {
            out.push_str(&format!(
                "*{} · {}*\n\n**{}**\n\n",
                phase.short_label(),
                phase_label.as_deref().unwrap_or(phase.label()),
                question.trim()
            ));
            numbered(&mut out);
            if !options(s).is_empty() {
                out.push('\n');
            }
            out.push_str(if *allow_free_text {
                "Reply with a number, or in your own words."
            } else {
                "Reply with a number or the option's name."
            });
            if s.can_go_back() {
                out.push_str(" You can also say *back*, *skip*, *preview* or *start over*.");
            } else {
                out.push_str(" You can also say *skip*, *preview* or *start over*.");
            }
        }
        BuilderTurn::ShowPreview { .. } => {
            out.push_str("*Review*\n\n");
            out.push_str(&summary(s));
            out.push_str("\nDoes this look right?\n\n");
            numbered(&mut out);
        }
        BuilderTurn::ReadyToAssemble { config, .. } => {
            out.push_str(&format!(
                "**{}** is ready. Say *assemble* to write the {}'s files, or *no* to make changes.\n\n",
                config.name,
                what(s.mode)
            ));
            numbered(&mut out);
        }
        BuilderTurn::Clarify { message } => out.push_str(message.trim()),
    }
    out.trim_end().to_string()
}

/// The session's configuration so far, one line per field (unanswered ones as the builder
/// would fill them).
pub fn summary(s: &Session) -> String {
    let BuilderTurn::ShowPreview { preview, .. } = preview_turn(s) else {
        return String::new();
    };
    let mut out = String::new();
    let mut line = |label: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            out.push_str(&format!("- **{label}:** {}\n", v.trim()));
        }
    };
    line("Name", preview.name);
    line("Description", preview.description);
    let (details, list) = match s.mode {
        Mode::Skill => ("Kind", "Capabilities"),
        _ => ("Personality", "Skills"),
    };
    line(details, preview.personality_summary);
    line("Model", preview.model);
    if !preview.skills.is_empty() {
        line(list, Some(preview.skills.join(", ")));
    }
    out
}

/// The reply to "preview": the configuration so far (in skill mode the SKILL.md it would write),
/// then the pending turn again.
pub fn preview_reply(s: &Session) -> String {
    let mut out = format!("Here is the {} so far:\n\n{}", what(s.mode), summary(s));
    if s.mode == Mode::Skill {
        if let Ok(skill) = s.full_skill() {
            out.push_str(&format!(
                "\n```markdown\n{}\n```\n",
                crate::render_skill(&skill).trim_end()
            ));
        }
    }
    out.push_str("\n---\n\n");
    out.push_str(&reply(s));
    out
}

/// How a person would have said a wizard answer to the pending turn of `s`, for the transcript.
pub fn said(s: &Session, a: &Answer) -> String {
    match a {
        Answer::Option(i) => match &s.turn {
            BuilderTurn::AskQuestion { options, .. } => options
                .get(*i)
                .map(|o| o.label.clone())
                .unwrap_or_else(|| format!("{}", i + 1)),
            _ => format!("{}", i + 1),
        },
        Answer::Text(t) => t.trim().to_string(),
        Answer::Confirm(true) => "Yes".into(),
        Answer::Confirm(false) => "No, I'd like to make changes".into(),
        Answer::Back => "back".into(),
    }
}

/// Adds the user's words (when there are any) and the builder's reply for `next` to its
/// transcript, continuing `before`.
pub fn note_turn(before: &[ChatMessage], user: Option<&str>, next: &mut Session, reply: String) {
    let at = next.updated_at.clone();
    let mut t = before.to_vec();
    if let Some(u) = user.map(str::trim).filter(|u| !u.is_empty()) {
        t.push(ChatMessage {
            role: Role::User,
            text: u.to_string(),
            at: at.clone(),
            turn: None,
        });
    }
    t.push(ChatMessage {
        role: Role::Forge,
        text: reply,
        at,
        turn: Some(next.turn.clone()),
    });
    next.transcript = t;
}

/// How many transcript messages the model gets: the whole conversation of any real session,
/// bounded so a pathological one cannot make the request unbounded.
pub const MAX_HISTORY: usize = 200;

/// The transcript as the model's conversation: user messages as they were, the builder's as the
/// turn JSON it replied with; starting with a user message, roles alternating (runs merged).
pub fn history(t: &[ChatMessage]) -> Vec<forge_llm::Message> {
    let from = t.len().saturating_sub(MAX_HISTORY);
    let mut out: Vec<forge_llm::Message> = Vec::new();
    for m in &t[from..] {
        let (role, content) = match m.role {
            Role::User => (forge_llm::Role::User, m.text.clone()),
            Role::Forge => (
                forge_llm::Role::Assistant,
                m.turn
                    .as_ref()
                    .and_then(|t| serde_json::to_string(t).ok())
                    .unwrap_or_else(|| m.text.clone()),
            ),
        };
        if out.is_empty() && role != forge_llm::Role::User {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.role == role => {
                last.content.push_str("\n\n");
                last.content.push_str(&content);
            }
            _ => out.push(forge_llm::Message { role, content }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{start, BuilderContext};

    fn ctx() -> BuilderContext {
        BuilderContext::fixed()
    }

    fn at(s: Session, question: &str) -> Session {
        let mut s = s;
        for _ in 0..30 {
            if s.pending.question_id.as_deref() == Some(question) {
                return s;
            }
            s = crate::answer(&s, Answer::Option(0), &ctx()).unwrap();
        }
        panic!("never asked {question}");
    }

    #[test]
    fn numbers_labels_words_and_text() {
        let s = start(Mode::Bot, "helps me write poems", &ctx());
        assert_eq!(
            interpret(&s, "2").unwrap(),
            Intent::Answer(Answer::Option(1))
        );
        assert_eq!(
            interpret(&s, "option 1.").unwrap(),
            Intent::Answer(Answer::Option(0))
        );
        assert_eq!(
            interpret(&s, "Luna the poet").unwrap(),
            Intent::Answer(Answer::Text("Luna the poet".into()))
        );
        assert_eq!(interpret(&s, "Start over!").unwrap(), Intent::StartOver);
        assert_eq!(interpret(&s, " preview ").unwrap(), Intent::Preview);
        assert_eq!(
            interpret(&s, "go back").unwrap(),
            Intent::Answer(Answer::Back)
        );
        assert_eq!(interpret(&s, "skip").unwrap(), Intent::Skip);
        assert_eq!(
            interpret(&s, "\"Preview\"").unwrap(),
            Intent::Answer(Answer::Text("Preview".into()))
        );
        assert_eq!(interpret(&s, "  "), Err(BuilderError::EmptyAnswer));
        // A number past the options is free text where the question takes it.
        assert_eq!(
            interpret(&s, "99").unwrap(),
            Intent::Answer(Answer::Text("99".into()))
        );
        let label = match &s.turn {
            BuilderTurn::AskQuestion { options, .. } => options[2].label.clone(),
            _ => unreachable!(),
        };
        assert_eq!(
            interpret(&s, &label.to_uppercase()).unwrap(),
            Intent::Answer(Answer::Option(2))
        );
    }

    #[test]
    fn an_options_only_question_takes_a_label_part_or_says_what_fits() {
        let s = at(start(Mode::Bot, "helps me write poems", &ctx()), "category");
        let (labels, free) = match &s.turn {
            BuilderTurn::AskQuestion {
                options,
                allow_free_text,
                ..
            } => (
                options.iter().map(|o| o.label.clone()).collect::<Vec<_>>(),
                *allow_free_text,
            ),
            _ => unreachable!(),
        };
        assert!(!free);
        let e = interpret(&s, "a purple elephant").unwrap_err().to_string();
        assert!(e.contains(&format!("from 1 to {}", labels.len())), "{e}");
        assert!(interpret(&s, "99").is_err());
        let i = labels.len() - 1;
        let word = labels[i].split_whitespace().last().unwrap().to_string();
        if labels
            .iter()
            .filter(|l| l.to_lowercase().contains(&word.to_lowercase()))
            .count()
            == 1
        {
            assert_eq!(
                interpret(&s, &word).unwrap(),
                Intent::Answer(Answer::Option(i))
            );
        }
    }

    #[test]
    fn review_and_ready_take_yes_no_and_assemble() {
        let mut s = start(Mode::Skill, "Fetch a web page and summarize it", &ctx());
        while !matches!(s.turn, BuilderTurn::ShowPreview { .. }) {
            s = crate::answer(&s, Answer::Option(0), &ctx()).unwrap();
        }
        assert_eq!(
            interpret(&s, "Looks good!").unwrap(),
            Intent::Answer(Answer::Confirm(true))
        );
        assert_eq!(
            interpret(&s, "2").unwrap(),
            Intent::Answer(Answer::Confirm(false))
        );
        assert_eq!(interpret(&s, "assemble").unwrap(), Intent::Assemble);
        assert!(interpret(&s, "purple").is_err());
        assert!(reply(&s).contains("1. **Looks good**"));
        let ready = crate::answer(&s, Answer::Confirm(true), &ctx()).unwrap();
        assert_eq!(interpret(&ready, "yes").unwrap(), Intent::Assemble);
        assert_eq!(interpret(&ready, "1").unwrap(), Intent::Assemble);
        assert_eq!(interpret(&ready, "more"), Err(BuilderError::Finished));
        assert!(preview_reply(&ready).contains("```markdown\n---\nname: "));
    }

    #[test]
    fn a_model_question_gets_the_words() {
        let mut s = start(Mode::Bot, "poems", &ctx());
        s.from_model = true;
        assert_eq!(
            interpret(&s, "Call it Muse, warm and a bit playful").unwrap(),
            Intent::Say("Call it Muse, warm and a bit playful".into())
        );
        assert_eq!(
            interpret(&s, "1").unwrap(),
            Intent::Answer(Answer::Option(0))
        );
    }

    #[test]
    fn the_reply_numbers_options_for_a_person() {
        let s = start(Mode::Bot, "helps me write poems", &ctx());
        let r = reply(&s);
        assert!(
            r.starts_with(
                "*Basics · Setting up basics...*\n\n**What should your bot be called?**\n\n1. **"
            ),
            "{r}"
        );
        assert!(r.contains("\n2. **"), "{r}");
        assert!(
            r.ends_with("You can also say *skip*, *preview* or *start over*."),
            "{r}"
        );
        assert_eq!(options(&s)[0].index, 1);
    }

    #[test]
    fn history_starts_with_the_user_and_alternates() {
        let s = start(Mode::Bot, "poems", &ctx());
        let mut n = s.clone();
        note_turn(&[], None, &mut n, "first".into());
        let mut m = n.clone();
        note_turn(&n.transcript, Some("Muse"), &mut m, "second".into());
        let h = history(&m.transcript);
        assert_eq!(h.len(), 2, "the leading builder message is dropped");
        assert_eq!(h[0], forge_llm::Message::user("Muse"));
        assert!(h[1].content.starts_with("{\"action\":\"ask_question\""));
    }
}
