//! Boternity's line-based frontmatter reader for SOUL.md and IDENTITY.md (spec
//! §2.1, §3.1): trimmed lines, `key:` prefix, the rest of the line as the value,
//! quotes kept. We mirror it so diagnostics say what Boternity will really read.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineField {
    pub key: String,
    pub key_range: Range<usize>,
    /// The value as Boternity reads it: trimmed, quotes kept.
    pub value: String,
    pub value_range: Range<usize>,
    /// `- item` lines that follow the key (a block list).
    pub items: Vec<(String, Range<usize>)>,
}

impl LineField {
    /// The value with one pair of surrounding quotes removed, as a YAML reader would see it.
    pub fn unquoted(&self) -> &str {
        unquote(&self.value).unwrap_or(&self.value)
    }

    pub fn is_quoted(&self) -> bool {
        unquote(&self.value).is_some()
    }
}

pub fn unquote(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    (b.len() >= 2
        && ((b[0] == b'"' && b[b.len() - 1] == b'"') || (b[0] == b'\'' && b[b.len() - 1] == b'\'')))
        .then(|| &v[1..v.len() - 1])
}

/// Read `text[range]` line by line; offsets are into `text`.
pub fn read(text: &str, range: Range<usize>) -> Vec<LineField> {
    let mut out: Vec<LineField> = Vec::new();
    let mut pos = range.start;
    for raw in text[range.clone()].split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        let start = line_start + lead;
        if let Some(item) = trimmed.strip_prefix('-') {
            if let Some(last) = out.last_mut() {
                if last.value.is_empty() || !last.items.is_empty() {
                    let item_text = item.trim();
                    let off = start + 1 + (item.len() - item.trim_start().len());
                    last.items
                        .push((item_text.to_string(), off..off + item_text.len()));
                }
            }
            continue;
        }
        let key_len = trimmed
            .char_indices()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '-')
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        if key_len == 0 || !trimmed[key_len..].starts_with(':') {
            continue;
        }
        let after = &trimmed[key_len + 1..];
        let value = after.trim();
        let value_start = start + key_len + 1 + (after.len() - after.trim_start().len());
        out.push(LineField {
            key: trimmed[..key_len].to_string(),
            key_range: start..start + key_len,
            value: value.to_string(),
            value_range: value_start..value_start + value.len(),
            items: Vec::new(),
        });
    }
    out
}

/// The last occurrence of `key` (Boternity lets later duplicates win).
pub fn get<'a>(fields: &'a [LineField], key: &str) -> Option<&'a LineField> {
    fields.iter().rev().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_values_and_block_lists() {
        let text = "---\nname: \"Luna\"\ntraits:\n  - warm\n  - direct\ntone:  calm \n---\n";
        let fields = read(text, 4..text.len() - 4);
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[0].value, "\"Luna\"");
        assert!(fields[0].is_quoted());
        assert_eq!(fields[0].unquoted(), "Luna");
        assert_eq!(fields[1].items.len(), 2);
        assert_eq!(&text[fields[1].items[1].1.clone()], "direct");
        assert_eq!(&text[fields[2].value_range.clone()], "calm");
    }
}
