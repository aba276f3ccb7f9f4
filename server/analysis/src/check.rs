//! `check`'s batch pass: every bot and skill file under some paths, analysed once each, then the
//! cross-file rules over all of them. The command line around it is the binary's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::rules::Profile;
use crate::workspace::index::{self, FileEntry};
use crate::{Analysis, FileKind};
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::files::{self, Content};

/// One file's result.
pub struct FileReport {
    pub path: PathBuf,
    /// Shared with the file's index entry: an archive's texts are kept once, not twice.
    pub text: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
    /// The dialect the file was checked as (none when unreadable).
    pub dialect: Option<crate::dialect::Detection>,
}

/// Every bot and skill file under `root`, as [`forge_syntax::files::walker`] finds them.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    discover_except(root, Vec::new())
}

/// [`discover`], not entering the folders `skip`.
fn discover_except(root: &Path, skip: Vec<PathBuf>) -> Vec<PathBuf> {
    let walker = forge_syntax::files::walker_except(root, skip);
    let mut found: Vec<PathBuf> =
        forge_syntax::files::walk(&walker, usize::MAX, |p| FileKind::of_file(p).map(|_| ()))
            .0
            .into_iter()
            .map(|(p, ())| p)
            .collect();
    found.sort_unstable_by(|a, b| forge_syntax::files::path_order(a, b));
    found
}

/// What one walk of a folder finds: the bot and skill files to check, and every file a skill
/// could bundle (sorted by path), from which each skill's bundle is taken instead of walking
/// its folder again; and, filled in as the files are analysed, which folders hold a skill.
struct Walked {
    checked: Vec<PathBuf>,
    bundled: Vec<PathBuf>,
    folders: crate::SkillFolders,
}

/// One walk of `root` (a folder).
fn walk(root: &Path) -> Walked {
    let walker = forge_syntax::files::walker(root);
    let (found, _) = forge_syntax::files::walk(&walker, usize::MAX, |p| {
        if FileKind::of_file(p).is_some() {
            Some(true)
        } else {
            crate::rules::bundle::lang_of(p).map(|_| false)
        }
    });
    let (checked, bundled): (Vec<_>, Vec<_>) = found.into_iter().partition(|(_, c)| *c);
    let mut bundled: Vec<PathBuf> = bundled.into_iter().map(|(p, _)| p).collect();
    // Path order (what `files_in`'s search assumes) at the cost of a byte comparison.
    bundled.sort_unstable_by(|a, b| forge_syntax::files::path_order(a, b));
    Walked {
        checked: checked.into_iter().map(|(p, _)| p).collect(),
        bundled,
        folders: crate::SkillFolders::default(),
    }
}

/// Builds the tables the analysis of every file reads (the security rules' gate, the decoders,
/// the secret prefixes, the environment readers), so that the first files do not wait for them.
fn warm_up() {
    let _ = crate::security::scan("x", crate::rules::bundle::Lang::Shell);
    let _ = crate::rules::openclaw_scripts::env_reads("x", crate::rules::bundle::Lang::Shell);
}

pub fn check_file(path: &Path, profile: Profile) -> std::io::Result<FileReport> {
    check_file_entry(path, profile, None).map(|(r, _, _)| r)
}

/// [`check_file`], the file's index entry for the cross-file rules and, for a skill, its
/// bundled files' findings, from one analysis.
/// `walked`: the walk that found the file (`None`: a skill's folder is walked for its bundle).
fn check_file_entry(
    path: &Path,
    profile: Profile,
    walked: Option<&Walked>,
) -> std::io::Result<(
    FileReport,
    Option<FileEntry>,
    Vec<crate::rules::bundle::Finding>,
)> {
    let (text, a) = match files::read(path)? {
        Content::Text(text) => {
            let a = FileKind::of_text(path, &text).map(|kind| {
                let bundle = walked
                    .filter(|_| kind == FileKind::Skill)
                    .zip(path.parent())
                    .map(|(w, folder)| crate::rules::bundle::files_in(folder, &w.bundled));
                let opts = crate::Options {
                    profile,
                    ..crate::Options::default()
                };
                let folders = walked.map(|w| &w.folders);
                crate::analyze_listed(kind, path, &text, &opts, bundle, folders)
            });
            (text, a)
        }
        Content::Unreadable { diagnostic, lossy } => (
            lossy,
            Some(Analysis {
                diagnostics: vec![diagnostic],
                ..Analysis::default()
            }),
        ),
    };
    let text: Arc<str> = Arc::from(text);
    let entry = FileKind::indexed(path, &text)
        .zip(a.as_ref())
        .map(|(kind, a)| {
            index::entry_from_analysis(path, kind, text.clone(), a, false, &|p| p.exists())
        });
    let report = FileReport {
        path: path.to_path_buf(),
        text,
        diagnostics: a
            .as_ref()
            .map(|a| a.diagnostics.clone())
            .unwrap_or_default(),
        dialect: a.as_ref().and_then(|a| a.dialect.clone()),
    };
    Ok((report, entry, a.map(|a| a.bundle).unwrap_or_default()))
}

/// What `check` found under its paths: one report per file (sorted by path), and the paths it
/// could not read.
pub struct Batch {
    pub reports: Vec<FileReport>,
    /// `path: what went wrong` for every path that was missing, not a bot or skill file, or
    /// unreadable.
    pub problems: Vec<String>,
}

/// Analyses every bot and skill file under `paths` (each as the walk finds it, on every core),
/// then runs the cross-file rules over them, the rest of each one's project (as the server sees
/// its workspace folder) and the installed skill library.
pub fn check_paths(paths: &[PathBuf], profile: Profile) -> Batch {
    let library = crate::workspace::index::library_root(None);
    check_paths_in(paths, profile, library.as_deref())
}

/// [`check_paths`] against the skill library at `library` (the `skills/` folder of a data
/// directory; `None`: no library) instead of the one the environment names, so tests and fixtures
/// never read the developer's own library.
pub fn check_paths_in(paths: &[PathBuf], profile: Profile, library: Option<&Path>) -> Batch {
    let mut reports = Vec::new();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut bundles = Vec::new();
    for root in paths {
        if !root.exists() {
            problems.push(format!("{}: no such file or directory", root.display()));
            continue;
        }
        if root.is_file() && FileKind::of_file(root).is_none() {
            problems.push(format!(
                "{}: not a bot or skill file (SKILL.md, IDENTITY.md, SOUL.md, USER.md or skills.toml) nor a Boternity workflow",
                root.display()
            ));
            continue;
        }
        let mut checked: Vec<(PathBuf, _)> = if root.is_file() {
            vec![(root.clone(), check_file_entry(root, profile, None))]
        } else {
            // The walk waits on the file system more than it computes: the tables every
            // file's analysis reads are built meanwhile, not by the first files.
            let walked = std::thread::scope(|s| {
                s.spawn(warm_up);
                walk(root)
            });
            let results = crate::par::map(&walked.checked, |p| {
                check_file_entry(p, profile, Some(&walked))
            });
            // A file whose analysis panicked is reported as a problem, the others as usual.
            let results = results.into_iter().map(|r| {
                r.unwrap_or_else(|| {
                    Err(std::io::Error::other(
                        "forge-ls failed on this file (a bug: please report it)",
                    ))
                })
            });
            walked.checked.into_iter().zip(results).collect()
        };
        checked.sort_unstable_by(|a, b| forge_syntax::files::path_order(&a.0, &b.0));
        for (path, result) in checked {
            match result {
                Ok((r, e, bundle)) => {
                    // A skill's bundled files were scanned with it, in the parallel walk.
                    bundles.extend(bundle);
                    reports.push(r);
                    entries.extend(e);
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    let context = context_paths(paths, &reports);
    crate::workspace::cross_check_entries(&mut reports, entries, &context, profile, library);
    bundle_reports(&mut reports, bundles);
    Batch { reports, problems }
}

/// The security findings in the files the checked skills bundle (scripts, Markdown references),
/// as reports of their own, each file once even when skills nest.
fn bundle_reports(reports: &mut Vec<FileReport>, found: Vec<crate::rules::bundle::Finding>) {
    let mut seen = std::collections::HashSet::new();
    let mut extra = Vec::new();
    for f in found {
        if seen.insert(f.path.clone()) {
            extra.push(FileReport {
                path: f.path,
                text: f.text,
                diagnostics: f.diagnostics,
                dialect: None,
            });
        }
    }
    if !extra.is_empty() {
        reports.extend(extra);
        reports.sort_by(|a, b| forge_syntax::files::path_order(&a.path, &b.path));
    }
}

/// What makes a folder the root of a project, as an editor's workspace folder
/// would be: a Boternity data directory, or the `bots/` and `skills/` folders
/// the builder writes (`skills/` inside a bot folder holds that bot's own
/// skills and does not count). Not `.git`: a repository can hold many unrelated
/// skill sets (test fixtures, examples), and checking one of them must not
/// report the others' names as duplicates.
const PROJECT_MARKERS: &[&str] = &["boternity.db", "bots", "skills"];

fn is_project_root(dir: &Path) -> bool {
    let is_bot = ["IDENTITY.md", "SOUL.md"]
        .iter()
        .any(|f| dir.join(f).is_file());
    PROJECT_MARKERS
        .iter()
        .any(|m| dir.join(m).exists() && !(*m == "skills" && is_bot))
}

/// The project `folder` belongs to: the nearest folder with a marker between it and `cwd`
/// (never above `cwd`: a home folder that is a repository must not be scanned for one file),
/// else `folder` itself.
pub fn project_root(folder: &Path, cwd: &Path) -> PathBuf {
    folder
        .ancestors()
        .take_while(|d| d.starts_with(cwd))
        .find(|d| is_project_root(d))
        .unwrap_or(folder)
        .to_path_buf()
}

/// Bot and skill files of the projects around `paths` that are not reported
/// on, so checking one file or one bot folder resolves its skills and sees its
/// sibling files instead of reporting them missing. A project root is the
/// nearest folder with a marker between a path and the working directory;
/// without one, the path's own folder.
fn context_paths(paths: &[PathBuf], reports: &[FileReport]) -> Vec<PathBuf> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let abs = |p: &Path| crate::workspace::index::normalize(&cwd.join(p));
    let mut roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.exists())
        .map(|p| {
            let p = abs(p);
            let start = if p.is_dir() {
                p
            } else {
                p.parent().map_or(p.clone(), Path::to_path_buf)
            };
            project_root(&start, &cwd)
        })
        .collect();
    roots.sort();
    roots.dedup();
    // A root inside another root adds nothing, nor does a folder given itself
    // (already walked).
    let given: Vec<PathBuf> = paths.iter().map(|p| abs(p)).collect();
    let outer: Vec<PathBuf> = roots
        .iter()
        .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o)))
        .filter(|r| !given.contains(r))
        .cloned()
        .collect();
    if outer.is_empty() {
        return Vec::new();
    }
    let reported: std::collections::HashSet<PathBuf> =
        reports.iter().map(|r| abs(&r.path)).collect();
    outer
        .iter()
        // The folders given were walked already.
        .flat_map(|root| discover_except(root, given.clone()))
        .filter(|p| !reported.contains(p))
        // Shown relative to where `check` runs, like the paths given.
        .map(|p| p.strip_prefix(&cwd).map_or(p.clone(), Path::to_path_buf))
        .collect()
}
