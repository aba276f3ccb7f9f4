//! Dialects through the real binary over stdio: the diagnostics of an OpenClaw
//! IDENTITY.md, the dialect note on hover, and `validation.profile` /
//! `openclaw.bootstrapMaxChars` changing them at runtime.

mod support;

use serde_json::{json, Value};
use support::Client;

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn openclaw_identity_hover_and_profile_override() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("AGENTS.md"), "# AGENTS\n\nRead SOUL.md.\n").unwrap();
    std::fs::write(ws.join("SOUL.md"), "# SOUL\n\nBe kind.\n").unwrap();
    let text = "# IDENTITY.md - Who Am I?\n\n- **Name:**\n  Quill\n- **Emoji:** 🦉\n";
    std::fs::write(ws.join("IDENTITY.md"), text).unwrap();
    let uri = format!("file://{}", ws.join("IDENTITY.md").display());

    let (mut c, _) = Client::initialized(json!({}));
    c.open(&uri, 1, text);
    let d = c.diagnostics_where(&uri, "the next-line pitfall", |p| {
        codes(p).contains(&"openclaw-identity-next-line".to_string())
    });
    assert!(
        !codes(&d).contains(&"identity-display-name-missing".to_string()),
        "{d}"
    );

    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
    );
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("Dialect: **OpenClaw**"), "{hover}");

    // Forcing Boternity's rules turns the same file into a Boternity IDENTITY.md.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"validation": {"profile": "boternity"}}}}),
    );
    c.diagnostics_where(&uri, "Boternity's rules", |p| {
        codes(p)
            .iter()
            .any(|c| c.starts_with("frontmatter-") || c.starts_with("identity-"))
    });
    // Back to auto, with a per-file limit the file exceeds.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"validation.profile": "auto", "openclaw.bootstrapMaxChars": 40}}}),
    );
    c.diagnostics_where(&uri, "the configured truncation limit", |p| {
        p["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["code"] == "openclaw-bootstrap-truncated"
                && d["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("at most 40")
        })
    });
    c.shutdown_and_exit();
}

/// A `skill.md` opened in the editor is validated as a skill, reported for its
/// name, and offered a rename to `SKILL.md` only when the client can rename.
#[test]
fn a_misnamed_skill_file_gets_a_rename_action() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("skills/web-search");
    std::fs::create_dir_all(&folder).unwrap();
    let text = "---\nname: web-search\ndescription: Search the web.\nmetadata: {\"openclaw\": {\"emoji\": \"🔎\"}}\n---\nSearch.\n";
    std::fs::write(folder.join("skill.md"), text).unwrap();
    let uri = format!("file://{}", folder.join("skill.md").display());
    let actions = |caps: Value| {
        let (mut c, _) = Client::initialized(caps);
        c.open(&uri, 1, text);
        let d = c.diagnostics_where(&uri, "the file name", |p| {
            codes(p).contains(&"skill-file-name".to_string())
        });
        let diag = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "skill-file-name")
            .unwrap()
            .clone();
        assert_eq!(diag["severity"], 1, "{diag}");
        let got = c.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        );
        c.shutdown_and_exit();
        got
    };
    let rename = json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["rename"]}}});
    let got = actions(rename);
    let op = &got[0]["edit"]["documentChanges"][0];
    assert_eq!(op["kind"], "rename", "{got}");
    assert_eq!(op["oldUri"], uri.as_str());
    assert!(
        op["newUri"]
            .as_str()
            .unwrap()
            .ends_with("/web-search/SKILL.md"),
        "{op}"
    );
    // Without rename support there is no action; the message says what to do.
    let got = actions(json!({}));
    assert_eq!(got, json!([]), "{got}");
}
