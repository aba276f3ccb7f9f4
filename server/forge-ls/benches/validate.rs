//! Parse + validate throughput, and one edit-to-diagnostics cycle, in process.
//!
//! `cargo bench -p forge-ls --bench validate` (release). No framework: each case
//! is warmed up, then timed per iteration; the table shows the minimum, the
//! median and the 95th percentile (wall clock: on a busy machine, the minimum
//! is the closest to the uncontended cost). Targets (median): ≤ 1 ms for
//! 64 KiB, ≤ 10 ms for 1 MiB. An argument selects cases by substring.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use forge_analysis::document::Document;
use forge_analysis::rules::Profile;
use forge_analysis::{analyze, FileKind};
use forge_syntax::text::{LineCol, LineColRange, PositionEncoding};

const KIB: usize = 1024;

#[path = "common/docs.rs"]
mod docs;
use docs::body;

fn skill(size: usize) -> String {
    docs::skill("web-research", size)
}

/// A SOUL.md with its fields and the builder's sections, about `size` bytes.
fn soul(size: usize) -> String {
    let mut s = String::from(
        "---
name: Luna
traits: [curious, patient, playful]
tone: warm and encouraging 😀
---
# Luna

## Personality

Luna is curious and patient.

## Purpose

Help the user learn.

## Boundaries

Never give medical advice.

",
    );
    body(&mut s, size);
    s
}

struct Row {
    name: String,
    iterations: usize,
    min: Duration,
    median: Duration,
    p95: Duration,
    target: Option<Duration>,
}

/// Warm up, then time `f` per iteration for about `budget` (at least `min_iters` times).
fn measure(name: &str, target: Option<Duration>, mut f: impl FnMut()) -> Row {
    let budget = Duration::from_secs(2);
    let min_iters = 20;
    let warm = Instant::now();
    let mut warm_iters = 0;
    while warm_iters < 3 || (warm.elapsed() < budget / 4 && warm_iters < 200) {
        f();
        warm_iters += 1;
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_iters || (start.elapsed() < budget && times.len() < 5000) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Row {
        name: name.to_string(),
        iterations: times.len(),
        min: times[0],
        median: pick(0.5),
        p95: pick(0.95),
        target,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn analyze_case(kind: FileKind, path: &Path, text: &str) -> usize {
    let a = analyze(kind, path, text, Profile::Boternity);
    black_box(&a);
    a.diagnostics.len()
}

/// A one-character insertion in the middle of the body, in UTF-16 positions.
fn small_change(doc: &Document) -> (Option<LineColRange>, &'static str) {
    let line = doc.line_index().line_count() as u32 / 2;
    let at = LineCol::new(line, 0);
    (Some(LineColRange::new(at, at)), "x")
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects rows by substring.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let target = |size: usize| match size {
        s if s == 64 * KIB => Some(Duration::from_millis(1)),
        s if s == KIB * KIB => Some(Duration::from_millis(10)),
        _ => None,
    };

    let mut rows = Vec::new();
    let skill_path = PathBuf::from("/bench/skills/web-research/SKILL.md");
    let soul_path = PathBuf::from("/bench/bots/luna/SOUL.md");
    for size in [8 * KIB, 64 * KIB, KIB * KIB] {
        let label = if size >= KIB * KIB {
            format!("{} MiB", size / (KIB * KIB))
        } else {
            format!("{} KiB", size / KIB)
        };
        let text = skill(size);
        let name = format!("analyze SKILL.md {label}");
        if wanted(&name) {
            let n = analyze_case(FileKind::Skill, &skill_path, &text);
            rows.push(measure(
                &format!("{name} ({n} diags)"),
                target(size),
                || {
                    analyze_case(FileKind::Skill, &skill_path, &text);
                },
            ));
        }
        let text = soul(size);
        let name = format!("analyze SOUL.md {label}");
        if wanted(&name) {
            let n = analyze_case(FileKind::Soul, &soul_path, &text);
            rows.push(measure(
                &format!("{name} ({n} diags)"),
                target(size),
                || {
                    analyze_case(FileKind::Soul, &soul_path, &text);
                },
            ));
        }
        let name = format!("edit→diagnostics SKILL.md {label}");
        if wanted(&name) {
            let base = Document::new(
                skill_path.clone(),
                FileKind::Skill,
                1,
                &skill(size),
                Profile::Boternity,
            );
            let enc = PositionEncoding::Utf16;
            let mut version = 1;
            rows.push(measure(&name, target(size), || {
                version += 1;
                let change = small_change(&base);
                let doc = base.edited(version, [change], enc);
                let ranges: Vec<_> = doc
                    .analysis()
                    .diagnostics
                    .iter()
                    .map(|d| doc.range(d.range.clone(), enc))
                    .collect();
                black_box(ranges);
            }));
        }
    }

    // An OpenClaw skill bundling scripts: rule 43 looks at them on every analysis.
    let name = "analyze OpenClaw SKILL.md beside 32 scripts of 8 KiB";
    if wanted(name) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("web-search");
        std::fs::create_dir_all(dir.join("scripts")).expect("mkdir");
        for i in 0..32 {
            let mut script = format!("#!/bin/sh\ncurl -H \"$API_KEY_{i}\" \"$BASE_URL\"\n");
            while script.len() < 8 * KIB {
                script.push_str("echo \"step $STEP done\" >> \"$LOG_FILE\"\n");
            }
            std::fs::write(dir.join(format!("scripts/run-{i}.sh")), script).expect("write");
        }
        let path = dir.join("SKILL.md");
        let text = "---\nname: web-search\ndescription: Search the web.\nmetadata: {\"openclaw\": {\"requires\": {\"env\": [\"BASE_URL\"]}}}\n---\n\n# Web search\n\nRun the scripts.\n";
        let run = || analyze(FileKind::Skill, &path, text, Profile::Auto).diagnostics;
        let codes: Vec<&str> = run().iter().map(|d| d.code).collect();
        assert!(codes.contains(&"openclaw-env-undeclared"), "{codes:?}");
        rows.push(measure(
            &format!("{name} ({} diags)", codes.len()),
            None,
            || {
                black_box(run());
            },
        ));
    }

    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(10);
    println!(
        "\n{:width$}  {:>7}  {:>11}  {:>11}  {:>11}  {:>8}",
        "case", "iters", "min", "median", "p95", "target"
    );
    let mut missed = Vec::new();
    for r in &rows {
        let verdict = match r.target {
            Some(t) if r.median <= t => format!("≤ {} ok", ms(t)),
            Some(t) => {
                missed.push(r.name.clone());
                format!("> {} MISSED", ms(t))
            }
            None => String::new(),
        };
        println!(
            "{:width$}  {:>7}  {:>11}  {:>11}  {:>11}  {}",
            r.name,
            r.iterations,
            ms(r.min),
            ms(r.median),
            ms(r.p95),
            verdict
        );
    }
    if !missed.is_empty() {
        println!("\ntargets missed (median): {}", missed.join(", "));
    }
}
