//! Soul versions in the editor (issue 9): keeps the snapshot's [`Ledger`] fresh, and answers the
//! `forge.soul.*` commands, the soul code lenses and the version-history hover.
//!
//! The ledger is re-read on the blocking pool when the workspace changes (folders, settings, a
//! scan), when a SOUL.md of a data directory is opened, when the client reports `boternity.db`
//! changed, and after a save; results carry a sequence number so an older read never replaces a
//! newer one. Commands always read the database afresh.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    CodeLens, Command, DocumentChanges, MessageType, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range as LspRange, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};
use tower_lsp_server::Client;

use super::shared::Shared;
use super::shared::{Msg, Snapshot};
use super::workspace::Workspace;
use forge_analysis::FileKind;
use forge_store::boternity_db::{self, DbError, DB_FILE};
use forge_store::soul_versions::{self as sv, Ledger, SoulFile};
use forge_syntax::text::LineIndex;

pub const COMMANDS: &[&str] = &[
    "forge.soul.history",
    "forge.soul.diff",
    "forge.soul.restore",
    "forge.soul.save",
];

/// The state task's share: which data directories to re-read, and which problems were shown.
pub struct SoulWatch {
    tx: mpsc::UnboundedSender<Msg>,
    client: Client,
    seq: u64,
    full: bool,
    roots: HashSet<PathBuf>,
    merge: sv::Merge,
}

fn is_db_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == DB_FILE || n == "boternity.db-wal")
}

impl SoulWatch {
    pub fn new(tx: mpsc::UnboundedSender<Msg>, client: Client) -> SoulWatch {
        SoulWatch {
            tx,
            client,
            seq: 0,
            full: false,
            roots: HashSet::new(),
            merge: sv::Merge::default(),
        }
    }

    /// Notes what a message means for the ledger; handles (and consumes) the soul messages.
    pub fn apply(&mut self, world: &mut Snapshot, ws: &mut Workspace, msg: Msg) -> Option<Msg> {
        match msg {
            Msg::Souls { seq, full, ledger } => {
                self.received(world, ws, seq, full, ledger);
                return None;
            }
            Msg::SoulsRefresh(root) => {
                self.roots.insert(root);
                return None;
            }
            Msg::Init { .. } | Msg::Settings(_) | Msg::Folders(_) | Msg::Indexed { .. } => {
                self.full = true
            }
            Msg::Open(ref p) => {
                if let Some(f) = p
                    .text_document
                    .uri
                    .to_file_path()
                    .and_then(|p| sv::locate(&p))
                {
                    self.roots.insert(f.root);
                }
            }
            Msg::Watched(ref p) => {
                for c in &p.changes {
                    if let Some(path) = c.uri.to_file_path().filter(|p| is_db_file(p)) {
                        if let Some(root) = path.parent() {
                            self.roots.insert(root.to_path_buf());
                        }
                    }
                }
            }
            _ => {}
        }
        Some(msg)
    }

    fn received(
        &mut self,
        world: &mut Snapshot,
        ws: &mut Workspace,
        seq: u64,
        full: bool,
        ledger: Ledger,
    ) {
        let merged = self
            .merge
            .apply(Arc::make_mut(&mut world.souls), seq, full, ledger);
        for message in merged.show {
            tracing::warn!("{message}");
            let client = self.client.clone();
            tokio::spawn(async move {
                client.show_message(MessageType::WARNING, message).await;
            });
        }
        let changed: HashSet<PathBuf> = merged.changed.into_iter().collect();
        if changed.is_empty() {
            return;
        }
        // Their integrity diagnostics may have changed: publish them again.
        let touched: Vec<PathBuf> = world
            .index
            .files()
            .filter(|f| sv::locate(&f.path).is_some_and(|s| changed.contains(&s.root)))
            .map(|f| f.path.clone())
            .collect();
        for p in touched {
            ws.refresh(p);
        }
    }

    /// Starts the reads the batch asked for.
    pub fn start_jobs(&mut self, world: &Snapshot) {
        if !self.full && self.roots.is_empty() {
            return;
        }
        self.seq += 1;
        let seq = self.seq;
        let full = std::mem::take(&mut self.full);
        let roots: Vec<PathBuf> = std::mem::take(&mut self.roots).into_iter().collect();
        let folders = world.folders.to_vec();
        let configured = sv::configured_root(world.settings.boternity_data_dir.as_deref());
        let souls: Vec<PathBuf> = world
            .index
            .files()
            .filter(|f| f.kind == FileKind::Soul)
            .map(|f| f.path.clone())
            .chain(world.docs.values().map(|d| d.path.clone()))
            .collect();
        let followed: HashSet<PathBuf> = world.souls.dirs.keys().cloned().collect();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            // A followed directory is read even when its database has gone, to say so.
            let wanted = |r: &PathBuf| followed.contains(r) || sv::is_data_dir(r);
            let mut dirs: Vec<PathBuf> = roots.into_iter().filter(wanted).collect();
            if full {
                dirs.extend(sv::data_dirs(
                    &folders,
                    configured.as_deref(),
                    souls.iter().map(PathBuf::as_path),
                ));
            }
            dirs.sort();
            dirs.dedup();
            let ledger = sv::load(&dirs);
            let _ = tx.send(Msg::Souls { seq, full, ledger });
        });
    }
}

fn failed(code: i64, message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(code),
        message: message.into(),
        data: None,
    }
}

fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

fn db_error(e: DbError) -> Error {
    if e.is_database_problem() {
        failed(-32001, e.to_string())
    } else {
        invalid(e.to_string())
    }
}

/// The SOUL.md a command is about: its place, and its text as the editor has it.
struct Target {
    uri: Uri,
    file: SoulFile,
    text: String,
    /// The open document's version (None: the text was read from disk).
    version: Option<i32>,
}

fn target(arg: &Value, snap: &Snapshot, command: &str) -> Result<Target> {
    let s = arg
        .get("uri")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{command} needs `uri` (a string)")))?;
    let (uri, path) = match s.parse::<Uri>().ok().and_then(|u| {
        let p = u.to_file_path()?.into_owned();
        Some((u, p))
    }) {
        Some(x) => x,
        None if Path::new(s).is_absolute() => {
            let uri = Uri::from_file_path(s)
                .ok_or_else(|| invalid(format!("`uri` is not a usable path: {s}")))?;
            (uri, PathBuf::from(s))
        }
        None => return Err(invalid(format!("`uri` must be a file URI, not `{s}`"))),
    };
    let file = sv::locate(&path).filter(|f| sv::is_data_dir(&f.root)).ok_or_else(|| {
        invalid(format!(
            "{} is not a bot's SOUL.md in a Boternity data directory (bots/<slug>/SOUL.md beside boternity.db)",
            path.display()
        ))
    })?;
    let (text, version) = match snap.docs.values().find(|d| d.path == path) {
        Some(d) => (d.text().to_string(), Some(d.version)),
        None => (
            std::fs::read_to_string(&path)
                .map_err(|e| failed(-32001, format!("cannot read {}: {e}", path.display())))?,
            None,
        ),
    };
    Ok(Target {
        uri,
        file,
        text,
        version,
    })
}

fn version_arg(arg: &Value, command: &str) -> Result<Option<i64>> {
    match arg.get("version") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid(format!("{command}: `version` must be an integer, not {v}"))),
    }
}

/// Runs blocking database work off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, DbError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::internal_error())?
        .map_err(db_error)
}

pub async fn execute(cmd: &str, arg: &Value, snap: &Snapshot, shared: &Shared) -> Result<Value> {
    let t = target(arg, snap, cmd)?;
    let db = t.file.db();
    let slug = t.file.slug.clone();
    match cmd {
        "forge.soul.history" => {
            let bot = blocking(move || boternity_db::history(&db, &slug)).await?;
            Ok(Value::Array(
                bot.versions
                    .iter()
                    .map(|v| {
                        json!({"version": v.version, "hash": v.hash, "message": v.message, "created_at": v.created_at})
                    })
                    .collect(),
            ))
        }
        "forge.soul.diff" => {
            let asked = version_arg(arg, cmd)?;
            let (version, old) = blocking(move || {
                let version = match asked {
                    Some(v) => v,
                    None => boternity_db::history(&db, &slug)?
                        .latest()
                        .map(|v| v.version)
                        .ok_or(DbError::NoVersion {
                            slug: slug.clone(),
                            version: 1,
                        })?,
                };
                Ok((version, boternity_db::content(&db, &slug, version)?))
            })
            .await?;
            let diff = sv::unified_diff(
                &old,
                &t.text,
                &format!("{}/SOUL.md (soul version {version})", t.file.slug),
                &format!("{}/SOUL.md (editor)", t.file.slug),
            );
            Ok(json!({"diff": diff, "version": version}))
        }
        "forge.soul.restore" => {
            let version = version_arg(arg, cmd)?
                .ok_or_else(|| invalid(format!("{cmd} needs `version` (an integer)")))?;
            let content = blocking(move || boternity_db::content(&db, &slug, version)).await?;
            restore(shared, snap, &t, &content).await?;
            Ok(json!({"version": version, "applied": true}))
        }
        "forge.soul.save" => {
            let message = match arg.get("message") {
                None | Some(Value::Null) => None,
                Some(Value::String(m)) if m.trim().is_empty() => None,
                Some(Value::String(m)) => Some(m.clone()),
                Some(other) => {
                    return Err(invalid(format!(
                        "{cmd}: `message` must be a string, not {other}"
                    )))
                }
            };
            let text = t.text.clone();
            let recorded = blocking(move || {
                let message = match message {
                    Some(m) => Some(m),
                    None => sv::default_message(&boternity_db::history(&db, &slug)?, &text),
                };
                boternity_db::record(
                    &db,
                    &slug,
                    &text,
                    message.as_deref(),
                    &forge_store::time::now_boternity(),
                )
            })
            .await?;
            // The diagnostic goes once the ledger has the new version.
            let _ = shared.tx.send(Msg::SoulsRefresh(t.file.root.clone()));
            let on_disk = t.uri.to_file_path().and_then(|p| std::fs::read(p).ok());
            let disk_matches = on_disk.as_deref() == Some(t.text.as_bytes());
            Ok(json!({
                "version": recorded.version,
                "hash": recorded.hash,
                "created": recorded.created,
                "disk_matches": disk_matches,
            }))
        }
        other => Err(invalid(format!("unknown command `{other}`"))),
    }
}

/// Replaces the editor's text with `content` as one edit, which the user can undo. The edit names
/// the document version it was made for when the client allows, so a text typed meanwhile is
/// never half-replaced.
async fn restore(shared: &Shared, snap: &Snapshot, t: &Target, content: &str) -> Result<()> {
    let idx = LineIndex::new(&t.text);
    let range: LspRange = super::convert::range(idx.range(&t.text, 0..t.text.len(), snap.encoding));
    let text_edit = TextEdit {
        range,
        new_text: content.to_string(),
    };
    let edit = if snap.caps.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: t.uri.clone(),
                    version: t.version,
                },
                edits: vec![OneOf::Left(text_edit)],
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(t.uri.clone(), vec![text_edit])])),
            ..Default::default()
        }
    };
    let client = shared.client.get().ok_or_else(Error::internal_error)?;
    match client.apply_edit(edit).await {
        Ok(r) if r.applied => Ok(()),
        Ok(r) => Err(failed(
            -32003,
            format!(
                "the editor did not apply the restore edit{}; the file is unchanged",
                r.failure_reason
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default()
            ),
        )),
        Err(e) => Err(failed(
            -32003,
            format!(
                "the editor failed to apply the restore edit ({})",
                e.message
            ),
        )),
    }
}

/// The soul lenses at the top of an open SOUL.md of a known bot.
pub fn code_lenses(snap: &Snapshot, uri: &Uri) -> Vec<CodeLens> {
    let Some(doc) = snap.doc(uri) else {
        return Vec::new();
    };
    let Some((_, bot)) = snap.souls.bot(&doc.path) else {
        return Vec::new();
    };
    sv::lenses(bot, doc.text())
        .into_iter()
        .map(|l| {
            let mut arg = json!({"uri": uri.to_string()});
            if let Some(v) = l.version {
                arg["version"] = json!(v);
            }
            CodeLens {
                range: LspRange::default(),
                command: Some(Command {
                    title: l.title,
                    command: l.command.into(),
                    arguments: Some(vec![arg]),
                }),
                data: None,
            }
        })
        .collect()
}

/// The version history, when hovering the first line of a SOUL.md of a known bot.
pub fn hover(
    snap: &Snapshot,
    path: &Path,
    text: &str,
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let line = sv::first_line(text);
    if offset > line.end {
        return None;
    }
    let (_, bot) = snap.souls.bot(path)?;
    Some((sv::history_markdown(bot, text), line))
}
