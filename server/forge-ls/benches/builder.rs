//! Builder timings, in process: `answer` including its durable SQLite write (load, engine step,
//! save in a WAL transaction), and `assemble` of a bot with five new skills (plan, the files
//! written to disk as the editor would, memory recorded and the draft deleted), through the same
//! functions the server's commands call.
//!
//! `cargo bench -p forge-ls --bench builder`

use std::sync::Arc;
use std::time::{Duration, Instant};

use forge_analysis::workspace::index::Index;
use forge_builder::commands::{self as cmds, DiskHost, View};
use forge_builder::drafts::Drafts;
use forge_builder::service as svc;
use forge_builder::settings::Settings;
use forge_builder::{Answer, BuilderContext, BuilderTurn, Mode};
use forge_store::drafts::DraftStore;
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let total: Duration = samples.iter().sum();
    println!(
        "{name:<40} n={n:<4} median {:>8.3} ms  p95 {:>8.3} ms  mean {:>8.3} ms",
        samples[n / 2].as_secs_f64() * 1e3,
        samples[(n * 95 / 100).min(n - 1)].as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / n as f64,
    );
}

/// One chat message through `commands::chat`, its time added to `turns`.
async fn timed_chat(
    (drafts, view, cancel): (&Drafts, &View, &CancellationToken),
    turns: &mut Vec<Duration>,
    session_id: Option<&str>,
    message: &str,
) -> cmds::ChatResult {
    let req = cmds::ChatRequest {
        session_id: session_id.map(str::to_string),
        mode: None,
        message: message.into(),
        new_id: None,
        folder: None,
    };
    let t = Instant::now();
    let r = cmds::chat(drafts, view, &DiskHost, cancel, req)
        .await
        .expect("chat");
    turns.push(t.elapsed());
    r
}

const SKILLS: &str = "meal-plan, grocery-list, recipe-search, nutrition-facts, pantry-tracker";

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

/// The commands the server runs (`forge_builder::commands`), with the files written to disk
/// instead of through an editor.
async fn run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = vec![dir.path().canonicalize().expect("canonical tempdir")];
    let view = View {
        folders: Arc::new(folders.clone()),
        settings: Arc::new(Settings::default()),
        index: Arc::new(Index::new()),
        read: Arc::new(svc::read_optional),
        models: None,
    };
    let drafts = Drafts::default();
    let host = DiskHost;
    let cancel = CancellationToken::new();
    let description = "A friendly assistant that helps me plan healthy meals";

    // answer: whole sessions, every turn timed.
    let mut answers = Vec::new();
    let mut ready = None;
    while answers.len() < 300 {
        let mut s = cmds::start(
            &drafts,
            &view,
            &host,
            &cancel,
            Mode::Bot,
            description.into(),
            None,
        )
        .await
        .expect("start");
        while !s.is_ready() {
            let a = match &s.turn {
                BuilderTurn::ShowPreview { .. } => json!({"confirm": true}),
                BuilderTurn::AskQuestion { question, .. } if question.contains("skills") => {
                    json!({"text": SKILLS})
                }
                _ => json!({"option": 0}),
            };
            let a = Answer::from_json(&a).expect("answer shape");
            let t = Instant::now();
            s = cmds::answer(&drafts, &view, &host, &cancel, s.session_id.clone(), a)
                .await
                .expect("answer");
            answers.push(t.elapsed());
        }
        ready = Some(s);
    }
    stats("answer (engine + durable SQLite save)", answers);

    // chat: whole conversations in plain words, every turn timed (reading the message, the
    // engine step, the reply written, the transcript grown and saved durably).
    let mut turns = Vec::new();
    let ctx = (&drafts, &view, &cancel);
    while turns.len() < 300 {
        let mut r = timed_chat(ctx, &mut turns, None, description).await;
        let id = r.session.session_id.clone();
        for message in ["Nutri", "1", "2"] {
            r = timed_chat(ctx, &mut turns, Some(&id), message).await;
        }
        while !r.session.is_ready() {
            let message = match r.session.turn {
                BuilderTurn::ShowPreview { .. } => "looks good",
                _ => "skip",
            };
            r = timed_chat(ctx, &mut turns, Some(&id), message).await;
        }
        cmds::delete(&drafts, &view, &host, id)
            .await
            .expect("delete");
    }
    stats("chat (offline + durable SQLite save)", turns);

    // The same turns without the store, to show what the durable write costs.
    let ctx = BuilderContext::default();
    let mut engine = Vec::new();
    while engine.len() < 300 {
        let mut s = forge_builder::start(Mode::Bot, description, &ctx);
        while !s.is_ready() {
            let a = match &s.turn {
                BuilderTurn::ShowPreview { .. } => json!({"confirm": true}),
                _ => json!({"option": 0}),
            };
            let a = Answer::from_json(&a).expect("answer shape");
            let t = Instant::now();
            s = forge_builder::answer(&s, a, &ctx).expect("answer");
            engine.push(t.elapsed());
        }
    }
    stats("answer (engine only, no store)", engine);

    // assemble with five new skills.
    let s = ready.expect("a ready session");
    let skills = s.full_config().expect("config").skills.len();
    assert_eq!(skills, 5, "the bench bot should have five skills");
    let store = DraftStore::open(svc::drafts_path(&view.folders, &view.settings).expect("path"))
        .expect("store");
    let mut assembles = Vec::new();
    let mut written = 0;
    for _ in 0..30 {
        store.save(&s).expect("re-save the draft");
        let t = Instant::now();
        let plan = cmds::assemble(&drafts, &view, &host, s.session_id.clone(), None)
            .await
            .expect("assemble");
        assembles.push(t.elapsed());
        written = plan.writes.len();
        std::fs::remove_dir_all(&plan.bot_folder).expect("clean up");
    }
    stats(&format!("assemble (5 skills, {written} files)"), assembles);
}
