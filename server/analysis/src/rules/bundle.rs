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
pub struct BundleFile {
    pub path: PathBuf,
    /// Relative to the skill folder, with `/`.
    pub rel: String,
    pub lang: Lang,
    pub meta: std::fs::Metadata,
}

/// The bundled files of the skill in `folder`: scripts and Markdown files other than bot and
/// skill files (those are checked on their own), in walk order, bounded.
pub fn files(folder: &Path) -> Vec<BundleFile> {
    let walker = ignore::WalkBuilder::new(folder)
        .max_depth(Some(MAX_DEPTH))
        .follow_links(false)
        // The user's global excludes (read from git's config on every build of a walk) are
        // about their own checkouts, not what a skill ships.
        .git_global(false)
        .filter_entry(|e| !e.file_name().to_str().is_some_and(|n| SKIPPED.contains(&n)))
        .build();
    let mut out = Vec::new();
    for entry in walker.take(MAX_ENTRIES).flatten() {
        if out.len() >= MAX_FILES {
            break;
        }
        let Some(lang) = lang_of(entry.path()) else {
            continue;
        };
        if !entry.file_type().is_some_and(|t| t.is_file())
            || crate::FileKind::detect(entry.path()).is_some()
        {
            continue;
        }
        let Some(meta) = entry.metadata().ok().filter(|m| m.len() <= MAX_BYTES) else {
            continue;
        };
        let rel = entry
            .path()
            .strip_prefix(folder)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        out.push(BundleFile {
            path: entry.path().to_path_buf(),
            rel,
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
    let bytes = std::fs::read(&file.path).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let env_reads = if file.lang.is_script() {
        super::openclaw_scripts::env_reads(&text, file.lang)
    } else {
        Vec::new()
    };
    let findings = crate::security::scan(&text, file.lang);
    let scan = Arc::new(Scan {
        env_reads,
        text: (!findings.is_empty()).then(|| Arc::from(text.as_ref())),
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

/// The security findings in the files the skill at `skill_md` bundles (not in SKILL.md itself,
/// which its own analysis scans), one entry per file that has any.
pub fn security(skill_md: &Path) -> Vec<Finding> {
    let Some(folder) = skill_md.parent().filter(|f| f.is_dir()) else {
        return Vec::new();
    };
    files(folder)
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
