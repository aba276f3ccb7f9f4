//! The builder commands' turn steps over the protocol: the turn source chosen from `forge.llm.*`
//! (offline or the model, [`forge_builder::agent`]), `$/progress` while the model is asked, cancellation
//! of the HTTP request with the command, warnings as `window/showMessage`.
//!
//! Each step loads what it needs, asks the turn source with no lock on the drafts database held,
//! and saves only a complete result: a failure or a cancellation leaves the draft as it was.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{MessageActionItem, MessageType, NumberOrString, ProgressToken};

use super::commands::{err, invalid, note_saved, open_texts, reader, store_op, CommandState};
use super::router::Shared;
use super::state::Snapshot;
use forge_builder::agent::skill::{draft_skill, Drafted, SkillDraft};
use forge_builder::agent::{
    bot_problems, AgentContext, AgentError, Model, Offline, Outcome, TurnSource,
};
use forge_builder::service::{self as svc, ServiceError, SkillPlan};
use forge_builder::{self, Answer, Mode, Session};
use forge_llm::{client_from_settings, AttemptInfo, LlmError, RetryPolicy};

/// How long the client may take to accept a `window/workDoneProgress/create`.
pub(super) const PROGRESS_CREATE_TIMEOUT: Duration = Duration::from_secs(5);

/// JSON-RPC error code of a failed model request (the message says what to do).
const MODEL_FAILED: i64 = -32004;

/// Action titles of the "install anyway?" question for a SKILL.md that still has errors.
const INSTALL_ANYWAY: &str = "Install anyway";
const DO_NOT_INSTALL: &str = "Cancel";

/// What one `workspace/executeCommand` brings besides its argument.
pub struct Call {
    /// Cancelled when the client cancels the request (the router drops the handler's future).
    pub cancel: CancellationToken,
    /// The client's `workDoneToken`, if it sent one.
    pub progress_token: Option<ProgressToken>,
}

/// Sends `$/progress` for one model call; ends it (before the command's response) in [`finish`].
struct ProgressTask {
    tx: mpsc::UnboundedSender<String>,
    task: tokio::task::JoinHandle<()>,
}

impl ProgressTask {
    async fn finish(self) {
        drop(self.tx);
        let _ = self.task.await;
    }
}

fn attempt_message(model: &str, a: &AttemptInfo) -> String {
    match &a.reason {
        None => format!("asking {model}…"),
        Some(why) => format!(
            "asking {model} again after {why} (attempt {} of {}, waiting {:.1} s)…",
            a.attempt,
            a.max_attempts,
            a.wait.as_secs_f64()
        ),
    }
}

/// The model agent when `forge.llm.provider` names one, with its progress reporter.
async fn model(
    shared: &Shared,
    snap: &Snapshot,
    call: &Call,
    title: &str,
) -> Result<Option<(Model, Option<ProgressTask>)>> {
    let settings = &snap.settings.llm;
    let client = client_from_settings(settings, RetryPolicy::default())
        .map_err(|e| model_error(&e, "nothing was changed"))?;
    let Some(client) = client else {
        return Ok(None);
    };
    let progress = progress_task(shared, call, title, client.model()).await;
    let tx = progress.as_ref().map(|p| p.tx.clone());
    let name = client.model().to_string();
    // The first attempt starts the report (its `begin` says what is asked); retries are reported.
    let report = move |a: &AttemptInfo| {
        if let Some(tx) = &tx {
            let _ = tx.send(attempt_message(&name, a));
        }
    };
    Ok(Some((
        Model {
            client,
            progress: Box::new(report),
        },
        progress,
    )))
}

/// The progress reporter: it starts (`window/workDoneProgress/create` if needed, then `begin`) with
/// the first attempt, so a step that never calls the model shows no progress at all.
async fn progress_task(
    shared: &Shared,
    call: &Call,
    title: &str,
    model: &str,
) -> Option<ProgressTask> {
    let client = shared.client.get()?.clone();
    let given = call.progress_token.clone();
    if given.is_none() && !shared.commands.supports_work_done_progress() {
        return None;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let title = title.to_string();
    let first = format!("asking {model}…");
    let task = tokio::spawn(async move {
        if rx.recv().await.is_none() {
            return;
        }
        let token = match given {
            Some(t) => t,
            None => {
                let token =
                    NumberOrString::String(format!("forge-ls/llm/{}", uuid::Uuid::new_v4()));
                let create = client.create_work_done_progress(token.clone());
                match tokio::time::timeout(PROGRESS_CREATE_TIMEOUT, create).await {
                    Ok(Ok(())) => token,
                    _ => return,
                }
            }
        };
        let p = client
            .progress(token, title)
            .with_message(first)
            .begin()
            .await;
        while let Some(m) = rx.recv().await {
            p.report(m).await;
        }
        p.finish().await;
    });
    Some(ProgressTask { tx, task })
}

/// The JSON-RPC error for a failed model request (cancelled: the standard cancellation error).
fn model_error(e: &LlmError, consequence: &str) -> Error {
    if e.is_cancelled() {
        return Error::request_cancelled();
    }
    Error {
        code: ErrorCode::ServerError(MODEL_FAILED),
        message: format!("{e}; {consequence}").into(),
        data: None,
    }
}

/// The error of a failed step; a model failure is also shown, since clients often log command
/// errors without showing them.
async fn agent_error(shared: &Shared, e: AgentError) -> Error {
    match e {
        AgentError::Answer(b) => err(ServiceError::Invalid(b.to_string())),
        AgentError::Model(l) if l.is_cancelled() => Error::request_cancelled(),
        AgentError::Model(_) => {
            let error = Error {
                code: ErrorCode::ServerError(MODEL_FAILED),
                message: e.to_string().into(),
                data: None,
            };
            show_error(shared, &error).await;
            error
        }
    }
}

async fn warn(shared: &Shared, warning: Option<String>) {
    if let (Some(client), Some(w)) = (shared.client.get(), warning) {
        client.show_message(MessageType::WARNING, w).await;
    }
}

/// The turn source of the settings and its progress report.
struct Source {
    model: Option<Model>,
    progress: Option<ProgressTask>,
}

impl Source {
    async fn new(shared: &Shared, snap: &Snapshot, call: &Call) -> Result<Source> {
        Ok(match model(shared, snap, call, "Forge").await? {
            Some((m, progress)) => Source {
                model: Some(m),
                progress,
            },
            None => Source {
                model: None,
                progress: None,
            },
        })
    }

    fn get(&self) -> &dyn TurnSource {
        match &self.model {
            Some(m) => m,
            None => &Offline,
        }
    }

    /// Ends the progress report (before the command's response goes out).
    async fn finish(self) {
        drop(self.model);
        if let Some(p) = self.progress {
            p.finish().await;
        }
    }
}

/// Saves the outcome of a first turn. A model failure falls back to the offline first turn with
/// a warning: nothing was saved yet, and the offline flow is always there.
async fn save_first(
    shared: &Shared,
    snap: &Snapshot,
    fresh: Session,
    out: std::result::Result<Outcome, AgentError>,
) -> Result<Session> {
    let out = match out {
        Ok(o) => o,
        Err(AgentError::Model(e)) if !e.is_cancelled() => Outcome {
            session: fresh,
            warning: Some(format!(
                "{e}. forge-ls asks its own questions for this session instead."
            )),
        },
        Err(e) => return Err(agent_error(shared, e).await),
    };
    save(shared, snap, out).await
}

async fn save(shared: &Shared, snap: &Snapshot, out: Outcome) -> Result<Session> {
    let s = out.session;
    let saved = store_op(shared, snap, move |store| Ok(store.save(&s)?)).await?;
    note_saved(shared, &saved);
    warn(shared, out.warning).await;
    Ok(saved)
}

/// `forge.builder.start`.
pub async fn start(
    shared: &Shared,
    snap: &Snapshot,
    call: &Call,
    mode: Mode,
    description: String,
    folder: Option<String>,
) -> Result<Session> {
    let folders = snap.folders.clone();
    let skills = shared.commands.skills.clone();
    let index = snap.index.clone();
    let (fresh, ctx) = store_op(shared, snap, move |store| {
        let ctx = svc::context_with(
            store,
            CommandState::workspace_skills(&skills, &folders, &index),
            &description,
        );
        let mut s = forge_builder::start(mode, &description, &ctx);
        s.target_folder = folder;
        Ok((s, agent_context(ctx, Vec::new())))
    })
    .await?;
    let src = Source::new(shared, snap, call).await?;
    let out = src.get().first_turn(&fresh, &ctx, &call.cancel).await;
    src.finish().await;
    save_first(shared, snap, fresh, out).await
}

fn agent_context(builder: forge_builder::BuilderContext, diagnostics: Vec<String>) -> AgentContext {
    AgentContext {
        builder,
        diagnostics,
    }
}

/// `forge.builder.reconfigure` of the bot in `folder`.
pub async fn reconfigure(
    shared: &Shared,
    snap: &Snapshot,
    call: &Call,
    folder: PathBuf,
) -> Result<Session> {
    let read = reader(open_texts(snap));
    let folders = snap.folders.clone();
    let skills = shared.commands.skills.clone();
    let index = snap.index.clone();
    let profile = snap.settings.profile;
    let (fresh, ctx) = store_op(shared, snap, move |store| {
        let texts = svc::bot_texts(&folder, &read)?;
        let about = texts.soul.clone().unwrap_or_default();
        let ctx = svc::context_with(
            store,
            CommandState::workspace_skills(&skills, &folders, &index),
            &about,
        );
        let draft = svc::reconfigure_draft(&ctx, &folder, &texts)?;
        Ok((
            draft,
            agent_context(ctx, bot_problems(&folder, &texts, profile)),
        ))
    })
    .await?;
    let src = Source::new(shared, snap, call).await?;
    let out = src.get().first_turn(&fresh, &ctx, &call.cancel).await;
    src.finish().await;
    save_first(shared, snap, fresh, out).await
}

/// `forge.builder.answer`: the caller holds the session's lock.
pub async fn answer(
    shared: &Shared,
    snap: &Snapshot,
    call: &Call,
    id: String,
    answer: &serde_json::Value,
) -> Result<Session> {
    let ans = Answer::from_json(answer).map_err(|e| invalid(e.to_string()))?;
    let read = reader(open_texts(snap));
    let folders = snap.folders.clone();
    let skills = shared.commands.skills.clone();
    let index = snap.index.clone();
    let profile = snap.settings.profile;
    let (current, ctx) = store_op(shared, snap, move |store| {
        let current = svc::load_session(store, &id)?;
        let ctx = svc::context_with(
            store,
            CommandState::workspace_skills(&skills, &folders, &index),
            &current.description,
        );
        let problems = match &current.bound_folder {
            Some(f) => {
                let f = PathBuf::from(f);
                svc::bot_texts(&f, &read)
                    .map(|t| bot_problems(&f, &t, profile))
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        Ok((current, agent_context(ctx, problems)))
    })
    .await?;
    let src = Source::new(shared, snap, call).await?;
    let out = src.get().answer(&current, ans, &ctx, &call.cancel).await;
    src.finish().await;
    match out {
        Ok(o) => save(shared, snap, o).await,
        Err(e) => Err(agent_error(shared, e).await),
    }
}

/// `forge.skill.create` with a provider: the model writes the SKILL.md of `plan`. A draft that
/// still has errors after the repair round is installed only when confirmed: by `confirm: true`
/// in the argument, else by the user's answer to a `window/showMessageRequest`.
pub async fn draft(
    shared: &Shared,
    snap: &Snapshot,
    call: &Call,
    plan: SkillPlan,
    confirm: Option<bool>,
) -> Result<SkillPlan> {
    let Some((m, progress)) = model(shared, snap, call, "Forge: drafting a skill").await? else {
        return Ok(plan);
    };
    let drafted = draft_skill(
        &m,
        &plan.skill,
        &plan.path,
        snap.settings.profile,
        &call.cancel,
    )
    .await;
    drop(m);
    if let Some(p) = progress {
        p.finish().await;
    }
    let drafted = match drafted {
        Ok(d) => d,
        Err(e) => {
            let error = model_error(&e, "nothing was installed: try again, or set forge.llm.provider to \"none\" to install forge-ls's own template");
            if !e.is_cancelled() {
                show_error(shared, &error).await;
            }
            return Err(error);
        }
    };
    match drafted {
        Drafted::Valid(d) => Ok(with_draft(plan, d)),
        Drafted::Unusable(problem) => {
            warn(shared, Some(format!(
                "The model did not write a usable SKILL.md for `{}`, even after a repair request ({problem}); forge-ls installed its own template instead.",
                plan.skill.name
            ))).await;
            Ok(plan)
        }
        Drafted::Invalid(d) => {
            let errors: Vec<String> = d
                .diagnostics
                .iter()
                .filter(|x| x.severity == forge_syntax::diagnostic::Severity::Error)
                .map(|x| x.message.clone())
                .collect();
            let summary = format!(
                "The SKILL.md the model wrote for `{}` still has {} error(s) after a repair request: {}",
                plan.skill.name,
                errors.len(),
                errors.join("; ")
            );
            let install = match confirm {
                Some(c) => c,
                None => ask_install(shared, &summary).await,
            };
            if install {
                Ok(with_draft(plan, d))
            } else {
                Err(err(ServiceError::Conflict(format!(
                    "{summary}. Nothing was installed: run forge.skill.create again (with \"confirm\": true to install it as it is)."
                ))))
            }
        }
    }
}

/// The plan with the model's SKILL.md (and a WASM skill's source).
fn with_draft(plan: SkillPlan, d: SkillDraft) -> SkillPlan {
    let plan = plan.with_text(d.text, d.diagnostics);
    match d.source_code {
        Some(code) => plan.with_source(code),
        None => plan,
    }
}

async fn show_error(shared: &Shared, error: &Error) {
    if let Some(client) = shared.client.get() {
        client
            .show_message(MessageType::ERROR, error.message.to_string())
            .await;
    }
}

async fn ask_install(shared: &Shared, summary: &str) -> bool {
    let Some(client) = shared.client.get() else {
        return false;
    };
    let actions = [INSTALL_ANYWAY, DO_NOT_INSTALL]
        .iter()
        .map(|t| MessageActionItem {
            title: t.to_string(),
            properties: Default::default(),
        })
        .collect();
    let choice = client
        .show_message_request(
            MessageType::WARNING,
            format!("{summary}. Install it anyway?"),
            Some(actions),
        )
        .await;
    matches!(choice, Ok(Some(a)) if a.title == INSTALL_ANYWAY)
}
