//! Validation rules, one module per file kind, driven by the tables in `schema`.

pub mod bundle;
pub mod claude_fields;
pub mod claude_skill;
pub mod identity;
pub mod lines;
pub mod number_strings;
pub mod openclaw_identity;
pub mod openclaw_manifest;
pub mod openclaw_publish;
pub mod openclaw_scripts;
pub mod openclaw_skill;
pub mod openclaw_workspace;
pub mod portable;
pub mod secrets;
pub mod skill;
pub mod skill_file_name;
pub mod skills_toml;
pub mod soul;
pub mod user;
pub mod workflow;

use std::ops::Range;

use crate::schema::{self, Field, Ty};
use forge_syntax::codes::{self, Code};
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter::{FramingError, Frontmatter};
use forge_syntax::yaml::{Kind, Node};

/// Which rules apply to a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Each file by the rules of the dialect detected for it (`dialect`).
    #[default]
    Auto,
    /// What Boternity accepts, plus the Agent Skills rules of the interface.
    Boternity,
    /// What OpenClaw and ClawHub accept (every file read as OpenClaw's).
    Openclaw,
    /// The Agent Skills specification, strictly.
    Agentskills,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "auto" => Some(Profile::Auto),
            "boternity" => Some(Profile::Boternity),
            "openclaw" => Some(Profile::Openclaw),
            "agentskills" => Some(Profile::Agentskills),
            _ => None,
        }
    }

    /// The Agent Skills specification strictly: its problems are errors.
    pub fn strict(self) -> bool {
        self == Profile::Agentskills
    }
}

/// Report a framing problem; returns the frontmatter to go on with, if any.
pub(crate) fn report_framing(
    text: &str,
    result: Result<Frontmatter, FramingError>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Frontmatter> {
    match result {
        Ok(fm) => Some(fm),
        Err(FramingError::Bom) => {
            diags.push(
                Diagnostic::new(&codes::FRONTMATTER_BOM, 0..3, format!(
                    "{what} starts with a byte-order mark (U+FEFF), which hides the opening `---` from Boternity. Save the file as UTF-8 without BOM."
                ))
                .safe_fix("Remove the byte-order mark", 0..3, ""),
            );
            let rest = &text[3..];
            // Go on with the rest framed the same way (only SKILL.md is strict).
            let framing = if what == "SKILL.md" {
                forge_syntax::frontmatter::Framing::Skill
            } else {
                forge_syntax::frontmatter::Framing::Lenient
            };
            forge_syntax::frontmatter::frame(rest, framing)
                .ok()
                .map(|fm| shift(fm, 3))
        }
        Err(FramingError::LeadingSpace { range, then }) => {
            diags.push(
                Diagnostic::new(&codes::FRONTMATTER_LEADING_SPACE, range.clone(), format!(
                    "{what} must start with `---` at the first byte; Boternity rejects a file with blank lines or spaces before it. Remove them."
                ))
                .safe_fix("Remove the leading blank lines", range, ""),
            );
            report_framing(text, *then, what, diags)
        }
        Err(FramingError::Missing { first_line }) => {
            diags.push(Diagnostic::new(&codes::FRONTMATTER_MISSING, first_line, format!(
                "{what} must start with a YAML frontmatter block: a `---` line, the fields, and a closing `---` line."
            )));
            None
        }
        Err(FramingError::Unclosed { open }) => {
            diags.push(Diagnostic::new(
                &codes::FRONTMATTER_UNCLOSED,
                open,
                "This frontmatter is never closed; add a line `---` after the last field."
                    .to_string(),
            ));
            None
        }
    }
}

pub(crate) fn shift(fm: Frontmatter, by: usize) -> Frontmatter {
    let s = |r: Range<usize>| r.start + by..r.end + by;
    Frontmatter {
        open: s(fm.open),
        yaml: s(fm.yaml),
        close: s(fm.close),
        body: s(fm.body),
    }
}

/// The diagnostic code for a value outside an enumeration.
pub(crate) fn enum_code(values: &'static [schema::Value]) -> &'static Code {
    if std::ptr::eq(values, schema::CAPABILITIES) {
        &codes::CAPABILITY_INVALID
    } else if std::ptr::eq(values, schema::TRUST_TIERS) {
        &codes::TRUST_TIER_INVALID
    } else if std::ptr::eq(values, schema::SKILL_TYPES) {
        &codes::SKILL_TYPE_INVALID
    } else if std::ptr::eq(values, schema::CATEGORIES) {
        &codes::IDENTITY_CATEGORY_INVALID
    } else {
        &codes::IDENTITY_PROVIDER_UNKNOWN
    }
}

pub(crate) fn one_of(values: &[schema::Value]) -> String {
    let names: Vec<String> = values.iter().map(|v| format!("`{}`", v.name)).collect();
    names.join(", ")
}

/// A value outside an enumeration, with a fix when a near-miss spelling is obvious.
pub(crate) fn bad_enum_value(
    field: &str,
    values: &'static [schema::Value],
    node: &Node,
    text: &str,
) -> Diagnostic {
    let got = node.as_str().unwrap_or_default();
    let mut d = Diagnostic::new(
        enum_code(values),
        node.span.clone(),
        format!(
            "`{got}` is not a valid {field}; use one of {}.",
            one_of(values)
        ),
    );
    if let Some(right) = schema::suggest(values.iter().map(|v| v.name), got) {
        d.message = format!(
            "`{got}` is not a valid {field}: Boternity only reads the exact spelling `{right}`."
        );
        d = d.fix(
            format!("Change to `{right}`"),
            node.span.clone(),
            requote(text, node, right),
        );
    }
    d
}

/// `new` in the same quoting style as the node it replaces.
pub(crate) fn requote(text: &str, node: &Node, new: &str) -> String {
    match text.get(node.span.clone()).and_then(|s| s.chars().next()) {
        Some('"') => format!("\"{new}\""),
        Some('\'') => format!("'{new}'"),
        _ => new.to_string(),
    }
}

/// Check `node` against `field.ty`; pushes type and enum diagnostics.
pub(crate) fn check_type(field: &Field, node: &Node, text: &str, diags: &mut Vec<Diagnostic>) {
    let kind = node.kind();
    if kind == Kind::Alias {
        return;
    }
    let wrong = |want: &str| {
        Diagnostic::new(
            &codes::FIELD_TYPE,
            node.span.clone(),
            format!("`{}` must be {want}, not {}.", field.key, kind.describe()),
        )
    };
    match field.ty {
        Ty::String => {
            if matches!(kind, Kind::Seq | Kind::Map) {
                let mut d = wrong("a single string");
                if field.key == "allowed-tools" {
                    d.message = "`allowed-tools` must be one string of space-separated tool names; Boternity fails to load a list here.".into();
                    if let Some(items) = node.as_seq() {
                        let joined: Vec<&str> = items.iter().filter_map(|n| n.as_str()).collect();
                        d = d.fix(
                            "Join the tools into one string",
                            node.span.clone(),
                            joined.join(" "),
                        );
                    }
                }
                diags.push(d);
            }
        }
        Ty::Bool => {
            if kind != Kind::Bool {
                diags.push(wrong("`true` or `false`"));
            }
        }
        Ty::Number => {
            if !matches!(kind, Kind::Int | Kind::Float) {
                diags.push(wrong("a number"));
            }
        }
        Ty::Integer => {
            if kind != Kind::Int {
                diags.push(wrong("an integer"));
            }
        }
        Ty::Map | Ty::StringMap => {
            if kind != Kind::Map && kind != Kind::Null {
                diags.push(wrong("a mapping of keys to values"));
            }
        }
        Ty::Enum(values) => {
            if kind == Kind::Null {
                return;
            }
            match node.as_str() {
                Some(v) if values.iter().any(|x| x.name == v) => {}
                Some(_) => diags.push(bad_enum_value(field.key, values, node, text)),
                None => diags.push(wrong(&format!("one of {}", one_of(values)))),
            }
        }
        Ty::StringList | Ty::EnumList(_) => match node.as_seq() {
            Some(items) => {
                for item in items {
                    if let Ty::EnumList(values) = field.ty {
                        match item.as_str() {
                            Some(v) if values.iter().any(|x| x.name == v) => {}
                            Some(_) => {
                                diags.push(bad_enum_value(singular(field.key), values, item, text))
                            }
                            None if item.kind() == Kind::Alias => {}
                            None => diags.push(Diagnostic::new(
                                &codes::FIELD_TYPE,
                                item.span.clone(),
                                format!("Each entry of `{}` must be a string.", field.key),
                            )),
                        }
                    } else if matches!(item.kind(), Kind::Seq | Kind::Map) {
                        diags.push(Diagnostic::new(
                            &codes::FIELD_TYPE,
                            item.span.clone(),
                            format!("Each entry of `{}` must be a string.", field.key),
                        ));
                    }
                }
            }
            None if kind == Kind::Null => {}
            None => {
                let mut d = wrong("a list");
                if let Some(s) = node.as_str() {
                    d = d.fix(
                        "Make it a one-item list",
                        node.span.clone(),
                        format!("[{}]", requote(text, node, s)),
                    );
                }
                diags.push(d);
            }
        },
    }
}

fn singular(key: &str) -> &str {
    match key {
        "capabilities" => "capability",
        other => other,
    }
}

/// An unknown key: a near-miss gets a rename fix.
pub(crate) fn unknown_key(
    key: &Node,
    fields: &[Field],
    place: &str,
    severity: Severity,
    extra: &str,
) -> Diagnostic {
    let name = key.as_str().unwrap_or_default();
    let mut d = Diagnostic::new(
        &codes::UNKNOWN_KEY,
        key.span.clone(),
        format!("Unknown key `{name}` in {place}{extra}."),
    )
    .severity(severity);
    if let Some(right) = schema::suggest(fields.iter().map(|f| f.key), name) {
        d.message = format!(
            "Unknown key `{name}` in {place}: did you mean `{right}`? It is ignored as written."
        );
        d = d.fix(
            format!("Rename to `{right}`"),
            key.span.clone(),
            right.to_string(),
        );
    }
    d
}
