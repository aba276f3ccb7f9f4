//! Synthetic workspaces and the workspace-index benchmark.
//!
//! `cargo run --release --example workspace_bench -- N [DIR]` writes a
//! workspace of N skills (10% of them with references: a dependency with a
//! version requirement and a parent) and N/20 bots attaching three skills each
//! into DIR (a temp dir when omitted), then measures the cold index (walk,
//! read, parse, cross-file rules), the re-check after editing one skill, the
//! latency of skill-name completion, and the process's peak RSS. Run one N per
//! process so the peak RSS is that workspace's.
//!
//! Release build, 2 shared cores, 10,000 skills (26 Nov 2026): cold index
//! ~0.2 s, edit re-check ~15 ms, completion p50 0.32 ms (empty prefix, item
//! pages included) / 0.8 ms (a prefix), peak RSS ~32 MB.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use forge_analysis::rules::Profile;
use forge_analysis::workspace::{complete, index, rules};
use forge_analysis::FileKind;

#[path = "../benches/common/workspace.rs"]
mod workspace;

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let tmp;
    let root: PathBuf = match args.get(1) {
        Some(d) => PathBuf::from(d),
        None => {
            tmp = tempfile::tempdir().expect("temp dir");
            tmp.path().to_path_buf()
        }
    };
    let files = workspace::generate(&root, n, n / 20).expect("generate");
    let rss_before = peak_rss_kb().unwrap_or(0);

    // Cold index: walk + read + parse (all cores), then the cross-file rules.
    let spec = index::ScanSpec {
        roots: vec![root.clone()],
        library: None,
        profile: Profile::Boternity,
    };
    let t = Instant::now();
    let entries = index::scan(&spec, &|_, _| {});
    let scanned = t.elapsed();
    let mut idx = index::build(entries);
    let built = t.elapsed();
    let cross = rules::check(&idx);
    let cold = t.elapsed();
    assert_eq!(idx.len(), files);
    let problems: usize = cross.values().map(Vec::len).sum();

    // Edit one skill: analyse that file only, replace its entry, re-run the rules.
    let path = root.join("skills/skill-9/SKILL.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("number 9", "number nine");
    let t = Instant::now();
    let a = forge_analysis::analyze(FileKind::Skill, &path, &text, Profile::Boternity);
    let e = index::entry_from_analysis(
        &path,
        FileKind::Skill,
        Arc::from(text.as_str()),
        &a,
        false,
        &|p| p.exists(),
    );
    idx.insert(e);
    let _ = rules::check(&idx);
    let edit = t.elapsed();
    // The server copies the index on write while a request holds a snapshot.
    let t = Instant::now();
    let copy = idx.clone();
    let cow = t.elapsed();
    drop(copy);

    // Completion of skill names in a `parents` list: empty prefix (all names) and a prefix.
    let new = root.join("skills/new/SKILL.md");
    let mut lat_all = Vec::new();
    let mut lat_prefix = Vec::new();
    for (typed, lat) in [("", &mut lat_all), ("skill-12", &mut lat_prefix)] {
        let text =
            format!("---\nname: new\ndescription: d\nmetadata:\n  parents: [{typed}]\n---\n");
        let offset = text.find(']').unwrap();
        for _ in 0..200 {
            let t = Instant::now();
            let c = complete::complete(
                FileKind::Skill,
                &new,
                &text,
                offset,
                &idx,
                complete::Options::default(),
                None,
            );
            lat.push(t.elapsed());
            assert!(!c.items.is_empty(), "no completion for `{typed}`");
        }
    }
    let rss = peak_rss_kb().unwrap_or(0);
    println!(
        "{n} skills ({files} files): cold index {:.1} ms (scan {:.1} ms, build {:.1} ms, rules {:.1} ms, {problems} cross-file diagnostics); \
         edit one skill + re-check {:.2} ms (+ {:.2} ms index copy-on-write); completion of skill names p50 {:.2} ms / p99 {:.2} ms (empty prefix), p50 {:.2} ms (prefix); \
         peak RSS {:.1} MB (before indexing {:.1} MB)",
        cold.as_secs_f64() * 1e3,
        scanned.as_secs_f64() * 1e3,
        (built - scanned).as_secs_f64() * 1e3,
        (cold - built).as_secs_f64() * 1e3,
        edit.as_secs_f64() * 1e3,
        cow.as_secs_f64() * 1e3,
        percentile(lat_all.clone(), 0.5).as_secs_f64() * 1e3,
        percentile(lat_all, 0.99).as_secs_f64() * 1e3,
        percentile(lat_prefix, 0.5).as_secs_f64() * 1e3,
        rss as f64 / 1024.0,
        rss_before as f64 / 1024.0,
    );
}
