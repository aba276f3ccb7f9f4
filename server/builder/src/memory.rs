//! Builder memory (§7.10): what a finished session contributes, so later sessions can suggest it.

use super::engine::Session;
use super::flow::MemoryEntry;
use super::types::{BuilderConfig, PurposeCategory};
use forge_store::drafts::{Draft, DraftError, DraftStore, MemoryRow};

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

impl MemoryEntry {
    /// The `builder_memory` row this entry is stored as.
    pub fn to_row(&self) -> MemoryRow {
        MemoryRow {
            purpose_category: self
                .purpose_category
                .as_ref()
                .map(PurposeCategory::memory_key)
                .unwrap_or_default(),
            initial_description: self.initial_description.clone(),
            chosen_tone: self.chosen_tone.clone(),
            chosen_model: self.chosen_model.clone(),
            chosen_skills: self.chosen_skills.clone(),
            bot_slug: self.bot_slug.clone(),
            created_at: self.created_at.clone(),
        }
    }

    /// An entry read back; a category another writer stored in a form we do not know is `None`.
    pub fn from_row(row: MemoryRow) -> MemoryEntry {
        MemoryEntry {
            purpose_category: serde_json::from_str(&row.purpose_category).ok(),
            initial_description: row.initial_description,
            chosen_tone: row.chosen_tone,
            chosen_model: row.chosen_model,
            chosen_skills: row.chosen_skills,
            bot_slug: row.bot_slug,
            created_at: row.created_at,
        }
    }
}

/// A session is a draft: the store lists it by these columns and keeps its JSON.
impl Draft for Session {
    fn session_id(&self) -> &str {
        &self.session_id
    }
    fn mode(&self) -> &str {
        self.mode.as_str()
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn phase(&self) -> &str {
        self.phase.as_str()
    }
    fn stamps(&mut self) -> (&mut String, &mut String) {
        (&mut self.created_at, &mut self.updated_at)
    }
}

/// Up to `limit` memories of `category`, newest first.
pub fn recall(
    store: &DraftStore,
    category: &PurposeCategory,
    limit: usize,
) -> Result<Vec<MemoryEntry>, DraftError> {
    Ok(store
        .recall_memory(&category.memory_key(), limit)?
        .into_iter()
        .map(MemoryEntry::from_row)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{start, BuilderContext, Mode};

    #[test]
    fn entry_carries_the_choices() {
        let s = start(Mode::Bot, "debug code", &BuilderContext::default());
        let cfg = crate::render::tests::sample();
        let e = entry_for(&s, &cfg, Some("quill"), "2026-01-01T00:00:00Z");
        assert_eq!(e.purpose_category, Some(PurposeCategory::Coding));
        assert_eq!(e.chosen_tone.as_deref(), Some("calm and encouraging"));
        assert_eq!(e.chosen_skills, vec!["essay-check".to_string()]);
        assert_eq!(e.bot_slug.as_deref(), Some("quill"));
    }
}
