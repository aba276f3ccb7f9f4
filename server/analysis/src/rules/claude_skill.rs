//! SKILL.md for Claude Code (`.claude/skills/<name>/SKILL.md`, or a
//! frontmatter using its keys): the Agent Skills fields plus Claude Code's own
//! (`allowed-tools` as string or list, `argument-hint`, `disable-model-invocation`,
//! `user-invocable`, `model`, `context`, `agent`, `hooks`), all known fields with
//! type checks. Agent Skills portability problems are warnings.

use super::openclaw_skill::{frame, quote_fix};
use super::{claude_fields, number_strings, one_of, portable, skill};
use crate::agent_schema::CLAUDE_SKILL_FIELDS;
use crate::schema::{self, Ty};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter::{self, Framing};
use forge_syntax::yaml::{self, Kind, Node};

const AGENT: &str = "Claude Code";

pub fn check(text: &str, folder: Option<&str>, diags: &mut Vec<Diagnostic>) -> skill::SkillFile {
    let Some(fm) = frame(
        text,
        frontmatter::frame(text, Framing::SkillAnyNewline),
        AGENT,
        false,
        diags,
    ) else {
        return skill::SkillFile {
            frontmatter: None,
            root: None,
        };
    };
    let parsed = yaml::parse(&text[fm.yaml.clone()], fm.yaml.start);
    let failed = parsed.root.is_none() && !parsed.errors.is_empty();
    let fix = quote_fix(text, &fm);
    for e in parsed.errors {
        let mut d = Diagnostic::new(
            e.code,
            e.range,
            format!("{} Claude Code cannot read the skill's fields.", e.message),
        );
        if let (Some(fix), true) = (&fix, e.code.id == codes::YAML_SYNTAX.id) {
            d.fixes.push(fix.clone());
        }
        diags.push(d);
    }
    if failed {
        return skill::SkillFile {
            frontmatter: Some(fm),
            root: None,
        };
    }
    let empty = Node {
        span: fm.yaml.clone(),
        value: yaml::Value::Map(Vec::new()),
    };
    let root = parsed.root;
    let map = match &root {
        Some(n) if n.kind() == Kind::Map => n,
        Some(n) if !n.is_null() => {
            diags.push(Diagnostic::new(
                &codes::FRONTMATTER_NOT_MAPPING,
                n.span.clone(),
                "The frontmatter must be a mapping of `key: value` lines.",
            ));
            return skill::SkillFile {
                frontmatter: Some(fm),
                root,
            };
        }
        _ => &empty,
    };
    for entry in map.as_map().unwrap_or_default() {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        match schema::find(CLAUDE_SKILL_FIELDS, key) {
            Some(f) => value_type(f, &entry.value, diags),
            None => diags.push(
                Diagnostic::new(&codes::UNKNOWN_KEY, entry.key.span.clone(), format!(
                    "`{key}` is not a field Claude Code or the Agent Skills specification reads; it is ignored."
                ))
                .severity(Severity::Information),
            ),
        }
    }
    number_strings::check(
        text,
        map,
        |k| {
            k != "description"
                && schema::find(CLAUDE_SKILL_FIELDS, k).is_some_and(|f| f.ty == Ty::String)
        },
        AGENT,
        diags,
    );
    claude_fields::check(text, map, diags);
    portable::check_name(text, &fm, map, folder, AGENT, diags);
    description(&fm, map, diags);
    if let Some(t) = map.get("allowed-tools") {
        tools(&t.value, diags);
    }
    skill::SkillFile {
        frontmatter: Some(fm),
        root,
    }
}

fn value_type(f: &schema::Field, node: &Node, diags: &mut Vec<Diagnostic>) {
    let kind = node.kind();
    if kind == Kind::Null || kind == Kind::Alias {
        return;
    }
    let want = match f.ty {
        Ty::String if matches!(kind, Kind::Seq | Kind::Map) => Some("a string".to_string()),
        Ty::Bool if kind != Kind::Bool => Some("`true` or `false`".to_string()),
        Ty::Map if kind != Kind::Map => Some("a mapping".to_string()),
        Ty::StringList if kind == Kind::Map => Some("a string or a list of tools".to_string()),
        Ty::Enum(values)
            if !node
                .as_str()
                .is_some_and(|v| values.iter().any(|x| x.name == v)) =>
        {
            Some(format!("one of {}", one_of(values)))
        }
        _ => None,
    };
    if let Some(want) = want {
        let got = match node.as_str() {
            Some(s) if kind == Kind::String => format!("`{s}`"),
            _ => kind.describe().to_string(),
        };
        diags.push(
            Diagnostic::new(
                &codes::FIELD_TYPE,
                node.span.clone(),
                format!("Claude Code expects `{}` to be {want}, not {got}.", f.key),
            )
            .severity(Severity::Warning),
        );
    }
}

fn description(fm: &frontmatter::Frontmatter, root: &Node, diags: &mut Vec<Diagnostic>) {
    let warn =
        |code, range, msg: &str| Diagnostic::new(code, range, msg).severity(Severity::Warning);
    match root.get("description") {
        None => diags.push(warn(&codes::SKILL_DESCRIPTION_MISSING, fm.open.clone(),
            "No `description`: Claude Code uses the body's first paragraph to decide when to load the skill, but the Agent Skills specification requires one. Add what the skill does and when to use it.")),
        Some(e) if e.value.is_null() || e.value.as_str().is_some_and(|s| s.trim().is_empty()) => {
            diags.push(warn(&codes::SKILL_DESCRIPTION_EMPTY, e.key.span.clone(),
                "The description is empty; Claude Code decides from it when to load the skill."))
        }
        Some(e) => {
            let n = e.value.as_str().map_or(0, |s| s.chars().count());
            if n > skill::DESCRIPTION_MAX {
                diags.push(warn(&codes::SKILL_DESCRIPTION_TOO_LONG, e.value.span.clone(),
                    "The description is longer than the 1024 characters the Agent Skills specification allows; move details into the body."));
            }
        }
    }
}

/// Split an `allowed-tools` string on spaces and commas outside parentheses
/// (`Bash(git diff *)` is one tool).
pub fn split_tools(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = None;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ' ' | ',' | '\t' | '\n' if depth <= 0 => {
                if let Some(st) = start.take() {
                    out.push((st, &s[st..i]));
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

/// `Read`, `mcp__server__tool`, `Bash(git:*)`, `WebFetch(domain:x.com)`.
pub fn is_tool_pattern(t: &str) -> bool {
    let (name, args) = match t.split_once('(') {
        Some((n, rest)) => match rest.strip_suffix(')') {
            Some(a) => (n, Some(a)),
            None => return false,
        },
        None => (t, None),
    };
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && args.is_none_or(|a| !a.trim().is_empty() && !a.contains(['(', ')']))
}

fn tools(node: &Node, diags: &mut Vec<Diagnostic>) {
    let mut bad = |range: std::ops::Range<usize>, t: &str| {
        diags.push(Diagnostic::new(&codes::CLAUDE_TOOL_PATTERN, range, format!(
            "`{t}` is not a tool name or pattern Claude Code understands; write `Read`, `Bash(git:*)`, `mcp__server__tool`."
        )));
    };
    match &node.value {
        yaml::Value::Seq(items) => {
            for item in items {
                match item.as_str() {
                    Some(t) if !is_tool_pattern(t.trim()) => bad(item.span.clone(), t),
                    None if item.kind() != Kind::Alias => bad(item.span.clone(), "(not a string)"),
                    _ => {}
                }
            }
        }
        yaml::Value::Scalar(s) if node.kind() != Kind::Null => {
            // Point into the value when it is written plainly, else at all of it.
            let plain = s.style == yaml::Style::Plain;
            for (at, t) in split_tools(&s.text) {
                if !is_tool_pattern(t) {
                    let r = if plain {
                        node.span.start + at..node.span.start + at + t.len()
                    } else {
                        node.span.clone()
                    };
                    bad(r, t);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_patterns() {
        let s = "Read Grep Bash(git diff *), mcp__linear__create_issue Bash(git:*)";
        let got: Vec<&str> = split_tools(s).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            got,
            [
                "Read",
                "Grep",
                "Bash(git diff *)",
                "mcp__linear__create_issue",
                "Bash(git:*)"
            ]
        );
        for ok in got {
            assert!(is_tool_pattern(ok), "{ok}");
        }
        for bad in ["Bash(", "(x)", "Bash()", "read files", "Bash(a))"] {
            assert!(!is_tool_pattern(bad), "{bad}");
        }
    }
}
