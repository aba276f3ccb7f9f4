//! Table-driven rule tests over `tests/fixtures/rules/<code>/<case>/`.
//!
//! Every code of `codes::ALL` has a folder holding at least one `bad*` and one
//! `good*` case, each a small file tree as it would sit in a workspace
//! (`skills/<name>/SKILL.md`, `bots/<slug>/IDENTITY.md`, ...). For each case,
//! every bot and skill file under it is checked with `check::check_file`:
//!
//! - a `bad*` case must report its code; when an `expect.json` sits beside it,
//!   the case's diagnostics (all codes, all files) must be exactly that list of
//!   `{file, code, line, character, end_line, end_character, severity}`
//!   (zero-based, UTF-16 columns, as `check --format json` prints them);
//! - every quick fix offered for the case's code is applied, one at a time, and
//!   must make that diagnostic go away without adding an error;
//! - a `good*` case must not report its code, nor any error or warning.
//!
//! `FORGE_BLESS=1 cargo test -p forge-ls --test rules_fixtures` rewrites the
//! existing `expect.json` files from what the rules report now: review the diff.
//!
//! A `profile` file in a case (`agentskills`) selects the profile; the default
//! is `boternity`. Two more tests keep `docs/diagnostics.md` and the fixture
//! folders in step with `codes::ALL`, and one checks the `examples/` workspace.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use forge_analysis::check::{self, check_file};
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
                text: report.text,
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

/// Cross-file codes need a whole workspace; `tests/workspace.rs` drives them over
/// `tests/fixtures/workspaces/`, so they have no per-file fixture folder here.
const CROSS_FILE: &[&str] = &[
    "skill-unknown-reference",
    "skill-inheritance-cycle",
    "skill-inheritance-depth",
    "skill-dependency-version",
    "skill-dependency-cycle",
    "skill-conflict-attached",
    "skill-duplicate-name",
    "bot-missing-identity",
    "bot-missing-soul",
    "skills-toml-unknown-skill",
    "skills-toml-mismatch",
    "link-missing-file",
    "soul-integrity",
];

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
    let kind = FileKind::detect(&f.path).unwrap();
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
    let files = check_case(case, profile);
    assert!(
        files
            .iter()
            .any(|f| f.diagnostics.iter().any(|d| d.code == code)),
        "{}: expected `{code}`, got:{}",
        case.display(),
        describe(&files)
    );
    let expect = case.join("expect.json");
    if expect.exists() && std::env::var_os("FORGE_BLESS").is_some() {
        let got = serde_json::to_string_pretty(&as_json(&files)).unwrap();
        std::fs::write(&expect, got + "\n").unwrap();
    }
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
    files
        .iter()
        .map(|f| check_fixes(case, f, code, profile))
        .sum()
}

fn run_good(code: &str, case: &Path) {
    let files = check_case(case, profile_of(case));
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
    for code in codes::ALL.iter().filter(|c| !CROSS_FILE.contains(&c.id)) {
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
    assert!(fixes >= 15, "only {fixes} quick fixes exercised");
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
    let table: BTreeSet<&str> = codes::ALL
        .iter()
        .map(|c| c.id)
        .filter(|id| !CROSS_FILE.contains(id))
        .collect();
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
