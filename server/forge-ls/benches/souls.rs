//! Soul versions: what a keystroke in a SOUL.md of a Boternity data directory costs (hash and
//! compare against the ledger), and what re-reading a large `boternity.db` costs (the state task
//! does it on the blocking pool when the database changes).
//!
//! `cargo bench -p forge-ls --bench souls` (release). Each case runs a fixed number of times after
//! one warm-up run; the minimum and the median are printed (wall clock, so on a shared machine the
//! minimum is the closest to the uncontended cost).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use forge_store::boternity_db::{self, DB_FILE, SCHEMA};
use forge_store::soul_versions::{self, sha256_hex};
use rusqlite::{params, Connection};

const BOTS: usize = 500;
const VERSIONS: usize = 20;

fn soul(size: usize) -> String {
    let mut s = String::from("---\nname: Luna\ntone: warm\n---\n\n# Luna\n\n## Personality\n\n");
    while s.len() < size {
        s.push_str(
            "Luna is curious, patient and fond of tide pools; she asks before she assumes.\n",
        );
    }
    s
}

/// A data directory with `BOTS` bots of `VERSIONS` soul versions each (2 KiB souls).
fn install(root: &Path) -> PathBuf {
    let db = root.join(DB_FILE);
    let mut c = Connection::open(&db).expect("bench database");
    c.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    c.execute_batch(SCHEMA).expect("schema");
    let tx = c.transaction().expect("transaction");
    let text = soul(2048);
    for b in 0..BOTS {
        tx.execute(
            "INSERT INTO bots (id, slug, name, version_count, created_at, updated_at)
             VALUES (?1, ?2, ?2, ?3, 't', 't')",
            params![format!("id-{b}"), format!("bot-{b}"), VERSIONS as i64],
        )
        .expect("bot");
        for v in 1..=VERSIONS {
            let content = format!("{text}v{v}\n");
            tx.execute(
                "INSERT INTO soul_versions (id, bot_id, content, hash, version, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'edit', '2026-02-10T09:00:00+00:00')",
                params![
                    format!("s-{b}-{v}"),
                    format!("id-{b}"),
                    content,
                    sha256_hex(content.as_bytes()),
                    v as i64
                ],
            )
            .expect("version");
        }
    }
    tx.commit().expect("commit");
    std::fs::create_dir_all(root.join("bots/bot-7")).expect("bots/");
    db
}

fn time(name: &str, runs: usize, mut f: impl FnMut()) {
    f();
    let mut all: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    all.sort();
    println!(
        "{name:<52} min {:>9.3} ms   median {:>9.3} ms   ({runs} runs)",
        all[0].as_secs_f64() * 1e3,
        all[runs / 2].as_secs_f64() * 1e3
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let db = install(&root);
    let ledger = soul_versions::load(std::slice::from_ref(&root));
    let path = root.join("bots/bot-7/SOUL.md");
    for size in [8 * 1024, 64 * 1024] {
        let text = soul(size);
        time(
            &format!("integrity check, {} KiB SOUL.md", size / 1024),
            2000,
            || {
                black_box(ledger.integrity(&path, black_box(&text)));
            },
        );
    }
    time(
        &format!("load_all, {BOTS} bots x {VERSIONS} versions"),
        50,
        || {
            black_box(boternity_db::load_all(&db).expect("load"));
        },
    );
    time("history of one bot", 200, || {
        black_box(boternity_db::history(&db, "bot-7").expect("history"));
    });
    time("content of one version", 200, || {
        black_box(boternity_db::content(&db, "bot-7", 3).expect("content"));
    });
    let mut n = 0;
    time("record a new version (one transaction)", 100, || {
        n += 1;
        let text = format!("{}{n}\n", soul(2048));
        black_box(boternity_db::record(&db, "bot-7", &text, None, "t").expect("record"));
    });
}
