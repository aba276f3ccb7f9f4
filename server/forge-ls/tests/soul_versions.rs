//! Soul versions of a real Boternity install (issue 9), over the real binary via stdio: a data
//! directory made by the test (`boternity.db` with Boternity's schema, `bots/luna/SOUL.md`),
//! integrity diagnostics as you type, the `forge.soul.*` commands, and a database that is busy,
//! locked, missing or corrupt.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use forge_store::boternity_db::{DB_FILE, SCHEMA};
use forge_store::soul_versions::sha256_hex;
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use support::{uri, Client, TIMEOUT};

const V1: &str = "---\nname: Luna\n---\n\n# Luna\n\nCurious.\n";
const V2: &str = "---\nname: Luna\n---\n\n# Luna\n\nCurious and warm.\n";
const EDITED: &str = "---\nname: Luna\n---\n\n# Luna\n\nCurious and warm.\nLoves tide pools.\n";

/// A data directory: `boternity.db` (journal mode as given) with bot `luna` at soul version 2,
/// and `bots/luna/SOUL.md` holding version 2.
fn install(journal: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let db = root.join(DB_FILE);
    let c = Connection::open(&db).unwrap();
    let _: String = c
        .query_row(&format!("PRAGMA journal_mode = {journal}"), [], |r| {
            r.get(0)
        })
        .unwrap();
    c.execute_batch(SCHEMA).unwrap();
    c.execute(
        "INSERT INTO bots (id, slug, name, version_count, created_at, updated_at)
         VALUES ('0190-luna', 'luna', 'Luna', 2, '2026-02-10T09:00:00+00:00', '2026-02-10T09:00:00+00:00')",
        [],
    )
    .unwrap();
    for (n, text, message) in [(1, V1, None), (2, V2, Some("warmer"))] {
        c.execute(
            "INSERT INTO soul_versions (id, bot_id, content, hash, version, message, created_at)
             VALUES (?1, '0190-luna', ?2, ?3, ?4, ?5, ?6)",
            params![
                format!("soul-{n}"),
                text,
                sha256_hex(text.as_bytes()),
                n,
                message,
                format!("2026-02-1{n}T09:30:00.000000+00:00")
            ],
        )
        .unwrap();
    }
    let soul = root.join("bots/luna/SOUL.md");
    std::fs::create_dir_all(soul.parent().unwrap()).unwrap();
    std::fs::write(&soul, V2).unwrap();
    (dir, root, soul)
}

fn start(root: &Path, options: Value) -> Client {
    start_with(root, options, json!({}))
}

fn start_with(root: &Path, options: Value, capabilities: Value) -> Client {
    let mut c = Client::spawn();
    let init = c.initialize_with(json!({
        "processId": null,
        "rootUri": uri(root),
        "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
        "capabilities": capabilities,
        "initializationOptions": options,
    }));
    let advertised = &init["capabilities"]["executeCommandProvider"]["commands"];
    for name in [
        "forge.soul.history",
        "forge.soul.diff",
        "forge.soul.restore",
        "forge.soul.save",
    ] {
        assert!(
            advertised.as_array().unwrap().contains(&json!(name)),
            "{name} not advertised"
        );
    }
    c
}

fn lens_titles(c: &mut Client, u: &str) -> Vec<String> {
    let r = c.call("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    r.as_array()
        .into_iter()
        .flatten()
        // Only the soul lenses (the builder adds its own).
        .filter(|l| {
            l["command"]["command"]
                .as_str()
                .is_some_and(|c| c.starts_with("forge.soul."))
        })
        .filter_map(|l| l["command"]["title"].as_str().map(str::to_string))
        .collect()
}

/// Polls the code lenses until one satisfies `pred` (the ledger is read in the background).
fn wait_lens(c: &mut Client, u: &str, what: &str, pred: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let titles = lens_titles(c, u);
        if titles.iter().any(|t| pred(t)) {
            return titles;
        }
        assert!(
            Instant::now() < deadline,
            "no lens {what}; lenses: {titles:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn codes(p: &Value) -> Vec<String> {
    p["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

fn has_integrity(p: &Value) -> bool {
    codes(p).iter().any(|c| c == "soul-integrity")
}

fn integrity_message(p: &Value) -> String {
    p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "soul-integrity")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .unwrap()
}

fn command(c: &mut Client, name: &str, arg: Value) -> i64 {
    c.request(
        "workspace/executeCommand",
        json!({"command": name, "arguments": [arg]}),
    )
}

fn edit_to(c: &Client, u: &str, version: i64, text: &str) {
    c.change(u, version, json!([{"text": text}]));
}

fn shown(c: &Client) -> Vec<String> {
    c.with_inbox(|i| {
        i.notifications
            .iter()
            .filter(|n| n["method"] == "window/showMessage")
            .map(|n| n["params"]["message"].as_str().unwrap_or("").to_string())
            .collect()
    })
}

/// Waits for a `window/showMessage` and checks it is the only one so far.
fn one_message(c: &Client, what: &str) -> Vec<String> {
    c.wait_for(what, TIMEOUT, |i| {
        i.notifications
            .iter()
            .any(|n| n["method"] == "window/showMessage")
            .then_some(())
    });
    let messages = shown(c);
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages
}

fn first_apply_edit(c: &Client) -> Value {
    c.with_inbox(|i| {
        i.server_requests
            .iter()
            .find(|r| r["method"] == "workspace/applyEdit")
            .cloned()
            .expect("an applyEdit request")
    })
}

fn db_versions(db: &Path) -> (i64, Vec<(i64, String, Option<String>)>) {
    let c = Connection::open(db).unwrap();
    let count = c
        .query_row(
            "SELECT version_count FROM bots WHERE slug = 'luna'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut stmt = c
        .prepare("SELECT version, hash, message FROM soul_versions ORDER BY version")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (count, rows)
}

#[test]
fn edit_warns_save_records_a_version_and_clears_it() {
    let (_dir, root, soul) = install("WAL");
    let mut c = start(&root, Value::Null);
    let u = uri(&soul);
    c.open(&u, 1, V2);
    let titles = wait_lens(&mut c, &u, "with the current version", |t| {
        t.starts_with("Boternity soul v2")
    });
    assert_eq!(titles, ["Boternity soul v2 · saved 2026-02-12 09:30 UTC"]);
    assert!(!has_integrity(
        &json!({"diagnostics": c.diagnostics_for_version(&u, 1)})
    ));

    // An edit: the text is no longer version 2.
    edit_to(&c, &u, 2, EDITED);
    let p = c.diagnostics_where(&u, "the integrity error", |p| {
        p["version"] == 2 && has_integrity(p)
    });
    let m = integrity_message(&p);
    assert!(
        m.contains("differs from soul version 2 of bot `luna`"),
        "{m}"
    );
    assert!(m.contains("integrity violation"), "{m}");
    assert!(
        m.contains("forge.soul.save") && m.contains("forge.soul.restore"),
        "{m}"
    );
    let d = &p["diagnostics"].as_array().unwrap()[0];
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 0}));
    let titles = lens_titles(&mut c, &u);
    assert_eq!(
        titles,
        [
            "Boternity soul v2 (saved 2026-02-12 09:30 UTC) · modified: save as v3",
            "Restore v2"
        ]
    );
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 1}}),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("Soul versions of `luna`"), "{md}");
    assert!(md.contains("| 2 | 2026-02-12 09:30 UTC | warmer |"), "{md}");
    assert!(md.contains("soul-integrity"), "{md}");

    // The diff of the editor's text against version 2.
    let id = command(&mut c, "forge.soul.diff", json!({"uri": u, "version": 2}));
    let diff = c.result(id)["diff"].as_str().unwrap().to_string();
    assert!(diff.contains("+Loves tide pools.\n"), "{diff}");
    assert!(
        diff.starts_with("--- luna/SOUL.md (soul version 2)\n+++ luna/SOUL.md (editor)\n"),
        "{diff}"
    );

    // Save: a new row, numbered 3, with the text's hash; version_count follows; the error goes.
    let id = command(
        &mut c,
        "forge.soul.save",
        json!({"uri": u, "message": "tide pools"}),
    );
    let r = c.result(id);
    assert_eq!(r["version"], 3);
    assert_eq!(r["created"], true);
    assert_eq!(
        r["disk_matches"], false,
        "the editor's text is not saved to disk yet"
    );
    let (count, rows) = db_versions(&root.join(DB_FILE));
    assert_eq!(count, 3);
    assert_eq!(
        rows.last().unwrap(),
        &(
            3,
            sha256_hex(EDITED.as_bytes()),
            Some("tide pools".to_string())
        )
    );
    let p = c.diagnostics_where(&u, "no integrity error after the save", |p| {
        !has_integrity(p)
    });
    assert_eq!(p["version"], 2);
    wait_lens(&mut c, &u, "with version 3", |t| {
        t.starts_with("Boternity soul v3 · saved")
    });
    let id = command(&mut c, "forge.soul.history", json!({"uri": u}));
    let h = c.result(id);
    let versions: Vec<i64> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(h[2]["hash"], sha256_hex(EDITED.as_bytes()));

    // Closing the editor without saving leaves version 2 on disk, which is no longer current.
    c.close(&u);
    let p = c.diagnostics_where(&u, "the on-disk file against version 3", |p| {
        p["version"].is_null() && has_integrity(p)
    });
    let m = integrity_message(&p);
    assert!(
        m.starts_with("This SOUL.md is soul version 2, but the current version of bot `luna` is 3"),
        "{m}"
    );
    c.shutdown_and_exit();
}

/// With `documentChanges`, the restore edit names the document version it replaces.
#[test]
fn restore_names_the_document_version_when_the_client_allows() {
    let (_dir, root, soul) = install("WAL");
    let caps = json!({"workspace": {"workspaceEdit": {"documentChanges": true}}});
    let mut c = start_with(&root, Value::Null, caps);
    let u = uri(&soul);
    c.open(&u, 4, EDITED);
    let id = command(
        &mut c,
        "forge.soul.restore",
        json!({"uri": u, "version": 2}),
    );
    c.error(id);
    let edit = first_apply_edit(&c);
    let change = &edit["params"]["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": u, "version": 4}));
    assert_eq!(change["edits"][0]["newText"], V2);
    c.shutdown_and_exit();
}

#[test]
fn saving_an_older_version_is_a_rollback_and_restore_sends_the_version_text() {
    let (_dir, root, soul) = install("WAL");
    let mut c = start(&root, Value::Null);
    let u = uri(&soul);
    c.open(&u, 1, EDITED);
    c.diagnostics_where(&u, "the integrity error", has_integrity);

    // Restore: one edit replacing the whole text with version 1 (this test client refuses edits).
    let id = command(
        &mut c,
        "forge.soul.restore",
        json!({"uri": u, "version": 1}),
    );
    let e = c.error(id);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("did not apply the restore edit"),
        "{e}"
    );
    let edit = first_apply_edit(&c);
    let edits = &edit["params"]["edit"]["changes"][&u];
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edit}");
    assert_eq!(edits[0]["newText"], V1);
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(edits[0]["range"]["end"], json!({"line": 8, "character": 0}));
    let id = command(
        &mut c,
        "forge.soul.restore",
        json!({"uri": u, "version": 7}),
    );
    assert!(c.error(id)["message"]
        .as_str()
        .unwrap()
        .contains("no soul version 7"));

    // The client applies it (as an editor would, undoably): the text is version 1, not current.
    edit_to(&c, &u, 2, V1);
    let p = c.diagnostics_where(&u, "version 1 recognised", |p| {
        p["version"] == 2 && has_integrity(p)
    });
    assert!(integrity_message(&p).starts_with("This SOUL.md is soul version 1"));
    let id = command(&mut c, "forge.soul.save", json!({"uri": u}));
    assert_eq!(c.result(id)["version"], 3);
    let (_, rows) = db_versions(&root.join(DB_FILE));
    assert_eq!(rows[2].2.as_deref(), Some("Rollback to version 1"));
    c.diagnostics_where(&u, "cleared", |p| !has_integrity(p));
    // Saving the current text again records nothing.
    let id = command(&mut c, "forge.soul.save", json!({"uri": u}));
    let r = c.result(id);
    assert_eq!(
        (r["version"].as_i64(), r["created"].as_bool()),
        (Some(3), Some(false))
    );
    assert_eq!(db_versions(&root.join(DB_FILE)).1.len(), 3);
    c.shutdown_and_exit();
}

/// Boternity records a version itself (as `bnity soul edit` would): the client reports the database
/// changed, and the check follows.
#[test]
fn a_version_recorded_by_boternity_is_picked_up_when_the_database_changes() {
    let (_dir, root, soul) = install("WAL");
    let mut c = start(&root, Value::Null);
    let u = uri(&soul);
    c.open(&u, 1, EDITED);
    c.diagnostics_where(&u, "the integrity error", has_integrity);
    let db = root.join(DB_FILE);
    Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "BEGIN;
             INSERT INTO soul_versions (id, bot_id, content, hash, version, message, created_at)
                 VALUES ('soul-3', '0190-luna', 'x', '{}', 3, NULL, '2026-03-01T08:00:00+00:00');
             UPDATE bots SET version_count = version_count + 1;
             COMMIT;",
            sha256_hex(EDITED.as_bytes())
        ))
        .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&db), "type": 2}]}),
    );
    c.diagnostics_where(&u, "cleared by the new version", |p| !has_integrity(p));
    wait_lens(&mut c, &u, "with version 3", |t| {
        t == "Boternity soul v3 · saved 2026-03-01 08:00 UTC"
    });
    c.shutdown_and_exit();
}

#[test]
fn a_writer_mid_transaction_blocks_neither_checks_nor_reads_and_the_save_reports_it() {
    let (_dir, root, soul) = install("WAL");
    let db = root.join(DB_FILE);
    let mut writer = Connection::open(&db).unwrap();
    let tx = writer
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("UPDATE bots SET total_tokens_used = 5", [])
        .unwrap();
    let mut c = start(&root, Value::Null);
    let u = uri(&soul);
    c.open(&u, 1, EDITED);
    c.diagnostics_where(&u, "the integrity error beside a writer", has_integrity);
    let id = command(&mut c, "forge.soul.history", json!({"uri": u}));
    assert_eq!(c.result(id).as_array().unwrap().len(), 2);
    let id = command(&mut c, "forge.soul.save", json!({"uri": u}));
    let e = c.error(id);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("is locked by another program"),
        "{e}"
    );
    tx.commit().unwrap();
    assert_eq!(db_versions(&db).1.len(), 2, "nothing was written");
    let id = command(&mut c, "forge.soul.save", json!({"uri": u}));
    assert_eq!(c.result(id)["version"], 3);
    c.diagnostics_where(&u, "cleared", |p| !has_integrity(p));
    assert!(
        shown(&c).is_empty(),
        "no message for a busy database: {:?}",
        shown(&c)
    );
    c.shutdown_and_exit();
}

#[test]
fn a_locked_database_is_one_message_and_the_checks_come_back_once_it_is_free() {
    let (_dir, root, soul) = install("DELETE");
    let holder = Connection::open(root.join(DB_FILE)).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let c = start(&root, Value::Null);
    let u = uri(&soul);
    // No `name`: the file's own rules still run.
    let text = EDITED.replace("name: Luna\n", "");
    c.open(&u, 1, &text);
    c.wait_for("the locked message", TIMEOUT, |i| {
        i.notifications
            .iter()
            .any(|n| n["method"] == "window/showMessage")
            .then_some(())
    });
    // Reopening re-reads the database: still locked, no second message.
    c.close(&u);
    c.open(&u, 2, &text);
    let p = c.diagnostics_for_version(&u, 2);
    let p = json!({"diagnostics": p});
    assert!(codes(&p).contains(&"soul-name-missing".to_string()));
    assert!(!has_integrity(&p));
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    c.close(&u);
    c.open(&u, 3, &text);
    c.diagnostics_where(&u, "the checks back", |p| {
        p["version"] == 3 && has_integrity(p)
    });
    let messages = shown(&c);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("is locked by another program"),
        "{messages:?}"
    );
    assert!(messages[0].contains("soul version checks for this Boternity data directory are off"));
    c.shutdown_and_exit();
}

#[test]
fn a_missing_database_is_one_message_and_nothing_else() {
    let (_dir, root, soul) = install("WAL");
    std::fs::remove_file(root.join(DB_FILE)).unwrap();
    let mut c = start(&root, json!({"boternityDataDir": root.to_str().unwrap()}));
    let u = uri(&soul);
    c.open(&u, 1, EDITED);
    let messages = one_message(&c, "the missing message");
    assert!(messages[0].contains("does not exist"), "{messages:?}");
    assert!(!has_integrity(
        &json!({"diagnostics": c.diagnostics_for_version(&u, 1)})
    ));
    assert!(lens_titles(&mut c, &u).is_empty());
    let id = command(&mut c, "forge.soul.save", json!({"uri": u}));
    assert!(c.error(id)["message"]
        .as_str()
        .unwrap()
        .contains("not a bot's SOUL.md in a Boternity data directory"));
    assert!(
        !root.join(DB_FILE).exists(),
        "the database is never created"
    );
    c.shutdown_and_exit();
}

#[test]
fn a_corrupt_database_is_one_message_and_the_server_carries_on() {
    let (_dir, root, soul) = install("WAL");
    std::fs::write(root.join(DB_FILE), "not a database ".repeat(100)).unwrap();
    let mut c = start(&root, Value::Null);
    let u = uri(&soul);
    c.open(&u, 1, EDITED);
    let messages = one_message(&c, "the corrupt message");
    assert!(
        messages[0].contains("is damaged or not an SQLite database"),
        "{messages:?}"
    );
    edit_to(&c, &u, 2, V1);
    assert!(!has_integrity(
        &json!({"diagnostics": c.diagnostics_for_version(&u, 2)})
    ));
    let id = command(&mut c, "forge.soul.history", json!({"uri": u}));
    assert!(c.error(id)["message"].as_str().unwrap().contains("damaged"));
    assert_eq!(shown(&c).len(), 1);
    c.shutdown_and_exit();
}

/// `forge-ls check` with `args`, away from any real Boternity install.
fn check(args: &[&str]) -> std::process::Output {
    std::process::Command::new(support::BIN)
        .arg("check")
        .args(args)
        .env(
            "BOTERNITY_DATA_DIR",
            std::env::temp_dir().join("forge-ls-e2e-none"),
        )
        .output()
        .unwrap()
}

#[test]
fn check_reports_an_edited_soul_of_a_data_directory() {
    let (_dir, root, soul) = install("WAL");
    let out = check(&[root.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("soul-integrity"), "{stdout}");
    std::fs::write(&soul, EDITED).unwrap();
    let out = check(&["--format", "json", root.to_str().unwrap()]);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hit = all
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "soul-integrity")
        .unwrap_or_else(|| panic!("no soul-integrity in {all}"));
    assert_eq!(hit["path"], soul.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    // A corrupt database: one line on stderr, the other checks unchanged.
    std::fs::write(root.join(DB_FILE), "garbage ".repeat(100)).unwrap();
    let out = check(&[root.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("damaged").count(), 1, "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}
