//! What `forge-ls check` offers CI besides its two text formats: SARIF 2.1.0 (GitHub code
//! scanning), `--changed REF` (only what a change touches) and `--fix` (the quick fixes marked
//! safe, written or shown as a diff).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use forge_analysis::check::FileReport;
use forge_syntax::codes;
use forge_syntax::diagnostic::{Edit, Severity};
use forge_syntax::text::{LineIndex, PositionEncoding};
use serde_json::{json, Value};

/// Where the project lives: SARIF's `tool.driver.informationUri`.
const INFORMATION_URI: &str = "https://github.com/forge-ls/forge-ls";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A path as a SARIF artifact location: relative to `base` (the `%SRCROOT%`) with `/` when it
/// lies inside it, else an absolute `file://` URI; reserved characters percent-encoded.
fn artifact(path: &Path, base: &Path) -> Value {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let abs = forge_analysis::workspace::index::normalize(&abs);
    match abs.strip_prefix(base) {
        Ok(rel) => {
            json!({"uri": encode(&rel.to_string_lossy().replace('\\', "/")), "uriBaseId": "%SRCROOT%"})
        }
        Err(_) => json!({"uri": file_uri(&abs)}),
    }
}

fn file_uri(abs: &Path) -> String {
    let s = abs.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    format!("file://{}", encode(&s))
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a: a stable hash for fingerprints (the same text gives the same value on every
/// machine and release).
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The SARIF 2.1.0 log of `reports`, paths relative to `base`.
pub fn sarif(reports: &[FileReport], base: &Path) -> Value {
    let mut rules: Vec<&'static codes::Code> = Vec::new();
    let mut results = Vec::new();
    for r in reports {
        let index = LineIndex::new(&r.text);
        let location = artifact(&r.path, base);
        // The same finding on the same line text counts up, so fingerprints survive lines
        // moving but stay distinct for repeats.
        let mut seen: BTreeMap<(String, &str), usize> = BTreeMap::new();
        for d in &r.diagnostics {
            let code = codes::lookup(d.code).expect("every code is in the table");
            let rule_index = match rules.iter().position(|c| c.id == code.id) {
                Some(i) => i,
                None => {
                    rules.push(code);
                    rules.len() - 1
                }
            };
            let range = index.range(&r.text, d.range.clone(), PositionEncoding::Utf16);
            let line_start = index.line_start(range.start.line as usize);
            let line_end = r.text[line_start..]
                .find('\n')
                .map_or(r.text.len(), |e| line_start + e);
            let line_text: String = r.text[line_start..line_end].split_whitespace().collect();
            let n = seen.entry((line_text.clone(), d.code)).or_insert(0);
            *n += 1;
            let fingerprint = format!(
                "{:016x}:{n}",
                fnv(&[d.code, location["uri"].as_str().unwrap_or(""), &line_text])
            );
            results.push(json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": {"text": d.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {
                            "startLine": range.start.line + 1,
                            "startColumn": range.start.character + 1,
                            "endLine": range.end.line + 1,
                            "endColumn": range.end.character + 1,
                        }
                    }
                }],
                "partialFingerprints": {"forgeLs/v1": fingerprint},
            }));
        }
    }
    let rules: Vec<Value> = rules
        .iter()
        .map(|c| {
            let mut tags = vec!["forge-ls"];
            if codes::is_security(c.id) {
                tags.push("security");
            }
            json!({
                "id": c.id,
                "shortDescription": {"text": c.summary},
                "fullDescription": {"text": c.summary},
                "helpUri": codes::docs_url(c.id),
                "help": {"text": format!("{} See {}", c.summary, codes::docs_url(c.id))},
                "defaultConfiguration": {"level": level(c.severity)},
                "properties": {"tags": tags},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "forge-ls",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("{}/", file_uri(base).trim_end_matches('/'))}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

/// The files changed against `reference` in the git repository around `dir`, absolute:
/// committed since `reference`, staged, unstaged and untracked (not ignored), deleted ones too.
pub fn changed_files(dir: &Path, reference: &str) -> Result<Vec<PathBuf>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let mut files: Vec<PathBuf> = Vec::new();
    // Before the first commit (a pre-commit hook on it) HEAD names nothing: every file is new.
    let unborn = reference == "HEAD" && git(&["rev-parse", "--verify", "-q", "HEAD"]).is_err();
    let changed = if unborn {
        git(&["ls-files", "-z"])?
    } else {
        git(&["diff", "--name-only", "-z", reference, "--"])?
    };
    let listed = changed + &git(&["ls-files", "--others", "--exclude-standard", "-z"])?;
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        files.push(top.join(name));
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Keeps the reports a change touches: the changed files themselves; the SKILL.md of a skill
/// whose bundle changed (its security findings, its env rule); the bot and skill files beside a
/// changed one (a bot's IDENTITY.md and SOUL.md answer for each other); and, for the cross-file
/// rules, every file with a cross-file finding that names a changed skill (a reference, an
/// attachment, a duplicate): what depends on the change and shows it.
pub fn keep_changed(reports: &mut Vec<FileReport>, changed: &[PathBuf]) {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let changed: HashSet<PathBuf> = changed.iter().map(|p| canon(p)).collect();
    let folders: HashSet<PathBuf> = changed
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    // Skill folders a changed file lies in, and their names.
    let mut skill_dirs: Vec<PathBuf> = Vec::new();
    for r in reports.iter() {
        if forge_analysis::FileKind::detect(&r.path) == Some(forge_analysis::FileKind::Skill) {
            let dir = canon(r.path.parent().unwrap_or(Path::new("")));
            if changed.iter().any(|c| c.starts_with(&dir)) {
                skill_dirs.push(dir);
            }
        }
    }
    let mut names: Vec<String> = skill_dirs
        .iter()
        .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    // A deleted skill: references to it break.
    names.extend(
        changed
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "SKILL.md") && !p.exists())
            .filter_map(|p| p.parent()?.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
    );
    reports.retain(|r| {
        let p = canon(&r.path);
        let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
        changed.contains(&p)
            || (forge_analysis::FileKind::detect(&p).is_some() && folders.contains(&parent))
            || skill_dirs.contains(&parent)
            || r.diagnostics.iter().any(|d| {
                codes::is_cross_file(d.code)
                    && names.iter().any(|n| d.message.contains(&format!("`{n}`")))
            })
    });
}

/// What `--fix` did to one file.
pub struct Fixed {
    pub path: PathBuf,
    pub titles: Vec<String>,
    pub before: String,
    pub after: String,
}

/// The safe fixes of each report's diagnostics applied to its text (the first safe fix of each
/// diagnostic; one whose edits overlap an earlier one waits for the next run).
pub fn safe_fixes(reports: &[FileReport]) -> Vec<Fixed> {
    let mut out = Vec::new();
    for r in reports {
        let mut edits: Vec<Edit> = Vec::new();
        let mut titles = Vec::new();
        for d in &r.diagnostics {
            let Some(fix) = d.fixes.iter().find(|f| f.safe) else {
                continue;
            };
            let overlaps = fix.edits.iter().any(|e| {
                edits.iter().any(|o| {
                    e.range.start < o.range.end.max(o.range.start + 1)
                        && o.range.start < e.range.end.max(e.range.start + 1)
                })
            });
            if overlaps {
                continue;
            }
            edits.extend(fix.edits.iter().cloned());
            titles.push(format!("{} ({})", fix.title, d.code));
        }
        if edits.is_empty() {
            continue;
        }
        let after = forge_syntax::diagnostic::Fix {
            title: String::new(),
            edits,
            safe: true,
        }
        .apply(&r.text);
        out.push(Fixed {
            path: r.path.clone(),
            titles,
            before: r.text.to_string(),
            after,
        });
    }
    out
}

/// Writes each fixed file (only while it still holds the text the fixes were computed from) and
/// says what changed; with `dry_run`, prints the unified diff instead.
pub fn apply_fixes(fixed: &[Fixed], dry_run: bool, out: &mut dyn Write) -> std::io::Result<usize> {
    let mut written = 0;
    for f in fixed {
        let name = f.path.display().to_string();
        if dry_run {
            let diff = similar::TextDiff::from_lines(&f.before, &f.after);
            write!(
                out,
                "{}",
                diff.unified_diff()
                    .header(&format!("a/{name}"), &format!("b/{name}"))
            )?;
            continue;
        }
        match std::fs::read_to_string(&f.path) {
            Ok(now) if now == f.before => {
                std::fs::write(&f.path, &f.after)?;
                written += 1;
                writeln!(out, "{name}: fixed: {}", f.titles.join("; "))?;
            }
            _ => writeln!(out, "{name}: changed while checking, not fixed")?,
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let base = Path::new("/w/repo");
        assert_eq!(
            artifact(Path::new("/w/repo/skills/a b/SKILL.md"), base),
            json!({"uri": "skills/a%20b/SKILL.md", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact(Path::new("/elsewhere/SKILL.md"), base),
            json!({"uri": "file:///elsewhere/SKILL.md"})
        );
    }
}
