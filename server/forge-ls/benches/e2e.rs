//! End to end, like an editor: the release `forge-ls` over stdio on generated
//! workspaces, side by side with the peers installed by
//! `tests/perf/install-peers.sh` (agnix, agnix-lsp, skills-ref).
//! `FORGE_BENCH_PEERS=0` leaves the peers out (for profiling forge-ls alone);
//! `FORGE_BENCH_CALLGRIND=FILE` runs the server under `valgrind
//! --tool=callgrind` (latencies then mean nothing; the instruction counts per
//! function in FILE do, whatever the machine's load).
//!
//!   cargo bench -p forge-ls --bench e2e                       # 100, 1,000, 10,000 skills
//!   FORGE_BENCH_SIZES=1000 cargo bench -p forge-ls --bench e2e
//!   FORGE_BENCH_QUICK=1 cargo bench -p forge-ls --bench e2e   # smoke run: 100 skills, few samples
//!
//! Each workspace has N skills and N/10 bots (three files each), plus a probe
//! skill and SKILL.md files of 1 KiB, 64 KiB and 1 MiB that get typed into.
//! The checkers compare on N skills in the Agent Skills format (string
//! metadata: agnix and skills-ref reject Boternity's lists before checking
//! anything else), forge-ls with `--profile agentskills`; wall clock and CPU
//! time (getrusage of the child) are both given, as the CPU time holds up on a
//! busy machine.
//! Figures are wall clock on whatever machine this runs on: the load average is
//! printed with them. Peers live under `target/peers` (or `FORGE_PEERS_DIR`); a
//! peer that is not installed is reported as such.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "../tests/support/mod.rs"]
mod support;
use support::{uri, Client};

#[path = "common/docs.rs"]
mod docs;
#[path = "common/workspace.rs"]
mod workspace;

const KIB: usize = 1024;
/// The size of the workflow typed into.
const WORKFLOW_LINES: usize = 2_000;
const WAIT: Duration = Duration::from_secs(300);

struct Config {
    sizes: Vec<usize>,
    doc_sizes: Vec<usize>,
    keystrokes: usize,
    requests: usize,
    opens: usize,
    idle: Duration,
    peer_reps: usize,
}

fn config() -> Config {
    let quick = std::env::var_os("FORGE_BENCH_QUICK").is_some_and(|v| v != "0");
    let sizes = std::env::var("FORGE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| {
            if quick {
                vec![100]
            } else {
                vec![100, 1_000, 10_000]
            }
        });
    if quick {
        Config {
            sizes,
            doc_sizes: vec![KIB, 64 * KIB],
            keystrokes: 20,
            requests: 20,
            opens: 5,
            idle: Duration::from_secs(1),
            peer_reps: 1,
        }
    } else {
        Config {
            sizes,
            doc_sizes: vec![KIB, 64 * KIB, 1024 * KIB],
            keystrokes: 200,
            requests: 200,
            opens: 20,
            idle: Duration::from_secs(10),
            peer_reps: 3,
        }
    }
}

/// Latency samples.
#[derive(Default, Clone)]
struct Lat(Vec<Duration>);

impl Lat {
    fn p(&self, q: f64) -> Option<f64> {
        let mut v = self.0.clone();
        v.sort();
        let i = ((v.len().checked_sub(1)?) as f64 * q).round() as usize;
        Some(v[i].as_secs_f64() * 1e3)
    }

    fn triple(&self) -> String {
        match (self.p(0.5), self.p(0.95), self.p(0.99)) {
            (Some(a), Some(b), Some(c)) => format!("{} / {} / {}", ms(a), ms(b), ms(c)),
            _ => "–".into(),
        }
    }
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

fn msd(d: Duration) -> String {
    ms(d.as_secs_f64() * 1e3)
}

/// One forge-ls session on one workspace.
#[derive(Default)]
struct Lsp {
    init_to_diag: Duration,
    indexed: Duration,
    open: Lat,
    keystroke: Vec<(usize, Lat)>,
    /// Typing in the description of a skill whose references follow it.
    keystroke_refs: Lat,
    /// Typing in a prompt in the middle of a 2,000-line Boternity workflow.
    keystroke_workflow: Lat,
    completion: Lat,
    completion_items: usize,
    completion_bytes: usize,
    hover: Lat,
    code_action: Lat,
    builder: Lat,
    rss_indexed_kb: u64,
    rss_peak_kb: u64,
    /// Peak RSS after each phase, to see which one raises it.
    rss_phases: Vec<(String, u64)>,
    /// CPU time of the server from its start to the end of indexing.
    index_cpu_ms: u64,
    idle_cpu_ms: u64,
}

/// A peer's figure, or why there is none.
type Peer<T> = Result<T, String>;

/// One checker run over the Agent Skills set: wall clock and CPU time (user + system).
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    cpu: Duration,
}

struct Size {
    skills: usize,
    files: usize,
    lsp: Lsp,
    check: Run,
    agnix: Peer<Run>,
    skills_ref: Peer<Run>,
    agnix_lsp: Peer<(Duration, Lat)>,
}

struct Workspace {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    files: usize,
    /// Typed into: (size in bytes, path).
    docs: Vec<(usize, PathBuf)>,
    probe: PathBuf,
    /// A 2,000-line Boternity workflow, typed into.
    workflow: PathBuf,
    /// The same number of skills in the Agent Skills format, for the peer checkers.
    agentskills: PathBuf,
}

const PROBE: &str = "---
name: probe
description: Probes completion, hover and code actions in the benchmark.
metadata:
  version: \"1.0.0\"
  dependencies: [\"skil-12@^1.0\"]
  parents: [skill-12, ]
---

# Probe

Do the probe.
";

fn make_workspace(skills: usize, doc_sizes: &[usize]) -> Workspace {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp
        .path()
        .canonicalize()
        .expect("canonical temp dir")
        .join("workspace");
    let mut files = workspace::generate(&root, skills, skills / 10).expect("generate");
    let mut docs_out = Vec::new();
    for &size in doc_sizes {
        let name = format!("doc-{}k", size / KIB);
        let dir = root.join("skills").join(&name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("SKILL.md");
        std::fs::write(&path, docs::skill(&name, size)).expect("write doc");
        docs_out.push((size, path));
        files += 1;
    }
    let probe = root.join("skills/probe/SKILL.md");
    std::fs::create_dir_all(probe.parent().unwrap()).expect("mkdir");
    std::fs::write(&probe, PROBE).expect("write probe");
    files += 1;
    let workflow = root.join("workflows/big-flow.yaml");
    std::fs::create_dir_all(workflow.parent().unwrap()).expect("mkdir");
    std::fs::write(&workflow, docs::workflow(WORKFLOW_LINES, skills / 10)).expect("write workflow");
    files += 1;
    let agentskills = tmp.path().join("agentskills");
    workspace::generate_agentskills(&agentskills.join("skills"), skills)
        .expect("generate agentskills");
    Workspace {
        _tmp: tmp,
        root,
        files,
        docs: docs_out,
        probe,
        workflow,
        agentskills,
    }
}

fn initialize(c: &mut Client, root: &Path) {
    c.initialize_with(json!({
        "processId": std::process::id(),
        "rootUri": uri(root),
        "workspaceFolders": [{"uri": uri(root), "name": "bench"}],
        "capabilities": {
            "window": {"workDoneProgress": true},
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": true},
                "workspaceFolders": true,
                "configuration": true,
                "workspaceEdit": {"documentChanges": true}
            },
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": true}},
                "publishDiagnostics": {"versionSupport": true}
            }
        }
    }));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read generated file")
}

fn first_publish(c: &Client, u: &str) {
    c.wait_for(&format!("diagnostics for {u}"), WAIT, |i| {
        support::latest_diagnostics(i, u).map(|_| ())
    });
}

/// Open `count` skills one after another; didOpen → first publishDiagnostics.
fn opens(c: &Client, root: &Path, skills: usize, count: usize, from: usize) -> Lat {
    let mut lat = Lat::default();
    for k in 0..count.min(skills) {
        let p = root.join(format!("skills/skill-{}/SKILL.md", (from + k * 7) % skills));
        let (u, text) = (uri(&p), read(&p));
        let t = Instant::now();
        c.open(&u, 1, &text);
        first_publish(c, &u);
        lat.0.push(t.elapsed());
    }
    lat
}

/// Type `count` characters at the end of the middle line; each waits for its version's diagnostics.
/// Typing one character at a time at the end of a line in the middle of the file.
fn keystrokes(c: &Client, path: &Path, count: usize) -> Lat {
    keystrokes_at(c, path, count, |lines| {
        (lines.len() / 2..lines.len())
            .find(|&l| !lines[l].is_empty())
            .unwrap_or(0)
    })
}

/// Typing one character at a time at the end of the line `pick` chooses.
fn keystrokes_at(c: &Client, path: &Path, count: usize, pick: impl Fn(&[&str]) -> usize) -> Lat {
    let text = read(path);
    let u = uri(path);
    c.open(&u, 1, &text);
    c.diagnostics_for_version_within(&u, 1, WAIT);
    let lines: Vec<&str> = text.lines().collect();
    let line = pick(&lines);
    let end = lines[line].encode_utf16().count() as u64;
    let mut lat = Lat::default();
    let warm = 5;
    for (i, v) in (2..(2 + warm + count) as i64).enumerate() {
        let col = end + i as u64;
        let range = support::range(line as u64, col, line as u64, col);
        let t = Instant::now();
        c.change(&u, v, json!([{"range": range, "text": "x"}]));
        c.diagnostics_for_version_within(&u, v, WAIT);
        if i >= warm {
            lat.0.push(t.elapsed());
        }
    }
    c.close(&u);
    lat
}

fn timed(c: &mut Client, count: usize, method: &str, params: &Value) -> (Lat, Value) {
    let mut lat = Lat::default();
    let mut last = Value::Null;
    for i in 0..count + 5 {
        let t = Instant::now();
        last = c.call(method, params.clone());
        if i >= 5 {
            lat.0.push(t.elapsed());
        }
    }
    (lat, last)
}

fn builder(c: &mut Client, count: usize) -> Lat {
    let cmd = |c: &mut Client, command: &str, arg: Value| {
        c.call(
            "workspace/executeCommand",
            json!({"command": command, "arguments": [arg]}),
        )
    };
    let mut lat = Lat::default();
    let (mut sid, mut turn) = (String::new(), Value::Null);
    // Walk sessions through the question flow, a new one whenever one is ready.
    while lat.0.len() < count {
        if turn["action"] != "ask_question" {
            let r = cmd(
                c,
                "forge.builder.start",
                json!({"mode": "bot", "description": "A friendly assistant that helps me plan healthy meals"}),
            );
            sid = r["session_id"].as_str().unwrap_or_default().to_string();
            turn = r["turn"].clone();
            continue;
        }
        let answer = if turn["options"].as_array().is_some_and(|o| !o.is_empty()) {
            json!({"option": 0})
        } else {
            json!({"text": "Luna"})
        };
        let t = Instant::now();
        let r = cmd(
            c,
            "forge.builder.answer",
            json!({"session_id": sid, "answer": answer}),
        );
        lat.0.push(t.elapsed());
        turn = r["turn"].clone();
    }
    lat
}

/// Kernel figures of a live process: peak RSS (kB) and CPU time (ms).
fn vm_hwm_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is the first.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime, in USER_HZ (100 per second on Linux).
    (f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0)) * 10
}

fn forge_ls(ws: &Workspace, skills: usize, cfg: &Config) -> Lsp {
    // Instruction counts, independent of the machine's load: run it under callgrind.
    let mut cmd = match std::env::var_os("FORGE_BENCH_CALLGRIND") {
        Some(out) => {
            let mut c = Command::new("valgrind");
            c.arg("--tool=callgrind")
                .arg(format!("--callgrind-out-file={}", out.to_string_lossy()))
                .arg(support::BIN);
            c
        }
        None => Command::new(support::BIN),
    };
    cmd.current_dir(&ws.root)
        .env("BOTERNITY_DATA_DIR", ws.root.join(".no-library"))
        .env_remove("FORGE_LS_LOG");
    let t0 = Instant::now();
    let mut c = Client::spawn_command(cmd);
    let pid = c.pid();
    let mut out = Lsp::default();
    initialize(&mut c, &ws.root);
    let first = ws.root.join("skills/skill-1/SKILL.md");
    let first_uri = uri(&first);
    c.open(&first_uri, 1, &read(&first));
    first_publish(&c, &first_uri);
    out.init_to_diag = t0.elapsed();
    c.wait_for("the end of indexing ($/progress end)", WAIT, |i| {
        i.notifications
            .iter()
            .any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
            .then_some(())
    });
    out.indexed = t0.elapsed();
    // A request is answered on the state after every message before it: the index is applied.
    let pos = json!({"textDocument": {"uri": first_uri}, "position": {"line": 1, "character": 2}});
    c.call("textDocument/hover", pos);
    out.rss_indexed_kb = vm_hwm_kb(pid);
    let cpu = cpu_ms(pid);
    out.index_cpu_ms = cpu;
    std::thread::sleep(cfg.idle);
    out.idle_cpu_ms = cpu_ms(pid) - cpu;

    out.open = opens(&c, &ws.root, skills, cfg.opens, 2);
    for (size, path) in &ws.docs {
        out.keystroke
            .push((*size, keystrokes(&c, path, cfg.keystrokes)));
        out.rss_phases
            .push((format!("typing {} KiB", size / KIB), vm_hwm_kb(pid)));
    }
    // Every tenth generated skill has references below its description.
    let with_refs = ws.root.join("skills/skill-19/SKILL.md");
    out.keystroke_refs = keystrokes_at(&c, &with_refs, cfg.keystrokes, |lines| {
        lines
            .iter()
            .position(|l| l.starts_with("description:"))
            .unwrap_or(0)
    });

    // In a prompt in the middle of the workflow: its steps' references after the edit move.
    out.keystroke_workflow = keystrokes_at(&c, &ws.workflow, cfg.keystrokes, |lines| {
        (lines.len() / 2..lines.len())
            .find(|&l| lines[l].trim_start().starts_with("prompt:"))
            .unwrap_or(0)
    });

    let probe = uri(&ws.probe);
    c.open(&probe, 1, PROBE);
    let diags = c.diagnostics_for_version_within(&probe, 1, WAIT);
    let at = |line: u64, character: u64| json!({"textDocument": {"uri": probe}, "position": {"line": line, "character": character}});
    let (lat, items) = timed(&mut c, cfg.requests, "textDocument/completion", &at(6, 21));
    out.completion = lat;
    out.completion_bytes = items.to_string().len();
    if std::env::var_os("FORGE_BENCH_SHOW").is_some() {
        eprintln!("{:#}", items["items"][0]);
    }
    out.completion_items = items
        .get("items")
        .or(Some(&items))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    out.hover = timed(&mut c, cfg.requests, "textDocument/hover", &at(6, 14)).0;
    let typo: Vec<Value> = diags
        .into_iter()
        .filter(|d| d["range"]["start"]["line"] == 5)
        .collect();
    let range = typo
        .first()
        .map_or_else(|| support::range(5, 18, 5, 25), |d| d["range"].clone());
    let params =
        json!({"textDocument": {"uri": probe}, "range": range, "context": {"diagnostics": typo}});
    let (lat, actions) = timed(&mut c, cfg.requests, "textDocument/codeAction", &params);
    out.code_action = lat;
    if actions.as_array().is_none_or(Vec::is_empty) {
        eprintln!("e2e: warning: the probe's code action request returned no actions");
    }
    out.rss_phases.push(("requests".into(), vm_hwm_kb(pid)));
    out.builder = builder(&mut c, cfg.requests);
    out.rss_peak_kb = vm_hwm_kb(pid);
    out.rss_phases.push(("builder".into(), out.rss_peak_kb));
    c.shutdown_and_exit();
    out
}

fn peers_dir() -> PathBuf {
    std::env::var_os("FORGE_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/peers"))
}

/// CPU time (user + system) of every child waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// The fastest of `reps` runs of a command, by wall clock and by CPU time (its
/// exit status is the checker's verdict, not ours).
fn best_of(reps: usize, mut make: impl FnMut() -> Command) -> Peer<Run> {
    let mut best: Option<Run> = None;
    for _ in 0..reps {
        let mut cmd = make();
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let cpu = children_cpu();
        let t = Instant::now();
        let out = cmd.output().map_err(|e| format!("cannot run: {e}"))?;
        let run = Run {
            wall: t.elapsed(),
            cpu: children_cpu() - cpu,
        };
        // Exit 0/1 are verdicts; anything else (a crash, a usage error) is no figure.
        if !matches!(out.status.code(), Some(0 | 1)) {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "failed ({}): {}",
                out.status,
                err.lines().last().unwrap_or("")
            ));
        }
        best = Some(best.map_or(run, |b| Run {
            wall: b.wall.min(run.wall),
            cpu: b.cpu.min(run.cpu),
        }));
    }
    best.ok_or_else(|| "no run".into())
}

fn installed(path: &Path, how: &str) -> Peer<()> {
    if std::env::var_os("FORGE_BENCH_PEERS").is_some_and(|v| v == "0") {
        Err("skipped (FORGE_BENCH_PEERS=0)".into())
    } else if path.is_file() {
        Ok(())
    } else {
        Err(format!("not installed ({how})"))
    }
}

fn agnix_check(root: &Path, reps: usize) -> Peer<Run> {
    let bin = peers_dir().join("bin/agnix");
    installed(&bin, "tests/perf/install-peers.sh agnix")?;
    best_of(reps, || {
        let mut c = Command::new(&bin);
        c.arg(root);
        c
    })
}

fn skills_ref_check(root: &Path, reps: usize) -> Peer<Run> {
    let py = peers_dir().join("skills-ref-venv/bin/python");
    installed(&py, "tests/perf/install-peers.sh skills-ref")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/perf/skills_ref_check.py");
    best_of(reps, || {
        let mut c = Command::new(&py);
        c.arg(&script).arg(root);
        c
    })
}

/// agnix-lsp: initialize → first diagnostics of an open skill, then didOpen → diagnostics.
fn agnix_lsp(ws: &Workspace, skills: usize, cfg: &Config) -> Peer<(Duration, Lat)> {
    let bin = peers_dir().join("bin/agnix-lsp");
    installed(&bin, "tests/perf/install-peers.sh agnix")?;
    // On the Agent Skills set: agnix stops at Boternity's list metadata.
    let root = ws.agentskills.clone();
    let (opens_n, timeout_note) = (cfg.opens, "no diagnostics (see stderr)");
    std::panic::catch_unwind(move || {
        let mut cmd = Command::new(&bin);
        cmd.current_dir(&root);
        let t0 = Instant::now();
        let mut c = Client::spawn_command(cmd);
        initialize(&mut c, &root);
        let first = root.join("skills/skill-1/SKILL.md");
        let u = uri(&first);
        c.open(&u, 1, &read(&first));
        first_publish(&c, &u);
        let init = t0.elapsed();
        let lat = opens(&c, &root, skills, opens_n, 2);
        drop(c);
        (init, lat)
    })
    .map_err(|_| timeout_note.to_string())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// "wall / CPU ms", and how many times forge-ls is faster by each.
fn vs(ours: Run, peer: &Peer<Run>) -> String {
    match peer {
        Ok(p) => format!(
            "{} / {} ms ({:.0}× / {:.0}×)",
            msd(p.wall),
            msd(p.cpu),
            p.wall.as_secs_f64() / ours.wall.as_secs_f64(),
            p.cpu.as_secs_f64() / ours.cpu.as_secs_f64().max(1e-3)
        ),
        Err(e) => e.clone(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not supported.
    let cfg = config();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "forge-ls end to end ({} build), {cores} cores, load average {} at start",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        },
        load_average()
    );
    let mut results = Vec::new();
    for &n in &cfg.sizes {
        let ws = make_workspace(n, &cfg.doc_sizes);
        eprintln!(
            "e2e: {n} skills, {} files in {}",
            ws.files,
            ws.root.display()
        );
        let lsp = forge_ls(&ws, n, &cfg);
        let check = best_of(cfg.peer_reps.max(3), || {
            let mut c = Command::new(support::BIN);
            c.args(["check", "--profile", "agentskills"])
                .arg(&ws.agentskills);
            c
        })
        .expect("forge-ls check runs");
        let agnix = agnix_check(&ws.agentskills, cfg.peer_reps);
        let skills_ref = skills_ref_check(&ws.agentskills, cfg.peer_reps);
        let agnix_lsp = agnix_lsp(&ws, n, &cfg);
        let size = Size {
            skills: n,
            files: ws.files,
            lsp,
            check,
            agnix,
            skills_ref,
            agnix_lsp,
        };
        print_size(&size);
        results.push(size);
    }
    print_table(&results);
    println!("load average at end: {}", load_average());
}

fn print_size(s: &Size) {
    let l = &s.lsp;
    println!(
        "\n== {} skills, {} bots: {} files ==",
        s.skills,
        s.skills / 10,
        s.files
    );
    println!(
        "initialize → first diagnostics   {} ms",
        msd(l.init_to_diag)
    );
    println!(
        "initialize → indexed ($/progress end) {} ms, server CPU {} ms",
        msd(l.indexed),
        l.index_cpu_ms
    );
    println!("idle CPU over the idle window      {} ms", l.idle_cpu_ms);
    println!("didOpen → diagnostics p50/p95/p99 {} ms", l.open.triple());
    for (size, lat) in &l.keystroke {
        println!(
            "didChange → diagnostics {:>5} KiB  {} ms",
            size / KIB,
            lat.triple()
        );
    }
    println!(
        "didChange → diagnostics, description above references  {} ms",
        l.keystroke_refs.triple()
    );
    println!(
        "didChange → diagnostics, {WORKFLOW_LINES}-line workflow  {} ms",
        l.keystroke_workflow.triple()
    );
    println!(
        "completion ({} items, {} KB)     {} ms",
        l.completion_items,
        l.completion_bytes / 1000,
        l.completion.triple()
    );
    println!("hover                            {} ms", l.hover.triple());
    println!(
        "code action                      {} ms",
        l.code_action.triple()
    );
    println!("forge.builder.answer             {} ms", l.builder.triple());
    let phases: Vec<String> = l
        .rss_phases
        .iter()
        .map(|(name, kb)| format!("{name} {:.1}", *kb as f64 / 1024.0))
        .collect();
    println!(
        "peak RSS (MB): indexed {:.1}, then {}",
        l.rss_indexed_kb as f64 / 1024.0,
        phases.join(", ")
    );
    println!(
        "check of {} Agent Skills, wall / CPU (forge-ls faster by):",
        s.skills
    );
    println!(
        "  forge-ls check --profile agentskills  {} / {} ms",
        msd(s.check.wall),
        msd(s.check.cpu)
    );
    println!(
        "  agnix                                 {}",
        vs(s.check, &s.agnix)
    );
    println!(
        "  skills-ref (one Python process)       {}",
        vs(s.check, &s.skills_ref)
    );
    match &s.agnix_lsp {
        Ok((init, lat)) => {
            let ours = l.open.p(0.5).unwrap_or(f64::NAN);
            let theirs = lat.p(0.5).unwrap_or(f64::NAN);
            println!(
                "agnix-lsp: initialize → first diagnostics {} ms (forge-ls/peer {:.3}); didOpen → diagnostics p50 {} ms (forge-ls/peer {:.3})",
                msd(*init),
                l.init_to_diag.as_secs_f64() / init.as_secs_f64(),
                ms(theirs),
                ours / theirs
            );
        }
        Err(e) => println!("agnix-lsp: {e}"),
    }
}

/// The summary as a Markdown table: one column per workspace size.
fn print_table(rs: &[Size]) {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |name: &str, f: &dyn Fn(&Size) -> String| {
        rows.push((name.to_string(), rs.iter().map(f).collect()));
    };
    row("files", &|s| s.files.to_string());
    row("initialize → first diagnostics (ms)", &|s| {
        msd(s.lsp.init_to_diag)
    });
    row("initialize → indexed: wall / server CPU (ms)", &|s| {
        format!("{} / {}", msd(s.lsp.indexed), s.lsp.index_cpu_ms)
    });
    row("didOpen → diagnostics p50/p95/p99 (ms)", &|s| {
        s.lsp.open.triple()
    });
    let doc_sizes: Vec<usize> = rs
        .first()
        .map(|s| s.lsp.keystroke.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    for (i, size) in doc_sizes.iter().enumerate() {
        row(
            &format!("didChange → diagnostics, {} KiB (ms)", size / KIB),
            &|s| s.lsp.keystroke[i].1.triple(),
        );
    }
    row(
        "didChange → diagnostics, a description above references (ms)",
        &|s| s.lsp.keystroke_refs.triple(),
    );
    row(
        "didChange → diagnostics, a prompt of a 2,000-line workflow (ms)",
        &|s| s.lsp.keystroke_workflow.triple(),
    );
    row("completion, all skill names (ms)", &|s| {
        s.lsp.completion.triple()
    });
    row("hover (ms)", &|s| s.lsp.hover.triple());
    row("code action (ms)", &|s| s.lsp.code_action.triple());
    row("forge.builder.answer (ms)", &|s| s.lsp.builder.triple());
    row("peak RSS (MB)", &|s| {
        format!("{:.1}", s.lsp.rss_peak_kb as f64 / 1024.0)
    });
    row("idle CPU after indexing (ms)", &|s| {
        s.lsp.idle_cpu_ms.to_string()
    });
    row("forge-ls check, Agent Skills set: wall / CPU (ms)", &|s| {
        format!("{} / {}", msd(s.check.wall), msd(s.check.cpu))
    });
    row("agnix: wall / CPU (ms) (forge-ls faster ×)", &|s| {
        vs(s.check, &s.agnix)
    });
    row("skills-ref: wall / CPU (ms) (forge-ls faster ×)", &|s| {
        vs(s.check, &s.skills_ref)
    });
    row(
        "agnix-lsp didOpen → diagnostics p50 (ms, × forge-ls)",
        &|s| match &s.agnix_lsp {
            Ok((_, lat)) => {
                let (t, o) = (
                    lat.p(0.5).unwrap_or(f64::NAN),
                    s.lsp.open.p(0.5).unwrap_or(f64::NAN),
                );
                format!("{} ({:.0}×)", ms(t), t / o)
            }
            Err(e) => e.clone(),
        },
    );
    println!();
    let head: Vec<String> = rs.iter().map(|s| format!("{} skills", s.skills)).collect();
    println!("| | {} |", head.join(" | "));
    println!("|---|{}", "---|".repeat(rs.len()));
    for (name, cells) in rows {
        println!("| {name} | {} |", cells.join(" | "));
    }
}
