//! IDENTITY.md as OpenClaw's `parseIdentityMarkdown` reads it (spec §2.1–2.2,
//! rules 16–21): one `Label: value` per line, no Markdown awareness, the last
//! occurrence wins, template prompts count as unset. The diagnostics are the
//! parser's pitfalls: what a human reads as set but OpenClaw does not.

use std::ops::Range;
use std::path::Path;

use crate::agent_schema::{IDENTITY_PLACEHOLDERS, OPENCLAW_IDENTITY_LABELS};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};

/// The UI's display limits (§2.1, `assistant-identity.ts`).
pub const NAME_MAX: usize = 50;
pub const EMOJI_MAX: usize = 16;
pub const AVATAR_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];
pub const AVATAR_MAX_BYTES: u64 = 2 * 1024 * 1024;

/// One label line the parser accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Lower-case label (`name`, `emoji`, …).
    pub label: String,
    pub value: String,
    pub line: Range<usize>,
    /// The value's bytes in the text (empty at the line end when there is none).
    pub value_range: Range<usize>,
}

struct Line<'a> {
    range: Range<usize>,
    raw: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    for l in text.split('\n') {
        let raw = l.strip_suffix('\r').unwrap_or(l);
        out.push(Line {
            range: at..at + raw.len(),
            raw,
        });
        at += l.len() + 1;
    }
    out
}

/// Steps 1–3 of §2.1 on one line: the label and the value with its range.
fn parse_line(line: &Line) -> Option<(String, String, Range<usize>)> {
    let lead = line.raw.len() - line.raw.trim_start().len();
    let mut t = line.raw.trim();
    let mut start = line.range.start + lead;
    if let Some(rest) = t.strip_prefix('-') {
        let r = rest.trim_start();
        start += t.len() - r.len();
        t = r;
    }
    let colon = t.find(':')?;
    let label: String = t[..colon]
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect::<String>()
        .trim()
        .to_lowercase();
    let after = &t[colon + 1..];
    let stripped = after
        .trim_start_matches(['*', '_'])
        .trim_end_matches(['*', '_']);
    let value = stripped.trim();
    // Only what was stripped before the value moves its start.
    let lead = after.len() - after.trim_start_matches(['*', '_']).len();
    let vstart = start + colon + 1 + lead + (stripped.len() - stripped.trim_start().len());
    Some((label, value.to_string(), vstart..vstart + value.len()))
}

/// §2.1 step 4: the template prompts, normalised.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim_matches(['*', '_', ' ']);
    let v = v
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(v);
    let v: String = v.replace(['\u{2013}', '\u{2014}'], "-");
    let v = v
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    IDENTITY_PLACEHOLDERS.contains(&v.as_str())
}

fn known(label: &str) -> Option<&'static str> {
    OPENCLAW_IDENTITY_LABELS
        .iter()
        .map(|f| f.key)
        .find(|k| k.eq_ignore_ascii_case(label))
}

/// The fields OpenClaw reads, last occurrence first-class (as the parser keeps it).
pub fn labels(text: &str) -> Vec<Label> {
    lines(text)
        .iter()
        .filter_map(|l| {
            let (label, value, value_range) = parse_line(l)?;
            (known(&label).is_some() && !value.is_empty() && !is_placeholder(&value)).then(|| {
                Label {
                    label,
                    value,
                    line: l.range.clone(),
                    value_range,
                }
            })
        })
        .collect()
}

/// Every line of the `Label: value` shape, whatever its label and value (empty and placeholder
/// values included): what a writer needs to find the line a label is on.
pub fn label_lines(text: &str) -> Vec<Label> {
    lines(text)
        .iter()
        .filter_map(|l| {
            let (label, value, value_range) = parse_line(l)?;
            Some(Label {
                label,
                value,
                line: l.range.clone(),
                value_range,
            })
        })
        .collect()
}

pub fn check(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) {
    let all = lines(text);
    let found = labels(text);
    for (i, line) in all.iter().enumerate() {
        let Some((label, value, vrange)) = parse_line(line) else {
            near_miss(line, diags);
            continue;
        };
        let Some(canon) = known(&label) else {
            near_miss(line, diags);
            continue;
        };
        if is_placeholder(&value) {
            diags.push(
                Diagnostic::new(&codes::TEMPLATE_UNFILLED, vrange, format!(
                    "`{canon}` still holds the template's prompt; OpenClaw treats it as unset. Replace it with your value."
                ))
                .severity(Severity::Information),
            );
            continue;
        }
        if value.is_empty() {
            next_line(&all, i, canon, diags);
        }
    }
    for (i, l) in found.iter().enumerate() {
        if found[..i].iter().any(|p| p.label == l.label) {
            let canon = known(&l.label).unwrap_or_default();
            diags.push(Diagnostic::new(&codes::OPENCLAW_IDENTITY_DUPLICATE, l.line.clone(), format!(
                "`{canon}` is set more than once; OpenClaw reads the last one, and `openclaw agents set-identity` rewrites the first and deletes the rest. Keep one."
            )));
        }
    }
    if found.is_empty() {
        diags.push(Diagnostic::new(&codes::OPENCLAW_IDENTITY_EMPTY, forge_syntax::frontmatter::first_line(text),
            "OpenClaw finds no identity here: write lines such as `- Name: Quill`, `- Emoji: 🦉` (labels Name, Creature, Vibe, Theme, Emoji, Avatar)."));
    }
    // The parser keeps the last value of each label; check those.
    let last = |label: &str| found.iter().rev().find(|l| l.label == label);
    if let Some(n) = last("name") {
        let len = n.value.encode_utf16().count();
        if len > NAME_MAX {
            diags.push(Diagnostic::new(
                &codes::OPENCLAW_IDENTITY_DISPLAY,
                n.value_range.clone(),
                format!("The name has {len} characters; OpenClaw's UI shows the first {NAME_MAX}."),
            ));
        }
    }
    if let Some(e) = last("emoji") {
        let len = e.value.encode_utf16().count();
        if len > EMOJI_MAX || e.value.is_ascii() {
            diags.push(Diagnostic::new(&codes::OPENCLAW_IDENTITY_DISPLAY, e.value_range.clone(), format!(
                "OpenClaw's UI uses an emoji only when it has at most {EMOJI_MAX} characters and is not plain ASCII; `{}` is not used.",
                e.value
            )));
        }
    }
    if let Some(a) = last("avatar") {
        avatar(path, a, diags);
    }
}

/// Rule 16: the template's shape invites typing the value on the next line.
fn next_line(all: &[Line], i: usize, canon: &str, diags: &mut Vec<Diagnostic>) {
    let Some(next) = all[i + 1..].iter().find(|l| !l.raw.trim().is_empty()) else {
        return;
    };
    let t = next.raw.trim();
    if parse_line(next).is_some_and(|(l, _, _)| known(&l).is_some()) || t.starts_with('#') {
        return;
    }
    if is_placeholder(t) {
        diags.push(
            Diagnostic::new(&codes::TEMPLATE_UNFILLED, next.range.clone(), format!(
                "`{canon}` is still the template's prompt; write the value after `{canon}:` on the label's line."
            ))
            .severity(Severity::Information),
        );
        return;
    }
    // Only an indented continuation clearly belongs to the label.
    if !next.raw.starts_with([' ', '\t']) {
        return;
    }
    let label_end = all[i].range.end;
    let value_start = next.range.start + (next.raw.len() - next.raw.trim_start().len());
    diags.push(
        Diagnostic::new(&codes::OPENCLAW_IDENTITY_NEXT_LINE, next.range.clone(), format!(
            "OpenClaw reads a label's value only on its own line, so `{canon}` stays unset. Move this text after `{canon}:`."
        ))
        .fix(format!("Join it to the `{canon}` line"), label_end..value_start, " "),
    );
}

/// Rule 19: lines a person reads as a label but the parser does not.
fn near_miss(line: &Line, diags: &mut Vec<Diagnostic>) {
    let t = line.raw.trim();
    let lead = line.range.start + (line.raw.len() - line.raw.trim_start().len());
    // `+ Name: x`, `1. Name: x`, `## Name: x`
    let prefix_len = if let Some(r) = t.strip_prefix('+') {
        Some(t.len() - r.trim_start().len())
    } else if t.starts_with('#') {
        let r = t.trim_start_matches('#');
        Some(t.len() - r.trim_start().len())
    } else {
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        (digits > 0 && t[digits..].starts_with(['.', ')']))
            .then(|| t.len() - t[digits + 1..].trim_start().len())
    };
    if let Some(p) = prefix_len {
        let rest = Line {
            range: lead + p..line.range.end,
            raw: &t[p..],
        };
        if let Some((l, v, _)) = parse_line(&rest) {
            if let (Some(canon), false) = (known(&l), v.is_empty()) {
                diags.push(
                    Diagnostic::new(&codes::OPENCLAW_IDENTITY_IGNORED, line.range.clone(), format!(
                        "OpenClaw's parser ignores this line: only `- ` bullets (or none) may come before a label. Write `- {canon}: …`."
                    ))
                    .fix("Make it a `- ` bullet", lead..lead + p, "- "),
                );
                return;
            }
        }
    }
    // `Name： x` (full-width colon)
    if let Some(i) = t.find('：') {
        let label: String = t[..i]
            .chars()
            .filter(|c| !matches!(c, '*' | '_' | '-' | ' '))
            .collect();
        if known(&label).is_some() {
            let at = lead + i;
            diags.push(
                Diagnostic::new(&codes::OPENCLAW_IDENTITY_IGNORED, line.range.clone(),
                    "A full-width colon `：` does not separate a label for OpenClaw's parser; use `:`.")
                .fix("Use `:`", at..at + '：'.len_utf8(), ":"),
            );
            return;
        }
    }
    // `Name (display): x`
    if let Some((label, value, _)) = parse_line(line) {
        if let Some((head, _)) = label.split_once('(') {
            if known(head.trim()).is_some() && !value.is_empty() {
                diags.push(Diagnostic::new(&codes::OPENCLAW_IDENTITY_IGNORED, line.range.clone(), format!(
                    "OpenClaw reads the whole text before `:` as the label, so `{label}` is not `{}`. Remove the suffix.",
                    head.trim()
                )));
            }
        }
    }
}

/// Rule 20: the avatar forms of §2.2.
fn avatar(path: &Path, a: &Label, diags: &mut Vec<Diagnostic>) {
    let v = a.value.trim();
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("data:") {
        return;
    }
    let d =
        |msg: String| Diagnostic::new(&codes::OPENCLAW_IDENTITY_AVATAR, a.value_range.clone(), msg);
    if v.contains("://") {
        diags.push(d(format!("`{v}` is neither an http(s) URL, a `data:` URI nor a workspace path; OpenClaw shows no avatar.")));
        return;
    }
    let ext = Path::new(v)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !AVATAR_EXTENSIONS.contains(&ext.as_str()) {
        diags.push(d(format!(
            "OpenClaw accepts avatar images ending in {}; `{v}` is not used.",
            AVATAR_EXTENSIONS
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        return;
    }
    let Some(dir) = path.parent() else { return };
    // `~/` and absolute paths are resolved too, but must still end up inside the workspace.
    let target = match v.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => return,
        },
        None => dir.join(v),
    };
    let inside = match (target.canonicalize(), dir.canonicalize()) {
        (Ok(t), Ok(d)) => t.starts_with(d),
        // Not on disk: decide from the text alone.
        _ => lexically_inside(&target, dir),
    };
    if !inside {
        diags.push(
            d(format!(
                "`{v}` lies outside the workspace; OpenClaw only uses avatar files inside it."
            ))
            .severity(Severity::Error),
        );
        return;
    }
    match std::fs::metadata(&target) {
        Err(_) => diags.push(d(format!(
            "`{v}` does not exist in the workspace, so OpenClaw shows no avatar."
        ))),
        Ok(m) if m.len() > AVATAR_MAX_BYTES => diags.push(d(format!(
            "`{v}` is {} bytes; OpenClaw refuses avatars over 2 MiB.",
            m.len()
        ))),
        Ok(_) => {}
    }
}

/// `target` below `dir` after resolving `..` without touching the disk.
fn lexically_inside(target: &Path, dir: &Path) -> bool {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in target.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str()),
        }
    }
    parts
        .iter()
        .collect::<std::path::PathBuf>()
        .starts_with(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        let mut d = Vec::new();
        check(Path::new("/nowhere/IDENTITY.md"), text, &mut d);
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn parser_reads_like_openclaw() {
        let l =
            labels("- **Name:** Quill\n* **Emoji:** 🦉\n+ Vibe: calm\n## Theme: x\nName: Last\n");
        let got: Vec<(&str, &str)> = l
            .iter()
            .map(|l| (l.label.as_str(), l.value.as_str()))
            .collect();
        assert_eq!(got, [("name", "Quill"), ("emoji", "🦉"), ("name", "Last")]);
        assert!(is_placeholder("_(pick something you like)_"));
        // The J/A quirk: a run of `*` after a space is not stripped; ranges point at the value.
        let text = "- Name: **Quill**\n- **Vibe:** calm**\n";
        let l = labels(text);
        assert_eq!(l[0].value, "**Quill");
        assert_eq!(&text[l[0].value_range.clone()], "**Quill");
        assert_eq!(&text[l[1].value_range.clone()], "calm");
        assert!(is_placeholder(
            "(Your signature — pick one that feels right)"
        ));
    }

    #[test]
    fn pitfalls() {
        assert_eq!(
            codes("- **Name:**\n  Quill\n"),
            ["openclaw-identity-next-line", "openclaw-identity-empty"]
        );
        assert_eq!(
            codes("- **Name:**\n  _(pick something you like)_\n"),
            ["template-unfilled", "openclaw-identity-empty"]
        );
        assert_eq!(
            codes("- Name: A\n- Name: B\n"),
            ["openclaw-identity-duplicate"]
        );
        assert_eq!(
            codes("- Name: A\n+ Vibe: calm\n"),
            ["openclaw-identity-ignored"]
        );
        assert_eq!(
            codes("- Name: A\n- Emoji: :)\n"),
            ["openclaw-identity-display"]
        );
        assert_eq!(
            codes("- Name: A\n- Avatar: ../x.png\n"),
            ["openclaw-identity-avatar"]
        );
        assert_eq!(
            codes("- Name: A\n- Avatar: https://x/y.png\n"),
            Vec::<&str>::new()
        );
    }
}
