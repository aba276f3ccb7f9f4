//! Soul versions of a real Boternity install: which `SOUL.md` belongs to which `bots` row, whether
//! its text is the current soul version (spec §2.4: SHA-256 of the exact bytes against the highest
//! version's hash), and the texts the editor shows about it (diagnostic, lens, hover, diff).
//!
//! Pure: the database is read by [`crate::boternity_db`] into a [`Ledger`], which this module
//! only consults, so a keystroke costs a hash and a comparison.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::boternity_db::{self, BotSouls, DbError, DB_FILE};
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;

pub const SAVE_COMMAND: &str = "forge.soul.save";
pub const RESTORE_COMMAND: &str = "forge.soul.restore";
pub const HISTORY_COMMAND: &str = "forge.soul.history";

/// Lowercase hex SHA-256, as Boternity hashes SOUL.md (no normalisation of any kind).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A `SOUL.md` at `{root}/bots/{slug}/SOUL.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoulFile {
    pub root: PathBuf,
    pub slug: String,
}

impl SoulFile {
    pub fn db(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }
}

/// Where a path sits in a data-directory layout (no filesystem access).
pub fn locate(path: &Path) -> Option<SoulFile> {
    if path.file_name()? != "SOUL.md" {
        return None;
    }
    let bot = path.parent()?;
    let bots = bot.parent()?;
    if bots.file_name()? != "bots" {
        return None;
    }
    Some(SoulFile {
        root: bots.parent()?.to_path_buf(),
        slug: bot.file_name()?.to_str()?.to_string(),
    })
}

/// A folder holding `boternity.db` with `bots/` beside it (spec §1.2).
pub fn is_data_dir(root: &Path) -> bool {
    root.join(DB_FILE).is_file() && root.join("bots").is_dir()
}

/// The data directories to follow: workspace folders that are one, the configured data directory
/// (`boternityDataDir`, `$BOTERNITY_DATA_DIR`, `~/.boternity`) when it is or lies in a workspace
/// folder, and the roots of SOUL.md files that sit in one. The configured directory is kept even
/// without a database when it has `bots/`, so its missing database can be reported.
pub fn data_dirs<'a>(
    folders: &[PathBuf],
    configured: Option<&Path>,
    souls: impl IntoIterator<Item = &'a Path>,
) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = folders.iter().filter(|f| is_data_dir(f)).cloned().collect();
    if let Some(c) = configured {
        if folders.iter().any(|f| c.starts_with(f)) && c.join("bots").is_dir() {
            out.push(c.to_path_buf());
        }
    }
    out.extend(
        souls
            .into_iter()
            .filter_map(locate)
            .map(|s| s.root)
            .filter(|r| is_data_dir(r)),
    );
    out.sort();
    out.dedup();
    out
}

/// The configured data directory, resolved as Boternity does (spec §1.1).
pub fn configured_root(setting: Option<&str>) -> Option<PathBuf> {
    forge_analysis::workspace::index::library_root(setting)?
        .parent()
        .map(Path::to_path_buf)
}

/// What is known of one data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirState {
    Ready(BTreeMap<String, BotSouls>),
    /// The database cannot be used; the message says why, and that the checks are off.
    Off(String),
}

/// The soul versions of every followed data directory, read once per refresh.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub dirs: HashMap<PathBuf, DirState>,
}

/// Reads the databases of `roots`.
pub fn load(roots: &[PathBuf]) -> Ledger {
    let dirs = roots
        .iter()
        .map(|root| (root.clone(), load_dir(root)))
        .collect();
    Ledger { dirs }
}

pub fn load_dir(root: &Path) -> DirState {
    match boternity_db::load_all(&root.join(DB_FILE)) {
        Ok(bots) => DirState::Ready(bots),
        Err(e) => DirState::Off(off_message(&e)),
    }
}

/// The one message shown when a data directory's database cannot be used.
pub fn off_message(e: &DbError) -> String {
    format!("{e}: forge-ls's soul version checks for this Boternity data directory are off until it can be read.")
}

/// Applies reads of the databases to the ledger. Reads finish out of order (each runs on the
/// blocking pool), so each carries a sequence number and never replaces a newer one; a problem
/// is shown once until its directory reads fine again.
#[derive(Debug, Default)]
pub struct Merge {
    applied: HashMap<PathBuf, u64>,
    full_applied: u64,
    shown: HashSet<(PathBuf, String)>,
}

/// What a read changed: the data directories whose state differs, and the messages to show.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merged {
    pub changed: Vec<PathBuf>,
    pub show: Vec<String>,
}

impl Merge {
    /// `full`: `incoming` holds every followed directory, so the others are dropped.
    pub fn apply(
        &mut self,
        current: &mut Ledger,
        seq: u64,
        full: bool,
        incoming: Ledger,
    ) -> Merged {
        let mut out = Merged::default();
        if full {
            if seq < self.full_applied {
                return out;
            }
            self.full_applied = seq;
            let gone: Vec<PathBuf> = current
                .dirs
                .keys()
                .filter(|r| !incoming.dirs.contains_key(*r))
                .cloned()
                .collect();
            for r in gone {
                current.dirs.remove(&r);
                out.changed.push(r);
            }
        }
        let mut dirs: Vec<(PathBuf, DirState)> = incoming.dirs.into_iter().collect();
        dirs.sort_by(|a, b| a.0.cmp(&b.0));
        for (root, state) in dirs {
            if self.applied.get(&root).is_some_and(|&s| s > seq) {
                continue;
            }
            self.applied.insert(root.clone(), seq);
            if current.dirs.get(&root) == Some(&state) {
                continue;
            }
            match &state {
                DirState::Off(message) => {
                    if self.shown.insert((root.clone(), message.clone())) {
                        out.show.push(message.clone());
                    }
                }
                DirState::Ready(_) => self.shown.retain(|(r, _)| *r != root),
            }
            current.dirs.insert(root.clone(), state);
            out.changed.push(root);
        }
        out
    }
}

/// How the text of a SOUL.md stands against its bot's versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing<'a> {
    /// The text is the current version.
    Current(&'a boternity_db::Version),
    /// The text differs from the current version; `matches` is an older version it equals.
    Modified {
        latest: &'a boternity_db::Version,
        matches: Option<&'a boternity_db::Version>,
    },
    /// The bot has no soul version at all.
    Unversioned,
}

pub fn standing<'a>(bot: &'a BotSouls, text: &str) -> Standing<'a> {
    let Some(latest) = bot.latest() else {
        return Standing::Unversioned;
    };
    let hash = sha256_hex(text.as_bytes());
    if latest.hash == hash {
        return Standing::Current(latest);
    }
    Standing::Modified {
        latest,
        matches: bot.versions.iter().rev().find(|v| v.hash == hash),
    }
}

impl Ledger {
    /// The file's place and its bot, when its data directory could be read and knows the slug.
    pub fn bot(&self, path: &Path) -> Option<(SoulFile, &BotSouls)> {
        let file = locate(path)?;
        match self.dirs.get(&file.root)? {
            DirState::Ready(bots) => {
                let bot = bots.get(&file.slug)?;
                Some((file, bot))
            }
            DirState::Off(_) => None,
        }
    }

    /// The integrity diagnostic for `path` holding `text`, if it is not the current version.
    pub fn integrity(&self, path: &Path, text: &str) -> Option<Diagnostic> {
        let (file, bot) = self.bot(path)?;
        integrity(&file.slug, bot, text)
    }
}

/// The first line: where the file-wide soul notes are placed.
pub fn first_line(text: &str) -> Range<usize> {
    let end = text.find(['\n', '\r']).unwrap_or(text.len());
    0..end
}

/// "2026-02-10T12:34:56.1+00:00" → "2026-02-10 12:34 UTC"; anything else as it is.
pub fn short_date(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if rfc3339.len() < 16 || !rfc3339.is_char_boundary(16) || b[10] != b'T' {
        return rfc3339.to_string();
    }
    let zone = if rfc3339.ends_with("+00:00") || rfc3339.ends_with('Z') {
        " UTC".to_string()
    } else {
        match rfc3339.rfind(['+', '-']).filter(|&i| i > 16) {
            Some(i) => format!(" {}", &rfc3339[i..]),
            None => String::new(),
        }
    };
    format!("{} {}{zone}", &rfc3339[..10], &rfc3339[11..16])
}

pub fn integrity(slug: &str, bot: &BotSouls, text: &str) -> Option<Diagnostic> {
    let message = match standing(bot, text) {
        Standing::Current(_) => return None,
        Standing::Unversioned => format!(
            "Boternity has no soul version of bot `{slug}`, so it reports an integrity violation for this SOUL.md (`bnity soul verify`). Record the file as version 1 with `{SAVE_COMMAND}` (the code lens above)."
        ),
        Standing::Modified { latest, matches } => {
            let was = match matches {
                Some(old) => format!(
                    "This SOUL.md is soul version {}, but the current version of bot `{slug}` is {} (saved {})",
                    old.version,
                    latest.version,
                    short_date(&latest.created_at)
                ),
                None => format!(
                    "This SOUL.md differs from soul version {} of bot `{slug}`, the current one (saved {})",
                    latest.version,
                    short_date(&latest.created_at)
                ),
            };
            format!(
                "{was}: Boternity will report an integrity violation. Record it as version {} with `{SAVE_COMMAND}`, or put version {} back with `{RESTORE_COMMAND}` (both in the code lens above).",
                latest.version + 1,
                latest.version
            )
        }
    };
    Some(Diagnostic::new(
        &codes::SOUL_INTEGRITY,
        first_line(text),
        message,
    ))
}

/// A code lens: title, command and its argument (the LSP layer adds the URI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub title: String,
    pub command: &'static str,
    pub version: Option<i64>,
}

/// The lenses at the top of a SOUL.md: the current version, and the ways out of a mismatch.
pub fn lenses(bot: &BotSouls, text: &str) -> Vec<Lens> {
    match standing(bot, text) {
        Standing::Current(v) => vec![Lens {
            title: format!(
                "Boternity soul v{} · saved {}",
                v.version,
                short_date(&v.created_at)
            ),
            command: HISTORY_COMMAND,
            version: None,
        }],
        Standing::Unversioned => vec![Lens {
            title: "Boternity soul: no version recorded · save as v1".into(),
            command: SAVE_COMMAND,
            version: None,
        }],
        Standing::Modified { latest, .. } => vec![
            Lens {
                title: format!(
                    "Boternity soul v{} (saved {}) · modified: save as v{}",
                    latest.version,
                    short_date(&latest.created_at),
                    latest.version + 1
                ),
                command: SAVE_COMMAND,
                version: None,
            },
            Lens {
                title: format!("Restore v{}", latest.version),
                command: RESTORE_COMMAND,
                version: Some(latest.version),
            },
        ],
    }
}

fn table_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The version history as Markdown, newest first, with where this text stands.
pub fn history_markdown(bot: &BotSouls, text: &str) -> String {
    let mut md = format!("**Soul versions of `{}`** (boternity.db)\n\n", bot.slug);
    let now = match standing(bot, text) {
        Standing::Current(v) => format!("This text is the current version, v{}.", v.version),
        Standing::Unversioned => "No version recorded yet.".into(),
        Standing::Modified {
            latest,
            matches: Some(old),
        } => format!(
            "This text is v{}; the current version is v{}.",
            old.version, latest.version
        ),
        Standing::Modified { latest, .. } => format!(
            "This text differs from the current version, v{}.",
            latest.version
        ),
    };
    md.push_str(&now);
    if !bot.versions.is_empty() {
        md.push_str("\n\n| version | saved | message |\n| --- | --- | --- |\n");
        for v in bot.versions.iter().rev() {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                v.version,
                short_date(&v.created_at),
                table_cell(v.message.as_deref().unwrap_or(""))
            );
        }
    }
    md
}

/// A unified diff from a stored version to the editor's text.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

/// The message Boternity's rollback gives a version that restores an older one.
pub fn default_message(bot: &BotSouls, text: &str) -> Option<String> {
    match standing(bot, text) {
        Standing::Modified {
            matches: Some(old), ..
        } => Some(format!("Rollback to version {}", old.version)),
        _ => None,
    }
}

/// `forge-ls check`: the integrity diagnostic of every SOUL.md report in a data directory.
/// Returns one line per data directory whose database cannot be used.
pub fn check_reports(reports: &mut [forge_analysis::check::FileReport]) -> Vec<String> {
    let roots = data_dirs(&[], None, reports.iter().map(|r| r.path.as_path()));
    let ledger = load(&roots);
    let mut notes: Vec<String> = ledger
        .dirs
        .values()
        .filter_map(|d| match d {
            DirState::Off(m) => Some(m.clone()),
            DirState::Ready(_) => None,
        })
        .collect();
    notes.sort();
    for r in reports.iter_mut() {
        if let Some(d) = ledger.integrity(&r.path, &r.text) {
            r.diagnostics.push(d);
            r.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boternity_db::Version;

    fn v(n: i64, text: &str) -> Version {
        Version {
            version: n,
            hash: sha256_hex(text.as_bytes()),
            message: (n > 1).then(|| format!("change {n}")),
            created_at: format!("2026-02-1{n}T09:30:00.123456+00:00"),
        }
    }

    fn bot(texts: &[&str]) -> BotSouls {
        BotSouls {
            id: "id".into(),
            slug: "luna".into(),
            name: "Luna".into(),
            versions: texts
                .iter()
                .enumerate()
                .map(|(i, t)| v(i as i64 + 1, t))
                .collect(),
        }
    }

    #[test]
    fn hash_is_sha256_of_the_exact_bytes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(sha256_hex(b"a\n"), sha256_hex(b"a\r\n"));
        assert_ne!(sha256_hex("\u{feff}a".as_bytes()), sha256_hex(b"a"));
    }

    #[test]
    fn locates_bots_slug_soul() {
        let f = locate(Path::new("/d/bots/luna/SOUL.md")).unwrap();
        assert_eq!(f.root, Path::new("/d"));
        assert_eq!(f.slug, "luna");
        assert_eq!(locate(Path::new("/d/luna/SOUL.md")), None);
        assert_eq!(locate(Path::new("/d/bots/luna/IDENTITY.md")), None);
    }

    #[test]
    fn current_text_has_no_diagnostic_and_a_version_lens() {
        let b = bot(&["one\n", "two\n"]);
        assert_eq!(integrity("luna", &b, "two\n"), None);
        let l = lenses(&b, "two\n");
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].title, "Boternity soul v2 · saved 2026-02-12 09:30 UTC");
    }

    #[test]
    fn edited_text_names_the_version_and_the_way_out() {
        let b = bot(&["one\n", "two\n"]);
        let d = integrity("luna", &b, "two\nmore\n").unwrap();
        assert_eq!(d.code, "soul-integrity");
        assert_eq!(d.range, 0..3);
        assert!(
            d.message.contains("differs from soul version 2"),
            "{}",
            d.message
        );
        assert!(d.message.contains("integrity violation"));
        assert!(d.message.contains("version 3 with `forge.soul.save`"));
        let l = lenses(&b, "two\nmore\n");
        assert_eq!(l[1].command, RESTORE_COMMAND);
        assert_eq!(l[1].version, Some(2));
        // A trailing newline or a CRLF is a different file to Boternity.
        assert!(integrity("luna", &b, "two").is_some());
        assert!(integrity("luna", &b, "two\r\n").is_some());
    }

    #[test]
    fn an_older_version_is_recognised_and_saving_it_is_a_rollback() {
        let b = bot(&["one\n", "two\n"]);
        let d = integrity("luna", &b, "one\n").unwrap();
        assert!(
            d.message.starts_with(
                "This SOUL.md is soul version 1, but the current version of bot `luna` is 2"
            ),
            "{}",
            d.message
        );
        assert_eq!(
            default_message(&b, "one\n").as_deref(),
            Some("Rollback to version 1")
        );
        assert_eq!(default_message(&b, "new\n"), None);
    }

    #[test]
    fn unversioned_bot_asks_for_version_one() {
        let b = bot(&[]);
        let d = integrity("luna", &b, "x").unwrap();
        assert!(d.message.contains("no soul version"));
        assert_eq!(lenses(&b, "x")[0].command, SAVE_COMMAND);
    }

    #[test]
    fn history_is_newest_first_and_escapes_cells() {
        let mut b = bot(&["one\n", "two\n"]);
        b.versions[1].message = Some("a|b\nc".into());
        let md = history_markdown(&b, "one\n");
        let two = md.find("| 2 |").unwrap();
        let one = md.find("| 1 |").unwrap();
        assert!(two < one);
        assert!(md.contains("a\\|b c"));
        assert!(md.contains("This text is v1; the current version is v2."));
    }

    #[test]
    fn diff_is_unified() {
        let d = unified_diff("a\nb\n", "a\nc\n", "SOUL.md@v1", "SOUL.md");
        assert!(d.starts_with("--- SOUL.md@v1\n+++ SOUL.md\n@@"), "{d}");
        assert!(d.contains("-b\n+c\n"));
        assert_eq!(unified_diff("same\n", "same\n", "a", "b"), "");
    }

    fn ledger(dirs: &[(&str, DirState)]) -> Ledger {
        Ledger {
            dirs: dirs
                .iter()
                .map(|(r, s)| (PathBuf::from(r), s.clone()))
                .collect(),
        }
    }

    #[test]
    fn reads_never_replace_newer_ones_and_problems_show_once() {
        let ready = DirState::Ready(BTreeMap::from([("luna".to_string(), bot(&["one\n"]))]));
        let locked = DirState::Off("locked".into());
        let mut m = Merge::default();
        let mut cur = Ledger::default();
        let r = m.apply(&mut cur, 2, false, ledger(&[("/a", ready.clone())]));
        assert_eq!(r.changed, [PathBuf::from("/a")]);
        // An older read of /a arriving late is dropped.
        let r = m.apply(&mut cur, 1, false, ledger(&[("/a", locked.clone())]));
        assert_eq!(r, Merged::default());
        assert_eq!(cur.dirs[Path::new("/a")], ready);
        // A newer one: shown once, however often it is read again.
        let r = m.apply(&mut cur, 3, false, ledger(&[("/a", locked.clone())]));
        assert_eq!(r.show, ["locked"]);
        let r = m.apply(&mut cur, 4, true, ledger(&[("/a", locked.clone())]));
        assert_eq!(r, Merged::default());
        // Readable again, then locked again: a new event, shown again.
        m.apply(&mut cur, 5, false, ledger(&[("/a", ready.clone())]));
        let r = m.apply(&mut cur, 6, false, ledger(&[("/a", locked.clone())]));
        assert_eq!(r.show, ["locked"]);
    }

    #[test]
    fn a_full_read_drops_directories_no_longer_followed() {
        let mut m = Merge::default();
        let mut cur = Ledger::default();
        let ready = DirState::Ready(BTreeMap::new());
        m.apply(
            &mut cur,
            1,
            true,
            ledger(&[("/a", ready.clone()), ("/b", ready.clone())]),
        );
        let r = m.apply(&mut cur, 2, true, ledger(&[("/b", ready.clone())]));
        assert_eq!(r.changed, [PathBuf::from("/a")]);
        assert!(!cur.dirs.contains_key(Path::new("/a")));
        // A stale full read changes nothing.
        let r = m.apply(&mut cur, 1, true, ledger(&[("/a", ready)]));
        assert_eq!(r, Merged::default());
        assert_eq!(cur.dirs.len(), 1);
    }

    #[test]
    fn data_directories_are_recognised() {
        let tmp = tempfile::tempdir().unwrap();
        let mk = |rel: &str, db: bool| {
            let root = tmp.path().join(rel);
            std::fs::create_dir_all(root.join("bots/luna")).unwrap();
            if db {
                std::fs::write(root.join(DB_FILE), "").unwrap();
            }
            root
        };
        let folder = mk("ws", true);
        let nested = mk("ws/projects/install", true);
        let configured = mk("ws/.boternity", false);
        let plain = mk("other", false);
        let souls = [
            nested.join("bots/luna/SOUL.md"),
            plain.join("bots/luna/SOUL.md"),
        ];
        let found = data_dirs(
            &[folder.clone(), plain.clone()],
            Some(&configured),
            souls.iter().map(PathBuf::as_path),
        );
        // The configured directory is followed without a database, to say it is missing; a
        // folder with bots/ but no database and no configuration is not a data directory.
        assert_eq!(found, [folder.clone(), configured.clone(), nested]);
        // Outside the workspace, the configured directory is not followed.
        assert_eq!(
            data_dirs(std::slice::from_ref(&plain), Some(&configured), []),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn dates_are_shortened() {
        assert_eq!(
            short_date("2026-02-10T12:34:56.5+00:00"),
            "2026-02-10 12:34 UTC"
        );
        assert_eq!(short_date("2026-02-10T12:34:56Z"), "2026-02-10 12:34 UTC");
        assert_eq!(
            short_date("2026-02-10T12:34:56+02:00"),
            "2026-02-10 12:34 +02:00"
        );
        assert_eq!(short_date("yesterday"), "yesterday");
    }
}
