//! The workspace index: every bot and skill file under the workspace roots and
//! the global skill library, each reduced to what cross-file rules, completion
//! and navigation need (names, references and their byte ranges) plus its
//! per-file diagnostics. Entries are immutable and shared (`Arc`), so replacing
//! one file never touches the others.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::rules::{skill::parse_dependency, skills_toml::Attachment, Profile};
use crate::{Analysis, FileKind};
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::files::{self, Content};
use forge_syntax::yaml::Node;

/// A skill named in `dependencies`, `parents` or `conflicts-with`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    /// The `@requirement` part of a dependency, if any.
    pub req: Option<String>,
    /// The whole list item (quotes included).
    pub range: Range<usize>,
    /// Just the skill name inside the item: what a rename replaces.
    pub name_range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Dependency,
    Parent,
    Conflict,
}

impl RefKind {
    pub fn key(self) -> &'static str {
        match self {
            RefKind::Dependency => "dependencies",
            RefKind::Parent => "parents",
            RefKind::Conflict => "conflicts-with",
        }
    }
}

/// What a SKILL.md declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillInfo {
    /// The manifest `name`, or the folder name when the file has none (Boternity
    /// looks skills up by folder, so references still resolve while editing).
    pub name: String,
    /// The `name` value without quotes; None when the name came from the folder.
    pub name_range: Option<Range<usize>>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub skill_type: Option<String>,
    pub trust_tier: Option<String>,
    pub capabilities: Vec<String>,
    pub dependencies: Vec<Ref>,
    pub parents: Vec<Ref>,
    pub conflicts: Vec<Ref>,
}

impl SkillInfo {
    pub fn refs(&self) -> impl Iterator<Item = (RefKind, &Ref)> {
        self.dependencies
            .iter()
            .map(|r| (RefKind::Dependency, r))
            .chain(self.parents.iter().map(|r| (RefKind::Parent, r)))
            .chain(self.conflicts.iter().map(|r| (RefKind::Conflict, r)))
    }
}

/// A relative link in a Markdown body, resolved against the file's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLink {
    pub range: Range<usize>,
    pub target: PathBuf,
}

/// One indexed file.
#[derive(Debug)]
pub struct FileEntry {
    pub path: PathBuf,
    pub kind: FileKind,
    pub text: Arc<str>,
    /// Per-file diagnostics (rules of the file alone, link checks included).
    pub diagnostics: Vec<Diagnostic>,
    /// In the global skill library: resolves references, never edited or reported on.
    pub read_only: bool,
    pub skill: Option<SkillInfo>,
    pub attachments: Vec<Attachment>,
    pub links: Vec<FileLink>,
    /// IDENTITY.md `display_name` or SOUL.md `name`: what a bot is called.
    pub title: Option<String>,
    /// The agent the file is written for.
    pub dialect: Option<crate::dialect::Dialect>,
    /// Inside a skill's folder (`skill-nested`): bundled content, neither a skill nor a bot's file.
    pub bundled: bool,
    /// A skill's bundled files with security findings (see [`crate::Analysis::bundle`]).
    pub bundle: Arc<[crate::rules::bundle::Finding]>,
    /// A Boternity workflow's name, steps, references and triggers.
    pub workflow: Option<crate::rules::workflow::WorkflowInfo>,
}

impl FileEntry {
    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// Build an entry from text and its analysis. `exists` answers whether a link
/// target exists (a closure so tests need no disk).
pub fn entry_from_analysis(
    path: &Path,
    kind: FileKind,
    text: Arc<str>,
    a: &Analysis,
    read_only: bool,
    exists: &dyn Fn(&Path) -> bool,
) -> FileEntry {
    let mut diagnostics = a.diagnostics.clone();
    let folder = path.parent().unwrap_or(Path::new(""));
    let links = relative_links(folder, a);
    for l in &links {
        if !exists(&l.target) {
            diagnostics.push(Diagnostic::new(
                &codes::LINK_MISSING_FILE,
                l.range.clone(),
                format!(
                    "This link points to `{}`, which does not exist next to this file; fix the path or add the file.",
                    l.target.strip_prefix(folder).unwrap_or(&l.target).display()
                ),
            ));
        }
    }
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    // Bundled content is no skill: no name to resolve or to clash with.
    let skill = (kind == FileKind::Skill && a.bundled_in.is_none())
        .then(|| skill_info(path, &text, a.yaml.as_ref()));
    let title = match kind {
        FileKind::Identity => crate::rules::lines::get(&a.fields, "display_name"),
        FileKind::Soul => crate::rules::lines::get(&a.fields, "name"),
        _ => None,
    }
    .map(|f| f.unquoted().to_string())
    .filter(|s| !s.is_empty());
    FileEntry {
        path: path.to_path_buf(),
        kind,
        text,
        diagnostics,
        read_only,
        skill,
        attachments: a.attachments.clone(),
        links,
        title,
        dialect: a.dialect.as_ref().map(|d| d.dialect),
        bundled: a.bundled_in.is_some(),
        bundle: a.bundle.clone().into(),
        workflow: a.workflow.clone(),
    }
}

/// Read and analyse one file from disk. `None` when it is gone or unreadable at
/// the OS level (deleted while indexing, permissions): the caller drops it.
pub fn load(path: &Path, read_only: bool, profile: Profile) -> Option<FileEntry> {
    let by_name = FileKind::from_path(path);
    if by_name.is_none() && !crate::rules::workflow::is_yaml_path(path) {
        return None;
    }
    let exists = |p: &Path| p.exists();
    match files::read(path) {
        Ok(Content::Text(text)) => {
            let kind = by_name.or_else(|| FileKind::indexed(path, &text))?;
            let a = crate::analyze(kind, path, &text, profile);
            Some(entry_from_analysis(
                path,
                kind,
                Arc::from(text),
                &a,
                read_only,
                &exists,
            ))
        }
        Ok(Content::Unreadable { diagnostic, lossy }) => {
            // A YAML file that cannot be read is nobody's workflow.
            let kind = by_name?;
            // Still a skill (by folder name) so references to it resolve.
            let a = Analysis {
                diagnostics: vec![diagnostic],
                ..Analysis::default()
            };
            Some(entry_from_analysis(
                path,
                kind,
                Arc::from(lossy),
                &a,
                read_only,
                &exists,
            ))
        }
        Err(e) => {
            tracing::debug!("not indexing {}: {e}", path.display());
            None
        }
    }
}

fn relative_links(folder: &Path, a: &Analysis) -> Vec<FileLink> {
    a.outline
        .links
        .iter()
        .filter_map(|l| {
            let dest = l.dest.split(['#', '?']).next().unwrap_or("").trim();
            let is_url = dest.contains("://") || dest.starts_with("mailto:");
            if dest.is_empty() || is_url || dest.starts_with('/') {
                return None;
            }
            Some(FileLink {
                range: l.range.clone(),
                target: normalize(&folder.join(percent_decode(dest))),
            })
        })
        .collect()
}

/// `a/./b/../c` → `a/c`, without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The range of a scalar's content: inside the quotes when it is quoted.
pub fn content_range(text: &str, node: &Node) -> Range<usize> {
    let span = node.span.clone();
    let raw = text.get(span.clone()).unwrap_or("");
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    if quoted {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

fn skill_info(path: &Path, text: &str, root: Option<&Node>) -> SkillInfo {
    let folder_name = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|f| f.to_str())
        .unwrap_or("")
        .to_string();
    let mut info = SkillInfo {
        name: folder_name,
        ..SkillInfo::default()
    };
    let Some(root) = root.filter(|r| r.as_map().is_some()) else {
        return info;
    };
    let s = |node: Option<&Node>| node.and_then(|n| n.as_str()).map(str::to_string);
    if let Some(e) = root.get("name") {
        if let Some(name) = e.value.as_str().filter(|n| !n.trim().is_empty()) {
            info.name = name.to_string();
            info.name_range = Some(content_range(text, &e.value));
        }
    }
    info.description = s(root.get("description").map(|e| &e.value));
    let Some(meta) = root.get("metadata").map(|e| &e.value) else {
        return info;
    };
    let field = |k: &str| meta.get(k).map(|e| &e.value);
    info.version = s(field("version"));
    info.skill_type = s(field("skill-type"));
    info.trust_tier = s(field("trust-tier"));
    info.capabilities = field("capabilities")
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let refs = |k: &str| -> Vec<Ref> {
        let Some(items) = field(k).and_then(Node::as_seq) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|n| {
                let raw = n.as_str()?;
                let (name, req) = parse_dependency(raw);
                if name.is_empty() {
                    return None;
                }
                let content = content_range(text, n);
                let inner = text.get(content.clone()).unwrap_or("");
                let name_range = match inner.find(name) {
                    Some(i) => content.start + i..content.start + i + name.len(),
                    None => content,
                };
                Some(Ref {
                    name: name.to_string(),
                    req: req.map(str::to_string),
                    range: n.span.clone(),
                    name_range,
                })
            })
            .collect()
    };
    info.dependencies = refs("dependencies");
    info.parents = refs("parents");
    info.conflicts = refs("conflicts-with");
    info
}

/// The files of one bot folder.
#[derive(Clone, Debug, Default)]
pub struct Bot {
    pub folder: PathBuf,
    pub identity: Option<PathBuf>,
    pub soul: Option<PathBuf>,
    pub user: Option<PathBuf>,
    pub skills_toml: Option<PathBuf>,
}

impl Bot {
    pub fn is_bot(&self) -> bool {
        self.identity.is_some() || self.soul.is_some()
    }
}

/// Every indexed file, and skills by name.
#[derive(Clone, Debug, Default)]
pub struct Index {
    files: HashMap<PathBuf, Arc<FileEntry>>,
    /// Skill name → the SKILL.md files declaring it (sorted, usually one).
    by_name: HashMap<String, Vec<PathBuf>>,
    /// The keys of `by_name` in order: completion takes the first names without
    /// sorting them all (lookups stay on the hash map, which the cross-file
    /// rules make thousands of).
    names: BTreeSet<String>,
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Add or replace a file; returns the previous entry.
    pub fn insert(&mut self, entry: FileEntry) -> Option<Arc<FileEntry>> {
        let old = self.files.get(&entry.path).cloned();
        self.insert_arc(Arc::new(entry));
        old
    }

    /// Add or replace a shared entry.
    pub fn insert_arc(&mut self, entry: Arc<FileEntry>) {
        self.remove(&entry.path);
        if let Some(info) = &entry.skill {
            if !self.by_name.contains_key(&info.name) {
                self.names.insert(info.name.clone());
            }
            let paths = self.by_name.entry(info.name.clone()).or_default();
            if let Err(at) = paths.binary_search(&entry.path) {
                paths.insert(at, entry.path.clone());
            }
        }
        self.files.insert(entry.path.clone(), entry);
    }

    pub fn remove(&mut self, path: &Path) -> Option<Arc<FileEntry>> {
        let old = self.files.remove(path)?;
        if let Some(info) = &old.skill {
            if let Some(paths) = self.by_name.get_mut(&info.name) {
                paths.retain(|p| p != path);
                if paths.is_empty() {
                    self.by_name.remove(&info.name);
                    self.names.remove(&info.name);
                }
            }
        }
        Some(old)
    }

    /// Remove every file under `dir` (a deleted folder); returns their paths.
    pub fn remove_under(&mut self, dir: &Path) -> Vec<PathBuf> {
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| p.starts_with(dir))
            .cloned()
            .collect();
        for p in &gone {
            self.remove(p);
        }
        gone
    }

    pub fn file(&self, path: &Path) -> Option<&Arc<FileEntry>> {
        self.files.get(path)
    }

    pub fn files(&self) -> impl Iterator<Item = &Arc<FileEntry>> {
        self.files.values()
    }

    /// SKILL.md entries declaring `name`.
    pub fn skills_named<'a>(
        &'a self,
        name: &str,
    ) -> impl Iterator<Item = (&'a Arc<FileEntry>, &'a SkillInfo)> + 'a {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|p| self.files.get(p))
            .filter_map(|f| f.skill.as_ref().map(|s| (f, s)))
    }

    /// The skill a reference to `name` resolves to: a workspace skill first, then the library.
    pub fn resolve(&self, name: &str) -> Option<(&Arc<FileEntry>, &SkillInfo)> {
        let mut best = None;
        for (f, s) in self.skills_named(name) {
            if !f.read_only {
                return Some((f, s));
            }
            best.get_or_insert((f, s));
        }
        best
    }

    /// Every skill name, in order.
    pub fn skill_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn skills(&self) -> impl Iterator<Item = (&Arc<FileEntry>, &SkillInfo)> {
        self.files
            .values()
            .filter_map(|f| f.skill.as_ref().map(|s| (f, s)))
    }

    /// Bot folders (those holding IDENTITY.md or SOUL.md, or other bot files), by folder.
    pub fn bots(&self) -> BTreeMap<PathBuf, Bot> {
        let mut out: BTreeMap<PathBuf, Bot> = BTreeMap::new();
        for f in self.files.values() {
            if f.read_only || matches!(f.kind, FileKind::Skill | FileKind::Workflow) || f.bundled {
                continue;
            }
            let folder = f.folder().to_path_buf();
            let bot = out.entry(folder.clone()).or_insert_with(|| Bot {
                folder,
                ..Bot::default()
            });
            let slot = match f.kind {
                FileKind::Identity => &mut bot.identity,
                FileKind::Soul => &mut bot.soul,
                FileKind::User => &mut bot.user,
                FileKind::SkillsToml => &mut bot.skills_toml,
                FileKind::Skill | FileKind::Workspace | FileKind::Workflow => continue,
            };
            *slot = Some(f.path.clone());
        }
        // An OpenClaw workspace (AGENTS.md beside the files) is not a Boternity bot.
        let openclaw: Vec<PathBuf> = self
            .files
            .values()
            .filter(|f| f.kind == FileKind::Workspace)
            .map(|f| f.folder().to_path_buf())
            .collect();
        out.retain(|folder, _| !openclaw.contains(folder));
        out
    }

    /// The slugs of the bots in the workspace (their folders' names), with their folders.
    pub fn bot_slugs(&self) -> BTreeMap<String, PathBuf> {
        self.bots()
            .into_values()
            .filter(Bot::is_bot)
            .filter_map(|b| {
                let slug = b.folder.file_name()?.to_str()?.to_string();
                Some((slug, b.folder))
            })
            .collect()
    }

    /// The workflows in the workspace, with their names.
    pub fn workflows(
        &self,
    ) -> impl Iterator<Item = (&Arc<FileEntry>, &crate::rules::workflow::WorkflowInfo)> {
        self.files
            .values()
            .filter_map(|f| f.workflow.as_ref().map(|w| (f, w)))
    }

    /// The workflows named `name`, in path order.
    pub fn workflows_named(&self, name: &str) -> Vec<&Arc<FileEntry>> {
        let mut out: Vec<&Arc<FileEntry>> = self
            .workflows()
            .filter(|(_, w)| w.name.as_deref() == Some(name))
            .map(|(f, _)| f)
            .collect();
        out.sort_by(|a, b| forge_syntax::files::path_order(&a.path, &b.path));
        out
    }

    /// The bot whose folder holds `path`.
    pub fn bot_of(&self, path: &Path) -> Option<Bot> {
        let folder = path.parent()?;
        self.bots().remove(folder)
    }
}

/// Where the global skill library is: the `boternityDataDir` setting, else
/// `$BOTERNITY_DATA_DIR`, else `~/.boternity` (spec §1.1), plus `/skills`.
pub fn library_root(setting: Option<&str>) -> Option<PathBuf> {
    let data = match setting.filter(|s| !s.trim().is_empty()) {
        Some(s) => PathBuf::from(expand_home(s)),
        None => match std::env::var_os("BOTERNITY_DATA_DIR").filter(|v| !v.is_empty()) {
            Some(v) => PathBuf::from(v),
            None => home_dir()?.join(".boternity"),
        },
    };
    Some(data.join("skills"))
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), home_dir()) {
        (Some(rest), Some(home)) => home.join(rest).display().to_string(),
        _ => s.to_string(),
    }
}

/// Above this many directory entries a root is not a bot workspace; stop walking it.
pub const MAX_WALK_ENTRIES: usize = 2_000_000;

pub use forge_syntax::files::is_skipped;

/// Whether `path` (under `root`) is excluded by the ignore files the scan honours: `.gitignore`
/// and `.ignore` in `root` and every folder down to the file, and `root/.git/info/exclude`. The
/// deepest file that has a say wins, and an ignored folder ignores everything in it, as in git.
/// Used for single watched-file events, so a file the scan skipped does not slip in later.
/// `matchers` caches the parsed files per folder (`None`: the folder has none).
pub fn is_ignored(
    root: &Path,
    path: &Path,
    matchers: &mut HashMap<PathBuf, Option<Arc<ignore::gitignore::Gitignore>>>,
) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut dirs = vec![root.to_path_buf()];
    for c in rel.parent().into_iter().flat_map(Path::components) {
        let next = dirs[dirs.len() - 1].join(c);
        dirs.push(next);
    }
    for dir in dirs.iter().rev() {
        let m = matchers.entry(dir.clone()).or_insert_with(|| {
            let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
            let mut any = false;
            let mut files = vec![dir.join(".gitignore"), dir.join(".ignore")];
            if dir == root {
                files.push(dir.join(".git/info/exclude"));
            }
            for f in files.iter().filter(|f| f.is_file()) {
                // A malformed line is skipped by the scan too; keep the rest.
                let _ = b.add(f);
                any = true;
            }
            any.then(|| b.build().ok().map(Arc::new)).flatten()
        });
        if let Some(m) = m {
            match m.matched_path_or_any_parents(path, false) {
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
                ignore::Match::None => {}
            }
        }
    }
    false
}

/// Every bot and skill file under `root`, as [`forge_syntax::files::walker`] finds them (the
/// policy `check` and the builder share). The home directory itself is never walked as a
/// workspace folder: only its `.boternity`.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return indexed_file(root)
            .map(|_| vec![root.to_path_buf()])
            .unwrap_or_default();
    }
    if home_dir().is_some_and(|h| h == root) || root == Path::new("/") {
        tracing::info!(
            "not walking {}: a home or root directory is not a workspace",
            root.display()
        );
        return Vec::new();
    }
    let walker = forge_syntax::files::walker(root);
    let (found, stopped) =
        forge_syntax::files::walk(&walker, MAX_WALK_ENTRIES, |p| indexed_file(p).map(|_| ()));
    let mut out: Vec<PathBuf> = found.into_iter().map(|(p, ())| p).collect();
    if stopped {
        tracing::warn!(
            "stopped indexing {} after {MAX_WALK_ENTRIES} entries",
            root.display()
        );
    }
    out.sort_unstable_by(|a, b| forge_syntax::files::path_order(a, b));
    out.dedup();
    out
}

/// The kind a file on disk is indexed as ([`FileKind::indexed`]), reading only YAML files.
pub fn indexed_file(path: &Path) -> Option<FileKind> {
    FileKind::from_path(path).or_else(|| {
        (FileKind::of_file(path) == Some(FileKind::Workflow)).then_some(FileKind::Workflow)
    })
}

/// What to scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanSpec {
    pub roots: Vec<PathBuf>,
    /// The global skill library, indexed read-only.
    pub library: Option<PathBuf>,
    pub profile: Profile,
}

/// Scan everything in `spec` into entries, reading files on all cores.
/// `progress(done, total)` is called now and then; files that vanish or cannot
/// be read while scanning are left out.
pub fn scan(spec: &ScanSpec, progress: &(dyn Fn(usize, usize) + Sync)) -> Vec<FileEntry> {
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for root in &spec.roots {
        paths.extend(discover(root).into_iter().map(|p| (p, false)));
    }
    if let Some(lib) = &spec.library {
        // A data directory opened as the workspace already holds its library.
        let inside = spec.roots.iter().any(|r| lib.starts_with(r));
        if lib.is_dir() && !inside {
            paths.extend(
                discover(lib)
                    .into_iter()
                    .filter(|p| FileKind::from_path(p) == Some(FileKind::Skill))
                    .map(|p| (p, true)),
            );
        }
    }
    load_all(&paths, spec.profile, progress)
}

/// Load `paths` (path, read-only) in parallel.
pub fn load_all(
    paths: &[(PathBuf, bool)],
    profile: Profile,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<FileEntry> {
    let total = paths.len();
    progress(0, total);
    if total == 0 {
        return Vec::new();
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    // A panicking loader loses its file, not the scan.
    let out = crate::par::map(paths, |(path, ro)| {
        let e = load(path, *ro, profile);
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(256) {
            progress(n, total);
        }
        e
    })
    .into_iter()
    .flatten()
    .flatten()
    .collect();
    progress(total, total);
    out
}

/// An index of `entries`.
pub fn build(entries: Vec<FileEntry>) -> Index {
    let mut index = Index::new();
    for e in entries {
        index.insert(e);
    }
    index
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// An entry for `text` at `path`, every link target existing.
    pub fn entry(path: &str, text: &str) -> FileEntry {
        let path = Path::new(path);
        let kind = FileKind::from_path(path).expect("known kind");
        let a = crate::analyze(kind, path, text, Profile::Boternity);
        entry_from_analysis(path, kind, Arc::from(text), &a, false, &|_| true)
    }

    /// [`entry`] for a file of `kind` (a workflow, known by content).
    pub fn entry_kind(path: &str, text: &str, kind: FileKind) -> FileEntry {
        let path = Path::new(path);
        let a = crate::analyze(kind, path, text, Profile::Boternity);
        entry_from_analysis(path, kind, Arc::from(text), &a, false, &|_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::entry;
    use super::*;

    #[test]
    fn extracts_skill_references_with_name_ranges() {
        let text = "---\nname: web\ndescription: d\nmetadata:\n  version: \"1.2.0\"\n  dependencies: [\"url-tools@^1.0\", base]\n  parents:\n    - base\n  conflicts-with: ['other']\n---\n# x\n";
        let e = entry("/w/web/SKILL.md", text);
        let s = e.skill.as_ref().unwrap();
        assert_eq!(s.name, "web");
        assert_eq!(&text[s.name_range.clone().unwrap()], "web");
        assert_eq!(s.version.as_deref(), Some("1.2.0"));
        assert_eq!(s.dependencies.len(), 2);
        assert_eq!(&text[s.dependencies[0].name_range.clone()], "url-tools");
        assert_eq!(s.dependencies[0].req.as_deref(), Some("^1.0"));
        assert_eq!(&text[s.dependencies[0].range.clone()], "\"url-tools@^1.0\"");
        assert_eq!(&text[s.parents[0].name_range.clone()], "base");
        assert_eq!(&text[s.conflicts[0].name_range.clone()], "other");
    }

    #[test]
    fn broken_skill_keeps_its_folder_name() {
        let e = entry("/w/half/SKILL.md", "---\nname: [\n---\n");
        assert_eq!(e.skill.as_ref().unwrap().name, "half");
        assert!(!e.diagnostics.is_empty());
    }

    #[test]
    fn insert_replace_remove_keep_names_consistent() {
        let mut idx = Index::new();
        idx.insert(entry(
            "/w/a/SKILL.md",
            "---\nname: a\ndescription: d\n---\nx\n",
        ));
        assert!(idx.resolve("a").is_some());
        idx.insert(entry(
            "/w/a/SKILL.md",
            "---\nname: b\ndescription: d\n---\nx\n",
        ));
        assert!(idx.resolve("a").is_none());
        assert!(idx.resolve("b").is_some());
        idx.remove_under(Path::new("/w/a"));
        assert!(idx.resolve("b").is_none());
        assert!(idx.is_empty());
        assert_eq!(idx.skill_names().count(), 0);
    }

    #[test]
    fn skill_names_come_in_order_once_each() {
        let mut idx = Index::new();
        for (folder, name) in [("c", "c"), ("a", "a"), ("b", "b"), ("a2", "a")] {
            idx.insert(entry(
                &format!("/w/{folder}/SKILL.md"),
                &format!("---\nname: {name}\ndescription: d\n---\nx\n"),
            ));
        }
        assert_eq!(idx.skill_names().collect::<Vec<_>>(), ["a", "b", "c"]);
        // One of two declarations gone: the name stays; both gone: it goes.
        idx.remove(Path::new("/w/a/SKILL.md"));
        assert_eq!(idx.skill_names().collect::<Vec<_>>(), ["a", "b", "c"]);
        idx.remove(Path::new("/w/a2/SKILL.md"));
        assert_eq!(idx.skill_names().collect::<Vec<_>>(), ["b", "c"]);
    }

    #[test]
    fn links_resolve_relative_to_the_file() {
        let text = "---\nname: a\ndescription: d\n---\nSee [r](./ref/x.md#top), [w](https://x.y) and [m](gone%20file.md).\n";
        let path = Path::new("/w/a/SKILL.md");
        let a = crate::analyze(FileKind::Skill, path, text, Profile::Boternity);
        let e = entry_from_analysis(path, FileKind::Skill, Arc::from(text), &a, false, &|p| {
            p == Path::new("/w/a/ref/x.md")
        });
        assert_eq!(e.links.len(), 2);
        assert_eq!(e.links[1].target, Path::new("/w/a/gone file.md"));
        let missing: Vec<_> = e
            .diagnostics
            .iter()
            .filter(|d| d.code == "link-missing-file")
            .collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(&text[missing[0].range.clone()], "[m](gone%20file.md)");
    }

    #[test]
    fn normalizes_dot_segments() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }

    #[test]
    fn single_paths_are_ignored_exactly_as_the_scan_ignores_them() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let skill = |rel: &str| {
            let p = root.join(rel).join("SKILL.md");
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "---\nname: x\ndescription: d\n---\n").unwrap();
            p
        };
        std::fs::write(root.join(".gitignore"), "generated/\n").unwrap();
        std::fs::create_dir_all(root.join("skills")).unwrap();
        std::fs::write(
            root.join("skills/.gitignore"),
            "scratch-*/\n!scratch-keep/\n",
        )
        .unwrap();
        let all = [
            skill("generated/skills/a"),
            skill("skills/b"),
            skill("skills/scratch-c"),
            skill("skills/scratch-keep"),
            skill("skills/deep/generated/d"),
        ];
        let found = discover(&root);
        let mut cache = HashMap::new();
        for p in &all {
            assert_eq!(
                is_ignored(&root, p, &mut cache),
                !found.contains(p),
                "{} (scan found {found:?})",
                p.display()
            );
        }
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
