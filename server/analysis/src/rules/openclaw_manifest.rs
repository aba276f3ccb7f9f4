//! SKILL.md `metadata` as OpenClaw reads it (spec §4.2 step 5–6, §4.4): a
//! one-line value is JSON5 text, a nested one YAML; inside, the `openclaw`
//! manifest (legacy `clawdbot`, `clawdis`, `moltbot`) with its gating fields.
//! OpenClaw silently ignores what it cannot use, so most findings are warnings;
//! an `os` it can never match and unreadable JSON lose the gating entirely.

use std::borrow::Cow;

use super::requote;
use crate::agent_schema::{self as agents, INSTALL_RULES, OS_ALIASES, OS_VALUES};
use crate::schema;
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::yaml::{self, Entry, Kind, Node, Scalar, Style};

/// The namespaces in the order OpenClaw (≥ 2026.4.25) looks for them, then
/// the ones no current release reads.
const READ: &[&str] = &["openclaw", "clawdbot"];
const LEGACY: &[&str] = &["moltbot", "clawdis"];

pub fn check(text: &str, entry: &Entry, diags: &mut Vec<Diagnostic>) {
    let Some((meta, precise)) = resolve(text, entry, diags) else {
        return;
    };
    if meta.kind() != Kind::Map {
        diags.push(
            Diagnostic::new(&codes::FIELD_TYPE, entry.value.span.clone(), format!(
                "`metadata` must be a mapping (or one line of JSON), not {}; OpenClaw finds no manifest in it.",
                meta.kind().describe()
            ))
            .severity(Severity::Warning),
        );
        return;
    }
    let found = |names: &[&str]| names.iter().find_map(|n| meta.get(n));
    let manifest = match (meta.get("openclaw"), found(READ), found(LEGACY)) {
        (Some(m), _, _) => m,
        (None, Some(m), _) => {
            diags.push(rename(text, m, precise, Severity::Information,
                "OpenClaw 2026.1.30 to 2026.4.24 read only `metadata.openclaw`; `clawdbot` works again since 2026.4.25. Rename it to `openclaw` to reach every release."));
            m
        }
        (None, None, Some(m)) => {
            let ns = m.key.as_str().unwrap_or_default();
            diags.push(rename(text, m, precise, Severity::Warning, &format!(
                "No OpenClaw release since 2026.1.30 reads `metadata.{ns}`: its gating and installers are ignored. Rename it to `openclaw`."
            )));
            m
        }
        (None, None, None) => {
            diags.push(Diagnostic::new(&codes::OPENCLAW_NAMESPACE, entry.key.span.clone(),
                "`metadata` has no `openclaw` object, so OpenClaw applies no requirements, OS filter or installers. Put them under `metadata.openclaw`."));
            return;
        }
    };
    manifest_fields(text, &manifest.value, precise, diags);
}

/// `metadata` as OpenClaw reads it (a YAML mapping, or JSON5 text), for rules
/// that only look values up; problems are reported by `check`.
pub fn resolved<'a>(text: &str, entry: &'a Entry) -> Option<Cow<'a, Node>> {
    resolve(text, entry, &mut Vec::new()).map(|(m, _)| m)
}

/// The `metadata` value as OpenClaw sees it, and whether its spans point at
/// each key (`false` when it came from JSON text inside a string).
fn resolve<'a>(
    text: &str,
    entry: &'a Entry,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Cow<'a, Node>, bool)> {
    let node = &entry.value;
    let line_end = text[entry.key.span.end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| entry.key.span.end + i);
    let inline = text[entry.key.span.end..line_end]
        .trim_start_matches([' ', '\t'])
        .strip_prefix(':')
        .unwrap_or_default()
        .trim();
    let json_text: Option<String> = if !inline.is_empty() && inline.contains(':') {
        // A one-line value with a colon: OpenClaw keeps the raw line text (one
        // pair of quotes removed) and parses it as JSON5.
        Some(strip_quotes(inline).to_string())
    } else {
        match node.kind() {
            Kind::Map => return Some((Cow::Borrowed(node), true)),
            Kind::Null | Kind::Alias => return None,
            Kind::Seq => return Some((Cow::Borrowed(node), true)),
            _ => node.as_str().map(str::to_string),
        }
    };
    let json_text = json_text?;
    match json5::from_str::<serde_json::Value>(&json_text) {
        Ok(v) => {
            if node.kind() == Kind::Map {
                Some((Cow::Borrowed(node), true))
            } else {
                Some((Cow::Owned(from_json(&v, node.span.clone())), false))
            }
        }
        Err(e) => {
            diags.push(Diagnostic::new(&codes::OPENCLAW_METADATA_JSON, node.span.clone(), format!(
                "OpenClaw reads this `metadata` as JSON5 and fails ({}), so all requirements and installer hints are lost. Quote every string (`[\"darwin\"]`, not `[darwin]`) and close every bracket.",
                first_line(&e.to_string())
            )));
            None
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn strip_quotes(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// A JSON value as a YAML node whose spans all point at `span`.
fn from_json(v: &serde_json::Value, span: std::ops::Range<usize>) -> Node {
    use serde_json::Value as J;
    let scalar = |text: String, style| Node {
        span: span.clone(),
        value: yaml::Value::Scalar(Scalar { text, style }),
    };
    match v {
        J::Null => scalar(String::new(), Style::Plain),
        J::Bool(b) => scalar(b.to_string(), Style::Plain),
        J::Number(n) => scalar(n.to_string(), Style::Plain),
        J::String(s) => scalar(s.clone(), Style::Quoted),
        J::Array(items) => Node {
            span: span.clone(),
            value: yaml::Value::Seq(items.iter().map(|i| from_json(i, span.clone())).collect()),
        },
        J::Object(map) => Node {
            span: span.clone(),
            value: yaml::Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: scalar(k.clone(), Style::Quoted),
                        value: from_json(v, span.clone()),
                    })
                    .collect(),
            ),
        },
    }
}

fn rename(text: &str, m: &Entry, precise: bool, severity: Severity, msg: &str) -> Diagnostic {
    let d = Diagnostic::new(&codes::OPENCLAW_NAMESPACE, m.key.span.clone(), msg).severity(severity);
    if precise {
        d.fix(
            "Rename to `openclaw`",
            m.key.span.clone(),
            requote(text, &m.key, "openclaw"),
        )
    } else {
        d
    }
}

fn warn_type(node: &Node, msg: String) -> Diagnostic {
    Diagnostic::new(&codes::FIELD_TYPE, node.span.clone(), msg).severity(Severity::Warning)
}

/// A list field: a list of strings, or one comma-separated string (§4.4).
fn list_items(node: &Node, what: &str, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    match &node.value {
        yaml::Value::Seq(items) => {
            for i in items
                .iter()
                .filter(|i| matches!(i.kind(), Kind::Seq | Kind::Map))
            {
                diags.push(warn_type(
                    i,
                    format!("Each entry of `{what}` must be a string; OpenClaw skips this one."),
                ));
            }
            items.to_vec()
        }
        yaml::Value::Scalar(_) if node.kind() == Kind::Null => Vec::new(),
        yaml::Value::Scalar(_) => vec![node.clone()],
        _ => {
            diags.push(warn_type(
                node,
                format!(
                    "`{what}` must be a list or a comma-separated string; OpenClaw ignores {}.",
                    node.kind().describe()
                ),
            ));
            Vec::new()
        }
    }
}

fn manifest_fields(text: &str, m: &Node, precise: bool, diags: &mut Vec<Diagnostic>) {
    let Some(entries) = m.as_map() else {
        diags.push(warn_type(
            m,
            format!(
                "The manifest must be an object of fields, not {}; OpenClaw ignores it.",
                m.kind().describe()
            ),
        ));
        return;
    };
    for e in entries {
        let Some(key) = e.key.as_str() else { continue };
        let v = &e.value;
        match key {
            "always" if v.kind() != Kind::Bool && !v.is_null() => diags.push(warn_type(
                v,
                format!(
                    "`always` must be the boolean `true` or `false`, not {}; OpenClaw ignores it.",
                    v.kind().describe()
                ),
            )),
            "emoji" | "homepage" | "skillKey" | "primaryEnv"
                if !matches!(v.kind(), Kind::String | Kind::Null) =>
            {
                diags.push(warn_type(
                    v,
                    format!(
                        "`{key}` must be a string, not {}; OpenClaw ignores it.",
                        v.kind().describe()
                    ),
                ))
            }
            "os" => os(text, v, precise, diags),
            "requires" => requires(v, diags),
            "install" => install(text, v, precise, diags),
            _ => {}
        }
    }
    primary_env(m, diags);
}

fn os(text: &str, node: &Node, precise: bool, diags: &mut Vec<Diagnostic>) {
    for item in list_items(node, "os", diags) {
        let Some(s) = item.as_str() else { continue };
        let values: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        let bad: Vec<&str> = values
            .iter()
            .copied()
            .filter(|v| !OS_VALUES.iter().any(|o| o.name == *v))
            .collect();
        if bad.is_empty() {
            continue;
        }
        let right = |v: &str| -> Option<&'static str> {
            let lower = v.to_ascii_lowercase();
            OS_VALUES
                .iter()
                .map(|o| o.name)
                .find(|o| *o == lower)
                .or_else(|| {
                    OS_ALIASES
                        .iter()
                        .find(|(a, _)| *a == lower)
                        .map(|(_, r)| *r)
                })
        };
        let mut d = Diagnostic::new(&codes::OPENCLAW_OS_INVALID, item.span.clone(), format!(
            "OpenClaw compares `os` with Node's platform names {}; `{}` never matches, so the skill is never eligible there.",
            super::one_of(OS_VALUES),
            bad.join("`, `")
        ));
        let fixed: Option<Vec<&str>> = values
            .iter()
            .map(|v| {
                OS_VALUES
                    .iter()
                    .map(|o| o.name)
                    .find(|o| o == v)
                    .or_else(|| right(v))
            })
            .collect();
        if let (Some(fixed), true) = (fixed, precise) {
            let new = fixed.join(",");
            let pairs: Vec<String> = bad
                .iter()
                .filter_map(|b| right(b).map(|r| format!("`{b}` → `{r}`")))
                .collect();
            d = d.fix(
                format!("Change {}", pairs.join(", ")),
                item.span.clone(),
                requote(text, &item, &new),
            );
        }
        diags.push(d);
    }
}

fn requires(node: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(entries) = node.as_map() else {
        if !node.is_null() {
            diags.push(warn_type(node, format!(
                "`requires` must be an object (`{{\"bins\": [...], \"env\": [...]}}`), not {}; OpenClaw ignores it.",
                node.kind().describe()
            )));
        }
        return;
    };
    for e in entries {
        let Some(key) = e.key.as_str() else { continue };
        if schema::find(agents::OPENCLAW_REQUIRES_FIELDS, key).is_some() {
            list_items(&e.value, key, diags);
        } else {
            let mut msg = format!(
                "OpenClaw ignores `requires.{key}`; it reads `bins`, `anyBins`, `env` and `config`."
            );
            if let Some(right) =
                schema::suggest(agents::OPENCLAW_REQUIRES_FIELDS.iter().map(|f| f.key), key)
            {
                msg = format!("OpenClaw ignores `requires.{key}`: did you mean `{right}`?");
            }
            diags.push(
                Diagnostic::new(&codes::UNKNOWN_KEY, e.key.span.clone(), msg)
                    .severity(Severity::Information),
            );
        }
    }
}

fn install(text: &str, node: &Node, precise: bool, diags: &mut Vec<Diagnostic>) {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            diags.push(warn_type(
                node,
                format!(
                    "`install` must be a list of installer objects, not {}; OpenClaw ignores it.",
                    node.kind().describe()
                ),
            ));
        }
        return;
    };
    let bad = |n: &Node, msg: String| {
        Diagnostic::new(&codes::OPENCLAW_INSTALL_INVALID, n.span.clone(), msg)
    };
    for item in items {
        if item.kind() != Kind::Map {
            diags.push(bad(
                item,
                "Each `install` entry must be an object with a `kind`; OpenClaw drops this one."
                    .into(),
            ));
            continue;
        }
        let Some(kind_entry) = item.get("kind").or_else(|| item.get("type")) else {
            diags.push(bad(
                item,
                "This installer has no `kind` (brew, node, go, uv, download); OpenClaw drops it."
                    .into(),
            ));
            continue;
        };
        let kind = kind_entry
            .value
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let Some(rule) = INSTALL_RULES.iter().find(|r| r.kind == kind) else {
            diags.push(bad(&kind_entry.value, format!(
                "OpenClaw drops installers of kind `{kind}`; it knows {}. Describe other installs in the body.",
                super::one_of(agents::INSTALL_KINDS)
            )));
            continue;
        };
        match rule.required.iter().find_map(|k| item.get(k)) {
            None => diags.push(bad(
                &kind_entry.value,
                format!(
                    "A `{kind}` installer needs `{}`; OpenClaw drops it without.",
                    rule.required[0]
                ),
            )),
            Some(f) => {
                let v = f.value.as_str().unwrap_or_default().trim();
                let safe = v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                    && v.chars().all(rule.allowed)
                    && !rule.forbid.iter().any(|s| v.contains(s));
                let url_ok = kind != "download" || {
                    let l = v.to_ascii_lowercase();
                    l.starts_with("http://") || l.starts_with("https://")
                };
                if !safe || !url_ok {
                    diags.push(bad(&f.value, format!(
                        "`{v}` fails OpenClaw's safety check for a `{kind}` installer ({}); the installer is dropped.",
                        if url_ok { "characters it does not allow" } else { "not an http(s) URL" }
                    )));
                }
            }
        }
        if let Some(o) = item.get("os") {
            os(text, &o.value, precise, diags);
        }
    }
}

fn primary_env(m: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(p) = m.get("primaryEnv") else { return };
    let Some(name) = p.value.as_str().filter(|s| !s.trim().is_empty()) else {
        return;
    };
    let listed = m
        .get("requires")
        .and_then(|r| r.value.get("env"))
        .is_some_and(|e| {
            list_items(&e.value, "env", &mut Vec::new())
                .iter()
                .filter_map(|i| i.as_str())
                .flat_map(|s| s.split(','))
                .any(|s| s.trim() == name.trim())
        });
    if !listed {
        diags.push(Diagnostic::new(&codes::OPENCLAW_PRIMARY_ENV, p.value.span.clone(), format!(
            "`{name}` is the primary env but not in `requires.env`; list it there too, so ClawHub's security review sees it declared."
        )));
    }
}
