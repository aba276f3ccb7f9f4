//! `forge.bot.preview`: the system prompt a runtime assembles from a bot's files
//! (`forge_analysis::preview`), with token counts, and the lens that shows its size. Counting runs
//! on the blocking pool, never in the state task; exact Anthropic counts come from Anthropic's
//! token counter, cached by content hash and debounced per bot, and any fault falls back to the
//! offline estimate.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{CodeLens, Command, Range, Uri};

use super::shared::Snapshot;
use forge_analysis::preview::{self, Counted, Kind, Request, Target};
use forge_analysis::tokens;
use forge_llm::{AnthropicClient, LlmSettings, Provider, RetryPolicy};

pub const COMMANDS: &[&str] = &["forge.bot.preview"];

/// How long a bot's files must rest before a count is sent to Anthropic.
const DEBOUNCE: Duration = Duration::from_millis(400);
/// The longest a preview waits for Anthropic's counter before showing the estimate.
const COUNT_TIMEOUT_SECS: u64 = 5;

/// Exact counts already known, and the newest request per bot (for the debounce).
#[derive(Default)]
pub struct PreviewState {
    counts: Mutex<HashMap<(String, [u8; 32]), u64>>,
    latest: Mutex<HashMap<PathBuf, u64>>,
    /// The last fault logged: the same one again is not logged again.
    fault: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid_params(msg.into())
}

fn hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The model Anthropic should count for, when exact counts can be had: the provider is Anthropic,
/// its key is set, and the offline count is only an estimate.
fn anthropic_model(llm: &LlmSettings, c: &Counted) -> Option<String> {
    if llm.provider != Provider::Anthropic || c.exact {
        return None;
    }
    std::env::var(&llm.api_key_env)
        .ok()
        .filter(|k| !k.trim().is_empty())?;
    Some(match &c.prompt.model {
        Some(m) if m.starts_with("claude") => m.clone(),
        _ => llm.model.clone(),
    })
}

impl PreviewState {
    /// The exact counts of `texts` when every one (and the baseline) is cached, else `None`.
    fn all_cached(&self, model: &str, texts: &[&str]) -> Option<Vec<usize>> {
        let base = self.cached(model, "")?;
        texts
            .iter()
            .map(|t| {
                self.cached(model, t)
                    .map(|n| n.saturating_sub(base) as usize)
            })
            .collect()
    }

    fn cached(&self, model: &str, text: &str) -> Option<u64> {
        lock(&self.counts)
            .get(&(model.to_string(), hash(text)))
            .copied()
    }

    fn fault(&self, what: String) {
        let mut last = lock(&self.fault);
        if last.as_deref() != Some(what.as_str()) {
            tracing::warn!("Anthropic token count failed, showing the estimate: {what}");
            *last = Some(what);
        }
    }

    /// Exact counts of `texts` (the whole prompt, then its sections) by Anthropic's counter, or
    /// `None` (superseded by a newer request for the same bot, or a fault).
    async fn exact(
        &self,
        llm: &LlmSettings,
        model: &str,
        key: &Path,
        texts: &[&str],
    ) -> Option<Vec<usize>> {
        let all_cached = std::iter::once("")
            .chain(texts.iter().copied())
            .all(|t| self.cached(model, t).is_some());
        if !all_cached {
            let generation = {
                let mut latest = lock(&self.latest);
                let g = latest.entry(key.to_path_buf()).or_insert(0);
                *g += 1;
                *g
            };
            tokio::time::sleep(DEBOUNCE).await;
            if lock(&self.latest).get(key) != Some(&generation) {
                return None;
            }
            let settings = LlmSettings {
                timeout_secs: llm.timeout_secs.min(COUNT_TIMEOUT_SECS),
                ..llm.clone()
            };
            let once = RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            };
            let client = match AnthropicClient::new(settings, once) {
                Ok(c) => c,
                Err(e) => {
                    self.fault(e.to_string());
                    return None;
                }
            };
            let cancel = CancellationToken::new();
            let mut missing: Vec<&str> = std::iter::once("")
                .chain(texts.iter().copied())
                .filter(|t| self.cached(model, t).is_none())
                .collect();
            missing.dedup();
            let counts = futures::future::join_all(
                missing
                    .iter()
                    .map(|t| client.count_tokens(model, t, &cancel)),
            )
            .await;
            for (t, n) in missing.iter().zip(counts) {
                match n {
                    Ok(n) => {
                        lock(&self.counts).insert((model.to_string(), hash(t)), n);
                    }
                    Err(e) => {
                        self.fault(e.to_string());
                        return None;
                    }
                }
            }
            *lock(&self.fault) = None;
        }
        self.all_cached(model, texts)
    }
}

/// The prompt of `target` from the snapshot, counted offline (on the blocking pool): fully, or
/// only what the lens shows.
async fn counted(
    snap: &Snapshot,
    target: Target,
    req: Request,
    model: Option<String>,
    lens: bool,
) -> Counted {
    let index = snap.index.clone();
    let done = tokio::task::spawn_blocking(move || {
        let prompt = preview::assemble(&index, &target, &req);
        if lens {
            preview::count_for_lens(prompt)
        } else {
            preview::count(prompt, model.as_deref())
        }
    });
    match done.await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("preview failed: {e}");
            preview::count(
                preview::Prompt {
                    kind: Kind::Skill,
                    text: String::new(),
                    sections: Vec::new(),
                    model: None,
                    files: Vec::new(),
                    notes: vec!["The preview failed; see the server log.".into()],
                },
                None,
            )
        }
    }
}

/// The bot's name in the `boternity.db` of its data directory, which Boternity's prompt uses.
fn db_name(snap: &Snapshot, target: &Target) -> Option<String> {
    let Target::Bot(folder) = target else {
        return None;
    };
    snap.souls
        .bot(&folder.join("SOUL.md"))
        .map(|(_, bot)| bot.name.clone())
}

fn path_of(s: &str) -> Result<PathBuf> {
    if let Ok(uri) = s.parse::<Uri>() {
        if uri.scheme().as_str().eq_ignore_ascii_case("file") {
            return uri
                .to_file_path()
                .map(|p| p.into_owned())
                .ok_or_else(|| invalid(format!("`uri` is not a file URI: {s}")));
        }
    }
    let p = PathBuf::from(s);
    if p.is_absolute() {
        Ok(p)
    } else {
        Err(invalid(format!(
            "`uri` must be a file URI or an absolute path, not `{s}`"
        )))
    }
}

fn uri_string(p: &Path) -> String {
    Uri::from_file_path(p)
        .map(|u| u.to_string())
        .unwrap_or_else(|| p.display().to_string())
}

pub async fn execute(
    cmd: &str,
    arg: &Value,
    snap: &Snapshot,
    shared: &super::shared::Shared,
) -> Result<Value> {
    debug_assert_eq!(cmd, "forge.bot.preview");
    let uri = arg
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("forge.bot.preview needs `uri` (a string)"))?;
    let path = path_of(uri)?;
    let active = match arg.get("active") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("`active` must be a list of skill names"))
            })
            .collect::<Result<Vec<_>>>()?,
        Some(_) => return Err(invalid("`active` must be a list of skill names")),
    };
    let model = match arg.get("model") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => Some(m.clone()),
        Some(_) => return Err(invalid("`model` must be a string")),
    };
    let target = preview::target(&path).ok_or_else(|| {
        invalid(format!(
            "{} is not a file or folder of a bot, an OpenClaw workspace or a skill",
            path.display()
        ))
    })?;
    let key = match &target {
        Target::Bot(p) | Target::Workspace(p) | Target::Skill(p) => p.clone(),
    };
    let req = Request {
        active,
        limits: snap.settings.openclaw_limits,
        name: db_name(snap, &target),
    };
    let mut c = counted(snap, target, req, model, false).await;
    if let Some(model) = anthropic_model(&snap.settings.llm, &c) {
        let texts: Vec<&str> = std::iter::once(c.prompt.text.as_str())
            .chain(
                c.prompt
                    .sections
                    .iter()
                    .map(|s| &c.prompt.text[s.range.clone()]),
            )
            .collect();
        let exact = shared
            .preview
            .exact(&snap.settings.llm, &model, &key, &texts)
            .await;
        if let Some(counts) = exact {
            c.set_exact(format!("Anthropic count_tokens ({model})"), &counts);
        }
    }
    Ok(c.to_json(&uri_string))
}

/// The lens on the first line of IDENTITY.md, SOUL.md, USER.md, skills.toml (the bot's prompt)
/// and SKILL.md (its listing and body). Counts offline, or from the exact counts already cached;
/// it never sends a request.
pub async fn code_lenses(
    snap: &Snapshot,
    shared: &super::shared::Shared,
    uri: &Uri,
) -> Vec<CodeLens> {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return Vec::new();
    };
    let Some(kind) = forge_analysis::FileKind::from_path(&path) else {
        return Vec::new();
    };
    // Before the first scan the index lacks the bot's other files: no lens rather than a wrong one.
    if !preview::previewable(kind) || snap.index.file(&path).is_none() {
        return Vec::new();
    }
    let Some(target) = preview::target(&path) else {
        return Vec::new();
    };
    if matches!(target, Target::Workspace(_)) {
        return Vec::new();
    }
    let req = Request {
        active: Vec::new(),
        limits: snap.settings.openclaw_limits,
        name: db_name(snap, &target),
    };
    let mut c = counted(snap, target, req, None, true).await;
    if let Some(model) = anthropic_model(&snap.settings.llm, &c) {
        let p = &c.prompt;
        let texts: Vec<&str> = std::iter::once(p.text.as_str())
            .chain(p.sections.iter().map(|s| &p.text[s.range.clone()]))
            .collect();
        if let Some(counts) = shared.preview.all_cached(&model, &texts) {
            c.set_exact(format!("Anthropic count_tokens ({model})"), &counts);
        }
    }
    let title = if c.prompt.kind == Kind::Skill {
        let listing = c.section("listing").unwrap_or(0);
        let body = c.section("body").unwrap_or(0);
        format!(
            "{} tokens always loaded · {} when active",
            c.shown(listing),
            tokens::grouped(listing + body)
        )
    } else {
        format!("system prompt {} tokens · preview", c.shown(c.tokens))
    };
    vec![CodeLens {
        range: Range::default(),
        command: Some(Command {
            title,
            command: "forge.bot.preview".into(),
            arguments: Some(vec![json!({ "uri": uri.to_string() })]),
        }),
        data: None,
    }]
}
