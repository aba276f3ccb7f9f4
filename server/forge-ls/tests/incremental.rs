//! Incrementality over stdio: in an indexed workspace, an edit analyses only
//! the edited file, and the cross-file rules re-run only when the edit changes
//! what they read. Counted from the server's own debug log (`FORGE_LS_LOG`).

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::json;
use support::{uri, Client, TIMEOUT};

#[path = "../benches/common/workspace.rs"]
mod workspace;

/// The server on `root`, logging at debug level, initialized.
fn start(root: &Path) -> Client {
    let mut cmd = Command::new(support::BIN);
    cmd.current_dir(root)
        .env("BOTERNITY_DATA_DIR", root.join(".none"))
        .env("FORGE_LS_LOG", "forge_ls=debug,forge_analysis=debug");
    let mut c = Client::spawn_command(cmd);
    c.initialize_with(json!({"processId": null, "rootUri": uri(root),
                             "capabilities": {"window": {"workDoneProgress": true}}}));
    c
}

fn count(log: &str, needle: &str) -> usize {
    log.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn an_edit_re_analyses_one_file_and_re_runs_cross_rules_only_when_needed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let files = workspace::generate(&root, 40, 4).unwrap();
    let mut c = start(&root);
    c.wait_for("the end of indexing", TIMEOUT, |i| {
        i.notifications
            .iter()
            .any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
            .then_some(())
    });
    // `$/progress` ends as the scan hands its result to the state task; a
    // request is answered after that result is applied, so the open below is
    // a batch of its own.
    c.call("workspace/symbol", json!({"query": "skill-1"}));

    let edited = root.join("skills/skill-19/SKILL.md");
    let u = uri(&edited);
    let text = std::fs::read_to_string(&edited).unwrap();
    let lines = text.lines().count() as u64;
    c.open(&u, 1, &text);
    c.diagnostics_for_version(&u, 1);
    // The body, then the description: nothing the cross-file rules read.
    c.change(
        &u,
        2,
        json!([{"range": support::range(lines, 0, lines, 0), "text": "More.\n"}]),
    );
    c.diagnostics_for_version(&u, 2);
    c.change(
        &u,
        3,
        json!([{"range": support::range(2, 13, 2, 22), "text": "Generated"}]),
    );
    c.diagnostics_for_version(&u, 3);
    // The version: skill-19 depends on skill-18 and nothing on it, still a cross-file input.
    let at = text.lines().position(|l| l.contains("version:")).unwrap() as u64;
    c.change(
        &u,
        4,
        json!([{"range": support::range(at, 12, at, 13), "text": "2"}]),
    );
    c.diagnostics_for_version(&u, 4);
    let (status, log) = c.shutdown_and_exit_with_stderr();
    assert!(status.success(), "{log}");

    // The scan analysed each file once; the edits analysed only the edited file.
    assert_eq!(count(&log, "analysing "), files + 4, "{log}");
    for entry in walk(&root.join("skills")).chain(walk(&root.join("bots"))) {
        let n = count(&log, &format!("analysing {}", entry.display()));
        let want = if entry == edited { 5 } else { 1 };
        assert_eq!(n, want, "{} analysed {n} times\n{log}", entry.display());
    }
    // Cross-file rules: once for the scan, once for the version edit.
    assert_eq!(count(&log, "cross-file rules re-run"), 2, "{log}");
    assert_eq!(count(&log, "cross-file rules kept"), 3, "{log}");
}

fn walk(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(dir).unwrap() {
        let d = d.unwrap().path();
        for f in std::fs::read_dir(&d).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.into_iter()
}

#[test]
fn typing_above_a_reference_moves_its_diagnostic_without_re_running_the_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    workspace::generate(&root, 40, 4).unwrap();
    let mut c = start(&root);
    c.call("workspace/symbol", json!({"query": "skill-1"}));

    let edited = root.join("skills/skill-19/SKILL.md");
    let u = uri(&edited);
    let text = std::fs::read_to_string(&edited).unwrap();
    c.open(&u, 1, &text);
    c.diagnostics_for_version(&u, 1);
    // Point the dependency at a skill that does not exist: the rules re-run.
    let dep_line = text
        .lines()
        .position(|l| l.contains("dependencies:"))
        .unwrap();
    let col = text
        .lines()
        .nth(dep_line)
        .unwrap()
        .find("skill-18")
        .unwrap() as u64;
    let dep_line = dep_line as u64;
    c.change(
        &u,
        2,
        json!([{"range": support::range(dep_line, col, dep_line, col + 8), "text": "skill-zz"}]),
    );
    let unknown = |diags: &[serde_json::Value]| {
        diags
            .iter()
            .find(|d| d["code"] == "skill-unknown-reference")
            .map(|d| d["range"].clone())
    };
    let want = support::range(dep_line, col, dep_line, col + 8);
    assert_eq!(
        unknown(&c.diagnostics_for_version(&u, 2)),
        Some(want.clone())
    );
    // Longer and shorter descriptions: the reference moves by bytes, not by
    // line or column, and its diagnostic moves with it.
    c.change(
        &u,
        3,
        json!([{"range": support::range(2, 13, 2, 13), "text": "Much longer now. "}]),
    );
    assert_eq!(
        unknown(&c.diagnostics_for_version(&u, 3)),
        Some(want.clone())
    );
    c.change(
        &u,
        4,
        json!([{"range": support::range(2, 13, 2, 30), "text": ""}]),
    );
    assert_eq!(unknown(&c.diagnostics_for_version(&u, 4)), Some(want));
    let (status, log) = c.shutdown_and_exit_with_stderr();
    assert!(status.success(), "{log}");
    // Once for the scan, once for the new dependency name; the description edits moved it.
    assert_eq!(count(&log, "cross-file rules re-run"), 2, "{log}");
    assert_eq!(
        count(&log, "cross-file diagnostics moved with the edit"),
        2,
        "{log}"
    );
}
