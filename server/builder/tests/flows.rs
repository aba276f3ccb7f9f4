//! Builder flows as data: one folder per scenario under `tests/fixtures/builder/<scenario>/`,
//! driven through the builder commands the server runs (`forge_builder::commands`, each holding
//! its session's turn as the server does) with a real drafts database on a temporary file and the
//! files written to disk (`DiskHost`), not through LSP. No model is set, so the turns are the
//! offline engine's.
//!
//! A scenario folder holds:
//!
//! - `answers.json`, what the user does:
//!   - `command`: how the flow begins, as the LSP command would: `forge.builder.start` (the
//!     default), `forge.builder.reconfigure` or `forge.skill.create` (without a session);
//!   - `mode` (`bot`, `skill` or `openclaw-workspace`) and `description`: `forge.builder.start`'s arguments, or
//!     `forge.skill.create`'s `description`;
//!   - `bot`: the bot folder (relative to the workspace) that `forge.builder.reconfigure`'s `uri`
//!     points into, or `forge.skill.create`'s `bot` (the skill is attached to it);
//!   - `name`: `forge.skill.create`'s `name`;
//!   - `answers`: each answer exactly as `forge.builder.answer` takes it (`{"option": n}`,
//!     `{"text": "..."}`, `{"confirm": true}`, `{"back": true}`); after the last one the session
//!     must be ready to assemble;
//! - `before/` (optional): the workspace the flow starts in (a bot to reconfigure, skills to offer);
//! - `after/`: the whole workspace once the plan is written (`forge.builder.assemble` for a bot
//!   session, `forge.skill.create` for a skill), the drafts database aside;
//! - `transcript.md`: each turn the builder showed and the answer given to it.
//!
//! `after/` and `transcript.md` are snapshots: `FORGE_BLESS=1 cargo test -p forge-builder --test
//! flows` rewrites them from what the builder does now (review the diff). Neither holds a
//! timestamp or a session id: a session keeps its own in the drafts database, which is no part
//! of the snapshots. Besides the snapshots, every scenario checks that each answer is saved, that
//! the draft is gone once the files are written, that an assembled bot is remembered, and that
//! no file written has an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use forge_analysis::workspace::index::Index;
use forge_builder::commands::{self as cmds, DiskHost, SkillRequest, View};
use forge_builder::drafts::Drafts;
use forge_builder::service::{self as svc, FileWrite};
use forge_builder::settings::Settings;
use forge_builder::{Answer, BuilderTurn, MemoryEntry, Mode, Session};
use forge_syntax::diagnostic::Severity;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/builder")
}

fn bless() -> bool {
    std::env::var_os("FORGE_BLESS").is_some()
}

/// `answers.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    #[serde(default = "default_command")]
    command: String,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    bot: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    answers: Vec<Value>,
}

fn default_command() -> String {
    "forge.builder.start".into()
}

/// The workspace of one run (a temporary folder holding a copy of `before/`) and the server's
/// handles on it.
struct Run {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    view: View,
    drafts: Drafts,
    host: DiskHost,
    cancel: CancellationToken,
    transcript: String,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file under `root` by its relative path (`/`-separated), `.forge/` (the drafts) left out.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".forge" {
                continue;
            }
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

impl Run {
    fn new(scenario: &Path) -> Run {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("workspace");
        std::fs::create_dir_all(&root).unwrap();
        let before = scenario.join("before");
        if before.is_dir() {
            copy_tree(&before, &root);
        }
        let view = View {
            folders: Arc::new(vec![root.clone()]),
            settings: Arc::new(Settings::default()),
            // No index yet: the workspace's skills are listed by walking it.
            index: Arc::new(Index::new()),
            read: Arc::new(svc::read_optional),
            models: None,
        };
        Run {
            _tmp: tmp,
            root,
            view,
            drafts: Drafts::default(),
            host: DiskHost,
            cancel: CancellationToken::new(),
            transcript: String::new(),
        }
    }

    /// The stored session, as `forge.builder.session` reads it.
    async fn stored(&self, id: &str) -> cmds::Result<Session> {
        cmds::session(&self.drafts, &self.view, &self.host, id.to_string()).await
    }

    /// The memories the builder recalls for a bot about `about`.
    async fn memory(&self, about: &str) -> Vec<MemoryEntry> {
        let about = about.to_string();
        let path = svc::drafts_path(&self.view.folders, &self.view.settings);
        let opened = self
            .drafts
            .run(path, false, move |store| {
                Ok(svc::context_with(store, Vec::new(), &about).memory)
            })
            .await
            .unwrap();
        opened.value.unwrap_or_default()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn note(&mut self, line: impl AsRef<str>) {
        self.transcript.push_str(line.as_ref());
        self.transcript.push('\n');
    }

    fn show(&mut self, step: usize, s: &Session) {
        let label = match &s.turn {
            BuilderTurn::AskQuestion {
                phase,
                question,
                options,
                allow_free_text,
                ..
            } => {
                let id = s.pending.question_id.as_deref().unwrap_or("?");
                let mut out = format!("{step}. ask_question ({phase:?}, `{id}`): {question}");
                for (i, o) in options.iter().enumerate() {
                    out.push_str(&format!("\n   - [{i}] {}", o.label));
                    if let Some(d) = o.description.as_deref().filter(|d| !d.is_empty()) {
                        // One line per option, whatever the description holds.
                        let d: Vec<&str> = d.lines().filter(|l| !l.trim().is_empty()).collect();
                        out.push_str(&format!(": {}", d.join(" / ")));
                    }
                }
                if *allow_free_text {
                    out.push_str("\n   - (free text)");
                }
                out
            }
            BuilderTurn::ShowPreview { phase, preview } => {
                let mut out = format!("{step}. show_preview ({phase:?})");
                for (k, v) in [
                    ("name", &preview.name),
                    ("description", &preview.description),
                    ("personality", &preview.personality_summary),
                    ("model", &preview.model),
                ] {
                    if let Some(v) = v {
                        out.push_str(&format!("\n   - {k}: {v}"));
                    }
                }
                if !preview.skills.is_empty() {
                    out.push_str(&format!("\n   - skills: {}", preview.skills.join(", ")));
                }
                out
            }
            BuilderTurn::ReadyToAssemble { config, .. } => {
                format!("{step}. ready_to_assemble: {}", config.name)
            }
            BuilderTurn::Clarify { message } => format!("{step}. clarify: {message}"),
        };
        self.note(label);
    }

    /// Notes what a plan wrote, each file with what happened to it.
    fn written(&mut self, writes: &[FileWrite]) {
        for w in writes {
            let what = match (&w.old, &w.new) {
                (_, None) => "deleted",
                (Some(_), _) => "updated",
                (None, _) => "created",
            };
            let line = format!("- {what} {}", self.rel(&w.path));
            self.note(line);
        }
    }

    /// The files written are on disk and have no error, the cross-file ones included: the whole
    /// workspace is checked (the settings' profile, no skill library), as `check` would.
    fn assert_valid(&self, writes: &[FileWrite]) {
        for w in writes {
            let now = svc::read_optional(&w.path).unwrap();
            assert_eq!(now, w.new, "{}: not written", w.path.display());
        }
        let batch = forge_analysis::check::check_paths_in(
            std::slice::from_ref(&self.root),
            self.view.settings.profile,
            None,
        );
        let written = |p: &Path| writes.iter().any(|w| w.path == p);
        for r in batch.reports.iter().filter(|r| written(&r.path)) {
            let errors: Vec<String> = r
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            assert!(
                errors.is_empty(),
                "{} has errors: {errors:#?}\n{}",
                r.path.display(),
                r.text
            );
        }
    }
}

/// Plays one scenario; returns the workspace afterwards and the transcript.
async fn play(scenario: &Path) -> (BTreeMap<String, String>, String) {
    let script: Script =
        serde_json::from_str(&std::fs::read_to_string(scenario.join("answers.json")).unwrap())
            .unwrap_or_else(|e| panic!("{}/answers.json: {e}", scenario.display()));
    let mut run = Run::new(scenario);
    let description = script.description.clone().unwrap_or_default();
    let bot = script.bot.as_deref().map(|b| run.path(b));

    if script.command == "forge.skill.create" {
        assert!(
            script.answers.is_empty() && script.mode.is_none(),
            "forge.skill.create without a session takes no mode and no answers"
        );
        run.note(format!(
            "forge.skill.create {}",
            args(json!({"description": description, "name": script.name, "bot": script.bot}))
        ));
        let req = SkillRequest {
            session_id: None,
            description: Some(description),
            name: script.name.clone(),
            bot,
            confirm: None,
        };
        let plan = cmds::create_skill(&run.drafts, &run.view, &run.host, &run.cancel, req)
            .await
            .unwrap_or_else(|e| panic!("{}: forge.skill.create: {e}", scenario.display()));
        run.written(&plan.writes);
        run.assert_valid(&plan.writes);
        return (tree(&run.root), run.transcript);
    }

    let mut session = match script.command.as_str() {
        "forge.builder.start" => {
            let mode = script.mode.expect("forge.builder.start needs a mode");
            run.note(format!(
                "forge.builder.start {}",
                args(json!({"mode": mode, "description": description}))
            ));
            cmds::start(
                &run.drafts,
                &run.view,
                &run.host,
                &run.cancel,
                mode,
                description.clone(),
                None,
            )
            .await
            .unwrap()
        }
        "forge.builder.reconfigure" => {
            let rel = script
                .bot
                .as_deref()
                .expect("forge.builder.reconfigure needs a bot");
            run.note(format!("forge.builder.reconfigure {{\"uri\": \"{rel}\"}}"));
            let path = bot.clone().unwrap();
            cmds::reconfigure(&run.drafts, &run.view, &run.host, &run.cancel, &path)
                .await
                .unwrap()
        }
        other => panic!("{}: unknown command `{other}`", scenario.display()),
    };
    let id = session.session_id.clone();
    for (i, answer) in script.answers.iter().enumerate() {
        run.show(i + 1, &session);
        run.note(format!("   > {answer}"));
        let refused = |e: &dyn std::fmt::Display, transcript: &str| {
            format!(
                "{}: answer {} ({answer}) refused: {e}\n{transcript}",
                scenario.display(),
                i + 1
            )
        };
        let parsed = Answer::from_json(answer)
            .unwrap_or_else(|e| panic!("{}", refused(&e, &run.transcript)));
        // As the server does: the command holds its session's turn from load to save.
        let turn = run.drafts.queue(&id).take().await;
        let next = cmds::answer(
            &run.drafts,
            &run.view,
            &run.host,
            &run.cancel,
            id.clone(),
            parsed,
        )
        .await;
        drop(turn);
        session = next.unwrap_or_else(|e| panic!("{}", refused(&e, &run.transcript)));
        assert_eq!(
            run.stored(&id).await.unwrap(),
            session,
            "the answer is saved"
        );
    }
    run.show(script.answers.len() + 1, &session);
    assert!(
        session.is_ready(),
        "{}: not ready to assemble after every answer:\n{}",
        scenario.display(),
        run.transcript
    );

    match session.mode {
        Mode::Bot | Mode::OpenclawWorkspace => {
            run.note("forge.builder.assemble");
            let turn = run.drafts.queue(&id).take().await;
            let plan = cmds::assemble(&run.drafts, &run.view, &run.host, id.clone(), None)
                .await
                .unwrap();
            drop(turn);
            run.written(&plan.writes);
            run.assert_valid(&plan.writes);
            // Builder memory is about bots (§7.10); the ritual records none.
            if session.mode == Mode::Bot {
                let slug = plan.bot_folder.file_name().and_then(|n| n.to_str());
                let remembered = run.memory(&session.description).await;
                assert!(
                    remembered.iter().any(|m| m.bot_slug.as_deref() == slug),
                    "{}: the assembled bot is not remembered: {remembered:?}",
                    scenario.display()
                );
            }
        }
        Mode::Skill => {
            run.note(format!(
                "forge.skill.create {}",
                args(json!({"session_id": "…", "bot": script.bot}))
            ));
            let req = SkillRequest {
                session_id: Some(id.clone()),
                description: None,
                name: None,
                bot,
                confirm: None,
            };
            let turn = run.drafts.queue(&id).take().await;
            let plan = cmds::create_skill(&run.drafts, &run.view, &run.host, &run.cancel, req)
                .await
                .unwrap();
            drop(turn);
            run.written(&plan.writes);
            run.assert_valid(&plan.writes);
        }
    }
    assert!(
        run.stored(&id).await.is_err(),
        "{}: the draft outlives the assemble",
        scenario.display()
    );
    (tree(&run.root), run.transcript)
}

/// A readable account of how two trees differ.
fn tree_diff(want: &BTreeMap<String, String>, got: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, text) in got {
        match want.get(path) {
            None => out.push_str(&format!("\n+++ {path} (not in after/)\n{text}")),
            Some(w) if w != text => {
                let diff = similar::TextDiff::from_lines(w.as_str(), text.as_str());
                out.push_str(&format!(
                    "\n{}",
                    diff.unified_diff()
                        .header(&format!("after/{path}"), &format!("got/{path}"))
                ));
            }
            Some(_) => {}
        }
    }
    for path in want.keys().filter(|p| !got.contains_key(*p)) {
        out.push_str(&format!("\n--- {path} (in after/, not written)\n"));
    }
    out
}

fn bless_tree(dir: &Path, files: &BTreeMap<String, String>) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn scenarios() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn every_scenario_assembles_its_after_snapshot() {
    let mut failures = Vec::new();
    for scenario in scenarios() {
        let name = scenario.file_name().unwrap().to_string_lossy().into_owned();
        let (got, transcript) = play(&scenario).await;
        let after = scenario.join("after");
        let transcript_path = scenario.join("transcript.md");
        let transcript = format!("# {name}\n\n{transcript}");
        if bless() {
            bless_tree(&after, &got);
            std::fs::write(&transcript_path, &transcript).unwrap();
            continue;
        }
        let want = if after.is_dir() {
            tree(&after)
        } else {
            BTreeMap::new()
        };
        if want != got {
            failures.push(format!(
                "{name}: the files differ from after/ (FORGE_BLESS=1 rewrites it):{}",
                tree_diff(&want, &got)
            ));
        }
        let want = std::fs::read_to_string(&transcript_path).unwrap_or_default();
        if want != transcript {
            let diff = similar::TextDiff::from_lines(want.as_str(), transcript.as_str());
            failures.push(format!(
                "{name}: the turns differ from transcript.md (FORGE_BLESS=1 rewrites it):\n{}",
                diff.unified_diff().header("transcript.md", "got")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The scenarios the builder must keep covering.
#[test]
fn the_scenarios_cover_the_flows() {
    let names: Vec<String> = scenarios()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "bot-offline-defaults",
        "bot-free-text",
        "bot-reconfigure-tone",
        "bot-back-once",
        "skill-from-description",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "tests/fixtures/builder/{want} is missing"
        );
    }
    for p in scenarios() {
        assert!(
            p.join("answers.json").is_file(),
            "{}: no answers.json",
            p.display()
        );
    }
    let back = std::fs::read_to_string(scenarios_dir().join("bot-back-once/answers.json")).unwrap();
    assert!(back.contains("\"back\""), "bot-back-once goes back");
}

/// A command's arguments as the transcript shows them: keys sorted, whatever serde_json's
/// `preserve_order` feature (another crate of the workspace may turn it on) makes of a `json!`.
fn args(mut v: serde_json::Value) -> String {
    v.sort_all_objects();
    v.to_string()
}
