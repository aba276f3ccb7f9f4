//! The configured LLM provider's model list, for completion of IDENTITY.md `model`,
//! `identity-model-unknown` and the builder's model question. A background task per settings
//! reads the workspace's cache file at once, asks the provider when the list is older than
//! [`CACHE_TTL`], and hands each list to the state task as a message: the state task never waits
//! on HTTP. A fault (no key, 401, timeout, garbage) leaves what was there (the cached list, else
//! the built-in table) and says so in one log line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use forge_analysis::schema::{ListedModel, ProviderModels};
use forge_analysis::FileKind;
use forge_llm::models::{list_models, CachedModels, ModelCache, CACHE_TTL};
use forge_llm::{LlmSettings, Provider};

use super::shared::{Msg, Snapshot};
use super::workspace::Workspace;

/// After a failed listing, how long until the next try (a key exported later, a server started).
const RETRY: Duration = Duration::from_secs(15 * 60);

/// What the listing depends on: the provider settings and where the cache lives.
type Wanted = (LlmSettings, Option<PathBuf>);

pub struct ModelWatch {
    tx: mpsc::UnboundedSender<Msg>,
    wanted: Option<Wanted>,
    /// Lists from an older set of settings are dropped.
    generation: u64,
    stop: Option<CancellationToken>,
}

impl Drop for ModelWatch {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.cancel();
        }
    }
}

impl ModelWatch {
    pub fn new(tx: mpsc::UnboundedSender<Msg>) -> ModelWatch {
        ModelWatch {
            tx,
            wanted: None,
            generation: 0,
            stop: None,
        }
    }

    /// Takes the lists; gives back the other messages.
    pub fn apply(&mut self, world: &mut Snapshot, ws: &mut Workspace, msg: Msg) -> Option<Msg> {
        match msg {
            Msg::Models { generation, list } => {
                if generation == self.generation && world.models != list {
                    world.models = list;
                    ws.refresh_kind(world, FileKind::Identity);
                }
                None
            }
            other => Some(other),
        }
    }

    /// After each batch: (re)starts the listing when the settings or folders it depends on
    /// changed; a cheap comparison otherwise.
    pub fn start_jobs(&mut self, world: &mut Snapshot, ws: &mut Workspace) {
        let llm = &world.settings.llm;
        let wanted = (llm.provider != Provider::None).then(|| {
            let dir = forge_builder::service::drafts_path(&world.folders, &world.settings)
                .ok()
                .and_then(|p| p.parent().map(PathBuf::from));
            (llm.clone(), dir)
        });
        if wanted == self.wanted {
            return;
        }
        if let Some(stop) = self.stop.take() {
            stop.cancel();
        }
        self.generation += 1;
        self.wanted = wanted.clone();
        if world.models.take().is_some() {
            ws.refresh_kind(world, FileKind::Identity);
        }
        let Some((settings, dir)) = wanted else {
            return;
        };
        let stop = CancellationToken::new();
        self.stop = Some(stop.clone());
        tokio::spawn(refresh(
            self.tx.clone(),
            self.generation,
            settings,
            dir.map(|d| ModelCache::in_dir(&d)),
            stop,
        ));
    }
}

/// The list as analysis takes it.
fn plain(settings: &LlmSettings, models: &[forge_llm::models::ListedModel]) -> ProviderModels {
    let (family, default_source) = match settings.provider {
        Provider::Anthropic => ("anthropic", "Anthropic's API"),
        _ => ("openai_compatible", "OpenAI's API"),
    };
    let source = if settings.base_url == settings.provider.default_base_url() {
        default_source.to_owned()
    } else {
        settings.base_url.clone()
    };
    ProviderModels {
        family,
        source,
        models: models
            .iter()
            .map(|m| ListedModel {
                id: m.id.clone(),
                display_name: m.display_name.clone(),
            })
            .collect(),
    }
}

async fn refresh(
    tx: mpsc::UnboundedSender<Msg>,
    generation: u64,
    settings: LlmSettings,
    cache: Option<ModelCache>,
    stop: CancellationToken,
) {
    let send = |models: &[forge_llm::models::ListedModel]| {
        let list = (!models.is_empty()).then(|| Arc::new(plain(&settings, models)));
        let _ = tx.send(Msg::Models { generation, list });
    };
    // The cached list first, even a stale one: it is likelier right than the built-in table.
    let cached = match cache.clone() {
        Some(c) => {
            let settings = settings.clone();
            tokio::task::spawn_blocking(move || c.read(&settings))
                .await
                .ok()
                .flatten()
        }
        None => None,
    };
    let mut wait = Duration::ZERO;
    let mut have_list = false;
    if let Some(c) = &cached {
        send(&c.models);
        wait = c.refresh_in(CACHE_TTL);
        have_list = !c.models.is_empty();
    }
    let mut warned = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        match list_models(&settings, &stop).await {
            Ok(models) => {
                tracing::debug!(
                    "{} lists {} models",
                    settings.provider.as_str(),
                    models.len()
                );
                send(&models);
                let models_empty = models.is_empty();
                if let Some(c) = cache.clone() {
                    let entry = CachedModels::new(&settings, models);
                    let written = tokio::task::spawn_blocking(move || c.write(&entry)).await;
                    if let Ok(Err(e)) = written {
                        tracing::warn!("could not keep the model list in the cache: {e}");
                    }
                }
                have_list = !models_empty;
                wait = CACHE_TTL;
                warned = false;
            }
            Err(e) if e.is_cancelled() => return,
            Err(e) => {
                let what = if have_list {
                    "the last list stays"
                } else {
                    "the built-in model table stays"
                };
                // One line per run of failures, not one every retry.
                if warned {
                    tracing::debug!("listing the models failed again: {e}");
                } else {
                    tracing::warn!(
                        "listing the models of {} failed, {what}: {e}",
                        settings.provider.as_str()
                    );
                }
                warned = true;
                wait = RETRY;
            }
        }
    }
}
