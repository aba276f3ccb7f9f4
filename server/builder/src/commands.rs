//! Every builder command from start to end, as one plain async function each, shared by every
//! surface: a [`Drafts`] handle, a read-only [`View`] of the workspace as of the command's arrival,
//! a [`Host`] (what only the surface can do: show progress and messages, ask the user, apply file
//! changes through the editor) and a cancellation token. The turn source is chosen from
//! `forge.llm.*`: offline (the engine) or the model ([`crate::agent`]).
//!
//! Each step loads what it needs, asks the turn source with no lock on the drafts database held,
//! and saves only a complete result: a failure or a cancellation leaves the draft as it was.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use forge_analysis::workspace::index::Index;
use forge_llm::{client_from_settings, AttemptInfo, LlmError, RetryPolicy};
use forge_store::drafts::{DraftStore, DraftSummary};
use forge_syntax::diagnostic::Severity;

use crate::agent::skill::{draft_skill, Drafted, SkillDraft};
use crate::agent::{bot_problems, AgentContext, AgentError, Model, Offline, Outcome, TurnSource};
use crate::chat::{self, ChatOption, Intent};
use crate::drafts::Drafts;
use crate::service::{self as svc, AssemblePlan, FileWrite, ServiceError, SkillPlan, SkillReport};
use crate::settings::Settings;
use crate::{Answer, BuilderContext, Mode, Session};

/// Reads a file as the surface sees it: an open editor's text wins over the disk.
pub type Reader = Arc<dyn Fn(&Path) -> svc::Result<Option<String>> + Send + Sync>;

/// The workspace as a command sees it.
#[derive(Clone)]
pub struct View {
    pub folders: Arc<Vec<PathBuf>>,
    pub settings: Arc<Settings>,
    pub index: Arc<Index>,
    pub read: Reader,
    /// The models the configured LLM provider listed, when known: the model question offers them.
    pub models: Option<Arc<forge_analysis::schema::ProviderModels>>,
}

/// A progress report for one model call: `report` for each message (the first one starts it),
/// `done` ends it.
pub struct Progress {
    pub report: Arc<dyn Fn(String) + Send + Sync>,
    pub done: BoxFuture<'static, ()>,
}

impl Progress {
    /// Ends the report once every clone of `report` is gone (the model holds one).
    pub async fn finish(self) {
        let Progress { report, done } = self;
        drop(report);
        done.await;
    }
}

/// What only the surface can do.
pub trait Host: Send + Sync {
    /// A progress reporter titled `title`, or `None` when the surface shows none.
    fn progress(&self, title: &str) -> Option<Progress>;
    /// Shows a warning (a model fallback, a recovered database).
    fn warn(&self, message: String) -> BoxFuture<'_, ()>;
    /// Shows an error the user should see even when the surface only logs command errors.
    fn error(&self, message: String) -> BoxFuture<'_, ()>;
    /// Asks a yes/no question; `false` when it cannot be asked.
    fn confirm(&self, question: String, yes: &'static str, no: &'static str)
        -> BoxFuture<'_, bool>;
    /// Writes the files (through the editor, so it can refuse); `label` names the command.
    fn apply<'a>(
        &'a self,
        writes: &'a [FileWrite],
        label: &'a str,
    ) -> BoxFuture<'a, std::result::Result<(), ServiceError>>;
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The model could not be asked; the message says what to do (already shown to the user).
    #[error("{0}")]
    Model(String),
    /// The client cancelled the command; nothing was saved.
    #[error("cancelled")]
    Cancelled,
}

pub type Result<T> = std::result::Result<T, CommandError>;

/// Action titles of the "install anyway?" question for a SKILL.md that still has errors.
const INSTALL_ANYWAY: &str = "Install anyway";
const DO_NOT_INSTALL: &str = "Cancel";

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

fn model_failed(e: &LlmError, consequence: &str) -> CommandError {
    if e.is_cancelled() {
        return CommandError::Cancelled;
    }
    CommandError::Model(format!("{e}; {consequence}"))
}

/// The model agent when `forge.llm.provider` names one, with its progress reporter.
fn model(view: &View, host: &dyn Host, title: &str) -> Result<Option<(Model, Option<Progress>)>> {
    let client = client_from_settings(&view.settings.llm, RetryPolicy::default())
        .map_err(|e| model_failed(&e, "nothing was changed"))?;
    let Some(client) = client else {
        return Ok(None);
    };
    let name = client.model().to_string();
    let progress = host.progress(title);
    let report = progress.as_ref().map(|p| p.report.clone());
    // The first attempt starts the report (its message says what is asked); retries follow.
    let progress_fn = move |a: &AttemptInfo| {
        if let Some(r) = &report {
            r(attempt_message(&name, a));
        }
    };
    Ok(Some((
        Model {
            client,
            progress: Box::new(progress_fn),
        },
        progress,
    )))
}

/// Runs `f` on the drafts store, creating it if needed; its opening warning is shown.
async fn store_op<T: Send + 'static>(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    f: impl FnOnce(&DraftStore) -> svc::Result<T> + Send + 'static,
) -> svc::Result<T> {
    let opened = drafts
        .run(svc::drafts_path(&view.folders, &view.settings), true, f)
        .await?;
    if let Some(w) = opened.warning {
        host.warn(w).await;
    }
    opened
        .value
        .ok_or_else(|| ServiceError::Storage("the drafts database is not open".into()))
}

/// The error of a failed step; a model failure is also shown, since clients often log command
/// errors without showing them.
async fn agent_error(host: &dyn Host, e: AgentError) -> CommandError {
    match e {
        AgentError::Answer(b) => ServiceError::Invalid(b.to_string()).into(),
        AgentError::Model(l) if l.is_cancelled() => CommandError::Cancelled,
        AgentError::Model(_) => {
            let message = e.to_string();
            host.error(message.clone()).await;
            CommandError::Model(message)
        }
    }
}

/// The turn source of the settings and its progress report.
struct Source {
    model: Option<Model>,
    progress: Option<Progress>,
}

impl Source {
    fn new(view: &View, host: &dyn Host) -> Result<Source> {
        let (model, progress) = match model(view, host, "Forge")? {
            Some((m, p)) => (Some(m), p),
            None => (None, None),
        };
        Ok(Source { model, progress })
    }

    fn get(&self) -> &dyn TurnSource {
        match &self.model {
            Some(m) => m,
            None => &Offline,
        }
    }

    /// Ends the progress report (before the command's result goes out).
    async fn finish(self) {
        drop(self.model);
        if let Some(p) = self.progress {
            p.finish().await;
        }
    }
}

/// Saves `s` as it is (its transcript included) in one transaction.
async fn save_session(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    s: Session,
) -> Result<Session> {
    let saved = store_op(drafts, view, host, move |store| Ok(store.save(&s)?)).await?;
    drafts.note_saved(&saved);
    Ok(saved)
}

/// Saves a step's outcome with the user's words (`said`) and the builder's reply added to the
/// transcript, so a chat can replay whatever surface the turn came from.
async fn save(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    out: Outcome,
    said: Option<&str>,
) -> Result<Session> {
    let mut s = out.session;
    let before = std::mem::take(&mut s.transcript);
    let reply = chat::reply(&s);
    chat::note_turn(&before, said, &mut s, reply);
    let saved = save_session(drafts, view, host, s).await?;
    if let Some(w) = out.warning {
        host.warn(w).await;
    }
    Ok(saved)
}

/// Saves the outcome of a first turn. A model failure falls back to the offline first turn with
/// a warning: nothing was saved yet, and the offline flow is always there.
async fn save_first(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    fresh: Session,
    out: std::result::Result<Outcome, AgentError>,
    said: Option<&str>,
) -> Result<Session> {
    let out = match out {
        Ok(o) => o,
        Err(AgentError::Model(e)) if !e.is_cancelled() => Outcome {
            session: fresh,
            warning: Some(format!(
                "{e}. forge-ls asks its own questions for this session instead."
            )),
        },
        Err(e) => return Err(agent_error(host, e).await),
    };
    save(drafts, view, host, out, said).await
}

/// The outside inputs of a session (workspace skills, memories of its category) and, for a bound
/// bot, its current problems for the model.
fn agent_context(
    store: &DraftStore,
    drafts_skills: &(impl Fn(&[PathBuf], &Index) -> Vec<crate::WorkspaceSkill> + ?Sized),
    view: &View,
    about: &str,
    bot: Option<(&Path, &crate::BotTexts)>,
) -> AgentContext {
    let mut builder: BuilderContext =
        svc::context_with(store, drafts_skills(&view.folders, &view.index), about);
    builder.models = view.models.clone();
    AgentContext {
        builder,
        diagnostics: bot
            .map(|(f, t)| bot_problems(f, t, view.settings.profile))
            .unwrap_or_default(),
        history: Vec::new(),
    }
}

/// `forge.builder.start`: a new session (its first turn from the turn source), saved.
pub async fn start(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    mode: Mode,
    description: String,
    folder: Option<PathBuf>,
) -> Result<Session> {
    start_as(drafts, view, host, cancel, mode, description, folder, None).await
}

/// [`start`], with the session id a surface chose (an ACP session's), refused when taken.
#[allow(clippy::too_many_arguments)]
async fn start_as(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    mode: Mode,
    description: String,
    folder: Option<PathBuf>,
    id: Option<String>,
) -> Result<Session> {
    let folder = match (folder, mode) {
        (Some(f), _) => Some(svc::inside_workspace(&view.folders, &f)?),
        // The ritual is about a workspace: the first folder unless one is named.
        (None, Mode::OpenclawWorkspace) => Some(svc::inside_workspace(
            &view.folders,
            svc::primary_folder(&view.folders)?,
        )?),
        (None, _) => None,
    };
    let v = view.clone();
    let skills = drafts.skills_lister();
    let said = description.clone();
    let (fresh, ctx) = store_op(drafts, view, host, move |store| {
        let ctx = agent_context(store, &skills, &v, &description, None);
        let folder = folder.map(|f| f.to_string_lossy().into_owned());
        let mut s = match (mode, folder.as_deref()) {
            // Bound from the start: its questions appear in that workspace's files, each
            // offering what the files already say first.
            (Mode::OpenclawWorkspace, Some(f)) => {
                let texts = crate::openclaw::WorkspaceTexts::read(Path::new(f), &*v.read)?;
                let mut s = crate::engine::start_workspace(
                    &description,
                    crate::openclaw::current(&texts),
                    &ctx.builder,
                );
                s.bound_folder = Some(f.to_string());
                s
            }
            _ => crate::start(mode, &description, &ctx.builder),
        };
        s.target_folder = folder;
        if let Some(id) = id {
            if store.load::<Session>(&id)?.is_some() {
                return Err(ServiceError::Invalid(format!(
                    "a builder session `{id}` exists already"
                )));
            }
            s.session_id = id;
        }
        Ok((s, ctx))
    })
    .await?;
    let src = Source::new(view, host)?;
    let out = src.get().first_turn(&fresh, &ctx, cancel).await;
    src.finish().await;
    save_first(drafts, view, host, fresh, out, Some(&said)).await
}

/// `forge.builder.reconfigure` of the bot holding `path` (a file of it, or its folder).
pub async fn reconfigure(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    path: &Path,
) -> Result<Session> {
    let folder = svc::inside_workspace(&view.folders, &svc::bot_folder_of(path))?;
    let v = view.clone();
    let skills = drafts.skills_lister();
    let (fresh, ctx) = store_op(drafts, view, host, move |store| {
        let texts = svc::bot_texts(&folder, &*v.read)?;
        let about = texts.soul.clone().unwrap_or_default();
        let ctx = agent_context(store, &skills, &v, &about, Some((&folder, &texts)));
        let draft = svc::reconfigure_draft(&ctx.builder, &folder, &texts)?;
        Ok((draft, ctx))
    })
    .await?;
    let src = Source::new(view, host)?;
    let out = src.get().first_turn(&fresh, &ctx, cancel).await;
    src.finish().await;
    save_first(drafts, view, host, fresh, out, None).await
}

/// A stored session and the context of its next turn.
async fn load_turn(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    session_id: String,
) -> Result<(Session, AgentContext)> {
    let v = view.clone();
    let skills = drafts.skills_lister();
    Ok(store_op(drafts, view, host, move |store| {
        let current = svc::load_session(store, &session_id)?;
        let bot = current.bound_folder.as_ref().map(PathBuf::from);
        let texts = bot.as_ref().and_then(|f| svc::bot_texts(f, &*v.read).ok());
        let bot = bot.as_deref().zip(texts.as_ref());
        let ctx = agent_context(store, &skills, &v, &current.description, bot);
        Ok((current, ctx))
    })
    .await?)
}

/// `forge.builder.answer`: the next turn, saved. The caller holds the session's turn.
pub async fn answer(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    session_id: String,
    answer: Answer,
) -> Result<Session> {
    let (current, ctx) = load_turn(drafts, view, host, session_id).await?;
    let said = chat::said(&current, &answer);
    let src = Source::new(view, host)?;
    let out = src.get().answer(&current, answer, &ctx, cancel).await;
    src.finish().await;
    match out {
        Ok(o) => save(drafts, view, host, o, Some(&said)).await,
        Err(e) => Err(agent_error(host, e).await),
    }
}

/// `forge.builder.session`: the stored session.
pub async fn session(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    session_id: String,
) -> Result<Session> {
    Ok(store_op(drafts, view, host, move |s| {
        svc::load_session(s, &session_id)
    })
    .await?)
}

/// `forge.builder.drafts`: every draft, newest first.
pub async fn list(drafts: &Drafts, view: &View, host: &dyn Host) -> Result<Vec<DraftSummary>> {
    Ok(store_op(drafts, view, host, |s| Ok(s.list()?)).await?)
}

/// `forge.builder.delete`: whether there was such a draft.
pub async fn delete(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    session_id: String,
) -> Result<bool> {
    let key = session_id.clone();
    let deleted = store_op(drafts, view, host, move |s| Ok(s.delete(&key)?)).await?;
    drafts.note_deleted(&session_id);
    Ok(deleted)
}

/// `forge.builder.assemble`: the bot's files written through the host, then the draft dropped
/// (its choices kept as memory). The caller holds the session's turn.
pub async fn assemble(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    session_id: String,
    folder: Option<PathBuf>,
) -> Result<AssemblePlan> {
    let key = session_id.clone();
    let session = store_op(drafts, view, host, move |s| svc::load_session(s, &key)).await?;
    let v = view.clone();
    let plan = tokio::task::spawn_blocking(move || {
        svc::plan_assemble(
            &session,
            &v.folders,
            &v.settings,
            folder.as_deref(),
            &*v.read,
        )
    })
    .await
    .map_err(|_| ServiceError::Storage("the assemble task failed".into()))??;
    host.apply(&plan.writes, "assemble").await?;
    let memory = plan.memory.clone();
    let key = session_id.clone();
    store_op(drafts, view, host, move |s| {
        svc::finish(s, &key, memory.as_ref())
    })
    .await?;
    drafts.note_deleted(&session_id);
    Ok(plan)
}

/// What a chat message is sent with.
pub struct ChatRequest {
    /// The session to continue; `None` starts one with the message as its description.
    pub session_id: Option<String>,
    /// The mode of a new session (bot when `None`); with a session, it must be the session's.
    pub mode: Option<Mode>,
    pub message: String,
    /// A new session: the id to give it (a surface's own session id), instead of a fresh one.
    pub new_id: Option<String>,
    /// A new session: where its bot goes (`forge.builder.start`'s `folder`); assemble: the
    /// bots directory (`forge.builder.assemble`'s `folder`).
    pub folder: Option<PathBuf>,
}

/// A problem forge-ls finds in a file the chat wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// `error` or `warning`.
    pub severity: &'static str,
    pub code: String,
    pub message: String,
}

/// The files a chat's assemble wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Every file the bot or skill has that the plan touched or created.
    pub files: Vec<PathBuf>,
    pub deleted: Vec<PathBuf>,
    /// What was written, with the text each file had before.
    pub writes: Vec<FileWrite>,
    /// Errors and warnings in the written files.
    pub problems: Vec<FileProblem>,
}

/// A chat turn's result.
#[derive(Debug, Clone)]
pub struct ChatResult {
    /// The session after the turn (once assembled, as it was when its draft was dropped).
    pub session: Session,
    /// The reply for a person (Markdown).
    pub reply: String,
    pub options: Vec<ChatOption>,
    /// False when the message did not fit the pending turn (the reply says what would).
    pub understood: bool,
    /// Set once assembled: the draft is gone.
    pub written: Option<Written>,
}

impl ChatResult {
    pub fn done(&self) -> bool {
        self.written.is_some()
    }
}

fn chat_result(session: Session, reply: String, understood: bool) -> ChatResult {
    ChatResult {
        options: chat::options(&session),
        session,
        reply,
        understood,
        written: None,
    }
}

/// A message that did not fit: the reason and the pending turn again, saved to the transcript.
async fn not_understood(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    current: Session,
    message: &str,
    why: &str,
) -> Result<ChatResult> {
    let mut s = current;
    let reply = format!("{why}\n\n{}", chat::reply(&s));
    let before = std::mem::take(&mut s.transcript);
    s.updated_at = crate::now_rfc3339();
    chat::note_turn(&before, Some(message), &mut s, reply.clone());
    let saved = save_session(drafts, view, host, s).await?;
    Ok(chat_result(saved, reply, false))
}

/// A sentence from a builder error, for a reply.
fn sentence(e: &crate::BuilderError) -> String {
    let t = e.to_string();
    let mut c = t.chars();
    let t = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => t,
    };
    if t.ends_with('.') {
        t
    } else {
        format!("{t}.")
    }
}

/// The session with every answer forgotten: asked again from its first question, keeping its
/// id, what it was started on and its transcript.
fn restart(s: &Session, ctx: &crate::BuilderContext) -> Session {
    let mut n = match (&s.origin, &s.workspace_origin) {
        (Some(origin), _) => crate::start_reconfigure(origin.clone(), s.bound_folder.clone(), ctx),
        (None, Some(w)) => crate::engine::start_workspace(&s.description, w.clone(), ctx),
        (None, None) => crate::start(s.mode, &s.description, ctx),
    };
    n.session_id = s.session_id.clone();
    n.created_at = s.created_at.clone();
    n.bound_folder = s.bound_folder.clone();
    n.target_folder = s.target_folder.clone();
    n.transcript = s.transcript.clone();
    n
}

/// The problems of the files written, as forge-ls's rules see them.
fn written_problems(
    writes: &[FileWrite],
    profile: forge_analysis::rules::Profile,
) -> Vec<FileProblem> {
    use forge_analysis::{analyze, FileKind};
    let mut out = Vec::new();
    for w in writes {
        let (Some(text), Some(kind)) = (&w.new, FileKind::from_path(&w.path)) else {
            continue;
        };
        for d in analyze(kind, &w.path, text, profile).diagnostics {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => continue,
            };
            out.push(FileProblem {
                path: w.path.clone(),
                line: crate::agent::line_of(text, d.range.start),
                severity,
                code: d.code.to_string(),
                message: d.message.clone(),
            });
        }
    }
    out
}

/// The reply once the files are written: each file, then the problems forge-ls finds in them.
fn written_reply(s: &Session, w: &Written, root: Option<&Path>) -> String {
    let show = |p: &Path| {
        root.and_then(|r| p.strip_prefix(r).ok())
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let name = match &s.turn {
        crate::BuilderTurn::ReadyToAssemble { config, skill, .. } => skill
            .as_ref()
            .map(|k| k.name.clone())
            .unwrap_or_else(|| config.name.clone()),
        _ => String::new(),
    };
    let mut out = format!("Done: **{name}** is written.\n\n");
    for f in &w.files {
        out.push_str(&format!("- `{}`\n", show(f)));
    }
    for f in &w.deleted {
        out.push_str(&format!("- `{}` (deleted)\n", show(f)));
    }
    if w.problems.is_empty() {
        out.push_str("\nforge-ls finds no problems in them.");
    } else {
        out.push_str("\nforge-ls finds these problems in them:\n\n");
        for p in &w.problems {
            out.push_str(&format!(
                "- `{}` line {}: {} [{}] {}\n",
                show(&p.path),
                p.line,
                p.severity,
                p.code,
                p.message
            ));
        }
    }
    out.trim_end().to_string()
}

/// Writes a ready session: a bot or workspace through `assemble`, a skill through
/// `create_skill`. The draft is dropped.
async fn write_ready(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    s: &Session,
    folder: Option<PathBuf>,
) -> Result<Written> {
    let id = s.session_id.clone();
    let (files, writes) = match s.mode {
        Mode::Skill => {
            let req = SkillRequest {
                session_id: Some(id),
                description: None,
                name: None,
                bot: None,
                confirm: None,
            };
            let plan = create_skill(drafts, view, host, cancel, req).await?;
            let files = plan.writes.iter().map(|w| w.path.clone()).collect();
            (files, plan.writes)
        }
        _ => {
            let plan = assemble(drafts, view, host, id, folder).await?;
            (plan.files, plan.writes)
        }
    };
    Ok(Written {
        files,
        deleted: writes
            .iter()
            .filter(|w| w.new.is_none())
            .map(|w| w.path.clone())
            .collect(),
        problems: written_problems(&writes, view.settings.profile),
        writes,
    })
}

/// `forge.builder.chat`: one message of a conversation. Without a session it starts one (the
/// message is the description). With one, the message answers its pending turn through the turn
/// source (the model gets the whole transcript); "assemble" writes the files. Every turn is saved,
/// with the message and the reply in the transcript, before the result is returned; a failure
/// (unknown session, a message to a session ready to assemble that is not "assemble" or "no",
/// a model failure, a cancellation) leaves the draft as it was. The caller holds the session's
/// turn.
pub async fn chat(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    req: ChatRequest,
) -> Result<ChatResult> {
    let message = req.message;
    if message.len() > crate::answer::MAX_TEXT_BYTES {
        return Err(ServiceError::Invalid(format!(
            "the message is {} bytes; at most {} are taken",
            message.len(),
            crate::answer::MAX_TEXT_BYTES
        ))
        .into());
    }
    let Some(id) = req.session_id else {
        let mode = req.mode.unwrap_or(Mode::Bot);
        let s = start_as(
            drafts, view, host, cancel, mode, message, req.folder, req.new_id,
        )
        .await?;
        return Ok(chat_result(s.clone(), chat::reply(&s), true));
    };
    let (current, mut ctx) = load_turn(drafts, view, host, id).await?;
    if let Some(m) = req.mode.filter(|m| *m != current.mode) {
        return Err(ServiceError::Invalid(format!(
            "session `{}` builds a {}, not a {}: leave out `mode`, or start a new session",
            current.session_id,
            current.mode.as_str(),
            m.as_str()
        ))
        .into());
    }
    ctx.history = chat::history(&current.transcript);
    let intent = match chat::interpret(&current, &message) {
        Ok(i) => i,
        Err(crate::BuilderError::Finished) => {
            return Err(ServiceError::Invalid(format!(
                "session `{}` is ready to assemble: say \"assemble\" to write its files, or \"no\" to make changes",
                current.session_id
            ))
            .into())
        }
        Err(e) => return not_understood(drafts, view, host, current, &message, &sentence(&e)).await,
    };
    let then_write = intent == Intent::Assemble;
    let src = Source::new(view, host)?;
    let out = match intent {
        Intent::Preview => {
            src.finish().await;
            let mut s = current;
            let reply = chat::preview_reply(&s);
            let before = std::mem::take(&mut s.transcript);
            s.updated_at = crate::now_rfc3339();
            chat::note_turn(&before, Some(&message), &mut s, reply.clone());
            let saved = save_session(drafts, view, host, s).await?;
            return Ok(chat_result(saved, reply, true));
        }
        Intent::StartOver => {
            let fresh = restart(&current, &ctx.builder);
            // A new beginning: the model starts from the description, not the old conversation.
            ctx.history.clear();
            let out = src.get().first_turn(&fresh, &ctx, cancel).await;
            src.finish().await;
            let s = save_first(drafts, view, host, fresh, out, Some(&message)).await?;
            return Ok(chat_result(s.clone(), chat::reply(&s), true));
        }
        Intent::Assemble => match &current.turn {
            crate::BuilderTurn::ReadyToAssemble { .. } => {
                src.finish().await;
                let w = write_ready(drafts, view, host, cancel, &current, req.folder).await?;
                return Ok(assembled(current, w, view));
            }
            crate::BuilderTurn::ShowPreview { .. } => {
                src.get()
                    .answer(&current, Answer::Confirm(true), &ctx, cancel)
                    .await
            }
            _ => {
                src.finish().await;
                let left = current.unanswered().len();
                let why = match left {
                    _ if current.from_model => "Not ready to assemble yet: answer the question below first (or say *skip*).".to_string(),
                    1 => "Not ready to assemble yet: one question is left. Answer it, or say *skip* to take the suggestion.".to_string(),
                    n => format!("Not ready to assemble yet: {n} questions are left. Answer them, or say *skip* to take the suggestion."),
                };
                return not_understood(drafts, view, host, current, &message, &why).await;
            }
        },
        Intent::Answer(a) => src.get().answer(&current, a, &ctx, cancel).await,
        Intent::Say(t) => src.get().say(&current, t, &ctx, cancel).await,
        Intent::Skip if current.from_model => {
            src.get()
                .say(&current, chat::SKIP_MESSAGE.to_string(), &ctx, cancel)
                .await
        }
        Intent::Skip => {
            let has_options = matches!(&current.turn, crate::BuilderTurn::AskQuestion { options, .. } if !options.is_empty());
            if !has_options {
                src.finish().await;
                let why = "This question has no suggestion to take: answer it in your own words.";
                return not_understood(drafts, view, host, current, &message, why).await;
            }
            src.get()
                .answer(&current, Answer::Option(0), &ctx, cancel)
                .await
        }
    };
    src.finish().await;
    let out = match out {
        Ok(o) => o,
        Err(AgentError::Answer(crate::BuilderError::Finished)) => {
            return Err(ServiceError::Invalid(format!(
                "session `{}` is ready to assemble: say \"assemble\" to write its files, or \"no\" to make changes",
                current.session_id
            ))
            .into())
        }
        Err(AgentError::Answer(e)) => {
            return not_understood(drafts, view, host, current, &message, &sentence(&e)).await
        }
        Err(e) => return Err(agent_error(host, e).await),
    };
    let s = save(drafts, view, host, out, Some(&message)).await?;
    // "assemble" at the review: confirmed and saved, then written.
    if then_write && s.is_ready() {
        let w = write_ready(drafts, view, host, cancel, &s, req.folder).await?;
        return Ok(assembled(s, w, view));
    }
    Ok(chat_result(s.clone(), chat::reply(&s), true))
}

fn assembled(s: Session, w: Written, view: &View) -> ChatResult {
    let reply = written_reply(&s, &w, view.folders.first().map(PathBuf::as_path));
    ChatResult {
        options: Vec::new(),
        session: s,
        reply,
        understood: true,
        written: Some(w),
    }
}

/// What `forge.skill.create` is asked for.
pub struct SkillRequest {
    pub session_id: Option<String>,
    pub description: Option<String>,
    pub name: Option<String>,
    pub bot: Option<PathBuf>,
    /// Install a model's draft that still has errors (`None`: ask the user).
    pub confirm: Option<bool>,
}

/// `forge.skill.create`: the skill written (by the model when one is set, else the template),
/// validated, placed and attached; a finished skill session is dropped.
pub async fn create_skill(
    drafts: &Drafts,
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    req: SkillRequest,
) -> Result<SkillPlan> {
    if req.session_id.is_none() && req.description.is_none() {
        return Err(ServiceError::Invalid(
            "forge.skill.create needs {session_id} or {description, name?, bot?}".into(),
        )
        .into());
    }
    if req.session_id.is_none()
        && req
            .description
            .as_deref()
            .is_some_and(|d| d.trim().is_empty())
    {
        return Err(ServiceError::Invalid(
            "forge.skill.create: `description` is empty; say in a sentence what the skill does and when to use it".into(),
        )
        .into());
    }
    let session = match req.session_id.clone() {
        Some(i) => Some(store_op(drafts, view, host, move |s| svc::load_session(s, &i)).await?),
        None => None,
    };
    let v = view.clone();
    let (description, name, bot) = (req.description, req.name, req.bot);
    let plan = tokio::task::spawn_blocking(move || {
        svc::plan_skill(
            session.as_ref(),
            description.as_deref(),
            name.as_deref(),
            bot.as_deref(),
            &v.folders,
            &v.settings,
            &*v.read,
        )
    })
    .await
    .map_err(|_| ServiceError::Storage("the skill task failed".into()))??;
    let plan = drafted(view, host, cancel, plan, req.confirm).await?;
    host.apply(&plan.writes, "skill.create").await?;
    if let Some(i) = req.session_id {
        let key = i.clone();
        store_op(drafts, view, host, move |s| svc::finish(s, &key, None)).await?;
        drafts.note_deleted(&i);
    }
    Ok(plan)
}

/// `forge.skill.validate`: one SKILL.md (or its folder) or every one in the workspace.
pub async fn validate_skills(view: &View, target: Option<PathBuf>) -> Result<Vec<SkillReport>> {
    let v = view.clone();
    let read = view.read.clone();
    tokio::task::spawn_blocking(move || {
        svc::validate_skills(target.as_deref(), &v.folders, v.settings.profile, &|p| {
            read(p).ok().flatten()
        })
    })
    .await
    .map_err(|_| ServiceError::Storage("the validate task failed".into()))?
    .map_err(Into::into)
}

/// What `forge.skill.install` is asked for.
pub struct InstallRequest {
    pub source: PathBuf,
    pub bot: Option<PathBuf>,
    /// Install despite error-level findings and replace an installed skill of that name
    /// (`None`: ask the user about findings; an installed skill is then not replaced).
    pub confirm: Option<bool>,
}

/// `forge.skill.install`: the bundle read safely, validated and scanned; an error-level finding
/// is installed only when confirmed (by `confirm`, else by the user's answer); then written and
/// attached to the bot's skills.toml.
pub async fn install_skill(
    view: &View,
    host: &dyn Host,
    req: InstallRequest,
) -> Result<crate::install::InstallPlan> {
    let v = view.clone();
    let (source, bot, replace) = (req.source, req.bot, req.confirm == Some(true));
    let plan = tokio::task::spawn_blocking(move || {
        let bundle = crate::install::read_source(&source)?;
        crate::install::plan_install(
            &bundle,
            bot.as_deref(),
            replace,
            &v.folders,
            &v.settings,
            &*v.read,
        )
    })
    .await
    .map_err(|_| ServiceError::Storage("the install task failed".into()))??;
    let errors: Vec<String> = plan
        .errors()
        .map(|f| {
            format!(
                "{} [{}] {}",
                f.file, f.diagnostic.code, f.diagnostic.message
            )
        })
        .collect();
    if !errors.is_empty() {
        let summary = format!(
            "The skill `{}` has {} error-level finding(s): {}",
            plan.name,
            errors.len(),
            errors.join("; ").trim_end_matches('.')
        );
        if !install_anyway(host, req.confirm, &summary).await {
            return Err(ServiceError::Conflict(format!(
                "{summary}. Nothing was installed (install with \"confirm\": true to install it as it is)."
            ))
            .into());
        }
    }
    host.apply(&plan.writes, "skill.install").await?;
    Ok(plan)
}

/// With a provider, the model writes the SKILL.md of `plan`. A draft that still has errors after
/// the repair round is installed only when confirmed: by `confirm`, else by the user's answer.
async fn drafted(
    view: &View,
    host: &dyn Host,
    cancel: &CancellationToken,
    plan: SkillPlan,
    confirm: Option<bool>,
) -> Result<SkillPlan> {
    let Some((m, progress)) = model(view, host, "Forge: drafting a skill")? else {
        return Ok(plan);
    };
    let drafted = draft_skill(&m, &plan.skill, &plan.path, view.settings.profile, cancel).await;
    drop(m);
    if let Some(p) = progress {
        p.finish().await;
    }
    let drafted = match drafted {
        Ok(d) => d,
        Err(e) => {
            let error = model_failed(&e, "nothing was installed: try again, or set forge.llm.provider to \"none\" to install forge-ls's own template");
            if let CommandError::Model(m) = &error {
                host.error(m.clone()).await;
            }
            return Err(error);
        }
    };
    match drafted {
        Drafted::Valid(d) => Ok(with_draft(plan, d)),
        Drafted::Unusable(problem) => {
            host.warn(format!(
                "The model did not write a usable SKILL.md for `{}`, even after a repair request ({problem}); forge-ls installed its own template instead.",
                plan.skill.name
            ))
            .await;
            Ok(plan)
        }
        Drafted::Invalid(d) => {
            let errors: Vec<String> = d
                .diagnostics
                .iter()
                .filter(|x| x.severity == Severity::Error)
                .map(|x| x.message.clone())
                .collect();
            let summary = format!(
                "The SKILL.md the model wrote for `{}` still has {} error(s) after a repair request: {}",
                plan.skill.name,
                errors.len(),
                errors.join("; ")
            );
            if install_anyway(host, confirm, &summary).await {
                Ok(with_draft(plan, d))
            } else {
                Err(ServiceError::Conflict(format!(
                    "{summary}. Nothing was installed: run forge.skill.create again (with \"confirm\": true to install it as it is)."
                ))
                .into())
            }
        }
    }
}

/// Whether to install a skill despite the errors `summary` lists: `confirm` when given, else the
/// user's answer.
async fn install_anyway(host: &dyn Host, confirm: Option<bool>, summary: &str) -> bool {
    match confirm {
        Some(c) => c,
        None => {
            host.confirm(
                format!("{summary}. Install it anyway?"),
                INSTALL_ANYWAY,
                DO_NOT_INSTALL,
            )
            .await
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

/// Refuses a plan one of whose files no longer has the text the plan was computed from (a
/// concurrent change is never overwritten).
pub fn unchanged(writes: &[FileWrite]) -> std::result::Result<(), ServiceError> {
    for w in writes {
        if svc::read_optional(&w.path)? != w.old {
            return Err(ServiceError::Conflict(format!(
                "{} changed since the plan was made; nothing more was written and the draft is kept",
                w.path.display()
            )));
        }
    }
    Ok(())
}

/// A host without an editor: no progress, messages to the log, no one to ask, files written
/// straight to disk (each one only if it still has the text the plan was computed from, so a
/// concurrent change is never overwritten). For `forge-ls` surfaces without a client file
/// system, the benchmarks and tests.
pub struct DiskHost;

impl Host for DiskHost {
    fn progress(&self, _: &str) -> Option<Progress> {
        None
    }

    fn warn(&self, message: String) -> BoxFuture<'_, ()> {
        tracing::warn!("{message}");
        Box::pin(async {})
    }

    fn error(&self, message: String) -> BoxFuture<'_, ()> {
        tracing::error!("{message}");
        Box::pin(async {})
    }

    fn confirm(&self, _: String, _: &'static str, _: &'static str) -> BoxFuture<'_, bool> {
        Box::pin(async { false })
    }

    fn apply<'a>(
        &'a self,
        writes: &'a [FileWrite],
        _: &'a str,
    ) -> BoxFuture<'a, std::result::Result<(), ServiceError>> {
        Box::pin(async move {
            unchanged(writes)?;
            for w in writes {
                let io = |e: std::io::Error| {
                    ServiceError::Conflict(format!("cannot write {}: {e}", w.path.display()))
                };
                match &w.new {
                    Some(text) => {
                        if let Some(parent) = w.path.parent() {
                            std::fs::create_dir_all(parent).map_err(io)?;
                        }
                        std::fs::write(&w.path, text).map_err(io)?;
                    }
                    None => std::fs::remove_file(&w.path).map_err(io)?,
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuilderTurn;
    use forge_analysis::rules::Profile;
    use forge_analysis::{analyze, FileKind};
    use serde_json::json;

    fn workspace() -> (tempfile::TempDir, View) {
        let dir = tempfile::tempdir().unwrap();
        let view = View {
            folders: Arc::new(vec![dir.path().canonicalize().unwrap()]),
            settings: Arc::new(Settings::default()),
            index: Arc::new(Index::new()),
            read: Arc::new(svc::read_optional),
            models: None,
        };
        (dir, view)
    }

    fn answer_of(s: &Session) -> Answer {
        let a = match s.turn {
            BuilderTurn::ShowPreview { .. } => json!({"confirm": true}),
            _ => json!({"option": 0}),
        };
        Answer::from_json(&a).unwrap()
    }

    #[tokio::test]
    async fn answers_are_saved_and_errors_leave_the_session() {
        let (_dir, view) = workspace();
        let (drafts, host, cancel) = (Drafts::default(), DiskHost, CancellationToken::new());
        let about = "helps me write essays".to_string();
        let s = start(&drafts, &view, &host, &cancel, Mode::Bot, about, None)
            .await
            .unwrap();
        let bad = Answer::from_json(&json!({"option": 99})).unwrap();
        let err = answer(&drafts, &view, &host, &cancel, s.session_id.clone(), bad)
            .await
            .unwrap_err();
        assert!(
            matches!(err, CommandError::Service(ServiceError::Invalid(_))),
            "{err:?}"
        );
        let stored = session(&drafts, &view, &host, s.session_id.clone()).await;
        assert_eq!(stored.unwrap(), s);
        let a = answer_of(&s);
        let next = answer(&drafts, &view, &host, &cancel, s.session_id.clone(), a)
            .await
            .unwrap();
        let stored = session(&drafts, &view, &host, s.session_id.clone()).await;
        assert_eq!(stored.unwrap(), next);
        assert!(matches!(
            session(&drafts, &view, &host, "nope".into()).await,
            Err(CommandError::Service(ServiceError::NotFound(_)))
        ));
    }

    #[tokio::test]
    async fn assemble_writes_valid_files_with_a_unique_slug_and_drops_the_draft() {
        let (_dir, view) = workspace();
        let (drafts, host, cancel) = (Drafts::default(), DiskHost, CancellationToken::new());
        let about = "helps me write essays".to_string();
        let mut s = start(&drafts, &view, &host, &cancel, Mode::Bot, about, None)
            .await
            .unwrap();
        for _ in 0..40 {
            if s.is_ready() {
                break;
            }
            let a = answer_of(&s);
            s = answer(&drafts, &view, &host, &cancel, s.session_id.clone(), a)
                .await
                .unwrap();
        }
        assert!(s.is_ready());
        let slug = crate::slugify(&s.full_config().unwrap().name).unwrap();
        std::fs::create_dir_all(view.folders[0].join("bots").join(&slug)).unwrap();
        let plan = assemble(&drafts, &view, &host, s.session_id.clone(), None)
            .await
            .unwrap();
        assert!(plan.bot_folder.ends_with(format!("{slug}-2")));
        for w in &plan.writes {
            let on_disk = std::fs::read_to_string(&w.path).unwrap();
            assert_eq!(
                Some(&on_disk),
                w.new.as_ref(),
                "{} written",
                w.path.display()
            );
            let kind = FileKind::from_path(&w.path).unwrap();
            let a = analyze(kind, &w.path, &on_disk, Profile::Boternity);
            assert!(
                a.diagnostics.iter().all(|d| d.severity != Severity::Error),
                "{}: {:?}",
                w.path.display(),
                a.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
        let list = list(&drafts, &view, &host).await.unwrap();
        assert!(list.iter().all(|d| d.session_id != s.session_id));
    }

    async fn say(
        drafts: &Drafts,
        view: &View,
        session_id: Option<&str>,
        mode: Option<Mode>,
        message: &str,
    ) -> Result<ChatResult> {
        let req = ChatRequest {
            session_id: session_id.map(str::to_string),
            mode,
            message: message.into(),
            new_id: None,
            folder: None,
        };
        chat(drafts, view, &DiskHost, &CancellationToken::new(), req).await
    }

    #[tokio::test]
    async fn a_conversation_builds_a_bot_and_every_turn_is_saved() {
        let (_dir, view) = workspace();
        let drafts = Drafts::default();
        let r = say(
            &drafts,
            &view,
            None,
            None,
            "A patient chemistry tutor for high-school students",
        )
        .await
        .unwrap();
        let id = r.session.session_id.clone();
        assert!(
            r.reply.contains("**What should your bot be called?**"),
            "{}",
            r.reply
        );
        assert_eq!(r.options[0].index, 1);
        let r = say(&drafts, &view, Some(&id), None, "Mendel")
            .await
            .unwrap();
        assert_eq!(r.session.config.name.as_deref(), Some("Mendel"));
        let stored = session(&drafts, &view, &DiskHost, id.clone())
            .await
            .unwrap();
        assert_eq!(stored, r.session, "saved before the reply");
        let r = say(&drafts, &view, Some(&id), None, "preview")
            .await
            .unwrap();
        assert!(r.reply.contains("- **Name:** Mendel"), "{}", r.reply);
        let mut r = say(&drafts, &view, Some(&id), None, "2").await.unwrap();
        for _ in 0..20 {
            if matches!(r.session.turn, crate::BuilderTurn::ShowPreview { .. }) {
                break;
            }
            r = say(&drafts, &view, Some(&id), None, "skip").await.unwrap();
            assert!(r.understood, "{}", r.reply);
        }
        assert!(r.reply.contains("Does this look right?"), "{}", r.reply);
        let r = say(&drafts, &view, Some(&id), None, "assemble")
            .await
            .unwrap();
        let w = r.written.as_ref().expect("written");
        assert!(r.done());
        assert!(w.problems.is_empty(), "{:?}", w.problems);
        let soul = view.folders[0].join("bots/mendel/SOUL.md");
        assert!(w.files.contains(&soul), "{:?}", w.files);
        assert!(std::fs::read_to_string(&soul).unwrap().contains("Mendel"));
        assert!(r.reply.contains("`bots/mendel/SOUL.md`"), "{}", r.reply);
        let gone = say(&drafts, &view, Some(&id), None, "hello")
            .await
            .unwrap_err();
        assert!(
            gone.to_string().contains("may have been assembled"),
            "{gone}"
        );
    }

    #[tokio::test]
    async fn chat_and_wizard_continue_one_session_and_share_the_transcript() {
        let (_dir, view) = workspace();
        let (drafts, host, cancel) = (Drafts::default(), DiskHost, CancellationToken::new());
        let s = start(
            &drafts,
            &view,
            &host,
            &cancel,
            Mode::Bot,
            "writes poems".into(),
            None,
        )
        .await
        .unwrap();
        let id = s.session_id.clone();
        let r = say(&drafts, &view, Some(&id), None, "\"Muse\"")
            .await
            .unwrap();
        let a = Answer::from_json(&json!({"option": 0})).unwrap();
        let s = answer(&drafts, &view, &host, &cancel, id.clone(), a)
            .await
            .unwrap();
        assert_eq!(s.config.name.as_deref(), Some("Muse"));
        assert!(s.conversation.len() > r.session.conversation.len());
        let t: Vec<(chat::Role, &str)> = s
            .transcript
            .iter()
            .map(|m| (m.role, m.text.as_str()))
            .collect();
        assert_eq!(t[0], (chat::Role::User, "writes poems"));
        assert_eq!(t[1].0, chat::Role::Forge);
        assert_eq!(t[2], (chat::Role::User, "\"Muse\""));
        assert_eq!(t.len(), 6, "{t:?}");
        assert_eq!(t[5].1, chat::reply(&s));
        // Start over: same id, nothing answered, transcript kept.
        let r = say(&drafts, &view, Some(&id), None, "start over")
            .await
            .unwrap();
        assert_eq!(r.session.session_id, id);
        assert!(r.session.answers.is_empty());
        assert_eq!(r.session.transcript.len(), 8);
    }

    #[tokio::test]
    async fn bad_messages_are_clear_and_leave_the_draft() {
        let (_dir, view) = workspace();
        let drafts = Drafts::default();
        let e = say(&drafts, &view, Some("nope"), None, "hi")
            .await
            .unwrap_err();
        assert!(
            matches!(e, CommandError::Service(ServiceError::NotFound(_))),
            "{e:?}"
        );
        let r = say(
            &drafts,
            &view,
            None,
            Some(Mode::Skill),
            "Fetch a web page and summarize it",
        )
        .await
        .unwrap();
        let id = r.session.session_id.clone();
        let e = say(&drafts, &view, Some(&id), Some(Mode::Bot), "x")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("builds a skill, not a bot"), "{e}");
        let mut r = say(&drafts, &view, Some(&id), None, "page-summary")
            .await
            .unwrap();
        for _ in 0..10 {
            if matches!(r.session.turn, crate::BuilderTurn::ShowPreview { .. }) {
                break;
            }
            r = say(&drafts, &view, Some(&id), None, "1").await.unwrap();
        }
        let r = say(&drafts, &view, Some(&id), None, "purple")
            .await
            .unwrap();
        assert!(!r.understood);
        assert!(r.reply.starts_with("This is the review"), "{}", r.reply);
        let r = say(&drafts, &view, Some(&id), None, "yes").await.unwrap();
        assert!(r.session.is_ready());
        let before = session(&drafts, &view, &DiskHost, id.clone())
            .await
            .unwrap();
        let e = say(&drafts, &view, Some(&id), None, "more please")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("is ready to assemble"), "{e}");
        let after = session(&drafts, &view, &DiskHost, id.clone())
            .await
            .unwrap();
        assert_eq!(before, after);
        let r = say(&drafts, &view, Some(&id), None, "assemble")
            .await
            .unwrap();
        let w = r.written.unwrap();
        assert!(
            w.files[0].ends_with("skills/page-summary/SKILL.md"),
            "{:?}",
            w.files
        );
        assert!(w.files[0].is_file());
    }

    #[test]
    fn the_problems_of_written_files_are_listed_in_the_reply() {
        let (_dir, view) = workspace();
        let identity = view.folders[0].join("bots/x/IDENTITY.md");
        let writes = [FileWrite {
            path: identity.clone(),
            old: None,
            new: Some("---\ndisplay_name: X\ncolour: blue\n---\n".into()),
        }];
        let problems = written_problems(&writes, view.settings.profile);
        assert!(
            problems
                .iter()
                .any(|p| p.code == "unknown-key" && p.line == 3),
            "{problems:?}"
        );
        let s = crate::start(Mode::Bot, "poems", &crate::BuilderContext::default());
        let w = Written {
            files: vec![identity],
            problems,
            ..Default::default()
        };
        let reply = written_reply(&s, &w, view.folders.first().map(PathBuf::as_path));
        assert!(reply.contains("- `bots/x/IDENTITY.md`\n"), "{reply}");
        assert!(
            reply.contains("- `bots/x/IDENTITY.md` line 3: warning [unknown-key]"),
            "{reply}"
        );
    }

    #[tokio::test]
    async fn the_disk_host_never_overwrites_a_file_that_changed_since_the_plan() {
        let (_dir, view) = workspace();
        let path = view.folders[0].join("SOUL.md");
        std::fs::write(&path, "mine\n").unwrap();
        let writes = [FileWrite {
            path: path.clone(),
            old: Some("what the plan saw\n".into()),
            new: Some("new\n".into()),
        }];
        assert!(DiskHost.apply(&writes, "test").await.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
    }
}
