//! `forge.skill.install`: a skill from a folder, a `.zip`/`.skill` archive or a lone SKILL.md,
//! read into memory with limits, validated and scanned (the `security-*` rules over every file),
//! then planned as file writes into `skillsDir/<name>/` or `<bot>/skills/<name>/`, attached to the
//! bot's skills.toml. Nothing is written here: the command asks before an error-level finding and
//! the host writes the plan.
//!
//! Unpacking is safe by construction: entries are paths relative to the skill folder, checked
//! before they are joined (no `..`, no absolute paths, no drive letters), symbolic links are
//! refused in archives and must stay inside a source folder, and the file count, each file's size
//! and the total size are capped while reading (a zip bomb stops at the cap, whatever its headers
//! claim).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use forge_analysis::rules::bundle::lang_of;
use forge_analysis::{analyze, FileKind};
use forge_syntax::diagnostic::{Diagnostic, Severity};

use crate::service::{inside_workspace, skills_home, FileWrite, Result, ServiceError};
use crate::settings::Settings;

/// At most this many files, each at most `MAX_FILE` bytes, `MAX_TOTAL` in all.
pub const MAX_FILES: usize = 500;
pub const MAX_FILE: u64 = 2 * 1024 * 1024;
pub const MAX_TOTAL: u64 = 16 * 1024 * 1024;

/// A skill bundle read into memory: paths relative to the skill folder, `/`-separated.
#[derive(Debug)]
pub struct Bundle {
    pub files: Vec<(String, String)>,
    /// The name to fall back on when SKILL.md has none: the folder's or the archive's.
    pub fallback_name: String,
}

/// One finding in the bundle, for the report.
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: String,
    pub diagnostic: Diagnostic,
}

/// What installing will write.
#[derive(Debug)]
pub struct InstallPlan {
    pub name: String,
    /// The installed SKILL.md.
    pub path: PathBuf,
    pub writes: Vec<FileWrite>,
    /// Validation and security findings, errors first.
    pub findings: Vec<Finding>,
    /// A skill of that name is there already (installing replaces its files).
    pub replaces: bool,
    /// The bundle's files (relative path, text), which the findings' ranges are in.
    pub files: Vec<(String, String)>,
}

impl InstallPlan {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.severity == Severity::Error)
    }
}

fn refuse(why: String) -> ServiceError {
    ServiceError::Invalid(format!("not installed: {why}"))
}

/// A relative path from an archive or a folder, checked: plain names only.
fn clean_rel(raw: &str) -> Result<String> {
    let p = Path::new(raw);
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(refuse(format!("`{raw}` points outside the skill folder"))),
        }
    }
    if parts.is_empty() || raw.contains('\\') || raw.contains(':') {
        return Err(refuse(format!("`{raw}` is not a plain relative path")));
    }
    Ok(parts.join("/"))
}

/// Counts files and bytes against the limits.
#[derive(Default)]
struct Budget {
    files: usize,
    total: u64,
}

impl Budget {
    fn take(&mut self, rel: &str, size: u64) -> Result<()> {
        self.files += 1;
        self.total += size;
        if self.files > MAX_FILES {
            return Err(refuse(format!("more than {MAX_FILES} files")));
        }
        if size > MAX_FILE {
            return Err(refuse(format!("`{rel}` is larger than {MAX_FILE} bytes")));
        }
        if self.total > MAX_TOTAL {
            return Err(refuse(format!("more than {MAX_TOTAL} bytes in all")));
        }
        Ok(())
    }
}

/// Reads at most `MAX_FILE + 1` bytes of `r` as text: a skill bundle is text.
fn read_text(rel: &str, r: impl Read, budget: &mut Budget) -> Result<String> {
    let mut bytes = Vec::new();
    r.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("`{rel}` cannot be read: {e}")))?;
    budget.take(rel, bytes.len() as u64)?;
    String::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'))
        .ok_or_else(|| {
            refuse(format!(
                "`{rel}` is not text; forge-ls installs skills whose files are all text"
            ))
        })
}

/// The bundle at `source`: a folder, a `.zip`/`.skill` archive or a SKILL.md.
pub fn read_source(source: &Path) -> Result<Bundle> {
    let meta = std::fs::metadata(source)
        .map_err(|e| ServiceError::NotFound(format!("{}: {e}", source.display())))?;
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if meta.is_dir() {
        return read_folder(source);
    }
    let ext = source
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("zip" | "skill") => read_archive(source, stem(source)),
        _ if source.file_name().is_some_and(|n| n == "SKILL.md") => {
            let mut budget = Budget::default();
            let f = std::fs::File::open(source)
                .map_err(|e| ServiceError::NotFound(format!("{}: {e}", source.display())))?;
            let text = read_text("SKILL.md", f, &mut budget)?;
            Ok(Bundle {
                files: vec![("SKILL.md".into(), text)],
                fallback_name: std::fs::canonicalize(source)
                    .ok()
                    .and_then(|p| Some(p.parent()?.file_name()?.to_string_lossy().into_owned()))
                    .unwrap_or_default(),
            })
        }
        _ => Err(ServiceError::Invalid(format!(
            "{}: install a skill folder, a .zip or .skill archive, or a SKILL.md",
            source.display()
        ))),
    }
}

fn read_folder(root: &Path) -> Result<Bundle> {
    let root_real = std::fs::canonicalize(root)
        .map_err(|e| ServiceError::NotFound(format!("{}: {e}", root.display())))?;
    let mut budget = Budget::default();
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| refuse(e.to_string()))?;
        let Some(t) = entry.file_type() else { continue };
        let rel_path = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if rel_path.as_os_str().is_empty() || t.is_dir() {
            continue;
        }
        let rel = clean_rel(&rel_path.to_string_lossy())?;
        let real = if t.is_symlink() {
            let target = std::fs::canonicalize(entry.path())
                .map_err(|e| refuse(format!("`{rel}` is a broken link: {e}")))?;
            if !target.starts_with(&root_real) {
                return Err(refuse(format!(
                    "`{rel}` is a link to {} outside the skill folder",
                    target.display()
                )));
            }
            if target.is_dir() {
                continue;
            }
            target
        } else {
            entry.path().to_path_buf()
        };
        let f = std::fs::File::open(&real).map_err(|e| refuse(format!("`{rel}`: {e}")))?;
        files.push((rel.clone(), read_text(&rel, f, &mut budget)?));
    }
    files.sort();
    Ok(Bundle {
        files,
        fallback_name: root_real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

fn read_archive(path: &Path, stem: String) -> Result<Bundle> {
    let file = std::fs::File::open(path)
        .map_err(|e| ServiceError::NotFound(format!("{}: {e}", path.display())))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| refuse(format!("{} is not a zip archive: {e}", path.display())))?;
    if zip.len() > MAX_FILES * 2 {
        return Err(refuse(format!("more than {MAX_FILES} files")));
    }
    let mut budget = Budget::default();
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| refuse(format!("entry {i} cannot be read: {e}")))?;
        let raw = entry
            .name()
            .map_err(|e| refuse(format!("entry {i} has no usable name: {e}")))?
            .to_string();
        if entry.is_symlink() {
            return Err(refuse(format!("`{raw}` is a symbolic link")));
        }
        // `enclosed_name` is the zip crate's own traversal check; ours runs too.
        if entry.enclosed_name().is_none() {
            return Err(refuse(format!("`{raw}` points outside the skill folder")));
        }
        if entry.is_dir() {
            clean_rel(raw.trim_end_matches('/'))?;
            continue;
        }
        let rel = clean_rel(&raw)?;
        if entry.size() > MAX_FILE {
            return Err(refuse(format!("`{rel}` is larger than {MAX_FILE} bytes")));
        }
        files.push((rel.clone(), read_text(&rel, entry, &mut budget)?));
    }
    // An archive of the skill's folder: its one top-level folder is the skill folder.
    let top: Vec<&str> = files
        .iter()
        .map(|(r, _)| r.split('/').next().unwrap_or(""))
        .collect();
    let mut fallback = stem;
    if !files.iter().any(|(r, _)| r == "SKILL.md")
        && !top.is_empty()
        && top.iter().all(|t| *t == top[0])
        && files.iter().all(|(r, _)| r.contains('/'))
    {
        let prefix = format!("{}/", top[0]);
        fallback = top[0].to_string();
        for (r, _) in files.iter_mut() {
            *r = r[prefix.len()..].to_string();
        }
    }
    files.sort();
    Ok(Bundle {
        files,
        fallback_name: fallback,
    })
}

/// A skill name that is safe as a folder name.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Plans installing `bundle` into the workspace: where, what to write, what validation and the
/// security scan found. Refuses a bundle without SKILL.md, a name that is no folder name, a
/// destination outside the workspace, and replacing an existing skill unless `replace`.
pub fn plan_install(
    bundle: &Bundle,
    bot: Option<&Path>,
    replace: bool,
    folders: &[PathBuf],
    settings: &Settings,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<InstallPlan> {
    let Some((_, skill_text)) = bundle.files.iter().find(|(r, _)| r == "SKILL.md") else {
        return Err(refuse(
            "there is no SKILL.md at the top of the skill".into(),
        ));
    };
    let probe = Path::new(&bundle.fallback_name).join("SKILL.md");
    let a = analyze(FileKind::Skill, &probe, skill_text, settings.profile);
    let name = a
        .yaml
        .as_ref()
        .and_then(|y| y.get("name"))
        .and_then(|e| e.value.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| bundle.fallback_name.clone());
    if !valid_name(&name) {
        return Err(refuse(format!(
            "the skill's name `{name}` is not a folder name (lowercase letters, digits, hyphens)"
        )));
    }
    let (bot_folder, dir) = skills_home(bot, folders, settings)?;
    let skill_dir = dir.join(&name);
    let path = inside_workspace(folders, &skill_dir.join("SKILL.md"))?;
    let replaces = read(&path)?.is_some();
    if replaces && !replace {
        return Err(ServiceError::Conflict(format!(
            "a skill named `{name}` is already installed at {}: install again with \"confirm\": true to replace its files",
            path.display()
        )));
    }
    let mut findings = Vec::new();
    let mut writes = Vec::new();
    for (rel, text) in &bundle.files {
        let target = inside_workspace(folders, &skill_dir.join(rel))?;
        let diags = if rel == "SKILL.md" {
            analyze(FileKind::Skill, &target, text, settings.profile).diagnostics
        } else {
            lang_of(Path::new(rel))
                .map(|l| forge_analysis::security::scan(text, l))
                .unwrap_or_default()
        };
        findings.extend(diags.into_iter().map(|d| Finding {
            file: rel.clone(),
            diagnostic: d,
        }));
        let old = read(&target)?;
        if old.as_deref() != Some(text.as_str()) {
            writes.push(FileWrite {
                path: target,
                old,
                new: Some(text.clone()),
            });
        }
    }
    findings.sort_by_key(|f| f.diagnostic.severity);
    if let Some(f) = &bot_folder {
        let toml_path = f.join("skills.toml");
        let old = read(&toml_path)?;
        if let Some(new) = crate::attach_skill_named(old.as_deref(), &name)? {
            writes.push(FileWrite {
                path: toml_path,
                old,
                new: Some(new),
            });
        }
    }
    Ok(InstallPlan {
        name,
        path,
        writes,
        findings,
        replaces,
        files: bundle.files.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_checked() {
        assert_eq!(clean_rel("scripts/run.sh").unwrap(), "scripts/run.sh");
        assert_eq!(clean_rel("./SKILL.md").unwrap(), "SKILL.md");
        for bad in ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\..\\x", ""] {
            assert!(clean_rel(bad).is_err(), "{bad}");
        }
    }
}
