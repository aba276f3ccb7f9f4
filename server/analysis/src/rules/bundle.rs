//! The files a skill bundles beside its SKILL.md (scripts and Markdown references), walked
//! bounded and read once: what each file yields (the environment variables a script reads, the
//! security findings) is cached by path, size and modification time, because the rules that read
//! the bundle run on every keystroke in an open SKILL.md and the bundle rarely changes meanwhile.
//! Files are only read; nothing is run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use forge_syntax::diagnostic::Diagnostic;

/// At most this many bundled files, of at most this many bytes, this deep,
/// among at most `MAX_ENTRIES` folder entries (a skill at a repository's root
/// must not make every keystroke walk the repository).
pub const MAX_FILES: usize = 128;
pub const MAX_ENTRIES: usize = 2_000;
pub const MAX_BYTES: u64 = 256 * 1024;
pub const MAX_DEPTH: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Shell,
    Python,
    Js,
    Markdown,
}

impl Lang {
    pub fn is_script(self) -> bool {
        self != Lang::Markdown
    }
}

/// File kinds by extension.
const LANGS: &[(&str, Lang)] = &[
    ("sh", Lang::Shell),
    ("bash", Lang::Shell),
    ("zsh", Lang::Shell),
    ("py", Lang::Python),
    ("js", Lang::Js),
    ("mjs", Lang::Js),
    ("cjs", Lang::Js),
    ("ts", Lang::Js),
    ("mts", Lang::Js),
    ("cts", Lang::Js),
    ("md", Lang::Markdown),
    ("markdown", Lang::Markdown),
];

pub fn lang_of(path: &Path) -> Option<Lang> {
    let ext = path.extension()?.to_str()?;
    LANGS
        .iter()
        .find(|(x, _)| x.eq_ignore_ascii_case(ext))
        .map(|(_, l)| *l)
}

/// Folders that hold installed dependencies or build output, not the skill's own files.
const SKIPPED: &[&str] = &[
    "node_modules",
    ".git",
    "target",
    ".venv",
    "venv",
    "__pycache__",
];

/// One bundled file.
#[derive(Clone, Debug)]
pub struct BundleFile {
    pub path: PathBuf,
    /// Relative to the skill folder, with `/`.
    pub rel: String,
    pub lang: Lang,
    pub meta: std::fs::Metadata,
}

/// Whether the file at `path`, `rel` in a skill's folder, is one the skill bundles, by its
/// path: not too deep, not hidden, not in a dependency or build folder, a script or Markdown
/// file, and not a bot or skill file (those are checked on their own). `files` walks by the same
/// policy; `check` applies it to the files of its own walk.
pub fn is_bundled(path: &Path, rel: &Path) -> Option<Lang> {
    let depth = rel.components().count();
    let hidden_or_skipped = rel.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_none_or(|n| n.starts_with('.') || SKIPPED.contains(&n))
    });
    let lang = lang_of(rel)?;
    if depth > MAX_DEPTH || hidden_or_skipped || crate::FileKind::detect(path).is_some() {
        return None;
    }
    Some(lang)
}

/// The bundled files of the skill in `folder` among `listed` (files found by a walk that
/// honours ignore files, sorted by path), as `files` would find them: the first `MAX_FILES`
/// by path. A file that cannot be stat'ed or is too large is left out.
pub fn files_in(folder: &Path, listed: &[PathBuf]) -> Vec<BundleFile> {
    let from = listed.partition_point(|p| p.as_path() < folder);
    let mut out = Vec::new();
    for path in listed[from..].iter().take_while(|p| p.starts_with(folder)) {
        if out.len() >= MAX_FILES {
            break;
        }
        let Ok(rel) = path.strip_prefix(folder) else {
            continue;
        };
        let Some(lang) = is_bundled(path, rel) else {
            continue;
        };
        // Not followed: a link is not a file the skill holds (as `files` sees it).
        let Some(meta) = std::fs::symlink_metadata(path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_BYTES)
        else {
            continue;
        };
        out.push(BundleFile {
            path: path.clone(),
            rel: rel.to_string_lossy().replace('\\', "/"),
            lang,
            meta,
        });
    }
    out
}

/// The bundled files of the skill in `folder`: scripts and Markdown files other than bot and
/// skill files (those are checked on their own), in path order, bounded.
pub fn files(folder: &Path) -> Vec<BundleFile> {
    let walker = ignore::WalkBuilder::new(folder)
        .max_depth(Some(MAX_DEPTH))
        .follow_links(false)
        // The user's global excludes (read from git's config on every build of a walk) are
        // about their own checkouts, not what a skill ships.
        .git_global(false)
        // In path order, as `files_in` lists them: which file a finding names first must not
        // depend on the order the file system keeps a folder in.
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| !e.file_name().to_str().is_some_and(|n| SKIPPED.contains(&n)))
        .build();
    let mut out = Vec::new();
    for entry in walker.take(MAX_ENTRIES).flatten() {
        if out.len() >= MAX_FILES {
            break;
        }
        let rel = entry.path().strip_prefix(folder).unwrap_or(entry.path());
        let Some(lang) = is_bundled(entry.path(), rel) else {
            continue;
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(meta) = entry.metadata().ok().filter(|m| m.len() <= MAX_BYTES) else {
            continue;
        };
        out.push(BundleFile {
            path: entry.path().to_path_buf(),
            rel: rel.to_string_lossy().replace('\\', "/"),
            lang,
            meta,
        });
    }
    out
}

/// What one bundled file yields.
pub struct Scan {
    /// A script's reads of environment variables it does not set itself: (line, name), each
    /// name once, in order.
    pub env_reads: Vec<(usize, String)>,
    /// The security findings, suppressions applied.
    pub findings: Vec<Diagnostic>,
    /// The text, kept only when there are findings (to report them with lines and columns).
    pub text: Option<Arc<str>>,
}

/// File → (size, modification time, scan).
type Scanned = HashMap<PathBuf, (u64, Option<SystemTime>, Arc<Scan>)>;

static SCANNED: Mutex<Option<Scanned>> = Mutex::new(None);

/// More files than any workspace's skills bundle: past it, start again.
const MAX_SCANNED: usize = 65_536;

/// The scan of `file` (`None` for binary data or a file that cannot be read), from the cache
/// while its size and time are unchanged.
pub fn scan(file: &BundleFile) -> Option<Arc<Scan>> {
    let stamp = (file.meta.len(), file.meta.modified().ok());
    let cached = |c: &Scanned| {
        c.get(&file.path)
            .filter(|(len, time, _)| (*len, *time) == stamp)
            .map(|(_, _, s)| s.clone())
    };
    if let Some(s) = SCANNED.lock().ok()?.as_ref().and_then(cached) {
        return Some(s);
    }
    // The size is known (`files_in` and `files` looked at it): one open and one read.
    let bytes = std::fs::File::open(&file.path)
        .and_then(|f| forge_syntax::files::read_len(&f, file.meta.len()))
        .ok()?;
    if bytes.contains(&0) {
        return None;
    }
    // Valid UTF-8 is checked at SIMD speed; only invalid text pays for the lossy conversion.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let env_reads = if file.lang.is_script() {
        super::openclaw_scripts::env_reads(&text, file.lang)
    } else {
        Vec::new()
    };
    let findings = crate::security::scan(&text, file.lang);
    let scan = Arc::new(Scan {
        env_reads,
        text: (!findings.is_empty()).then(|| Arc::from(text.as_str())),
        findings,
    });
    if let Ok(mut c) = SCANNED.lock() {
        let c = c.get_or_insert_with(HashMap::new);
        if c.len() >= MAX_SCANNED {
            c.clear();
        }
        c.insert(file.path.clone(), (stamp.0, stamp.1, scan.clone()));
    }
    Some(scan)
}

/// A bundled file with security findings.
#[derive(Clone, Debug)]
pub struct Finding {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The bundled files of the skill whose SKILL.md is at `skill_md` (none when its folder is not
/// on disk).
pub fn files_of(skill_md: &Path) -> Vec<BundleFile> {
    skill_md
        .parent()
        .filter(|f| f.is_dir())
        .map(files)
        .unwrap_or_default()
}

/// The security findings in a skill's bundled `files` (not in SKILL.md itself, which its own
/// analysis scans), one entry per file that has any.
pub fn security(files: &[BundleFile]) -> Vec<Finding> {
    files
        .iter()
        .filter_map(|f| {
            let s = scan(f)?;
            Some(Finding {
                path: f.path.clone(),
                text: s.text.clone()?,
                diagnostics: s.findings.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `check` takes from its own walk is what a walk of the skill's folder finds.
    #[test]
    fn files_in_lists_what_the_walk_finds() {
        let tmp = tempfile::tempdir().unwrap();
        let skill = tmp.path().join("skill");
        for (rel, size) in [
            ("SKILL.md", 10),
            ("run.sh", 10),
            ("b/ref.md", 10),
            ("b/c/d/e.py", 10),
            ("b/c/d/e/too-deep.py", 10),
            (".hidden/x.sh", 10),
            ("node_modules/m/index.js", 10),
            ("data.json", 10),
            ("nested/SKILL.md", 10),
            ("nested/tool.js", 10),
            ("big.js", MAX_BYTES as usize + 1),
        ] {
            let p = skill.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x".repeat(size)).unwrap();
        }
        let mut listed: Vec<PathBuf> = ignore::WalkBuilder::new(tmp.path())
            .hidden(false)
            .build()
            .flatten()
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(|e| e.into_path())
            .collect();
        listed.sort();
        let names = |v: Vec<BundleFile>| v.into_iter().map(|f| f.rel).collect::<Vec<_>>();
        let walked = names(files(&skill));
        assert_eq!(
            walked,
            ["b/c/d/e.py", "b/ref.md", "nested/tool.js", "run.sh"]
        );
        assert_eq!(names(files_in(&skill, &listed)), walked);
    }
}
