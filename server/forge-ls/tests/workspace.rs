//! Workspace intelligence: the fixture workspaces under
//! `tests/fixtures/workspaces/`, checked through the pure functions and end to
//! end through the real binary over stdio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::{uri, Client};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/workspaces")
        .canonicalize()
        .expect("fixtures exist")
}

/// The server on the workspace folder `root`, with `data_dir` as its Boternity data directory,
/// initialized with `caps`.
fn start(root: &Path, data_dir: &Path, caps: Value) -> Client {
    start_with(root, data_dir, caps, Value::Null)
}

fn start_with(root: &Path, data_dir: &Path, caps: Value, options: Value) -> Client {
    let data = data_dir.to_str().expect("utf-8 data dir");
    let mut c = Client::spawn_with_env(
        &[],
        None,
        &[("BOTERNITY_DATA_DIR", data), ("FORGE_LS_LOG", "warn")],
    );
    c.initialize_with(json!({
        "processId": null,
        "rootUri": uri(root),
        "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
        "capabilities": caps,
        "initializationOptions": options,
    }));
    c
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn full_caps() -> Value {
    json!({
        "window": {"workDoneProgress": true},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]},
            "configuration": true
        },
        "textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}
    })
}

/// A copy of a fixture workspace in a temp dir, so tests can edit it.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(name), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn closed_files_get_cross_file_diagnostics_and_fixing_the_cause_clears_them() {
    let tmp = copy_fixture("cycle");
    let root = tmp.path().canonicalize().unwrap();
    let lsp = start(&root, &root.join("no-data"), full_caps());
    let members = ["alpha", "beta", "gamma"].map(|n| uri(&root.join(n).join("SKILL.md")));
    lsp.wait_diagnostics("the cycle on every member", |d| {
        members.iter().all(|m| {
            d.get(m)
                .is_some_and(|v| codes(v) == vec!["skill-inheritance-cycle"])
        })
    });
    // Progress was reported around the scan.
    let notes = lsp.server_messages();
    let kinds: Vec<&str> = notes
        .iter()
        .filter(|n| n["method"] == "$/progress")
        .filter_map(|n| n["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"));
    assert_eq!(kinds.last(), Some(&"end"));
    assert!(notes
        .iter()
        .any(|n| n["method"] == "window/workDoneProgress/create"));
    // File watchers were registered dynamically, for the five file names and Boternity's database.
    let reg = notes
        .iter()
        .find(|n| n["method"] == "client/registerCapability")
        .expect("a registration");
    let r = &reg["params"]["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert_eq!(
        globs,
        vec![
            "**/SKILL.md",
            "**/IDENTITY.md",
            "**/SOUL.md",
            "**/USER.md",
            "**/skills.toml",
            "**/skills",
            "**/skills/**",
            "**/bots",
            "**/bots/**",
            "**/boternity.db",
            "**/boternity.db-wal"
        ]
    );
    // Break the cycle on disk, as another tool would, and tell the server.
    let gamma = root.join("gamma/SKILL.md");
    let text = std::fs::read_to_string(&gamma)
        .unwrap()
        .replace("  parents: [alpha]\n", "");
    std::fs::write(&gamma, text).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gamma), "type": 2}]}),
    );
    lsp.wait_diagnostics("every cycle diagnostic cleared", |d| {
        members
            .iter()
            .all(|m| d.get(m).is_some_and(|v| v.is_empty()))
    });
    lsp.stop();
}

#[test]
fn an_open_document_wins_over_the_disk_and_edits_update_other_files() {
    let tmp = copy_fixture("missing-dependency");
    let root = tmp.path().canonicalize().unwrap();
    let mut lsp = start(&root, &root.join("no-data"), full_caps());
    let writer = uri(&root.join("report-writer/SKILL.md"));
    lsp.wait_diagnostics("the missing dependency", |d| {
        d.get(&writer)
            .is_some_and(|v| codes(v) == vec!["skill-unknown-reference"])
    });
    // Rename table-tools in the editor (unsaved): report-writer's reference breaks.
    let tools = root.join("table-tools/SKILL.md");
    let text = std::fs::read_to_string(&tools).unwrap();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&tools), "languageId": "markdown", "version": 1,
            "text": text.replace("name: table-tools", "name: table-tool")}}),
    );
    lsp.wait_diagnostics("two unknown references", |d| {
        d.get(&writer).is_some_and(|v| codes(v).len() == 2)
    });
    // A watched-file event for the open file is ignored: the editor's text wins.
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&tools), "type": 2}]}),
    );
    let hover = lsp.call("workspace/symbol", json!({"query": "table"}));
    let names: Vec<&str> = hover
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"table-tool"), "{names:?}");
    // Closing reverts to the disk copy.
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&tools)}}),
    );
    lsp.wait_diagnostics("back to one unknown reference", |d| {
        d.get(&writer)
            .is_some_and(|v| codes(v) == vec!["skill-unknown-reference"])
    });
    // A file outside the workspace: published while open, cleared on close.
    let elsewhere = tempfile::tempdir().unwrap();
    let stray = elsewhere.path().join("stray/SKILL.md");
    let stray_uri = uri(&stray);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": stray_uri, "languageId": "markdown", "version": 1,
            "text": "---\nname: stray\nmetadata:\n  parents: [nowhere]\n---\n"}}),
    );
    lsp.wait_diagnostics("the stray file's problems", |d| {
        d.get(&stray_uri)
            .is_some_and(|v| codes(v).contains(&"skill-unknown-reference".to_string()))
    });
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": stray_uri}}),
    );
    lsp.wait_diagnostics("the stray file cleared", |d| {
        d.get(&stray_uri).is_some_and(|v| v.is_empty())
    });
    lsp.stop();
}

// ---- Pure functions over the fixture workspaces ----

use forge_analysis::rules::Profile;
use forge_analysis::workspace::{index, navigate, rules};

fn scan(root: &Path, library: Option<PathBuf>) -> index::Index {
    let spec = index::ScanSpec {
        roots: vec![root.to_path_buf()],
        library,
        profile: Profile::Boternity,
    };
    index::build(index::scan(&spec, &|_, _| {}))
}

/// Cross-file codes per file (relative path), sorted.
fn cross_codes(root: &Path, idx: &index::Index) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = rules::check(idx)
        .into_iter()
        .flat_map(|(p, ds)| {
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            ds.into_iter().map(move |d| (rel.clone(), d.code))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fixture_workspaces_give_the_expected_cross_file_diagnostics() {
    let f = fixtures();
    let none = Some(f.join("no-such-data-dir/skills"));
    let clean = scan(&f.join("bot-three-skills"), none.clone());
    assert_eq!(clean.len(), 7);
    assert!(cross_codes(&f.join("bot-three-skills"), &clean).is_empty());
    assert!(clean
        .files()
        .all(|e| e.diagnostics.iter().all(|d| d.code != "link-missing-file")));

    let root = f.join("cycle");
    assert_eq!(
        cross_codes(&root, &scan(&root, none.clone())),
        vec![
            ("alpha/SKILL.md".into(), "skill-inheritance-cycle"),
            ("beta/SKILL.md".into(), "skill-inheritance-cycle"),
            ("gamma/SKILL.md".into(), "skill-inheritance-cycle"),
        ]
    );
    let root = f.join("conflict");
    assert_eq!(
        cross_codes(&root, &scan(&root, none.clone())),
        vec![
            ("bots/duo/skills.toml".into(), "skill-conflict-attached"),
            ("bots/duo/skills.toml".into(), "skill-conflict-attached"),
        ]
    );
    let root = f.join("missing-dependency");
    assert_eq!(
        cross_codes(&root, &scan(&root, none.clone())),
        vec![("report-writer/SKILL.md".into(), "skill-unknown-reference")]
    );
    let root = f.join("uses-library");
    assert_eq!(cross_codes(&root, &scan(&root, none)).len(), 3);
    let with_lib = scan(&root, Some(f.join("library-data/skills")));
    assert!(cross_codes(&root, &with_lib).is_empty());
    let (lib, _) = with_lib.resolve("installed-helper").unwrap();
    assert!(lib.read_only);
    assert!(navigate::rename(&with_lib, "installed-helper", "x").is_err());
}

#[cfg(unix)]
#[test]
fn bad_input_leaves_the_index_consistent() {
    let tmp = copy_fixture("bot-three-skills");
    let root = tmp.path();
    // A symlink loop, a non-UTF-8 skill, binary data and an unreadable file.
    std::os::unix::fs::symlink(root, root.join("skills/loop")).unwrap();
    std::fs::create_dir_all(root.join("skills/latin1")).unwrap();
    std::fs::write(
        root.join("skills/latin1/SKILL.md"),
        b"---\nname: latin1\ndescription: caf\xe9\n---\nx\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("skills/blob")).unwrap();
    std::fs::write(root.join("skills/blob/SKILL.md"), b"\0\x01\x02").unwrap();
    std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    std::fs::write(
        root.join("node_modules/pkg/SKILL.md"),
        "---\nname: pkg\n---\n",
    )
    .unwrap();
    let idx = scan(root, None);
    // The loop is not followed twice, node_modules is skipped, bad files still count.
    let skills: Vec<&str> = {
        let mut v: Vec<&str> = idx.skill_names().collect();
        v.sort();
        v
    };
    assert_eq!(
        skills,
        vec!["base-web", "blob", "latin1", "page-summarizer", "url-tools"]
    );
    let latin1 = idx.file(&root.join("skills/latin1/SKILL.md")).unwrap();
    assert_eq!(latin1.diagnostics[0].code, "file-not-utf8");
    // A file deleted between discovery and reading is just left out.
    let gone = root.join("skills/gone/SKILL.md");
    let loaded = index::load_all(&[(gone, false)], Profile::Boternity, &|_, _| {});
    assert!(loaded.is_empty());
}

// ---- End to end: navigation, completion, rename, the library, bursts ----

/// LSP position of the first occurrence of `needle` (plus `delta` chars), ASCII text.
fn pos_of(text: &str, needle: &str, delta: usize) -> Value {
    let at = text.find(needle).expect("needle in text") + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

fn offset_of(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let ch = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + ch
}

/// Apply a WorkspaceEdit (documentChanges with text edits and renames) to disk.
fn apply_edit(edit: &Value) {
    for op in edit["documentChanges"].as_array().expect("documentChanges") {
        if op["kind"] == "rename" {
            let from = op["oldUri"].as_str().unwrap().trim_start_matches("file://");
            let to = op["newUri"].as_str().unwrap().trim_start_matches("file://");
            std::fs::rename(from, to).unwrap();
            continue;
        }
        let path = op["textDocument"]["uri"]
            .as_str()
            .unwrap()
            .trim_start_matches("file://")
            .to_string();
        let mut text = std::fs::read_to_string(&path).unwrap();
        let mut edits: Vec<(usize, usize, String)> = op["edits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    offset_of(&text, &e["range"]["start"]),
                    offset_of(&text, &e["range"]["end"]),
                    e["newText"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (s, e, t) in edits {
            text.replace_range(s..e, &t);
        }
        std::fs::write(&path, text).unwrap();
    }
}

fn tree(root: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for p in index::discover(root) {
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        out.insert(rel, std::fs::read_to_string(&p).unwrap());
    }
    out
}

#[test]
fn rename_a_skill_from_a_reference_changes_name_references_and_folder_only() {
    rename_url_tools(full_caps());
}

/// Neovim 0.11 lists `resourceOperations` but not `documentChanges: true`;
/// resource operations only exist in `documentChanges`, so the folder still moves.
#[test]
fn rename_moves_the_folder_for_a_client_listing_only_resource_operations() {
    rename_url_tools(json!({
        "workspace": {
            "workspaceEdit": {"resourceOperations": ["rename", "create", "delete"]},
            "configuration": true
        }
    }));
}

fn rename_url_tools(caps: Value) {
    let tmp = copy_fixture("bot-three-skills");
    let root = tmp.path().canonicalize().unwrap();
    let before = tree(&root);
    let mut lsp = start(&root, &root.join("no-data"), caps);
    let summarizer = root.join("skills/page-summarizer/SKILL.md");
    let text = std::fs::read_to_string(&summarizer).unwrap();
    // Wait for the index: a definition request answers once it is in.
    let at = pos_of(&text, "url-tools@", 2);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let def = lsp.call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri(&summarizer)}, "position": at}),
        );
        if def.is_array() {
            assert!(def[0]["uri"]
                .as_str()
                .unwrap()
                .ends_with("skills/url-tools/SKILL.md"));
            break;
        }
        assert!(Instant::now() < deadline, "never indexed");
        std::thread::sleep(Duration::from_millis(50));
    }
    let refs = lsp.call(
        "textDocument/references",
        json!({"textDocument": {"uri": uri(&summarizer)}, "position": at, "context": {"includeDeclaration": true}}),
    );
    // url-tools' name, the dependency, and skills.toml's key and skill_name.
    assert_eq!(refs.as_array().unwrap().len(), 4, "{refs:#}");
    let prep = lsp.call(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri(&summarizer)}, "position": at}),
    );
    assert_eq!(prep["placeholder"], "url-tools");
    let edit = lsp.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri(&summarizer)}, "position": at, "newName": "link-tools"}),
    );
    lsp.stop();
    apply_edit(&edit);
    let after = tree(&root);
    // Nothing else changed: each file, with the new name put back, is as before.
    let restored: std::collections::BTreeMap<String, String> = after
        .iter()
        .map(|(k, v)| {
            (
                k.replace("link-tools", "url-tools"),
                v.replace("link-tools", "url-tools"),
            )
        })
        .collect();
    assert_eq!(restored, before);
    assert!(after.contains_key("skills/link-tools/SKILL.md"));
    // And the workspace validates cleanly.
    let idx = scan(&root, None);
    assert!(cross_codes(&root, &idx).is_empty());
    for f in idx.files() {
        let problems: Vec<_> = f
            .diagnostics
            .iter()
            .filter(|d| d.severity <= forge_syntax::diagnostic::Severity::Warning)
            .collect();
        assert!(problems.is_empty(), "{}: {problems:?}", f.path.display());
    }
}

#[test]
fn library_from_the_setting_resolves_read_only_with_hover_and_completion() {
    let tmp = copy_fixture("uses-library");
    let root = tmp.path().canonicalize().unwrap();
    let data = fixtures().join("library-data");
    let child_env_data = root.join("no-data");
    let mut lsp = start_with(
        &root,
        &child_env_data,
        full_caps(),
        json!({"boternityDataDir": data.display().to_string()}),
    );
    let local = root.join("skills/local-skill/SKILL.md");
    let toml = uri(&root.join("bots/solo/skills.toml"));
    // Clean once the library is indexed: nothing published, or empty lists.
    let text = std::fs::read_to_string(&local).unwrap();
    let at = pos_of(&text, "installed-helper@", 3);
    let deadline = Instant::now() + Duration::from_secs(30);
    let hover = loop {
        let h = lsp.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&local)}, "position": at}),
        );
        let md = h["contents"]["value"].as_str().unwrap_or("").to_string();
        if md.contains("skill library") {
            break md;
        }
        assert!(Instant::now() < deadline, "library never indexed: {h}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(hover.contains("2.1.0"), "{hover}");
    let diags = lsp.diagnostics_map();
    assert!(
        diags.get(&uri(&local)).is_none_or(|d| d.is_empty()),
        "{diags:#?}"
    );
    assert!(diags.get(&toml).is_none_or(|d| d.is_empty()), "{diags:#?}");
    // The library skill cannot be renamed.
    let id = lsp.request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": uri(&local)}, "position": at}),
    );
    let resp = lsp.response_within(id, Duration::from_secs(10));
    assert!(resp["error"]["message"]
        .as_str()
        .unwrap()
        .contains("skill library"));
    // Completion of skill names in a parents list, with documentation on resolve.
    let edited = text.replace("parents: [installed-helper]", "parents: [inst]");
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&local), "languageId": "markdown", "version": 1, "text": edited}}),
    );
    let c = lsp.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&local)}, "position": pos_of(&edited, "[inst]", 5)}),
    );
    let items = c["items"].as_array().unwrap();
    assert_eq!(items[0]["label"], "installed-helper", "{c:#}");
    let resolved = lsp.call("completionItem/resolve", items[0].clone());
    assert!(resolved["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("installed in the global library"));
    lsp.stop();
}

#[test]
fn thousands_of_watched_events_at_once_keep_the_server_responsive() {
    let tmp = copy_fixture("missing-dependency");
    let root = tmp.path().canonicalize().unwrap();
    let mut lsp = start(&root, &root.join("no-data"), full_caps());
    let writer = uri(&root.join("report-writer/SKILL.md"));
    lsp.wait_diagnostics("the initial scan", |d| d.contains_key(&writer));
    // A `git checkout`: 2000 skills appear, one of them the missing dependency.
    let mut changes = Vec::new();
    for i in 0..2000 {
        let name = if i == 1234 {
            "chart-maker".to_string()
        } else {
            format!("gen-{i}")
        };
        let dir = root.join("gen").join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("SKILL.md");
        std::fs::write(
            &p,
            format!("---\nname: {name}\ndescription: generated\nmetadata:\n  version: \"1.0.0\"\n  skill-type: prompt\n---\n# {name}\n"),
        )
        .unwrap();
        changes.push(json!({"uri": uri(&p), "type": 1}));
    }
    // Plus events for files deleted before the server reads them.
    changes.push(json!({"uri": uri(&root.join("gen/vanished/SKILL.md")), "type": 1}));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
    let started = Instant::now();
    let syms = lsp.call("workspace/symbol", json!({"query": "report"}));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(syms.is_array());
    lsp.wait_diagnostics("the dependency resolved", |d| {
        d.get(&writer).is_some_and(|v| v.is_empty())
    });
    let all = lsp.call("workspace/symbol", json!({"query": "gen-"}));
    assert_eq!(all.as_array().unwrap().len(), 256, "capped list");
    lsp.stop();
}

#[test]
fn changing_the_data_dir_setting_reindexes_the_library() {
    let tmp = copy_fixture("uses-library");
    let root = tmp.path().canonicalize().unwrap();
    let lsp = start(&root, &root.join("no-data"), full_caps());
    let local = uri(&root.join("skills/local-skill/SKILL.md"));
    let toml = uri(&root.join("bots/solo/skills.toml"));
    lsp.wait_diagnostics("unresolved library references", |d| {
        d.get(&local).is_some_and(|v| codes(v).len() == 2)
            && d.get(&toml)
                .is_some_and(|v| codes(v) == vec!["skills-toml-unknown-skill"])
    });
    let data = fixtures().join("library-data");
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"boternityDataDir": data.display().to_string()}}}),
    );
    lsp.wait_diagnostics("everything resolved", |d| {
        d.get(&local).is_some_and(|v| v.is_empty()) && d.get(&toml).is_some_and(|v| v.is_empty())
    });
    lsp.stop();
}

#[test]
fn check_reports_cross_file_rules_with_the_library() {
    let bin = env!("CARGO_BIN_EXE_forge-ls");
    let f = fixtures();
    let run = |dir: &str, data: &Path| {
        Command::new(bin)
            .args(["check", "--format", "json"])
            .arg(f.join(dir))
            .env("BOTERNITY_DATA_DIR", data)
            .output()
            .unwrap()
    };
    let out = run("cycle", &f.join("no-such-data"));
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["skill-inheritance-cycle"; 3]);
    // References into the library resolve when BOTERNITY_DATA_DIR points at it.
    assert_eq!(
        run("uses-library", &f.join("no-such-data")).status.code(),
        Some(1)
    );
    let out = run("uses-library", &f.join("library-data"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, json!([]));
}

#[test]
fn workspace_folders_added_and_removed_are_indexed_and_forgotten() {
    let empty = tempfile::tempdir().unwrap();
    let tmp = copy_fixture("cycle");
    let root = tmp.path().canonicalize().unwrap();
    let lsp = start(
        &empty.path().canonicalize().unwrap(),
        &root.join("no-data"),
        full_caps(),
    );
    let alpha = uri(&root.join("alpha/SKILL.md"));
    let folder = json!([{"uri": uri(&root), "name": "cycle"}]);
    lsp.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder, "removed": []}}),
    );
    lsp.wait_diagnostics("the added folder's cycle", |d| {
        d.get(&alpha).is_some_and(|v| !v.is_empty())
    });
    lsp.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder}}),
    );
    lsp.wait_diagnostics("the removed folder cleared", |d| {
        d.get(&alpha).is_some_and(|v| v.is_empty())
    });
    lsp.stop();
}

#[test]
fn a_request_right_after_start_waits_for_the_first_scan() {
    // The scan starts only after the client answered workspace/configuration, which this client
    // does while waiting for the completion: without the wait the index would still be empty.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    for i in 0..500 {
        let dir = root.join(format!("skills/filler-{i:04}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("SKILL.md"),
            format!("---\nname: filler-{i:04}\ndescription: Filler skill {i}.\n---\n\nBody.\n"),
        )
        .unwrap();
    }
    let target = root.join("skills/pdf-tools");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(
        target.join("SKILL.md"),
        "---\nname: pdf-tools\ndescription: Extract text from PDF files.\n---\n\nBody.\n",
    )
    .unwrap();
    let bot = root.join("bots/luna");
    std::fs::create_dir_all(&bot).unwrap();
    std::fs::write(bot.join("IDENTITY.md"), "---\ndisplay_name: Luna\n---\n").unwrap();
    let toml_path = bot.join("skills.toml");
    let toml = "[skills.pdf]\nskill_name = \"pd\"\n";
    std::fs::write(&toml_path, toml).unwrap();
    let mut lsp = start(&root, &root.join("no-data"), full_caps());
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&toml_path), "languageId": "toml", "version": 1, "text": toml}}),
    );
    let r = lsp.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&toml_path)}, "position": {"line": 1, "character": 16}}),
    );
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"pdf-tools"), "{} items", labels.len());
    // The skill's page comes on resolve, not in the list.
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "pdf-tools")
        .unwrap()
        .clone();
    assert!(item.get("documentation").is_none(), "{item}");
    let resolved = lsp.call("completionItem/resolve", item);
    let doc = resolved["documentation"]["value"].as_str().unwrap_or("");
    assert!(doc.contains("Extract text from PDF files"), "{resolved}");
    lsp.stop();
}

/// Editors report a deleted or moved folder as one event for the folder
/// (microsoft/vscode#109754): the server watches folders too, drops what was
/// under a deleted one and reads what is inside a created one, so a skill
/// folder deleted or renamed outside the editor updates skills.toml's diagnostics.
#[test]
fn a_skill_folder_deleted_or_moved_in_updates_the_index() {
    let tmp = copy_fixture("bot-three-skills");
    let root = tmp.path().canonicalize().unwrap();
    let (lsp, toml_uri) = quill_toml_open(&root);
    // The folder watcher is registered for creations and deletions only.
    let notes = lsp.server_messages();
    let reg = notes
        .iter()
        .find(|n| n["method"] == "client/registerCapability")
        .expect("a registration");
    let folders = reg["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["globPattern"] == "**/skills/**")
        .expect("a folder watcher")
        .clone();
    assert_eq!(folders["kind"], 1 | 4, "{folders}");

    // Move the skill folder out of the workspace: one deletion event, for the folder.
    let folder = root.join("skills/url-tools");
    let outside = tempfile::tempdir().unwrap();
    let moved = outside.path().join("url-tools");
    std::fs::rename(&folder, &moved).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&folder), "type": 3}]}),
    );
    lsp.wait_diagnostics("url-tools unknown", |d| {
        d.get(&toml_uri)
            .is_some_and(|v| codes(v).contains(&"skills-toml-unknown-skill".to_string()))
    });
    // And back in: one creation event, for the folder.
    std::fs::rename(&moved, &folder).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&folder), "type": 1}]}),
    );
    lsp.wait_diagnostics("url-tools found again", |d| {
        d.get(&toml_uri).is_some_and(|v| v.is_empty())
    });
    lsp.stop();
}

/// The server on `root` (the `bot-three-skills` fixture) with quill's skills.toml open and clean.
fn quill_toml_open(root: &Path) -> (Client, String) {
    let lsp = start(root, &root.join("no-data"), full_caps());
    let toml = root.join("bots/quill/skills.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&toml), "languageId": "toml", "version": 1, "text": text}}),
    );
    let toml_uri = uri(&toml);
    lsp.wait_diagnostics("skills.toml clean", |d| {
        d.get(&toml_uri).is_some_and(|v| v.is_empty())
    });
    (lsp, toml_uri)
}

/// A folder deleted or moved in the editor anywhere in the workspace (outside the `skills/` and
/// `bots/` trees the watcher covers) arrives as `workspace/didDeleteFiles` / `didRenameFiles`,
/// which the server advertises for folders and applies like the watcher's events.
#[test]
fn folder_operations_in_the_editor_update_the_index() {
    let tmp = copy_fixture("bot-three-skills");
    let root = tmp.path().canonicalize().unwrap();
    let (probe, init) = Client::initialized(full_caps());
    let ops = &init["capabilities"]["workspace"]["fileOperations"];
    for op in ["didCreate", "didRename", "didDelete"] {
        assert_eq!(
            ops[op]["filters"][0]["pattern"]["matches"], "folder",
            "{ops}"
        );
    }
    probe.stop();
    let (lsp, toml_uri) = quill_toml_open(&root);
    // Deleted in the editor's explorer (moved out of the workspace), then restored.
    let folder = root.join("skills/url-tools");
    let outside = tempfile::tempdir().unwrap();
    let moved = outside.path().join("url-tools");
    std::fs::rename(&folder, &moved).unwrap();
    lsp.notify(
        "workspace/didDeleteFiles",
        json!({"files": [{"uri": uri(&folder)}]}),
    );
    lsp.wait_diagnostics("url-tools unknown", |d| {
        d.get(&toml_uri)
            .is_some_and(|v| codes(v).contains(&"skills-toml-unknown-skill".to_string()))
    });
    std::fs::rename(&moved, &folder).unwrap();
    lsp.notify(
        "workspace/didCreateFiles",
        json!({"files": [{"uri": uri(&folder)}]}),
    );
    lsp.wait_diagnostics("url-tools found again", |d| {
        d.get(&toml_uri).is_some_and(|v| v.is_empty())
    });
    // A rename is the old folder deleted and the new one created: its skill is found there.
    let renamed = root.join("archive/url-tools-old");
    std::fs::create_dir_all(root.join("archive")).unwrap();
    std::fs::rename(&folder, &renamed).unwrap();
    lsp.notify(
        "workspace/didRenameFiles",
        json!({"files": [{"oldUri": uri(&folder), "newUri": uri(&renamed)}]}),
    );
    let moved_uri = uri(&renamed.join("SKILL.md"));
    lsp.wait_diagnostics("the skill indexed where it went", |d| {
        d.contains_key(&moved_uri)
    });
    lsp.stop();
}
