//! The state task's share of the workspace index: it applies scans, watched
//! file events, reloads and open-document edits to the index, re-runs the
//! cross-file rules once per batch of messages, and publishes the diagnostics
//! of every file whose set changed (closed files included).
//!
//! Incrementality: an edit replaces one entry (only that file is analysed);
//! the rules run over the extracted entries of the others, never re-reading or
//! re-parsing them; only files whose diagnostics differ are published.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::ls_types::{FileChangeType, Uri};
use tower_lsp_server::Client;

use super::indexer::{self, LoadJob};
use super::shared::{Msg, Snapshot};
use super::state::Publish;
use forge_analysis::workspace::index::{self, entry_from_analysis, ScanSpec};
use forge_analysis::workspace::rules;
use forge_analysis::FileKind;
use forge_syntax::diagnostic::Diagnostic;

/// How long a request that needs the index waits for the first scan at most.
const FIRST_SCAN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

pub struct Workspace {
    tx: mpsc::UnboundedSender<Msg>,
    client: Client,
    generation: u64,
    scan_requested: bool,
    scanning: bool,
    /// Paths changed by watched events while a scan ran: they win over its result.
    since_scan: HashSet<PathBuf>,
    seq: u64,
    /// The newest load in flight per path; older results are dropped.
    pending: HashMap<PathBuf, u64>,
    to_load: Vec<LoadJob>,
    docs_touched: HashSet<Uri>,
    /// Files whose entry changed since the last settle.
    touched: HashSet<PathBuf>,
    /// Open documents to publish even if their diagnostics did not change (a new version).
    force: HashSet<PathBuf>,
    index_changed: bool,
    /// Some entry changed in what the cross-file rules read (see `rules::same_inputs`).
    cross_stale: bool,
    /// Hash of the diagnostics last published per file.
    published: HashMap<PathBuf, u64>,
    /// The library the file watchers were registered with (None: not registered).
    watching: Option<Option<PathBuf>>,
    /// Whether the first scan finished (or its wait expired): until then the index is empty.
    first_scan_done: bool,
    /// Requests that need the index, held until the first scan: the snapshot as of their arrival.
    waiting: Vec<(Snapshot, oneshot::Sender<Snapshot>)>,
    /// Parsed ignore files per folder for watched events, dropped after each batch (so an edited
    /// .gitignore counts from the next event on).
    ignores: HashMap<PathBuf, Option<Arc<ignore::gitignore::Gitignore>>>,
    /// Budget diagnostics counted per file, with the key of what was counted.
    budgets: HashMap<PathBuf, (u64, Vec<Diagnostic>)>,
    /// Budget counts wanted (newest key per file) and files whose count is running: counting
    /// happens on the blocking pool, one job per file at a time, never in a keystroke's settle.
    budget_wanted: HashMap<PathBuf, u64>,
    budget_running: HashSet<PathBuf>,
    /// Per skill, its bundled files with findings as last published (file → hash).
    bundles: HashMap<PathBuf, HashMap<PathBuf, u64>>,
}

impl Workspace {
    pub fn new(tx: mpsc::UnboundedSender<Msg>, client: Client) -> Workspace {
        Workspace {
            tx,
            client,
            generation: 0,
            scan_requested: false,
            scanning: false,
            since_scan: HashSet::new(),
            seq: 0,
            pending: HashMap::new(),
            to_load: Vec::new(),
            docs_touched: HashSet::new(),
            touched: HashSet::new(),
            force: HashSet::new(),
            index_changed: false,
            cross_stale: false,
            published: HashMap::new(),
            watching: None,
            first_scan_done: false,
            waiting: Vec::new(),
            ignores: HashMap::new(),
            budgets: HashMap::new(),
            budget_wanted: HashMap::new(),
            budget_running: HashSet::new(),
            bundles: HashMap::new(),
        }
    }

    /// Whether the first scan is still to come (the index is still empty). True from the start:
    /// the scan begins only after `initialized` and the client's answer to
    /// `workspace/configuration`, and a request can arrive in between.
    pub fn first_scan_pending(&self) -> bool {
        !self.first_scan_done
    }

    /// Holds a request that needs the index until the first scan is in, so a completion asked
    /// right after opening a file does not come back empty. Its snapshot keeps the documents as
    /// they were when it arrived; only the index is filled in. The wait is bounded
    /// ([`FIRST_SCAN_WAIT`]): a huge workspace answers with what is known by then.
    pub fn defer(&mut self, snapshot: Snapshot, reply: oneshot::Sender<Snapshot>) {
        if self.waiting.is_empty() {
            let tx = self.tx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(FIRST_SCAN_WAIT).await;
                let _ = tx.send(Msg::IndexWaitOver);
            });
        }
        self.waiting.push((snapshot, reply));
    }

    /// Answers the held requests with the index as it is now.
    fn release_waiting(&mut self, world: &Snapshot) {
        for (mut snap, reply) in self.waiting.drain(..) {
            snap.index = world.index.clone();
            snap.cross = world.cross.clone();
            let _ = reply.send(snap);
        }
    }

    pub fn doc_changed(&mut self, uri: &Uri) {
        self.docs_touched.insert(uri.clone());
    }

    /// Publish a file again: its diagnostics depend on more than the index (its soul versions).
    pub fn refresh(&mut self, path: PathBuf) {
        self.touch(path);
    }

    pub fn request_scan(&mut self) {
        self.scan_requested = true;
    }

    /// New token budgets: every IDENTITY.md and SKILL.md is published again with them.
    pub fn budgets_changed(&mut self, world: &Snapshot) {
        self.refresh_kind(world, FileKind::Identity);
        self.refresh_kind(world, FileKind::Skill);
    }

    /// Publish every file of `kind` again: its diagnostics depend on more than the index (token
    /// budgets, the provider's model list).
    pub fn refresh_kind(&mut self, world: &Snapshot, kind: FileKind) {
        let files: Vec<PathBuf> = world
            .index
            .files()
            .filter(|f| f.kind == kind && !f.read_only)
            .map(|f| f.path.clone())
            .collect();
        for p in files {
            self.touch_file_only(p);
        }
    }

    /// Settings that change what is indexed: rescan, unless the first scan
    /// (which reads the settings when it starts) has not been asked for yet.
    pub fn settings_changed(&mut self) {
        if self.generation > 0 {
            self.scan_requested = true;
        }
    }

    /// Handle the workspace messages; gives back the others.
    pub fn apply(&mut self, world: &mut Snapshot, msg: Msg) -> Option<Msg> {
        match msg {
            Msg::Caps(caps) => world.caps = Arc::new(caps),
            Msg::Scan => self.request_scan(),
            Msg::IndexWaitOver => {
                self.first_scan_done = true;
                self.release_waiting(world);
            }
            Msg::Indexed {
                generation,
                entries,
            } => {
                if generation == self.generation {
                    self.indexed(world, entries);
                }
            }
            Msg::Watched(p) => {
                for change in p.changes {
                    if let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) {
                        self.watched(world, path, change.typ);
                    }
                }
            }
            Msg::Budget { path, key, diags } => {
                self.budget_running.remove(&path);
                self.budgets.insert(path.clone(), (key, diags));
                self.touch_file_only(path);
            }
            Msg::Loaded(results) => {
                for (path, seq, entry) in results {
                    if self.pending.get(&path) != Some(&seq) {
                        continue;
                    }
                    self.pending.remove(&path);
                    if is_open(world, &path) {
                        continue;
                    }
                    // A YAML file that is no workflow and never was one changes nothing.
                    if entry.is_none() && world.index.file(&path).is_none() {
                        continue;
                    }
                    let idx = Arc::make_mut(&mut world.index);
                    match entry {
                        Some(e) => {
                            idx.insert(e);
                        }
                        None => {
                            idx.remove(&path);
                        }
                    }
                    self.touch(path);
                }
            }
            other => return Some(other),
        }
        None
    }

    fn touch(&mut self, path: PathBuf) {
        self.cross_stale = true;
        self.touch_file_only(path);
    }

    /// An entry changed, but nothing the cross-file rules read.
    fn touch_file_only(&mut self, path: PathBuf) {
        if self.scanning {
            self.since_scan.insert(path.clone());
        }
        self.touched.insert(path);
        self.index_changed = true;
    }

    fn indexed(&mut self, world: &mut Snapshot, entries: Vec<index::FileEntry>) {
        self.scanning = false;
        self.first_scan_done = true;
        let old = world.index.clone();
        let mut new = index::build(entries);
        // Watched changes and open documents are newer than what the scan read.
        for p in self.since_scan.drain() {
            match old.file(&p) {
                Some(e) => new.insert_arc(e.clone()),
                None => {
                    new.remove(&p);
                }
            }
        }
        for doc in world.docs.values() {
            if let Some(e) = old.file(&doc.path) {
                new.insert_arc(e.clone());
            }
        }
        self.touched.extend(old.files().map(|f| f.path.clone()));
        self.touched.extend(new.files().map(|f| f.path.clone()));
        world.index = Arc::new(new);
        self.index_changed = true;
        self.cross_stale = true;
    }

    fn watched(&mut self, world: &mut Snapshot, path: PathBuf, typ: FileChangeType) {
        // The editor's copy wins while a document is open.
        if is_open(world, &path) {
            return;
        }
        let Some(read_only) = scope(world, &path) else {
            return;
        };
        // A YAML file may be a workflow: its load (on the blocking pool, not here) reads it and
        // drops what is none.
        let kind = FileKind::from_path(&path).or_else(|| {
            forge_analysis::rules::workflow::is_yaml_path(&path).then_some(FileKind::Workflow)
        });
        if kind.is_none() {
            self.bundle_file_changed(world, &path, typ);
        }
        // What the scan skipped for .gitignore stays out when it changes later.
        if typ != FileChangeType::DELETED && !read_only {
            let root = world.folders.iter().find(|r| path.starts_with(r));
            if root.is_some_and(|r| index::is_ignored(r, &path, &mut self.ignores)) {
                return;
            }
        }
        if typ == FileChangeType::DELETED {
            self.pending.remove(&path);
            if kind.is_some() {
                if Arc::make_mut(&mut world.index).remove(&path).is_some() {
                    self.touch(path);
                }
            } else {
                // A folder: everything under it that is not open goes.
                let under: Vec<PathBuf> = world
                    .index
                    .files()
                    .filter(|f| f.path.starts_with(&path) && !is_open(world, &f.path))
                    .map(|f| f.path.clone())
                    .collect();
                for p in under {
                    self.pending.remove(&p);
                    Arc::make_mut(&mut world.index).remove(&p);
                    self.touch(p);
                }
            }
            return;
        }
        if kind.is_none() {
            // A folder created or moved in (a skill renamed, a bot copied): editors report the
            // folder, not the files inside it.
            if typ == FileChangeType::CREATED && !index::is_skipped(&path) && path.is_dir() {
                for file in index::discover(&path) {
                    self.watched(world, file, FileChangeType::CREATED);
                }
            }
            return;
        }
        self.seq += 1;
        self.pending.insert(path.clone(), self.seq);
        if self.scanning {
            self.since_scan.insert(path.clone());
        }
        self.to_load.push((path, read_only, self.seq));
    }

    /// A script or Markdown file changed on disk, or a folder was created or deleted (editors
    /// often report a new folder, not the files in it): the skill that bundles it is analysed
    /// again, so its findings are published anew.
    fn bundle_file_changed(&mut self, world: &mut Snapshot, path: &Path, typ: FileChangeType) {
        let folder = typ == FileChangeType::DELETED || path.is_dir();
        if !folder && forge_analysis::rules::bundle::lang_of(path).is_none() {
            return;
        }
        let Some(skill) = path
            .ancestors()
            .skip(1)
            .take(forge_analysis::rules::bundle::MAX_DEPTH)
            .map(|d| d.join("SKILL.md"))
            .find(|md| world.index.file(md).is_some())
        else {
            return;
        };
        let open = world
            .docs
            .iter()
            .find(|(_, d)| d.path == skill)
            .map(|(u, _)| u.clone());
        match open {
            Some(uri) => {
                let docs = Arc::make_mut(&mut world.docs);
                if let Some(doc) = docs.get_mut(&uri) {
                    *doc = Arc::new(doc.reanalysed());
                }
                self.doc_changed(&uri);
            }
            None => self.watched(world, skill, FileChangeType::CHANGED),
        }
    }

    /// Queue the diagnostics of `skill`'s bundled files (`bundle`: its findings now, `None` when
    /// it is gone or not reported on), and clear those of files that no longer have any.
    fn publish_bundle(
        &mut self,
        skill: &Path,
        bundle: Option<&[forge_analysis::rules::bundle::Finding]>,
        enc: forge_syntax::text::PositionEncoding,
        dirty: &mut Vec<Publish>,
    ) {
        let old = self.bundles.remove(skill).unwrap_or_default();
        let mut now = HashMap::new();
        for f in bundle.into_iter().flatten() {
            let h = hash(&f.diagnostics);
            if old.get(&f.path) != Some(&h) {
                if let Some(uri) = Uri::from_file_path(&f.path) {
                    dirty.push(Publish::Diags {
                        uri,
                        text: f.text.clone(),
                        diags: f.diagnostics.clone(),
                        version: None,
                        enc,
                    });
                }
            }
            now.insert(f.path.clone(), h);
        }
        for path in old.keys().filter(|p| !now.contains_key(*p)) {
            if let Some(uri) = Uri::from_file_path(path) {
                dirty.push(Publish::Clear(uri));
            }
        }
        if !now.is_empty() {
            self.bundles.insert(skill.to_path_buf(), now);
        }
    }

    pub fn doc_closed(&mut self, world: &mut Snapshot, uri: &Uri, path: &Path) {
        self.docs_touched.remove(uri);
        match scope(world, path) {
            Some(read_only) if path.exists() => {
                self.seq += 1;
                self.pending.insert(path.to_path_buf(), self.seq);
                self.to_load.push((path.to_path_buf(), read_only, self.seq));
            }
            _ => {
                // Out of the workspace (or gone): settle clears what was published.
                Arc::make_mut(&mut world.index).remove(path);
                self.touch(path.to_path_buf());
            }
        }
    }

    /// Bring the index and the cross-file diagnostics up to date; queue publishes.
    pub fn settle(&mut self, world: &mut Snapshot, dirty: &mut Vec<Publish>) {
        for uri in std::mem::take(&mut self.docs_touched) {
            let Some(doc) = world.docs.get(&uri).cloned() else {
                continue;
            };
            let read_only = scope(world, &doc.path).unwrap_or(false);
            let exists = |p: &Path| p.exists();
            let entry = entry_from_analysis(
                &doc.path,
                doc.kind,
                doc.text().clone(),
                doc.analysis(),
                read_only,
                &exists,
            );
            let old = world.index.file(&doc.path).cloned();
            let same = old
                .as_ref()
                .is_some_and(|old| rules::same_inputs(old, &entry));
            // Typing above a skill's references only moves them: move its
            // cross-file diagnostics along instead of re-running the rules.
            let moved = (!same)
                .then(|| {
                    old.as_ref()
                        .and_then(|old| rules::moved_inputs(old, &entry))
                })
                .flatten()
                .and_then(|m| match world.cross.get(&doc.path) {
                    None => Some(None),
                    Some(ds) => m.diagnostics(ds).map(Some),
                });
            Arc::make_mut(&mut world.index).insert(entry);
            self.force.insert(doc.path.clone());
            match moved {
                _ if same => self.touch_file_only(doc.path.clone()),
                Some(cross) => {
                    if let Some(cross) = cross {
                        Arc::make_mut(&mut world.cross).insert(doc.path.clone(), cross);
                    }
                    tracing::debug!("cross-file diagnostics moved with the edit");
                    self.touch_file_only(doc.path.clone());
                }
                None => self.touch(doc.path.clone()),
            }
        }
        if !self.index_changed {
            return;
        }
        self.index_changed = false;
        let mut changed: HashSet<PathBuf> = std::mem::take(&mut self.touched);
        if std::mem::take(&mut self.cross_stale) {
            let new_cross = rules::check(&world.index);
            tracing::debug!(
                "cross-file rules re-run over {} files for {} changed",
                world.index.len(),
                changed.len()
            );
            for (p, v) in &new_cross {
                if world.cross.get(p) != Some(v) {
                    changed.insert(p.clone());
                }
            }
            for p in world.cross.keys() {
                if !new_cross.contains_key(p) {
                    changed.insert(p.clone());
                }
            }
            world.cross = Arc::new(new_cross);
        } else {
            tracing::debug!("cross-file rules kept for {} changed", changed.len());
        }
        let open: HashMap<&Path, (&Uri, &Arc<forge_analysis::document::Document>)> = world
            .docs
            .iter()
            .map(|(u, d)| (d.path.as_path(), (u, d)))
            .collect();
        // A bot's prompt budget is reported on its IDENTITY.md but read from all its files.
        let identities: Vec<PathBuf> = changed
            .iter()
            .filter(|p| {
                matches!(
                    p.file_name().and_then(|n| n.to_str()),
                    Some("SOUL.md" | "USER.md" | "skills.toml")
                )
            })
            .filter_map(|p| Some(p.parent()?.join("IDENTITY.md")))
            .filter(|p| world.index.file(p).is_some())
            .collect();
        changed.extend(identities);
        let mut changed: Vec<PathBuf> = changed.into_iter().collect();
        changed.sort();
        for p in changed {
            let forced = self.force.remove(&p);
            let entry = world.index.file(&p);
            let bundle = entry
                .filter(|e| !e.read_only && e.kind == FileKind::Skill)
                .map(|e| e.bundle.clone());
            self.publish_bundle(&p, bundle.as_deref(), world.encoding, dirty);
            let mut diags: Vec<Diagnostic> =
                entry.map(|e| e.diagnostics.clone()).unwrap_or_default();
            diags.extend(world.cross.get(&p).into_iter().flatten().cloned());
            if let Some(e) = entry {
                diags.extend(world.souls.integrity(&p, &e.text));
                diags.extend(self.budget(world, &p));
                listed_models(world, e, &mut diags);
            }
            diags.sort_by_key(|d| (d.range.start, d.range.end));
            let h = hash(&diags);
            if let Some((uri, doc)) = open.get(p.as_path()) {
                if forced || self.published.get(&p) != Some(&h) {
                    self.published.insert(p.clone(), h);
                    dirty.push(Publish::Diags {
                        uri: (*uri).clone(),
                        text: doc.text().clone(),
                        diags,
                        version: Some(doc.version),
                        enc: world.encoding,
                    });
                }
                continue;
            }
            match entry.filter(|e| !e.read_only) {
                Some(e) => {
                    let before = self.published.insert(p.clone(), h);
                    // A clean file never published needs no empty notification.
                    let unchanged = before == Some(h) || (before.is_none() && diags.is_empty());
                    if unchanged {
                        continue;
                    }
                    if let Some(uri) = Uri::from_file_path(&p) {
                        dirty.push(Publish::Diags {
                            uri,
                            text: e.text.clone(),
                            diags,
                            version: None,
                            enc: world.encoding,
                        });
                    }
                }
                None => {
                    if self.published.remove(&p).is_some() {
                        if let Some(uri) = Uri::from_file_path(&p) {
                            dirty.push(Publish::Clear(uri));
                        }
                    }
                }
            }
        }
        self.force.clear();
        if self.first_scan_done && !self.waiting.is_empty() {
            self.release_waiting(world);
        }
    }

    /// Start the background work the batch asked for.
    /// The budget diagnostics of `p` as far as they are known: none when its text is shorter in
    /// bytes than the limit in tokens; else the count for these inputs, or the last one while a
    /// new count is queued for the blocking pool.
    fn budget(&mut self, world: &Snapshot, p: &Path) -> Vec<Diagnostic> {
        use forge_analysis::preview::{budget_check, BudgetCheck};
        match budget_check(&world.index, p, &world.settings.budget) {
            BudgetCheck::Clear => {
                self.budgets.remove(p);
                self.budget_wanted.remove(p);
                Vec::new()
            }
            BudgetCheck::Count(key) => match self.budgets.get(p) {
                Some((k, d)) if *k == key => d.clone(),
                last => {
                    self.budget_wanted.insert(p.to_path_buf(), key);
                    last.map(|(_, d)| d.clone()).unwrap_or_default()
                }
            },
        }
    }

    fn start_budget_jobs(&mut self, world: &Snapshot) {
        let ready: Vec<PathBuf> = self
            .budget_wanted
            .keys()
            .filter(|p| !self.budget_running.contains(*p))
            .cloned()
            .collect();
        for path in ready {
            let Some(key) = self.budget_wanted.remove(&path) else {
                continue;
            };
            self.budget_running.insert(path.clone());
            let (index, budget, tx) = (world.index.clone(), world.settings.budget, self.tx.clone());
            tokio::task::spawn_blocking(move || {
                // A panic loses this count, not the file: it reports nothing and may count again.
                let diags = std::panic::catch_unwind(|| {
                    forge_analysis::preview::budget_diagnostics(&index, &path, &budget)
                })
                .unwrap_or_default();
                let _ = tx.send(Msg::Budget { path, key, diags });
            });
        }
    }

    pub fn start_jobs(&mut self, world: &Snapshot) {
        self.ignores.clear();
        self.start_budget_jobs(world);
        if self.scan_requested {
            self.scan_requested = false;
            self.generation += 1;
            self.scanning = true;
            self.since_scan.clear();
            let spec = scan_spec(world);
            if world.caps.watch_dynamic && self.watching.as_ref() != Some(&spec.library) {
                let again = self.watching.is_some();
                self.watching = Some(spec.library.clone());
                indexer::spawn_watch(
                    self.client.clone(),
                    (*world.caps).clone(),
                    spec.library.clone(),
                    again,
                );
            }
            indexer::spawn_scan(
                self.client.clone(),
                self.tx.clone(),
                self.generation,
                spec,
                world.caps.work_done_progress,
            );
        }
        let jobs = std::mem::take(&mut self.to_load);
        indexer::spawn_load(self.tx.clone(), jobs, world.settings.profile);
    }
}

pub fn scan_spec(world: &Snapshot) -> ScanSpec {
    ScanSpec {
        roots: world.folders.to_vec(),
        library: index::library_root(world.settings.boternity_data_dir.as_deref()),
        profile: world.settings.profile,
    }
}

/// A Boternity IDENTITY.md's `identity-model-unknown`, checked against the provider's list
/// instead of the built-in table once the list is in (analysis stays free of it, so a list
/// arriving republishes without analysing again).
fn listed_models(world: &Snapshot, e: &index::FileEntry, diags: &mut Vec<Diagnostic>) {
    let Some(listed) = world.models.as_deref() else {
        return;
    };
    if e.kind != FileKind::Identity
        || e.bundled
        || e.dialect == Some(forge_analysis::dialect::Dialect::OpenClaw)
    {
        return;
    }
    diags.retain(|d| d.code != forge_syntax::codes::IDENTITY_MODEL_UNKNOWN.id);
    diags.extend(forge_analysis::rules::identity::model_diagnostic(
        &e.text,
        Some(listed),
    ));
}

fn is_open(world: &Snapshot, path: &Path) -> bool {
    world.docs.values().any(|d| d.path == path)
}

/// Whether `path` belongs in the index: Some(read-only) for the library.
fn scope(world: &Snapshot, path: &Path) -> Option<bool> {
    for root in world.folders.iter() {
        if let Ok(rel) = path.strip_prefix(root) {
            return (!index::is_skipped(rel)).then_some(false);
        }
    }
    let lib = index::library_root(world.settings.boternity_data_dir.as_deref())?;
    let rel = path.strip_prefix(&lib).ok()?;
    (!index::is_skipped(rel)).then_some(true)
}

fn hash(diags: &[Diagnostic]) -> u64 {
    let mut h = DefaultHasher::new();
    for d in diags {
        (d.range.start, d.range.end, d.code, &d.message, d.severity).hash(&mut h);
    }
    h.finish()
}
