//! The bootstrap files of an OpenClaw workspace (`AGENTS.md`, `SOUL.md`,
//! `IDENTITY.md`, `USER.md`, …) as OpenClaw injects them into the prompt
//! (spec §1.3–§1.5, §3.5, rules 2–8 and 12–14): truncation limits, blank
//! files, verbatim frontmatter, retired files and HEARTBEAT.md's `tasks:`.

use std::ops::Range;
use std::path::Path;

use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter;

/// `agents.defaults.bootstrapMaxChars` / `bootstrapTotalMaxChars`, in UTF-16
/// code units (JavaScript string length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_chars: usize,
    pub total_max_chars: usize,
}

/// The current releases' defaults (§1.5, since ~2026-06-01).
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_chars: 20_000,
            total_max_chars: 60_000,
        }
    }
}

/// USER.md's own cap in current releases.
pub const USER_MAX_CHARS: usize = 4_000;
/// A larger file fails OpenClaw's guarded read and counts as missing.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Below this many characters of remaining budget, later files are skipped.
const MIN_REMAINING: usize = 64;

/// The order in which files consume the total budget (§1.3).
pub const LOAD_ORDER: &[&str] = &[
    "AGENTS.md",
    "SOUL.md",
    "TOOLS.md",
    "IDENTITY.md",
    "USER.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
    "MEMORY.md",
];

/// Files current releases no longer read (retired 2026-07-28).
const RETIRED: &[(&str, &str)] = &[
    (
        "TOOLS.md",
        "move its notes into the `## Tools` section of `AGENTS.md`",
    ),
    (
        "HEARTBEAT.md",
        "run `openclaw doctor --fix`, which turns its tasks into cron jobs",
    ),
];

/// JavaScript's `length` of a string.
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The byte offset where `units` UTF-16 code units of `s` end.
fn byte_at(s: &str, units: usize) -> usize {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        if n >= units {
            return i;
        }
        n += c.len_utf16();
    }
    s.len()
}

pub fn check(path: &Path, text: &str, limits: &Limits, diags: &mut Vec<Diagnostic>) {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let first = frontmatter::first_line(text);
    if text.len() > MAX_FILE_BYTES {
        diags.push(
            Diagnostic::new(
                &codes::OPENCLAW_BOOTSTRAP_TRUNCATED,
                first.clone(),
                format!(
                    "{name} is over 2 MiB; OpenClaw refuses to read it and injects it as missing."
                ),
            )
            .severity(Severity::Error),
        );
    }
    let trimmed = text.trim_end();
    if trimmed.is_empty() {
        diags.push(Diagnostic::new(
            &codes::OPENCLAW_FILE_BLANK,
            0..text.len(),
            format!("{name} is blank; OpenClaw silently leaves it out of the prompt."),
        ));
        return;
    }
    if let Some((_, advice)) = RETIRED.iter().find(|(n, _)| *n == name) {
        diags.push(Diagnostic::new(&codes::OPENCLAW_FILE_RETIRED, first.clone(), format!(
            "OpenClaw releases since 2026-07-28 no longer read {name}; {advice}. Older releases still inject it."
        )));
    }
    if let Ok(fm) = frontmatter::frame(text, frontmatter::Framing::Skill) {
        let end = fm.body.start;
        diags.push(
            Diagnostic::new(&codes::OPENCLAW_FRONTMATTER_INJECTED, fm.open.start..fm.close.end, format!(
                "OpenClaw injects {name} verbatim, frontmatter included (it looks like a copy of a docs template); remove it unless the agent should read it."
            ))
            .fix("Remove the frontmatter", 0..end, ""),
        );
    }
    let limit = file_limit(name, limits);
    let chars = js_len(trimmed);
    if chars > limit {
        let (head, tail) = head_tail(limit);
        let cut = byte_at(trimmed, head)..byte_at(trimmed, chars - tail);
        diags.push(Diagnostic::new(&codes::OPENCLAW_BOOTSTRAP_TRUNCATED, cut, format!(
            "{name} has {chars} characters; OpenClaw injects at most {limit}{}, keeping the first 70 % and the last 20 %: this part is cut. Shorten the file or raise `openclaw.bootstrapMaxChars`.",
            if limit == USER_MAX_CHARS && name == "USER.md" { " for USER.md" } else { "" }
        )));
    } else if chars * 10 > limit * 8 {
        diags.push(
            Diagnostic::new(&codes::OPENCLAW_BOOTSTRAP_TRUNCATED, first.clone(), format!(
                "{name} has {chars} of the {limit} characters OpenClaw injects; beyond that its middle is cut."
            ))
            .severity(Severity::Information),
        );
    }
    if let Some(ws) = crate::dialect::openclaw_workspace_of(path) {
        total(ws, name, trimmed, limits, diags);
    }
    if name == "HEARTBEAT.md" {
        heartbeat(text, diags);
    }
    secrets(text, diags);
    if let Some(ws) = crate::dialect::openclaw_workspace_of(path) {
        if name == "AGENTS.md" {
            misnamed(ws, diags);
        }
        if name == "BOOTSTRAP.md" && configured(ws) {
            diags.push(Diagnostic::new(&codes::OPENCLAW_BOOTSTRAP_LEFTOVER, first,
                "This workspace is set up (it has `memory/` or an identity), yet BOOTSTRAP.md is still here: OpenClaw injects it into every session until it is deleted. Delete it once the first-run ritual is done."));
        }
    }
}

/// Rule 10: a workspace counts as configured once `memory/` exists or IDENTITY.md sets a field.
fn configured(ws: &Path) -> bool {
    ws.join("memory").is_dir()
        || std::fs::read_to_string(ws.join("IDENTITY.md"))
            .is_ok_and(|t| !super::openclaw_identity::labels(&t).is_empty())
}

/// Rules 1 and 9, reported on AGENTS.md: names OpenClaw never loads (it looks
/// up exact, case-sensitive names at the workspace root).
fn misnamed(ws: &Path, diags: &mut Vec<Diagnostic>) {
    let Ok(entries) = std::fs::read_dir(ws) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for n in &names {
        let Some(right) = LOAD_ORDER
            .iter()
            .chain(["BOOT.md"].iter())
            .find(|r| r.eq_ignore_ascii_case(n))
        else {
            continue;
        };
        if n == right {
            continue;
        }
        let msg = if n == "memory.md" {
            if names.iter().any(|m| m == "MEMORY.md") {
                "Both `MEMORY.md` and `memory.md` are here; OpenClaw reads only `MEMORY.md` since 2026-03-13 (both before). Merge `memory.md` into it.".to_string()
            } else {
                "`memory.md` is the legacy name: current OpenClaw releases read only `MEMORY.md` (`openclaw doctor --fix` merges it). Rename it.".to_string()
            }
        } else {
            format!("OpenClaw loads `{right}` by its exact name, so `{n}` is never read (except on case-insensitive disks). Rename it to `{right}`.")
        };
        diags.push(Diagnostic::new(&codes::OPENCLAW_FILE_NAME, 0..0, msg));
    }
}

fn secrets(text: &str, diags: &mut Vec<Diagnostic>) {
    for s in super::secrets::find(text) {
        let message = if s.private_key {
            "A private key in a workspace file reaches the model with every prompt; keep it in a file outside the workspace.".to_string()
        } else {
            format!(
                "This looks like {}. OpenClaw injects workspace files into every prompt; keep secrets in `openclaw.json` or the environment.",
                s.what
            )
        };
        diags.push(Diagnostic::new(&codes::OPENCLAW_SECRET, s.range, message));
    }
}

/// Rule 3: the files before this one in load order use up the total budget.
fn total(ws: &Path, name: &str, trimmed: &str, limits: &Limits, diags: &mut Vec<Diagnostic>) {
    let Some(pos) = LOAD_ORDER.iter().position(|n| *n == name) else {
        return;
    };
    let texts: Vec<Option<String>> = LOAD_ORDER[..pos]
        .iter()
        .map(|other| std::fs::read_to_string(ws.join(other)).ok())
        .collect();
    let mut files: Vec<Bootstrap> = LOAD_ORDER[..pos]
        .iter()
        .zip(&texts)
        .filter_map(|(n, t)| {
            t.as_deref().map(|t| Bootstrap {
                name: n,
                path: String::new(),
                text: Some(t),
            })
        })
        .collect();
    files.push(Bootstrap {
        name,
        path: String::new(),
        text: Some(trimmed),
    });
    let (injected, left) = inject(&files, limits);
    let remaining = match injected.last().filter(|i| i.name == name) {
        Some(i) => i.budget,
        None => left,
    };
    let used = limits.total_max_chars.saturating_sub(remaining);
    let chars = js_len(trimmed);
    let budget = remaining.min(limits.max_chars);
    let skipped = remaining < MIN_REMAINING;
    if !skipped && (chars <= budget || budget >= limits.max_chars) {
        return;
    }
    let msg = if skipped {
        format!("The files before {name} ({}) use {used} of OpenClaw's {} characters in total, so {name} is left out of the prompt. Shorten them or raise `openclaw.bootstrapTotalMaxChars`.",
            LOAD_ORDER[..pos].join(", "), limits.total_max_chars)
    } else {
        format!("The files before {name} use {used} of OpenClaw's {} characters in total, so only {remaining} of its {chars} are injected. Shorten them or raise `openclaw.bootstrapTotalMaxChars`.",
            limits.total_max_chars)
    };
    diags.push(Diagnostic::new(
        &codes::OPENCLAW_BOOTSTRAP_TOTAL,
        frontmatter::first_line(trimmed),
        msg,
    ));
}

/// One bootstrap file handed to [`inject`]: `text: None` is a file OpenClaw expects but cannot
/// read, which it injects as a `[MISSING]` marker.
pub struct Bootstrap<'a> {
    pub name: &'a str,
    /// The path OpenClaw names the file by (its heading in the prompt).
    pub path: String,
    pub text: Option<&'a str>,
}

/// What OpenClaw injects of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injected {
    pub name: String,
    pub path: String,
    pub content: String,
    /// The file's length after `trimEnd()`, in UTF-16 code units.
    pub chars: usize,
    /// Cut by the per-file limit or the total budget.
    pub truncated: bool,
    /// What was left of the total budget before this file.
    pub budget: usize,
}

/// The per-file limit of `name`: USER.md has its own smaller cap in current releases.
pub fn file_limit(name: &str, limits: &Limits) -> usize {
    if name == "USER.md" {
        limits.max_chars.min(USER_MAX_CHARS)
    } else {
        limits.max_chars
    }
}

/// How many UTF-16 units of the head (70 %) and the tail (20 %) a cut file keeps.
fn head_tail(limit: usize) -> (usize, usize) {
    (limit * 7 / 10, limit * 2 / 10)
}

/// `trimBootstrapContent`: a file longer than `max` keeps its head and tail around a marker that
/// names it (openclaw/openclaw@004e913:src/agents/pi-embedded-helpers/bootstrap.ts).
fn trim_bootstrap(trimmed: &str, name: &str, max: usize) -> (String, bool) {
    let len = js_len(trimmed);
    if len <= max {
        return (trimmed.to_string(), false);
    }
    let (head, tail) = head_tail(max);
    let h = &trimmed[..byte_at(trimmed, head)];
    let t = &trimmed[byte_at(trimmed, len - tail)..];
    let marker = format!(
        "\n[...truncated, read {name} for full content...]\n…(truncated {name}: kept {head}+{tail} chars of {len})…\n"
    );
    (format!("{h}\n{marker}\n{t}"), true)
}

/// `clampToBudget`: what still fits of the total budget, an ellipsis marking the cut.
fn clamp(content: String, budget: usize) -> String {
    if budget == 0 {
        return String::new();
    }
    if js_len(&content) <= budget {
        return content;
    }
    if budget <= 3 {
        return content[..byte_at(&content, budget)].to_string();
    }
    format!("{}…", &content[..byte_at(&content, budget - 1)])
}

/// `buildBootstrapContextFiles`: the files in load order, each cut to its limit and to what is
/// left of the total budget; blank files are left out, and once fewer than 64 characters remain
/// the rest are skipped. Returns what is injected and the budget left at the end. Characters are
/// UTF-16 code units, as in JavaScript.
pub fn inject(files: &[Bootstrap], limits: &Limits) -> (Vec<Injected>, usize) {
    let mut remaining = limits.total_max_chars.max(1);
    let mut out = Vec::new();
    for f in files {
        if remaining == 0 {
            break;
        }
        let budget = remaining;
        let Some(text) = f.text else {
            let marker = clamp(format!("[MISSING] Expected at: {}", f.path), remaining);
            if marker.is_empty() {
                break;
            }
            remaining = remaining.saturating_sub(js_len(&marker));
            out.push(Injected {
                name: f.name.to_string(),
                path: f.path.clone(),
                content: marker,
                chars: 0,
                truncated: false,
                budget,
            });
            continue;
        };
        if remaining < MIN_REMAINING {
            break;
        }
        let trimmed = text.trim_end();
        let max = file_limit(f.name, limits).min(remaining).max(1);
        let (content, cut) = trim_bootstrap(trimmed, f.name, max);
        let full = js_len(&content);
        let content = clamp(content, remaining);
        if content.is_empty() {
            continue;
        }
        let len = js_len(&content);
        remaining = remaining.saturating_sub(len);
        out.push(Injected {
            name: f.name.to_string(),
            path: f.path.clone(),
            content,
            chars: js_len(trimmed),
            truncated: cut || len < full,
            budget,
        });
    }
    (out, remaining)
}

/// A line HEARTBEAT.md's emptiness check counts as nothing (§3.5).
fn empty_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty()
        || t == "#"
        || (t.starts_with('#') && t.trim_start_matches('#').starts_with(' '))
    {
        return true;
    }
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        let rest = rest.trim();
        return rest.is_empty() || rest == "[ ]" || rest.eq_ignore_ascii_case("[x]");
    }
    if let Some(lang) = t.strip_prefix("```") {
        return lang
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    }
    false
}

/// `30m`, `2h`, `1h30m`, `45` (minutes): OpenClaw's duration grammar.
pub fn is_duration(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    let unit = |r: &str| -> Option<usize> {
        ["ms", "s", "m", "h", "d"]
            .iter()
            .find(|u| r.starts_with(*u))
            .map(|u| u.len())
    };
    let number = |r: &str| -> usize {
        let n = r
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(r.len());
        if r[..n].parse::<f64>().is_ok() {
            n
        } else {
            0
        }
    };
    let n = number(&s);
    if n == 0 {
        return false;
    }
    if n == s.len() {
        return true;
    }
    let mut rest = &s[..];
    while !rest.is_empty() {
        let n = number(rest);
        if n == 0 || rest[..n].contains('.') && rest.len() > n + 2 {
            return false;
        }
        let Some(u) = unit(&rest[n..]) else {
            return false;
        };
        rest = &rest[n + u..];
    }
    true
}

struct Task {
    line: Range<usize>,
    name: String,
    interval: Option<(String, Range<usize>)>,
    prompt: Option<String>,
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    let v = v.strip_prefix(['"', '\'']).unwrap_or(v);
    v.strip_suffix(['"', '\'']).unwrap_or(v)
}

/// Rules 12–14.
fn heartbeat(text: &str, diags: &mut Vec<Diagnostic>) {
    let mut lines = Vec::new();
    let mut at = 0;
    for l in text.split('\n') {
        lines.push((at, l.trim_end_matches('\r')));
        at += l.len() + 1;
    }
    let Some(start) = lines.iter().position(|(_, l)| l.trim() == "tasks:") else {
        if lines.iter().all(|(_, l)| empty_line(l)) {
            diags.push(Diagnostic::new(&codes::OPENCLAW_HEARTBEAT_EMPTY, 0..text.len(),
                "HEARTBEAT.md has only blank lines, headings or empty bullets, so OpenClaw skips every heartbeat run. Add a checklist item or remove the file."));
        }
        return;
    };
    let mut tasks: Vec<Task> = Vec::new();
    let mut reading = false;
    for &(off, raw) in &lines[start + 1..] {
        let t = raw.trim();
        let range = off..off + raw.len();
        if t.is_empty() {
            continue;
        }
        if let Some(v) = t.strip_prefix("- name:") {
            tasks.push(Task {
                line: range,
                name: unquote(v).to_string(),
                interval: None,
                prompt: None,
            });
            reading = true;
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if reading && indented {
            if let Some(v) = t.strip_prefix("interval:") {
                let vs = off + raw.find("interval:").unwrap_or(0) + "interval:".len();
                let task = tasks.last_mut().expect("reading implies a task");
                task.interval = Some((unquote(v).to_string(), vs..off + raw.len()));
                continue;
            }
            if let Some(v) = t.strip_prefix("prompt:") {
                tasks.last_mut().expect("reading implies a task").prompt =
                    Some(unquote(v).to_string());
                continue;
            }
        }
        if reading && (t.starts_with("interval:") || t.starts_with("prompt:")) {
            let fix_at = off..off;
            diags.push(
                Diagnostic::new(&codes::OPENCLAW_HEARTBEAT_TASK, range.clone(),
                    "Task fields must be indented under their `- name:` line; this one is not read, and it ends the `tasks:` block, so later tasks are lost too.")
                .fix("Indent the field", fix_at, "  "),
            );
        } else if !reading && t.starts_with('-') {
            continue;
        }
        break;
    }
    for task in &tasks {
        let mut missing = Vec::new();
        if task.name.is_empty() {
            missing.push("`name`");
        }
        if task.interval.as_ref().is_none_or(|(v, _)| v.is_empty()) {
            missing.push("`interval`");
        }
        if task.prompt.as_deref().is_none_or(str::is_empty) {
            missing.push("`prompt`");
        }
        if !missing.is_empty() {
            diags.push(Diagnostic::new(&codes::OPENCLAW_HEARTBEAT_TASK, task.line.clone(), format!(
                "This task has no {}; OpenClaw silently drops it. Give it an indented `interval:` and `prompt:` line.",
                missing.join(" and ")
            )));
        }
        if let Some((v, r)) = &task.interval {
            if !v.is_empty() && !is_duration(v) {
                diags.push(Diagnostic::new(&codes::OPENCLAW_HEARTBEAT_INTERVAL, r.clone(), format!(
                    "`{v}` is not a duration (`30m`, `2h`, `1h30m`, or a number of minutes); the task runs once and never again."
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_but_not_placeholders() {
        let found = |t: &str| {
            let mut d = Vec::new();
            secrets(t, &mut d);
            d.iter()
                .map(|d| t[d.range.clone()].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found("key: ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 ok"),
            ["ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]
        );
        assert_eq!(found("AKIAIOSFODNN7EXAMPLE"), ["AKIAIOSFODNN7EXAMPLE"]);
        assert!(found(
            "export OPENAI_API_KEY=\"sk-...\" and sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        )
        .is_empty());
        assert!(found("task-runner risk-assessment-framework-for-teams-2024").is_empty());
        assert_eq!(
            found("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n")
                .len(),
            1
        );
        // A placeholder block, or a scanner's pattern, is no key.
        assert!(
            found("KEY=\"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\"")
                .is_empty()
        );
    }

    #[test]
    fn durations() {
        for ok in ["30m", "2h", "1h30m", "45", "1.5h", "10s", "500ms", "1D"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "soon", "1h 30m", "m", "30 minutes", "h1"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn truncation_range_is_the_cut_middle() {
        let text = "a".repeat(150);
        let mut d = Vec::new();
        let limits = Limits {
            max_chars: 100,
            total_max_chars: 1000,
        };
        check(Path::new("/nowhere/AGENTS.md"), &text, &limits, &mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].range, 70..130);
    }

    #[test]
    fn injection_cuts_with_the_marker_and_the_total_budget() {
        let limits = Limits {
            max_chars: 100,
            total_max_chars: 400,
        };
        let long = "a".repeat(150);
        let files = [
            Bootstrap {
                name: "AGENTS.md",
                path: "/w/AGENTS.md".into(),
                text: Some(&long),
            },
            Bootstrap {
                name: "SOUL.md",
                path: "/w/SOUL.md".into(),
                text: None,
            },
            Bootstrap {
                name: "IDENTITY.md",
                path: "/w/IDENTITY.md".into(),
                text: Some("  \n"),
            },
            Bootstrap {
                name: "USER.md",
                path: "/w/USER.md".into(),
                text: Some(&long),
            },
        ];
        let (got, left) = inject(&files, &limits);
        let marker = "\n[...truncated, read AGENTS.md for full content...]\n…(truncated AGENTS.md: kept 70+20 chars of 150)…\n";
        assert_eq!(
            got[0].content,
            format!("{}\n{marker}\n{}", "a".repeat(70), "a".repeat(20))
        );
        assert!(got[0].truncated);
        assert_eq!(got[1].content, "[MISSING] Expected at: /w/SOUL.md");
        // The blank IDENTITY.md is left out; USER.md gets what is left of the total.
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].name, "USER.md");
        let used: usize = got[..2].iter().map(|i| js_len(&i.content)).sum();
        assert_eq!(got[2].budget, 400 - used);
        assert!(js_len(&got[2].content) <= got[2].budget);
        // The cut copy (with its marker) is longer than what is left: clamped, with an ellipsis.
        assert!(got[2].content.ends_with('…'), "{}", got[2].content);
        assert_eq!(left, 400 - used - js_len(&got[2].content));
    }

    #[test]
    fn heartbeat_tasks() {
        let t = "tasks:\n- name: a\n  interval: 30m\n  prompt: x\n- name: b\ninterval: 1h\n- name: c\n  interval: 1h\n  prompt: y\n";
        let mut d = Vec::new();
        heartbeat(t, &mut d);
        let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            ["openclaw-heartbeat-task", "openclaw-heartbeat-task"],
            "{d:#?}"
        );
        let mut d = Vec::new();
        heartbeat("# Heartbeat\n\n- \n```\n", &mut d);
        assert_eq!(d[0].code, "openclaw-heartbeat-empty");
        let mut d = Vec::new();
        heartbeat("#TODO\n", &mut d);
        assert!(d.is_empty());
    }
}
