//! The builder: wire types, the question flows as data tables, a pure session engine, file
//! rendering, in-place reconfigure updates, slugs, builder memory, the turn sources (offline engine
//! or model, `agent`) and `service`, the one boundary every surface (LSP commands, code actions,
//! chat) calls. Persistence is `forge_store::drafts`; nothing here knows LSP.

pub mod agent;
pub mod answer;
pub mod chat;
pub mod commands;
pub mod defaults;
pub mod drafts;
pub mod engine;
pub mod flow;
pub mod install;
pub mod memory;
pub mod offers;
pub mod openclaw;
pub mod reconfigure;
pub mod render;
pub mod service;
pub mod settings;
pub mod slug;
pub mod spot;
pub mod types;
mod yaml;

pub use answer::Answer;
pub use defaults::classify_purpose;
pub use engine::{
    answer, answer_question, back, offline_turn, start, start_reconfigure, Pending, RecordedAnswer,
    Session,
};
pub use flow::skill_from_description;
pub use flow::{
    BuilderContext, Choice, Field, FieldValue, FileTarget, MemoryEntry, QuestionSpec,
    WorkspaceSkill, QUESTIONS,
};
pub use memory::entry_for as memory_entry;
pub use reconfigure::{
    attach_skill, attach_skill_named, load_bot, update_bot_files, write_answer, BotChanges,
    BotTexts, LoadedBot,
};
pub use render::{render_bot, render_bot_except, render_skill, BotFiles};
pub use slug::{slugify, unique_slug};
pub use types::*;

use serde::{Deserialize, Serialize};

/// What a session builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Bot,
    Skill,
    /// OpenClaw's first-run ritual over a workspace's IDENTITY.md, USER.md and SOUL.md.
    #[serde(rename = "openclaw-workspace")]
    OpenclawWorkspace,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Bot => "bot",
            Mode::Skill => "skill",
            Mode::OpenclawWorkspace => "openclaw-workspace",
        }
    }

    /// The mode `forge.builder.start` names (its `mode` argument).
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Bot, Mode::Skill, Mode::OpenclawWorkspace]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Every way a builder call can fail. The session passed in is never modified on error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuilderError {
    #[error("invalid answer: {0}")]
    BadAnswer(String),
    #[error("option {index} is out of range: this question has {count} options (0-based)")]
    OptionOutOfRange { index: usize, count: usize },
    #[error("this question does not accept free text; pick one of the options")]
    FreeTextNotAllowed,
    #[error("cannot go back from the first phase")]
    CannotGoBack,
    #[error("the session is ready to assemble: assemble it, or go back to make changes")]
    Finished,
    #[error("{0}")]
    UnexpectedAnswer(String),
    #[error("answer too long: {len} exceeds the limit of {max}")]
    TooLong { max: usize, len: usize },
    #[error("the answer is empty")]
    EmptyAnswer,
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error("invalid name: {0}")]
    InvalidName(String),
    #[error("{0}")]
    SlugConflict(String),
    #[error("unknown question '{0}'")]
    UnknownQuestion(String),
    #[error("incomplete configuration: {0}")]
    Incomplete(String),
    #[error("cannot update {file}: {message}")]
    Update { file: &'static str, message: String },
}

pub use forge_store::time::now_rfc3339;
