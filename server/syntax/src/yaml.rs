//! A YAML tree with byte spans, built from `saphyr-parser`'s spanned events.
//!
//! Validation needs to point at keys and values, so we keep every node's range
//! (relative to the whole document) and each scalar's style (a quoted `"1.0"` is
//! a string, a plain `1.0` a float). Aliases are kept as such, never expanded,
//! so a "billion laughs" document costs nothing.

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::codes::{self, Code};

/// How deep mappings and sequences may nest before we stop reading.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    Alias,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: Style,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// What a plain scalar resolves to under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    String,
    Seq,
    Map,
    Alias,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Null => "empty (null)",
            Kind::Bool => "a boolean",
            Kind::Int => "an integer",
            Kind::Float => "a number",
            Kind::String => "a string",
            Kind::Seq => "a list",
            Kind::Map => "a mapping",
            Kind::Alias => "an alias",
        }
    }
}

impl Node {
    pub fn kind(&self) -> Kind {
        match &self.value {
            Value::Seq(_) => Kind::Seq,
            Value::Map(_) => Kind::Map,
            Value::Alias => Kind::Alias,
            Value::Scalar(s) if s.style != Style::Plain => Kind::String,
            Value::Scalar(s) => plain_kind(&s.text),
        }
    }

    /// The scalar's text, whatever its resolved type (serde reads any scalar into a string field).
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The first entry whose key is the scalar `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    pub fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }
}

pub fn plain_kind(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Kind::Float,
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Kind::Int;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Kind::Int;
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Kind::Int;
        }
    }
    // Core schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let (mantissa, exp) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (!a.is_empty() || !b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    if mantissa_ok && exp_ok {
        return Kind::Float;
    }
    Kind::String
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub code: &'static Code,
    pub range: Range<usize>,
    pub message: String,
    /// For duplicate keys: where the key first appeared.
    pub first: Option<Range<usize>>,
}

/// The parsed first document (None when empty or unreadable) and the problems found.
pub struct Parsed {
    pub root: Option<Node>,
    pub errors: Vec<YamlError>,
}

/// Parse `src`, which sits at byte `base` of the document, into a spanned tree.
pub fn parse(src: &str, base: usize) -> Parsed {
    let offsets = CharOffsets::new(src, base);
    let mut errors = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut parser = Parser::new_from_str(src);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(ev) => ev,
            Err(err) => {
                let at = offsets.byte(err.marker().index());
                let end = line_end(src, at - base) + base;
                errors.push(YamlError {
                    code: &codes::YAML_SYNTAX,
                    range: at..end.max(at),
                    message: format!("YAML syntax error: {}.", err.info()),
                    first: None,
                });
                return Parsed { root: None, errors };
            }
        };
        let range = offsets.span(span);
        let done = match event {
            Event::Scalar(text, style, _, _) => Some(Node {
                span: range,
                value: Value::Scalar(Scalar {
                    text: text.into_owned(),
                    style: match style {
                        ScalarStyle::Plain => Style::Plain,
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                        _ => Style::Block,
                    },
                }),
            }),
            Event::Alias(_) => Some(Node {
                span: range,
                value: Value::Alias,
            }),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    // The first character where the nesting goes too deep (it may be multi-byte).
                    let first = range
                        .start
                        .checked_sub(base)
                        .and_then(|i| src.get(i..))
                        .and_then(|rest| rest.chars().next())
                        .map_or(0, char::len_utf8);
                    errors.push(YamlError {
                        code: &codes::YAML_TOO_DEEP,
                        range: range.start..range.start + first,
                        message: format!(
                            "The YAML nests more than {MAX_DEPTH} levels deep; forge-ls stops reading here. Flatten the structure."
                        ),
                        first: None,
                    });
                    return Parsed { root: None, errors };
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start: range.start,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start: range.start,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { start, items }) => Some(Node {
                    span: start..range.end.max(start),
                    value: Value::Seq(items),
                }),
                Some(Frame::Map { start, entries, .. }) => Some(Node {
                    span: start..range.end.max(start),
                    value: Value::Map(entries),
                }),
                None => None,
            },
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                None
            }
            _ => None,
        };
        let Some(node) = done else { continue };
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.as_str() {
                        if let Some(prev) = entries.iter().find(|e| e.key.as_str() == Some(name)) {
                            errors.push(YamlError {
                                code: &codes::YAML_DUPLICATE_KEY,
                                range: k.span.clone(),
                                message: format!(
                                    "`{name}` appears twice in this mapping; YAML readers reject the file or keep only one. Remove one of them."
                                ),
                                first: Some(prev.key.span.clone()),
                            });
                        }
                    }
                    entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
    }
    Parsed { root, errors }
}

enum Frame {
    Seq {
        start: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

/// saphyr reports character indices; we need byte offsets into the document.
struct CharOffsets {
    base: usize,
    /// Byte offset of each char, only when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(src: &str, base: usize) -> Self {
        let table =
            (!src.is_ascii()).then(|| src.char_indices().map(|(i, _)| i).collect::<Vec<_>>());
        CharOffsets {
            base,
            table,
            len: src.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.base
            + match &self.table {
                None => char_index.min(self.len),
                Some(t) => t.get(char_index).copied().unwrap_or(self.len),
            }
    }

    fn span(&self, span: Span) -> Range<usize> {
        let start = self.byte(span.start.index());
        start..self.byte(span.end.index()).max(start)
    }
}

fn line_end(src: &str, from: usize) -> usize {
    let from = crate::text::floor_char_boundary(src, from);
    src[from..]
        .find(['\n', '\r'])
        .map_or(src.len(), |i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let src = "name: ab\nlist:\n  - x\n  - \"é\"\nmeta: {a: 1}\n";
        let p = parse(src, 10);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let root = p.root.unwrap();
        let name = root.get("name").unwrap();
        assert_eq!(name.key.span, 10..14);
        assert_eq!(name.value.span, 16..18);
        let list = root.get("list").unwrap().value.as_seq().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].as_str(), Some("é"));
        assert_eq!(list[1].kind(), Kind::String);
        assert_eq!(
            &src[list[1].span.start - 10..list[1].span.end - 10],
            "\"é\""
        );
        let meta = &root.get("meta").unwrap().value;
        assert_eq!(meta.get("a").unwrap().value.kind(), Kind::Int);
    }

    #[test]
    fn plain_scalars_resolve_like_yaml_1_2() {
        assert_eq!(plain_kind("1.0"), Kind::Float);
        assert_eq!(plain_kind("1.0.0"), Kind::String);
        assert_eq!(plain_kind("-3"), Kind::Int);
        assert_eq!(plain_kind("true"), Kind::Bool);
        assert_eq!(plain_kind("yes"), Kind::String);
        assert_eq!(plain_kind("~"), Kind::Null);
        assert_eq!(plain_kind("1e3"), Kind::Float);
        assert_eq!(plain_kind("."), Kind::String);
    }

    #[test]
    fn syntax_errors_and_duplicates_are_located() {
        let p = parse("a: [1, 2\n", 0);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].code.id, "yaml-syntax");
        let p = parse("a: 1\nb: 2\na: 3\n", 0);
        assert_eq!(p.errors[0].code.id, "yaml-duplicate-key");
        assert_eq!(p.errors[0].range, 10..11);
        assert_eq!(p.errors[0].first, Some(0..1));
    }

    #[test]
    fn deep_nesting_stops_cleanly() {
        // saphyr refuses very deep flow collections itself; either way one clear error.
        let src = "[".repeat(10_000);
        let p = parse(&src, 0);
        assert_eq!(p.errors.len(), 1);
        let src: String = (0..100)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        let p = parse(&src, 0);
        assert_eq!(p.errors[0].code.id, "yaml-too-deep");
        assert!(p.root.is_none());
    }

    #[test]
    fn aliases_are_not_expanded() {
        let src = "a: &x [1, 2]\nb: [*x, *x, *x]\n";
        let p = parse(src, 0);
        let root = p.root.unwrap();
        assert_eq!(
            root.get("b").unwrap().value.as_seq().unwrap()[0].kind(),
            Kind::Alias
        );
    }
}
