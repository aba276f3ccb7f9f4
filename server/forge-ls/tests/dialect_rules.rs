//! The OpenClaw and Claude Code rules that look past one field: the skill
//! file's own name (rule 23), numbers where text is meant (28), the bundled
//! scripts' environment variables (43), ClawHub's slug and quality gate
//! (46–47), and Claude Code's `model` and `hooks`. Quick fixes are applied and
//! the result validated again.

use std::path::{Path, PathBuf};

use forge_analysis::check::{self, check_file};
use forge_analysis::rules::Profile;
use forge_analysis::{analyze, FileKind};
use forge_syntax::diagnostic::{Diagnostic, Severity};

/// Enough words and characters for ClawHub's quality gate.
const BODY: &str = "# Web search\n\nUse this skill when the user asks about current events, prices or anything that\nchanged after your training data. Run `scripts/search.sh` with the query, read the\ntop five results, and answer with a short summary that cites each source by its\ntitle and link. When the results disagree, say so and give both sides.\n";

const META: &str = "metadata: {\"openclaw\": {\"requires\": {\"bins\": [\"curl\"]}}}\n";

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn skill(fields: &str) -> String {
    format!("---\nname: web-search\ndescription: Search the web and summarise the results.\n{fields}---\n{BODY}")
}

fn codes(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn a_case_variant_skill_file_is_checked_and_reported_unless_skill_md_is_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let lower = write(&dir.path().join("skills/web-search/skill.md"), &skill(META));
    let title = write(&dir.path().join("more/web-search/Skills.md"), &skill(META));
    // A folder with both: SKILL.md is the manifest, skill.md just another file.
    write(&dir.path().join("skills/both/SKILL.md"), &skill(META));
    write(&dir.path().join("skills/both/skill.md"), "notes\n");
    let found = check::discover(dir.path());
    let names: Vec<String> = found
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert_eq!(
        names,
        [
            "more/web-search/Skills.md",
            "skills/both/SKILL.md",
            "skills/web-search/skill.md"
        ]
    );
    for p in [&lower, &title] {
        let r = check_file(p, Profile::Auto).unwrap();
        assert_eq!(
            codes(&r.diagnostics),
            ["skill-file-name"],
            "{}",
            p.display()
        );
        assert_eq!(r.diagnostics[0].severity, Severity::Error);
        assert_eq!(r.diagnostics[0].range, 0..3);
    }
    // The editor's index still knows only SKILL.md by name.
    assert_eq!(FileKind::from_path(&lower), None);
    assert_eq!(FileKind::detect(&lower), Some(FileKind::Skill));
    assert_eq!(
        FileKind::detect(&dir.path().join("skills/both/skill.md")),
        None
    );
}

#[test]
fn numbers_where_text_is_meant_get_a_quote_fix_and_version_is_reported_once() {
    let p = Path::new("/r/.claude/skills/web-search/SKILL.md");
    let text = skill("argument-hint: 1.0\nagent: 007\nversion: 2.50\n");
    let a = analyze(FileKind::Skill, p, &text, Profile::Auto);
    let found: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "yaml-number-string")
        .collect();
    assert_eq!(found.len(), 3, "{:#?}", a.diagnostics);
    let mut fixed = text.clone();
    for d in found.iter().rev() {
        fixed = d.fixes[0].apply(&fixed);
    }
    assert!(fixed.contains("argument-hint: \"1.0\"\nagent: \"007\"\nversion: \"2.50\"\n"));
    assert!(analyze(FileKind::Skill, p, &fixed, Profile::Auto)
        .diagnostics
        .is_empty());
    // Numbers that read back unchanged are left alone.
    let same = skill("argument-hint: 42\n");
    assert!(analyze(FileKind::Skill, p, &same, Profile::Auto)
        .diagnostics
        .is_empty());
    // OpenClaw's `version` has its own rule, so it is not reported twice.
    let oc = Path::new("/r/skills/web-search/SKILL.md");
    let text = skill(&format!("version: 1.0\ncommand-tool: 1.10\n{META}"));
    let a = analyze(FileKind::Skill, oc, &text, Profile::Auto);
    let mut got = codes(&a.diagnostics);
    got.sort();
    assert_eq!(got, ["skill-version-invalid", "yaml-number-string"]);
}

#[test]
fn env_vars_of_bundled_scripts_must_be_declared() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("skills/web-search");
    write(
        &folder.join("scripts/search.sh"),
        "#!/bin/sh\nQ=\"$1\"\nexport OUT=/tmp/x\nfor F in a b; do echo $F; done\ncurl -H \"$SEARCH_API_KEY\" \"${SEARCH_URL:-https://x}?q=$Q\" > $OUT $HOME\n",
    );
    write(
        &folder.join("lib/rank.py"),
        "import os\nos.environ[\"RANK_MODEL\"]\n",
    );
    write(
        &folder.join("lib/client.mjs"),
        "const t = process.env.CLIENT_TOKEN;\n",
    );
    // Skipped: binary, too large, not a script, in node_modules.
    write(&folder.join("bin/tool.sh"), "\0\0$BINARY_VAR\n");
    let big = format!(
        "$HUGE_VAR\n{}",
        "#\n".repeat(forge_analysis::rules::bundle::MAX_BYTES as usize)
    );
    write(&folder.join("scripts/big.sh"), &big);
    write(&folder.join("README.txt"), "$README_VAR\n");
    write(
        &folder.join("node_modules/x/index.js"),
        "process.env.DEP_VAR\n",
    );
    let p = write(&folder.join("SKILL.md"), &skill(META));
    let r = check_file(&p, Profile::Auto).unwrap();
    assert_eq!(codes(&r.diagnostics), ["openclaw-env-undeclared"]);
    let d = &r.diagnostics[0];
    assert_eq!(d.severity, Severity::Information);
    for want in [
        "`CLIENT_TOKEN` (lib/client.mjs:1)",
        "`RANK_MODEL` (lib/rank.py:2)",
        "`SEARCH_API_KEY` (scripts/search.sh:5)",
        "`SEARCH_URL` (scripts/search.sh:5)",
    ] {
        assert!(d.message.contains(want), "{want}: {}", d.message);
    }
    for never in [
        "OUT",
        "HOME",
        "BINARY_VAR",
        "HUGE_VAR",
        "README_VAR",
        "DEP_VAR",
        "`Q`",
        "`F`",
    ] {
        assert!(!d.message.contains(never), "{never}: {}", d.message);
    }
    // Declared in every place ClawHub looks: requires.env, primaryEnv, envVars
    // (strings or {name}), legacy namespace, YAML block form.
    let declared = "metadata:\n  clawdbot:\n    primaryEnv: SEARCH_API_KEY\n    requires:\n      env: [SEARCH_URL]\n    envVars:\n      - name: RANK_MODEL\n      - CLIENT_TOKEN\n";
    write(&p, &skill(declared));
    let r = check_file(&p, Profile::Auto).unwrap();
    assert!(
        !codes(&r.diagnostics).contains(&"openclaw-env-undeclared"),
        "{:#?}",
        r.diagnostics
    );
}

#[test]
fn folder_names_clawhub_would_refuse_as_slugs() {
    for (folder, bad) in [
        ("web-search", false),
        ("ws", true),
        ("web--search", true),
        ("Web_Search", true),
        ("api", true),
        ("clawhub-sync", true),
        ("sync-official", true),
    ] {
        let p = PathBuf::from(format!("/r/skills/{folder}/SKILL.md"));
        let text = format!(
            "---\ndescription: Search the web and summarise the results.\n{META}---\n{BODY}"
        );
        let a = analyze(FileKind::Skill, &p, &text, Profile::Openclaw);
        let has = codes(&a.diagnostics).contains(&"openclaw-slug-invalid");
        assert_eq!(has, bad, "{folder}: {:#?}", a.diagnostics);
    }
}

#[test]
fn the_quality_gate_counts_words_and_characters_with_a_lower_bar_for_cjk() {
    let p = Path::new("/r/skills/web-search/SKILL.md");
    let head = format!("---\nname: web-search\ndescription: Search the web.\n{META}---\n");
    let gate = |body: &str| {
        let a = analyze(FileKind::Skill, p, &(head.clone() + body), Profile::Auto);
        codes(&a.diagnostics).contains(&"openclaw-publish-gate")
    };
    assert!(!gate(BODY));
    assert!(gate("Search the web and summarise.\n"));
    // 45 words but short ones: under 260 characters.
    assert!(gate(&"ab ".repeat(45)));
    // 150 CJK characters in 30 words pass the lower bar.
    assert!(!gate(&"検索します ".repeat(30)));
    assert!(gate(&"検索します ".repeat(20)));
    // MIT-0 is what ClawHub publishes under; anything else is noted.
    let lic = |l: &str| {
        let text = format!(
            "---\nname: web-search\ndescription: Search the web.\nlicense: {l}\n{META}---\n{BODY}"
        );
        codes(&analyze(FileKind::Skill, p, &text, Profile::Auto).diagnostics)
            .contains(&"openclaw-publish-gate")
    };
    assert!(!lic("MIT-0"));
    assert!(lic("Apache-2.0"));
}

#[test]
fn claude_code_models_and_hook_shapes() {
    let p = Path::new("/r/.claude/skills/web-search/SKILL.md");
    let check =
        |fields: &str| analyze(FileKind::Skill, p, &skill(fields), Profile::Auto).diagnostics;
    for ok in [
        "haiku",
        "inherit",
        "opusplan",
        "claude-opus-4-1-20250805",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ] {
        assert!(check(&format!("model: {ok}\n")).is_empty(), "{ok}");
    }
    let d = check("model: gpt-4o\n");
    assert_eq!(codes(&d), ["claude-model-unknown"]);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(d[0].fixes.is_empty());
    let text = skill("model: \"OPUS\"\n");
    let d = analyze(FileKind::Skill, p, &text, Profile::Auto).diagnostics;
    assert_eq!(codes(&d), ["claude-model-unknown"]);
    let fixed = d[0].fixes[0].apply(&text);
    assert!(fixed.contains("model: \"opus\"\n"));
    assert!(analyze(FileKind::Skill, p, &fixed, Profile::Auto)
        .diagnostics
        .is_empty());

    let good = "hooks:\n  PreToolUse:\n    - matcher: \"Edit|Write\"\n      hooks:\n        - type: command\n          command: ./lint.sh\n          timeout: 30\n  Stop:\n    - hooks:\n        - type: prompt\n          prompt: Check the summary cites its sources.\n";
    assert!(check(good).is_empty(), "{:#?}", check(good));
    for (bad, want) in [
        ("hooks:\n  PreToolUse: ./lint.sh\n", "must be a list of matcher groups"),
        ("hooks:\n  PreToolUse:\n    - ./lint.sh\n", "must be a mapping with `hooks`"),
        ("hooks:\n  PreToolUse:\n    - matcher: Bash\n", "has no `hooks` list"),
        ("hooks:\n  PreToolUse:\n    - hooks: {type: command}\n", "must be a list of `{type: command"),
        ("hooks:\n  PreToolUse:\n    - hooks: [./lint.sh]\n", "A hook is a mapping"),
        ("hooks:\n  PreToolUse:\n    - hooks:\n        - command: ./lint.sh\n", "A hook's `type` is one of"),
        ("hooks:\n  PreToolUse:\n    - hooks:\n        - type: command\n", "needs `command`"),
        ("hooks:\n  PreToolUse:\n    - hooks:\n        - {type: command, command: [a]}\n", "must be non-empty text"),
        ("hooks:\n  PreToolUse:\n    - matcher: [Edit, Write]\n      hooks:\n        - {type: command, command: x}\n", "`matcher` is one string"),
        ("hooks:\n  PreToolUse:\n    - hooks:\n        - {type: command, command: x, timeout: soon}\n", "`timeout` is a number"),
    ] {
        let d = check(bad);
        assert_eq!(codes(&d), ["field-type"], "{bad}: {d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains(want), "{bad}: {}", d[0].message);
    }
    // An unknown event, with a rename for a near miss that is applied and re-checked.
    let text =
        skill("hooks:\n  pre_tool_use:\n    - hooks:\n        - {type: command, command: x}\n");
    let d = analyze(FileKind::Skill, p, &text, Profile::Auto).diagnostics;
    assert_eq!(codes(&d), ["unknown-key"]);
    let fixed = d[0].fixes[0].apply(&text);
    assert!(fixed.contains("  PreToolUse:\n"));
    assert!(analyze(FileKind::Skill, p, &fixed, Profile::Auto)
        .diagnostics
        .is_empty());
}

#[test]
fn claude_code_model_and_hook_type_values_are_completed() {
    use forge_analysis::dialect::Dialect;
    use forge_analysis::workspace::{complete, Index};
    let p = Path::new("/r/.claude/skills/x/SKILL.md");
    let at = |t: &str, needle: &str| {
        let c = complete::complete(
            FileKind::Skill,
            p,
            t,
            t.find(needle).unwrap() + needle.len(),
            &Index::new(),
            complete::Options::default(),
            Some(Dialect::ClaudeCode),
        );
        c.items.into_iter().map(|i| i.label).collect::<Vec<_>>()
    };
    let models = at("---\nname: x\nmodel: \n---\n", "model: ");
    for m in ["inherit", "sonnet", "opus", "haiku", "opusplan"] {
        assert!(models.iter().any(|l| l == m), "{m}: {models:?}");
    }
    let t = "---\nname: x\nhooks:\n  Stop:\n    - hooks:\n        - type: \n---\n";
    assert_eq!(at(t, "type: "), ["command", "prompt"]);
}
