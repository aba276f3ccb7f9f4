//! Finding and reading bot and skill files on disk, with a diagnostic for anything that is
//! not text we can analyse (binary data, invalid UTF-8, absurd sizes).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::codes;
use crate::diagnostic::Diagnostic;

/// Larger files are not bot or skill files; we report instead of analysing.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file's text, or the diagnostic that replaces its analysis (the range is in
/// the lossy text returned alongside, so it can still be positioned).
pub enum Content {
    Text(String),
    Unreadable {
        diagnostic: Diagnostic,
        lossy: String,
    },
}

pub fn read(path: &Path) -> std::io::Result<Content> {
    use std::io::Read;
    // One open: the size comes from the open file. A file with no size (a device, a pipe) is
    // read to its end, capped, for one that never ends.
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut bytes = Vec::new();
    match len {
        0 => {
            file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        }
        1..=MAX_FILE_BYTES => bytes = read_len(&file, len)?,
        _ => {}
    }
    let size = len.max(bytes.len() as u64);
    if size > MAX_FILE_BYTES {
        return Ok(Content::Unreadable {
            diagnostic: Diagnostic::new(&codes::FILE_TOO_LARGE, 0..0, format!(
                "This file is {} MB; forge-ls does not analyse files over {} MB. Bot and skill files are normally a few KB.",
                size / (1024 * 1024), MAX_FILE_BYTES / (1024 * 1024)
            )),
            lossy: String::new(),
        });
    }
    Ok(from_bytes(bytes))
}

/// The first `len` bytes of `file` (its size when it was looked at), or all of it if it has
/// shrunk since: for a file that has not changed, one read, without the second one that would
/// only confirm its end (a tenth of `check`'s system calls). A file that grows meanwhile is read
/// as it was.
pub fn read_len(file: &std::fs::File, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Reserved up front (bounded: a wrong size must not allocate the disk).
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(MAX_FILE_BYTES)).unwrap_or(0));
    file.take(len).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub fn from_bytes(bytes: Vec<u8>) -> Content {
    if let Some(nul) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
        let lossy = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let at = lossy.len();
        return Content::Unreadable {
            diagnostic: Diagnostic::new(&codes::FILE_BINARY, at..at,
                "This file holds binary data (a NUL byte), not text; replace it with a UTF-8 text file."),
            lossy,
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Content::Text(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let at = valid.min(lossy.len());
            let end = lossy[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            Content::Unreadable {
                diagnostic: Diagnostic::new(&codes::FILE_NOT_UTF8, at..end, format!(
                    "The file is not valid UTF-8 (first bad byte at offset {valid}); Boternity cannot read it. Re-save it as UTF-8."
                )),
                lossy,
            }
        }
    }
}

/// Folders no walk enters: tool and package caches, version control, virtual environments and
/// forge-ls's own drafts. Never where bots and skills are written, often huge.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "__pycache__",
    ".cache",
    ".forge",
];

/// Whether any folder of `path` is one no walk enters.
pub fn is_skipped(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c.as_os_str().to_str(), Some(n) if SKIPPED_DIRS.contains(&n)))
}

/// The one policy for which files a folder holds, shared by `check`, the server's index and the
/// builder's skill listing, so the terminal and the editor never disagree about which files exist:
///
/// - hidden files and folders are walked (`.claude/skills/` is where Claude Code keeps skills);
/// - [`SKIPPED_DIRS`] are not entered;
/// - `.gitignore`, `.ignore` and `.git/info/exclude` are honoured, inside a Git repository or not;
/// - symbolic links are followed when what they point to lies inside `root` (a skill folder linked
///   from elsewhere in the project); links out of `root`, broken links and loops are skipped, so a
///   hostile archive cannot point a walk at the rest of the disk.
pub fn walker(root: &Path) -> WalkBuilder {
    walker_except(root, Vec::new())
}

/// [`walker`], not entering the folders `skip` (paths as the walk yields them: `root` joined
/// with the rest), which the caller has walked already.
pub fn walker_except(root: &Path, skip: Vec<PathBuf>) -> WalkBuilder {
    let inside = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(true)
        .require_git(false)
        .filter_entry(move |e| {
            if matches!(e.file_name().to_str(), Some(n) if SKIPPED_DIRS.contains(&n)) {
                return false;
            }
            if skip.iter().any(|s| s == e.path()) {
                return false;
            }
            !e.path_is_symlink()
                || e.path()
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(&inside))
        });
    builder
}

/// The files of the walk `builder` describes, each with what `visit` makes of
/// it (those it returns `None` for are left out), unsorted; and whether the
/// walk stopped after visiting `limit` entries. The walk runs on every core,
/// `visit` included, and the parallel walker learns a folder's ignore files
/// from its listing where the sequential one probes five names in every
/// folder: at 10,000 skills that probing was most of the system time of `check`.
pub fn walk<R: Send>(
    builder: &WalkBuilder,
    limit: usize,
    visit: impl Fn(&Path) -> Option<R> + Sync,
) -> (Vec<(PathBuf, R)>, bool) {
    let found = Mutex::new(Vec::new());
    let visited = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            if visited.fetch_add(1, Ordering::Relaxed) >= limit {
                stopped.store(true, Ordering::Relaxed);
                return WalkState::Quit;
            }
            // Errors (a symlink loop, an unreadable folder) skip that entry only.
            let Ok(entry) = entry else {
                return WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            if let Some(r) = visit(entry.path()) {
                if let Ok(mut found) = found.lock() {
                    found.push((entry.into_path(), r));
                }
            }
            WalkState::Continue
        })
    });
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    (found, stopped.into_inner())
}

/// The order of `Path`'s `Ord` (component by component) for the paths a walk
/// yields (no `.` or `..` inside, no doubled separators), at the cost of a byte
/// comparison: a separator sorts before any byte of a name, so `a/b` comes
/// before `a-b`. `Path::cmp` parses components as it goes, which made sorting
/// 10,000 paths a noticeable part of `check`.
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |c: &u8| {
        if std::path::is_separator(char::from(*c)) {
            0
        } else {
            u16::from(*c) + 1
        }
    };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    a.iter().map(key).cmp(b.iter().map(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file read by the size it had: whole when unchanged, what is left when it shrank, as it
    /// was when it grew.
    #[test]
    fn read_len_reads_the_size_it_is_given() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("f");
        std::fs::write(&p, "abcdef").unwrap();
        let f = std::fs::File::open(&p).unwrap();
        assert_eq!(read_len(&f, 6).unwrap(), b"abcdef");
        let f = std::fs::File::open(&p).unwrap();
        assert_eq!(read_len(&f, 4).unwrap(), b"abcd");
        let f = std::fs::File::open(&p).unwrap();
        assert_eq!(read_len(&f, 100).unwrap(), b"abcdef");
        assert!(matches!(read(&p).unwrap(), Content::Text(t) if t == "abcdef"));
    }

    #[test]
    fn walk_keeps_what_is_asked_honours_ignore_files_and_stops_at_the_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for dir in ["a", "b/c", "skip"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            std::fs::write(root.join(dir).join("SKILL.md"), "x").unwrap();
            std::fs::write(root.join(dir).join("other.txt"), "x").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "skip/\n").unwrap();
        let mut builder = WalkBuilder::new(root);
        builder.hidden(false).require_git(false);
        let (mut found, stopped) = walk(&builder, usize::MAX, |p| {
            p.ends_with("SKILL.md")
                .then(|| p.parent().unwrap().to_path_buf())
        });
        found.sort();
        assert_eq!(
            found,
            [
                (root.join("a/SKILL.md"), root.join("a")),
                (root.join("b/c/SKILL.md"), root.join("b/c"))
            ]
        );
        assert!(!stopped);
        let (_, stopped) = walk(&builder, 3, |_| Some(()));
        assert!(stopped);
    }

    #[test]
    fn path_order_is_the_order_of_components() {
        let mut paths: Vec<PathBuf> = [
            "/w/a-b/SKILL.md",
            "/w/a/SKILL.md",
            "/w/a/b/SKILL.md",
            "/w/a.b/x",
            "/w/skill-10/SKILL.md",
            "/w/skill-1/SKILL.md",
            "/w/Z/SKILL.md",
            "/w/\u{e9}/SKILL.md",
            "/w/a/\u{ff}",
            "/w/a/\u{ff}/x",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut expected = paths.clone();
        expected.sort();
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, expected);
    }

    #[test]
    fn read_tells_text_from_binary_and_oversized_files() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("SKILL.md");
        std::fs::write(&path, "---\nname: x\n---\n").unwrap();
        assert!(matches!(read(&path).unwrap(), Content::Text(t) if t == "---\nname: x\n---\n"));
        std::fs::write(&path, b"ab\0cd").unwrap();
        assert!(
            matches!(read(&path).unwrap(), Content::Unreadable { diagnostic, .. } if diagnostic.code == codes::FILE_BINARY.id)
        );
        // Sparse: the size alone decides, nothing is read.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        assert!(
            matches!(read(&path).unwrap(), Content::Unreadable { diagnostic, .. } if diagnostic.code == codes::FILE_TOO_LARGE.id)
        );
    }
}
