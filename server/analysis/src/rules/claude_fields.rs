//! Claude Code's own SKILL.md values beyond their type: `model` (an alias or a
//! Claude model id) and the shape of `hooks` (event → list of
//! `{matcher, hooks: [{type: command, command}]}`). Claude Code still loads the
//! skill when these are wrong, so the problems are warnings.

use super::requote;
use crate::agent_schema::{CLAUDE_HOOK_EVENTS, CLAUDE_HOOK_TYPES, CLAUDE_MODELS};
use crate::schema::{self, Value};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::yaml::{Kind, Node};

pub fn check(text: &str, root: &Node, diags: &mut Vec<Diagnostic>) {
    if let Some(m) = root.get("model") {
        model(text, &m.value, diags);
    }
    if let Some(h) = root.get("hooks") {
        hooks(&h.value, diags);
    }
}

/// A full model id as Claude Code passes it on: Anthropic's (`claude-…`),
/// Bedrock's (`…anthropic.claude-…`) or Vertex's (`claude-…@date`).
pub fn is_model_id(s: &str) -> bool {
    s.contains("claude-")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:@[]/".contains(c))
}

fn model(text: &str, node: &Node, diags: &mut Vec<Diagnostic>) {
    if node.kind() != Kind::String {
        return; // null is the default; other types are `field-type`'s.
    }
    let Some(v) = node.as_str().map(str::trim) else {
        return;
    };
    if CLAUDE_MODELS.iter().any(|m| m.name == v) || is_model_id(v) {
        return;
    }
    let mut d = Diagnostic::new(&codes::CLAUDE_MODEL_UNKNOWN, node.span.clone(), format!(
        "`{v}` is not a model Claude Code knows; use {} or a Claude model id such as `claude-sonnet-4-5`.",
        super::one_of(CLAUDE_MODELS)
    ));
    if let Some(right) = schema::suggest(CLAUDE_MODELS.iter().map(|m| m.name), v) {
        d.message =
            format!("`{v}` is not a model alias Claude Code knows: did you mean `{right}`?");
        d = d.fix(
            format!("Change to `{right}`"),
            node.span.clone(),
            requote(text, node, right),
        );
    }
    diags.push(d);
}

fn shape(node: &Node, msg: String) -> Diagnostic {
    Diagnostic::new(&codes::FIELD_TYPE, node.span.clone(), msg).severity(Severity::Warning)
}

const HOOKS_SHAPE: &str =
    "`hooks` maps an event to a list of `{matcher, hooks: [{type: command, command: …}]}`";

fn hooks(node: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(events) = node.as_map() else {
        return; // Not a mapping: `field-type` already says so.
    };
    for e in events {
        let Some(event) = e.key.as_str() else {
            continue;
        };
        if !CLAUDE_HOOK_EVENTS.iter().any(|v| v.name == event) {
            let mut d = Diagnostic::new(&codes::UNKNOWN_KEY, e.key.span.clone(), format!(
                "`{event}` is not a Claude Code hook event, so its hooks never run; the events are {}.",
                super::one_of(CLAUDE_HOOK_EVENTS)
            ))
            .severity(Severity::Warning);
            if let Some(right) = schema::suggest(CLAUDE_HOOK_EVENTS.iter().map(|v| v.name), event) {
                d = d.fix(format!("Rename to `{right}`"), e.key.span.clone(), right);
            }
            diags.push(d);
        }
        let Some(groups) = list(&e.value, &format!("`{event}`"), "matcher groups", diags) else {
            continue;
        };
        for g in groups {
            group(event, g, diags);
        }
    }
}

fn group(event: &str, g: &Node, diags: &mut Vec<Diagnostic>) {
    if g.kind() != Kind::Map {
        diags.push(shape(g, format!(
            "Each entry of `{event}` must be a mapping with `hooks` (and `matcher`), not {}; {HOOKS_SHAPE}.",
            g.kind().describe()
        )));
        return;
    }
    if let Some(m) = g.get("matcher") {
        if matches!(m.value.kind(), Kind::Seq | Kind::Map) {
            diags.push(shape(
                &m.value,
                "`matcher` is one string: a tool name or a pattern such as `Edit|Write`.".into(),
            ));
        }
    }
    let Some(hooks) = g.get("hooks") else {
        diags.push(shape(
            g,
            format!("This `{event}` entry has no `hooks` list, so it runs nothing; {HOOKS_SHAPE}."),
        ));
        return;
    };
    let Some(items) = list(
        &hooks.value,
        &format!("`hooks` inside `{event}`"),
        "`{type: command, command: …}`",
        diags,
    ) else {
        return;
    };
    for h in items {
        hook(h, diags);
    }
}

fn hook(h: &Node, diags: &mut Vec<Diagnostic>) {
    if h.kind() != Kind::Map {
        diags.push(shape(
            h,
            format!(
                "A hook is a mapping `{{type: command, command: …}}`, not {}.",
                h.kind().describe()
            ),
        ));
        return;
    }
    let ty = h.get("type").and_then(|t| t.value.as_str());
    let Some(kind) = ty.and_then(|t| CLAUDE_HOOK_TYPES.iter().find(|v| v.name == t)) else {
        let at = h.get("type").map_or(h, |t| &t.value);
        diags.push(shape(
            at,
            format!(
                "A hook's `type` is one of {}; Claude Code skips this hook.",
                super::one_of(CLAUDE_HOOK_TYPES)
            ),
        ));
        return;
    };
    let needs = needed(kind);
    match h.get(needs) {
        Some(c)
            if c.value.kind() == Kind::String
                && !c.value.as_str().unwrap_or_default().trim().is_empty() => {}
        Some(c) => diags.push(shape(
            &c.value,
            format!("`{needs}` must be non-empty text."),
        )),
        None => diags.push(shape(
            h,
            format!("A `type: {}` hook needs `{needs}`.", kind.name),
        )),
    }
    if let Some(t) = h.get("timeout") {
        if !matches!(t.value.kind(), Kind::Int | Kind::Float) {
            diags.push(shape(&t.value, "`timeout` is a number of seconds.".into()));
        }
    }
}

/// `node` as a list, or a shape warning saying `what` must be a list of `items`.
fn list<'a>(
    node: &'a Node,
    what: &str,
    items: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a [Node]> {
    let seq = node.as_seq();
    if seq.is_none() {
        diags.push(shape(
            node,
            format!(
                "{what} must be a list of {items}, not {}; {HOOKS_SHAPE}.",
                node.kind().describe()
            ),
        ));
    }
    seq
}

/// The field a hook of this type runs.
fn needed(kind: &Value) -> &'static str {
    if kind.name == "prompt" {
        "prompt"
    } else {
        "command"
    }
}
