//! Table-driven rule tests over `tests/fixtures/rules/<code>/<case>/`.
//!
//! Every code of `codes::ALL` has a folder holding at least one `bad*` and one
//! `good*` case, each a small file tree as it would sit in a workspace
//! (`skills/<name>/SKILL.md`, `bots/<slug>/IDENTITY.md`, ...). A code missing
//! from the folders, or a folder without a code, fails the test. Each case is
//! checked the way the server and `check` see it:
//!
//! - a per-file code's case: every bot and skill file under it with
//!   `check::check_file`, one file at a time;
//! - a cross-file code's case (`codes::CROSS_FILE`) or a security code's
//!   (`codes::is_security`: reported on any file of a skill's bundle): the whole case as a
//!   workspace, through `check`'s batch pass (`forge_ls::check::batch`: every
//!   file, the cross-file rules, the soul versions of a Boternity data
//!   directory). The case is copied to a temporary folder first; three entries
//!   of it are the harness's and not copied: a `library/` folder is the skill
//!   library (`library/<name>/SKILL.md`, read-only, never reported on; without
//!   one there is no library), and a `soul-versions/<slug>/<n>.md` tree becomes
//!   the `boternity.db` of the copy, version `n` of bot `slug` holding that
//!   text (the copy is then a data directory).
//!
//! Then:
//!
//! - a `bad*` case must report its code; when an `expect.json` sits beside it,
//!   the case's diagnostics (all codes, all files) must be exactly that list of
//!   `{file, code, line, character, end_line, end_character, severity}`
//!   (zero-based, UTF-16 columns, as `check --format json` prints them); every
//!   bad case of a cross-file code has one;
//! - every quick fix offered for the case's code is applied, one at a time, and
//!   must make that diagnostic go away without adding an error (for a
//!   cross-file code, the workspace is checked again with the fixed file);
//! - a `good*` case must not report its code, nor any error or warning.
//!
//! `FORGE_BLESS=1 cargo test -p forge-ls --test rules_fixtures` rewrites the
//! `expect.json` files from what the rules report now (and writes the missing
//! ones of cross-file bad cases): review the diff.
//!
//! A `profile` file in a case (`agentskills`) selects the profile; the default
//! is `boternity`. A `budget` file (`{"systemPromptTokens": n, "skillListingTokens": n}`, either
//! key optional) checks the case as `check --budget` does. Two more tests keep `docs/diagnostics.md` and the fixture
//! folders in step with `codes::ALL`, and one checks the `examples/` workspace.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use forge_store::boternity_db::{DB_FILE, SCHEMA};
use forge_store::soul_versions::sha256_hex;

use forge_analysis::check::{self, check_file};
use forge_analysis::preview::Budget;
use forge_analysis::rules::Profile;
use forge_analysis::{analyze, FileKind};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::text::{LineIndex, PositionEncoding};
use serde_json::{json, Value};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/rules")
}

/// Codes whose bad case cannot be kept on disk, and how the test makes it instead.
const GENERATED: &[(&str, &str)] = &[
    (
        "openclaw-skill-too-large",
        "a SKILL.md over 256,000 bytes; tests/dialects.rs writes one",
    ),
    (
        "openclaw-bootstrap-total",
        "60,000 characters of workspace files; tests/dialects.rs writes them",
    ),
    (
        "file-too-large",
        "a file over 16 MB does not belong in the repository; the test writes a sparse one",
    ),
];

struct Checked {
    path: PathBuf,
    rel: String,
    text: String,
    diagnostics: Vec<Diagnostic>,
}

fn check_case(dir: &Path, profile: Profile) -> Vec<Checked> {
    let files = check::discover(dir);
    assert!(!files.is_empty(), "{}: no bot or skill file", dir.display());
    files
        .into_iter()
        .map(|path| {
            let report = check_file(&path, profile).expect("readable fixture");
            Checked {
                rel: path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                path,
                text: report.text.to_string(),
                diagnostics: report.diagnostics,
            }
        })
        .collect()
}

fn as_json(files: &[Checked]) -> Vec<Value> {
    let mut out = Vec::new();
    for f in files {
        let index = LineIndex::new(&f.text);
        for d in &f.diagnostics {
            let r = index.range(&f.text, d.range.clone(), PositionEncoding::Utf16);
            out.push(json!({
                "file": f.rel,
                "code": d.code,
                "line": r.start.line,
                "character": r.start.character,
                "end_line": r.end.line,
                "end_character": r.end.character,
                "severity": d.severity.label(),
            }));
        }
    }
    out
}

fn describe(files: &[Checked]) -> String {
    let mut s = String::new();
    for f in files {
        for d in &f.diagnostics {
            s.push_str(&format!(
                "\n  {} {:?} {}[{}] {}",
                f.rel,
                d.range,
                d.severity.label(),
                d.code,
                d.message
            ));
        }
    }
    if s.is_empty() {
        s.push_str(" (none)");
    }
    s
}

fn profile_of(case: &Path) -> Profile {
    match std::fs::read_to_string(case.join("profile")) {
        Ok(p) => Profile::parse(p.trim()).expect("profile is boternity or agentskills"),
        Err(_) => Profile::Boternity,
    }
}

/// Entries of a cross-file case that are the harness's, not the workspace's.
const HARNESS_ENTRIES: &[&str] = &[
    "expect.json",
    "profile",
    "budget",
    "library",
    "soul-versions",
];

/// A cross-file case copied to a temporary folder, ready for `check`'s batch pass.
struct Workspace {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// The case's `library/`, passed as the skill library.
    library: Option<PathBuf>,
    profile: Profile,
    /// The case's `budget`: checked as `check --budget` with those budgets.
    budget: Option<Budget>,
}

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target, &[]);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn workspace_of(case: &Path) -> Workspace {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap().join("ws");
    copy_tree(case, &root, HARNESS_ENTRIES);
    let versions = case.join("soul-versions");
    if versions.is_dir() {
        make_boternity_db(&root, &versions);
    }
    let library = Some(case.join("library")).filter(|l| l.is_dir());
    let budget = std::fs::read_to_string(case.join("budget")).ok().map(|t| {
        let v: Value = serde_json::from_str(&t).expect("budget is JSON");
        let mut b = Budget::default();
        if let Some(n) = v["systemPromptTokens"].as_u64() {
            b.system_prompt_tokens = Some(n as usize);
        }
        if let Some(n) = v["skillListingTokens"].as_u64() {
            b.skill_listing_tokens = n as usize;
        }
        b
    });
    Workspace {
        _tmp: tmp,
        root,
        library,
        profile: profile_of(case),
        budget,
    }
}

/// `boternity.db` in `root` with Boternity's schema: one bot per folder of `versions`, its soul
/// versions the files `<n>.md` in it (hashes computed here), the highest one current.
fn make_boternity_db(root: &Path, versions: &Path) {
    let c = rusqlite::Connection::open(root.join(DB_FILE)).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    let mut bots: Vec<PathBuf> = std::fs::read_dir(versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    bots.sort();
    for (b, dir) in bots.iter().enumerate() {
        let slug = dir.file_name().unwrap().to_str().unwrap();
        let mut texts: Vec<(i64, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let n = p
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("{}: soul versions are <n>.md", p.display()));
                (n, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        texts.sort();
        let id = format!("bot-{b}");
        let at = "2026-02-10T09:00:00+00:00";
        c.execute(
            "INSERT INTO bots (id, slug, name, version_count, created_at, updated_at)
             VALUES (?1, ?2, ?2, ?3, ?4, ?4)",
            rusqlite::params![id, slug, texts.len() as i64, at],
        )
        .unwrap();
        for (n, text) in &texts {
            c.execute(
                "INSERT INTO soul_versions (id, bot_id, content, hash, version, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)",
                rusqlite::params![
                    format!("{id}-soul-{n}"),
                    id,
                    text,
                    sha256_hex(text.as_bytes()),
                    n,
                    at
                ],
            )
            .unwrap();
        }
    }
}

/// `check`'s batch pass over the workspace: every file's diagnostics, the cross-file ones included.
fn check_workspace(ws: &Workspace) -> Vec<Checked> {
    let (batch, notes) = forge_ls::check::batch(
        std::slice::from_ref(&ws.root),
        ws.profile,
        ws.library.as_deref(),
        ws.budget.as_ref(),
    );
    assert!(
        batch.problems.is_empty() && notes.is_empty(),
        "{}: {:?} {notes:?}",
        ws.root.display(),
        batch.problems
    );
    assert!(
        !batch.reports.is_empty(),
        "{}: no bot or skill file",
        ws.root.display()
    );
    batch
        .reports
        .into_iter()
        .map(|r| Checked {
            rel: r
                .path
                .strip_prefix(&ws.root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
            path: r.path,
            text: r.text.to_string(),
            diagnostics: r.diagnostics,
        })
        .collect()
}

/// A case's diagnostics as the server and `check` see them: per file for a per-file code, the
/// whole workspace through the batch pass for a cross-file one.
fn check_for(code: &str, case: &Path) -> Vec<Checked> {
    if codes::is_cross_file(code) || codes::is_security(code) {
        check_workspace(&workspace_of(case))
    } else {
        check_case(case, profile_of(case))
    }
}

/// Cross-file fixes: each fix of `code` applied on its own to a fresh copy of the case, the
/// workspace checked again; the fixed file must have fewer `code` diagnostics and no file a new
/// error. Returns how many fixes ran.
fn check_workspace_fixes(case: &Path, files: &[Checked], code: &str) -> usize {
    let errors = |files: &[Checked]| -> BTreeSet<(String, &'static str)> {
        files
            .iter()
            .flat_map(|f| {
                f.diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| (f.rel.clone(), d.code))
            })
            .collect()
    };
    let count = |files: &[Checked], rel: &str| {
        files
            .iter()
            .filter(|f| f.rel == rel)
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.code == code)
            .count()
    };
    let errors_before = errors(files);
    let mut applied = 0;
    for f in files {
        let before = count(files, &f.rel);
        for d in f.diagnostics.iter().filter(|d| d.code == code) {
            for fix in &d.fixes {
                let ws = workspace_of(case);
                let fixed = fix.apply(&f.text);
                std::fs::write(ws.root.join(&f.rel), &fixed).unwrap();
                let after = check_workspace(&ws);
                let remaining = count(&after, &f.rel);
                assert!(
                    remaining < before,
                    "{}: fix `{}` leaves {remaining} `{code}` in {} (was {before}):\n{fixed}",
                    case.display(),
                    fix.title,
                    f.rel
                );
                let new_errors: Vec<_> =
                    errors(&after).difference(&errors_before).cloned().collect();
                assert!(
                    new_errors.is_empty(),
                    "{}: fix `{}` introduces errors {new_errors:?}:{}",
                    case.display(),
                    fix.title,
                    describe(&after)
                );
                applied += 1;
            }
        }
    }
    applied
}

fn cases(code: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = fixtures().join(code);
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("bad") {
            bad.push(e.path());
        } else if name.starts_with("good") {
            good.push(e.path());
        } else {
            panic!(
                "{}: case folders start with bad or good",
                e.path().display()
            );
        }
    }
    bad.sort();
    good.sort();
    (bad, good)
}

/// Apply each fix offered for `code` in `file` on its own; the diagnostic it
/// fixes must disappear and no new error may appear. Returns how many fixes ran.
fn check_fixes(case: &Path, f: &Checked, code: &str, profile: Profile) -> usize {
    let kind = FileKind::of_text(&f.path, &f.text).unwrap();
    let before = f.diagnostics.iter().filter(|d| d.code == code).count();
    let errors_before: BTreeSet<&str> = f
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code)
        .collect();
    let mut applied = 0;
    for d in f.diagnostics.iter().filter(|d| d.code == code) {
        for fix in &d.fixes {
            let fixed = fix.apply(&f.text);
            let after = analyze(kind, &f.path, &fixed, profile).diagnostics;
            let remaining = after.iter().filter(|d| d.code == code).count();
            assert!(
                remaining < before,
                "{}: fix `{}` leaves {remaining} `{code}` (was {before}):\n{fixed}",
                case.display(),
                fix.title
            );
            let new_errors: Vec<&Diagnostic> = after
                .iter()
                .filter(|d| d.severity == Severity::Error && !errors_before.contains(d.code))
                .collect();
            assert!(
                new_errors.is_empty(),
                "{}: fix `{}` introduces errors {new_errors:#?}",
                case.display(),
                fix.title
            );
            applied += 1;
        }
    }
    applied
}

fn run_bad(code: &str, case: &Path) -> usize {
    let profile = profile_of(case);
    let cross_file = codes::is_cross_file(code);
    // Security codes are reported on any file of a skill's bundle, so their cases are whole
    // skills checked like a workspace, and always have an expect.json.
    let whole = cross_file || codes::is_security(code);
    let files = check_for(code, case);
    assert!(
        files
            .iter()
            .any(|f| f.diagnostics.iter().any(|d| d.code == code)),
        "{}: expected `{code}`, got:{}",
        case.display(),
        describe(&files)
    );
    let expect = case.join("expect.json");
    if (expect.exists() || whole) && std::env::var_os("FORGE_BLESS").is_some() {
        let got = serde_json::to_string_pretty(&as_json(&files)).unwrap();
        std::fs::write(&expect, got + "\n").unwrap();
    }
    assert!(
        expect.exists() || !whole,
        "{}: a bad case of a cross-file or security code needs an expect.json (FORGE_BLESS=1 writes it)",
        case.display()
    );
    if expect.exists() {
        let want: Value = serde_json::from_str(&std::fs::read_to_string(&expect).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", expect.display()));
        let got = Value::Array(as_json(&files));
        assert_eq!(
            got,
            want,
            "{}: diagnostics differ from expect.json; got:\n{}",
            case.display(),
            serde_json::to_string_pretty(&got).unwrap()
        );
    }
    if cross_file {
        // The code really needs the workspace: no file of the case has it on its own.
        let alone = check_case(case, profile);
        assert!(
            alone
                .iter()
                .all(|f| f.diagnostics.iter().all(|d| d.code != code)),
            "{}: `{code}` is reported for a file alone; it is no cross-file code:{}",
            case.display(),
            describe(&alone)
        );
        return check_workspace_fixes(case, &files, code);
    }
    if whole {
        return check_workspace_fixes(case, &files, code);
    }
    files
        .iter()
        .map(|f| check_fixes(case, f, code, profile))
        .sum()
}

fn run_good(code: &str, case: &Path) {
    let files = check_for(code, case);
    let bad: Vec<&Diagnostic> = files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .filter(|d| d.code == code || d.severity <= Severity::Warning)
        .collect();
    assert!(
        bad.is_empty(),
        "{}: a good case must not report `{code}` nor any error or warning; got:{}",
        case.display(),
        describe(&files)
    );
}

#[test]
fn every_code_has_bad_and_good_cases() {
    let mut fixes = 0;
    for code in codes::ALL {
        let (bad, good) = cases(code.id);
        assert!(!bad.is_empty(), "{}: no bad case", code.id);
        assert!(!good.is_empty(), "{}: no good case", code.id);
        for case in &good {
            run_good(code.id, case);
        }
        if GENERATED.iter().any(|(c, _)| *c == code.id) {
            continue;
        }
        for case in &bad {
            fixes += run_bad(code.id, case);
        }
    }
    assert!(fixes >= 45, "only {fixes} quick fixes exercised");
}

/// The one code whose bad case is made here rather than kept on disk.
#[test]
fn file_too_large_is_reported_without_reading_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let skill = dir.path().join("skills/huge/SKILL.md");
    std::fs::create_dir_all(skill.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&skill).unwrap();
    // Sparse: costs no disk space.
    f.set_len(forge_syntax::files::MAX_FILE_BYTES + 1).unwrap();
    let report = check_file(&skill, Profile::Boternity).unwrap();
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["file-too-large"]);
    assert_eq!(report.diagnostics[0].range, 0..0);
}

#[test]
fn fixture_folders_match_the_code_table() {
    let table: BTreeSet<&str> = codes::ALL.iter().map(|c| c.id).collect();
    let folders: BTreeSet<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let folders: BTreeSet<&str> = folders.iter().map(String::as_str).collect();
    assert_eq!(
        folders, table,
        "tests/fixtures/rules/ must hold exactly one folder per code"
    );
    for (code, why) in GENERATED {
        assert!(table.contains(code), "{code}: {why}");
    }
}

/// `docs/diagnostics.md` has one `## <a id="code"></a>code` section per code, in table order.
#[test]
fn diagnostics_doc_matches_the_code_table() {
    let doc = std::fs::read_to_string(repo_root().join("docs/diagnostics.md")).unwrap();
    let mut documented = Vec::new();
    for line in doc.lines() {
        let Some(rest) = line.strip_prefix("## <a id=\"") else {
            continue;
        };
        let (id, title) = rest.split_once("\"></a>").expect("anchor is closed");
        assert_eq!(id, title.trim(), "heading text equals its anchor");
        documented.push(id.to_string());
    }
    let table: Vec<&str> = codes::ALL.iter().map(|c| c.id).collect();
    assert_eq!(
        documented, table,
        "docs/diagnostics.md sections, in table order"
    );
    // Each section states the code's default severity.
    for (i, code) in codes::ALL.iter().enumerate() {
        let start = doc.find(&format!("<a id=\"{}\"></a>", code.id)).unwrap();
        let end = codes::ALL.get(i + 1).map_or(doc.len(), |n| {
            doc.find(&format!("<a id=\"{}\"></a>", n.id)).unwrap()
        });
        let section = &doc[start..end];
        let label = code.severity.label();
        assert!(
            section.contains(&format!("Default severity: **{label}**")),
            "{}: section must say `Default severity: **{label}**`",
            code.id
        );
        assert!(
            section.contains("**Bad**") && section.contains("**Good**"),
            "{}: section needs a **Bad** and a **Good** example",
            code.id
        );
    }
}

/// `forge-ls check examples` is clean: no diagnostic at all.
#[test]
fn examples_workspace_is_clean() {
    let examples = repo_root().join("examples");
    let files = check::discover(&examples);
    let names: BTreeSet<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(&examples)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for want in [
        "bots/luna/IDENTITY.md",
        "bots/luna/SOUL.md",
        "bots/luna/USER.md",
        "bots/luna/skills.toml",
    ] {
        assert!(names.contains(want), "examples/{want} is missing");
    }
    let skills = names.iter().filter(|n| n.ends_with("/SKILL.md")).count();
    assert!(skills >= 2, "examples/ needs two skills, has {skills}");
    let checked = check_case(&examples, Profile::Boternity);
    let all: Vec<&Diagnostic> = checked.iter().flat_map(|f| &f.diagnostics).collect();
    assert!(
        all.is_empty(),
        "examples/ is not clean:{}",
        describe(&checked)
    );

    // And through the binary, as a user would run it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_forge-ls"))
        .args(["check", "examples"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(": 0 errors, 0 warnings"), "{stdout}");
}
