//! The LSP side of the workspace index: what the client can do, the scan with
//! `$/progress`, file-watcher registration and background reloads. All of
//! these deliver their results to the state task as messages, so every index
//! change still happens in that one ordered task.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::shared::Msg;
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::{self, FileEntry, ScanSpec};

/// The client capabilities the workspace features depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientCaps {
    pub snippets: bool,
    pub resource_rename: bool,
    pub document_changes: bool,
    pub work_done_progress: bool,
    pub watch_dynamic: bool,
    pub watch_relative: bool,
}

impl ClientCaps {
    pub fn from(c: &ClientCapabilities) -> ClientCaps {
        let ws = c.workspace.as_ref();
        let edit = ws.and_then(|w| w.workspace_edit.as_ref());
        let watch = ws.and_then(|w| w.did_change_watched_files.as_ref());
        let resource_ops = edit.and_then(|e| e.resource_operations.as_ref());
        // Resource operations exist only in `documentChanges`, so a client listing any
        // handles them (Neovim 0.11 lists them without `documentChanges: true`).
        let document_changes = edit.and_then(|e| e.document_changes).unwrap_or(false)
            || resource_ops.is_some_and(|ops| !ops.is_empty());
        ClientCaps {
            snippets: c
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            document_changes,
            resource_rename: document_changes
                && resource_ops.is_some_and(|ops| ops.contains(&ResourceOperationKind::Rename)),
            work_done_progress: c
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watch_dynamic: watch.and_then(|w| w.dynamic_registration).unwrap_or(false),
            watch_relative: watch
                .and_then(|w| w.relative_pattern_support)
                .unwrap_or(false),
        }
    }
}

/// Folders whose creation or deletion the server watches for.
pub const FOLDER_GLOBS: &[&str] = &["**/skills", "**/skills/**", "**/bots", "**/bots/**"];

pub const WATCHED: &[&str] = &[
    "SKILL.md",
    "IDENTITY.md",
    "SOUL.md",
    "USER.md",
    "skills.toml",
];

/// The `workspace/didChangeWatchedFiles` registration: the five file names
/// anywhere, plus the skill library when the client takes relative patterns.
pub fn watch_registration(caps: &ClientCaps, library: Option<&Path>) -> Registration {
    let mut watchers: Vec<FileSystemWatcher> = WATCHED
        .iter()
        .map(|name| FileSystemWatcher {
            glob_pattern: GlobPattern::String(format!("**/{name}")),
            kind: None,
        })
        .collect();
    // Folders, created or deleted: editors fold the files inside a deleted or moved folder into
    // one event for the folder (microsoft/vscode#109754), which no file-name pattern matches. Only
    // where bots and skills live: `skills/` and `bots/` trees (a workspace's, a bot's, OpenClaw's
    // and Claude Code's, a registry's owners). Folders moved or deleted elsewhere in the editor
    // come as `workspace/didDeleteFiles` / `didRenameFiles` (see `FOLDER_OPERATIONS`).
    watchers.extend(FOLDER_GLOBS.iter().map(|g| FileSystemWatcher {
        glob_pattern: GlobPattern::String((*g).into()),
        kind: Some(WatchKind::Create | WatchKind::Delete),
    }));
    // Boternity's database: a change there may change which soul version is current.
    watchers.extend(
        ["**/boternity.db", "**/boternity.db-wal"].map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String(g.into()),
            kind: None,
        }),
    );
    if let Some(base) = library
        .filter(|_| caps.watch_relative)
        .and_then(Uri::from_file_path)
    {
        watchers.push(FileSystemWatcher {
            glob_pattern: GlobPattern::Relative(RelativePattern {
                base_uri: OneOf::Right(base),
                pattern: "**/SKILL.md".into(),
            }),
            kind: None,
        });
    }
    Registration {
        id: "forge-ls/watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
            watchers,
        })
        .ok(),
    }
}

/// Register the file watchers (replacing an earlier registration when `again`).
pub fn spawn_watch(client: Client, caps: ClientCaps, library: Option<PathBuf>, again: bool) {
    tokio::spawn(async move {
        let reg = watch_registration(&caps, library.as_deref());
        if again {
            let _ = client
                .unregister_capability(vec![Unregistration {
                    id: reg.id.clone(),
                    method: reg.method.clone(),
                }])
                .await;
        }
        if let Err(e) = client.register_capability(vec![reg]).await {
            tracing::warn!("the client refused file watchers: {e}");
        }
    });
}

/// Scan `spec` off the async threads, reporting progress, then send
/// `Msg::Indexed` to the state task.
pub fn spawn_scan(
    client: Client,
    tx: mpsc::UnboundedSender<Msg>,
    generation: u64,
    spec: ScanSpec,
    progress: bool,
) {
    tokio::spawn(async move {
        let token = NumberOrString::String(format!("forge-ls/index/{generation}"));
        let send = |value: WorkDoneProgress| {
            let client = client.clone();
            let token = token.clone();
            async move {
                client
                    .send_notification::<Progress>(ProgressParams {
                        token,
                        value: ProgressParamsValue::WorkDone(value),
                    })
                    .await
            }
        };
        let begin = || {
            send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "Indexing bots and skills".into(),
                cancellable: Some(false),
                message: Some("looking for files".into()),
                percentage: Some(0),
            }))
        };
        let started = Instant::now();
        let (ptx, mut prx) = mpsc::unbounded_channel::<(usize, usize)>();
        let task = tokio::task::spawn_blocking(move || {
            index::scan(&spec, &|done, total| {
                let _ = ptx.send((done, total));
            })
        });
        // Progress may only start once the client has accepted the token; the
        // scan does not wait for that (a client slow to answer, or never
        // answering, would otherwise hold back the whole index).
        let create = async {
            progress
                && matches!(
                    tokio::time::timeout(
                        super::host::PROGRESS_CREATE_TIMEOUT,
                        client.create_work_done_progress(token.clone()),
                    )
                    .await,
                    Ok(Ok(()))
                )
        };
        tokio::pin!(create);
        let mut accepted: Option<bool> = None;
        let mut last = Instant::now();
        loop {
            tokio::select! {
                ok = &mut create, if accepted.is_none() => {
                    accepted = Some(ok);
                    if ok {
                        begin().await;
                    }
                }
                report = prx.recv() => {
                    let Some((done, total)) = report else { break };
                    // A report every 100 ms at most.
                    if accepted == Some(true) && total > 0 && last.elapsed() > Duration::from_millis(100) {
                        last = Instant::now();
                        send(WorkDoneProgress::Report(WorkDoneProgressReport {
                            cancellable: Some(false),
                            message: Some(format!("{done}/{total} files")),
                            percentage: Some((done * 100 / total) as u32),
                        }))
                        .await;
                    }
                }
            }
        }
        let entries = match task.await {
            Ok(entries) => entries,
            Err(e) => {
                tracing::error!("indexing failed: {e}");
                Vec::new()
            }
        };
        let n = entries.len();
        tracing::info!("indexed {n} files in {:?}", started.elapsed());
        let _ = tx.send(Msg::Indexed {
            generation,
            entries,
        });
        // Scanned before the client accepted the token: the whole progress now.
        let accepted = match accepted {
            Some(ok) => ok,
            None => {
                let ok = create.await;
                if ok {
                    begin().await;
                }
                ok
            }
        };
        if accepted {
            send(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(format!("{n} bot and skill files")),
            }))
            .await;
        }
    });
}

/// One file to (re)load from disk: path, read-only, sequence number.
pub type LoadJob = (PathBuf, bool, u64);

/// Load files off the async threads and send `Msg::Loaded`.
pub fn spawn_load(tx: mpsc::UnboundedSender<Msg>, jobs: Vec<LoadJob>, profile: Profile) {
    if jobs.is_empty() {
        return;
    }
    tokio::task::spawn_blocking(move || {
        let mut out: Vec<(PathBuf, u64, Option<FileEntry>)> = Vec::with_capacity(jobs.len());
        // A file may vanish between the event and the read: then it is removed.
        for (path, ro, seq) in jobs {
            let entry = index::load(&path, ro, profile);
            out.push((path, seq, entry));
        }
        let _ = tx.send(Msg::Loaded(out));
    });
}
