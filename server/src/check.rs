//! `forge-ls check`: the server's validation in a terminal or CI.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::analysis::{self, Analysis, FileKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::files::{self, Content};
use crate::rules::Profile;
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::index::{self, FileEntry};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

pub struct Options {
    pub format: Format,
    pub profile: Profile,
    pub paths: Vec<PathBuf>,
}

pub const USAGE: &str =
    "usage: forge-ls check [--format human|json] [--profile auto|boternity|openclaw|agentskills] PATH...";

/// Parse `check`'s arguments (after the word `check`).
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        format: Format::Human,
        profile: Profile::Auto,
        paths: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{name} needs a value"))
        };
        match flag {
            "--format" => {
                opts.format = match value("--format")?.as_str() {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format `{other}`: use human or json")),
                }
            }
            "--profile" => {
                let v = value("--profile")?;
                opts.profile = Profile::parse(&v).ok_or(format!(
                    "unknown profile `{v}`: use auto, boternity, openclaw or agentskills"
                ))?;
            }
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option `{f}`")),
            _ => opts.paths.push(PathBuf::from(arg)),
        }
    }
    if opts.paths.is_empty() {
        return Err("no PATH given".into());
    }
    Ok(opts)
}

/// One file's result.
pub struct FileReport {
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The dialect the file was checked as (none when unreadable).
    pub dialect: Option<crate::dialect::Detection>,
}

/// Every bot and skill file under `root` (honouring .gitignore; skipping
/// node_modules, target and .git).
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walk(root, |p| FileKind::detect(p).map(|_| ()))
        .into_iter()
        .map(|(p, ())| p)
        .collect();
    found.sort_unstable_by(|a, b| crate::files::path_order(a, b));
    found
}

/// The bot and skill files under `root` (or `root` itself, a file), each with
/// what `visit` makes of it, unsorted.
fn walk<R: Send>(root: &Path, visit: impl Fn(&Path) -> Option<R> + Sync) -> Vec<(PathBuf, R)> {
    if root.is_file() {
        return visit(root)
            .map(|r| (root.to_path_buf(), r))
            .into_iter()
            .collect();
    }
    let mut walker = ignore::WalkBuilder::new(root);
    walker.hidden(false).follow_links(false).filter_entry(|e| {
        !matches!(
            e.file_name().to_str(),
            Some("node_modules" | "target" | ".git")
        )
    });
    crate::files::walk(&walker, usize::MAX, |p| {
        FileKind::detect(p).and_then(|_| visit(p))
    })
    .0
}

pub fn check_file(path: &Path, profile: Profile) -> std::io::Result<FileReport> {
    check_file_entry(path, profile).map(|(r, _)| r)
}

/// [`check_file`], and the file's index entry for the cross-file rules, from one analysis.
fn check_file_entry(
    path: &Path,
    profile: Profile,
) -> std::io::Result<(FileReport, Option<FileEntry>)> {
    let (text, a) = match files::read(path)? {
        Content::Text(text) => {
            let a =
                FileKind::detect(path).map(|kind| analysis::analyze(kind, path, &text, profile));
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
    let entry = FileKind::from_path(path).zip(a.as_ref()).map(|(kind, a)| {
        index::entry_from_analysis(path, kind, Arc::from(text.as_str()), a, false, &|p| {
            p.exists()
        })
    });
    let report = FileReport {
        path: path.to_path_buf(),
        text,
        diagnostics: a
            .as_ref()
            .map(|a| a.diagnostics.clone())
            .unwrap_or_default(),
        dialect: a.and_then(|a| a.dialect),
    };
    Ok((report, entry))
}

/// Run `check`; returns the process exit code.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut reports = Vec::new();
    let mut entries = Vec::new();
    let mut io_problem = false;
    for root in &opts.paths {
        if !root.exists() {
            let _ = writeln!(
                err,
                "forge-ls: {}: no such file or directory",
                root.display()
            );
            io_problem = true;
            continue;
        }
        if root.is_file() && FileKind::detect(root).is_none() {
            let _ = writeln!(
                err,
                "forge-ls: {}: not a bot or skill file (SKILL.md, IDENTITY.md, SOUL.md, USER.md or skills.toml)",
                root.display()
            );
            io_problem = true;
            continue;
        }
        // Each file is analysed as the walk finds it, on every core.
        let mut checked = walk(root, |p| Some(check_file_entry(p, opts.profile)));
        checked.sort_unstable_by(|a, b| crate::files::path_order(&a.0, &b.0));
        for (path, result) in checked {
            match result {
                Ok((r, e)) => {
                    reports.push(r);
                    entries.extend(e);
                }
                Err(e) => {
                    let _ = writeln!(err, "forge-ls: {}: {e}", path.display());
                    io_problem = true;
                }
            }
        }
    }
    // Cross-file rules see every file given, the rest of each one's project
    // (as the server sees its workspace folder) and the installed skill library.
    let library = crate::workspace::index::library_root(None);
    let context = context_paths(&opts.paths, &reports);
    crate::workspace::cross_check_entries(
        &mut reports,
        entries,
        &context,
        opts.profile,
        library.as_deref(),
    );
    // SOUL.md files of a Boternity data directory against its soul versions.
    for note in crate::soul_versions::check_reports(&mut reports) {
        let _ = writeln!(err, "forge-ls: {note}");
    }
    let errors: usize = reports
        .iter()
        .map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count()
        })
        .sum();
    let warnings: usize = reports
        .iter()
        .map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count()
        })
        .sum();
    let written = match opts.format {
        Format::Json => write_json(&reports, out),
        Format::Human => write_human(&reports, out).and_then(|_| {
            writeln!(
                out,
                "{} file{} checked{}: {errors} error{}, {warnings} warning{}",
                reports.len(),
                plural(reports.len()),
                dialect_counts(&reports),
                plural(errors),
                plural(warnings)
            )
        }),
    };
    if written.is_err() {
        return 2;
    }
    if io_problem {
        2
    } else if errors > 0 {
        1
    } else {
        0
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
            // Never above where `check` runs: a home folder that is a
            // repository must not be scanned for one file.
            start
                .ancestors()
                .take_while(|d| d.starts_with(&cwd))
                .find(|d| is_project_root(d))
                .unwrap_or(&start)
                .to_path_buf()
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
        .flat_map(|root| discover(root))
        .filter(|p| !reported.contains(p))
        // Shown relative to where `check` runs, like the paths given.
        .map(|p| p.strip_prefix(&cwd).map_or(p.clone(), Path::to_path_buf))
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// ` (3 OpenClaw, 1 Boternity)`: how many files of each dialect; empty when
/// every file is Boternity's, so a plain Boternity workspace reads as before.
fn dialect_counts(reports: &[FileReport]) -> String {
    let mut counts: Vec<(crate::dialect::Dialect, usize)> = Vec::new();
    for d in reports.iter().filter_map(|r| r.dialect.as_ref()) {
        match counts.iter_mut().find(|(k, _)| *k == d.dialect) {
            Some((_, n)) => *n += 1,
            None => counts.push((d.dialect, 1)),
        }
    }
    if counts.iter().all(|(d, _)| {
        matches!(
            d,
            crate::dialect::Dialect::Boternity | crate::dialect::Dialect::AgentSkills
        )
    }) {
        return String::new();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(d, n)| format!("{n} {}", d.label()))
        .collect();
    format!(" ({})", parts.join(", "))
}

fn write_human(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    for r in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        let index = LineIndex::new(&r.text);
        for d in &r.diagnostics {
            let p = index.position(&r.text, d.range.start, PositionEncoding::Utf8);
            let line_start = index.line_start(p.line as usize);
            let col = r.text[line_start..crate::text::floor_char_boundary(&r.text, d.range.start)]
                .chars()
                .count()
                + 1;
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                r.path.display(),
                p.line + 1,
                col,
                d.severity.label(),
                d.code,
                d.message
            )?;
        }
    }
    Ok(())
}

fn write_json(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut all = Vec::new();
    for r in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        let index = LineIndex::new(&r.text);
        for d in &r.diagnostics {
            all.push(serde_json::json!({
                "path": r.path.display().to_string(),
                "range": index.range(&r.text, d.range.clone(), PositionEncoding::Utf16),
                "severity": d.severity.label(),
                "code": d.code,
                "message": d.message,
                "dialect": r.dialect.as_ref().map(|x| x.dialect.id()),
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}
