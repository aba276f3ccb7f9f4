//! End-to-end tests of the language server over real stdio: the `forge-ls`
//! binary is spawned and spoken to as an editor would (see `support`).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use support::{apply_edits, cols, range, uri, Client, TIMEOUT};

const UTF8: &str = r#"{"general": {"positionEncodings": ["utf-8", "utf-16"]}}"#;

fn caps(utf8: bool) -> Value {
    if utf8 {
        serde_json::from_str(UTF8).unwrap()
    } else {
        json!({})
    }
}

/// `root/<folder>/<file>`, created on disk (empty) so the URI names a real place.
fn place(root: &Path, folder: &str, file: &str) -> (PathBuf, String) {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    let u = uri(&path);
    (path, u)
}

/// Line and column of byte `offset` in `text` (lines end at `\n`, `\r\n` or `\r`), in utf-8 or utf-16.
fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before
        .char_indices()
        .filter(|&(i, c)| c == '\n' || (c == '\r' && text.as_bytes().get(i + 1) != Some(&b'\n')))
        .count();
    let (c8, c16) = cols(&text[line_start..offset]);
    json!({"line": line, "character": if utf8 { c8 } else { c16 }})
}

fn lsp_range(text: &str, start: usize, end: usize, utf8: bool) -> Value {
    json!({"start": position(text, start, utf8), "end": position(text, end, utf8)})
}

fn codes_of(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// The one diagnostic with `code` whose range starts at `start`.
fn find<'a>(diags: &'a [Value], code: &str, start: &Value) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code && d["range"]["start"] == *start)
        .unwrap_or_else(|| {
            panic!(
                "no `{code}` diagnostic starting at {start}; got:\n{}",
                serde_json::to_string_pretty(diags).unwrap()
            )
        })
}

// ---------------------------------------------------------------- initialize

#[test]
fn negotiates_utf8_when_offered() {
    let (c, init) = Client::initialized(caps(true));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8", "{init}");
    assert_eq!(init["serverInfo"]["name"], "forge-ls");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn falls_back_to_utf16() {
    let (c, init) = Client::initialized(json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16", "{init}");
    assert!(c.shutdown_and_exit().success());
    let (c, init) =
        Client::initialized(json!({"general": {"positionEncodings": ["utf-32", "utf-16"]}}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16", "{init}");
    assert!(c.shutdown_and_exit().success());
}

// ---------------------------------------------------------- exact diagnostics

const SKILL_WITH_PROBLEMS: &str = "---
name: my-skill
description: 日本語の説明 😀 with a summary
metadata:
  author: \"🦀 蟹\"
  version: 1.0
  skill-type: tool
  capabilities: [\"😀日本\", http-get]
---
# Instructions 😀

Do the thing.
";

fn check_exact_ranges(text: &str, utf8: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let (_, u) = place(tmp.path(), "folder-name", "SKILL.md");
    let (c, _) = Client::initialized(caps(utf8));
    c.open(&u, 1, text);
    let diags = c.diagnostics_for_version(&u, 1);

    for d in &diags {
        assert_eq!(d["source"], "forge-ls", "{d}");
        let code = d["code"].as_str().expect("string code");
        let href = d["codeDescription"]["href"]
            .as_str()
            .expect("codeDescription.href");
        assert!(
            href.starts_with("https://") && href.ends_with(&format!("#{code}")),
            "{href} for {code}"
        );
        assert!(!d["message"].as_str().unwrap_or("").is_empty(), "{d}");
    }

    // The name differs from the folder: the range is exactly the value.
    let name_at = text.find("my-skill").unwrap();
    let d = find(&diags, "skill-name-folder", &position(text, name_at, utf8));
    assert_eq!(
        d["range"],
        lsp_range(text, name_at, name_at + "my-skill".len(), utf8)
    );
    assert_eq!(d["severity"], 1);
    // Expected columns, computed by hand for the name line: ASCII, so both encodings agree.
    assert_eq!(d["range"], range(1, 6, 1, 14));

    // `1.0` is not semver.
    let v_at = text.find("1.0\n").or_else(|| text.find("1.0\r")).unwrap();
    let d = find(&diags, "skill-version-invalid", &position(text, v_at, utf8));
    assert_eq!(d["range"], lsp_range(text, v_at, v_at + 3, utf8));
    assert_eq!(d["range"], range(5, 11, 5, 14));

    // Two bad capabilities after an emoji and CJK on the same line.
    let q_at = text.find("\"😀日本\"").unwrap();
    let q_end = q_at + "\"😀日本\"".len();
    let d = find(&diags, "capability-invalid", &position(text, q_at, utf8));
    assert_eq!(d["range"], lsp_range(text, q_at, q_end, utf8));
    // By hand: `  capabilities: [` is 17 units; the quoted value is 1+4+3+3+1 bytes, 1+2+1+1+1 UTF-16 units.
    let want = if utf8 {
        range(7, 17, 7, 29)
    } else {
        range(7, 17, 7, 23)
    };
    assert_eq!(d["range"], want);

    let h_at = text.find("http-get").unwrap();
    let d = find(&diags, "capability-invalid", &position(text, h_at, utf8));
    assert_eq!(d["range"], lsp_range(text, h_at, h_at + 8, utf8));
    let want = if utf8 {
        range(7, 31, 7, 39)
    } else {
        range(7, 25, 7, 33)
    };
    assert_eq!(d["range"], want);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn exact_ranges_utf16() {
    check_exact_ranges(SKILL_WITH_PROBLEMS, false);
}

#[test]
fn exact_ranges_utf8() {
    check_exact_ranges(SKILL_WITH_PROBLEMS, true);
}

#[test]
fn exact_ranges_crlf() {
    let crlf = SKILL_WITH_PROBLEMS.replace('\n', "\r\n");
    check_exact_ranges(&crlf, false);
    check_exact_ranges(&crlf, true);
}

// --------------------------------------------------------- incremental edits

/// A ranged change replacing bytes `start..end` of `text` with `new`, in LSP terms.
fn change_at(text: &str, start: usize, end: usize, new: &str, utf8: bool) -> Value {
    json!({"range": lsp_range(text, start, end, utf8), "text": new})
}

/// Apply a list of ranged changes in order to `text` (each relative to the text before it).
fn apply_changes(text: &mut String, changes: &[Value], utf8: bool) {
    for ch in changes {
        let edit = json!({"range": ch["range"], "newText": ch["text"]});
        *text = apply_edits(text, &[edit], utf8);
    }
}

const CLEAN_SKILL: &str = "---\r
name: my-skill\r
description: 説明 😀 does things\r
metadata:\r
  version: \"1.0.0\"\r
  skill-type: tool\r
  capabilities: [http_get]\r
---\r
# Use 😀\r
\r
Body.\r
";

fn incremental(utf8: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let (_, u) = place(tmp.path(), "my-skill", "SKILL.md");
    let (c, _) = Client::initialized(caps(utf8));
    let mut text = CLEAN_SKILL.to_string();
    c.open(&u, 1, &text);
    let diags = c.diagnostics_for_version(&u, 1);
    assert!(
        !codes_of(&diags).iter().any(|c| c == "capability-invalid"),
        "{diags:?}"
    );

    // One didChange with two ranged edits, the second relative to the first's result:
    // add multi-byte text to the description line, then break the capability.
    let at = text.find("does things").unwrap();
    let first = change_at(&text, at, at, "🦀 日本 ", utf8);
    apply_changes(&mut text, std::slice::from_ref(&first), utf8);
    let h = text.find("http_get").unwrap();
    let second = change_at(&text, h + 4, h + 5, "-", utf8);
    apply_changes(&mut text, std::slice::from_ref(&second), utf8);
    c.change(&u, 2, json!([first, second]));
    assert!(text.contains("[http-get]") && text.contains("🦀 日本 does things"));
    let diags = c.diagnostics_for_version(&u, 2);
    let h = text.find("http-get").unwrap();
    find(&diags, "capability-invalid", &position(&text, h, utf8));

    // Insert multi-byte text before the bad value: the range moves by its width.
    let at = text.find("[http-get]").unwrap();
    let ins = change_at(&text, at + 1, at + 1, "\"日本😀\", ", utf8);
    apply_changes(&mut text, std::slice::from_ref(&ins), utf8);
    c.change(&u, 3, json!([ins]));
    let diags = c.diagnostics_for_version(&u, 3);
    let h = text.find("http-get").unwrap();
    let d = find(&diags, "capability-invalid", &position(&text, h, utf8));
    assert_eq!(d["range"], lsp_range(&text, h, h + 8, utf8));
    let (l8, l16) = cols("  capabilities: [\"日本😀\", ");
    assert_eq!(
        d["range"]["start"]["character"],
        if utf8 { l8 } else { l16 },
        "column after multi-byte text"
    );

    // Add a line (CRLF) above, then delete across a line break: lines shift both ways.
    let fm_end = text.find("metadata:").unwrap();
    let add = change_at(&text, fm_end, fm_end, "license: MIT 🦀\r\n", utf8);
    apply_changes(&mut text, std::slice::from_ref(&add), utf8);
    c.change(&u, 4, json!([add]));
    let diags = c.diagnostics_for_version(&u, 4);
    let h = text.find("http-get").unwrap();
    let d = find(&diags, "capability-invalid", &position(&text, h, utf8));
    assert_eq!(d["range"]["start"]["line"], 7);

    let del_start = text.find("license:").unwrap();
    let del_end = text.find("metadata:").unwrap();
    let del = change_at(&text, del_start, del_end, "", utf8);
    apply_changes(&mut text, std::slice::from_ref(&del), utf8);
    c.change(&u, 5, json!([del]));
    let diags = c.diagnostics_for_version(&u, 5);
    let h = text.find("http-get").unwrap();
    let d = find(&diags, "capability-invalid", &position(&text, h, utf8));
    assert_eq!(d["range"]["start"]["line"], 6);

    // Fix it: the diagnostic goes away.
    let fix = change_at(&text, h, h + 8, "http_get", utf8);
    apply_changes(&mut text, std::slice::from_ref(&fix), utf8);
    c.change(&u, 6, json!([fix]));
    let diags = c.diagnostics_for_version(&u, 6);
    let bad: Vec<_> = diags
        .iter()
        .filter(|d| d["range"]["start"]["line"] == 6 && d["code"] == "capability-invalid")
        .collect();
    // `"日本😀"` is still not a capability; `http_get` is.
    assert_eq!(bad.len(), 1, "{diags:?}");
    let q = text.find("\"日本😀\"").unwrap();
    assert_eq!(
        bad[0]["range"],
        lsp_range(&text, q, q + "\"日本😀\"".len(), utf8)
    );

    // The result equals a fresh open of the text we computed.
    let (_, u2) = place(&tmp.path().join("other"), "my-skill", "SKILL.md");
    c.open(&u2, 1, &text);
    // The copy is a second skill of the same name: the cross-file rule says so on both.
    assert_eq!(
        without_duplicates(c.diagnostics_for_version(&u2, 1)),
        without_duplicates(diags)
    );

    c.close(&u);
    let p = c.diagnostics_where(&u, "empty after didClose", |p| {
        p["diagnostics"].as_array().is_some_and(Vec::is_empty)
    });
    assert!(p["diagnostics"].as_array().unwrap().is_empty());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn incremental_changes_utf16() {
    incremental(false);
}

#[test]
fn incremental_changes_utf8() {
    incremental(true);
}

// ------------------------------------------------------------------ ordering

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A char boundary in `lo..=hi` that does not split a `\r\n`.
fn boundary(text: &str, lo: usize, hi: usize, rng: &mut Rng) -> usize {
    let candidates: Vec<usize> = (lo..=hi)
        .filter(|&i| text.is_char_boundary(i) && !(i > 0 && text.as_bytes()[i - 1] == b'\r'))
        .collect();
    candidates[rng.below(candidates.len())]
}

fn description_of(text: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("description: "))
        .expect("description line");
    line.trim_end_matches('\r').to_string()
}

/// One random edit of the shadow text: (changes, text after).
fn random_edit(text: &str, step: usize, rng: &mut Rng, utf8: bool) -> Vec<Value> {
    let body = text.find("\n---").unwrap() + 4;
    let toggle = |from: &str, to: &str| -> Option<Value> {
        let at = text.find(from)?;
        Some(change_at(text, at, at + from.len(), to, utf8))
    };
    match rng.below(8) {
        0 | 1 => {
            const SNIPPETS: &[&str] = &[
                "😀",
                "日本",
                "x",
                "\n",
                "\r\n",
                "- item\n",
                "## H 😀\n",
                "<!-- c -->",
                "[l](u) ",
            ];
            let at = boundary(text, body, text.len(), rng);
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            vec![change_at(text, at, at, s, utf8)]
        }
        2 => {
            let a = boundary(text, body, text.len(), rng);
            let b = boundary(text, a, (a + 12).min(text.len()), rng);
            vec![change_at(text, a, b, "", utf8)]
        }
        3 => vec![toggle("http_get", "http-get")
            .or_else(|| toggle("http-get", "http_get"))
            .unwrap()],
        4 => vec![toggle("\"1.0.0\"", "1.0")
            .or_else(|| toggle("version: 1.0", "version: \"1.0.0\""))
            .unwrap()],
        5 => {
            let old = description_of(text);
            let at = text.find(&format!("description: {old}")).unwrap() + "description: ".len();
            let new = if step.is_multiple_of(2) {
                format!("日本😀 step-{step}")
            } else {
                format!("step-{step}")
            };
            vec![change_at(text, at, at + old.len(), &new, utf8)]
        }
        6 => vec![toggle("name: my-skill", "name: My-Skill")
            .or_else(|| toggle("name: My-Skill", "name: my-skill"))
            .unwrap()],
        _ => {
            // Two changes in one notification: the second is relative to the first's result.
            let at = boundary(text, body, text.len(), rng);
            let first = change_at(text, at, at, "🦀\n", utf8);
            let mut t = text.to_string();
            apply_changes(&mut t, std::slice::from_ref(&first), utf8);
            let at2 = boundary(&t, body, t.len(), rng);
            let end2 = boundary(&t, at2, (at2 + 4).min(t.len()), rng);
            vec![first, change_at(&t, at2, end2, "ü", utf8)]
        }
    }
}

enum Expect {
    Symbols { description: String },
    Actions { capability_fix: bool },
}

fn ordering(utf8: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let (_, u) = place(&tmp.path().join("a"), "my-skill", "SKILL.md");
    let (c, _) = Client::initialized(caps(utf8));
    let mut c = c;
    let mut text = CLEAN_SKILL.replace("description: 説明 😀 does things", "description: step-0");
    c.open(&u, 1, &text);
    let mut rng = Rng(0x5EED_F04C_E15A_u64 ^ u64::from(utf8));
    let mut expected: Vec<(i64, Expect)> = Vec::new();
    let mut version = 1;
    for step in 1..=500 {
        let changes = random_edit(&text, step, &mut rng, utf8);
        apply_changes(&mut text, &changes, utf8);
        version += 1;
        c.change(&u, version, Value::Array(changes));
        if step % 5 == 0 {
            let id = c.request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": u}}),
            );
            expected.push((
                id,
                Expect::Symbols {
                    description: description_of(&text),
                },
            ));
        }
        if step % 7 == 0 {
            let id = c.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": range(0, 0, 100_000, 0),
                       "context": {"diagnostics": []}}),
            );
            expected.push((
                id,
                Expect::Actions {
                    capability_fix: text.contains("http-get"),
                },
            ));
        }
    }

    // Every request is answered, computed on the text as of its place in the order.
    for (id, want) in &expected {
        let result = c.result(*id);
        match want {
            Expect::Symbols { description } => {
                let sym = result
                    .as_array()
                    .and_then(|s| s.iter().find(|s| s["name"] == "description"))
                    .unwrap_or_else(|| panic!("no description symbol in {result}"));
                let want: String = description.chars().take(60).collect();
                assert_eq!(
                    sym["detail"], want,
                    "documentSymbol {id} saw another version"
                );
            }
            Expect::Actions { capability_fix } => {
                let titles: Vec<&str> = result
                    .as_array()
                    .unwrap_or_else(|| panic!("codeAction {id}: {result}"))
                    .iter()
                    .filter_map(|a| a["title"].as_str())
                    .collect();
                assert_eq!(
                    titles.iter().any(|t| t.contains("`http_get`")),
                    *capability_fix,
                    "codeAction {id} saw another version: {titles:?}"
                );
            }
        }
    }

    let last = c.diagnostics_for_version(&u, version);
    let (_, u2) = place(&tmp.path().join("b"), "my-skill", "SKILL.md");
    c.open(&u2, 1, &text);
    let fresh = without_duplicates(c.diagnostics_for_version(&u2, 1));
    let last = without_duplicates(last);
    assert_eq!(
        last, fresh,
        "diagnostics after 500 edits differ from a fresh open of the same text:\n{text}"
    );
    // The final text still means something: the document symbols agree too.
    let a = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let b = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u2}}),
    );
    assert_eq!(a, b);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn ordering_under_a_burst_utf16() {
    ordering(false);
}

#[test]
fn ordering_under_a_burst_utf8() {
    ordering(true);
}

// --------------------------------------------------------------- quick fixes

#[test]
fn quick_fixes_remove_their_diagnostic() {
    for utf8 in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let (_, u) = place(tmp.path(), "fixes", "SKILL.md");
        let (c, _) = Client::initialized(caps(utf8));
        let mut c = c;
        let mut text = "---\nname: fixes\ndescription: 😀 fixes things\nmetadata:\n  version: 1.0\n  skill-type: tool\n  capabilities: [\"日本😀\", http-get]\n---\n# Fixes\n\nBody.\n".to_string();
        let mut version = 1;
        c.open(&u, version, &text);
        for (code, wrong, right) in [
            ("capability-invalid", "http-get", "http_get"),
            ("skill-version-invalid", "1.0", "\"1.0.0\""),
        ] {
            let diags = c.diagnostics_for_version(&u, version);
            let at = text.find(wrong).unwrap();
            let d = find(&diags, code, &position(&text, at, utf8)).clone();
            assert_eq!(d["range"], lsp_range(&text, at, at + wrong.len(), utf8));
            let actions = c.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": d["range"],
                       "context": {"diagnostics": [d], "only": ["quickfix"]}}),
            );
            let fix = actions
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["kind"] == "quickfix" && a["diagnostics"][0]["code"] == code)
                .unwrap_or_else(|| panic!("no quick fix for {code}: {actions}"))
                .clone();
            let edits = fix["edit"]["changes"][&u].as_array().unwrap().clone();
            let fixed = apply_edits(&text, &edits, utf8);
            assert_eq!(fixed, text.replacen(wrong, right, 1), "{fix}");
            // Send the fix's own edits as the change.
            let changes: Vec<Value> = edits
                .iter()
                .map(|e| json!({"range": e["range"], "text": e["newText"]}))
                .collect();
            version += 1;
            c.change(&u, version, Value::Array(changes));
            text = fixed;
            let after = c.diagnostics_for_version(&u, version);
            let still: Vec<_> = after
                .iter()
                .filter(|x| x["code"] == code && x["range"] == d["range"])
                .collect();
            assert!(still.is_empty(), "{code} remains after its fix: {after:?}");
        }
        // The other bad capability is still reported: the fixes were targeted.
        let diags = c.diagnostics_for_version(&u, version);
        assert_eq!(
            codes_of(&diags)
                .iter()
                .filter(|c| *c == "capability-invalid")
                .count(),
            1,
            "{diags:?}"
        );
        // A codeAction restricted to another kind offers no quick fix.
        let none = c.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": range(0, 0, 20, 0),
                   "context": {"diagnostics": [], "only": ["refactor"]}}),
        );
        assert!(
            none.as_array()
                .is_none_or(|a| a.iter().all(|x| x["kind"] != "quickfix")),
            "{none}"
        );
        assert!(c.shutdown_and_exit().success());
    }
}

/// A bad skill name in a folder named as its fix would be is reported twice (invalid, differs
/// from the folder), and both diagnostics fix it the same way: one quick fix is listed.
#[test]
fn the_same_fix_is_listed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, u) = place(tmp.path(), "skills/web-search", "SKILL.md");
    let (mut c, _) = Client::initialized(caps(false));
    let text = "---\nname: Web Search\ndescription: Searches the web for a query.\n---\n# Web Search\n\nBody.\n";
    c.open(&u, 1, text);
    let diags = c.diagnostics_for_version(&u, 1);
    let on_name: Vec<&Value> = diags
        .iter()
        .filter(|d| d["range"]["start"]["line"] == 1)
        .collect();
    assert!(on_name.len() >= 2, "two diagnostics on the name: {diags:?}");
    let actions = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(1, 8, 1, 8),
               "context": {"diagnostics": on_name, "only": ["quickfix"]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Change to `web-search`"], "{actions}");
    assert!(c.shutdown_and_exit().success());
}

// ---------------------------------------------------------------- lifecycle

#[test]
fn shutdown_then_exit_is_code_0() {
    let (c, _) = Client::initialized(json!({}));
    let status = c.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let (mut c, _) = Client::initialized(json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(Duration::from_secs(10)).code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_process() {
    let (mut c, _) = Client::initialized(json!({}));
    c.close_stdin();
    c.wait_exit(Duration::from_secs(10));
    let mut c = Client::spawn();
    c.close_stdin();
    c.wait_exit(Duration::from_secs(10));
}

#[test]
fn requests_before_initialize_fail_with_32002() {
    let mut c = Client::spawn();
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x/SKILL.md"}}),
    );
    let err = c.error(id);
    assert_eq!(err["code"], -32002, "{err}");
    // Still usable afterwards.
    c.initialize(json!({}));
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x/SKILL.md"}}),
    );
    assert!(c.response(id).get("error").is_none());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn requests_after_shutdown_fail_with_invalid_request() {
    let (mut c, _) = Client::initialized(json!({}));
    c.call("shutdown", Value::Null);
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x/SKILL.md"}}),
    );
    assert_eq!(c.error(id)["code"], -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(Duration::from_secs(10)).code(), Some(0));
}

#[test]
fn malformed_json_gets_a_parse_error() {
    let (c, _) = Client::initialized(json!({}));
    c.write_raw(b"Content-Length: 5\r\n\r\n{oops".to_vec());
    let r = c.wait_for("a parse error response", TIMEOUT, |i| {
        i.null_id_responses.first().cloned()
    });
    assert_eq!(r["error"]["code"], -32700, "{r}");
    // The session goes on (tests/abuse.rs tries many more kinds of bad input).
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn unknown_request_is_method_not_found() {
    let (mut c, _) = Client::initialized(json!({}));
    let id = c.request("forge/noSuchThing", json!({}));
    assert_eq!(c.error(id)["code"], -32601);
    assert!(c.shutdown_and_exit().success());
}

// ---------------------------------------------------------------- bad input

/// Open `text` as a SKILL.md, wait for its diagnostics, then check the server still answers.
fn survives(c: &mut Client, root: &Path, name: &str, text: &str, wait: Duration) -> Vec<Value> {
    let (_, u) = place(root, name, "SKILL.md");
    c.open(&u, 7, text);
    let diags = c.diagnostics_for_version_within(&u, 7, wait);
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let r = c.response_within(id, wait);
    assert!(r.get("result").is_some(), "documentSymbol on {name}: {r}");
    let id = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": u}}),
    );
    let r = c.response_within(id, wait);
    assert!(r.get("result").is_some(), "foldingRange on {name}: {r}");
    c.close(&u);
    diags
}

#[test]
fn bad_input_does_not_break_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut c, _) = Client::initialized(json!({}));

    let d = survives(&mut c, tmp.path(), "empty", "", TIMEOUT);
    assert!(
        codes_of(&d).contains(&"frontmatter-missing".into()),
        "{d:?}"
    );

    let d = survives(
        &mut c,
        tmp.path(),
        "unclosed",
        "---\nname: unclosed\ndescription: never closed\n",
        TIMEOUT,
    );
    assert_eq!(codes_of(&d), ["frontmatter-unclosed"], "{d:?}");
    assert_eq!(d[0]["range"], range(0, 0, 0, 3));

    let deep_flow = format!(
        "---\nname: deep-flow\ndescription: x\na: {}{}\n---\nbody\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let d = survives(&mut c, tmp.path(), "deep-flow", &deep_flow, TIMEOUT);
    assert!(
        codes_of(&d)
            .iter()
            .any(|c| c == "yaml-too-deep" || c == "yaml-syntax"),
        "{d:?}"
    );
    let unbalanced = format!("---\nname: x\na: {}\n---\n", "[".repeat(10_000));
    let d = survives(&mut c, tmp.path(), "deep-unbalanced", &unbalanced, TIMEOUT);
    assert!(!d.is_empty());

    let mut deep_block = String::from("---\nname: deep-block\ndescription: x\n");
    for level in 0..100 {
        deep_block.push_str(&"  ".repeat(level));
        deep_block.push_str(&format!("k{level}:\n"));
    }
    deep_block.push_str("---\nbody\n");
    let d = survives(&mut c, tmp.path(), "deep-block", &deep_block, TIMEOUT);
    assert!(codes_of(&d).contains(&"yaml-too-deep".into()), "{d:?}");

    // 10 MB: a frontmatter with a bad name, then a large Markdown body.
    let mut big = String::from("---\nname: Big Skill\ndescription: big\n---\n");
    let para = "# Heading 😀\n\nSome *text* with a [link](https://example.com) and `code`.\n- item\n- item 日本\n<!-- comment -->\n\n";
    while big.len() < 10 * 1024 * 1024 {
        big.push_str(para);
    }
    // Debug builds are slow; this bounds a hang, not the speed.
    let d = survives(&mut c, tmp.path(), "big", &big, Duration::from_secs(180));
    assert!(codes_of(&d).contains(&"skill-name-invalid".into()), "{d:?}");

    let (status, stderr) = c.shutdown_and_exit_with_stderr();
    assert!(status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Diagnostics minus `skill-duplicate-name`, which a second copy of a skill adds.
fn without_duplicates(d: Vec<Value>) -> Vec<Value> {
    d.into_iter()
        .filter(|x| x["code"] != "skill-duplicate-name")
        .collect()
}

#[test]
fn a_bad_setting_is_shown_to_the_user_once() {
    let (mut c, _) = Client::initialized(json!({}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"validation": {"profile": "strictest"}}}}),
    );
    let shown = c.wait_for(
        "the warning about the profile",
        Duration::from_secs(10),
        |i| {
            i.notifications
                .iter()
                .find(|n| {
                    n["method"] == "window/showMessage"
                        && n["params"]["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("strictest"))
                })
                .cloned()
        },
    );
    assert_eq!(shown["params"]["type"], 2, "a warning: {shown}");
    // The same settings again change nothing and say nothing more.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"forge": {"validation": {"profile": "strictest"}}}}),
    );
    let _ = c.call("workspace/symbol", json!({"query": ""}));
    let again = c.with_inbox(|i| {
        i.notifications
            .iter()
            .filter(|n| {
                n["method"] == "window/showMessage"
                    && n["params"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("strictest"))
            })
            .count()
    });
    assert_eq!(again, 1);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_client_that_never_accepts_the_progress_token_still_gets_an_index() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let (skill, _) = place(&root, "skills/pdf-tools", "SKILL.md");
    std::fs::write(
        skill,
        "---\nname: pdf-tools\ndescription: Extract text from PDF files.\n---\n\nBody.\n",
    )
    .unwrap();
    let mut c = Client::spawn_with(&[], Some(&root));
    c.never_answer("window/workDoneProgress/create");
    c.initialize_with(json!({"processId": null, "rootUri": uri(&root),
                             "capabilities": {"window": {"workDoneProgress": true}}}));
    // Waits for the first scan (at most 5 s), which must not wait for the token.
    let found = c.call("workspace/symbol", json!({"query": "pdf"}));
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["pdf-tools"]);
    // The token was never accepted: no progress was reported on it.
    c.with_inbox(|i| {
        assert!(i
            .server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create"));
        assert!(!i.notifications.iter().any(|n| n["method"] == "$/progress"));
    });
    assert!(c.shutdown_and_exit().success());
}
