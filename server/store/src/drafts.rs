//! Builder drafts persisted per workspace in SQLite (default `<workspace>/.forge/drafts.db`).
//!
//! Tables follow Boternity's `builder_drafts`/`builder_memory` (§8.1, §8.2) with the fixes of §13.17:
//! `created_at` survives re-saves and rows carry a schema version that is checked on read.
//! Every method is one short transaction, so a crash never leaves half a draft.

use crate::time::now_rfc3339;
use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Version of the `state_json` format written by this code (per row).
pub const DRAFT_SCHEMA_VERSION: i64 = 1;
/// Version of the database layout (`PRAGMA user_version`).
pub const DB_SCHEMA_VERSION: i64 = 1;
/// How long a write waits for another process's transaction.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Ordered migrations; entry `i` moves the database from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE IF NOT EXISTS drafts (
        session_id     TEXT PRIMARY KEY,
        mode           TEXT NOT NULL,
        description    TEXT NOT NULL,
        phase          TEXT NOT NULL,
        state_json     TEXT NOT NULL,
        schema_version INTEGER NOT NULL DEFAULT 1,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idx_drafts_updated_at ON drafts(updated_at);
    CREATE TABLE IF NOT EXISTS builder_memory (
        id                  TEXT PRIMARY KEY,
        purpose_category    TEXT NOT NULL,
        initial_description TEXT NOT NULL,
        chosen_tone         TEXT,
        chosen_model        TEXT,
        chosen_skills       TEXT NOT NULL DEFAULT '[]',
        bot_slug            TEXT,
        created_at          TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idx_builder_memory_category ON builder_memory(purpose_category);
"];

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("cannot create the drafts directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the drafts database {} is busy (another forge-ls or tool is writing to it); nothing was lost, try again", path.display())]
    Locked { path: PathBuf },
    #[error("draft {session_id} was saved by a newer forge-ls (draft schema {found}, this version reads up to {supported}); it was left untouched")]
    FutureSchema {
        session_id: String,
        found: i64,
        supported: i64,
    },
    #[error("the drafts database {} was created by a newer forge-ls (schema {found}, this version reads up to {supported}); it was left untouched", path.display())]
    FutureDatabase {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("draft {session_id} cannot be read: {message}")]
    BadRow { session_id: String, message: String },
    #[error("the drafts database {} cannot be written ({source}); nothing was lost: make it writable or set forge.draftsPath elsewhere", path.display())]
    ReadOnly {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("drafts database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// One line of `forge.builder.drafts`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DraftSummary {
    pub session_id: String,
    pub mode: String,
    pub description: String,
    pub phase: String,
    pub updated_at: String,
}

/// What the store needs of a draft: the columns it lists by, and the two timestamps it keeps.
/// The builder's session implements it; the rest of the draft is its JSON (`state_json`).
pub trait Draft: Serialize + DeserializeOwned + Clone {
    fn session_id(&self) -> &str;
    fn mode(&self) -> &str;
    fn description(&self) -> &str;
    fn phase(&self) -> &str;
    /// `created_at` and `updated_at`, RFC 3339.
    fn stamps(&mut self) -> (&mut String, &mut String);
}

/// One row of `builder_memory` (§8.2): what a finished session chose. `purpose_category` is the
/// column as stored (the category's JSON, quotes included).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoryRow {
    pub purpose_category: String,
    pub initial_description: String,
    pub chosen_tone: Option<String>,
    pub chosen_model: Option<String>,
    pub chosen_skills: Vec<String>,
    pub bot_slug: Option<String>,
    pub created_at: String,
}

pub struct DraftStore {
    conn: Connection,
    path: PathBuf,
    warning: Option<String>,
}

impl std::fmt::Debug for DraftStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftStore")
            .field("path", &self.path)
            .finish()
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

impl DraftStore {
    /// Opens (creating if needed) the store at `path` with the default 2 s busy timeout.
    pub fn open(path: impl AsRef<Path>) -> Result<DraftStore, DraftError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    pub fn open_with_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<DraftStore, DraftError> {
        let path = path.as_ref().to_path_buf();
        prepare_location(&path)?;
        let mut warning = None;
        let conn = match open_checked(&path, busy_timeout) {
            Ok(c) => c,
            Err(Opened::Corrupt) => {
                let aside = move_aside(&path)?;
                warning = Some(format!(
                    "The drafts database {} was damaged and has been moved to {}; a fresh one was started. Drafts saved before are in the moved file.",
                    path.display(),
                    aside.display()
                ));
                create_file(&path)?;
                match open_checked(&path, busy_timeout) {
                    Ok(c) => c,
                    Err(Opened::Failed(e)) => return Err(e),
                    Err(Opened::Corrupt) => {
                        return Err(DraftError::Io {
                            path: path.clone(),
                            source: std::io::Error::other(
                                "a freshly created database is unreadable",
                            ),
                        })
                    }
                }
            }
            Err(Opened::Failed(e)) => return Err(e),
        };
        let store = DraftStore {
            conn,
            path,
            warning,
        };
        store.migrate()?;
        if let Some(w) = &store.warning {
            tracing::warn!("{w}");
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A message for the user when opening had to recover (a corrupt file moved aside).
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    fn err(&self, e: rusqlite::Error) -> DraftError {
        if is_busy(&e) {
            DraftError::Locked {
                path: self.path.clone(),
            }
        } else {
            DraftError::Sqlite {
                path: self.path.clone(),
                source: e,
            }
        }
    }

    fn begin(&self) -> Result<Transaction<'_>, DraftError> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<(), DraftError> {
        let version = self.user_version()?;
        if version > DB_SCHEMA_VERSION {
            return Err(DraftError::FutureDatabase {
                path: self.path.clone(),
                found: version,
                supported: DB_SCHEMA_VERSION,
            });
        }
        if version == DB_SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self.begin()?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let mut v: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        while v < DB_SCHEMA_VERSION {
            let step = usize::try_from(v)
                .ok()
                .and_then(|i| MIGRATIONS.get(i))
                .ok_or_else(|| DraftError::FutureDatabase {
                    path: self.path.clone(),
                    found: v,
                    supported: DB_SCHEMA_VERSION,
                })?;
            tx.execute_batch(step).map_err(|e| self.err(e))?;
            v += 1;
            tx.pragma_update(None, "user_version", v)
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn user_version(&self) -> Result<i64, DraftError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Saves a session. `created_at` of an existing row is kept, `updated_at` is now. Returns the
    /// session as stored (with those timestamps).
    pub fn save<D: Draft>(&self, session: &D) -> Result<D, DraftError> {
        let id = session.session_id();
        let tx = self.begin()?;
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT schema_version, created_at FROM drafts WHERE session_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some((found, _)) = existing {
            if found > DRAFT_SCHEMA_VERSION {
                return Err(DraftError::FutureSchema {
                    session_id: id.to_string(),
                    found,
                    supported: DRAFT_SCHEMA_VERSION,
                });
            }
        }
        let mut stored = session.clone();
        let (created_at, updated_at) = stored.stamps();
        if let Some((_, created)) = existing {
            *created_at = created;
        } else if created_at.is_empty() {
            *created_at = now_rfc3339();
        }
        *updated_at = now_rfc3339();
        let (created_at, updated_at) = (created_at.clone(), updated_at.clone());
        let json = serde_json::to_string(&stored).map_err(|e| DraftError::BadRow {
            session_id: id.to_string(),
            message: e.to_string(),
        })?;
        tx.execute(
            "INSERT INTO drafts (session_id, mode, description, phase, state_json, schema_version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(session_id) DO UPDATE SET mode = excluded.mode, description = excluded.description,
                 phase = excluded.phase, state_json = excluded.state_json,
                 schema_version = excluded.schema_version, updated_at = excluded.updated_at",
            params![
                id,
                stored.mode(),
                stored.description(),
                stored.phase(),
                json,
                DRAFT_SCHEMA_VERSION,
                created_at,
                updated_at
            ],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(stored)
    }

    pub fn load<D: Draft>(&self, session_id: &str) -> Result<Option<D>, DraftError> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT schema_version, state_json FROM drafts WHERE session_id = ?1",
                [session_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((version, json)) = row else {
            return Ok(None);
        };
        if version > DRAFT_SCHEMA_VERSION {
            return Err(DraftError::FutureSchema {
                session_id: session_id.to_string(),
                found: version,
                supported: DRAFT_SCHEMA_VERSION,
            });
        }
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| DraftError::BadRow {
                session_id: session_id.to_string(),
                message: e.to_string(),
            })
    }

    /// All drafts, newest first.
    pub fn list(&self) -> Result<Vec<DraftSummary>, DraftError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT session_id, mode, description, phase, updated_at FROM drafts
                 ORDER BY updated_at DESC, rowid DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DraftSummary {
                    session_id: r.get(0)?,
                    mode: r.get(1)?,
                    description: r.get(2)?,
                    phase: r.get(3)?,
                    updated_at: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Deletes a draft; `false` when there was none. A draft from a newer forge-ls is refused.
    pub fn delete(&self, session_id: &str) -> Result<bool, DraftError> {
        let tx = self.begin()?;
        let version: Option<i64> = tx
            .query_row(
                "SELECT schema_version FROM drafts WHERE session_id = ?1",
                [session_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(found) = version.filter(|v| *v > DRAFT_SCHEMA_VERSION) {
            return Err(DraftError::FutureSchema {
                session_id: session_id.to_string(),
                found,
                supported: DRAFT_SCHEMA_VERSION,
            });
        }
        let n = tx
            .execute("DELETE FROM drafts WHERE session_id = ?1", [session_id])
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Records what a finished session chose (§7.10). Returns the new row id.
    pub fn record_memory(&self, entry: &MemoryRow) -> Result<String, DraftError> {
        let id = uuid::Uuid::new_v4().to_string();
        let category = &entry.purpose_category;
        let skills = serde_json::to_string(&entry.chosen_skills).unwrap_or_else(|_| "[]".into());
        let created = if entry.created_at.is_empty() {
            now_rfc3339()
        } else {
            entry.created_at.clone()
        };
        let tx = self.begin()?;
        tx.execute(
            "INSERT INTO builder_memory (id, purpose_category, initial_description, chosen_tone, chosen_model, chosen_skills, bot_slug, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, category, entry.initial_description, entry.chosen_tone, entry.chosen_model, skills, entry.bot_slug, created],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// Up to `limit` memories of a category (its `purpose_category` column value), newest first.
    pub fn recall_memory(
        &self,
        category: &str,
        limit: usize,
    ) -> Result<Vec<MemoryRow>, DraftError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT purpose_category, initial_description, chosen_tone, chosen_model, chosen_skills, bot_slug, created_at
                 FROM builder_memory WHERE purpose_category = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![category, limit], |r| {
                let skills: String = r.get(4)?;
                Ok(MemoryRow {
                    purpose_category: r.get(0)?,
                    initial_description: r.get(1)?,
                    chosen_tone: r.get(2)?,
                    chosen_model: r.get(3)?,
                    // A malformed list from another writer should not hide the rest of the row.
                    chosen_skills: serde_json::from_str(&skills).unwrap_or_default(),
                    bot_slug: r.get(5)?,
                    created_at: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

enum Opened {
    Corrupt,
    Failed(DraftError),
}

/// Creates the parent directory (and a `.gitignore` in a new `.forge/`) and the database file with
/// user-only permissions.
fn prepare_location(path: &Path) -> Result<(), DraftError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            let mut dir = std::fs::DirBuilder::new();
            dir.recursive(true);
            // Drafts hold the user's answers: only the user may list or read them.
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
            dir.create(parent).map_err(|source| DraftError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
            if parent.file_name().is_some_and(|n| n == ".forge") {
                let gi = parent.join(".gitignore");
                std::fs::write(&gi, "*\n").map_err(|source| DraftError::Io { path: gi, source })?;
            }
        }
    }
    if !path.exists() {
        create_file(path)?;
    }
    Ok(())
}

fn create_file(path: &Path) -> Result<(), DraftError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        // Another process created it between our check and now: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(DraftError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn has_sqlite_header(path: &Path) -> Result<bool, DraftError> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|source| DraftError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut buf = [0u8; 16];
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(source) => {
                return Err(DraftError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }
    // An empty file is a database SQLite has not initialised yet.
    Ok(n == 0 || (n == 16 && &buf == SQLITE_HEADER))
}

fn open_checked(path: &Path, busy_timeout: Duration) -> Result<Connection, Opened> {
    let sql = |e: rusqlite::Error| {
        if is_corrupt(&e) {
            Opened::Corrupt
        } else if is_busy(&e) {
            Opened::Failed(DraftError::Locked {
                path: path.to_path_buf(),
            })
        } else if let Some(source) = unwritable(path) {
            Opened::Failed(DraftError::ReadOnly {
                path: path.to_path_buf(),
                source,
            })
        } else {
            Opened::Failed(DraftError::Sqlite {
                path: path.to_path_buf(),
                source: e,
            })
        }
    };
    if !has_sqlite_header(path).map_err(Opened::Failed)? {
        return Err(Opened::Corrupt);
    }
    let conn = Connection::open(path).map_err(sql)?;
    conn.busy_timeout(busy_timeout).map_err(sql)?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(sql)?;
    if verdict != "ok" {
        return Err(Opened::Corrupt);
    }
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(sql)?;
    // In WAL mode NORMAL keeps every committed turn across a crash or kill -9 of the server (the
    // WAL is written before the commit returns); only a power loss can roll back the last turns,
    // and the database stays consistent either way. FULL would fsync on every answer, which costs
    // more than the whole rest of the turn on a busy disk.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql)?;
    Ok(conn)
}

/// Why `path` cannot be opened for writing, if that is the trouble: SQLite only
/// says "unable to open database file" for a read-only file system or mode.
fn unwritable(path: &Path) -> Option<std::io::Error> {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    let e = std::fs::OpenOptions::new().append(true).open(path).err()?;
    matches!(e.kind(), ReadOnlyFilesystem | PermissionDenied).then_some(e)
}

/// Renames a corrupt database (and its WAL/SHM companions) to `<name>.corrupt-<unix time>`.
fn move_aside(path: &Path) -> Result<PathBuf, DraftError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let with_suffix = |p: &Path, suffix: &str| {
        let mut s = p.as_os_str().to_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    let mut aside = with_suffix(path, &format!(".corrupt-{secs}"));
    let mut n = 1;
    while aside.exists() {
        aside = with_suffix(path, &format!(".corrupt-{secs}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &aside).map_err(|source| DraftError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    for companion in ["-wal", "-shm"] {
        let from = with_suffix(path, companion);
        if from.exists() {
            let to = with_suffix(&aside, companion);
            std::fs::rename(&from, &to).map_err(|source| DraftError::Io { path: from, source })?;
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft as the store sees one; the builder's session is tested against the store in
    /// `forge-builder`.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        session_id: String,
        description: String,
        name: Option<String>,
        created_at: String,
        updated_at: String,
    }

    impl Draft for Sample {
        fn session_id(&self) -> &str {
            &self.session_id
        }
        fn mode(&self) -> &str {
            "bot"
        }
        fn description(&self) -> &str {
            &self.description
        }
        fn phase(&self) -> &str {
            "basics"
        }
        fn stamps(&mut self) -> (&mut String, &mut String) {
            (&mut self.created_at, &mut self.updated_at)
        }
    }

    fn session(desc: &str) -> Sample {
        Sample {
            session_id: uuid::Uuid::now_v7().to_string(),
            description: desc.into(),
            name: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    /// The next turn of a draft: the user named the bot.
    fn named(s: &Sample, name: &str) -> Sample {
        Sample {
            name: Some(name.into()),
            ..s.clone()
        }
    }

    fn db(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join(".forge").join("drafts.db")
    }

    #[test]
    fn round_trip_and_created_at_is_preserved() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::open(db(&dir)).unwrap();
        assert!(store.warning().is_none());
        let s = session("debug code");
        let saved = store.save(&s).unwrap();
        let loaded = store.load::<Sample>(&s.session_id).unwrap().unwrap();
        assert_eq!(loaded, saved);
        std::thread::sleep(Duration::from_millis(5));
        let next = named(&loaded, "Luna");
        let saved2 = store.save(&next).unwrap();
        assert_eq!(saved2.created_at, saved.created_at);
        assert!(saved2.updated_at > saved.updated_at);
        assert_eq!(
            store
                .load::<Sample>(&s.session_id)
                .unwrap()
                .unwrap()
                .name
                .as_deref(),
            Some("Luna")
        );
        assert!(store.load::<Sample>("missing").unwrap().is_none());
    }

    #[test]
    fn list_is_newest_first_and_delete_works() {
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::open(db(&dir)).unwrap();
        let a = session("first bot");
        let b = session("second bot");
        store.save(&a).unwrap();
        store.save(&b).unwrap();
        store.save(&a).unwrap(); // touching a makes it newest
        let list = store.list().unwrap();
        let ids: Vec<_> = list.iter().map(|d| d.session_id.as_str()).collect();
        assert_eq!(ids, [a.session_id.as_str(), b.session_id.as_str()]);
        assert_eq!(list[0].mode, "bot");
        assert_eq!(list[0].phase, "basics");
        assert_eq!(list[0].description, "first bot");
        assert!(store.delete(&a.session_id).unwrap());
        assert!(!store.delete(&a.session_id).unwrap());
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn survives_reopen_and_sets_up_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = db(&dir);
        let s = session("durable");
        {
            let store = DraftStore::open(&path).unwrap();
            store.save(&s).unwrap();
        }
        let store = DraftStore::open(&path).unwrap();
        assert_eq!(
            store
                .load::<Sample>(&s.session_id)
                .unwrap()
                .unwrap()
                .description,
            "durable"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".forge/.gitignore")).unwrap(),
            "*\n"
        );
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.user_version().unwrap(), DB_SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(m & 0o777, 0o600);
            let d = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(d & 0o777, 0o700, ".forge/ is the user's alone");
            // The WAL and shared-memory files SQLite makes take the database's mode.
            for side in ["-wal", "-shm"] {
                let p = format!("{}{side}", path.display());
                let m = std::fs::metadata(&p).unwrap().permissions().mode();
                assert_eq!(m & 0o777, 0o600, "{p}");
            }
        }
        // An existing non-.forge directory gets no .gitignore.
        let other = dir.path().join("elsewhere.db");
        DraftStore::open(&other).unwrap();
        assert!(!dir.path().join(".gitignore").exists());
    }

    #[test]
    fn locked_database_is_a_clear_error_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = db(&dir);
        let store = DraftStore::open_with_timeout(&path, Duration::from_millis(100)).unwrap();
        let s = session("locked");
        store.save(&s).unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let next = named(&s, "Luna");
        let e = store.save(&next).unwrap_err();
        assert!(matches!(e, DraftError::Locked { .. }), "{e:?}");
        assert!(e.to_string().contains("is busy"));
        assert!(matches!(
            store.delete(&s.session_id),
            Err(DraftError::Locked { .. })
        ));
        // Reads still work in WAL mode, and the old state is intact.
        assert!(store
            .load::<Sample>(&s.session_id)
            .unwrap()
            .unwrap()
            .name
            .is_none());
        other.execute_batch("ROLLBACK").unwrap();
        store.save(&next).unwrap();
        assert_eq!(
            store
                .load::<Sample>(&s.session_id)
                .unwrap()
                .unwrap()
                .name
                .as_deref(),
            Some("Luna")
        );
    }

    #[test]
    fn garbage_file_is_moved_aside_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drafts.db");
        std::fs::write(&path, b"this is not a database at all, just some text").unwrap();
        let store = DraftStore::open(&path).unwrap();
        let w = store.warning().unwrap().to_string();
        assert!(w.contains("damaged") && w.contains(".corrupt-"), "{w}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("drafts.db.corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read(dir.path().join(&aside[0])).unwrap(),
            b"this is not a database at all, just some text"
        );
        let s = session("after recovery");
        store.save(&s).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn truncated_database_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("drafts.db");
        {
            let store = DraftStore::open(&path).unwrap();
            for i in 0..200 {
                store
                    .save(&session(&format!("bot number {i} {}", "x".repeat(500))))
                    .unwrap();
            }
            store
                .conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 8192);
        // Keep the header page, scramble the rest.
        let mut damaged = bytes[..4096].to_vec();
        damaged.extend(std::iter::repeat_n(0xA5u8, bytes.len() - 4096));
        std::fs::write(&path, damaged).unwrap();
        let store = DraftStore::open(&path).unwrap();
        assert!(store.warning().is_some());
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn future_rows_and_databases_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = db(&dir);
        let store = DraftStore::open(&path).unwrap();
        let s = session("from the future");
        store.save(&s).unwrap();
        let raw = Connection::open(&path).unwrap();
        raw.execute(
            "UPDATE drafts SET schema_version = 99, state_json = '{\"new\":1}'",
            [],
        )
        .unwrap();
        let e = store.load::<Sample>(&s.session_id).unwrap_err();
        assert!(
            matches!(e, DraftError::FutureSchema { found: 99, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("newer forge-ls"));
        assert!(matches!(
            store.save(&s),
            Err(DraftError::FutureSchema { .. })
        ));
        assert!(matches!(
            store.delete(&s.session_id),
            Err(DraftError::FutureSchema { .. })
        ));
        let json: String = raw
            .query_row("SELECT state_json FROM drafts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(json, "{\"new\":1}");
        assert_eq!(store.list().unwrap().len(), 1, "still listed");
        // A row that is not valid JSON is an error for that row only.
        let t = session("broken row");
        store.save(&t).unwrap();
        raw.execute(
            "UPDATE drafts SET state_json = 'nope' WHERE session_id = ?1",
            [&t.session_id],
        )
        .unwrap();
        assert!(matches!(
            store.load::<Sample>(&t.session_id),
            Err(DraftError::BadRow { .. })
        ));

        raw.pragma_update(None, "user_version", 7).unwrap();
        drop(raw);
        drop(store);
        let e = DraftStore::open(&path).unwrap_err();
        assert!(
            matches!(e, DraftError::FutureDatabase { found: 7, .. }),
            "{e:?}"
        );
        assert!(path.exists());
    }

    #[test]
    fn unwritable_locations_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        // A file where a directory should be fails for every user, root included.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "x").unwrap();
        let e = DraftStore::open(blocker.join("sub").join("drafts.db")).unwrap_err();
        assert!(matches!(e, DraftError::CreateDir { .. }), "{e:?}");
        assert!(e.to_string().contains("blocker"), "{e}");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let ro = dir.path().join("readonly");
            std::fs::create_dir(&ro).unwrap();
            std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
            let probe = ro.join("probe");
            let enforced = std::fs::write(&probe, "x").is_err();
            let _ = std::fs::remove_file(&probe);
            let r = DraftStore::open(ro.join("drafts.db"));
            if enforced {
                let e = r.unwrap_err();
                assert!(matches!(e, DraftError::Io { .. }), "{e:?}");
                assert!(e.to_string().contains("readonly"), "{e}");
            }
            std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
    }

    #[test]
    fn memory_round_trip_by_category() {
        // The column values Boternity writes: the category as JSON, quotes included.
        const CODING: &str = "\"coding\"";
        const CUSTOM: &str = "{\"custom\":\"x\"}";
        let dir = tempfile::tempdir().unwrap();
        let store = DraftStore::open(db(&dir)).unwrap();
        let entry = |desc: &str, cat: &str, at: &str| MemoryRow {
            purpose_category: cat.into(),
            initial_description: desc.into(),
            chosen_tone: Some("technical".into()),
            chosen_model: None,
            chosen_skills: vec!["code-review".into()],
            bot_slug: Some("coder".into()),
            created_at: at.into(),
        };
        store
            .record_memory(&entry("old", CODING, "2026-01-01T00:00:00.000000Z"))
            .unwrap();
        store
            .record_memory(&entry("new", CODING, "2026-02-01T00:00:00.000000Z"))
            .unwrap();
        store
            .record_memory(&entry("custom", CUSTOM, "2026-03-01T00:00:00.000000Z"))
            .unwrap();
        let got = store.recall_memory(CODING, 3).unwrap();
        let descs: Vec<_> = got.iter().map(|m| m.initial_description.as_str()).collect();
        assert_eq!(descs, ["new", "old"]);
        assert_eq!(got[0].chosen_skills, vec!["code-review".to_string()]);
        assert_eq!(got[0].purpose_category, CODING);
        assert_eq!(store.recall_memory(CODING, 1).unwrap().len(), 1);
        let c = store.recall_memory(CUSTOM, 3).unwrap();
        assert_eq!(c.len(), 1);
        // The column holds the JSON form with quotes, as Boternity writes it.
        let raw: String = store
            .conn
            .query_row(
                "SELECT purpose_category FROM builder_memory WHERE initial_description = 'new'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(raw, "\"coding\"");
    }
}
