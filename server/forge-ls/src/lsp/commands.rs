//! `workspace/executeCommand` for the builder (interface spec §4) and the builder questions offered
//! in the files (§5: code actions and code lenses).
//!
//! Thin: arguments are parsed here, the work is done by [`forge_builder::service`], and file writes
//! go out as one `workspace/applyEdit`. The drafts store is opened lazily (again if `draftsPath` changes), and
//! used from `spawn_blocking` behind a mutex (SQLite calls block). Commands on one session hold that
//! session's async lock from load to save (and across the client's applyEdit in assemble), so two
//! answers cannot interleave; other sessions proceed meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeLens, CodeLensParams, Command, CompletionItem, CompletionItemKind, CompletionParams,
    CompletionTextEdit, CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges,
    Documentation, ExecuteCommandParams, MarkupContent, MarkupKind, MessageType, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp, ResourceOperationKind,
    ShowDocumentParams, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use super::router::Shared;
use super::state::Snapshot;
use forge_analysis::document::Document;
use forge_analysis::workspace::index::Index;
use forge_analysis::FileKind;
use forge_builder::flow::{options_for, OptionInput};
use forge_builder::service::{self as svc, FileWrite, ServiceError};
use forge_builder::spot;
use forge_builder::{
    self, load_bot, write_answer, BotTexts, BuilderContext, BuilderTurn, FileTarget, Mode, Session,
    WorkspaceSkill,
};
use forge_store::drafts::DraftStore;
use forge_syntax::diagnostic::Severity;
use forge_syntax::text::PositionEncoding;
use tokio_util::sync::CancellationToken;

/// Every command this module answers, as advertised in `executeCommandProvider`.
pub const COMMANDS: &[&str] = &[
    "forge.builder.start",
    "forge.builder.answer",
    "forge.builder.session",
    "forge.builder.drafts",
    "forge.builder.delete",
    "forge.builder.assemble",
    "forge.builder.reconfigure",
    "forge.skill.create",
    "forge.skill.validate",
];

/// How long a `window/showDocument` may take before assemble returns without it.
const SHOW_DOCUMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a listing of the workspace's skills is reused for builder suggestions.
const SKILLS_TTL: Duration = Duration::from_secs(5);

/// The last listing of the workspace's skills and when it was made.
type SkillsCache = Mutex<Option<(Instant, Vec<WorkspaceSkill>)>>;

/// Past this many session locks, the unused ones are dropped.
const PRUNE_LOCKS_AT: usize = 64;

/// Process-wide builder state, kept in the router's `Shared`.
#[derive(Default)]
pub struct CommandState {
    /// Opened on first use; `Arc` so `spawn_blocking` closures can own a handle.
    store: Arc<Mutex<Option<DraftStore>>>,
    /// Per-session locks, kept while a command holds or waits for one.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Bound bot folder → session id, so code actions find a folder's session without a scan.
    bound: Arc<Mutex<HashMap<PathBuf, String>>>,
    caps: OnceLock<ClientCapabilities>,
    /// The workspace's skills with the time they were listed: walking a large workspace on every
    /// answer would dominate its cost, and a few seconds' staleness only affects suggestions.
    pub(super) skills: Arc<SkillsCache>,
}

impl CommandState {
    /// Remembers what the client can do (resource operations, showDocument).
    pub fn set_client_capabilities(&self, caps: ClientCapabilities) {
        let _ = self.caps.set(caps);
    }

    /// Whether the client accepts server-initiated `window/workDoneProgress/create`.
    pub(super) fn supports_work_done_progress(&self) -> bool {
        self.caps
            .get()
            .and_then(|c| c.window.as_ref())
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false)
    }

    fn can_create_files(&self) -> bool {
        self.caps
            .get()
            .and_then(|c| c.workspace.as_ref())
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
    }

    /// The workspace skills, listed at most every [`SKILLS_TTL`]. Call from a blocking context.
    pub(super) fn workspace_skills(
        cache: &SkillsCache,
        folders: &[PathBuf],
        index: &Index,
    ) -> Vec<WorkspaceSkill> {
        let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
        match &*c {
            Some((at, skills)) if at.elapsed() < SKILLS_TTL => skills.clone(),
            _ => {
                let skills = svc::workspace_skills_indexed(index, folders)
                    .unwrap_or_else(|| svc::workspace_skills(folders));
                *c = Some((Instant::now(), skills.clone()));
                skills
            }
        }
    }

    fn session_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Session ids come from the client, any number of them: a lock only
        // this map still refers to (no command holds or waits for it) goes.
        if m.len() >= PRUNE_LOCKS_AT {
            m.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        m.entry(id.to_string()).or_default().clone()
    }
}

pub(super) fn err(e: ServiceError) -> Error {
    let code = match &e {
        ServiceError::Invalid(_) | ServiceError::NotFound(_) => ErrorCode::InvalidParams,
        ServiceError::Storage(_) => ErrorCode::ServerError(-32001),
        ServiceError::Conflict(_) => ErrorCode::ServerError(-32003),
    };
    Error {
        code,
        message: e.to_string().into(),
        data: None,
    }
}

pub(super) fn invalid(msg: impl Into<String>) -> Error {
    err(ServiceError::Invalid(msg.into()))
}

/// Runs `f` on the drafts store (opening it on first use, or again when `draftsPath` changed)
/// on the blocking pool.
async fn with_store<T: Send + 'static>(
    shared: &Shared,
    snap: &Snapshot,
    create: bool,
    f: impl FnOnce(&DraftStore) -> svc::Result<T> + Send + 'static,
) -> Result<Option<T>> {
    let store = shared.commands.store.clone();
    let bound = shared.commands.bound.clone();
    let path = svc::drafts_path(&snap.folders, &snap.settings);
    let (out, warning) = tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        let mut warning = None;
        // A changed `draftsPath` moves the builder to the database it names; the old file stays
        // as it is (its sessions are not lost, only no longer listed).
        if let (Some(open), Ok(want)) = (guard.as_ref(), path.as_ref()) {
            if open.path() != want.as_path() {
                *guard = None;
                bound.lock().unwrap_or_else(|p| p.into_inner()).clear();
            }
        }
        if guard.is_none() {
            let path = path?;
            // Code actions and lenses only read: they must not create a database in the workspace.
            if !create && !path.exists() {
                return Ok((None, None));
            }
            let s = DraftStore::open(&path)?;
            warning = s.warning().map(str::to_string);
            index_bound(&s, &bound);
            *guard = Some(s);
        }
        let Some(s) = guard.as_ref() else {
            return Ok((None, warning));
        };
        f(s).map(|v| (Some(v), warning))
    })
    .await
    .map_err(|_| Error::internal_error())?
    .map_err(err)?;
    if let Some(w) = warning {
        if let Some(client) = shared.client.get() {
            client.show_message(MessageType::WARNING, w).await;
        }
    }
    Ok(out)
}

/// Rebuilds the bound-folder index from the stored drafts (once, when the store opens).
fn index_bound(store: &DraftStore, bound: &Mutex<HashMap<PathBuf, String>>) {
    let Ok(list) = store.list() else { return };
    let mut m = bound.lock().unwrap_or_else(|p| p.into_inner());
    // Oldest first so the newest session of a folder wins.
    for d in list.iter().rev() {
        if let Ok(Some(s)) = store.load::<Session>(&d.session_id) {
            if let Some(f) = &s.bound_folder {
                m.insert(PathBuf::from(f), s.session_id.clone());
            }
        }
    }
}

pub(super) fn note_saved(shared: &Shared, s: &Session) {
    if let Some(f) = &s.bound_folder {
        let mut m = shared
            .commands
            .bound
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        m.insert(PathBuf::from(f), s.session_id.clone());
    }
}

fn note_deleted(shared: &Shared, id: &str) {
    let mut m = shared
        .commands
        .bound
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    m.retain(|_, v| v != id);
}

pub(super) async fn store_op<T: Send + 'static>(
    shared: &Shared,
    snap: &Snapshot,
    f: impl FnOnce(&DraftStore) -> svc::Result<T> + Send + 'static,
) -> Result<T> {
    with_store(shared, snap, true, f)
        .await?
        .ok_or_else(Error::internal_error)
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|_| Error::internal_error())
}

fn str_arg<'a>(arg: &'a Value, key: &str) -> Result<Option<&'a str>> {
    match arg.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(format!("`{key}` must be a string, not {other}"))),
    }
}

fn required<'a>(arg: &'a Value, key: &str, command: &str) -> Result<&'a str> {
    str_arg(arg, key)?.ok_or_else(|| invalid(format!("{command} needs `{key}` (a string)")))
}

/// A URI or an absolute path (scripts send either) to a path.
fn path_arg(s: &str, key: &str) -> Result<PathBuf> {
    if let Ok(uri) = s.parse::<Uri>() {
        if uri.scheme().as_str().eq_ignore_ascii_case("file") {
            return uri
                .to_file_path()
                .map(|p| p.into_owned())
                .ok_or_else(|| invalid(format!("`{key}` is not a file URI: {s}")));
        }
    }
    let p = PathBuf::from(s);
    if p.is_absolute() {
        Ok(p)
    } else {
        Err(invalid(format!(
            "`{key}` must be a file URI or an absolute path, not `{s}`"
        )))
    }
}

fn uri_of(path: &Path) -> Result<Uri> {
    Uri::from_file_path(path).ok_or_else(|| {
        err(ServiceError::Conflict(format!(
            "cannot make a URI of {}",
            path.display()
        )))
    })
}

/// Open documents by path: what the editor shows wins over the disk. Only `Arc`s are cloned; a
/// text is copied when a reader asks for that file (code actions, lenses and completion in bot
/// files call this on every request).
pub(super) type OpenDocs = Arc<HashMap<PathBuf, Arc<Document>>>;

pub(super) fn open_texts(snap: &Snapshot) -> OpenDocs {
    Arc::new(
        snap.docs
            .values()
            .map(|d| (d.path.clone(), d.clone()))
            .collect(),
    )
}

pub(super) fn reader(open: OpenDocs) -> impl Fn(&Path) -> svc::Result<Option<String>> {
    move |p: &Path| match open.get(p) {
        Some(d) => Ok(Some(d.text().to_string())),
        None => svc::read_optional(p),
    }
}

/// The `{session_id, turn}` result.
fn turn_result(s: &Session) -> Result<Value> {
    Ok(json!({ "session_id": s.session_id, "turn": to_json(&s.turn)? }))
}

/// A command's place in the queue of its session (`session_id` argument): commands on one session
/// run one at a time, in the order they arrived, from load to save (and across the client's
/// applyEdit in assemble); other sessions proceed meanwhile.
pub enum Turn {
    Held(tokio::sync::OwnedMutexGuard<()>),
    Queued(
        std::pin::Pin<
            Box<dyn std::future::Future<Output = tokio::sync::OwnedMutexGuard<()>> + Send>,
        >,
    ),
}

impl Turn {
    async fn take(self) -> tokio::sync::OwnedMutexGuard<()> {
        match self {
            Turn::Held(g) => g,
            Turn::Queued(f) => f.await,
        }
    }
}

/// Queues an `executeCommand` for its session's lock. Called by the router as the request
/// arrives (synchronously, so in arrival order): tokio's mutex serves waiters in the order of
/// their first poll, which happens here rather than whenever the handler task first runs.
pub fn queue_turn(shared: &Shared, params: Option<&Value>) -> Option<Turn> {
    let id = params?
        .get("arguments")?
        .get(0)?
        .get("session_id")?
        .as_str()?;
    let mut acquire: std::pin::Pin<
        Box<dyn std::future::Future<Output = tokio::sync::OwnedMutexGuard<()>> + Send>,
    > = Box::pin(shared.commands.session_lock(id).lock_owned());
    let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
    match acquire.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(g) => Some(Turn::Held(g)),
        // Queued now; the handler's await installs its real waker.
        std::task::Poll::Pending => Some(Turn::Queued(acquire)),
    }
}

pub async fn execute(
    params: Value,
    snap: Snapshot,
    shared: Arc<Shared>,
    turn: Option<Turn>,
) -> Result<Value> {
    let p: ExecuteCommandParams = serde_json::from_value(params)
        .map_err(|e| invalid(format!("invalid executeCommand parameters: {e}")))?;
    let cmd = p.command.as_str();
    if p.arguments.len() > 1 {
        return Err(invalid(format!(
            "{cmd} takes one JSON object argument, got {}",
            p.arguments.len()
        )));
    }
    let arg = p.arguments.into_iter().next().unwrap_or(json!({}));
    let arg = match arg {
        Value::Object(_) => arg,
        Value::Null => json!({}),
        other => {
            return Err(invalid(format!(
                "{cmd} takes one JSON object argument, not {other}"
            )))
        }
    };
    // Commands change drafts and files: once started they run to the end in their own task, so a
    // `$/cancelRequest` (which drops this future) cannot stop an assemble between the applied edit
    // and the draft's deletion. The client then gets "cancelled", but the state stays consistent.
    // The one thing a cancellation does stop is a model request: dropping this future drops the
    // guard, which cancels the token the LLM client watches (see `agent::Call`).
    let cmd = cmd.to_string();
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    let call = super::agent::Call {
        cancel,
        progress_token: p.work_done_progress_params.work_done_token,
    };
    let out = tokio::spawn(async move {
        let _turn = match turn {
            Some(t) => Some(t.take().await),
            None => None,
        };
        dispatch(&cmd, arg, snap, shared, call).await
    })
    .await
    .map_err(|e| {
        tracing::error!("builder command failed: {e}");
        Error::internal_error()
    })?;
    guard.disarm();
    out
}

async fn dispatch(
    cmd: &str,
    arg: Value,
    snap: Snapshot,
    shared: Arc<Shared>,
    call: super::agent::Call,
) -> Result<Value> {
    match cmd {
        "forge.builder.start" => start(&arg, &snap, &shared, &call).await,
        "forge.builder.answer" => answer(&arg, &snap, &shared, &call).await,
        "forge.builder.session" => session(&arg, &snap, &shared).await,
        "forge.builder.drafts" => to_json(store_op(&shared, &snap, |s| Ok(s.list()?)).await?),
        "forge.builder.delete" => delete(&arg, &snap, &shared).await,
        "forge.builder.assemble" => assemble(&arg, &snap, &shared).await,
        "forge.builder.reconfigure" => reconfigure(&arg, &snap, &shared, &call).await,
        "forge.skill.create" => skill_create(&arg, &snap, &shared, &call).await,
        "forge.skill.validate" => skill_validate(&arg, &snap).await,
        soul if super::souls::COMMANDS.contains(&soul) => {
            super::souls::execute(soul, &arg, &snap, &shared).await
        }
        other => Err(invalid(format!(
            "unknown command `{other}`; forge-ls offers {}",
            COMMANDS
                .iter()
                .chain(super::souls::COMMANDS)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

async fn start(
    arg: &Value,
    snap: &Snapshot,
    shared: &Shared,
    call: &super::agent::Call,
) -> Result<Value> {
    let mode = match required(arg, "mode", "forge.builder.start")? {
        "bot" => Mode::Bot,
        "skill" => Mode::Skill,
        other => {
            return Err(invalid(format!(
                "`mode` must be \"bot\" or \"skill\", not `{other}`"
            )))
        }
    };
    let description = str_arg(arg, "description")?.unwrap_or("").to_string();
    let folder = match str_arg(arg, "folder")? {
        Some(f) => {
            let p = path_arg(f, "folder")?;
            Some(svc::inside_workspace(&snap.folders, &p).map_err(err)?)
        }
        None => None,
    };
    let folder = folder.map(|f| f.to_string_lossy().into_owned());
    let s = super::agent::start(shared, snap, call, mode, description, folder).await?;
    turn_result(&s)
}

async fn answer(
    arg: &Value,
    snap: &Snapshot,
    shared: &Shared,
    call: &super::agent::Call,
) -> Result<Value> {
    let id = required(arg, "session_id", "forge.builder.answer")?.to_string();
    let ans = arg
        .get("answer")
        .cloned()
        .ok_or_else(|| invalid("forge.builder.answer needs `answer`: {option: n}, {text}, {confirm: bool} or {back: true}"))?;
    let s = super::agent::answer(shared, snap, call, id, &ans).await?;
    turn_result(&s)
}

async fn session(arg: &Value, snap: &Snapshot, shared: &Shared) -> Result<Value> {
    let id = required(arg, "session_id", "forge.builder.session")?.to_string();
    let s = store_op(shared, snap, move |store| svc::load_session(store, &id)).await?;
    Ok(json!({
        "session_id": s.session_id,
        "mode": s.mode,
        "phase": s.phase,
        "description": s.description,
        "answers": to_json(s.answer_summaries())?,
        "turn": to_json(&s.turn)?,
        "conversation": to_json(&s.conversation)?,
        "bound_folder": s.bound_folder,
    }))
}

async fn delete(arg: &Value, snap: &Snapshot, shared: &Shared) -> Result<Value> {
    let id = required(arg, "session_id", "forge.builder.delete")?.to_string();
    let key = id.clone();
    let deleted = store_op(shared, snap, move |store| Ok(store.delete(&key)?)).await?;
    note_deleted(shared, &id);
    Ok(json!({ "deleted": deleted }))
}

async fn reconfigure(
    arg: &Value,
    snap: &Snapshot,
    shared: &Shared,
    call: &super::agent::Call,
) -> Result<Value> {
    let path = path_arg(required(arg, "uri", "forge.builder.reconfigure")?, "uri")?;
    let folder = svc::inside_workspace(&snap.folders, &svc::bot_folder_of(&path)).map_err(err)?;
    let s = super::agent::reconfigure(shared, snap, call, folder).await?;
    turn_result(&s)
}

async fn apply(shared: &Shared, snap: &Snapshot, writes: &[FileWrite], label: &str) -> Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    if writes.iter().any(|w| w.old.is_none()) && !shared.commands.can_create_files() {
        return Err(err(ServiceError::Conflict(format!(
            "{label} needs to create files, but this editor does not support creating files through workspace edits (workspace.workspaceEdit.resourceOperations: create)"
        ))));
    }
    let edit = workspace_edit(writes, snap.encoding)?;
    let client = shared.client.get().ok_or_else(Error::internal_error)?;
    match client.apply_edit(edit).await {
        Ok(r) if r.applied => Ok(()),
        Ok(r) => Err(err(ServiceError::Conflict(format!(
            "the editor did not apply the {label} edit{}; nothing was written and the draft is kept",
            r.failure_reason
                .map(|why| format!(" ({why})"))
                .unwrap_or_default()
        )))),
        Err(e) => Err(err(ServiceError::Conflict(format!(
            "the editor failed to apply the {label} edit ({}); the draft is kept",
            e.message
        )))),
    }
}

/// Creates go first (`CreateFile`, then the text); existing files get one minimal range edit
/// against the text the plan was computed from.
pub fn workspace_edit(writes: &[FileWrite], enc: PositionEncoding) -> Result<WorkspaceEdit> {
    let mut ops = Vec::new();
    for w in writes {
        let uri = uri_of(&w.path)?;
        let edit = match &w.old {
            None => {
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
                TextEdit {
                    range: Range::default(),
                    new_text: w.new.clone(),
                }
            }
            Some(old) => minimal_edit(old, &w.new, enc),
        };
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(edit)],
        }));
    }
    Ok(WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: None,
    })
}

/// One edit replacing only the differing middle of `old` (common prefix and suffix kept), so the
/// editor's undo, cursor and folding are disturbed as little as possible.
pub fn minimal_edit(old: &str, new: &str, enc: PositionEncoding) -> TextEdit {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while pre > 0 && (!old.is_char_boundary(pre) || !new.is_char_boundary(pre)) {
        pre -= 1;
    }
    // Never split a CRLF: positions between \r and \n do not exist for the client.
    if pre > 0 && a[pre - 1] == b'\r' {
        pre -= 1;
    }
    let max_suf = a.len().min(b.len()) - pre;
    let mut suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    while suf > 0 && (!old.is_char_boundary(a.len() - suf) || !new.is_char_boundary(b.len() - suf))
    {
        suf -= 1;
    }
    if suf > 0 && a[a.len() - suf] == b'\n' && a.len() - suf > 0 && a[a.len() - suf - 1] == b'\r' {
        suf -= 1;
    }
    TextEdit {
        range: Range {
            start: position(old, pre, enc),
            end: position(old, a.len() - suf, enc),
        },
        new_text: new[pre..b.len() - suf].to_string(),
    }
}

/// The LSP position of a byte offset; `\n`, `\r\n` and a lone `\r` all end a line.
pub fn position(text: &str, offset: usize, enc: PositionEncoding) -> Position {
    let before = &text[..offset];
    let mut line = 0u32;
    let mut start = 0usize;
    let bytes = before.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        let ends = c == b'\n' || (c == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            start = i + 1;
        }
    }
    let rest = &before[start..];
    let character = match enc {
        PositionEncoding::Utf8 => rest.len(),
        PositionEncoding::Utf16 => rest.encode_utf16().count(),
    };
    Position {
        line,
        character: character as u32,
    }
}

async fn assemble(arg: &Value, snap: &Snapshot, shared: &Shared) -> Result<Value> {
    let id = required(arg, "session_id", "forge.builder.assemble")?.to_string();
    let folder = match str_arg(arg, "folder")? {
        Some(f) => Some(path_arg(f, "folder")?),
        None => None,
    };
    let key = id.clone();
    let session = store_op(shared, snap, move |store| svc::load_session(store, &key)).await?;
    let folders = snap.folders.clone();
    let settings = snap.settings.clone();
    let read = reader(open_texts(snap));
    let s = session.clone();
    let plan = tokio::task::spawn_blocking(move || {
        svc::plan_assemble(&s, &folders, &settings, folder.as_deref(), &read)
    })
    .await
    .map_err(|_| Error::internal_error())?
    .map_err(err)?;
    apply(shared, snap, &plan.writes, "assemble").await?;
    let memory = plan.memory.clone();
    let key = id.clone();
    store_op(shared, snap, move |store| {
        svc::finish(store, &key, Some(&memory))
    })
    .await?;
    note_deleted(shared, &id);
    if let (Some(client), Ok(uri)) = (shared.client.get(), uri_of(&plan.soul)) {
        let show = client.show_document(ShowDocumentParams {
            uri,
            external: None,
            take_focus: Some(true),
            selection: None,
        });
        // Opening the file is a courtesy: the bot is written whatever the editor answers.
        let _ = tokio::time::timeout(SHOW_DOCUMENT_TIMEOUT, show).await;
    }
    let files = plan
        .files
        .iter()
        .map(|p| uri_of(p).map(|u| u.to_string()))
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({ "files": files }))
}

fn lsp_diagnostics(
    path: &Path,
    text: &str,
    diags: &[forge_syntax::diagnostic::Diagnostic],
    snap: &Snapshot,
) -> Vec<tower_lsp_server::ls_types::Diagnostic> {
    // A document only for its line index; its own analysis is never computed here.
    let doc = Document::new(
        path.to_path_buf(),
        FileKind::Skill,
        0,
        text,
        snap.settings.profile,
    );
    diags
        .iter()
        .map(|d| convert::diagnostic(&doc, d, snap.encoding))
        .collect()
}

async fn skill_create(
    arg: &Value,
    snap: &Snapshot,
    shared: &Shared,
    call: &super::agent::Call,
) -> Result<Value> {
    let id = str_arg(arg, "session_id")?.map(str::to_string);
    let description = str_arg(arg, "description")?.map(str::to_string);
    let name = str_arg(arg, "name")?.map(str::to_string);
    let bot = match str_arg(arg, "bot")? {
        Some(b) => Some(path_arg(b, "bot")?),
        None => None,
    };
    if id.is_none() && description.is_none() {
        return Err(invalid(
            "forge.skill.create needs {session_id} or {description, name?, bot?}",
        ));
    }
    if id.is_none() && description.as_deref().is_some_and(|d| d.trim().is_empty()) {
        return Err(invalid(
            "forge.skill.create: `description` is empty; say in a sentence what the skill does and when to use it",
        ));
    }
    let session = match id.clone() {
        Some(i) => Some(store_op(shared, snap, move |store| svc::load_session(store, &i)).await?),
        None => None,
    };
    let folders = snap.folders.clone();
    let settings = snap.settings.clone();
    let read = reader(open_texts(snap));
    let plan = tokio::task::spawn_blocking(move || {
        svc::plan_skill(
            session.as_ref(),
            description.as_deref(),
            name.as_deref(),
            bot.as_deref(),
            &folders,
            &settings,
            &read,
        )
    })
    .await
    .map_err(|_| Error::internal_error())?
    .map_err(err)?;
    let confirm = match arg.get("confirm") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            return Err(invalid(format!(
                "`confirm` must be true or false, not {other}"
            )))
        }
    };
    let plan = super::agent::draft(shared, snap, call, plan, confirm).await?;
    apply(shared, snap, &plan.writes, "skill.create").await?;
    if let Some(i) = id {
        let key = i.clone();
        store_op(shared, snap, move |store| svc::finish(store, &key, None)).await?;
        note_deleted(shared, &i);
    }
    Ok(json!({
        "uri": uri_of(&plan.path)?.to_string(),
        "diagnostics": lsp_diagnostics(&plan.path, &plan.text, &plan.diagnostics, snap),
    }))
}

async fn skill_validate(arg: &Value, snap: &Snapshot) -> Result<Value> {
    let target = match str_arg(arg, "uri")? {
        Some(u) => Some(path_arg(u, "uri")?),
        None => None,
    };
    let folders = snap.folders.clone();
    let profile = snap.settings.profile;
    let open = open_texts(snap);
    let reports = tokio::task::spawn_blocking(move || {
        svc::validate_skills(target.as_deref(), &folders, profile, &|p| {
            open.get(p).map(|d| d.text().to_string())
        })
    })
    .await
    .map_err(|_| Error::internal_error())?
    .map_err(err)?;
    let mut skills = Vec::new();
    for r in &reports {
        skills.push(json!({
            "uri": uri_of(&r.path)?.to_string(),
            "name": r.name,
            "errors": r.count(Severity::Error),
            "warnings": r.count(Severity::Warning),
            "diagnostics": lsp_diagnostics(&r.path, &r.text, &r.diagnostics, snap),
        }));
    }
    Ok(json!({ "skills": skills }))
}

// ---------- §5: builder questions in the files ----------

/// The bot file a target lives in.
fn target_file(t: &FileTarget) -> Option<&'static str> {
    match t {
        FileTarget::Identity(_) => Some("IDENTITY.md"),
        FileTarget::SoulFrontmatter(_) | FileTarget::SoulSection(_) => Some("SOUL.md"),
        FileTarget::UserIntro | FileTarget::UserSection(_) => Some("USER.md"),
        FileTarget::SkillsToml => Some("skills.toml"),
        FileTarget::SkillFrontmatter(_) | FileTarget::SkillBody => None,
    }
}

fn is_bot_file(doc: &Document) -> bool {
    matches!(
        doc.kind,
        FileKind::Identity | FileKind::Soul | FileKind::User | FileKind::SkillsToml
    )
}

/// The session bound to `folder`, if any (without creating a drafts database).
async fn bound_session(shared: &Shared, snap: &Snapshot, folder: &Path) -> Option<Session> {
    let folder = folder.canonicalize().ok()?;
    // Opening the store fills the index, so open (read-only intent) before looking.
    with_store(shared, snap, false, |_| Ok(())).await.ok()?;
    let id = shared.commands.bound.lock().ok()?.get(&folder).cloned()?;
    with_store(shared, snap, false, move |s| Ok(s.load(&id)?))
        .await
        .ok()
        .flatten()
        .flatten()
}

/// One answer to a builder question, ready to be offered in a file.
struct Offer {
    /// "Forge · Personality: What tone should Luna use?"
    question: String,
    /// The option's label.
    label: String,
    writes: Vec<FileWrite>,
    /// Records the answer in the bound session, if there is one.
    command: Option<Command>,
}

impl Offer {
    fn title(&self) -> String {
        format!("{} → {}", self.question, self.label)
    }
}

fn changes_to_writes(
    folder: &Path,
    texts: &BotTexts,
    ch: forge_builder::BotChanges,
) -> Vec<FileWrite> {
    let mut out = Vec::new();
    let files = [
        ("IDENTITY.md", &texts.identity, ch.identity),
        ("SOUL.md", &texts.soul, ch.soul),
        ("USER.md", &texts.user, ch.user),
        ("skills.toml", &texts.skills_toml, ch.skills_toml),
    ];
    for (name, old, new) in files {
        if let Some(new) = new.filter(|n| Some(n) != old.as_ref()) {
            out.push(FileWrite {
                path: folder.join(name),
                old: old.clone(),
                new,
            });
        }
    }
    for (name, text) in ch.new_skills {
        out.push(FileWrite {
            path: folder.join("skills").join(name).join("SKILL.md"),
            old: None,
            new: text,
        });
    }
    out
}

/// The §5 offers for the bot file `doc`: the bound session's pending question (edit + recording
/// command), else every unanswered question whose answer lives in this file (edit only). With
/// `at`, only the questions whose answer goes at that byte offset (completion); a half-typed key
/// or heading there is replaced by the answer.
async fn offers(shared: &Shared, snap: &Snapshot, doc: &Document, at: Option<usize>) -> Vec<Offer> {
    // Edits are only offered for bots inside the workspace, like every other builder write.
    let Some(folder) = doc
        .path
        .parent()
        .filter(|f| svc::inside_workspace(&snap.folders, f).is_ok())
        // The edits name the files as the editor opened them (not the canonical path).
        .map(Path::to_path_buf)
    else {
        return Vec::new();
    };
    let file = doc.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Ok(texts) = svc::bot_texts(&folder, &reader(open_texts(snap))) else {
        return Vec::new();
    };
    let spot = match (at, doc.kind) {
        (None, _) => None,
        (Some(o), FileKind::SkillsToml) => match spot::toml_spot(doc.text(), o) {
            Some(s) => Some(s),
            None => return Vec::new(),
        },
        (Some(o), _) => Some(spot::markdown_spot(doc.text(), o)),
    };
    // The texts with the cursor's half-typed line taken out, for answers that replace it.
    let without_line = at.map(|o| {
        let text = doc.text();
        let o = forge_syntax::text::floor_char_boundary(text, o);
        let start = text[..o].rfind('\n').map_or(0, |i| i + 1);
        let end = text[o..].find('\n').map_or(text.len(), |i| o + i + 1);
        let mut t = texts.clone();
        let cut = format!("{}{}", &text[..start], &text[end..]);
        match doc.kind {
            FileKind::Identity => t.identity = Some(cut),
            FileKind::Soul => t.soul = Some(cut),
            FileKind::User => t.user = Some(cut),
            _ => t.skills_toml = Some(cut),
        }
        t
    });
    let loaded = load_bot(
        texts.identity.as_deref(),
        texts.soul.as_deref(),
        texts.user.as_deref(),
        texts.skills_toml.as_deref(),
    );
    let name = loaded.config.name.clone().unwrap_or_default();
    let present = |f: &str| match f {
        "IDENTITY.md" => texts.identity.is_some(),
        "SOUL.md" => texts.soul.is_some(),
        "USER.md" => texts.user.is_some(),
        "skills.toml" => texts.skills_toml.is_some(),
        _ => false,
    };
    // Which texts a question's answer is computed on, or None when it is not offered here. A
    // question is offered in the files its answer goes to; when none of them exists yet (a bot
    // without skills.toml asked about skills), SOUL.md hosts its code actions, so it is never
    // unreachable.
    let base = |q: &forge_builder::QuestionSpec| -> Option<&BotTexts> {
        let mut files = q.targets.iter().filter_map(target_file);
        let in_file = files.clone().any(|f| f == file);
        match &spot {
            None => (in_file || (file == "SOUL.md" && !files.any(present))).then_some(&texts),
            Some(spot) => {
                let t = q
                    .targets
                    .iter()
                    .find(|t| target_file(t) == Some(file) && spot.fits(t))?;
                if spot.replaces_line(t) {
                    without_line.as_ref()
                } else {
                    Some(&texts)
                }
            }
        }
    };
    let mut out = Vec::new();
    let can_create = shared.commands.can_create_files();
    let mut push = |question: String,
                    label: String,
                    texts: &BotTexts,
                    field,
                    value: &forge_builder::FieldValue,
                    command| {
        let Ok(ch) = write_answer(texts, &name, field, value, &|_| false) else {
            return;
        };
        let writes = changes_to_writes(&folder, texts, ch);
        // A file the edit would create needs resource operations; skip rather than offer a dud.
        if writes.is_empty() || (writes.iter().any(|w| w.old.is_none()) && !can_create) {
            return;
        }
        out.push(Offer {
            question,
            label,
            writes,
            command,
        });
    };
    if let Some(s) = bound_session(shared, snap, &folder).await {
        let (
            Some(q),
            BuilderTurn::AskQuestion {
                phase,
                question,
                options,
                ..
            },
        ) = (s.pending_question(), &s.turn)
        else {
            return out;
        };
        let Some(texts) = base(q) else {
            return out;
        };
        for (i, value) in s.pending.choices.iter().enumerate() {
            let label = options
                .get(i)
                .map(|o| o.label.clone())
                .unwrap_or_else(|| value.display());
            let command = Command {
                title: "Record the builder answer".into(),
                command: "forge.builder.answer".into(),
                arguments: Some(vec![
                    json!({"session_id": s.session_id, "answer": {"option": i}}),
                ]),
            };
            let question = format!("Forge · {}: {question}", phase.short_label());
            push(question, label, texts, q.field, value, Some(command));
        }
        return out;
    }
    let about = loaded
        .config
        .description
        .clone()
        .or_else(|| loaded.config.purpose.clone())
        .unwrap_or_default();
    let category = forge_builder::classify_purpose(&about);
    let asked: Vec<_> = loaded
        .unanswered()
        .into_iter()
        .filter_map(|q| Some((q, base(q)?)))
        .collect();
    // Most spots answer no question: skip listing the workspace's skills for them.
    if asked.is_empty() {
        return out;
    }
    let ctx = offer_context(shared, snap, &about).await;
    for (q, texts) in asked {
        let choices = options_for(
            q,
            &OptionInput {
                description: &about,
                category: &category,
                config: &loaded.config,
                skill: None,
                ctx: &ctx,
            },
        );
        let text = q.text_for(Some(&name).filter(|n| !n.is_empty()).map(String::as_str));
        for c in choices {
            let question = format!("Forge · {}: {text}", q.phase.short_label());
            push(question, c.option.label, texts, q.field, &c.value, None);
        }
    }
    out
}

/// What the options of a question asked without a session draw on: the indexed skills and, when
/// a drafts database already exists, the builder's memory (never created just for this).
async fn offer_context(shared: &Shared, snap: &Snapshot, about: &str) -> BuilderContext {
    let mut skills: Vec<WorkspaceSkill> = snap
        .index
        .skills()
        .map(|(_, s)| WorkspaceSkill {
            name: s.name.clone(),
            description: s.description.clone().unwrap_or_default(),
        })
        .collect();
    skills.sort_by(|a, b| a.name.cmp(&b.name));
    skills.dedup_by(|a, b| a.name == b.name);
    let about = about.to_string();
    let with_memory = skills.clone();
    with_store(shared, snap, false, move |s| {
        Ok(svc::context_with(s, with_memory, &about))
    })
    .await
    .ok()
    .flatten()
    .unwrap_or(BuilderContext {
        workspace_skills: skills,
        ..BuilderContext::default()
    })
}

/// Builder answers as completion items at the cursor (§5): each item's main edit rewrites the
/// cursor's line, other lines of the file change through `additionalTextEdits`, and accepting it
/// records the answer in the bound session. Answers that would touch another file are left to the
/// code actions.
pub async fn question_completions(
    snap: &Snapshot,
    shared: &Shared,
    p: &CompletionParams,
) -> Vec<CompletionItem> {
    let pos = &p.text_document_position;
    let Some(doc) = snap.doc(&pos.text_document.uri).filter(|d| is_bot_file(d)) else {
        return Vec::new();
    };
    let text = doc.text();
    let index = forge_syntax::text::LineIndex::new(text);
    let at = index.offset(text, convert::line_col(pos.position), snap.encoding);
    let range = |r: std::ops::Range<usize>| convert::range(index.range(text, r, snap.encoding));
    offers(shared, snap, doc, Some(at))
        .await
        .into_iter()
        .filter_map(|o| {
            let [w] = o.writes.as_slice() else {
                return None;
            };
            if w.path != doc.path {
                return None;
            }
            let e = forge_syntax::text::cursor_edit(text, &w.new, at);
            let (main, new_text) = e.main;
            let typed = &text[main.start..at.max(main.start)];
            Some(CompletionItem {
                label: o.label.clone(),
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(o.question.clone()),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: format!(
                        "{}\n\nWrites:\n```\n{}\n```",
                        o.title(),
                        new_text.trim_end()
                    ),
                })),
                // Builder answers first: they are what this spot is for.
                sort_text: Some(format!("!{}", o.label)),
                filter_text: Some(format!("{typed}{}", o.label)),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: range(main),
                    new_text,
                })),
                additional_text_edits: Some(
                    e.additional
                        .into_iter()
                        .map(|(r, new_text)| TextEdit {
                            range: range(r),
                            new_text,
                        })
                        .collect(),
                ),
                command: o.command,
                ..Default::default()
            })
        })
        .collect()
}

/// Code actions for §5, appended after the quick fixes by `handlers`.
pub async fn code_actions(
    snap: &Snapshot,
    shared: &Shared,
    p: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let wanted = p.context.only.as_ref().is_none_or(|only| {
        only.iter().any(|k| {
            CodeActionKind::REFACTOR_REWRITE
                .as_str()
                .starts_with(k.as_str())
        })
    });
    let Some(doc) = snap.doc(&p.text_document.uri).filter(|d| is_bot_file(d)) else {
        return Vec::new();
    };
    if !wanted {
        return Vec::new();
    }
    let enc = snap.encoding;
    offers(shared, snap, doc, None)
        .await
        .into_iter()
        .filter_map(|o| {
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: o.title(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(workspace_edit(&o.writes, enc).ok()?),
                command: o.command,
                ..Default::default()
            }))
        })
        .collect()
}

/// `textDocument/codeLens`: one lens at the top of a bot file naming its pending question.
pub async fn code_lenses(snap: &Snapshot, shared: &Shared, p: CodeLensParams) -> Result<Value> {
    let Some(doc) = snap.doc(&p.text_document.uri).filter(|d| is_bot_file(d)) else {
        return Ok(Value::Null);
    };
    let Some(folder) = doc.path.parent() else {
        return Ok(Value::Null);
    };
    let top = Range::default();
    let lens = if let Some(s) = bound_session(shared, snap, folder).await {
        let title = match &s.turn {
            BuilderTurn::AskQuestion {
                phase, question, ..
            } => format!(
                "Forge · {}: {question} (answers offered as code actions)",
                phase.short_label()
            ),
            BuilderTurn::ShowPreview { .. } => "Forge · Review: confirm the changes".into(),
            BuilderTurn::ReadyToAssemble { .. } => {
                "Forge · ready: run forge.builder.assemble to write the changes".into()
            }
            BuilderTurn::Clarify { message } => format!("Forge · {message}"),
        };
        Some(CodeLens {
            range: top,
            command: Some(Command {
                title,
                command: "forge.builder.session".into(),
                arguments: Some(vec![json!({"session_id": s.session_id})]),
            }),
            data: None,
        })
    } else {
        let open = reader(open_texts(snap));
        let texts = svc::bot_texts(folder, &open).ok();
        let unanswered = texts
            .map(|t| {
                load_bot(
                    t.identity.as_deref(),
                    t.soul.as_deref(),
                    t.user.as_deref(),
                    t.skills_toml.as_deref(),
                )
                .unanswered()
            })
            .unwrap_or_default();
        unanswered.first().map(|q| CodeLens {
            range: top,
            command: Some(Command {
                title: format!(
                    "Forge · {} unanswered builder question{} ({} …)",
                    unanswered.len(),
                    if unanswered.len() == 1 { "" } else { "s" },
                    q.text_for(None)
                ),
                command: "forge.builder.reconfigure".into(),
                arguments: Some(vec![json!({"uri": p.text_document.uri.to_string()})]),
            }),
            data: None,
        })
    };
    let mut lenses: Vec<CodeLens> = lens.into_iter().collect();
    lenses.extend(super::souls::code_lenses(snap, &p.text_document.uri));
    to_json(lenses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply_text(old: &str, e: &TextEdit, enc: PositionEncoding) -> String {
        let off = |p: Position| {
            (0..=old.len())
                .filter(|&i| old.is_char_boundary(i))
                .find(|&i| position(old, i, enc) == p)
                .unwrap()
        };
        let (s, t) = (off(e.range.start), off(e.range.end));
        format!("{}{}{}", &old[..s], e.new_text, &old[t..])
    }

    #[test]
    fn session_locks_in_use_stay_and_the_rest_are_dropped() {
        let state = CommandState::default();
        let held = state.session_lock("busy").try_lock_owned().unwrap();
        for i in 0..1000 {
            drop(state.session_lock(&format!("s{i}")));
        }
        let locks = state.locks.lock().unwrap();
        assert!(locks.len() <= PRUNE_LOCKS_AT, "{} locks kept", locks.len());
        // Still the same lock: a second command on the session would wait for the first.
        assert!(locks["busy"].clone().try_lock_owned().is_err());
        drop(held);
    }

    #[test]
    fn minimal_edits_round_trip() {
        let cases = [
            ("a\r\nb\r\nc", "a\r\nB\r\nc"),
            ("tone: warm\n", "tone: calm\n"),
            ("héllo wörld", "héllo wörld!"),
            ("x\ry\rz", "x\rY\rz"),
            ("same", "same"),
            ("", "new"),
            ("old\r\n", "old\n"),
        ];
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            for (a, b) in cases {
                let e = minimal_edit(a, b, enc);
                assert_eq!(apply_text(a, &e, enc), b, "{a:?} → {b:?}");
            }
        }
        let e = minimal_edit(
            "tone: warm\nrest\n",
            "tone: calm\nrest\n",
            PositionEncoding::Utf8,
        );
        assert_eq!(e.new_text, "cal"); // "warm" → "calm" share only the final "m"
    }
}
