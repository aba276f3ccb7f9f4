//! `forge-ls acp`: the builder's chat over the Agent Client Protocol (v1) on stdin/stdout, for
//! Zed, CodeCompanion, avante.nvim and any ACP client. Like `lsp/commands.rs` this only converts:
//! every turn is `forge_builder::commands::chat` (or `reconfigure`, `list`, `session`), and
//! [`AcpHost`] does what the builder asks of the editor: progress as thought chunks, warnings in
//! the chat, questions and the files written as a `session/request_permission` over an `edit`
//! tool call, the writes through the client's `fs/write_text_file` when it offers it.
//!
//! Protocol: agentclientprotocol/agent-client-protocol@b7f00054:docs/protocol/v1/ (initialization,
//! session-setup, prompt-turn, tool-calls, file-system, slash-commands, cancellation).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use agent_client_protocol::schema::ProtocolVersion;
use agent_client_protocol::v1::schema as acp;
use agent_client_protocol::v1::{ConnectionTo, Responder};
use agent_client_protocol::{Agent, Client, Error, Stdio};
use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use forge_analysis::workspace::index::Index;
use forge_builder::chat::{reply as turn_reply, Role as ChatRole};
use forge_builder::commands::{
    self as cmds, ChatRequest, CommandError, DiskHost, Host, Progress, View,
};
use forge_builder::drafts::Drafts;
use forge_builder::service::{self as svc, FileWrite, ServiceError};
use forge_builder::settings::Settings;
use forge_builder::Mode;

const USAGE: &str = "usage: forge-ls acp [--settings FILE]

Speaks the Agent Client Protocol on stdin/stdout: the builder as a chat for Zed, CodeCompanion,
avante.nvim or any ACP client. FILE: a JSON file with the `forge` settings (as the LSP takes them,
e.g. {\"llm\": {\"provider\": \"openai\", \"baseUrl\": \"http://127.0.0.1:11434\"}}).";

/// The slash commands, advertised with `available_commands_update`: (name, description, hint).
const COMMANDS: &[(&str, &str, Option<&str>)] = &[
    (
        "bot",
        "Build a new Boternity bot",
        Some("what the bot is for"),
    ),
    ("skill", "Build a new skill", Some("what the skill does")),
    (
        "resume",
        "List the drafts, or continue one",
        Some("draft id or number"),
    ),
    ("back", "Return to the previous phase", None),
    ("preview", "Show what the session would build so far", None),
    ("assemble", "Write the files", None),
    (
        "reconfigure",
        "Change an existing bot",
        Some("a file or folder of the bot"),
    ),
];

/// One ACP session: a chat in a workspace, on a builder draft once the first message came.
struct Chat {
    cwd: PathBuf,
    draft: Option<String>,
    /// The mode of the next draft (`/bot`, `/skill`).
    mode: Mode,
    /// Whether a draft was ever started in this chat (the first one gets the ACP session's id,
    /// so `session/load` of that id finds it).
    started: bool,
    /// The running prompt's token (`session/cancel` cancels it).
    running: Option<CancellationToken>,
}

struct State {
    settings: Arc<Settings>,
    /// One drafts handle per workspace: each keeps its own database open.
    drafts: Mutex<HashMap<PathBuf, Arc<Drafts>>>,
    chats: Mutex<HashMap<String, Chat>>,
    /// The client offered `fs.writeTextFile`.
    fs_write: std::sync::atomic::AtomicBool,
}

impl State {
    fn drafts(&self, cwd: &Path) -> Arc<Drafts> {
        let mut m = self.drafts.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(cwd.to_path_buf()).or_default().clone()
    }

    fn view(&self, cwd: &Path) -> View {
        View {
            folders: Arc::new(vec![cwd.to_path_buf()]),
            settings: self.settings.clone(),
            index: Arc::new(Index::new()),
            read: Arc::new(svc::read_optional),
            // The provider's model list is fetched by the language server; here the model
            // question offers the built-in table.
            models: None,
        }
    }

    fn chats(&self) -> std::sync::MutexGuard<'_, HashMap<String, Chat>> {
        self.chats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(-32602, message.into())
}

/// The JSON-RPC error of a failed command, with the codes of the LSP commands
/// (docs/interface.md#errors).
fn command_error(e: CommandError) -> Error {
    match e {
        CommandError::Service(s) => {
            let code = match &s {
                ServiceError::Invalid(_) | ServiceError::NotFound(_) => -32602,
                ServiceError::Storage(_) => -32001,
                ServiceError::Conflict(_) => -32003,
            };
            Error::new(code, s.to_string())
        }
        CommandError::Model(m) => Error::new(-32004, m),
        CommandError::Cancelled => Error::request_cancelled(),
    }
}

/// The workspace of a session: `cwd`, absolute and an existing folder, symlinks resolved.
fn workspace(cwd: &Path) -> Result<PathBuf, Error> {
    if !cwd.is_absolute() {
        return Err(invalid(format!(
            "`cwd` must be an absolute path, not `{}`",
            cwd.display()
        )));
    }
    let c = cwd
        .canonicalize()
        .map_err(|e| invalid(format!("`cwd` {}: {e}", cwd.display())))?;
    if !c.is_dir() {
        return Err(invalid(format!("`cwd` {} is not a folder", c.display())));
    }
    Ok(c)
}

/// Parses `forge-ls acp`'s arguments: the settings, or the usage (`Err("")`) or an error.
pub fn parse_args(args: &[String]) -> Result<Settings, String> {
    let mut settings = Settings::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--settings" => {
                let file = it.next().ok_or("--settings needs a FILE")?;
                let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
                let v: Value =
                    serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
                // The section itself, or an object holding it under `forge` (a client's settings).
                let section = v.get("forge").cloned().unwrap_or(v);
                let (s, warnings) = Settings::from_json(&section);
                for w in warnings {
                    eprintln!("forge-ls acp: {file}: {w}");
                }
                settings = s;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(settings)
}

/// `forge-ls acp [--settings FILE]`.
pub fn main(args: &[String]) -> ExitCode {
    let settings = match parse_args(args) {
        Ok(s) => s,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("forge-ls acp: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    crate::lsp::init_logging();
    let runtime = match crate::lsp::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let state = Arc::new(State {
        settings: Arc::new(settings),
        drafts: Mutex::default(),
        chats: Mutex::default(),
        fs_write: false.into(),
    });
    match runtime.block_on(serve(state)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("acp: {e:?}");
            ExitCode::from(1)
        }
    }
}

async fn serve(state: Arc<State>) -> Result<(), Error> {
    let (s1, s2, s3, s4, s5) = (
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
    );
    Agent
        .v1()
        .name("forge-ls")
        .on_receive_request(
            async move |req: acp::InitializeRequest, responder, _cx| {
                s1.fs_write.store(
                    req.client_capabilities.fs.write_text_file,
                    std::sync::atomic::Ordering::SeqCst,
                );
                responder.respond(
                    acp::InitializeResponse::new(ProtocolVersion::V1)
                        .agent_capabilities(acp::AgentCapabilities::new().load_session(true))
                        .auth_methods(Vec::new())
                        .agent_info(acp::Implementation::new(
                            "forge-ls",
                            env!("CARGO_PKG_VERSION"),
                        )),
                )
            },
            agent_client_protocol::on_receive_request!(),
        )
        .on_receive_request(
            async move |req: acp::NewSessionRequest, responder, cx| {
                let cwd = match workspace(&req.cwd) {
                    Ok(c) => c,
                    Err(e) => return responder.respond_with_error(e),
                };
                let id = uuid::Uuid::new_v4().to_string();
                s2.chats().insert(
                    id.clone(),
                    Chat {
                        cwd,
                        draft: None,
                        mode: Mode::Bot,
                        started: false,
                        running: None,
                    },
                );
                responder.respond(acp::NewSessionResponse::new(id.clone()))?;
                send_commands(&cx, &id)?;
                say(
                    &cx,
                    &id,
                    "Tell me what you want to build (a bot by default; `/skill` for a skill, `/resume` for a draft).",
                )
            },
            agent_client_protocol::on_receive_request!(),
        )
        .on_receive_request(
            async move |req: acp::LoadSessionRequest, responder, cx| {
                let state = s3.clone();
                cx.clone().spawn(async move {
                    let id = req.session_id.0.to_string();
                    let r = load(&state, &cx, req).await;
                    let loaded = r.is_ok();
                    respond(responder, r)?;
                    // After the response: the client knows the session by then.
                    if loaded {
                        if let Err(e) = send_commands(&cx, &id) {
                            tracing::warn!("acp: {e:?}");
                        }
                    }
                    Ok(())
                })
            },
            agent_client_protocol::on_receive_request!(),
        )
        .on_receive_request(
            async move |req: acp::PromptRequest, responder, cx| {
                let id = req.session_id.0.to_string();
                let cancel = CancellationToken::new();
                {
                    let mut chats = s4.chats();
                    let Some(chat) = chats.get_mut(&id) else {
                        return responder.respond_with_error(invalid(format!(
                            "unknown session `{id}`: create one with session/new or load a draft with session/load"
                        )));
                    };
                    if chat.running.is_some() {
                        return responder.respond_with_error(Error::new(
                            -32600,
                            format!("a prompt is already running in session `{id}`: wait for its reply or cancel it (session/cancel)"),
                        ));
                    }
                    chat.running = Some(cancel.clone());
                }
                let state = s4.clone();
                cx.clone().spawn(async move {
                    let r = prompt(&state, &cx, &id, &req.prompt, &cancel).await;
                    if let Some(chat) = state.chats().get_mut(&id) {
                        chat.running = None;
                    }
                    let r = match r {
                        _ if cancel.is_cancelled() => {
                            Ok(acp::PromptResponse::new(acp::StopReason::Cancelled))
                        }
                        Ok(()) => Ok(acp::PromptResponse::new(acp::StopReason::EndTurn)),
                        Err(e) => Err(e),
                    };
                    respond(responder, r)
                })
            },
            agent_client_protocol::on_receive_request!(),
        )
        .on_receive_notification(
            async move |n: acp::CancelNotification, _cx| {
                if let Some(token) = s5
                    .chats()
                    .get(&*n.session_id.0)
                    .and_then(|c| c.running.clone())
                {
                    token.cancel();
                }
                Ok(())
            },
            agent_client_protocol::on_receive_notification!(),
        )
        .connect_to(Stdio::new())
        .await
}

/// Answers a request; a response that cannot be sent (the client is gone) is only logged, so
/// the connection's task never fails over it.
fn respond<T: agent_client_protocol::JsonRpcResponse>(
    responder: Responder<T>,
    r: Result<T, Error>,
) -> Result<(), Error> {
    let sent = match r {
        Ok(v) => responder.respond(v),
        Err(e) => responder.respond_with_error(e),
    };
    if let Err(e) = sent {
        tracing::warn!("acp: cannot answer: {e:?}");
    }
    Ok(())
}

fn update(cx: &ConnectionTo<Client>, session: &str, u: acp::SessionUpdate) -> Result<(), Error> {
    cx.send_notification(acp::SessionNotification::new(session.to_string(), u))
}

/// The builder's words, as agent message chunks (a paragraph each, so a client shows them as
/// they come).
fn say(cx: &ConnectionTo<Client>, session: &str, text: &str) -> Result<(), Error> {
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    let n = paragraphs.len();
    for (i, p) in paragraphs.into_iter().enumerate() {
        let chunk = if i + 1 < n {
            format!("{p}\n\n")
        } else {
            p.to_string()
        };
        update(
            cx,
            session,
            acp::SessionUpdate::AgentMessageChunk(acp::ContentChunk::new(chunk.into())),
        )?;
    }
    Ok(())
}

fn send_commands(cx: &ConnectionTo<Client>, session: &str) -> Result<(), Error> {
    let commands = COMMANDS
        .iter()
        .map(|(name, description, hint)| {
            let c = acp::AvailableCommand::new(*name, *description);
            match hint {
                Some(h) => c.input(acp::AvailableCommandInput::Unstructured(
                    acp::UnstructuredCommandInput::new(*h),
                )),
                None => c,
            }
        })
        .collect();
    update(
        cx,
        session,
        acp::SessionUpdate::AvailableCommandsUpdate(acp::AvailableCommandsUpdate::new(commands)),
    )
}

/// Replays a draft's transcript as the conversation it was.
fn replay(
    cx: &ConnectionTo<Client>,
    session: &str,
    s: &forge_builder::Session,
) -> Result<(), Error> {
    for m in &s.transcript {
        let chunk = acp::ContentChunk::new(m.text.clone().into());
        let u = match m.role {
            ChatRole::User => acp::SessionUpdate::UserMessageChunk(chunk),
            ChatRole::Forge => acp::SessionUpdate::AgentMessageChunk(chunk),
        };
        update(cx, session, u)?;
    }
    // A draft from before transcripts, or whose last word was the user's: the pending turn.
    if s.transcript
        .last()
        .is_none_or(|m| m.role != ChatRole::Forge)
    {
        say(cx, session, &turn_reply(s))?;
    }
    Ok(())
}

/// `session/load`: the draft `session_id` of the workspace `cwd`, its conversation replayed.
async fn load(
    state: &State,
    cx: &ConnectionTo<Client>,
    req: acp::LoadSessionRequest,
) -> Result<acp::LoadSessionResponse, Error> {
    let cwd = workspace(&req.cwd)?;
    let id = req.session_id.0.to_string();
    if state.chats().get(&id).is_some_and(|c| c.running.is_some()) {
        return Err(invalid(format!(
            "session `{id}` is answering a prompt; load it again when it is done"
        )));
    }
    let drafts = state.drafts(&cwd);
    let view = state.view(&cwd);
    let host = AcpHost::new(state, cx, &id);
    let s = cmds::session(&drafts, &view, &host, id.clone())
        .await
        .map_err(command_error)?;
    replay(cx, &id, &s)?;
    state.chats().insert(
        id.clone(),
        Chat {
            cwd,
            draft: Some(id.clone()),
            mode: s.mode,
            started: true,
            running: None,
        },
    );
    Ok(acp::LoadSessionResponse::new())
}

/// The prompt's text: its text blocks, joined.
fn prompt_text(blocks: &[acp::ContentBlock]) -> String {
    blocks
        .iter()
        .filter_map(|b| match b {
            acp::ContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// One `session/prompt`: a slash command or a chat message, the reply streamed.
async fn prompt(
    state: &State,
    cx: &ConnectionTo<Client>,
    id: &str,
    blocks: &[acp::ContentBlock],
    cancel: &CancellationToken,
) -> Result<(), Error> {
    let text = prompt_text(blocks);
    let (cwd, draft, mode, started) = {
        let chats = state.chats();
        let c = chats
            .get(id)
            .ok_or_else(|| invalid(format!("unknown session `{id}`")))?;
        (c.cwd.clone(), c.draft.clone(), c.mode, c.started)
    };
    let drafts = state.drafts(&cwd);
    let view = state.view(&cwd);
    let host = AcpHost::new(state, cx, id);
    let set_draft = |draft: Option<String>, mode: Option<Mode>| {
        if let Some(c) = state.chats().get_mut(id) {
            c.started |= draft.is_some();
            c.draft = draft;
            if let Some(m) = mode {
                c.mode = m;
            }
        }
    };
    let (command, rest) = match text.strip_prefix('/') {
        Some(t) => {
            let (c, r) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
            (Some(c.to_string()), r.trim().to_string())
        }
        None => (None, text.clone()),
    };
    let message = match command.as_deref() {
        None => rest,
        Some("back" | "preview" | "assemble") if draft.is_some() => {
            command.clone().unwrap_or_default()
        }
        Some("back" | "preview" | "assemble") => {
            return say(
                cx,
                id,
                "There is nothing to work on yet: tell me what to build first.",
            )
        }
        Some(m @ ("bot" | "skill")) => {
            let mode = if m == "bot" { Mode::Bot } else { Mode::Skill };
            set_draft(None, Some(mode));
            if rest.is_empty() {
                return say(
                    cx,
                    id,
                    &format!("A new {m}: tell me what it should do, in a sentence or two."),
                );
            }
            return chat_turn(
                &drafts, &view, &host, cx, id, cancel, None, mode, started, rest, &set_draft,
            )
            .await;
        }
        Some("resume") => {
            let list = cmds::list(&drafts, &view, &host)
                .await
                .map_err(command_error)?;
            if rest.is_empty() {
                if list.is_empty() {
                    return say(cx, id, "There are no drafts in this workspace.");
                }
                let mut out = String::from("Drafts in this workspace, newest first:\n\n");
                for (i, d) in list.iter().enumerate() {
                    out.push_str(&format!(
                        "{}. `{}` · {} · {} · {}\n",
                        i + 1,
                        d.session_id,
                        d.mode,
                        d.phase,
                        d.description.lines().next().unwrap_or("")
                    ));
                }
                out.push_str("\nSay `/resume` with a number or an id to continue one.");
                return say(cx, id, &out);
            }
            let pick = match rest.parse::<usize>() {
                Ok(n) if (1..=list.len()).contains(&n) => list[n - 1].session_id.clone(),
                _ => rest.clone(),
            };
            let s = cmds::session(&drafts, &view, &host, pick.clone())
                .await
                .map_err(command_error)?;
            set_draft(Some(pick), Some(s.mode));
            return replay(cx, id, &s);
        }
        Some("reconfigure") => {
            if rest.is_empty() {
                return say(
                    cx,
                    id,
                    "Say `/reconfigure` with a file or the folder of the bot to change.",
                );
            }
            let path = cwd.join(&rest);
            let s = cmds::reconfigure(&drafts, &view, &host, cancel, &path)
                .await
                .map_err(command_error)?;
            set_draft(Some(s.session_id.clone()), Some(s.mode));
            return say(cx, id, &turn_reply(&s));
        }
        Some(other) => {
            let names: Vec<String> = COMMANDS.iter().map(|(n, _, _)| format!("/{n}")).collect();
            return say(
                cx,
                id,
                &format!(
                    "`/{other}` is not a command here; these are: {}.",
                    names.join(", ")
                ),
            );
        }
    };
    if message.is_empty() {
        return Err(invalid("the prompt has no text"));
    }
    chat_turn(
        &drafts, &view, &host, cx, id, cancel, draft, mode, started, message, &set_draft,
    )
    .await
}

/// One chat message to the draft (or a new draft of `mode`), the reply said.
#[allow(clippy::too_many_arguments)]
async fn chat_turn(
    drafts: &Drafts,
    view: &View,
    host: &AcpHost<'_>,
    cx: &ConnectionTo<Client>,
    id: &str,
    cancel: &CancellationToken,
    draft: Option<String>,
    mode: Mode,
    started: bool,
    message: String,
    set_draft: &(dyn Fn(Option<String>, Option<Mode>) + Sync),
) -> Result<(), Error> {
    let fresh = draft.is_none();
    let req = ChatRequest {
        mode: fresh.then_some(mode),
        // The chat's first draft takes the ACP session's id, so `session/load` finds it.
        new_id: (fresh && !started).then(|| id.to_string()),
        session_id: draft,
        message,
        folder: None,
    };
    let r = cmds::chat(drafts, view, host, cancel, req)
        .await
        .map_err(command_error)?;
    set_draft(
        (!r.done()).then(|| r.session.session_id.clone()),
        Some(r.session.mode),
    );
    say(cx, id, &r.reply)
}

/// The builder's [`Host`] over ACP.
struct AcpHost<'a> {
    cx: &'a ConnectionTo<Client>,
    session: String,
    fs_write: bool,
}

impl<'a> AcpHost<'a> {
    fn new(state: &State, cx: &'a ConnectionTo<Client>, session: &str) -> AcpHost<'a> {
        AcpHost {
            cx,
            session: session.to_string(),
            fs_write: state.fs_write.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    fn note(&self, text: String) {
        if let Err(e) = say(self.cx, &self.session, &text) {
            tracing::warn!("acp: {e:?}");
        }
    }

    /// Asks the user through `session/request_permission` about `tool_call`.
    async fn permission(
        &self,
        tool_call: acp::ToolCallUpdate,
        yes: &str,
        no: &str,
    ) -> Result<bool, Error> {
        let options = vec![
            acp::PermissionOption::new("yes", yes, acp::PermissionOptionKind::AllowOnce),
            acp::PermissionOption::new("no", no, acp::PermissionOptionKind::RejectOnce),
        ];
        let r = self
            .cx
            .send_request(acp::RequestPermissionRequest::new(
                self.session.clone(),
                tool_call,
                options,
            ))
            .block_task()
            .await?;
        Ok(matches!(
            r.outcome,
            acp::RequestPermissionOutcome::Selected(ref s) if &*s.option_id.0 == "yes"
        ))
    }

    fn tool_status(&self, id: &str, status: acp::ToolCallStatus) {
        let u = acp::ToolCallUpdate::new(
            id.to_string(),
            acp::ToolCallUpdateFields::new().status(status),
        );
        if let Err(e) = update(
            self.cx,
            &self.session,
            acp::SessionUpdate::ToolCallUpdate(u),
        ) {
            tracing::warn!("acp: {e:?}");
        }
    }

    /// The files written: through the client when it offers `fs/write_text_file` (so its open
    /// buffers see them), else straight to disk. Each file only if it still has the text the
    /// plan was computed from; deletions always on disk (ACP has no delete).
    async fn write(&self, writes: &[FileWrite]) -> Result<(), ServiceError> {
        if !self.fs_write {
            return DiskHost.apply(writes, "assemble").await;
        }
        cmds::unchanged(writes)?;
        for w in writes {
            match &w.new {
                Some(text) => {
                    self.cx
                        .send_request(acp::WriteTextFileRequest::new(
                            self.session.clone(),
                            w.path.clone(),
                            text.clone(),
                        ))
                        .block_task()
                        .await
                        .map_err(|e| {
                            ServiceError::Conflict(format!(
                                "the editor did not write {}: {}",
                                w.path.display(),
                                e.message
                            ))
                        })?;
                }
                None => std::fs::remove_file(&w.path).map_err(|e| {
                    ServiceError::Conflict(format!("cannot delete {}: {e}", w.path.display()))
                })?,
            }
        }
        Ok(())
    }
}

impl Host for AcpHost<'_> {
    fn progress(&self, _title: &str) -> Option<Progress> {
        let cx = self.cx.clone();
        let session = self.session.clone();
        Some(Progress {
            report: Arc::new(move |m: String| {
                let u = acp::SessionUpdate::AgentThoughtChunk(acp::ContentChunk::new(
                    format!("{m}\n").into(),
                ));
                if let Err(e) = update(&cx, &session, u) {
                    tracing::warn!("acp: {e:?}");
                }
            }),
            done: Box::pin(async {}),
        })
    }

    fn warn(&self, message: String) -> BoxFuture<'_, ()> {
        self.note(format!("> **Note:** {message}\n\n"));
        Box::pin(async {})
    }

    fn error(&self, message: String) -> BoxFuture<'_, ()> {
        self.note(format!("> **Error:** {message}\n\n"));
        Box::pin(async {})
    }

    fn confirm(
        &self,
        question: String,
        yes: &'static str,
        no: &'static str,
    ) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let id = uuid::Uuid::new_v4().to_string();
            let call = acp::ToolCallUpdate::new(
                id,
                acp::ToolCallUpdateFields::new()
                    .title(question)
                    .kind(acp::ToolKind::Other),
            );
            self.permission(call, yes, no).await.unwrap_or(false)
        })
    }

    fn apply<'b>(
        &'b self,
        writes: &'b [FileWrite],
        label: &'b str,
    ) -> BoxFuture<'b, Result<(), ServiceError>> {
        Box::pin(async move {
            let id = uuid::Uuid::new_v4().to_string();
            let diffs: Vec<acp::ToolCallContent> = writes
                .iter()
                .filter_map(|w| {
                    let new = w.new.clone()?;
                    Some(acp::ToolCallContent::Diff(
                        acp::Diff::new(w.path.clone(), new).old_text(w.old.clone()),
                    ))
                })
                .collect();
            let locations = writes
                .iter()
                .map(|w| acp::ToolCallLocation::new(w.path.clone()))
                .collect();
            let title = format!(
                "forge {label}: write {} file{}",
                writes.len(),
                if writes.len() == 1 { "" } else { "s" }
            );
            let call = acp::ToolCall::new(id.clone(), title.clone())
                .kind(acp::ToolKind::Edit)
                .status(acp::ToolCallStatus::Pending)
                .content(diffs.clone())
                .locations(locations);
            update(self.cx, &self.session, acp::SessionUpdate::ToolCall(call)).map_err(|e| {
                ServiceError::Conflict(format!("the client is gone: {}", e.message))
            })?;
            let ask = acp::ToolCallUpdate::new(
                id.clone(),
                acp::ToolCallUpdateFields::new()
                    .title(title)
                    .kind(acp::ToolKind::Edit)
                    .content(diffs),
            );
            let allowed = self.permission(ask, "Write the files", "Don't write").await;
            if !matches!(allowed, Ok(true)) {
                self.tool_status(&id, acp::ToolCallStatus::Failed);
                return Err(ServiceError::Conflict(
                    "the files were not written (not allowed); the draft is kept: say /assemble to try again".into(),
                ));
            }
            self.tool_status(&id, acp::ToolCallStatus::InProgress);
            match self.write(writes).await {
                Ok(()) => {
                    self.tool_status(&id, acp::ToolCallStatus::Completed);
                    Ok(())
                }
                Err(e) => {
                    self.tool_status(&id, acp::ToolCallStatus::Failed);
                    Err(e)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_a_file_with_or_without_the_forge_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.json");
        for text in [
            r#"{"forge": {"draftsPath": "/tmp/x.db"}}"#,
            r#"{"draftsPath": "/tmp/x.db"}"#,
        ] {
            std::fs::write(&file, text).unwrap();
            let args = vec!["--settings".to_string(), file.display().to_string()];
            let s = parse_args(&args).unwrap();
            assert_eq!(s.drafts_path.as_deref(), Some("/tmp/x.db"), "{text}");
        }
        std::fs::write(&file, "{oops").unwrap();
        let args = vec!["--settings".to_string(), file.display().to_string()];
        assert!(parse_args(&args).unwrap_err().contains("not JSON"));
        assert!(parse_args(&["--settings".into()])
            .unwrap_err()
            .contains("needs a FILE"));
        assert_eq!(parse_args(&["--help".into()]).unwrap_err(), "");
        assert!(parse_args(&["x".into()]).unwrap_err().contains("unknown"));
    }

    #[test]
    fn the_prompt_is_its_text_blocks_and_a_cwd_must_be_an_absolute_folder() {
        let blocks = vec![
            acp::ContentBlock::from(" /assemble "),
            acp::ContentBlock::ResourceLink(acp::ResourceLink::new("x", "file:///x")),
        ];
        assert_eq!(prompt_text(&blocks), "/assemble");
        assert_eq!(
            workspace(Path::new("rel")).unwrap_err().code,
            agent_client_protocol::ErrorCode::from(-32602)
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        assert!(workspace(&file).is_err());
        assert_eq!(
            workspace(dir.path()).unwrap(),
            dir.path().canonicalize().unwrap()
        );
    }
}
