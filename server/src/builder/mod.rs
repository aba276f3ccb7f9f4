//! The offline builder ("Forge" without an LLM): wire types, the question flow as a data table, a pure
//! session engine, file rendering, in-place reconfigure updates, slugs and builder memory.
//!
//! Everything here is synchronous and side-effect free; persistence lives in [`crate::drafts`] and the
//! LSP wiring in the server modules.

pub mod answer;
pub mod defaults;
pub mod engine;
pub mod flow;
pub mod memory;
pub mod reconfigure;
pub mod render;
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
    BuilderContext, Choice, Field, FieldValue, FileTarget, MemoryEntry, OptionSource, QuestionSpec,
    WorkspaceSkill, QUESTIONS,
};
pub use memory::entry_for as memory_entry;
pub use reconfigure::{
    attach_skill, load_bot, update_bot_files, write_answer, BotChanges, BotTexts, LoadedBot,
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
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Bot => "bot",
            Mode::Skill => "skill",
        }
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

/// Current UTC time as RFC 3339 with microseconds (`2026-02-15T09:30:00.000000Z`): fixed width, so
/// timestamps sort as strings.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_unix_micros(now.as_secs() as i64, now.subsec_micros())
}

fn format_unix_micros(secs: i64, micros: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(format_unix_micros(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_unix_micros(1_771_147_800, 42),
            "2026-02-15T09:30:00.000042Z"
        );
        assert_eq!(
            format_unix_micros(951_782_400, 0),
            "2000-02-29T00:00:00.000000Z"
        );
        assert!(now_rfc3339().starts_with("20"));
    }
}
