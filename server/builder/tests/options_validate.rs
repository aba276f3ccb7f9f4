//! Every option of every builder question, written into a bot, a skill or an OpenClaw workspace
//! and analysed by the validator: what the builder offers must never be what the validator
//! rejects (no errors, no warnings). Options depend on the description (its category), memory and workspace skills, so
//! the walk covers every purpose category with memory and skills present.

use std::path::{Path, PathBuf};

use forge_analysis::rules::Profile;
use forge_analysis::{analyze, FileKind};
use forge_builder::flow::{apply_value, complete_config, complete_skill, options_for, OptionInput};
use forge_builder::openclaw;
use forge_builder::{
    answer, render_bot, render_skill, start, Answer, BuilderContext, BuilderTurn, MemoryEntry,
    Mode, PurposeCategory, Session, WorkspaceSkill, QUESTIONS,
};
use forge_syntax::diagnostic::Severity;

/// One description per purpose category the classifier knows, and one it does not.
const DESCRIPTIONS: &[&str] = &[
    "Sends me email reminders and converts units",
    "A complex analyst for quarterly financial data",
    "Writes short stories and poems with me",
    "Reviews my Rust code and debugs failing tests",
    "Researches papers and summarises the literature",
    "Answers customer support questions for our shop",
    "Keeps me company on long walks",
];

fn context() -> BuilderContext {
    BuilderContext {
        workspace_skills: vec![
            WorkspaceSkill {
                name: "web-search".into(),
                description: "Search the web for current facts".into(),
            },
            WorkspaceSkill {
                name: "pdf-summary".into(),
                description: "Summarise long PDF reports".into(),
            },
        ],
        memory: vec![MemoryEntry {
            purpose_category: Some(PurposeCategory::Coding),
            initial_description: "an old code helper".into(),
            chosen_tone: Some("dry wit".into()),
            chosen_model: Some("gpt-4o".into()),
            chosen_skills: vec!["web-search".into()],
            bot_slug: Some("coder".into()),
            created_at: "2026-01-01T00:00:00.000000Z".into(),
        }],
        now: String::new(),
        models: None,
    }
}

fn finished(mode: Mode, description: &str, ctx: &BuilderContext) -> Session {
    let mut s = start(mode, description, ctx);
    for _ in 0..60 {
        if s.is_ready() {
            return s;
        }
        let a = match &s.turn {
            BuilderTurn::ShowPreview { .. } => Answer::Confirm(true),
            // A question with nothing to offer (the user's own name) takes free text.
            BuilderTurn::AskQuestion { options, .. } if options.is_empty() => {
                Answer::Text("Ada Lovelace".into())
            }
            _ => Answer::Option(0),
        };
        s = answer(&s, a, ctx).expect("the first option is accepted");
    }
    panic!("session never got ready: {:?}", s.turn);
}

/// Errors and warnings of `text` as the file at `path`.
fn problems(path: &Path, text: &str, profile: Profile) -> Vec<String> {
    let kind = FileKind::from_path(path).expect("a bot or skill file");
    analyze(kind, path, text, profile)
        .diagnostics
        .into_iter()
        .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning))
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

fn openclaw_templates() -> openclaw::WorkspaceTexts {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/builder/openclaw-bootstrap/before");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    openclaw::WorkspaceTexts {
        identity: read("IDENTITY.md"),
        user: read("USER.md"),
        soul: read("SOUL.md"),
        bootstrap: read("BOOTSTRAP.md"),
    }
}

#[test]
fn every_option_of_every_question_validates() {
    let ctx = context();
    let bot = PathBuf::from("/w/bots/b");
    let mut checked = 0;
    let mut failures = Vec::new();
    for description in DESCRIPTIONS {
        for mode in [Mode::Bot, Mode::Skill, Mode::OpenclawWorkspace] {
            let s = finished(mode, description, &ctx);
            let category = s
                .purpose_category
                .clone()
                .unwrap_or(PurposeCategory::Custom(String::new()));
            for q in QUESTIONS.iter().filter(|q| q.mode == mode) {
                let input = OptionInput {
                    description,
                    category: &category,
                    config: &s.config,
                    skill: s.skill.as_ref(),
                    workspace: s.workspace.as_ref(),
                    ctx: &ctx,
                };
                for c in options_for(q, &input) {
                    let mut config = s.config.clone();
                    let mut skill = s.skill.clone().unwrap_or_default();
                    let mut ws = s.workspace.clone().unwrap_or_default();
                    apply_value(q, &c.value, &mut config, &mut skill, &mut ws)
                        .expect("an option fits its own field");
                    let files: Vec<(PathBuf, String)> = match mode {
                        Mode::Bot => {
                            let full =
                                complete_config(&config, description, &category).expect("complete");
                            let f = render_bot(&full);
                            let mut files = vec![
                                (bot.join("IDENTITY.md"), f.identity_md),
                                (bot.join("SOUL.md"), f.soul_md),
                                (bot.join("USER.md"), f.user_md),
                            ];
                            files.extend(f.skills_toml.map(|t| (bot.join("skills.toml"), t)));
                            for (name, text) in f.new_skills {
                                files.push((bot.join("skills").join(name).join("SKILL.md"), text));
                            }
                            files
                        }
                        Mode::Skill => {
                            let full = complete_skill(&skill, description).expect("complete");
                            let path = PathBuf::from("/w/skills").join(&full.name).join("SKILL.md");
                            vec![(path, render_skill(&full))]
                        }
                        Mode::OpenclawWorkspace => {
                            // Written into OpenClaw's own templates, as the ritual finds them.
                            let mut texts = openclaw_templates();
                            for t in q.targets {
                                texts = openclaw::write(&texts, t, &c.value);
                            }
                            let ws_dir = PathBuf::from("/w/openclaw");
                            [
                                ("IDENTITY.md", texts.identity),
                                ("USER.md", texts.user),
                                ("SOUL.md", texts.soul),
                            ]
                            .into_iter()
                            .map(|(f, t)| (ws_dir.join(f), t.unwrap_or_default()))
                            .collect()
                        }
                    };
                    let profile = match mode {
                        Mode::OpenclawWorkspace => Profile::Openclaw,
                        _ => Profile::Boternity,
                    };
                    for (path, text) in files {
                        checked += 1;
                        let p = problems(&path, &text, profile);
                        if !p.is_empty() {
                            failures.push(format!(
                                "{description:?} / {} / option {:?} → {}: {p:?}",
                                q.id,
                                c.option.label,
                                path.display()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
