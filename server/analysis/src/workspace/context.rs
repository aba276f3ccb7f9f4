//! Where the cursor is, read from the text line by line so it works while the
//! user is typing (half-written YAML or TOML that does not parse yet).

use std::ops::Range;

use crate::agent_schema;
use crate::dialect::{Dialect, OPENCLAW_NAMESPACES};
use crate::schema::{self, Field};
use crate::FileKind;
use forge_syntax::frontmatter::{self, Framing};

/// Which set of keys applies at the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Skill,
    SkillMetadata,
    Identity,
    Soul,
    /// A `[skills.<key>]` table of skills.toml.
    SkillsEntry,
    /// Nowhere in particular (top of skills.toml, an unknown mapping).
    Other,
    /// SKILL.md top level, OpenClaw dialect.
    OpenclawSkill,
    /// SKILL.md `metadata`, OpenClaw dialect.
    OpenclawMetadata,
    /// `metadata.openclaw` (or a legacy namespace).
    OpenclawManifest,
    /// `metadata.openclaw.requires`.
    OpenclawRequires,
    /// SKILL.md top level, Claude Code dialect.
    ClaudeSkill,
}

impl Table {
    pub fn fields(self) -> &'static [Field] {
        match self {
            Table::Skill => schema::SKILL_FIELDS,
            Table::SkillMetadata => schema::SKILL_METADATA_FIELDS,
            Table::Identity => schema::IDENTITY_FIELDS,
            Table::Soul => schema::SOUL_FIELDS,
            Table::SkillsEntry => schema::SKILLS_TOML_FIELDS,
            Table::Other => &[],
            Table::OpenclawSkill => agent_schema::OPENCLAW_SKILL_FIELDS,
            Table::OpenclawMetadata => agent_schema::OPENCLAW_METADATA_FIELDS,
            Table::OpenclawManifest => agent_schema::OPENCLAW_MANIFEST_FIELDS,
            Table::OpenclawRequires => agent_schema::OPENCLAW_REQUIRES_FIELDS,
            Table::ClaudeSkill => agent_schema::CLAUDE_SKILL_FIELDS,
        }
    }

    /// The table as the file's dialect reads it (SKILL.md differs per agent).
    pub fn for_dialect(self, dialect: Option<Dialect>) -> Table {
        match (self, dialect) {
            (Table::Skill, Some(Dialect::OpenClaw)) => Table::OpenclawSkill,
            (Table::SkillMetadata, Some(Dialect::OpenClaw)) => Table::OpenclawMetadata,
            (Table::Skill, Some(Dialect::ClaudeCode)) => Table::ClaudeSkill,
            (t, _) => t,
        }
    }
}

/// `at`, with the tables of `dialect`.
pub fn at_dialect(kind: FileKind, dialect: Option<Dialect>, text: &str, offset: usize) -> Context {
    let mut ctx = at(kind, text, offset);
    match &mut ctx.place {
        Place::Key { table, .. } | Place::Value { table, .. } => {
            *table = table.for_dialect(dialect)
        }
        _ => {}
    }
    ctx
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Typing a key; `present` are the keys already in this mapping/table.
    Key {
        table: Table,
        present: Vec<String>,
    },
    /// Typing the value of `key` (or an item of its list); `listed` holds the
    /// items already in the list.
    Value {
        table: Table,
        key: String,
        listed: Vec<String>,
        /// Inside quotes already typed.
        quoted: bool,
    },
    /// A `[` header line of skills.toml.
    TomlHeader,
    /// A Markdown body line that is empty or a heading being typed.
    Heading,
    Nothing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub place: Place,
    /// The word being typed, which a completion replaces.
    pub word: Range<usize>,
    /// The whole line up to the cursor.
    pub line: Range<usize>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '^' | '~')
}

pub fn at(kind: FileKind, text: &str, offset: usize) -> Context {
    let offset = forge_syntax::text::floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    let prefix = &text[line_start..offset];
    let wstart = prefix
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| line_start + i);
    let wend = text[offset..line_end]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(line_end, |(i, _)| offset + i);
    let mut ctx = Context {
        place: Place::Nothing,
        word: wstart..wend,
        line: line_start..offset,
    };
    ctx.place = match kind {
        FileKind::SkillsToml => toml_place(text, line_start, prefix),
        FileKind::User | FileKind::Workspace => body_place(prefix),
        FileKind::Workflow => Place::Nothing,
        FileKind::Skill | FileKind::Identity | FileKind::Soul => {
            match frontmatter_range(kind, text) {
                Some(fm) if fm.contains(&line_start) || fm.end == line_start => {
                    yaml_place(kind, text, fm, line_start, prefix)
                }
                Some(_) if kind == FileKind::Soul => body_place(prefix),
                _ => Place::Nothing,
            }
        }
    };
    ctx
}

/// The lines of the frontmatter, also while it is still unclosed.
fn frontmatter_range(kind: FileKind, text: &str) -> Option<Range<usize>> {
    let framing = if kind == FileKind::Skill {
        Framing::Skill
    } else {
        Framing::Lenient
    };
    match frontmatter::frame(text, framing) {
        Ok(fm) => Some(fm.open.end..fm.close.start),
        Err(frontmatter::FramingError::Unclosed { open }) => Some(open.end..text.len()),
        Err(_) => None,
    }
}

fn body_place(prefix: &str) -> Place {
    let t = prefix.trim_start();
    if t.is_empty() || t.chars().all(|c| c == '#' || c == ' ') || t.starts_with('#') {
        Place::Heading
    } else {
        Place::Nothing
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `key:` at the start of a (trimmed) line, if any.
fn yaml_key(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let (k, _) = t.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.contains(' ')).then_some(k)
}

/// The lines of `text[fm]` before `line_start`, last first.
fn lines_before<'a>(text: &'a str, fm: &Range<usize>, line_start: usize) -> Vec<&'a str> {
    let start = fm.start.min(line_start);
    let mut v: Vec<&str> = text[start..line_start]
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    v.pop();
    v.reverse();
    v
}

fn yaml_place(
    kind: FileKind,
    text: &str,
    fm: Range<usize>,
    line_start: usize,
    prefix: &str,
) -> Place {
    let indent = indent_of(prefix);
    let before = lines_before(text, &fm, line_start);
    let top = match kind {
        FileKind::Skill => Table::Skill,
        FileKind::Identity => Table::Identity,
        _ => Table::Soul,
    };
    // The table at `indent`: the nearest less-indented `key:` line above.
    let table_at = |indent: usize| -> Table {
        if indent == 0 || kind != FileKind::Skill {
            return top;
        }
        for l in &before {
            if l.trim().is_empty() || indent_of(l) >= indent {
                continue;
            }
            return match yaml_key(l) {
                Some("metadata") if indent_of(l) == 0 => Table::SkillMetadata,
                Some(ns) if OPENCLAW_NAMESPACES.contains(&ns) => Table::OpenclawManifest,
                Some("requires") => Table::OpenclawRequires,
                _ => Table::Other,
            };
        }
        top
    };
    let t = prefix.trim_start();
    let list_item = t == "-" || t.starts_with("- ");
    if list_item {
        // The list's key: the nearest `key:` line above at this indent or less.
        for l in &before {
            if l.trim().is_empty() || l.trim_start().starts_with('-') {
                continue;
            }
            if indent_of(l) <= indent {
                let Some(key) = yaml_key(l) else {
                    return Place::Nothing;
                };
                let listed = block_items(&before, indent);
                return Place::Value {
                    table: table_at(indent_of(l)),
                    key: key.to_string(),
                    listed,
                    quoted: t.matches(['"', '\'']).count() % 2 == 1,
                };
            }
        }
        return Place::Nothing;
    }
    match t.split_once(':') {
        None => {
            let table = table_at(indent);
            let mut present = Vec::new();
            // Keys of this mapping: same indent, up to the first less-indented line.
            for l in &before {
                if l.trim().is_empty() {
                    continue;
                }
                let i = indent_of(l);
                if i < indent {
                    break;
                }
                if i == indent {
                    if let Some(k) = yaml_key(l) {
                        present.push(k.to_string());
                    }
                }
            }
            let after = &text[line_start..fm.end.max(line_start)];
            for l in after.split('\n').skip(1) {
                if l.trim().is_empty() {
                    continue;
                }
                let i = indent_of(l);
                if i < indent {
                    break;
                }
                if i == indent {
                    if let Some(k) = yaml_key(l) {
                        present.push(k.to_string());
                    }
                }
            }
            Place::Key { table, present }
        }
        Some((key, value)) => {
            let key = key.trim().trim_matches(['"', '\'']).to_string();
            let listed = inline_items(value);
            let last = value.rsplit([',', '[']).next().unwrap_or(value);
            Place::Value {
                table: table_at(indent),
                key,
                listed,
                quoted: last.matches(['"', '\'']).count() % 2 == 1,
            }
        }
    }
}

/// Items of an inline `[a, b, c` list before the cursor, without the one being typed.
fn inline_items(value: &str) -> Vec<String> {
    let Some(i) = value.find('[') else {
        return Vec::new();
    };
    let mut items: Vec<&str> = value[i + 1..].split(',').collect();
    items.pop();
    items
        .into_iter()
        .map(|s| s.trim().trim_matches(['"', '\'', ']']).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `- item` lines directly above, at `indent`.
fn block_items(before: &[&str], indent: usize) -> Vec<String> {
    before
        .iter()
        .take_while(|l| l.trim_start().starts_with('-') && indent_of(l) == indent)
        .map(|l| {
            l.trim_start()[1..]
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        })
        .collect()
}

fn toml_place(text: &str, line_start: usize, prefix: &str) -> Place {
    let t = prefix.trim_start();
    if t.starts_with('[') {
        return Place::TomlHeader;
    }
    // The current table: the nearest header line above.
    let above = &text[..line_start];
    let mut header = None;
    let mut present = Vec::new();
    for l in above.lines().rev() {
        let l = l.trim();
        if l.starts_with('[') {
            header = Some(l);
            break;
        }
        if let Some((k, _)) = l.split_once('=') {
            present.push(k.trim().to_string());
        }
    }
    let rest = &text[line_start..];
    for l in rest.lines().skip(1) {
        let l = l.trim();
        if l.starts_with('[') {
            break;
        }
        if let Some((k, _)) = l.split_once('=') {
            present.push(k.trim().to_string());
        }
    }
    let in_entry = header.is_some_and(|h| {
        let inner = h.trim_start_matches('[').trim_end_matches(']');
        inner.starts_with("skills.") && inner.matches('.').count() == 1
    });
    let table = if in_entry {
        Table::SkillsEntry
    } else {
        Table::Other
    };
    match t.split_once('=') {
        None => Place::Key { table, present },
        Some((key, value)) => {
            let listed = inline_items(value);
            let last = value.rsplit([',', '[']).next().unwrap_or(value);
            Place::Value {
                table,
                key: key.trim().to_string(),
                listed,
                quoted: last.matches(['"', '\'']).count() % 2 == 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(kind: FileKind, text_with_cursor: &str) -> Place {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        at(kind, &text, offset).place
    }

    #[test]
    fn yaml_keys_values_and_lists() {
        let p = place(
            FileKind::Skill,
            "---\nname: a\nmetadata:\n  version: \"1\"\n  sk|\n---\n",
        );
        assert_eq!(
            p,
            Place::Key {
                table: Table::SkillMetadata,
                present: vec!["version".into()]
            }
        );
        let p = place(
            FileKind::Skill,
            "---\nname: a\nmetadata:\n  parents: [b, |]\n---\n",
        );
        assert!(
            matches!(p, Place::Value { table: Table::SkillMetadata, ref key, ref listed, .. } if key == "parents" && listed == &vec!["b".to_string()])
        );
        let p = place(
            FileKind::Skill,
            "---\nname: a\nmetadata:\n  dependencies:\n    - x\n    - |\n---\n",
        );
        assert!(
            matches!(p, Place::Value { ref key, ref listed, .. } if key == "dependencies" && listed == &vec!["x".to_string()])
        );
        let p = place(FileKind::Identity, "---\nmodel: |\n---\n");
        assert!(
            matches!(p, Place::Value { table: Table::Identity, ref key, .. } if key == "model")
        );
        assert_eq!(
            place(FileKind::Soul, "---\nname: a\n---\n\n#|"),
            Place::Heading
        );
    }

    #[test]
    fn toml_tables_keys_and_values() {
        let p = place(FileKind::SkillsToml, "[skills.a]\nskill_name = \"a\"\n|\n");
        assert_eq!(
            p,
            Place::Key {
                table: Table::SkillsEntry,
                present: vec!["skill_name".into()]
            }
        );
        let p = place(FileKind::SkillsToml, "[skills.a]\nskill_name = \"|\"\n");
        assert!(matches!(p, Place::Value { quoted: true, ref key, .. } if key == "skill_name"));
        assert_eq!(place(FileKind::SkillsToml, "[skills.|"), Place::TomlHeader);
    }
}
