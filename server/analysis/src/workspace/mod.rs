//! Workspace intelligence: the index of every bot and skill file, the
//! cross-file rules over it, and the pure functions behind completion, hover,
//! navigation and symbols. The LSP layer and `check` both call these.

pub mod complete;
pub mod context;
pub mod dialect_assist;
pub mod hover;
pub mod index;
pub mod navigate;
pub mod rules;
pub mod workflow;

pub use index::{FileEntry, Index, ScanSpec};

use std::path::{Path, PathBuf};

use crate::check::FileReport;
use crate::rules::Profile;
use crate::FileKind;

/// `forge-ls check`: add the link checks and the cross-file rules to per-file
/// reports, resolving references against the reports' files and the skill
/// library (`library`, read-only, never reported on).
pub fn cross_check(reports: &mut [FileReport], profile: Profile, library: Option<&Path>) {
    cross_check_in(reports, &[], profile, library);
}

/// [`cross_check`], also resolving against the project's other files
/// (`context`, never reported on).
pub fn cross_check_in(
    reports: &mut [FileReport],
    context: &[PathBuf],
    profile: Profile,
    library: Option<&Path>,
) {
    let exists = |p: &Path| p.exists();
    let mut entries = Vec::with_capacity(reports.len());
    for r in reports.iter() {
        let Some(kind) = FileKind::indexed(&r.path, &r.text) else {
            continue;
        };
        let a = crate::analyze(kind, &r.path, &r.text, profile);
        entries.push(index::entry_from_analysis(
            &r.path,
            kind,
            r.text.clone(),
            &a,
            false,
            &exists,
        ));
    }
    cross_check_entries(reports, entries, context, profile, library);
}

/// [`cross_check_in`] given the index entries of the reports' files, built
/// from the analyses that made the reports (`check` analyses each file once).
pub fn cross_check_entries(
    reports: &mut [FileReport],
    entries: Vec<index::FileEntry>,
    context: &[PathBuf],
    profile: Profile,
    library: Option<&Path>,
) {
    let mut idx = index::build(entries);
    let context: Vec<(PathBuf, bool)> = context
        .iter()
        .filter(|p| idx.file(p).is_none())
        .map(|p| (p.clone(), false))
        .collect();
    for e in index::load_all(&context, profile, &|_, _| {}) {
        idx.insert(e);
    }
    if let Some(lib) = library.filter(|l| l.is_dir()) {
        let paths: Vec<(PathBuf, bool)> = index::discover(lib)
            .into_iter()
            .filter(|p| FileKind::from_path(p) == Some(FileKind::Skill) && idx.file(p).is_none())
            .map(|p| (p, true))
            .collect();
        for e in index::load_all(&paths, profile, &|_, _| {}) {
            idx.insert(e);
        }
    }
    let mut cross = rules::check(&idx);
    for r in reports.iter_mut() {
        let links = idx
            .file(&r.path)
            .into_iter()
            .flat_map(|e| e.diagnostics.iter())
            .filter(|d| d.code == forge_syntax::codes::LINK_MISSING_FILE.id)
            .cloned();
        r.diagnostics.extend(links);
        r.diagnostics
            .extend(cross.remove(&r.path).unwrap_or_default());
        r.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    }
}
