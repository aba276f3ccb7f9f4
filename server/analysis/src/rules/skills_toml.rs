//! skills.toml: a bot's attached skills (spec §6.8).

use std::ops::Range;

use toml_edit::{Document, Item, Value};

use super::one_of;
use crate::schema::{self, Ty, SKILLS_TOML_FIELDS};
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;

/// One `[skills.<key>]` entry, with the spans navigation needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub key: String,
    pub key_range: Range<usize>,
    /// The key again in each sub-table header (`[skills.<key>.overrides]`), so a
    /// rename reaches every place the name is written.
    pub header_key_ranges: Vec<Range<usize>>,
    pub skill_name: Option<(String, Range<usize>)>,
    pub trust_tier: Option<(String, Range<usize>)>,
    /// The pinned `version` (Boternity records it but does not enforce it).
    pub version: Option<(String, Range<usize>)>,
    pub capabilities: Vec<(String, Range<usize>)>,
    pub enabled: bool,
}

pub fn check(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Attachment> {
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let range = if range.is_empty() {
                widen(text, range.start)
            } else {
                range
            };
            diags.push(Diagnostic::new(
                &codes::TOML_SYNTAX,
                range,
                format!("TOML syntax error: {}", e.message().trim_end()),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (key, item) in doc.as_table().iter() {
        let key_range = doc
            .as_table()
            .key(key)
            .and_then(|k| k.span())
            .unwrap_or(0..0);
        if key != "skills" {
            diags.push(Diagnostic::new(&codes::UNKNOWN_KEY, key_range, format!(
                "Boternity reads only `[skills.<name>]` tables from skills.toml; `{key}` is ignored."
            )));
            continue;
        }
        let Some(skills) = item.as_table_like() else {
            diags.push(Diagnostic::new(
                &codes::FIELD_TYPE,
                span(item).unwrap_or(key_range),
                "`skills` must be a table of `[skills.<name>]` tables.",
            ));
            continue;
        };
        for (name, entry) in skills.iter() {
            let name_range = skills.key(name).and_then(|k| k.span()).unwrap_or(0..0);
            let Some(table) = entry.as_table_like() else {
                diags.push(Diagnostic::new(
                    &codes::FIELD_TYPE,
                    span(entry).unwrap_or(name_range),
                    format!(
                        "`skills.{name}` must be a table with at least `skill_name = \"{name}\"`."
                    ),
                ));
                continue;
            };
            out.push(check_entry(text, name, name_range, table, diags));
        }
    }
    out
}

fn check_entry(
    text: &str,
    name: &str,
    name_range: Range<usize>,
    table: &dyn toml_edit::TableLike,
    diags: &mut Vec<Diagnostic>,
) -> Attachment {
    let mut a = Attachment {
        key: name.to_string(),
        key_range: name_range.clone(),
        header_key_ranges: Vec::new(),
        skill_name: None,
        trust_tier: None,
        version: None,
        capabilities: Vec::new(),
        enabled: true,
    };
    for (k, item) in table.iter() {
        let k_range = table
            .key(k)
            .and_then(|k| k.span())
            .unwrap_or(name_range.clone());
        // A sub-table with its own header repeats the skill's key there.
        if let (Item::Table(sub), Some(r)) = (item, table.key(k).and_then(|k| k.span())) {
            let header = sub.span().filter(|_| !sub.is_dotted());
            a.header_key_ranges
                .extend(header.and_then(|h| header_key_before(text, h.start, r.start, name)));
        }
        let Some(field) = schema::find(SKILLS_TOML_FIELDS, k) else {
            let mut d = Diagnostic::new(
                &codes::UNKNOWN_KEY,
                k_range.clone(),
                format!("Boternity does not read `{k}` in a skills.toml entry."),
            );
            if let Some(right) = schema::suggest(SKILLS_TOML_FIELDS.iter().map(|f| f.key), k) {
                d.message = format!(
                    "Unknown key `{k}`: did you mean `{right}`? skills.toml uses snake_case."
                );
                d = d.fix(format!("Rename to `{right}`"), k_range, right);
            }
            diags.push(d);
            continue;
        };
        let range = span(item).unwrap_or(k_range.clone());
        let value = item.as_value();
        let type_error = |want: &str| {
            Diagnostic::new(
                &codes::FIELD_TYPE,
                range.clone(),
                format!("`{k}` must be {want}."),
            )
        };
        match field.ty {
            Ty::String => match value.and_then(Value::as_str) {
                Some(s) => match k {
                    "skill_name" => a.skill_name = Some((s.to_string(), range.clone())),
                    "version" => a.version = Some((s.to_string(), range.clone())),
                    _ => {}
                },
                None => diags.push(type_error("a string in quotes")),
            },
            Ty::Bool => match value.and_then(Value::as_bool) {
                Some(b) => a.enabled = b,
                None => diags.push(type_error("`true` or `false`")),
            },
            Ty::Enum(values) => match value.and_then(Value::as_str) {
                Some(s) if values.iter().any(|v| v.name == s) => {
                    a.trust_tier = Some((s.to_string(), range.clone()))
                }
                Some(s) => diags.push(enum_value(text, k, values, s, range.clone())),
                None => diags.push(type_error(&format!("one of {}", one_of(values)))),
            },
            Ty::EnumList(values) => match value.and_then(Value::as_array) {
                Some(arr) => {
                    for v in arr.iter() {
                        let r = v.span().unwrap_or(range.clone());
                        match v.as_str() {
                            Some(s) if values.iter().any(|x| x.name == s) => {
                                a.capabilities.push((s.to_string(), r))
                            }
                            Some(s) => diags.push(enum_value(text, "capability", values, s, r)),
                            None => diags.push(Diagnostic::new(
                                &codes::FIELD_TYPE,
                                r,
                                "Each capability must be a string.",
                            )),
                        }
                    }
                }
                None => diags.push(type_error("an array of capability names")),
            },
            Ty::StringMap => match item.as_table_like() {
                Some(t) => {
                    for (ok, ov) in t.iter() {
                        if ov.as_value().and_then(Value::as_str).is_none() {
                            diags.push(Diagnostic::new(&codes::FIELD_TYPE, span(ov).unwrap_or(range.clone()), format!(
                                "Override `{ok}` must be a string; Boternity fails to read skills.toml otherwise."
                            )));
                        }
                    }
                }
                None => diags.push(type_error("a table of strings")),
            },
            _ => {}
        }
    }
    match &a.skill_name {
        None => {
            let insert = table_body_start(text, &name_range);
            let mut d = Diagnostic::new(&codes::SKILLS_TOML_SKILL_NAME_MISSING, name_range.clone(), format!(
                "`[skills.{name}]` has no `skill_name`; Boternity fails to read the whole skills.toml. Add `skill_name = \"{name}\"`."
            ));
            if let Some(at) = insert {
                d = d.fix(format!("Add `skill_name = \"{name}\"`"), at..at, format!("skill_name = \"{name}\"\n"));
            }
            diags.push(d);
        }
        Some((s, r)) if s != name => diags.push(Diagnostic::new(&codes::SKILLS_TOML_KEY_MISMATCH, r.clone(), format!(
            "The table is `[skills.{name}]` but `skill_name` is `{s}`; the CLI looks skills up by the table key and the API by `skill_name`. Make them equal."
        ))),
        Some(_) => {}
    }
    a
}

fn enum_value(
    text: &str,
    what: &str,
    values: &'static [schema::Value],
    got: &str,
    range: Range<usize>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        super::enum_code(values),
        range.clone(),
        format!(
            "`{got}` is not a valid {what}; use one of {}.",
            one_of(values)
        ),
    );
    if let Some(right) = schema::suggest(values.iter().map(|v| v.name), got) {
        d.message = format!("`{got}` is not a valid {what}: Boternity only reads `{right}`.");
        let quote = if text[range.clone()].starts_with('\'') {
            "'"
        } else {
            "\""
        };
        d = d.fix(
            format!("Change to `{right}`"),
            range,
            format!("{quote}{right}{quote}"),
        );
    }
    d
}

fn span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Value(v) => v.span(),
        Item::Table(t) => t.span(),
        Item::ArrayOfTables(a) => a.span(),
        Item::None => None,
    }
}

/// In a sub-table header `[skills.<name>.<sub>]` starting at `header`, the
/// range of `<name>`: the key segment just before the one at `sub`. Only a
/// segment that reads exactly `name` (bare or quoted without escapes) counts.
fn header_key_before(text: &str, header: usize, sub: usize, name: &str) -> Option<Range<usize>> {
    let before = text.get(header..sub)?;
    let end = header + before.trim_end().strip_suffix('.')?.trim_end().len();
    [name.to_string(), format!("\"{name}\""), format!("'{name}'")]
        .into_iter()
        .find(|seg| text[header..end].ends_with(seg.as_str()))
        .map(|seg| end - seg.len()..end)
}

/// Where the first line after a `[skills.x]` header starts.
fn table_body_start(text: &str, key_range: &Range<usize>) -> Option<usize> {
    let nl = text.get(key_range.end..)?.find('\n')?;
    let line = &text[..key_range.end];
    let header_start = line.rfind('\n').map_or(0, |i| i + 1);
    text[header_start..]
        .trim_start()
        .starts_with('[')
        .then_some(key_range.end + nl + 1)
}

fn widen(text: &str, at: usize) -> Range<usize> {
    let at = forge_syntax::text::floor_char_boundary(text, at);
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    at..end
}
