//! Hover: what a key means, what a skill reference points to, what an
//! enumeration value does, and the documentation of diagnostics under the cursor.

use std::ops::Range;
use std::path::Path;

use super::complete::{field_doc, skill_doc};
use super::context::{self, Place};
use super::dialect_assist;
use super::index::Index;
use super::navigate;
use crate::dialect::{Detection, Dialect};
use crate::schema;
use crate::FileKind;
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;

/// Markdown for `offset` of `text` and the range it describes. With the file's
/// detected dialect: its keys and labels, and a note on the first line saying
/// which dialect that is (`None`: Boternity's, no note).
pub fn hover(
    kind: FileKind,
    path: &Path,
    text: &str,
    offset: usize,
    index: &Index,
    diagnostics: &[Diagnostic],
    detection: Option<&Detection>,
) -> Option<(String, Range<usize>)> {
    let mut parts: Vec<String> = Vec::new();
    let mut range: Option<Range<usize>> = None;
    let dialect = detection.map(|d| d.dialect);
    if let Some(note) = detection.and_then(|d| dialect_assist::dialect_note(d, text, offset)) {
        parts.push(note);
    }
    if kind == FileKind::Workflow {
        if offset <= forge_syntax::frontmatter::first_line(text).end {
            parts.push("This file is a **Boternity workflow**: a YAML file with `name`, `steps` and a workflow's keys, checked as Boternity's workflow parser reads it.".into());
        }
        let info = index.file(path).and_then(|f| f.workflow.as_ref());
        if let Some((doc, r)) = super::workflow::hover(text, offset, index, info) {
            parts.push(doc);
            range = Some(r);
        }
    } else if kind == FileKind::Identity && dialect == Some(Dialect::OpenClaw) {
        if let Some((doc, r)) = dialect_assist::identity_hover(text, offset) {
            parts.push(doc);
            range = Some(r);
        }
    } else if let Some(r) = navigate::skill_at(index, path, offset) {
        parts.push(match skill_doc(index, &r.name) {
            Some(doc) => doc,
            None => format!(
                "**{}**\n\nNo skill of this name in the workspace or the skill library.",
                r.name
            ),
        });
        range = Some(r.range);
    } else if let Some((doc, r)) = key_or_value(kind, dialect, text, offset) {
        parts.push(doc);
        range = Some(r);
    }
    for d in diagnostics {
        if d.range.start <= offset && offset <= d.range.end {
            let summary = codes::lookup(d.code).map_or("", |c| c.summary);
            parts.push(format!(
                "`{}`: {summary} [Documentation]({})",
                d.code,
                codes::docs_url(d.code)
            ));
            range.get_or_insert(d.range.clone());
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("\n\n---\n\n"), range.unwrap_or(offset..offset)))
}

fn key_or_value(
    kind: FileKind,
    dialect: Option<Dialect>,
    text: &str,
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let ctx = context::at_dialect(kind, dialect, text, offset);
    let word = ctx.word.clone();
    let w = text.get(word.clone())?.trim_matches(['"', '\'']);
    if w.is_empty() {
        return heading(kind, text, offset);
    }
    // Hovering a key: the cursor's line, up to the separator, is the key.
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    let sep = if kind == FileKind::SkillsToml {
        '='
    } else {
        ':'
    };
    let before_key = !text[ctx.line.start..word.start].contains(sep)
        && text[word.end..line_end].trim_start().starts_with(sep);
    if before_key {
        // Ask for the place as if typing at the start of the key.
        let at_key = context::at_dialect(kind, dialect, text, word.start);
        if let Place::Key { table, .. } = at_key.place {
            let f = schema::find(table.fields(), w)?;
            return Some((field_doc(f), word));
        }
        return None;
    }
    if let Place::Value { table, key, .. } = ctx.place {
        if let Some(f) = schema::find(table.fields(), &key) {
            if let Some(v) = f.values().iter().find(|v| v.name == w) {
                return Some((
                    format!(
                        "**{}** ({}): {}\n\n{}",
                        v.name,
                        f.key,
                        v.doc,
                        super::complete::source_line(v.source)
                    ),
                    word,
                ));
            }
        }
        if key == "model" {
            if let Some(m) = schema::model(w) {
                return Some((
                    format!(
                        "**{}** ({})\n\n{}\n\nBoternity sizes replies for it at {} output tokens.\n\n{}",
                        m.id,
                        m.provider,
                        m.doc,
                        schema::max_output_tokens(m.id),
                        super::complete::source_line(m.source)
                    ),
                    word,
                ));
            }
        }
    }
    heading(kind, text, offset)
}

/// The page of a model the provider listed, for the value of a Boternity IDENTITY.md `model` at
/// `offset` when the list serves the file's provider: the provider's name for it and who listed it.
pub fn listed_model(
    text: &str,
    offset: usize,
    listed: &schema::ProviderModels,
) -> Option<(String, Range<usize>)> {
    let ctx = context::at_dialect(FileKind::Identity, Some(Dialect::Boternity), text, offset);
    let Place::Value { key, .. } = &ctx.place else {
        return None;
    };
    let provider = crate::rules::lines::read(text, 0..text.len())
        .into_iter()
        .find(|f| f.key == "provider")
        .map(|f| f.unquoted().to_string())
        .unwrap_or_else(|| "anthropic".into());
    if key != "model" || !listed.serves(&provider) {
        return None;
    }
    let id = &text[ctx.word.clone()];
    let m = listed.models.iter().find(|m| m.id == id)?;
    let name = m.display_name.as_deref().unwrap_or(&m.id);
    Some((
        format!(
            "**{name}** (`{}`)\n\nListed by {} for your key.\n\nBoternity sizes replies for it at {} output tokens.",
            m.id,
            listed.source,
            schema::max_output_tokens(&m.id)
        ),
        ctx.word,
    ))
}

fn heading(kind: FileKind, text: &str, offset: usize) -> Option<(String, Range<usize>)> {
    let sections = match kind {
        FileKind::Soul => schema::SOUL_SECTIONS,
        FileKind::User => schema::USER_SECTIONS,
        _ => return None,
    };
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[start..end].trim();
    let name = line.strip_prefix('#')?.trim_start_matches('#').trim();
    let (n, doc) = sections
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
    Some((format!("**{n}**: {doc}"), start..end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::index::build;
    use crate::workspace::index::tests_support::entry;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap() + 1
    }

    #[test]
    fn keys_values_references_and_codes() {
        let base =
            "---\nname: base\ndescription: Shared base\nmetadata:\n  version: \"1.0.0\"\n---\nx\n";
        let web = "---\nname: web\ndescription: d\nmetadata:\n  skill-type: tool\n  parents: [base]\n---\nx\n";
        let idx = build(vec![
            entry("/w/base/SKILL.md", base),
            entry("/w/web/SKILL.md", web),
        ]);
        let p = Path::new("/w/web/SKILL.md");
        let (doc, _) = hover(
            FileKind::Skill,
            p,
            web,
            at(web, "skill-type"),
            &idx,
            &[],
            None,
        )
        .unwrap();
        assert!(
            doc.contains("**skill-type**") && doc.contains("`prompt`"),
            "{doc}"
        );
        let (doc, _) = hover(FileKind::Skill, p, web, at(web, "tool"), &idx, &[], None).unwrap();
        assert!(doc.starts_with("**tool**"), "{doc}");
        let (doc, r) = hover(FileKind::Skill, p, web, at(web, "base]"), &idx, &[], None).unwrap();
        assert!(
            doc.contains("Shared base") && doc.contains("1.0.0"),
            "{doc}"
        );
        assert_eq!(&web[r], "base");
        let d = Diagnostic::new(&codes::SKILL_BODY_EMPTY, 0..3, "m");
        let (doc, _) = hover(FileKind::Skill, p, web, 1, &idx, &[d], None).unwrap();
        assert!(doc.contains("diagnostics.md#skill-body-empty"), "{doc}");
    }

    #[test]
    fn toml_keys_and_sections() {
        let t = "[skills.a]\nskill_name = \"a\"\ntrust_tier = \"local\"\n";
        let (doc, _) = hover(
            FileKind::SkillsToml,
            Path::new("/w/b/skills.toml"),
            t,
            at(t, "trust_tier"),
            &Index::new(),
            &[],
            None,
        )
        .unwrap();
        assert!(doc.contains("**trust_tier**"), "{doc}");
        let s = "---\nname: X\n---\n# Boundaries\n";
        let (doc, _) = hover(
            FileKind::Soul,
            Path::new("/w/b/SOUL.md"),
            s,
            at(s, "Boundaries"),
            &Index::new(),
            &[],
            None,
        )
        .unwrap();
        assert!(doc.contains("must not do"), "{doc}");
    }
}
