//! What ClawHub's publishing checks would say about an OpenClaw skill (spec
//! §4.8, §6 rules 46–47): the slug its folder name makes, and the quality gate
//! on the body and the license. OpenClaw itself loads the skill either way, so
//! these are warnings and notes, never errors.

use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::Frontmatter;
use forge_syntax::yaml::Node;

pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 96;

/// Slugs ClawHub reserves for routes, roles and CRUD words (spec §4.8), besides
/// the protected affixes themselves.
#[rustfmt::skip]
pub const RESERVED_SLUGS: &[&str] = &[
    "skills", "skill", "api", "docs", "new", "create", "edit", "update", "delete", "null",
    "undefined", "true", "false",
];

/// No new slug may start with `<affix>-` or end with `-<affix>`.
pub const PROTECTED_AFFIXES: &[&str] = &[
    "openclaw",
    "clawhub",
    "clawd",
    "clawdbot",
    "onlycrabs",
    "soulhub",
    "official",
    "verified",
    "staff",
    "admin",
    "moderator",
];

/// The quality gate's bar for the body of a new skill, at the strictest trust
/// tier: (words, non-space characters). CJK-heavy text gets the lower bar.
pub const GATE: (usize, usize) = (45, 260);
pub const GATE_CJK: (usize, usize) = (28, 140);

/// The one license ClawHub publishes under.
pub const CLAWHUB_LICENSE: &str = "MIT-0";

/// Why `slug` would be refused for a new ClawHub skill, if it would.
pub fn slug_problem(slug: &str) -> Option<String> {
    let n = slug.chars().count();
    if !(SLUG_MIN..=SLUG_MAX).contains(&n) {
        return Some(format!(
            "a slug has {SLUG_MIN} to {SLUG_MAX} characters, this one {n}"
        ));
    }
    let shape = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !shape {
        return Some("a slug has only lowercase letters, digits and inner hyphens".into());
    }
    if slug.contains("--") {
        return Some("a slug has no `--`".into());
    }
    if RESERVED_SLUGS.contains(&slug) || PROTECTED_AFFIXES.contains(&slug) {
        return Some(format!("`{slug}` is reserved"));
    }
    PROTECTED_AFFIXES
        .iter()
        .find(|a| {
            slug.strip_prefix(**a).is_some_and(|r| r.starts_with('-'))
                || slug.strip_suffix(**a).is_some_and(|r| r.ends_with('-'))
        })
        .map(|a| format!("`{a}` is a protected prefix and suffix"))
}

/// Rule 46: the folder's name as a slug.
pub fn slug(fm: &Frontmatter, root: Option<&Node>, folder: &str, diags: &mut Vec<Diagnostic>) {
    let Some(why) = slug_problem(folder) else {
        return;
    };
    let range = root
        .and_then(|r| r.get("name"))
        .map_or(fm.open.clone(), |e| e.value.span.clone());
    diags.push(Diagnostic::new(&codes::OPENCLAW_SLUG_INVALID, range, format!(
        "The folder `{folder}` would not make a valid ClawHub slug for a new skill ({why}). Rename the folder, or pass `--slug` when you publish."
    )));
}

/// Rule 47: a body under the quality gate's bar, and a license other than MIT-0.
pub fn gate(text: &str, fm: &Frontmatter, root: Option<&Node>, diags: &mut Vec<Diagnostic>) {
    let body = text.get(fm.body.clone()).unwrap_or_default();
    let (words, chars, cjk) = counts(body);
    let (min_words, min_chars) = if cjk * 2 > chars { GATE_CJK } else { GATE };
    if words < min_words || chars < min_chars {
        diags.push(Diagnostic::new(&codes::OPENCLAW_PUBLISH_GATE, fm.close.clone(), format!(
            "The instructions are {words} words and {chars} non-space characters; ClawHub's quality gate rejects new skills under about {min_words} words or {min_chars} characters. Say what the skill does, when, and how."
        )));
    }
    if let Some(e) = root.and_then(|r| r.get("license")) {
        if let Some(l) = e
            .value
            .as_str()
            .filter(|l| !l.trim().is_empty() && !l.trim().eq_ignore_ascii_case(CLAWHUB_LICENSE))
        {
            diags.push(Diagnostic::new(&codes::OPENCLAW_PUBLISH_GATE, e.value.span.clone(), format!(
                "ClawHub publishes every skill under {CLAWHUB_LICENSE}, whatever `license` says; `{}` would not apply there.",
                l.trim()
            )));
        }
    }
}

/// Words, non-space characters and CJK characters of `body`, in one pass that stops once the
/// body is over every bar (the counts then only have to say so).
fn counts(body: &str) -> (usize, usize, usize) {
    let (mut words, mut chars, mut cjk) = (0, 0, 0);
    let mut in_word = false;
    for c in body.chars() {
        if c.is_whitespace() {
            in_word = false;
            continue;
        }
        if !in_word {
            words += 1;
            in_word = true;
        }
        chars += 1;
        cjk += usize::from(is_cjk(c));
        // Over both gates' bars: counts only grow, so the rest cannot change the outcome.
        if words >= GATE.0.max(GATE_CJK.0) && chars >= GATE.1.max(GATE_CJK.1) {
            break;
        }
    }
    (words, chars, cjk)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["web-search", "git2", "a1b", "openclawish"] {
            assert_eq!(slug_problem(ok), None, "{ok}");
        }
        for bad in [
            "ab",
            "web--search",
            "Web_Search",
            "-x-y",
            "skills",
            "openclaw-tools",
            "tools-official",
        ] {
            assert!(slug_problem(bad).is_some(), "{bad}");
        }
        assert!(slug_problem(&"a".repeat(97)).is_some());
    }
}
