//! The system prompt preview: assembling and counting the prompt of a bot with 10 attached skills
//! (in process), and what the prompt lens adds to a keystroke in a 64 KiB SOUL.md (the release
//! `forge-ls` over stdio, like an editor that asks for code lenses after each change).
//!
//!   cargo bench -p forge-ls --bench preview
//!   FORGE_BENCH_QUICK=1 cargo bench -p forge-ls --bench preview   # fewer samples
//!
//! No framework: each case is warmed up, then timed per iteration; min / median / p95 of wall
//! clock are printed (on a busy machine the minimum is the closest to the uncontended cost),
//! with the load average.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use forge_analysis::preview::{self, Request, Target};
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::{self, ScanSpec};

#[path = "../tests/support/mod.rs"]
mod support;
use support::editor::Options;
use support::{uri, Client};

#[path = "common/docs.rs"]
mod docs;

const KIB: usize = 1024;
const WAIT: Duration = Duration::from_secs(120);

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A workspace with one bot (`bots/quill`, SOUL.md of `soul_size` bytes) attaching 10 skills of
/// about 4 KiB each.
fn workspace(soul_size: usize, model: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let bot = root.join("bots/quill");
    write(
        &bot.join("IDENTITY.md"),
        &format!("---\ndisplay_name: Quill\ncategory: utility\nmodel: {model}\ntemperature: 0.3\nmax_tokens: 2048\n---\n\n# Quill - Identity Configuration\n"),
    );
    let mut soul =
        String::from("---\nname: Quill\ntone: plain and precise\n---\n\n# Personality\n\n");
    docs::body(&mut soul, soul_size);
    write(&bot.join("SOUL.md"), &soul);
    write(&bot.join("USER.md"), "# User\n\nKeep answers short.\n");
    let mut toml = String::new();
    for i in 0..10 {
        let name = format!("skill-{i}");
        write(
            &root.join(format!("skills/{name}/SKILL.md")),
            &docs::skill(&name, 4 * KIB),
        );
        toml.push_str(&format!("[skills.{name}]\nskill_name = \"{name}\"\n\n"));
    }
    write(&bot.join("skills.toml"), &toml);
    (dir, root)
}

struct Lat(Vec<Duration>);

impl Lat {
    fn triple(&mut self) -> String {
        self.0.sort();
        let p = |q: f64| {
            let i = ((self.0.len() - 1) as f64 * q).round() as usize;
            self.0[i].as_secs_f64() * 1e3
        };
        format!("{:.3} / {:.3} / {:.3}", p(0.0), p(0.5), p(0.95))
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// In process: assemble + count the prompt of the 10-skill bot.
fn in_process(iterations: usize) {
    for (model, what) in [
        ("gpt-4o", "exact o200k_base"),
        ("claude-sonnet-4-20250514", "estimate"),
    ] {
        let (_dir, root) = workspace(4 * KIB, model);
        let spec = ScanSpec {
            roots: vec![root.clone()],
            library: None,
            profile: Profile::Auto,
        };
        let idx = index::build(index::scan(&spec, &|_, _| {}));
        let target = Target::Bot(root.join("bots/quill"));
        let req = Request {
            active: vec!["skill-0".into(), "skill-1".into()],
            ..Request::default()
        };
        // The first count loads the tokenizer's vocabulary (once per process).
        let t = Instant::now();
        let first = preview::count(preview::assemble(&idx, &target, &req), None);
        let cold = t.elapsed();
        let mut assemble = Lat(Vec::new());
        let mut counted = Lat(Vec::new());
        for _ in 0..iterations {
            let t = Instant::now();
            let p = black_box(preview::assemble(&idx, &target, &req));
            assemble.0.push(t.elapsed());
            let t = Instant::now();
            black_box(preview::count(p, None));
            counted.0.push(t.elapsed());
        }
        let mut total = Lat(assemble
            .0
            .iter()
            .zip(&counted.0)
            .map(|(a, c)| *a + *c)
            .collect());
        println!(
            "preview, 10 skills (2 active), {model} ({what}): {} bytes, {} tokens, {} sections",
            first.prompt.text.len(),
            first.tokens,
            first.prompt.sections.len()
        );
        println!(
            "  assemble + count  min/median/p95 ms   {}   (first call, vocabulary load: {:.1} ms)",
            total.triple(),
            cold.as_secs_f64() * 1e3
        );
        println!(
            "  assemble          min/median/p95 ms   {}",
            assemble.triple()
        );
        println!(
            "  count             min/median/p95 ms   {}",
            counted.triple()
        );
    }
}

/// Keystrokes at the end of a 64 KiB SOUL.md: didChange → publishDiagnostics. With `lens`, every
/// other keystroke is followed by the code lens request an editor sends after a change, so the
/// keystrokes after a lens and those after none are measured in the same session, interleaved
/// (a busy machine's drift hits both alike). Returns (after no lens, after a lens, lens requests).
fn keystrokes(settings: Value, lens: bool, count: usize) -> (Lat, Lat, Lat) {
    let (_dir, root) = workspace(64 * KIB, "claude-sonnet-4-20250514");
    let mut c = Client::editor_with(
        &root,
        Options {
            settings,
            ..Default::default()
        },
    );
    let soul = root.join("bots/quill/SOUL.md");
    let text = std::fs::read_to_string(&soul).unwrap();
    let u = uri(&soul);
    c.open(&u, 1, &text);
    c.diagnostics_for_version_within(&u, 1, WAIT);
    // The first lens request loads the tokenizer's vocabulary: not a keystroke's cost.
    c.call("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.len() - 1;
    let end = lines[line].encode_utf16().count() as u64;
    let (mut plain, mut after, mut lenses) = (Lat(Vec::new()), Lat(Vec::new()), Lat(Vec::new()));
    let warm = 6;
    let mut lens_before = false;
    for (i, v) in (2..(2 + warm + 2 * count) as i64).enumerate() {
        let col = end + i as u64;
        let range = support::range(line as u64, col, line as u64, col);
        let t = Instant::now();
        c.change(&u, v, json!([{"range": range, "text": "x"}]));
        c.diagnostics_for_version_within(&u, v, WAIT);
        let typed = t.elapsed();
        if i >= warm {
            if lens_before { &mut after } else { &mut plain }
                .0
                .push(typed);
        }
        lens_before = lens && i % 2 == 0;
        if lens_before {
            let t = Instant::now();
            black_box(c.call("textDocument/codeLens", json!({"textDocument": {"uri": u}})));
            if i >= warm {
                lenses.0.push(t.elapsed());
            }
        }
    }
    (plain, after, lenses)
}

fn main() {
    let quick = std::env::var_os("FORGE_BENCH_QUICK").is_some_and(|v| v != "0");
    let (iterations, strokes) = if quick { (50, 30) } else { (300, 150) };
    println!("load average at start: {}", load_average());
    in_process(iterations);

    println!("keystroke at the end of a 64 KiB SOUL.md of that bot (release forge-ls over stdio):");
    let (mut plain, mut after, mut lens) = keystrokes(json!({}), true, strokes);
    println!(
        "  after no lens request                  didChange → diagnostics min/median/p95 ms   {}",
        plain.triple()
    );
    println!(
        "  after a codeLens request               didChange → diagnostics min/median/p95 ms   {}",
        after.triple()
    );
    println!(
        "  the codeLens request (prompt lens)     request → response     min/median/p95 ms   {}",
        lens.triple()
    );
    let (mut budget, _, _) = keystrokes(
        json!({"budget": {"systemPromptTokens": 1000}}),
        false,
        strokes,
    );
    println!(
        "  budget.systemPromptTokens = 1000       didChange → diagnostics min/median/p95 ms   {}",
        budget.triple()
    );
    println!("load average at end: {}", load_average());
}
