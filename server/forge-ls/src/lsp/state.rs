//! The one task that owns the documents. Every state change arrives here in
//! the order the client sent it; requests get a snapshot taken at their place
//! in that order. Diagnostics are published by a second task that always
//! publishes the newest version of each document it has been handed.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{MessageType, Uri};
use tower_lsp_server::Client;

use forge_analysis::document::Document;
use forge_analysis::FileKind;
use forge_builder::settings::Settings;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::text::PositionEncoding;

use super::convert;
use super::shared::{Msg, Snapshot};
use super::workspace::Workspace;

pub(super) enum Publish {
    /// Diagnostics for a file: its text (to place them), the list, the open document's version.
    Diags {
        uri: Uri,
        text: Arc<str>,
        diags: Vec<Diagnostic>,
        version: Option<i32>,
        enc: PositionEncoding,
    },
    Clear(Uri),
}

impl Publish {
    fn uri(&self) -> &Uri {
        match self {
            Publish::Diags { uri, .. } | Publish::Clear(uri) => uri,
        }
    }
}

pub fn spawn(mut rx: mpsc::UnboundedReceiver<Msg>, tx: mpsc::UnboundedSender<Msg>, client: Client) {
    let (pub_tx, pub_rx) = mpsc::unbounded_channel();
    tokio::spawn(publish_loop(pub_rx, client.clone()));
    tokio::spawn(async move {
        let mut world = Snapshot::default();
        let mut souls = super::souls::SoulWatch::new(tx.clone(), client.clone());
        let mut models = super::models::ModelWatch::new(tx.clone());
        let mut ws = Workspace::new(tx, client.clone());
        while let Some(first) = rx.recv().await {
            let mut dirty: Vec<Publish> = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            let mut next = Some(first);
            // Apply everything already queued before publishing: a burst of
            // keystrokes (or of watched-file events) costs one analysis and one
            // pass of the cross-file rules, not one per message.
            while let Some(msg) = next.take() {
                let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    if let Msg::Snapshot(reply, needs_index) = msg {
                        // A request sees every change before it, index included.
                        ws.settle(&mut world, &mut dirty);
                        if needs_index && ws.first_scan_pending() {
                            ws.defer(world.clone(), reply);
                        } else {
                            let _ = reply.send(world.clone());
                        }
                    } else if let Some(msg) = souls
                        .apply(&mut world, &mut ws, msg)
                        .and_then(|msg| models.apply(&mut world, &mut ws, msg))
                        .and_then(|msg| ws.apply(&mut world, msg))
                    {
                        apply(&mut world, msg, &mut notes, &mut ws)
                    }
                }));
                if applied.is_err() {
                    notes.push(
                        "forge-ls hit an internal error while applying a change; please report it."
                            .into(),
                    );
                }
                next = rx.try_recv().ok();
            }
            let settled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                models.start_jobs(&mut world, &mut ws);
                ws.settle(&mut world, &mut dirty);
            }));
            if settled.is_err() {
                notes.push("forge-ls hit an internal error while updating the workspace index; please report it.".into());
            }
            ws.start_jobs(&world);
            souls.start_jobs(&world);
            // Bad settings and internal errors: shown, since a log line alone goes unseen (each
            // setting warning comes once per settings change, not per keystroke).
            for note in notes {
                tracing::warn!("{note}");
                client.log_message(MessageType::WARNING, note.clone()).await;
                client.show_message(MessageType::WARNING, note).await;
            }
            for p in dirty {
                let _ = pub_tx.send(p);
            }
        }
    });
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

fn warn_once(world: &mut Snapshot, warnings: Vec<String>, notes: &mut Vec<String>) {
    if *world.settings_warnings != warnings {
        notes.extend(warnings.iter().cloned());
        world.settings_warnings = Arc::new(warnings);
    }
}

fn apply(world: &mut Snapshot, msg: Msg, notes: &mut Vec<String>, ws: &mut Workspace) {
    match msg {
        Msg::Init {
            encoding,
            folders,
            settings,
        } => {
            world.encoding = encoding;
            world.folders = Arc::new(folders);
            let (s, warnings) = Settings::from_json(&settings);
            warn_once(world, warnings, notes);
            world.settings = Arc::new(s);
        }
        Msg::Settings(value) => {
            let (s, warnings) = Settings::from_json(&value);
            warn_once(world, warnings, notes);
            if s != *world.settings {
                let profile = s.profile;
                let limits = s.openclaw_limits;
                let rescan = s.profile != world.settings.profile
                    || s.boternity_data_dir != world.settings.boternity_data_dir;
                let budgets = s.budget != world.settings.budget;
                world.settings = Arc::new(s);
                if budgets {
                    ws.budgets_changed(world);
                }
                let docs = Arc::make_mut(&mut world.docs);
                for (uri, doc) in docs.iter_mut() {
                    if doc.profile != profile || doc.limits != limits {
                        *doc = Arc::new(doc.with_profile(profile).with_limits(limits));
                        ws.doc_changed(uri);
                    }
                }
                if rescan {
                    ws.settings_changed();
                }
            }
        }
        Msg::Open(p) => {
            let uri = p.text_document.uri;
            // A workflow is known by its content, so the opened text decides.
            let Some((path, kind)) = path_of(&uri).and_then(|path| {
                FileKind::of_text(&path, &p.text_document.text).map(|k| (path, k))
            }) else {
                return;
            };
            let doc = Arc::new(
                Document::new(
                    path,
                    kind,
                    p.text_document.version,
                    &p.text_document.text,
                    world.settings.profile,
                )
                .with_limits(world.settings.openclaw_limits),
            );
            Arc::make_mut(&mut world.docs).insert(uri.clone(), doc);
            ws.doc_changed(&uri);
        }
        Msg::Change(p) => {
            let uri = p.text_document.uri;
            let Some(doc) = world.docs.get(&uri) else {
                if path_of(&uri)
                    .and_then(|p| FileKind::from_path(&p))
                    .is_some()
                {
                    notes.push(format!(
                        "ignoring a change to {} which was never opened",
                        uri.as_str()
                    ));
                }
                return;
            };
            if p.text_document.version <= doc.version {
                notes.push(format!(
                    "{}: version {} after {}; versions should increase, applying the change anyway",
                    uri.as_str(),
                    p.text_document.version,
                    doc.version
                ));
            }
            let next = Arc::new(
                doc.edited(
                    p.text_document.version,
                    p.content_changes
                        .iter()
                        .map(|c| (c.range.map(convert::line_col_range), c.text.as_str())),
                    world.encoding,
                ),
            );
            Arc::make_mut(&mut world.docs).insert(uri.clone(), next);
            ws.doc_changed(&uri);
        }
        Msg::Close(p) => {
            let uri = p.text_document.uri;
            if let Some(doc) = Arc::make_mut(&mut world.docs).remove(&uri) {
                // The disk copy takes over (or the file leaves the index).
                ws.doc_closed(world, &uri, &doc.path);
            }
        }
        Msg::Snapshot(reply, _) => {
            let _ = reply.send(world.clone());
        }
        Msg::Folders(p) => {
            let mut folders: Vec<PathBuf> = world.folders.to_vec();
            let path = |f: &tower_lsp_server::ls_types::WorkspaceFolder| {
                f.uri.to_file_path().map(|p| p.into_owned())
            };
            let removed: Vec<PathBuf> = p.event.removed.iter().filter_map(path).collect();
            folders.retain(|f| !removed.contains(f));
            for f in p.event.added.iter().filter_map(path) {
                if !folders.contains(&f) {
                    folders.push(f);
                }
            }
            world.folders = Arc::new(folders);
            ws.settings_changed();
        }
        // Handled by `Workspace::apply`.
        Msg::Caps(_)
        | Msg::Scan
        | Msg::Indexed { .. }
        | Msg::Watched(_)
        | Msg::Loaded(_)
        | Msg::Budget { .. }
        | Msg::IndexWaitOver => {}
        // Handled by `SoulWatch::apply`.
        Msg::Souls { .. } | Msg::SoulsRefresh(_) => {}
        // Handled by `ModelWatch::apply`.
        Msg::Models { .. } => {}
    }
}

async fn publish_loop(mut rx: mpsc::UnboundedReceiver<Publish>, client: Client) {
    while let Some(first) = rx.recv().await {
        // Keep only the newest entry per document, in first-seen order.
        let mut order: Vec<Uri> = Vec::new();
        let mut latest: HashMap<Uri, Publish> = HashMap::new();
        let mut next = Some(first);
        while let Some(p) = next.take() {
            let uri = p.uri().clone();
            if latest.insert(uri.clone(), p).is_none() {
                order.push(uri);
            }
            next = rx.try_recv().ok();
        }
        for uri in order {
            let Some(p) = latest.remove(&uri) else {
                continue;
            };
            match p {
                Publish::Clear(uri) => client.publish_diagnostics(uri, Vec::new(), None).await,
                Publish::Diags {
                    uri,
                    text,
                    diags,
                    version,
                    enc,
                } => {
                    let computed = tokio::task::spawn_blocking(move || {
                        let idx = forge_syntax::text::LineIndex::new(&text);
                        let diags = diags
                            .iter()
                            .map(|d| convert::diagnostic_in(&text, &idx, d, enc))
                            .collect::<Vec<_>>();
                        (uri, diags, version)
                    })
                    .await;
                    match computed {
                        Ok((uri, diags, version)) => {
                            client.publish_diagnostics(uri, diags, version).await
                        }
                        Err(e) => {
                            tracing::error!("converting diagnostics failed: {e}");
                            client
                                .log_message(MessageType::ERROR, "forge-ls hit an internal error while analysing a file; please report it.")
                                .await;
                        }
                    }
                }
            }
        }
    }
}
