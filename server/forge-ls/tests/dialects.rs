//! Dialects side by side: a Boternity bot, an OpenClaw workspace, a Claude Code
//! skill and plain skills in one folder (`tests/fixtures/workspaces/dialects`),
//! the bad cases too large to keep on disk, a ClawHub-like corpus built from the
//! failure classes of `openclaw-formats.md` §5, quick fixes applied and
//! re-validated, and completion/hover in the new dialects.

use std::path::{Path, PathBuf};

use forge_analysis::check::{self, check_file};
use forge_analysis::dialect::Dialect;
use forge_analysis::rules::openclaw_workspace::Limits;
use forge_analysis::rules::Profile;
use forge_analysis::workspace::{self, complete, hover, Index};
use forge_analysis::{analyze, analyze_with, FileKind, Options};
use forge_syntax::diagnostic::{Diagnostic, Severity};

fn side_by_side() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/workspaces/dialects")
}

fn worst(diags: &[Diagnostic]) -> Option<Severity> {
    diags.iter().map(|d| d.severity).min()
}

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "\n  {:?} {}[{}] {}",
                d.range,
                d.severity.label(),
                d.code,
                d.message
            )
        })
        .collect()
}

#[test]
fn both_dialects_side_by_side_are_clean_and_told_apart() {
    let root = side_by_side();
    let mut reports: Vec<check::FileReport> = check::discover(&root)
        .iter()
        .map(|p| check_file(p, Profile::Auto).unwrap())
        .collect();
    workspace::cross_check(&mut reports, Profile::Auto, None);
    let want = [
        (".claude/skills/commit-helper/SKILL.md", Dialect::ClaudeCode),
        ("bots/luna/IDENTITY.md", Dialect::Boternity),
        ("bots/luna/SOUL.md", Dialect::Boternity),
        ("bots/luna/USER.md", Dialect::Boternity),
        ("bots/luna/skills.toml", Dialect::Boternity),
        ("openclaw/AGENTS.md", Dialect::OpenClaw),
        ("openclaw/IDENTITY.md", Dialect::OpenClaw),
        ("openclaw/SOUL.md", Dialect::OpenClaw),
        ("openclaw/USER.md", Dialect::OpenClaw),
        ("openclaw/skills/notes/SKILL.md", Dialect::OpenClaw),
        ("openclaw/skills/pdf-tools/SKILL.md", Dialect::OpenClaw),
        ("skills/meeting-notes/SKILL.md", Dialect::Boternity),
        ("skills/plain-skill/SKILL.md", Dialect::AgentSkills),
        ("skills/weather-lookup/SKILL.md", Dialect::Boternity),
    ];
    let got: Vec<(String, Dialect)> = reports
        .iter()
        .map(|r| {
            let rel = r
                .path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, r.dialect.as_ref().unwrap().dialect)
        })
        .collect();
    let want: Vec<(String, Dialect)> = want.iter().map(|(p, d)| (p.to_string(), *d)).collect();
    assert_eq!(got, want);
    for r in &reports {
        assert!(
            worst(&r.diagnostics).is_none_or(|s| s > Severity::Warning),
            "{}:{}",
            r.path.display(),
            describe(&r.diagnostics)
        );
    }
    // Forcing one profile on everything brings the other agent's files into conflict.
    let forced: usize = check::discover(&root)
        .iter()
        .map(|p| check_file(p, Profile::Boternity).unwrap())
        .filter(|r| worst(&r.diagnostics) == Some(Severity::Error))
        .count();
    assert!(
        forced >= 2,
        "profile boternity should fail the OpenClaw files"
    );
}

#[test]
fn the_binary_names_the_dialects() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_forge-ls"))
        .args(["check", "--format", "json"])
        .arg(side_by_side().join("openclaw/skills/notes"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["dialect"], "openclaw", "{v}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_forge-ls"))
        .arg("check")
        .arg(side_by_side())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "(1 Claude Code, 6 Boternity, 6 OpenClaw, 1 Agent Skills): 0 errors, 0 warnings"
        ),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(0));
}

fn oc_skill(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join("skills").join(name).join("SKILL.md");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

const META: &str = "metadata: {\"openclaw\": {\"emoji\": \"📄\"}}\n";

#[test]
fn generated_bad_cases() {
    let dir = tempfile::tempdir().unwrap();
    // openclaw-skill-too-large: one byte over the limit.
    let head = format!("---\nname: big\ndescription: A big skill.\n{META}---\n");
    // Words, so that ClawHub's quality gate has nothing to say.
    let n = 256_001 - head.len();
    let body = "word ".repeat(n / 5 + 1)[..n].to_string();
    let p = oc_skill(dir.path(), "big", &(head + &body));
    let codes: Vec<&str> = check_file(&p, Profile::Auto)
        .unwrap()
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, ["openclaw-skill-too-large"]);
    let p = oc_skill(
        dir.path(),
        "fits",
        &format!(
            "---\nname: fits\ndescription: d\n{META}---\n{}",
            "word ".repeat(40_000)
        ),
    );
    assert!(check_file(&p, Profile::Auto)
        .unwrap()
        .diagnostics
        .is_empty());

    // openclaw-bootstrap-total: three files of 19,990 characters use the budget before USER.md.
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    for f in ["AGENTS.md", "SOUL.md", "IDENTITY.md"] {
        std::fs::write(ws.join(f), format!("- Name: Quill\n{}", "a".repeat(19_976))).unwrap();
    }
    std::fs::write(ws.join("USER.md"), "# USER.md\n\n- **Name:** Sam\n").unwrap();
    let r = check_file(&ws.join("USER.md"), Profile::Auto).unwrap();
    let total: Vec<&Diagnostic> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "openclaw-bootstrap-total")
        .collect();
    assert_eq!(total.len(), 1, "{}", describe(&r.diagnostics));
    assert!(
        total[0].message.contains("left out"),
        "{}",
        total[0].message
    );
    // The configured limits are the ones reported.
    let text = std::fs::read_to_string(ws.join("SOUL.md")).unwrap();
    let opts = Options {
        profile: Profile::Auto,
        limits: Limits {
            max_chars: 12_000,
            total_max_chars: 150_000,
        },
    };
    let a = analyze_with(FileKind::Soul, &ws.join("SOUL.md"), &text, &opts);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "openclaw-bootstrap-truncated")
        .unwrap();
    assert!(d.message.contains("at most 12000"), "{}", d.message);
    let roomy = Options {
        limits: Limits {
            max_chars: 30_000,
            total_max_chars: 150_000,
        },
        ..opts
    };
    let r = analyze_with(
        FileKind::User,
        &ws.join("USER.md"),
        "# USER.md\n\n- Name: Sam\n",
        &roomy,
    );
    assert!(r.diagnostics.is_empty(), "{}", describe(&r.diagnostics));
}

/// One class of §5's failures: a frontmatter/body maker and whether OpenClaw
/// can load the result.
struct Class {
    name: &'static str,
    loads: bool,
    make: fn(&str, &str) -> String,
}

const CLASSES: &[Class] = &[
    Class {
        name: "docs single-line JSON clawdbot",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nmetadata: {{\"clawdbot\": {{\"emoji\": \"🔧\", \"requires\": {{\"bins\": [\"curl\"]}}}}}}\n---\n# {n}\n")
        },
    },
    Class {
        name: "YAML block openclaw",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nmetadata:\n  openclaw:\n    requires:\n      bins: [jq, curl]\n      env: [API_KEY]\n    primaryEnv: API_KEY\n---\nbody\n")
        },
    },
    Class {
        name: "flow lists and extra keys",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: \"{d}\"\ntags: [a, b]\nversion: 1.0\nauthor: someone\ntriggers:\n  - do it\nmetadata: {{\"moltbot\": {{\"os\": [\"macos\"]}}}}\n---\n")
        },
    },
    Class {
        name: "folded description, crlf",
        loads: true,
        make: |n, d| {
            format!("---\r\nname: {n}\r\ndescription: >\r\n  {d}\r\n  more.\r\nmetadata: {{\"openclaw\": {{\"install\": [{{\"kind\": \"pip\", \"package\": \"x\"}}]}}}}\r\n---\r\nbody\r\n")
        },
    },
    Class {
        name: "upper-case name, no metadata namespace",
        loads: true,
        make: |n, d| {
            format!("---\nname: {}\ndescription: {d}\nmetadata: {{\"openclaw\": {{}}, \"version\": \"1.0.0\"}}\nuser-invocable: maybe\n---\n", n.to_uppercase())
        },
    },
    Class {
        name: "top-level gating",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nrequires:\n  bins: [x]\nmetadata.openclaw: {{\"emoji\": \"x\"}}\n---\n")
        },
    },
    Class {
        name: "unparsable JSON5 metadata words",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nmetadata: {{\"openclaw\": {{\"os\": [darwin]}}}}\n---\n")
        },
    },
    Class {
        name: "no frontmatter",
        loads: false,
        make: |n, d| format!("# {n}\n\n{d}\n"),
    },
    Class {
        name: "BOM before ---",
        loads: false,
        make: |n, d| format!("\u{feff}---\nname: {n}\ndescription: {d}\n---\n"),
    },
    Class {
        name: "blank line before ---",
        loads: false,
        make: |n, d| format!("\n---\nname: {n}\ndescription: {d}\n---\n"),
    },
    Class {
        name: "never closed",
        loads: false,
        make: |n, d| format!("---\nname: {n}\ndescription: {d}\n\n# body\n"),
    },
    // Not YAML, but since 2026-03-30 OpenClaw's line parser reads the description and loads the
    // skill (spec openclaw-formats §4.2a); only older releases and ClawHub's metadata lose it.
    Class {
        name: "unquoted colon",
        loads: true,
        make: |n, d| format!("---\nname: {n}\ndescription: {d} Triggers: explain it\n---\n"),
    },
    Class {
        name: "argument-hint flow then text",
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nargument-hint: [title] [message]\n---\n")
        },
    },
    Class {
        name: "description starts with comma",
        // Not YAML; the line parser still finds a description.
        loads: true,
        make: |n, d| format!("---\nname: {n}\ndescription: , {d}\n---\n"),
    },
    Class {
        name: "JSON metadata missing brace",
        // Not YAML; the line parser still finds a description.
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\ndescription: {d}\nmetadata: {{\"openclaw\": {{\"emoji\": \"x\"}}\n---\n")
        },
    },
    Class {
        name: "merge markers",
        // Not YAML; the line parser still finds a description.
        loads: true,
        make: |n, d| {
            format!("---\nname: {n}\n<<<<<<< HEAD\ndescription: {d}\n=======\ndescription: other\n>>>>>>> branch\n---\n")
        },
    },
    Class {
        name: "summary instead of description",
        loads: false,
        make: |n, d| format!("---\nname: {n}\nsummary: {d}\n---\n"),
    },
    Class {
        name: "empty description",
        loads: false,
        make: |n, _| {
            format!("---\nname: {n}\ndescription:\nmetadata: {{\"openclaw\": {{}}}}\n---\n")
        },
    },
    Class {
        name: "duplicate key",
        // Not YAML; the line parser still finds a description.
        loads: true,
        make: |n, d| format!("---\nname: {n}\ndescription: {d}\ndescription: again\n---\n"),
    },
];

/// Thousands of ClawHub-like skills: every class with many names and
/// descriptions. An error exactly where OpenClaw cannot load the skill.
#[test]
fn clawhub_like_corpus_errors_exactly_on_unloadable_skills() {
    let names = [
        "web-search",
        "pdf",
        "Notes_App",
        "a",
        "x--y",
        "dépôt",
        "very-long-name-that-keeps-going-and-going-and-going-well-past-sixty-four-chars",
    ];
    let descriptions = [
        "Search the web.",
        "Use when the user asks for a summary of a PDF; handles scanned pages",
        "ÜBER-skill für Ärzte — 日本語も",
        "A description with a hash#tag and a 'quote' inside",
        "Uses [brackets] and {braces} mid-text",
    ];
    let mut checked = 0;
    let dir = Path::new("/nowhere/skills");
    for class in CLASSES {
        for (i, name) in names.iter().enumerate() {
            for (j, desc) in descriptions.iter().enumerate() {
                for variant in 0..24 {
                    let folder = format!("{name}-{i}{j}{variant}");
                    let mut text = (class.make)(name, desc);
                    // Variants: trailing body text, CR line ends, trailing spaces, NULs in the body.
                    match variant % 4 {
                        0 => {}
                        1 => text.push_str("\nMore instructions.\n"),
                        2 => text = text.replace("\n#", "  \n#"),
                        _ => text.push_str("\u{0}\u{7f}\u{80}"),
                    }
                    let path = dir.join(&folder).join("SKILL.md");
                    let a = analyze(FileKind::Skill, &path, &text, Profile::Openclaw);
                    let errors: Vec<&Diagnostic> = a
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .collect();
                    assert_eq!(
                        errors.is_empty(),
                        class.loads,
                        "class `{}`:\n{text}\n{}",
                        class.name,
                        describe(&a.diagnostics)
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 10_000, "{checked}");
    println!("checked {checked} generated ClawHub-like skills");
}

/// Apply the one fix of `code` and return the new text, checking it is clean of that code.
fn fixed(path: &str, text: &str, code: &str) -> String {
    let path = Path::new(path);
    let kind = FileKind::from_path(path).unwrap();
    let a = analyze(kind, path, text, Profile::Auto);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code}:{}", describe(&a.diagnostics)));
    assert_eq!(d.fixes.len(), 1, "{d:?}");
    let out = d.fixes[0].apply(text);
    let after = analyze(kind, path, &out, Profile::Auto);
    assert!(
        after
            .diagnostics
            .iter()
            .all(|d| d.code != code && d.severity > Severity::Warning),
        "after the fix:\n{out}{}",
        describe(&after.diagnostics)
    );
    out
}

#[test]
fn quick_fixes_apply_and_revalidate() {
    let p = "/nowhere/skills/pdf-tools/SKILL.md";
    let out = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata: {\"openclaw\": {\"os\": [\"macos\", \"linux\"]}}\n---\nx\n", "openclaw-os-invalid");
    assert!(out.contains("[\"darwin\", \"linux\"]"), "{out}");
    let out = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata:\n  openclaw:\n    os: windows,linux\n---\nx\n", "openclaw-os-invalid");
    assert!(out.contains("os: win32,linux\n"), "{out}");
    let out = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata:\n  clawdbot:\n    emoji: x\n---\nx\n", "openclaw-namespace");
    assert!(out.contains("  openclaw:\n"), "{out}");
    let out = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs. Triggers: merge, combine\nmetadata: {\"openclaw\": {}}\n---\nx\n", "yaml-syntax");
    assert!(
        out.contains("description: \"Merge PDFs. Triggers: merge, combine\"\n"),
        "{out}"
    );
    // Gating keys move under metadata.openclaw, created when missing or added to a block.
    let out = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata:\n  openclaw:\n    emoji: x\nrequires:\n  bins: [qpdf]\n---\nx\n", "openclaw-gating-top-level");
    assert_eq!(out, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata:\n  openclaw:\n    requires:\n      bins: [qpdf]\n    emoji: x\n---\nx\n");
    let dotted = fixed(p, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata.openclaw: {\"emoji\": \"x\"}\n---\nx\n", "openclaw-gating-top-level");
    assert!(
        dotted.contains("metadata: {\"openclaw\": {\"emoji\": \"x\"}}"),
        "{dotted}"
    );
    let id = fixed(
        "/nowhere/ws/IDENTITY.md",
        "# IDENTITY\n\n- **Name:**\n  Quill\n",
        "openclaw-identity-next-line",
    );
    assert_eq!(id, "# IDENTITY\n\n- **Name:** Quill\n");
}

#[test]
fn a_gating_key_without_metadata_becomes_the_manifest() {
    let p = Path::new("/nowhere/skills/pdf-tools/SKILL.md");
    let text = "---\nname: pdf-tools\ndescription: Merge PDFs.\nos: [darwin]\nhomepage: https://example.com\n---\nx\n";
    let a = analyze(FileKind::Skill, p, text, Profile::Openclaw);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "openclaw-gating-top-level")
        .unwrap();
    let out = d.fixes[0].apply(text);
    assert_eq!(out, "---\nname: pdf-tools\ndescription: Merge PDFs.\nmetadata:\n  openclaw:\n    os: [darwin]\nhomepage: https://example.com\n---\nx\n");
    // Now detected as OpenClaw without the forced profile, and clean.
    let after = analyze(FileKind::Skill, p, &out, Profile::Auto);
    assert_eq!(after.dialect.unwrap().dialect, Dialect::OpenClaw);
    // Clean but for the quality gate's note on the one-word body.
    let codes: Vec<&str> = after.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["openclaw-publish-gate"],
        "{}",
        describe(&after.diagnostics)
    );
}

#[test]
fn detection_edge_cases_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let bot = dir.path().join("bots/luna");
    std::fs::create_dir_all(&bot).unwrap();
    std::fs::write(bot.join("SOUL.md"), "# Soul\n\nCalm.\n").unwrap();
    // A Boternity SOUL.md must have frontmatter: an error there ...
    let r = check_file(&bot.join("SOUL.md"), Profile::Auto).unwrap();
    assert_eq!(r.dialect.unwrap().dialect, Dialect::Boternity);
    assert_eq!(worst(&r.diagnostics), Some(Severity::Error));
    // ... but not once AGENTS.md makes the folder an OpenClaw workspace.
    std::fs::write(bot.join("AGENTS.md"), "# AGENTS\n\nRules.\n").unwrap();
    let r = check_file(&bot.join("SOUL.md"), Profile::Auto).unwrap();
    assert_eq!(r.dialect.unwrap().dialect, Dialect::OpenClaw);
    assert!(r.diagnostics.is_empty(), "{}", describe(&r.diagnostics));
    // AGENTS.md alone (a code repository's) is no workspace file.
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("AGENTS.md"), "# Agents\n").unwrap();
    assert_eq!(FileKind::from_path(&repo.join("AGENTS.md")), None);
    assert_eq!(
        FileKind::from_path(&bot.join("AGENTS.md")),
        Some(FileKind::Workspace)
    );
    // IDENTITY.md with both Boternity keys and labels is Boternity's.
    let both = "---\ndisplay_name: Luna\n---\n- **Name:** Quill\n";
    let a = analyze(
        FileKind::Identity,
        &bot.join("IDENTITY.md"),
        both,
        Profile::Auto,
    );
    assert_eq!(a.dialect.unwrap().dialect, Dialect::Boternity);
    // An unstripped docs template is OpenClaw's, and its frontmatter is reported as injected.
    let docs = "---\nsummary: \"Agent identity record\"\nread_when:\n  - Bootstrapping a workspace manually\n---\n# IDENTITY.md\n\n- **Name:** Quill\n";
    let a = analyze(
        FileKind::Identity,
        &bot.join("IDENTITY.md"),
        docs,
        Profile::Auto,
    );
    assert_eq!(a.dialect.unwrap().dialect, Dialect::OpenClaw);
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["openclaw-frontmatter-injected"]);
    // Claude Code's place wins over a plain frontmatter; its keys are never unknown.
    let cc = "---\nname: x\ndescription: d\nallowed-tools: [Read, \"Bash(git:*)\"]\nuser-invocable: false\n---\n";
    let a = analyze(
        FileKind::Skill,
        Path::new("/r/.claude/skills/x/SKILL.md"),
        cc,
        Profile::Auto,
    );
    assert_eq!(a.dialect.unwrap().dialect, Dialect::ClaudeCode);
    assert!(a.diagnostics.is_empty(), "{}", describe(&a.diagnostics));
    // The same file under the agentskills profile: strict errors.
    let a = analyze(
        FileKind::Skill,
        Path::new("/r/.claude/skills/x/SKILL.md"),
        cc,
        Profile::Agentskills,
    );
    assert_eq!(worst(&a.diagnostics), Some(Severity::Error));
}

/// The labels completion offers at the end of `needle` in `t`.
fn labels_at(kind: FileKind, path: &Path, t: &str, needle: &str, dialect: Dialect) -> Vec<String> {
    let at = t.find(needle).unwrap() + needle.len();
    let c = complete::complete(
        kind,
        path,
        t,
        at,
        &Index::new(),
        complete::Options::default(),
        Some(dialect),
    );
    c.items.into_iter().map(|i| i.label).collect()
}

#[test]
fn completion_and_hover_follow_the_dialect() {
    let idx = Index::new();
    let opts = complete::Options::default();
    let p = Path::new("/nowhere/skills/pdf-tools/SKILL.md");
    let skill = |t: &str, needle: &str, d| labels_at(FileKind::Skill, p, t, needle, d);
    // OpenClaw keys at the top level, including the metadata snippets.
    let labels = skill(
        "---\nname: pdf-tools\ndescription: d\n\n---\n",
        "d\n",
        Dialect::OpenClaw,
    );
    assert!(
        labels.iter().any(|l| l == "command-dispatch")
            && labels.iter().any(|l| l == "metadata (one-line JSON)"),
        "{labels:?}"
    );
    // `os` values inside metadata.openclaw, installer kinds inside an `install:` list.
    let t = "---\nname: pdf-tools\ndescription: d\nmetadata:\n  openclaw:\n    os: [\n---\n";
    assert_eq!(
        skill(t, "[", Dialect::OpenClaw),
        ["darwin", "linux", "win32"]
    );
    let t = "---\nname: pdf-tools\ndescription: d\nmetadata:\n  openclaw:\n    install:\n      - kind: \n---\n";
    assert_eq!(
        skill(t, "kind: ", Dialect::OpenClaw),
        ["brew", "node", "go", "uv", "download"]
    );
    // Claude Code fields with their values.
    let labels = skill(
        "---\nname: x\ncontext: \n---\n",
        "context: ",
        Dialect::ClaudeCode,
    );
    assert!(labels.iter().any(|l| l == "fork"), "{labels:?}");
    let t = "---\nname: x\nargument-hint: \"[file]\"\n---\n";
    let det = forge_analysis::dialect::detect(FileKind::Skill, p, t, Profile::Auto);
    assert_eq!(det.dialect, Dialect::ClaudeCode);
    let (doc, _) = hover::hover(
        FileKind::Skill,
        p,
        t,
        t.find("argument").unwrap() + 2,
        &idx,
        &[],
        Some(&det),
    )
    .unwrap();
    assert!(doc.contains("**argument-hint**"), "{doc}");
    // OpenClaw identity labels, and the dialect note on the first line.
    let id = Path::new("/nowhere/ws/IDENTITY.md");
    let t = "# IDENTITY.md\n\n- **Name:** Quill\n- **Av";
    let c = complete::complete(
        FileKind::Identity,
        id,
        t,
        t.len(),
        &idx,
        opts,
        Some(Dialect::OpenClaw),
    );
    assert!(c
        .items
        .iter()
        .any(|i| i.label == "Avatar" && i.insert == "- **Avatar:** "));
    let det = forge_analysis::dialect::detect(FileKind::Identity, id, t, Profile::Auto);
    let (doc, _) = hover::hover(FileKind::Identity, id, t, 2, &idx, &[], Some(&det)).unwrap();
    assert!(doc.contains("Dialect: **OpenClaw**"), "{doc}");
    let (doc, _) = hover::hover(
        FileKind::Identity,
        id,
        t,
        t.find("Name").unwrap(),
        &idx,
        &[],
        Some(&det),
    )
    .unwrap();
    assert!(doc.contains("**Name**"), "{doc}");
}

/// A ClawHub archive (`skills/<owner>/<skill>/SKILL.md` with `_meta.json`):
/// detected as OpenClaw under `auto`; same-named skills of two owners and
/// names that differ from their folders are warnings, not errors.
#[test]
fn clawhub_archive_layout_is_openclaw_and_only_unloadable_skills_fail() {
    let dir = tempfile::tempdir().unwrap();
    let put = |owner: &str, skill: &str, text: &str| {
        let d = dir.path().join("skills").join(owner).join(skill);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("_meta.json"), "{\"slug\": \"x\"}").unwrap();
        std::fs::write(d.join("SKILL.md"), text).unwrap();
    };
    put(
        "alice",
        "gpt",
        "---\nname: gpt\ndescription: Chat with GPT.\n---\n# GPT\n",
    );
    put(
        "bob",
        "gpt",
        "---\nname: gpt\ndescription: Another GPT skill.\ntags: [a, b]\n---\n",
    );
    put(
        "carol",
        "my-tool",
        "---\nname: My_Tool\ndescription: Does things.\nargument-hint: \"[x]\"\n---\n",
    );
    put("dave", "broken", "# Broken\n\nNo frontmatter.\n");
    let opts = forge_ls::check::Options {
        format: forge_ls::check::Format::Json,
        profile: Profile::Auto,
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = forge_ls::check::run(&opts, &mut out, &mut err);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{v:#}");
    assert!(
        errors[0]["path"].as_str().unwrap().contains("dave"),
        "{v:#}"
    );
    assert_eq!(code, 1);
    let dup = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "skill-duplicate-name")
        .count();
    // alice/gpt and bob/gpt are two owners' skills: no agent loads both, so no clash.
    assert_eq!(dup, 0, "{v:#}");
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|d| d["dialect"] == "openclaw"),
        "{v:#}"
    );
}

/// Pieces that hit the OpenClaw/Claude Code parsers' corners: delimiters, labels,
/// JSON, flow lists, quotes, multi-byte text and every kind of line end.
fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop::collection::vec(
        prop_oneof![
            Just("---\n".to_string()),
            Just("----\r\n".to_string()),
            Just("name: pdf-tools\n".to_string()),
            Just("description: a: b\n".to_string()),
            Just("metadata: {\"openclaw\": {\"os\": [\"macos\"], \"install\": [{\"kind\": \"brew\"}]}}\n".to_string()),
            Just("metadata:\n  clawdbot:\n    requires:\n      bins: [x]\n".to_string()),
            Just("metadata.openclaw: {\"a\": 1}\n".to_string()),
            Just("requires:\n  env: \"A,B\"\n".to_string()),
            Just("allowed-tools: Read Bash(git:*\n".to_string()),
            Just("- **Name:**\n  Quill\n".to_string()),
            Just("+ Vibe： calm\n".to_string()),
            Just("- Avatar: ../../x.png\n".to_string()),
            Just("tasks:\n- name: a\ninterval: 1h\n".to_string()),
            Just("\u{feff}".to_string()),
            Just("é🦉\r".to_string()),
            "[ -~]{0,12}",
        ],
        0..14,
    )
    .prop_map(|v| v.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Any text, in any dialect: no panic, ranges inside the text on char
    /// boundaries, and every quick fix applies to a text that analyses again.
    #[test]
    fn any_text_in_any_dialect_is_handled(text in fragment()) {
        let cases = [
            (FileKind::Skill, "/nowhere/skills/pdf-tools/SKILL.md", Profile::Openclaw),
            (FileKind::Skill, "/r/.claude/skills/pdf-tools/SKILL.md", Profile::Auto),
            (FileKind::Identity, "/nowhere/ws/IDENTITY.md", Profile::Openclaw),
            (FileKind::Workspace, "/nowhere/ws/HEARTBEAT.md", Profile::Openclaw),
            (FileKind::Skill, "/nowhere/skills/pdf-tools/SKILL.md", Profile::Auto),
        ];
        for (kind, path, profile) in cases {
            let path = Path::new(path);
            let a = analyze(kind, path, &text, profile);
            for d in &a.diagnostics {
                proptest::prop_assert!(d.range.start <= d.range.end && d.range.end <= text.len(), "{d:?}");
                proptest::prop_assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end), "{d:?}");
                for fix in &d.fixes {
                    for e in &fix.edits {
                        proptest::prop_assert!(e.range.end <= text.len() && text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end), "{fix:?}");
                    }
                    let fixed = fix.apply(&text);
                    let _ = analyze(kind, path, &fixed, profile);
                }
            }
        }
    }
}
