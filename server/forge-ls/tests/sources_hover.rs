//! Hover through the real binary over stdio names where a fact comes from: the upstream file at
//! its commit (or the documentation page) and the day it was checked.

mod support;

use serde_json::json;
use support::{uri, Client};

fn hover(c: &mut Client, file: &std::path::Path, line: u32, character: u32) -> String {
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(file)}, "position": {"line": line, "character": character}}),
    );
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hover_on_keys_values_and_models_shows_the_source_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let bot = root.join("bots/luna/IDENTITY.md");
    let skill = root.join("skills/fetch/SKILL.md");
    let claude = root.join(".claude/skills/review/SKILL.md");
    for (path, text) in [
        (
            &bot,
            "---\ndisplay_name: Luna\nmodel: claude-opus-4-20250514\n---\n",
        ),
        (
            &skill,
            "---\nname: fetch\ndescription: Fetches pages\nmetadata:\n  capabilities: [http_get]\n---\nFetch.\n",
        ),
        (
            &claude,
            "---\nname: review\ndescription: Reviews\nargument-hint: \"[file]\"\n---\nReview.\n",
        ),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let (mut c, _) = Client::initialized(json!({}));
    for (path, text) in [&bot, &skill, &claude].map(|p| (p, std::fs::read_to_string(p).unwrap())) {
        c.open(&uri(path), 1, &text);
    }
    let boternity =
        "https://github.com/mondalsuman/boternity/blob/b9c08e1db1dbbd9d9cdb291d0319c46f90918834";

    // A key: Boternity's IDENTITY.md reader.
    let md = hover(&mut c, &bot, 1, 3);
    assert!(md.contains("**display_name**"), "{md}");
    assert!(
        md.contains(&format!(
            "Source: [mondalsuman/boternity@b9c08e1db1dbbd9d9cdb291d0319c46f90918834:crates/boternity-infra/src/filesystem/identity.rs]({boternity}/crates/boternity-infra/src/filesystem/identity.rs) (checked 2026-12-07)"
        )),
        "{md}"
    );
    // A model of Boternity's web dropdown: sourced to that dropdown.
    let md = hover(&mut c, &bot, 2, 12);
    assert!(md.contains("**claude-opus-4-20250514**"), "{md}");
    assert!(
        md.contains(&format!(
            "({boternity}/apps/web/src/components/soul/identity-form.tsx)"
        )),
        "{md}"
    );
    // A value: Boternity's capability enum.
    let md = hover(&mut c, &skill, 4, 19);
    assert!(md.contains("**http_get**"), "{md}");
    assert!(
        md.contains(&format!(
            "({boternity}/crates/boternity-types/src/skill.rs)"
        )),
        "{md}"
    );
    // Another agent's key: Claude Code's documentation.
    let md = hover(&mut c, &claude, 3, 3);
    assert!(md.contains("argument-hint"), "{md}");
    assert!(
        md.contains("(https://code.claude.com/docs/en/skills#frontmatter-reference)"),
        "{md}"
    );
    c.stop();
}
