//! Boternity workflows in the editor, over the real binary and stdio: diagnostics (the file's own
//! and the cross-file ones), completion, hover, definition, references, rename of a step id,
//! document symbols, folding and the code lens; other YAML is left alone.

use std::path::Path;

use serde_json::{json, Value};

mod support;
use support::{apply_edits, uri, Client};

const IDENTITY: &str = "---\ndisplay_name: Luna\ncategory: assistant\nmodel: claude-sonnet-4-20250514\nprovider: anthropic\ntemperature: 0.7\nmax_tokens: 4096\n---\n\n# Luna - Identity Configuration\n";
const SOUL: &str = "---\nname: Luna\ntraits:\n  - warm\ntone: calm\n---\n\n# Personality\n\nCalm.\n\n# Purpose\n\nHelp.\n\n# Boundaries\n\nNone.\n";

/// Boternity's parser test workflow (`mondalsuman/boternity@b9c08e1:crates/boternity-core/src/
/// workflow/definition.rs`), with `gather` waiting for `analyze`: a cycle.
const FLOW: &str = "id: \"01938e90-0000-7000-8000-000000000001\"
name: daily-digest
version: \"1.0\"
owner:
  type: global
triggers:
  - type: cron
    schedule: \"0 9 * * *\"
  - type: manual
steps:
  - id: gather
    name: Gather News
    type: agent
    depends_on: [analyze]
    config:
      type: agent
      bot: luna
      prompt: Find the top 5 AI news stories
  - id: analyze
    name: Analyze
    type: agent
    depends_on: [gather]
    config:
      type: agent
      bot: lunar
      prompt: \"Analyze {{ steps.gather.output }}\"
";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn pos_of(text: &str, needle: &str, delta: usize) -> Value {
    let at = text.find(needle).expect("needle in text") + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

fn labels(completions: &Value) -> Vec<&str> {
    completions["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect()
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_workflow_is_checked_completed_navigated_and_renamed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    write(&root, "bots/luna/IDENTITY.md", IDENTITY);
    write(&root, "bots/luna/SOUL.md", SOUL);
    write(&root, "workflows/daily-digest.yaml", FLOW);
    let compose = "services:\n  web:\n    image: nginx\n    steps: 3\nname: x\nversion: 2\n";
    write(&root, "compose.yaml", compose);
    let data = root.join(".no-data");
    let mut lsp =
        Client::spawn_with_env(&[], None, &[("BOTERNITY_DATA_DIR", data.to_str().unwrap())]);
    lsp.initialize_with(json!({
        "processId": null,
        "rootUri": uri(&root),
        "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
        "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": true}}},
    }));
    let other = uri(&root.join("compose.yaml"));
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": other, "languageId": "yaml", "version": 1, "text": compose}}),
    );
    let path = root.join("workflows/daily-digest.yaml");
    let wf = uri(&path);
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": wf, "languageId": "yaml", "version": 1, "text": FLOW}}),
    );
    // Once the workspace is scanned, `luna` is known and `lunar` is not.
    let all = lsp.wait_diagnostics("the workflow's cycle and unknown bot", |d| {
        d.get(&wf).is_some_and(|v| {
            let c = codes(v);
            c.contains(&"workflow-cycle".to_string())
                && c.iter().filter(|c| *c == "workflow-bot-unknown").count() == 1
        })
    });
    let diags = &all[&wf];
    let cycle: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "workflow-cycle")
        .collect();
    assert_eq!(cycle.len(), 2, "{diags:#?}");
    assert_eq!(cycle[0]["range"]["start"], pos_of(FLOW, "[analyze]", 1));
    assert!(
        cycle[0]["message"]
            .as_str()
            .unwrap()
            .contains("`gather` → `analyze` → `gather`"),
        "{diags:#?}"
    );
    let bot = diags
        .iter()
        .find(|d| d["code"] == "workflow-bot-unknown")
        .unwrap();
    assert_eq!(bot["range"]["start"], pos_of(FLOW, "lunar", 0));
    // YAML that is not a workflow gets nothing.
    assert!(
        all.get(&other).is_none_or(|v| v.is_empty()),
        "{:#?}",
        all.get(&other)
    );

    // The quick fix for the bot names the workspace's bot.
    let actions = lsp.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": wf}, "range": bot["range"], "context": {"diagnostics": [bot]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(titles.contains(&"Change to `luna`"), "{titles:?}");

    // Completion: step ids in `depends_on`, bot slugs in `bot:`.
    let c = lsp.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "depends_on: [gather]", 13)}),
    );
    let got = labels(&c);
    assert_eq!(got, vec!["gather", "analyze"], "{c:#}");
    let c = lsp.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "bot: lunar", 5)}),
    );
    let got = labels(&c);
    assert_eq!(got, vec!["luna"], "{c:#}");

    // Hover: the kind note on the first line, a key's documentation with its source.
    let h = lsp.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": wf}, "position": {"line": 0, "character": 1}}),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("Boternity workflow"), "{md}");
    let h = lsp.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "schedule", 2)}),
    );
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("scheduler.rs"), "{md}");

    // Definition: a step reference goes to the step; a bot to its IDENTITY.md.
    let d = lsp.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "[gather]", 2)}),
    );
    assert_eq!(d[0]["uri"], wf.as_str());
    assert_eq!(d[0]["range"]["start"], pos_of(FLOW, "id: gather", 4));
    let d = lsp.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "bot: luna\n", 6)}),
    );
    assert_eq!(
        d[0]["uri"],
        uri(&root.join("bots/luna/IDENTITY.md")).as_str()
    );

    // References of a step: its id, the `depends_on` entry and the template.
    let r = lsp.call(
        "textDocument/references",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "id: gather", 5), "context": {"includeDeclaration": true}}),
    );
    assert_eq!(r.as_array().unwrap().len(), 3, "{r:#}");

    // Rename a step: every mention changes, nothing else.
    let edit = lsp.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "steps.gather", 7), "newName": "collect"}),
    );
    let ops = edit["documentChanges"].as_array().expect("documentChanges");
    assert_eq!(ops.len(), 1, "{edit:#}");
    let renamed = apply_edits(FLOW, ops[0]["edits"].as_array().unwrap(), false);
    assert_eq!(
        renamed,
        FLOW.replace("id: gather", "id: collect")
            .replace("[gather]", "[collect]")
            .replace("steps.gather.output", "steps.collect.output")
    );
    let bad = lsp.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": wf}, "position": pos_of(FLOW, "id: gather", 5), "newName": "analyze"}),
    );
    assert!(lsp.error(bad)["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    // Symbols: the triggers and the steps; folding: each of them; the lens: the trigger summary.
    let s = lsp.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": wf}}),
    );
    let names: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, vec!["cron 0 9 * * *", "manual", "gather", "analyze"]);
    let f = lsp.call(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": wf}}),
    );
    assert_eq!(f.as_array().unwrap().len(), 3, "{f:#}");
    let l = lsp.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": wf}}),
    );
    assert_eq!(
        l[0]["command"]["title"],
        "Boternity workflow · 2 steps · triggers: cron 0 9 * * *, manual"
    );
    lsp.stop();
}

/// A workflow running `sub` (an approval step first), or none.
fn flow(name: &str, sub: Option<&str>) -> String {
    let mut s = format!(
        "id: \"01938e90-0000-7000-8000-000000000002\"\nname: {name}\nversion: \"1.0\"\nowner:\n  type: global\nsteps:\n  - id: confirm\n    name: Confirm\n    type: approval\n    config:\n      type: approval\n      prompt: Start?\n"
    );
    if let Some(sub) = sub {
        s.push_str(&format!("  - id: run\n    name: Run\n    type: sub_workflow\n    depends_on: [confirm]\n    config:\n      type: sub_workflow\n      workflow_name: {sub}\n"));
    }
    s
}

#[test]
fn a_workflow_written_on_disk_joins_the_index_and_other_yaml_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let nightly = flow("nightly", Some("cleanup"));
    write(&root, "workflows/nightly.yaml", &nightly);
    let data = root.join(".no-data");
    let mut lsp = Client::spawn_with_env(
        &[],
        None,
        &[
            ("BOTERNITY_DATA_DIR", data.to_str().unwrap()),
            ("FORGE_LS_LOG", "forge_ls=debug"),
        ],
    );
    lsp.initialize_with(json!({
        "processId": null,
        "rootUri": uri(&root),
        "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
        "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}},
    }));
    let wf = uri(&root.join("workflows/nightly.yaml"));
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": wf, "languageId": "yaml", "version": 1, "text": nightly}}),
    );
    lsp.wait_diagnostics("the unknown sub-workflow", |d| {
        d.get(&wf)
            .is_some_and(|v| codes(v) == vec!["workflow-sub-unknown".to_string()])
    });
    // A YAML file that is no workflow changes nothing; the workflow it names, written, resolves it.
    write(
        &root,
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n",
    );
    write(&root, "workflows/cleanup.yaml", &flow("cleanup", None));
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&root.join("compose.yaml")), "type": 1},
            {"uri": uri(&root.join("workflows/cleanup.yaml")), "type": 1},
        ]}),
    );
    lsp.wait_diagnostics("the sub-workflow found", |d| {
        d.get(&wf).is_some_and(|v| v.is_empty())
    });
    // And when it stops being a workflow, the name is unknown again.
    write(&root, "workflows/cleanup.yaml", "services: {}\n");
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join("workflows/cleanup.yaml")), "type": 2}]}),
    );
    lsp.wait_diagnostics("the sub-workflow gone", |d| {
        d.get(&wf)
            .is_some_and(|v| codes(v) == vec!["workflow-sub-unknown".to_string()])
    });
    lsp.stop();
}
