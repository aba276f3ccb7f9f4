//! Builder timings, in process: `answer` including its durable SQLite write (load, engine step,
//! save in a WAL transaction), and `assemble` of a bot with five new skills (plan, the files
//! written to disk as the editor would, memory recorded and the draft deleted).
//!
//! `cargo bench -p forge-ls --bench builder`

use std::time::{Duration, Instant};

use forge_builder::service as svc;
use forge_builder::settings::Settings;
use forge_builder::{BuilderTurn, Mode};
use forge_store::drafts::DraftStore;
use serde_json::json;

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

const SKILLS: &str = "meal-plan, grocery-list, recipe-search, nutrition-facts, pantry-tracker";

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = vec![dir.path().canonicalize().expect("canonical tempdir")];
    let settings = Settings::default();
    let store =
        DraftStore::open(svc::drafts_path(&folders, &settings).expect("path")).expect("store");
    let description = "A friendly assistant that helps me plan healthy meals";
    let ctx = svc::context(&store, &folders, description);

    // answer: whole sessions, every turn timed.
    let mut answers = Vec::new();
    let mut ready = None;
    while answers.len() < 300 {
        let mut s = svc::start_session(&store, &ctx, Mode::Bot, description, None).expect("start");
        while !s.is_ready() {
            let a = match &s.turn {
                BuilderTurn::ShowPreview { .. } => json!({"confirm": true}),
                BuilderTurn::AskQuestion { question, .. } if question.contains("skills") => {
                    json!({"text": SKILLS})
                }
                _ => json!({"option": 0}),
            };
            let t = Instant::now();
            s = svc::answer_session(&store, &ctx, &s.session_id, &a).expect("answer");
            answers.push(t.elapsed());
        }
        ready = Some(s);
    }
    stats("answer (engine + durable SQLite save)", answers);

    // The same turns without the store, to show what the durable write costs.
    let mut engine = Vec::new();
    while engine.len() < 300 {
        let mut s = forge_builder::start(Mode::Bot, description, &ctx);
        while !s.is_ready() {
            let a = match &s.turn {
                BuilderTurn::ShowPreview { .. } => json!({"confirm": true}),
                _ => json!({"option": 0}),
            };
            let a = forge_builder::Answer::from_json(&a).expect("answer shape");
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
    let disk = |p: &std::path::Path| svc::read_optional(p);
    let mut assembles = Vec::new();
    let mut written = 0;
    for _ in 0..30 {
        store.save(&s).expect("re-save the draft");
        let t = Instant::now();
        let plan = svc::plan_assemble(&s, &folders, &settings, None, &disk).expect("plan");
        for w in &plan.writes {
            std::fs::create_dir_all(w.path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&w.path, &w.new).expect("write");
        }
        svc::finish(&store, &s.session_id, Some(&plan.memory)).expect("finish");
        assembles.push(t.elapsed());
        written = plan.writes.len();
        std::fs::remove_dir_all(&plan.bot_folder).expect("clean up");
    }
    stats(&format!("assemble (5 skills, {written} files)"), assembles);
}
