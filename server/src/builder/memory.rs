//! Builder memory (§7.10): what a finished session contributes, so later sessions can suggest it.

use super::engine::Session;
use super::flow::MemoryEntry;
use super::types::BuilderConfig;

/// The memory row Boternity records after a successful assembly: category, initial description,
/// chosen tone, model and skills, and the bot's slug.
pub fn entry_for(
    session: &Session,
    config: &BuilderConfig,
    bot_slug: Option<&str>,
    now: &str,
) -> MemoryEntry {
    MemoryEntry {
        purpose_category: session.purpose_category.clone(),
        initial_description: session.description.clone(),
        chosen_tone: Some(config.personality.tone.clone()).filter(|t| !t.is_empty()),
        chosen_model: Some(config.model_config.model.clone()).filter(|m| !m.is_empty()),
        chosen_skills: config.skills.iter().map(|s| s.name.clone()).collect(),
        bot_slug: bot_slug.map(str::to_string),
        created_at: now.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::{start, BuilderContext, Mode, PurposeCategory};

    #[test]
    fn entry_carries_the_choices() {
        let s = start(Mode::Bot, "debug code", &BuilderContext::default());
        let cfg = crate::builder::render::tests::sample();
        let e = entry_for(&s, &cfg, Some("quill"), "2026-01-01T00:00:00Z");
        assert_eq!(e.purpose_category, Some(PurposeCategory::Coding));
        assert_eq!(e.chosen_tone.as_deref(), Some("calm and encouraging"));
        assert_eq!(e.chosen_skills, vec!["essay-check".to_string()]);
        assert_eq!(e.bot_slug.as_deref(), Some("quill"));
    }
}
