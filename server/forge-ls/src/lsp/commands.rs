//! `workspace/executeCommand` for the builder (docs/interface.md) and the builder questions
//! offered in the files (code actions, completions, code lenses): JSON in, a call to
//! `forge_builder::commands` / `forge_builder::offers`, LSP out. The builder decides; this module
//! only converts, and [`super::host::LspHost`] does what the builder asks of the editor.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, ShowDocumentParams, Uri};

use super::convert;
use super::host::{ClientAbilities, LspHost};
use super::shared::Shared;
use super::shared::Snapshot;
use forge_analysis::document::Document;
use forge_builder::commands::{
    self as cmds, ChatRequest, ChatResult, CommandError, InstallRequest, SkillRequest, View,
};
use forge_builder::drafts::{Drafts, Turn};
use forge_builder::service::{self as svc, ServiceError};
use forge_builder::{Answer, Mode, Session};
use forge_syntax::diagnostic::Severity;
use forge_syntax::text::{LineIndex, PositionEncoding};

/// Every command this module answers, as advertised in `executeCommandProvider`.
pub const COMMANDS: &[&str] = &[
    "forge.builder.start",
    "forge.builder.answer",
    "forge.builder.session",
    "forge.builder.drafts",
    "forge.builder.delete",
    "forge.builder.assemble",
    "forge.builder.reconfigure",
    "forge.builder.chat",
    "forge.builder.transcript",
    "forge.skill.create",
    "forge.skill.validate",
    "forge.skill.install",
];

/// How long a `window/showDocument` may take before assemble returns without it.
const SHOW_DOCUMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// JSON-RPC error code of a failed model request (the message says what to do).
const MODEL_FAILED: i64 = -32004;

/// Process-wide builder state, kept in the router's `Shared`.
#[derive(Default)]
pub struct CommandState {
    pub drafts: Drafts,
    pub abilities: ClientAbilities,
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

fn command_err(e: CommandError) -> Error {
    match e {
        CommandError::Service(s) => err(s),
        CommandError::Cancelled => Error::request_cancelled(),
        CommandError::Model(message) => Error {
            code: ErrorCode::ServerError(MODEL_FAILED),
            message: message.into(),
            data: None,
        },
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    err(ServiceError::Invalid(msg.into()))
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

fn mode_arg(mode: &str) -> Result<Mode> {
    Mode::parse(mode).ok_or_else(|| {
        invalid(format!(
            "`mode` must be \"bot\", \"skill\" or \"openclaw-workspace\", not `{mode}`"
        ))
    })
}

/// `confirm`: true, false, or absent (ask the user).
fn confirm_arg(arg: &Value) -> Result<Option<bool>> {
    match arg.get("confirm") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid(format!(
            "`confirm` must be true or false, not {other}"
        ))),
    }
}

fn optional_path(arg: &Value, key: &str) -> Result<Option<PathBuf>> {
    str_arg(arg, key)?.map(|s| path_arg(s, key)).transpose()
}

fn uri_of(path: &Path) -> Result<Uri> {
    Uri::from_file_path(path).ok_or_else(|| {
        err(ServiceError::Conflict(format!(
            "cannot make a URI of {}",
            path.display()
        )))
    })
}

/// The URIs of `paths`, as strings.
fn uris(paths: &mut dyn Iterator<Item = &PathBuf>) -> Result<Vec<String>> {
    paths.map(|p| uri_of(p).map(|u| u.to_string())).collect()
}

/// The workspace as the builder sees it from this snapshot: open documents (by path) win over
/// the disk. Only `Arc`s are cloned; a text is copied when the builder reads that file.
pub(super) fn view(snap: &Snapshot) -> View {
    let open: std::collections::HashMap<PathBuf, Arc<Document>> = snap
        .docs
        .values()
        .map(|d| (d.path.clone(), d.clone()))
        .collect();
    View {
        folders: snap.folders.clone(),
        settings: snap.settings.clone(),
        index: snap.index.clone(),
        read: Arc::new(move |p: &Path| match open.get(p) {
            Some(d) => Ok(Some(d.text().to_string())),
            None => svc::read_optional(p),
        }),
        models: snap.models.clone(),
    }
}

/// The `{session_id, turn, can_go_back}` result.
fn turn_result(s: &Session) -> Result<Value> {
    Ok(json!({
        "session_id": s.session_id,
        "turn": to_json(&s.turn)?,
        "can_go_back": s.can_go_back(),
    }))
}

/// Queues an `executeCommand` that names a `session_id` for that session's turn. Called by the
/// router as the request arrives (synchronously, so in arrival order).
pub fn queue_turn(shared: &Shared, params: Option<&Value>) -> Option<Turn> {
    let id = params?
        .get("arguments")?
        .get(0)?
        .get("session_id")?
        .as_str()?;
    Some(shared.commands.drafts.queue(id))
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
    // guard, which cancels the token the LLM client watches.
    let cmd = cmd.to_string();
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    let progress_token = p.work_done_progress_params.work_done_token;
    let out = tokio::spawn(async move {
        let _turn = match turn {
            Some(t) => Some(t.take().await),
            None => None,
        };
        let host = LspHost {
            client: shared.client.get(),
            abilities: &shared.commands.abilities,
            encoding: snap.encoding,
            progress_token,
        };
        dispatch(&cmd, arg, &snap, &shared, &host, &cancel).await
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
    snap: &Snapshot,
    shared: &Shared,
    host: &LspHost<'_>,
    cancel: &CancellationToken,
) -> Result<Value> {
    let drafts = &shared.commands.drafts;
    let view = view(snap);
    let id = |command| required(&arg, "session_id", command).map(str::to_string);
    match cmd {
        "forge.builder.start" => {
            let mode = mode_arg(required(&arg, "mode", cmd)?)?;
            let description = str_arg(&arg, "description")?.unwrap_or("").to_string();
            let folder = optional_path(&arg, "folder")?;
            let s = cmds::start(drafts, &view, host, cancel, mode, description, folder)
                .await
                .map_err(command_err)?;
            turn_result(&s)
        }
        "forge.builder.answer" => {
            let id = id(cmd)?;
            let ans = arg.get("answer").ok_or_else(|| {
                invalid("forge.builder.answer needs `answer`: {option: n}, {text}, {confirm: bool} or {back: true}")
            })?;
            let ans = Answer::from_json(ans).map_err(|e| invalid(e.to_string()))?;
            let s = cmds::answer(drafts, &view, host, cancel, id, ans)
                .await
                .map_err(command_err)?;
            turn_result(&s)
        }
        "forge.builder.session" => {
            let s = cmds::session(drafts, &view, host, id(cmd)?)
                .await
                .map_err(command_err)?;
            Ok(json!({
                "session_id": s.session_id,
                "mode": s.mode,
                "phase": s.phase,
                "description": s.description,
                "answers": to_json(s.answer_summaries())?,
                "turn": to_json(&s.turn)?,
                "can_go_back": s.can_go_back(),
                "question_id": s.pending.question_id,
                "conversation": to_json(&s.conversation)?,
                "bound_folder": s.bound_folder,
            }))
        }
        "forge.builder.drafts" => {
            to_json(cmds::list(drafts, &view, host).await.map_err(command_err)?)
        }
        "forge.builder.delete" => {
            let deleted = cmds::delete(drafts, &view, host, id(cmd)?)
                .await
                .map_err(command_err)?;
            Ok(json!({ "deleted": deleted }))
        }
        "forge.builder.assemble" => {
            let folder = optional_path(&arg, "folder")?;
            let plan = cmds::assemble(drafts, &view, host, id(cmd)?, folder)
                .await
                .map_err(command_err)?;
            if let (Some(client), Ok(uri)) = (host.client, uri_of(&plan.soul)) {
                let show = client.show_document(ShowDocumentParams {
                    uri,
                    external: None,
                    take_focus: Some(true),
                    selection: None,
                });
                // Opening the file is a courtesy: the bot is written whatever the editor answers.
                let _ = tokio::time::timeout(SHOW_DOCUMENT_TIMEOUT, show).await;
            }
            let files = uris(&mut plan.files.iter())?;
            let deleted = uris(
                &mut plan
                    .writes
                    .iter()
                    .filter(|w| w.new.is_none())
                    .map(|w| &w.path),
            )?;
            Ok(json!({ "files": files, "deleted": deleted }))
        }
        "forge.builder.reconfigure" => {
            let path = path_arg(required(&arg, "uri", cmd)?, "uri")?;
            let s = cmds::reconfigure(drafts, &view, host, cancel, &path)
                .await
                .map_err(command_err)?;
            turn_result(&s)
        }
        "forge.builder.chat" => {
            let mode = str_arg(&arg, "mode")?.map(mode_arg).transpose()?;
            let req = ChatRequest {
                session_id: str_arg(&arg, "session_id")?.map(str::to_string),
                mode,
                message: required(&arg, "message", cmd)?.to_string(),
                new_id: None,
                folder: optional_path(&arg, "folder")?,
            };
            let r = cmds::chat(drafts, &view, host, cancel, req)
                .await
                .map_err(command_err)?;
            chat_result(&r)
        }
        "forge.builder.transcript" => {
            let s = cmds::session(drafts, &view, host, id(cmd)?)
                .await
                .map_err(command_err)?;
            Ok(json!({
                "session_id": s.session_id,
                "mode": s.mode,
                "messages": to_json(&s.transcript)?,
                "reply": forge_builder::chat::reply(&s),
                "options": to_json(forge_builder::chat::options(&s))?,
                "phase": s.phase,
                "question_id": s.pending.question_id,
                "ready_to_assemble": s.is_ready(),
            }))
        }
        "forge.skill.create" => {
            let confirm = confirm_arg(&arg)?;
            let req = SkillRequest {
                session_id: str_arg(&arg, "session_id")?.map(str::to_string),
                description: str_arg(&arg, "description")?.map(str::to_string),
                name: str_arg(&arg, "name")?.map(str::to_string),
                bot: optional_path(&arg, "bot")?,
                confirm,
            };
            let plan = cmds::create_skill(drafts, &view, host, cancel, req)
                .await
                .map_err(command_err)?;
            Ok(json!({
                "uri": uri_of(&plan.path)?.to_string(),
                "diagnostics": lsp_diagnostics(&plan.text, &plan.diagnostics, snap.encoding),
            }))
        }
        "forge.skill.install" => {
            let req = InstallRequest {
                source: path_arg(required(&arg, "source", cmd)?, "source")?,
                bot: optional_path(&arg, "bot")?,
                confirm: confirm_arg(&arg)?,
            };
            let plan = cmds::install_skill(&view, host, req)
                .await
                .map_err(command_err)?;
            let folder = plan.path.parent().unwrap_or(&plan.path).to_path_buf();
            let mut findings = Vec::new();
            for (rel, text) in &plan.files {
                let diags: Vec<_> = plan
                    .findings
                    .iter()
                    .filter(|f| &f.file == rel)
                    .map(|f| f.diagnostic.clone())
                    .collect();
                if !diags.is_empty() {
                    findings.push(json!({
                        "uri": uri_of(&folder.join(rel))?.to_string(),
                        "diagnostics": lsp_diagnostics(text, &diags, snap.encoding),
                    }));
                }
            }
            Ok(json!({
                "uri": uri_of(&plan.path)?.to_string(),
                "name": plan.name,
                "replaced": plan.replaces,
                "errors": plan.errors().count(),
                "findings": findings,
            }))
        }
        "forge.skill.validate" => {
            let target = optional_path(&arg, "uri")?;
            let reports = cmds::validate_skills(&view, target)
                .await
                .map_err(command_err)?;
            let mut skills = Vec::new();
            for r in &reports {
                skills.push(json!({
                    "uri": uri_of(&r.path)?.to_string(),
                    "name": r.name,
                    "errors": r.count(Severity::Error),
                    "warnings": r.count(Severity::Warning),
                    "diagnostics": lsp_diagnostics(&r.text, &r.diagnostics, snap.encoding),
                }));
            }
            Ok(json!({ "skills": skills }))
        }
        soul if super::souls::COMMANDS.contains(&soul) => {
            super::souls::execute(soul, &arg, snap, shared).await
        }
        p if super::preview::COMMANDS.contains(&p) => {
            super::preview::execute(p, &arg, snap, shared).await
        }
        other => Err(invalid(format!(
            "unknown command `{other}`; forge-ls offers {}",
            COMMANDS
                .iter()
                .chain(super::souls::COMMANDS)
                .chain(super::preview::COMMANDS)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The result of `forge.builder.chat` (docs/interface.md#chat).
fn chat_result(r: &ChatResult) -> Result<Value> {
    let s = &r.session;
    let (phase_label, allow_free_text) = match &s.turn {
        forge_builder::BuilderTurn::AskQuestion {
            phase_label,
            allow_free_text,
            ..
        } => (phase_label.clone(), *allow_free_text),
        _ => (None, false),
    };
    let mut out = json!({
        "session_id": s.session_id,
        "mode": s.mode,
        "reply": r.reply,
        "options": to_json(&r.options)?,
        "phase": s.phase,
        "phase_label": phase_label,
        "question_id": s.pending.question_id,
        "allow_free_text": allow_free_text && !r.done(),
        "ready_to_assemble": s.is_ready() && !r.done(),
        "can_go_back": s.can_go_back() && !r.done(),
        "understood": r.understood,
        "done": r.done(),
        "turn": to_json(&s.turn)?,
    });
    if let Some(w) = &r.written {
        out["files"] = json!(uris(&mut w.files.iter())?);
        out["deleted"] = json!(uris(&mut w.deleted.iter())?);
        let mut problems = Vec::new();
        for p in &w.problems {
            problems.push(json!({
                "uri": uri_of(&p.path)?.to_string(),
                "line": p.line,
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
            }));
        }
        out["problems"] = json!(problems);
    }
    Ok(out)
}

fn lsp_diagnostics(
    text: &str,
    diags: &[forge_syntax::diagnostic::Diagnostic],
    enc: PositionEncoding,
) -> Vec<tower_lsp_server::ls_types::Diagnostic> {
    let index = LineIndex::new(text);
    diags
        .iter()
        .map(|d| convert::diagnostic_in(text, &index, d, enc))
        .collect()
}
