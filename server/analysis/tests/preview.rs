//! The assembled prompts of `tests/fixtures/preview/`, compared with the texts written by hand from
//! each runtime's source (the fixture README cites the commits).

use std::path::{Path, PathBuf};

use forge_analysis::preview::{self, Request, Target};
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::{self, ScanSpec};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/preview")
}

fn assemble(case: &str) -> (preview::Prompt, String) {
    let root = fixtures().join(case).canonicalize().unwrap();
    let spec = ScanSpec {
        roots: vec![root.clone()],
        library: None,
        profile: Profile::Auto,
    };
    let index = index::build(index::scan(&spec, &|_, _| {}));
    let target = if root.join("ws").is_dir() {
        Target::Workspace(root.join("ws"))
    } else {
        let bots = root.join("bots");
        let bot = std::fs::read_dir(&bots)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert_eq!(
            preview::target(&bot.join("SOUL.md")),
            Some(Target::Bot(bot.clone()))
        );
        Target::Bot(bot)
    };
    let active = std::fs::read_to_string(root.join("active"))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let req = Request {
        active,
        ..Request::default()
    };
    let prompt = preview::assemble(&index, &target, &req);
    let expected = std::fs::read_to_string(root.join("expected.txt"))
        .unwrap()
        .replace("{WS}", &root.join("ws").display().to_string());
    (prompt, expected)
}

#[test]
fn boternity_prompts_match_boternitys_assembly() {
    for case in ["skills-active", "no-user", "no-identity", "emoji"] {
        let (prompt, expected) = assemble(case);
        assert_eq!(prompt.text, expected, "{case}");
        // Sections tile the text apart from the separators Boternity puts between them.
        let mut at = 0;
        for s in &prompt.sections {
            assert!(s.range.start >= at, "{case}: {s:?}");
            assert!(
                prompt.text[s.range.clone()].starts_with('<'),
                "{case}: {s:?}"
            );
            at = s.range.end;
        }
        assert_eq!(at, prompt.text.len(), "{case}");
        assert!(prompt.notes[0].contains("Memory sections"), "{case}");
    }
}

#[test]
fn sections_notes_and_models() {
    let (p, _) = assemble("skills-active");
    let names: Vec<&str> = p.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "soul",
            "identity",
            "active_skills",
            "user_context",
            "instructions",
            "available_skills"
        ]
    );
    assert_eq!(p.model.as_deref(), Some("gpt-4o"));
    let notes = p.notes.join("\n");
    assert!(notes.contains("`broken` is left out"), "{notes}");
    assert!(
        notes.contains("`missing` is attached but no such skill"),
        "{notes}"
    );
    // Files an editor watches: the bot's own and the attached skills'.
    assert!(p
        .files
        .iter()
        .any(|f| f.ends_with("skills/summarize/SKILL.md")));
    assert!(p.files.iter().any(|f| f.ends_with("quill/skills.toml")));

    let (p, _) = assemble("no-identity");
    assert_eq!(p.model.as_deref(), Some("claude-sonnet-4-20250514"));
    assert!(p
        .notes
        .iter()
        .any(|n| n.contains("SOUL.md's `name` stands in")));

    // gpt-4o: exact o200k counts; the sum of the sections stays close to the whole.
    let (p, _) = assemble("skills-active");
    let c = preview::count(p, None);
    assert!(c.exact);
    assert_eq!(c.tokenizer, "o200k_base");
    assert_eq!(c.context_window, 128_000);
    let sum: usize = c.section_tokens.iter().sum();
    assert!(
        sum <= c.tokens + c.section_tokens.len(),
        "{sum} vs {}",
        c.tokens
    );
    let (p, _) = assemble("emoji");
    let c = preview::count(p, None);
    assert!(!c.exact);
    assert_eq!(c.tokenizer, "o200k_base (estimate)");
    assert!(c.markdown().starts_with("# Boternity system prompt · ≈ "));
}

#[test]
fn openclaw_workspace_prompt() {
    let (prompt, expected) = assemble("openclaw");
    assert_eq!(prompt.text, expected);
    let names: Vec<&str> = prompt.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "available_skills",
            "project_context",
            "AGENTS.md",
            "SOUL.md",
            "IDENTITY.md",
            "USER.md"
        ]
    );
}

#[test]
fn skill_listing_and_body() {
    let root = fixtures().join("skills-active").canonicalize().unwrap();
    let path = root.join("skills/web-search/SKILL.md");
    let spec = ScanSpec {
        roots: vec![root.clone()],
        library: None,
        profile: Profile::Auto,
    };
    let index = index::build(index::scan(&spec, &|_, _| {}));
    assert_eq!(preview::target(&path), Some(Target::Skill(path.clone())));
    let p = preview::assemble(&index, &Target::Skill(path.clone()), &Request::default());
    let listing = &p.text[p.sections[0].range.clone()];
    let body = &p.text[p.sections[1].range.clone()];
    assert_eq!(
        listing,
        "  <skill name=\"web-search\">Search the web & cite <sources></skill>"
    );
    assert_eq!(
        body,
        "<skill name=\"web-search\">\n# Web search\n\nSearch first, then answer.\n</skill>"
    );
}
