//! The provider's own list of models, so completion and the builder offer what the user's key can
//! actually use instead of a table that goes stale within months.
//!
//! Wire formats, as documented:
//! - Anthropic `GET /v1/models` (<https://platform.claude.com/docs/en/api/models-list>): headers
//!   `x-api-key` and `anthropic-version`; query `limit` (1 to 1000, default 20) and `after_id`;
//!   the reply is `{data: [{type: "model", id, display_name, created_at}], has_more, first_id,
//!   last_id}`, the most recently released first, and `last_id` is the `after_id` of the next page.
//! - OpenAI-compatible `GET {baseUrl}/v1/models`
//!   (<https://developers.openai.com/api/reference/resources/models/methods/list>; Ollama serves it
//!   too, <https://github.com/ollama/ollama/blob/main/docs/openai.md>, as do llama.cpp's and vLLM's
//!   servers): `Authorization: Bearer` when a key is set; the reply is `{object: "list", data:
//!   [{id, object: "model", created, owned_by}]}` in one page.
//!
//! The list is kept per workspace in a small JSON file ([`ModelCache`]) so a restart does not ask
//! again, and refreshed once it is older than [`CACHE_TTL`].

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, AUTHORIZATION};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::anthropic::auth_headers;
use super::error::{excerpt, LlmError};
use super::transport::{ApiKey, Transport};
use super::{endpoint, LlmSettings, Provider, RetryPolicy};

/// How long a listed model set is trusted before it is asked for again.
pub const CACHE_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// Anthropic's page size limit (documented maximum): most accounts fit in one page.
const ANTHROPIC_PAGE: u32 = 1000;
/// A provider that keeps saying `has_more` must not keep us asking forever.
const MAX_PAGES: usize = 20;

/// One model a provider listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedModel {
    pub id: String,
    /// The provider's name for it (Anthropic's `display_name`); OpenAI-compatible lists have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The models `settings`' provider lists for the key in `settings.api_key_env`, most capable
/// first. One attempt per page: this runs in the background, and the next refresh tries again.
pub async fn list_models(
    settings: &LlmSettings,
    cancel: &CancellationToken,
) -> Result<Vec<ListedModel>, LlmError> {
    let transport = Transport::new(
        settings.timeout_secs,
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
    )?;
    match settings.provider {
        Provider::None => Err(LlmError::NotConfigured),
        Provider::Anthropic => {
            let (key, headers) = auth_headers(settings)?;
            let base = endpoint(&settings.base_url, "models");
            let mut models = Vec::new();
            let mut after: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let url = match &after {
                    Some(id) => format!("{base}?limit={ANTHROPIC_PAGE}&after_id={}", query(id)),
                    None => format!("{base}?limit={ANTHROPIC_PAGE}"),
                };
                let page = transport
                    .get_json(&url, headers.clone(), &key, cancel)
                    .await?;
                let (listed, next) = anthropic_page(&page, key.value())?;
                models.extend(listed);
                match next {
                    // A cursor that does not move would ask for the same page again.
                    Some(next) if after.as_deref() != Some(next.as_str()) => after = Some(next),
                    _ => break,
                }
            }
            Ok(rank_claude(models))
        }
        Provider::OpenAi => {
            let key = ApiKey::from_env(&settings.api_key_env);
            let mut headers = HeaderMap::new();
            if let Some(auth) = key.header("Bearer ")? {
                headers.insert(AUTHORIZATION, auth);
            }
            let url = endpoint(&settings.base_url, "models");
            let reply = transport.get_json(&url, headers, &key, cancel).await?;
            Ok(rank_by_created(openai_list(&reply, key.value())?))
        }
    }
}

/// Percent-encodes a cursor for the query string (model ids are plain, but a proxy's may not be).
fn query(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn not_a_list(reply: &Value, key: Option<&str>) -> LlmError {
    LlmError::InvalidReply {
        reason: "the model list has no `data` array".into(),
        excerpt: excerpt(&reply.to_string(), key),
    }
}

/// One page of Anthropic's list and the `after_id` of the next page, if there is one.
fn anthropic_page(
    page: &Value,
    key: Option<&str>,
) -> Result<(Vec<ListedModel>, Option<String>), LlmError> {
    let data = page
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| not_a_list(page, key))?;
    let models = data
        .iter()
        .filter_map(|m| {
            Some(ListedModel {
                id: m.get("id")?.as_str()?.to_owned(),
                display_name: m
                    .get("display_name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect();
    let more = page.get("has_more").and_then(Value::as_bool) == Some(true);
    let next = page
        .get("last_id")
        .and_then(Value::as_str)
        .filter(|_| more)
        .map(str::to_owned);
    Ok((models, next))
}

/// An OpenAI-compatible list, newest first (`created`), without the models that cannot chat.
fn openai_list(reply: &Value, key: Option<&str>) -> Result<Vec<(ListedModel, i64)>, LlmError> {
    let data = reply
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| not_a_list(reply, key))?;
    Ok(data
        .iter()
        .filter_map(|m| {
            let id = m.get("id")?.as_str()?.to_owned();
            let created = m.get("created").and_then(Value::as_i64).unwrap_or(0);
            Some((
                ListedModel {
                    id,
                    display_name: None,
                },
                created,
            ))
        })
        .filter(|(m, _)| chat_model(&m.id))
        .collect())
}

/// Parts of the ids of OpenAI's models that only embed, transcribe, speak, draw or moderate: an
/// IDENTITY.md `model` must be a chat model, so offering these would only mislead.
const NOT_CHAT: &[&str] = &[
    "embed",
    "whisper",
    "tts",
    "transcribe",
    "dall-e",
    "image",
    "moderation",
    "babbage",
    "davinci",
    "sora",
];

fn chat_model(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    !NOT_CHAT.iter().any(|p| id.contains(p))
}

/// Claude families from the most capable down (Anthropic's models overview,
/// <https://platform.claude.com/docs/en/about-claude/models/overview>: Fable above Opus, Opus above
/// Sonnet, Sonnet above Haiku).
const CLAUDE_TIERS: &[&str] = &["fable", "mythos", "opus", "sonnet", "haiku"];

/// Anthropic lists the newest first; a stable sort by family keeps that order within one.
fn rank_claude(mut models: Vec<ListedModel>) -> Vec<ListedModel> {
    let tier = |id: &str| {
        CLAUDE_TIERS
            .iter()
            .position(|t| id.contains(t))
            .unwrap_or(CLAUDE_TIERS.len())
    };
    models.sort_by_key(|m| tier(&m.id));
    dedup(models)
}

/// Nothing says how capable a local model is; the newest first is the best guess.
fn rank_by_created(mut models: Vec<(ListedModel, i64)>) -> Vec<ListedModel> {
    models.sort_by_key(|(_, created)| std::cmp::Reverse(*created));
    dedup(models.into_iter().map(|(m, _)| m).collect())
}

fn dedup(mut models: Vec<ListedModel>) -> Vec<ListedModel> {
    let mut seen = std::collections::HashSet::new();
    models.retain(|m| seen.insert(m.id.clone()));
    models
}

/// One provider's list as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedModels {
    pub provider: String,
    pub base_url: String,
    /// When it was fetched, in seconds since the Unix epoch.
    pub fetched_at: u64,
    pub models: Vec<ListedModel>,
}

impl CachedModels {
    pub fn new(settings: &LlmSettings, models: Vec<ListedModel>) -> CachedModels {
        CachedModels {
            provider: settings.provider.as_str().to_owned(),
            base_url: settings.base_url.clone(),
            fetched_at: now_secs(),
            models,
        }
    }

    /// Whether it was listed for these settings (the provider and endpoint).
    pub fn is_for(&self, settings: &LlmSettings) -> bool {
        self.provider == settings.provider.as_str() && self.base_url == settings.base_url
    }

    /// How long until it should be asked for again (zero once stale).
    pub fn refresh_in(&self, ttl: Duration) -> Duration {
        let age = Duration::from_secs(now_secs().saturating_sub(self.fetched_at));
        ttl.saturating_sub(age)
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The cache file: every provider's list of one workspace (switching providers keeps the other's).
/// It never holds a key. A file that cannot be read or parsed counts as empty and is rewritten.
#[derive(Debug, Clone)]
pub struct ModelCache {
    pub path: PathBuf,
}

impl ModelCache {
    /// `models.json` in `dir` (the folder of the workspace's drafts database).
    pub fn in_dir(dir: &Path) -> ModelCache {
        ModelCache {
            path: dir.join("models.json"),
        }
    }

    fn all(&self) -> Vec<CachedModels> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The cached list for `settings`, stale or not.
    pub fn read(&self, settings: &LlmSettings) -> Option<CachedModels> {
        self.all().into_iter().find(|c| c.is_for(settings))
    }

    /// Stores `entry`, replacing the list of the same provider and endpoint. Written to a
    /// temporary file and renamed, so a crash or a second server never leaves half a file.
    pub fn write(&self, entry: &CachedModels) -> std::io::Result<()> {
        let mut all = self.all();
        all.retain(|c| !(c.provider == entry.provider && c.base_url == entry.base_url));
        all.push(entry.clone());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        let text = serde_json::to_vec_pretty(&all).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(models: &[ListedModel]) -> Vec<&str> {
        models.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn anthropic_pages_follow_last_id_only_while_has_more() {
        let page = json!({"data": [
            {"type": "model", "id": "claude-sonnet-5-5", "display_name": "Claude Sonnet 5.5", "created_at": "2026-09-28T00:00:00Z"},
            {"type": "model", "id": "claude-opus-5-5", "display_name": "Claude Opus 5.5", "created_at": "2026-09-01T00:00:00Z"}
        ], "has_more": true, "first_id": "claude-sonnet-5-5", "last_id": "claude-opus-5-5"});
        let (models, next) = anthropic_page(&page, None).expect("page");
        assert_eq!(ids(&models), ["claude-sonnet-5-5", "claude-opus-5-5"]);
        assert_eq!(models[0].display_name.as_deref(), Some("Claude Sonnet 5.5"));
        assert_eq!(next.as_deref(), Some("claude-opus-5-5"));
        let last = json!({"data": [], "has_more": false, "first_id": null, "last_id": null});
        assert_eq!(anthropic_page(&last, None).expect("page").1, None);
        assert!(anthropic_page(&json!({"models": []}), None).is_err());
    }

    #[test]
    fn claude_models_rank_by_family_then_recency() {
        let m = |id: &str| ListedModel {
            id: id.into(),
            display_name: None,
        };
        let ranked = rank_claude(vec![
            m("claude-sonnet-5-5"),
            m("claude-haiku-4-5-20251001"),
            m("claude-opus-5-5"),
            m("claude-fable-5"),
            m("claude-opus-4-1-20250805"),
            m("claude-sonnet-5-5"),
        ]);
        assert_eq!(
            ids(&ranked),
            [
                "claude-fable-5",
                "claude-opus-5-5",
                "claude-opus-4-1-20250805",
                "claude-sonnet-5-5",
                "claude-haiku-4-5-20251001"
            ]
        );
    }

    #[test]
    fn openai_lists_drop_non_chat_models_and_put_the_newest_first() {
        let reply = json!({"object": "list", "data": [
            {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "system"},
            {"id": "text-embedding-3-small", "object": "model", "created": 1705948997, "owned_by": "system"},
            {"id": "whisper-1", "object": "model", "created": 1677532384, "owned_by": "openai-internal"},
            {"id": "gpt-5", "object": "model", "created": 1754425777, "owned_by": "system"},
            {"id": "llama3.2:latest", "object": "model", "owned_by": "library"}
        ]});
        let ranked = rank_by_created(openai_list(&reply, None).expect("list"));
        assert_eq!(ids(&ranked), ["gpt-5", "gpt-4o", "llama3.2:latest"]);
        assert!(openai_list(&json!({"object": "list"}), None).is_err());
    }

    #[test]
    fn cursors_are_query_safe() {
        assert_eq!(query("claude-opus-5-5"), "claude-opus-5-5");
        assert_eq!(query("a b&c"), "a%20b%26c");
    }

    #[test]
    fn the_cache_keeps_one_list_per_provider_and_endpoint() {
        let dir = std::env::temp_dir().join(format!("forge-llm-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = ModelCache::in_dir(&dir.join(".forge"));
        let anthropic = LlmSettings::for_provider(Provider::Anthropic);
        let mut local = LlmSettings::for_provider(Provider::OpenAi);
        local.base_url = "http://127.0.0.1:11434".into();
        assert_eq!(cache.read(&anthropic), None);
        let listed = vec![ListedModel {
            id: "claude-opus-5-5".into(),
            display_name: Some("Claude Opus 5.5".into()),
        }];
        cache
            .write(&CachedModels::new(&anthropic, listed.clone()))
            .expect("write");
        cache
            .write(&CachedModels::new(&local, Vec::new()))
            .expect("write");
        let got = cache.read(&anthropic).expect("cached");
        assert_eq!(got.models, listed);
        assert!(got.refresh_in(CACHE_TTL) > Duration::from_secs(11 * 60 * 60));
        assert_eq!(cache.read(&local).expect("cached").models, Vec::new());
        // A list older than the time to live is due now.
        let old = CachedModels {
            fetched_at: 0,
            ..got
        };
        assert_eq!(old.refresh_in(CACHE_TTL), Duration::ZERO);
        // Garbage reads as nothing and is replaced on the next write.
        std::fs::write(&cache.path, "{not json").expect("garbage");
        assert_eq!(cache.read(&anthropic), None);
        cache.write(&old).expect("write over garbage");
        assert_eq!(cache.read(&anthropic).map(|c| c.fetched_at), Some(0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
