//! Boternity's own database, `{root}/boternity.db` (formats spec §8.3): the `bots` rows by slug and
//! their `soul_versions`.
//!
//! Boternity runs beside the editor and owns this file, so every read is one statement on a
//! short-lived read-only connection (a lock is never held past a statement, and nothing is ever
//! created, migrated or re-configured). The single write, [`record`], is the one Boternity's
//! admin path (`update_soul`) makes: a new `soul_versions` row with the next number and its hash
//! and `bots.version_count + 1`, in one transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

pub const DB_FILE: &str = "boternity.db";

/// How long one read waits for a writer (rollback-journal databases block readers while writing).
const READ_BUSY_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the save waits for Boternity to finish its own write.
const WRITE_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error("the Boternity database {} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("the Boternity database {} is locked by another program (Boternity writing to it?)", .0.display())]
    Locked(PathBuf),
    #[error("{} is not a Boternity database forge-ls knows ({detail})", path.display())]
    UnknownSchema { path: PathBuf, detail: String },
    #[error("the Boternity database {} is damaged or not an SQLite database", .0.display())]
    Corrupt(PathBuf),
    #[error("cannot use the Boternity database {}: {detail}", path.display())]
    Other { path: PathBuf, detail: String },
    #[error("the Boternity database has no bot with the slug `{0}`")]
    NoBot(String),
    #[error("bot `{slug}` has no soul version {version}")]
    NoVersion { slug: String, version: i64 },
}

impl DbError {
    /// Problems with the database as a whole (the feature turns off), as opposed to a missing row.
    pub fn is_database_problem(&self) -> bool {
        !matches!(self, DbError::NoBot(_) | DbError::NoVersion { .. })
    }
}

/// One `soul_versions` row without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub version: i64,
    pub hash: String,
    pub message: Option<String>,
    pub created_at: String,
}

/// A `bots` row and its soul versions, ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotSouls {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub versions: Vec<Version>,
}

impl BotSouls {
    /// "Current" = the highest version (spec §8.3).
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> DbError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            DbError::Locked(path.to_path_buf())
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            DbError::Corrupt(path.to_path_buf())
        }
        Some(ErrorCode::CannotOpen) if !path.exists() => DbError::Missing(path.to_path_buf()),
        _ => {
            let detail = e.to_string();
            // A table or column we read is absent: another product, or a Boternity schema we do not know.
            if detail.contains("no such table") || detail.contains("no such column") {
                DbError::UnknownSchema {
                    path: path.to_path_buf(),
                    detail,
                }
            } else {
                DbError::Other {
                    path: path.to_path_buf(),
                    detail,
                }
            }
        }
    }
}

fn open(path: &Path, flags: OpenFlags, busy: Duration) -> Result<Connection, DbError> {
    // Never create the database: Boternity does that, with its schema.
    if !path.is_file() {
        return Err(DbError::Missing(path.to_path_buf()));
    }
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| classify(path, e))?;
    conn.busy_timeout(busy).map_err(|e| classify(path, e))?;
    Ok(conn)
}

fn open_read(path: &Path) -> Result<Connection, DbError> {
    open(path, OpenFlags::SQLITE_OPEN_READ_ONLY, READ_BUSY_TIMEOUT)
}

type Row = (
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const BOTS_WITH_VERSIONS: &str =
    "SELECT b.id, b.slug, b.name, v.version, v.hash, v.message, v.created_at
     FROM bots b LEFT JOIN soul_versions v ON v.bot_id = b.id";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn group(rows: Vec<Row>) -> BTreeMap<String, BotSouls> {
    let mut out: BTreeMap<String, BotSouls> = BTreeMap::new();
    for (id, slug, name, version, hash, message, created_at) in rows {
        let bot = out.entry(slug.clone()).or_insert_with(|| BotSouls {
            id,
            slug,
            name,
            versions: Vec::new(),
        });
        if let Some(version) = version {
            bot.versions.push(Version {
                version,
                hash: hash.unwrap_or_default(),
                message,
                created_at: created_at.unwrap_or_default(),
            });
        }
    }
    for bot in out.values_mut() {
        bot.versions.sort_by_key(|v| v.version);
    }
    out
}

/// Every bot and the metadata of its soul versions, by slug: one statement.
pub fn load_all(db: &Path) -> Result<BTreeMap<String, BotSouls>, DbError> {
    let conn = open_read(db)?;
    let rows = query_rows(&conn, BOTS_WITH_VERSIONS, &[]).map_err(|e| classify(db, e))?;
    Ok(group(rows))
}

/// One bot's soul history (ascending): one statement.
pub fn history(db: &Path, slug: &str) -> Result<BotSouls, DbError> {
    let conn = open_read(db)?;
    let sql = format!("{BOTS_WITH_VERSIONS} WHERE b.slug = ?1");
    let rows = query_rows(&conn, &sql, &[&slug]).map_err(|e| classify(db, e))?;
    group(rows)
        .remove(slug)
        .ok_or_else(|| DbError::NoBot(slug.to_string()))
}

fn query_rows(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(args, read_row)?;
    rows.collect()
}

/// The full content of one soul version: one statement.
pub fn content(db: &Path, slug: &str, version: i64) -> Result<String, DbError> {
    let conn = open_read(db)?;
    conn.query_row(
        "SELECT v.content FROM soul_versions v JOIN bots b ON b.id = v.bot_id
         WHERE b.slug = ?1 AND v.version = ?2",
        params![slug, version],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map_err(|e| classify(db, e))?
    .ok_or_else(|| DbError::NoVersion {
        slug: slug.to_string(),
        version,
    })
}

/// What [`record`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub version: i64,
    pub hash: String,
    /// False when the content already was the current version (no row added, as `bnity soul edit`).
    pub created: bool,
}

/// Records `content` as the bot's next soul version, as Boternity's `update_soul` does: a new
/// `soul_versions` row (UUID v7 id, number `current + 1`, SHA-256 hash, message, RFC 3339 time) and
/// `bots.version_count + 1`, in one transaction. `created_at` is given so tests can fix it.
pub fn record(
    db: &Path,
    slug: &str,
    content: &str,
    message: Option<&str>,
    created_at: &str,
) -> Result<Recorded, DbError> {
    let mut conn = open(db, OpenFlags::SQLITE_OPEN_READ_WRITE, WRITE_BUSY_TIMEOUT)?;
    let e = |e: rusqlite::Error| classify(db, e);
    // IMMEDIATE takes the write lock up front, so the next number cannot be taken under us.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(e)?;
    let bot_id: String = tx
        .query_row("SELECT id FROM bots WHERE slug = ?1", [slug], |r| r.get(0))
        .optional()
        .map_err(e)?
        .ok_or_else(|| DbError::NoBot(slug.to_string()))?;
    let hash = crate::soul_versions::sha256_hex(content.as_bytes());
    let current: Option<(i64, String)> = tx
        .query_row(
            "SELECT version, hash FROM soul_versions WHERE bot_id = ?1 ORDER BY version DESC LIMIT 1",
            [&bot_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(e)?;
    if let Some((version, h)) = &current {
        if *h == hash {
            return Ok(Recorded {
                version: *version,
                hash,
                created: false,
            });
        }
    }
    let version = current.map_or(1, |(v, _)| v + 1);
    tx.execute(
        "INSERT INTO soul_versions (id, bot_id, content, hash, version, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            uuid::Uuid::now_v7().to_string(),
            bot_id,
            content,
            hash,
            version,
            message,
            created_at
        ],
    )
    .map_err(e)?;
    tx.execute(
        "UPDATE bots SET version_count = version_count + 1 WHERE id = ?1",
        [&bot_id],
    )
    .map_err(e)?;
    tx.commit().map_err(e)?;
    Ok(Recorded {
        version,
        hash,
        created: true,
    })
}

/// The two tables read here as spec §8.3 describes them (Boternity's initial migration), for tests
/// that need a database shaped like a real install.
pub const SCHEMA: &str = "
CREATE TABLE bots (
    id TEXT PRIMARY KEY NOT NULL, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'archived')),
    category TEXT NOT NULL DEFAULT 'assistant'
        CHECK (category IN ('assistant', 'creative', 'research', 'utility')),
    tags TEXT NOT NULL DEFAULT '[]', user_id TEXT,
    conversation_count INTEGER NOT NULL DEFAULT 0, total_tokens_used INTEGER NOT NULL DEFAULT 0,
    version_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_active_at TEXT
);
CREATE INDEX idx_bots_slug ON bots (slug);
CREATE INDEX idx_bots_status ON bots (status);
CREATE INDEX idx_bots_category ON bots (category);
CREATE INDEX idx_bots_created_at ON bots (created_at);
CREATE TABLE soul_versions (
    id TEXT PRIMARY KEY NOT NULL,
    bot_id TEXT NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
    content TEXT NOT NULL, hash TEXT NOT NULL, version INTEGER NOT NULL, message TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (bot_id, version)
);
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soul_versions::sha256_hex;

    /// A database with Boternity's schema (in `journal` mode) and bot `luna` at soul version 2.
    /// Versions are seeded in one statement; `record` is tested on its own below.
    fn install(dir: &Path, journal: &str) -> PathBuf {
        let db = dir.join(DB_FILE);
        let c = Connection::open(&db).unwrap();
        c.pragma_update(None, "journal_mode", journal).unwrap();
        c.execute_batch(SCHEMA).unwrap();
        let (one, two) = (sha256_hex(b"one\n"), sha256_hex(b"two\n"));
        c.execute_batch(&format!(
            "INSERT INTO bots (id, slug, name, version_count, created_at, updated_at)
                 VALUES ('b1', 'luna', 'Luna', 2, 't', 't');
             INSERT INTO soul_versions (id, bot_id, content, hash, version, created_at) VALUES
                 ('s1', 'b1', 'one' || char(10), '{one}', 1, 't1'),
                 ('s2', 'b1', 'two' || char(10), '{two}', 2, 't2');"
        ))
        .unwrap();
        db
    }

    fn version_count(db: &Path) -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT version_count FROM bots WHERE slug = 'luna'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn reads_bots_and_versions() {
        let dir = tempfile::tempdir().unwrap();
        let db = install(dir.path(), "WAL");
        let all = load_all(&db).unwrap();
        let luna = &all["luna"];
        assert_eq!(luna.name, "Luna");
        assert_eq!(luna.versions.len(), 2);
        assert_eq!(luna.latest().unwrap().hash, sha256_hex(b"two\n"));
        assert_eq!(history(&db, "luna").unwrap(), *luna);
        assert_eq!(content(&db, "luna", 1).unwrap(), "one\n");
        assert_eq!(
            content(&db, "luna", 9),
            Err(DbError::NoVersion {
                slug: "luna".into(),
                version: 9
            })
        );
        assert_eq!(history(&db, "sol"), Err(DbError::NoBot("sol".into())));
    }

    #[test]
    fn record_adds_the_next_version_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = install(dir.path(), "WAL");
        let r = record(
            &db,
            "luna",
            "three\n",
            Some("warmer"),
            "2026-03-01T10:00:00+00:00",
        )
        .unwrap();
        assert_eq!(
            r,
            Recorded {
                version: 3,
                hash: sha256_hex(b"three\n"),
                created: true
            }
        );
        assert_eq!(version_count(&db), 3);
        let h = history(&db, "luna").unwrap();
        let v3 = h.latest().unwrap();
        assert_eq!((v3.version, v3.message.as_deref()), (3, Some("warmer")));
        assert_eq!(content(&db, "luna", 3).unwrap(), "three\n");
        let id: String = Connection::open(&db)
            .unwrap()
            .query_row("SELECT id FROM soul_versions WHERE version = 3", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
        // The current content again: nothing recorded, as `bnity soul edit`.
        let again = record(&db, "luna", "three\n", None, "later").unwrap();
        assert_eq!((again.version, again.created), (3, false));
        assert_eq!(version_count(&db), 3);
        assert_eq!(
            record(&db, "sol", "x", None, "t"),
            Err(DbError::NoBot("sol".into()))
        );
    }

    #[test]
    fn reads_beside_a_writer_in_the_middle_of_a_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = install(dir.path(), "WAL");
        let mut writer = Connection::open(&db).unwrap();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("UPDATE bots SET name = 'Changing' WHERE slug = 'luna'", [])
            .unwrap();
        // WAL readers see the last commit and never wait for the writer.
        assert_eq!(load_all(&db).unwrap()["luna"].name, "Luna");
        // The save needs the write lock: a clear error after the busy timeout, nothing written.
        assert_eq!(
            record(&db, "luna", "three\n", None, "t"),
            Err(DbError::Locked(db.clone()))
        );
        tx.commit().unwrap();
        assert_eq!(load_all(&db).unwrap()["luna"].name, "Changing");
        assert_eq!(version_count(&db), 2);
    }

    #[test]
    fn an_exclusive_lock_is_reported_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        // A rollback-journal database: there a writer's exclusive lock blocks readers too.
        let db = install(dir.path(), "DELETE");
        let holder = Connection::open(&db).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        assert_eq!(load_all(&db), Err(DbError::Locked(db.clone())));
        holder.execute_batch("COMMIT").unwrap();
        assert!(load_all(&db).is_ok());
    }

    #[test]
    fn missing_corrupt_and_foreign_databases_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE);
        assert_eq!(load_all(&db), Err(DbError::Missing(db.clone())));
        assert_eq!(
            record(&db, "luna", "x", None, "t"),
            Err(DbError::Missing(db.clone()))
        );
        assert!(!db.exists(), "the database is never created");
        std::fs::write(
            &db,
            b"this is not a database, just text that happens to be long enough",
        )
        .unwrap();
        assert_eq!(load_all(&db), Err(DbError::Corrupt(db.clone())));
        std::fs::remove_file(&db).unwrap();
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE bots (id TEXT, slug TEXT)")
            .unwrap();
        match load_all(&db) {
            Err(DbError::UnknownSchema { detail, .. }) => assert!(detail.contains("no such")),
            other => panic!("expected an unknown schema, got {other:?}"),
        }
    }

    #[test]
    fn a_truncated_database_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let db = install(dir.path(), "DELETE");
        let bytes = std::fs::read(&db).unwrap();
        std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(load_all(&db), Err(DbError::Corrupt(db.clone())));
    }

    #[test]
    fn timestamps_look_like_chrono_rfc3339() {
        let t = crate::time::now_boternity();
        assert!(t.ends_with("+00:00"), "{t}");
        assert_eq!(&t[10..11], "T");
    }
}
