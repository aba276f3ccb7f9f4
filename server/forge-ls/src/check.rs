//! `forge-ls check`: the server's validation in a terminal or CI. The batch pass is
//! `forge_analysis::check`; this adds the soul versions of Boternity data directories, the
//! arguments and the two output formats.

use std::io::Write;
use std::path::{Path, PathBuf};

use forge_analysis::check::{check_paths_in, Batch, FileReport};
use forge_analysis::preview::{self, Budget};
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::{self, ScanSpec};
use forge_syntax::diagnostic::Severity;
use forge_syntax::text::{LineIndex, PositionEncoding};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

#[derive(Default)]
pub struct Options {
    pub format: Format,
    pub profile: Profile,
    pub paths: Vec<PathBuf>,
    /// `--budget`: token budgets are checked too.
    pub budget: Option<Budget>,
    /// `--changed [REF]`: only what changed against this git ref.
    pub changed: Option<String>,
    /// `--fix`: apply the safe quick fixes; `--dry-run`: show them as a diff.
    pub fix: bool,
    pub dry_run: bool,
}

pub const USAGE: &str =
    "usage: forge-ls check [--format human|json|sarif] [--profile auto|boternity|openclaw|agentskills] [--changed [REF]] [--fix [--dry-run]] [--budget] [--system-prompt-tokens N] [--skill-listing-tokens N] PATH...";

/// A flag's value getter: the value joined to it (`--format=json`) or the next argument.
pub type Value<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

/// Walks command-line arguments, calling `handle(arg, value)` for each; for a flag, `value(name)`
/// takes its value. A positional argument comes as it is.
pub fn each_arg(
    args: &[String],
    mut handle: impl FnMut(&str, &mut Value) -> Result<(), String>,
) -> Result<(), String> {
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
        handle(flag, &mut value)?;
    }
    Ok(())
}

/// Parse `check`'s arguments (after the word `check`).
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options::default();
    // `--changed`'s ref is optional: the next word is one unless it is an option or a path.
    let mut words: Vec<String> = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        if a == "--changed" {
            let reference = it
                .next_if(|n| !n.starts_with('-') && !Path::new(n.as_str()).exists())
                .cloned()
                .unwrap_or_else(|| "HEAD".into());
            words.push(format!("--changed={reference}"));
        } else {
            words.push(a.clone());
        }
    }
    each_arg(&words, |flag, value| {
        match flag {
            "--format" => {
                opts.format = match value("--format")?.as_str() {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => {
                        return Err(format!(
                            "unknown format `{other}`: use human, json or sarif"
                        ))
                    }
                }
            }
            "--profile" => {
                let v = value("--profile")?;
                opts.profile = Profile::parse(&v).ok_or(format!(
                    "unknown profile `{v}`: use auto, boternity, openclaw or agentskills"
                ))?;
            }
            "--budget" => {
                opts.budget.get_or_insert_with(Budget::default);
            }
            "--system-prompt-tokens" | "--skill-listing-tokens" => {
                let v = value(flag)?;
                let n = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(format!("{flag} needs a whole number of tokens, not `{v}`"))?;
                let b = opts.budget.get_or_insert_with(Budget::default);
                if flag == "--system-prompt-tokens" {
                    b.system_prompt_tokens = Some(n);
                } else {
                    b.skill_listing_tokens = n;
                }
            }
            "--changed" => opts.changed = Some(value("--changed")?),
            "--fix" => opts.fix = true,
            "--dry-run" => opts.dry_run = true,
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option `{f}`")),
            path => opts.paths.push(PathBuf::from(path)),
        }
        Ok(())
    })?;
    if opts.paths.is_empty() {
        return Err("no PATH given".into());
    }
    if opts.dry_run && !opts.fix {
        return Err("--dry-run goes with --fix".into());
    }
    Ok(opts)
}

/// `check`'s whole pass, without the output: every file under `paths` analysed, the cross-file
/// rules against the skill library at `library` (`None`: no library), then the SOUL.md files of
/// Boternity data directories against their soul versions. Returns the batch and the notes about
/// data directories whose database could not be read.
pub fn batch(
    paths: &[PathBuf],
    profile: Profile,
    library: Option<&Path>,
    budget: Option<&Budget>,
) -> (Batch, Vec<String>) {
    let mut batch = check_paths_in(paths, profile, library);
    let notes = forge_store::soul_versions::check_reports(&mut batch.reports);
    if let Some(budget) = budget {
        budgets(&mut batch, paths, profile, library, budget);
    }
    (batch, notes)
}

/// `--budget`: the token budgets of each reported IDENTITY.md and SKILL.md, from an index of the
/// projects around `paths` (what the preview of each bot reads).
fn budgets(
    batch: &mut Batch,
    paths: &[PathBuf],
    profile: Profile,
    library: Option<&Path>,
    budget: &Budget,
) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let abs = |p: &Path| index::normalize(&cwd.join(p));
    let mut roots: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            let p = abs(p);
            let folder = if p.is_dir() {
                p
            } else {
                p.parent().map_or(p.clone(), Path::to_path_buf)
            };
            forge_analysis::check::project_root(&folder, &cwd)
        })
        .collect();
    roots.sort();
    roots.dedup();
    let spec = ScanSpec {
        roots,
        library: library.map(Path::to_path_buf),
        profile,
    };
    let index = index::build(index::scan(&spec, &|_, _| {}));
    for r in &mut batch.reports {
        let found = preview::budget_diagnostics(&index, &abs(&r.path), budget);
        if !found.is_empty() {
            r.diagnostics.extend(found);
            r.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
        }
    }
}

/// Run `check`; returns the process exit code.
/// What `collect` gives: the reports, the problems (unreadable paths), the notes.
type Collected = (Vec<FileReport>, Vec<String>, Vec<String>);

/// The batch under `opts`, narrowed to what changed when `--changed` asks: the reports, the
/// problems (unreadable paths), the notes; `Err` when git cannot say what changed.
fn collect(opts: &Options, library: Option<&Path>) -> Result<Collected, String> {
    let (batch, notes) = batch(&opts.paths, opts.profile, library, opts.budget.as_ref());
    let mut reports = batch.reports;
    if let Some(reference) = &opts.changed {
        let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
        let files = crate::ci::changed_files(&cwd, reference)?;
        crate::ci::keep_changed(&mut reports, &files);
    }
    Ok((reports, batch.problems, notes))
}

/// Run `check`; returns the process exit code.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let library = forge_analysis::workspace::index::library_root(None);
    let collected = match collect(opts, library.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "forge-ls: --changed: {e}");
            return 2;
        }
    };
    let (mut reports, mut problems, mut notes) = collected;
    if opts.fix {
        let fixed = crate::ci::safe_fixes(&reports);
        // Machine-readable output keeps stdout to itself; a dry run's diff is the output.
        let sink: &mut dyn Write = if opts.format == Format::Human || opts.dry_run {
            &mut *out
        } else {
            &mut *err
        };
        match crate::ci::apply_fixes(&fixed, opts.dry_run, sink) {
            // What is left after the fixes is what gets reported.
            Ok(n) if n > 0 => match collect(opts, library.as_deref()) {
                Ok(c) => (reports, problems, notes) = c,
                Err(e) => {
                    let _ = writeln!(err, "forge-ls: --changed: {e}");
                    return 2;
                }
            },
            Ok(_) => {}
            Err(e) => {
                let _ = writeln!(err, "forge-ls: --fix: {e}");
                return 2;
            }
        }
    }
    for p in &problems {
        let _ = writeln!(err, "forge-ls: {p}");
    }
    let io_problem = !problems.is_empty();
    for note in notes {
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
        Format::Sarif => std::env::current_dir().and_then(|base| {
            serde_json::to_writer_pretty(&mut *out, &crate::ci::sarif(&reports, &base))?;
            writeln!(out)
        }),
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
    // Freeing every file's text and findings is work the exit need not wait for.
    std::thread::spawn(move || drop(reports));
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
    let mut counts: Vec<(forge_analysis::dialect::Dialect, usize)> = Vec::new();
    for d in reports.iter().filter_map(|r| r.dialect.as_ref()) {
        match counts.iter_mut().find(|(k, _)| *k == d.dialect) {
            Some((_, n)) => *n += 1,
            None => counts.push((d.dialect, 1)),
        }
    }
    if counts.iter().all(|(d, _)| {
        matches!(
            d,
            forge_analysis::dialect::Dialect::Boternity
                | forge_analysis::dialect::Dialect::AgentSkills
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
            let col = r.text
                [line_start..forge_syntax::text::floor_char_boundary(&r.text, d.range.start)]
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
    /// One diagnostic as `--format json` prints it (a struct, not a `json!` tree: a report of
    /// a whole archive is thousands of them).
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        path: &'a str,
        range: tower_lsp_server::ls_types::Range,
        severity: &'a str,
        code: &'a str,
        message: &'a str,
        dialect: Option<&'a str>,
    }
    /// A report's entries as elements of the pretty-printed array (each indented one level),
    /// joined: rendered on every core, since nothing else runs while the report is written.
    fn render(r: &FileReport) -> Vec<u8> {
        let index = LineIndex::new(&r.text);
        let path = r.path.display().to_string();
        let mut buf = Vec::new();
        for (i, d) in r.diagnostics.iter().enumerate() {
            let entry = Entry {
                path: &path,
                range: crate::lsp::convert::range(index.range(
                    &r.text,
                    d.range.clone(),
                    PositionEncoding::Utf16,
                )),
                severity: d.severity.label(),
                code: d.code,
                message: &d.message,
                dialect: r.dialect.as_ref().map(|x| x.dialect.id()),
            };
            let one = serde_json::to_vec_pretty(&entry).unwrap_or_default();
            if i > 0 {
                buf.extend_from_slice(b",\n");
            }
            // A string's line breaks are escaped: every raw one is the printer's.
            buf.extend_from_slice(b"  ");
            for &b in &one {
                buf.push(b);
                if b == b'\n' {
                    buf.extend_from_slice(b"  ");
                }
            }
        }
        buf
    }
    let with: Vec<&FileReport> = reports
        .iter()
        .filter(|r| !r.diagnostics.is_empty())
        .collect();
    let chunks = forge_analysis::par::map(&with, |r| render(r));
    // A report whose rendering failed (a bug) is left out, not the whole report.
    let chunks: Vec<Vec<u8>> = chunks.into_iter().flatten().collect();
    if chunks.is_empty() {
        return writeln!(out, "[]");
    }
    out.write_all(b"[\n")?;
    out.write_all(&chunks.join(&b",\n"[..]))?;
    out.write_all(b"\n]\n")
}
