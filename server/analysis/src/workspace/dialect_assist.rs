//! Completion and hover that only exist in the other agents' dialects:
//! OpenClaw's IDENTITY.md labels (free Markdown lines, not YAML), the
//! `metadata` snippets of an OpenClaw skill in both accepted forms, and the
//! dialect note on a file's first line.

use std::ops::Range;

use super::complete::{field_doc, Item, ItemKind};
use crate::agent_schema::{
    CLAUDE_HOOK_TYPES, CLAUDE_MODELS, INSTALL_KINDS, OPENCLAW_IDENTITY_LABELS, OS_VALUES,
};
use crate::dialect::Detection;
use crate::rules::openclaw_identity;
use crate::schema::Value;

/// The `(start of the typed label, line range)` when the cursor is where a label
/// line is being typed: an empty line, `-`, `- **`, or a partial label.
fn label_slot(text: &str, offset: usize) -> Option<(usize, Range<usize>)> {
    let offset = forge_syntax::text::floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[start..offset];
    if prefix.contains(':') {
        return None;
    }
    let t = prefix.trim_start();
    let t = t.strip_prefix('-').map_or(t, str::trim_start);
    let word = t.trim_start_matches(['*', '_']);
    word.chars()
        .all(char::is_alphabetic)
        .then_some((offset - word.len(), start..offset))
}

/// Labels not yet set, as `- **Label:** ` lines.
pub fn identity_labels(text: &str, offset: usize) -> Vec<Item> {
    let Some((_, line)) = label_slot(text, offset) else {
        return Vec::new();
    };
    let set: Vec<String> = openclaw_identity::labels(text)
        .into_iter()
        .map(|l| l.label)
        .collect();
    OPENCLAW_IDENTITY_LABELS
        .iter()
        .filter(|f| !set.iter().any(|s| s.eq_ignore_ascii_case(f.key)))
        .map(|f| Item {
            label: f.key.to_string(),
            kind: ItemKind::Field,
            detail: Some("OpenClaw identity label".into()),
            doc: field_doc(f),
            insert: format!("- **{}:** ", f.key),
            snippet: false,
            replace: line.clone(),
            filter: Some(text[line.clone()].trim_start().to_string() + f.key),
        })
        .collect()
}

/// The label under the cursor on a `- **Label:** value` line.
pub fn identity_hover(text: &str, offset: usize) -> Option<(String, Range<usize>)> {
    let offset = forge_syntax::text::floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    let colon = line.find(':')?;
    if offset > start + colon {
        return None;
    }
    let label: String = line[..colon]
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '-'))
        .collect();
    let f = OPENCLAW_IDENTITY_LABELS
        .iter()
        .find(|f| f.key.eq_ignore_ascii_case(label.trim()))?;
    Some((field_doc(f), start..start + colon))
}

/// Value lists offered after a key wherever its line sits (`- kind: ` inside
/// `install:` lists too): the keys, the values, and what the detail calls one.
type ValueTable = [(&'static [&'static str], &'static [Value], &'static str)];

static OPENCLAW_VALUES: &ValueTable = &[
    (&["kind", "type"], INSTALL_KINDS, "OpenClaw install kind"),
    (&["os"], OS_VALUES, "OpenClaw platform"),
];

static CLAUDE_VALUES: &ValueTable = &[
    (&["model"], CLAUDE_MODELS, "Claude Code model"),
    (&["type"], CLAUDE_HOOK_TYPES, "Claude Code hook type"),
];

/// Values of an installer's `kind` (or `type`) and of any `os` in an OpenClaw
/// skill; `None` when the cursor is not on such a value.
pub fn openclaw_values(text: &str, offset: usize, replace: Range<usize>) -> Option<Vec<Item>> {
    values_at(OPENCLAW_VALUES, text, offset, replace)
}

/// `model` aliases and hook `type`s in a Claude Code skill.
pub fn claude_values(text: &str, offset: usize, replace: Range<usize>) -> Option<Vec<Item>> {
    values_at(CLAUDE_VALUES, text, offset, replace)
}

fn values_at(
    table: &ValueTable,
    text: &str,
    offset: usize,
    replace: Range<usize>,
) -> Option<Vec<Item>> {
    let offset = forge_syntax::text::floor_char_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = text[start..offset].trim_start();
    let prefix = prefix.strip_prefix("- ").unwrap_or(prefix);
    let (key, typed) = prefix.split_once(':')?;
    let key = key.trim().trim_matches('"');
    let (_, values, what) = table.iter().find(|(keys, _, _)| keys.contains(&key))?;
    Some(
        values
            .iter()
            // Values already in an inline list are not offered again.
            .filter(|v| {
                !typed.contains(&format!("\"{}\"", v.name))
                    && !typed.contains(&format!("{},", v.name))
            })
            .map(|v| Item {
                label: v.name.to_string(),
                kind: ItemKind::Value,
                detail: Some(what.to_string()),
                doc: format!("**{}**: {}", v.name, v.doc),
                insert: v.name.to_string(),
                snippet: false,
                replace: replace.clone(),
                filter: None,
            })
            .collect(),
    )
}

/// Both forms OpenClaw accepts for `metadata` (spec §4.4), as snippets.
pub fn metadata_snippets(replace: Range<usize>) -> Vec<Item> {
    let doc = "OpenClaw's manifest: requirements, OS filter and installers. OpenClaw reads a one-line value as JSON5, a nested one as YAML.";
    [
        (
            "metadata (one-line JSON)",
            "metadata: {\"openclaw\": {\"emoji\": \"${1:🛠️}\", \"requires\": {\"bins\": [\"${2:tool}\"]}}}",
        ),
        (
            "metadata (YAML block)",
            "metadata:\n  openclaw:\n    emoji: \"${1:🛠️}\"\n    requires:\n      bins: [${2:tool}]",
        ),
    ]
    .into_iter()
    .map(|(label, insert)| Item {
        label: label.into(),
        kind: ItemKind::Field,
        detail: Some("OpenClaw manifest".into()),
        doc: doc.into(),
        insert: insert.into(),
        snippet: true,
        replace: replace.clone(),
        filter: Some("metadata".into()),
    })
    .collect()
}

/// Hover on the first line: which dialect the file is checked as.
pub fn dialect_note(detection: &Detection, text: &str, offset: usize) -> Option<String> {
    (offset <= forge_syntax::frontmatter::first_line(text).end).then(|| {
        format!(
            "{}. forge-ls checks this file by that agent's rules; the setting `validation.profile` overrides the choice.",
            detection.describe()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_offered_and_hovered() {
        let text = "# IDENTITY\n\n- **Name:** Quill\n- **Em";
        let items = identity_labels(text, text.len());
        let names: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert!(
            names.contains(&"Emoji") && !names.contains(&"Name"),
            "{names:?}"
        );
        assert_eq!(items[0].insert, format!("- **{}:** ", items[0].label));
        assert!(identity_labels("- Name: x", 9).is_empty());
        let (doc, r) = identity_hover(text, text.find("Name").unwrap() + 1).unwrap();
        assert!(doc.contains("50 characters"), "{doc}");
        assert_eq!(&text[r], "- **Name");
    }
}
