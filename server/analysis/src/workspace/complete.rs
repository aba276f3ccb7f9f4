//! Completion: keys not yet present, enumeration values, models per provider,
//! skill names wherever a skill is referenced, Markdown section headings, and
//! whole `[skills.<name>]` tables. Every item carries documentation.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use super::context::{self, Place, Table};
use super::dialect_assist;
use super::index::{Index, SkillInfo};
use super::navigate::fuzzy_score;
use crate::dialect::Dialect;
use crate::schema::{self, Field, Ty};
use crate::FileKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Field,
    Value,
    Skill,
    Section,
    Table,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub doc: String,
    pub insert: String,
    /// `insert` is an LSP snippet.
    pub snippet: bool,
    /// What the insertion replaces (bytes of the text).
    pub replace: Range<usize>,
    pub filter: Option<String>,
}

#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    pub snippets: bool,
    /// At most this many skill names; the list is then marked incomplete.
    pub max_skills: usize,
    /// Leave skill names' documentation empty: the client asks for it on resolve
    /// ([`skill_doc`]), so a long list does not build hundreds of skill pages.
    pub lazy_skill_docs: bool,
    /// The models the configured LLM provider listed, when the server has them: offered for
    /// IDENTITY.md `model` in place of the built-in table.
    pub models: Option<&'a schema::ProviderModels>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            snippets: true,
            max_skills: 200,
            lazy_skill_docs: false,
            models: None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Completions {
    pub items: Vec<Item>,
    pub incomplete: bool,
}

/// Completions at `offset` of `text`, for a file of `dialect` when known (its
/// keys, labels and values; `None`: Boternity's).
pub fn complete(
    kind: FileKind,
    path: &Path,
    text: &str,
    offset: usize,
    index: &Index,
    opts: Options,
    dialect: Option<Dialect>,
) -> Completions {
    if kind == FileKind::Workflow {
        let info = index.file(path).and_then(|f| f.workflow.as_ref());
        return super::workflow::complete(text, offset, index, info);
    }
    let ctx = context::at_dialect(kind, dialect, text, offset);
    let mut out = Completions::default();
    if kind == FileKind::Identity && dialect == Some(Dialect::OpenClaw) {
        out.items = dialect_assist::identity_labels(text, offset);
        return out;
    }
    if kind == FileKind::Skill && matches!(ctx.place, Place::Value { .. }) {
        let values = match dialect {
            Some(Dialect::OpenClaw) => dialect_assist::openclaw_values,
            Some(Dialect::ClaudeCode) => dialect_assist::claude_values,
            _ => |_: &str, _, _| None,
        };
        if let Some(items) = values(text, offset, ctx.word.clone()) {
            out.items = items;
            return out;
        }
    }
    let word = ctx.word.clone();
    let typed = &text[word.start..offset.clamp(word.start, word.end)];
    match &ctx.place {
        Place::Key { table, present } => {
            let yaml = kind != FileKind::SkillsToml;
            for f in table.fields() {
                if present.iter().any(|k| k == f.key) {
                    continue;
                }
                out.items
                    .push(key_item(f, yaml, opts.snippets, word.clone()));
            }
            if *table == Table::OpenclawSkill
                && opts.snippets
                && !present.iter().any(|k| k == "metadata")
            {
                out.items
                    .extend(dialect_assist::metadata_snippets(word.clone()));
            }
            if kind == FileKind::SkillsToml && *table != Table::SkillsEntry {
                tables(
                    index,
                    path,
                    text,
                    typed,
                    ctx.line.start..word.end,
                    opts,
                    &mut out,
                );
            }
        }
        Place::Value {
            table,
            key,
            listed,
            quoted,
        } => value_items(
            kind, path, text, index, *table, key, listed, *quoted, typed, word, opts, &mut out,
        ),
        Place::TomlHeader => {
            let line_end = text[offset..]
                .find(['\n', '\r'])
                .map_or(text.len(), |i| offset + i);
            let prefix = text[ctx.line.clone()].trim_start();
            let typed = prefix
                .trim_start_matches('[')
                .trim_start_matches("skills.")
                .trim_end_matches(']');
            tables(
                index,
                path,
                text,
                typed,
                ctx.line.start..line_end,
                opts,
                &mut out,
            );
        }
        Place::Heading => {
            let sections = match kind {
                FileKind::Soul => Some((schema::SOUL_SECTIONS, "#")),
                FileKind::User => Some((schema::USER_SECTIONS, "##")),
                _ => None,
            };
            if let Some((sections, hashes)) = sections {
                // Only the headings matter here: no need to run every rule again.
                let body = forge_syntax::frontmatter::frame(
                    text,
                    forge_syntax::frontmatter::Framing::Lenient,
                )
                .map_or(0..text.len(), |fm| fm.body);
                let outline = forge_syntax::markdown::outline(text, body);
                for (name, doc) in sections {
                    if outline.find(name).is_some() {
                        continue;
                    }
                    let (insert, snippet) = if opts.snippets {
                        (format!("{hashes} {name}\n\n${{1:{doc}}}"), true)
                    } else {
                        (format!("{hashes} {name}\n\n"), false)
                    };
                    out.items.push(Item {
                        label: format!("{hashes} {name}"),
                        kind: ItemKind::Section,
                        detail: Some("section".into()),
                        doc: format!("**{name}**: {doc}"),
                        insert,
                        snippet,
                        replace: ctx.line.start..word.end.max(offset),
                        filter: Some(format!("{hashes} {name}")),
                    });
                }
            }
        }
        Place::Nothing => {}
    }
    out
}

fn type_label(ty: Ty) -> &'static str {
    match ty {
        Ty::String => "string",
        Ty::Bool => "boolean",
        Ty::Number => "number",
        Ty::Integer => "integer",
        Ty::StringList => "list of strings",
        Ty::Enum(_) => "one of",
        Ty::EnumList(_) => "list of",
        Ty::Map => "mapping",
        Ty::StringMap => "table of strings",
    }
}

/// The documentation of a field: meaning, values, default.
/// The line of a hover or completion page that says where a fact comes from.
pub fn source_line(s: &forge_syntax::sources::Source) -> String {
    format!("Source: {} (checked {})", s.markdown(), s.verified)
}

pub fn field_doc(f: &Field) -> String {
    let mut s = format!(
        "**{}** ({}{})\n\n{}",
        f.key,
        type_label(f.ty),
        if f.required { ", required" } else { "" },
        f.doc
    );
    if !f.values().is_empty() {
        s.push_str("\n\nAllowed values:\n");
        for v in f.values() {
            s.push_str(&format!("- `{}`: {}\n", v.name, v.doc));
        }
    }
    if let Some(d) = f.default {
        s.push_str(&format!("\n\nDefault: `{d}`"));
    }
    s.push_str("\n\n");
    s.push_str(&source_line(f.source));
    s
}

fn key_item(f: &Field, yaml: bool, snippets: bool, replace: Range<usize>) -> Item {
    let choice =
        |values: &[schema::Value]| values.iter().map(|v| v.name).collect::<Vec<_>>().join(",");
    let (insert, snippet) = if !snippets {
        (
            if yaml {
                format!("{}: ", f.key)
            } else {
                format!("{} = ", f.key)
            },
            false,
        )
    } else if yaml {
        let v = match f.ty {
            Ty::Enum(values) => format!("${{1|{}|}}", choice(values)),
            Ty::StringList | Ty::EnumList(_) => "[$1]".to_string(),
            Ty::Map | Ty::StringMap => "\n  $0".to_string(),
            _ if f.key == "version" => "\"${1:0.1.0}\"".to_string(),
            _ => match f.default {
                Some(d) => format!("${{1:{d}}}"),
                None => "$1".to_string(),
            },
        };
        (format!("{}: {v}", f.key), true)
    } else {
        let v = match f.ty {
            Ty::Enum(values) => format!("\"${{1|{}|}}\"", choice(values)),
            Ty::Bool => "${1|true,false|}".to_string(),
            Ty::EnumList(_) | Ty::StringList => "[$1]".to_string(),
            Ty::StringMap | Ty::Map => "{ $1 }".to_string(),
            _ => "\"$1\"".to_string(),
        };
        (format!("{} = {v}", f.key), true)
    };
    Item {
        label: f.key.to_string(),
        kind: ItemKind::Field,
        detail: Some(type_label(f.ty).to_string()),
        doc: field_doc(f),
        insert,
        snippet,
        replace,
        filter: None,
    }
}

fn quote(s: &str, toml: bool, quoted: bool) -> String {
    if toml && !quoted {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
fn value_items(
    kind: FileKind,
    path: &Path,
    text: &str,
    index: &Index,
    table: Table,
    key: &str,
    listed: &[String],
    quoted: bool,
    typed: &str,
    word: Range<usize>,
    opts: Options,
    out: &mut Completions,
) {
    let toml = kind == FileKind::SkillsToml;
    let skill_ref_key = matches!(
        (table, key),
        (
            Table::SkillMetadata,
            "dependencies" | "parents" | "conflicts-with"
        ) | (Table::SkillsEntry, "skill_name")
    );
    if skill_ref_key {
        let own = index
            .file(path)
            .and_then(|f| f.skill.as_ref())
            .map(|s| s.name.clone());
        let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
        skill_names(index, typed, opts, out, |name| {
            own.as_deref() != Some(name) && !listed.contains(name)
        });
        for item in &mut out.items {
            item.insert = quote(&item.label, toml, quoted);
            item.replace = word.clone();
        }
        return;
    }
    // A skill's name must equal its folder's: offer the folder's name when it is a valid one.
    if table == Table::Skill && key == "name" {
        let folder = path
            .parent()
            .and_then(|d| d.file_name())
            .and_then(|n| n.to_str());
        if let Some(folder) = folder.filter(|f| super::navigate::valid_name(f).is_ok()) {
            out.items.push(Item {
                label: folder.to_string(),
                kind: ItemKind::Value,
                detail: Some("the folder's name".into()),
                doc: format!("Boternity finds the skill by its folder, `{folder}`; the name must be the same."),
                insert: quote(folder, toml, quoted),
                snippet: false,
                replace: word.clone(),
                filter: None,
            });
        }
        return;
    }
    if table == Table::Identity && key == "model" {
        let provider = crate::rules::lines::read(text, 0..text.len())
            .into_iter()
            .find(|f| f.key == "provider")
            .map(|f| f.unquoted().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "anthropic".into());
        if let Some(listed) = opts.models.filter(|l| l.serves(&provider)) {
            for m in &listed.models {
                let name = m.display_name.as_deref().unwrap_or(&m.id);
                out.items.push(Item {
                    label: m.id.clone(),
                    kind: ItemKind::Value,
                    detail: Some(name.to_string()),
                    doc: format!(
                        "**{name}** (`{}`)\n\nListed by {} for your key.\n\nBoternity sizes replies for it at {} output tokens.",
                        m.id,
                        listed.source,
                        schema::max_output_tokens(&m.id)
                    ),
                    insert: m.id.clone(),
                    snippet: false,
                    replace: word.clone(),
                    filter: None,
                });
            }
            return;
        }
        for m in schema::models_for(&provider) {
            out.items.push(Item {
                label: m.id.to_string(),
                kind: ItemKind::Value,
                detail: Some(format!("{} model", m.provider)),
                doc: format!(
                    "**{}**\n\n{}\n\nBoternity sizes replies for it at {} output tokens.\n\n{}",
                    m.id,
                    m.doc,
                    schema::max_output_tokens(m.id),
                    source_line(m.source)
                ),
                insert: m.id.to_string(),
                snippet: false,
                replace: word.clone(),
                filter: None,
            });
        }
        return;
    }
    let Some(field) = schema::find(table.fields(), key) else {
        return;
    };
    let bools: &[schema::Value] = &[
        schema::Value {
            name: "true",
            doc: "Enabled.",
            source: &forge_syntax::sources::FORGE_LS,
        },
        schema::Value {
            name: "false",
            doc: "Disabled.",
            source: &forge_syntax::sources::FORGE_LS,
        },
    ];
    let values = match field.ty {
        Ty::Bool => bools,
        _ => field.values(),
    };
    for v in values {
        if listed.iter().any(|l| l == v.name) {
            continue;
        }
        let insert = if field.ty == Ty::Bool {
            v.name.to_string()
        } else {
            quote(v.name, toml, quoted)
        };
        out.items.push(Item {
            label: v.name.to_string(),
            kind: ItemKind::Value,
            detail: Some(format!("{} value", field.key)),
            doc: format!("**{}**: {}", v.name, v.doc),
            insert,
            snippet: false,
            replace: word.clone(),
            filter: None,
        });
    }
}

/// The documentation shown for a skill: description, type, version, capabilities, location.
pub fn skill_doc(index: &Index, name: &str) -> Option<String> {
    let (f, s) = index.resolve(name)?;
    Some(skill_doc_of(s, &f.path, f.read_only))
}

pub fn skill_doc_of(s: &SkillInfo, path: &Path, read_only: bool) -> String {
    let mut doc = format!("**{}**", s.name);
    if let Some(v) = &s.version {
        doc.push_str(&format!(" {v}"));
    }
    let mut facts = Vec::new();
    if let Some(t) = &s.skill_type {
        facts.push(format!("{t} skill"));
    }
    if let Some(t) = &s.trust_tier {
        facts.push(format!("trust tier `{t}`"));
    }
    if !facts.is_empty() {
        doc.push_str(&format!(" ({})", facts.join(", ")));
    }
    if let Some(d) = &s.description {
        doc.push_str(&format!("\n\n{d}"));
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.capabilities.is_empty() {
        doc.push_str(&format!("\n\nCapabilities: {}", list(&s.capabilities)));
    }
    let names = |v: &[super::index::Ref]| v.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    if !s.parents.is_empty() {
        doc.push_str(&format!("\n\nInherits from: {}", list(&names(&s.parents))));
    }
    if !s.dependencies.is_empty() {
        doc.push_str(&format!(
            "\n\nDepends on: {}",
            list(&names(&s.dependencies))
        ));
    }
    doc.push_str(&format!(
        "\n\n`{}`{}",
        path.display(),
        if read_only { " (skill library)" } else { "" }
    ));
    doc
}

/// Skill names matching `typed`, best first, at most `opts.max_skills` of them.
fn skill_names(
    index: &Index,
    typed: &str,
    opts: Options,
    out: &mut Completions,
    keep: impl Fn(&str) -> bool,
) {
    let names = index.skill_names().filter(|n| keep(n));
    let mut found: Vec<(i64, &str)> = if typed.is_empty() {
        // Everything matches with the same score: the names come in order, so the
        // first `max_skills` (and one more, to know the list is incomplete) do.
        names.take(opts.max_skills + 1).map(|n| (0, n)).collect()
    } else {
        names
            .filter_map(|n| fuzzy_score(typed, n).map(|s| (s, n)))
            .collect()
    };
    // Best first, ties by name. Only the first `max_skills` are sent, so select
    // them before sorting: at 10,000 skills sorting every name was most of the
    // time of a completion request.
    let order = |a: &(i64, &str), b: &(i64, &str)| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1));
    if found.len() > opts.max_skills {
        out.incomplete = true;
        if opts.max_skills == 0 {
            return;
        }
        found.select_nth_unstable_by(opts.max_skills - 1, order);
        found.truncate(opts.max_skills);
    }
    found.sort_unstable_by(order);
    for (_, name) in found {
        let Some((f, s)) = index.resolve(name) else {
            continue;
        };
        out.items.push(Item {
            label: name.to_string(),
            kind: ItemKind::Skill,
            detail: s.description.as_ref().map(|d| d.chars().take(80).collect()),
            doc: if opts.lazy_skill_docs {
                String::new()
            } else {
                skill_doc_of(s, &f.path, f.read_only)
            },
            insert: name.to_string(),
            snippet: false,
            replace: 0..0,
            filter: None,
        });
    }
}

/// Whole `[skills.<name>]` tables for skills not yet attached, filled in the way
/// `bnity skill attach` does (tier, version and capabilities from the skill).
fn tables(
    index: &Index,
    path: &Path,
    text: &str,
    typed: &str,
    replace: Range<usize>,
    opts: Options,
    out: &mut Completions,
) {
    // The half-typed `[skills.` line makes the file invalid TOML (no attachments
    // in the index), so read what is attached from the text without that line.
    let mut rest = text.to_string();
    rest.replace_range(replace.clone(), "");
    let mut problems = Vec::new();
    let mut attached: HashSet<String> = crate::rules::skills_toml::check(&rest, &mut problems)
        .into_iter()
        .map(|a| a.key)
        .collect();
    if problems
        .iter()
        .any(|d| d.code == forge_syntax::codes::TOML_SYNTAX.id)
    {
        attached = index
            .file(path)
            .map(|f| f.attachments.iter().map(|a| a.key.clone()).collect())
            .unwrap_or_default();
    }
    let start = out.items.len();
    let mut tmp = Completions::default();
    skill_names(index, typed, opts, &mut tmp, |name| {
        !attached.contains(name)
    });
    out.incomplete |= tmp.incomplete;
    for item in tmp.items {
        let Some((_, s)) = index.resolve(&item.label) else {
            continue;
        };
        let name = &item.label;
        let mut body = format!("[skills.{name}]\nskill_name = \"{name}\"\nenabled = true\n");
        if let Some(t) = &s.trust_tier {
            body.push_str(&format!("trust_tier = \"{t}\"\n"));
        }
        if let Some(v) = &s.version {
            body.push_str(&format!("version = \"{v}\"\n"));
        }
        if !s.capabilities.is_empty() {
            let caps: Vec<String> = s.capabilities.iter().map(|c| format!("\"{c}\"")).collect();
            body.push_str(&format!("capabilities = [{}]\n", caps.join(", ")));
        }
        out.items.push(Item {
            label: format!("[skills.{name}]"),
            kind: ItemKind::Table,
            detail: Some("attach this skill".into()),
            doc: format!("Attach `{name}` to this bot.\n\n{}", item.doc),
            insert: body.trim_end().to_string(),
            snippet: false,
            replace: replace.clone(),
            filter: Some(format!("[skills.{name}]")),
        });
    }
    if opts.snippets && out.items.len() == start && typed.is_empty() {
        out.items.push(Item {
            label: "[skills.<name>]".into(),
            kind: ItemKind::Table,
            detail: Some("attach a skill".into()),
            doc: "A `[skills.<name>]` table attaching a skill to this bot (spec §6.8).".into(),
            insert: "[skills.${1:name}]\nskill_name = \"${1:name}\"\nenabled = true".into(),
            snippet: true,
            replace,
            filter: Some("[skills.".into()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::index::build;
    use crate::workspace::index::tests_support::entry;

    fn run(path: &str, with_cursor: &str, idx: &Index) -> Completions {
        let offset = with_cursor.find('|').unwrap();
        let text = with_cursor.replace('|', "");
        let kind = FileKind::from_path(Path::new(path)).unwrap();
        complete(
            kind,
            Path::new(path),
            &text,
            offset,
            idx,
            Options::default(),
            None,
        )
    }

    fn idx() -> Index {
        build(vec![
            entry(
                "/w/s/url-tools/SKILL.md",
                "---\nname: url-tools\ndescription: Normalize URLs\nmetadata:\n  version: \"1.2.0\"\n  trust-tier: local\n  capabilities: [http_get]\n---\nx\n",
            ),
            entry("/w/s/base/SKILL.md", "---\nname: base\ndescription: Base\n---\nx\n"),
        ])
    }

    fn labels(c: &Completions) -> Vec<&str> {
        c.items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn skill_keys_values_and_references() {
        let idx = idx();
        let c = run("/w/s/new/SKILL.md", "---\nname: new\n|\n---\n", &idx);
        let l = labels(&c);
        assert!(l.contains(&"description") && !l.contains(&"name"), "{l:?}");
        assert!(c.items.iter().all(|i| !i.doc.is_empty()));
        let c = run(
            "/w/s/new/SKILL.md",
            "---\nname: new\nmetadata:\n  skill-type: |\n---\n",
            &idx,
        );
        assert_eq!(labels(&c), vec!["prompt", "tool"]);
        let c = run(
            "/w/s/new/SKILL.md",
            "---\nname: new\nmetadata:\n  parents: [url|]\n---\n",
            &idx,
        );
        assert_eq!(labels(&c), vec!["url-tools"]);
        assert!(c.items[0].doc.contains("Normalize URLs"));
        // The whole name typed is still offered (it is not "already listed").
        let c = run(
            "/w/s/new/SKILL.md",
            "---\nname: new\nmetadata:\n  parents: [url-tools|]\n---\n",
            &idx,
        );
        assert_eq!(labels(&c), vec!["url-tools"]);
        let c = run(
            "/w/s/new/SKILL.md",
            "---\nname: new\nmetadata:\n  capabilities: [http_get, |]\n---\n",
            &idx,
        );
        assert!(!labels(&c).contains(&"http_get") && labels(&c).contains(&"read_file"));
    }

    #[test]
    fn models_follow_the_provider() {
        let c = run(
            "/w/b/x/IDENTITY.md",
            "---\ndisplay_name: X\nprovider: openai_compatible\nmodel: |\n---\n",
            &Index::new(),
        );
        assert!(labels(&c).contains(&"gpt-4o"));
        assert!(!labels(&c).iter().any(|l| l.starts_with("claude")));
    }

    #[test]
    fn listed_models_replace_the_table_for_the_provider_they_serve() {
        let listed = schema::ProviderModels {
            family: "anthropic",
            source: "Anthropic's API".into(),
            models: vec![
                schema::ListedModel {
                    id: "claude-opus-5-5".into(),
                    display_name: Some("Claude Opus 5.5".into()),
                },
                schema::ListedModel {
                    id: "claude-sonnet-5-5".into(),
                    display_name: None,
                },
            ],
        };
        let opts = Options {
            models: Some(&listed),
            ..Options::default()
        };
        let at = |text: &str| {
            let offset = text.find('|').unwrap();
            let text = text.replace('|', "");
            complete(
                FileKind::Identity,
                Path::new("/w/b/x/IDENTITY.md"),
                &text,
                offset,
                &Index::new(),
                opts,
                None,
            )
        };
        // Bedrock serves Anthropic's models: the list answers for it too, most capable first.
        let c = at("---\ndisplay_name: X\nprovider: bedrock\nmodel: |\n---\n");
        assert_eq!(labels(&c), ["claude-opus-5-5", "claude-sonnet-5-5"]);
        assert_eq!(c.items[0].detail.as_deref(), Some("Claude Opus 5.5"));
        assert!(c.items[0].doc.contains("Listed by Anthropic's API"));
        // Another provider keeps the built-in table.
        let c = at("---\ndisplay_name: X\nprovider: openai_compatible\nmodel: |\n---\n");
        assert!(labels(&c).contains(&"gpt-4o"));
    }

    #[test]
    fn skill_name_value_is_the_folder_name() {
        let idx = idx();
        let c = run("/w/s/page-tools/SKILL.md", "---\nname: |\n---\n", &idx);
        assert_eq!(labels(&c), vec!["page-tools"]);
        assert_eq!(c.items[0].insert, "page-tools");
        let c = run(
            "/w/s/page-tools/SKILL.md",
            "---\nname: \"pa|\"\n---\n",
            &idx,
        );
        assert_eq!(c.items[0].insert, "page-tools");
        // A folder that is not a valid name is not offered.
        let c = run("/w/s/My Tools/SKILL.md", "---\nname: |\n---\n", &idx);
        assert!(c.items.is_empty(), "{:?}", labels(&c));
    }

    #[test]
    fn skills_toml_tables_keys_and_names() {
        let idx = idx();
        let c = run("/w/b/x/skills.toml", "|", &idx);
        let table = c
            .items
            .iter()
            .find(|i| i.label == "[skills.url-tools]")
            .unwrap();
        assert!(table.insert.contains("trust_tier = \"local\""));
        assert!(table.insert.contains("capabilities = [\"http_get\"]"));
        let c = run(
            "/w/b/x/skills.toml",
            "[skills.a]\nskill_name = \"a\"\n|",
            &idx,
        );
        assert!(labels(&c).contains(&"trust_tier") && !labels(&c).contains(&"skill_name"));
        // While the header is half typed the file is not valid TOML; attached
        // skills are still not offered again.
        let c = run(
            "/w/b/x/skills.toml",
            "[skills.url-tools]\nskill_name = \"url-tools\"\n\n[skills.|",
            &idx,
        );
        assert!(
            !labels(&c).contains(&"[skills.url-tools]"),
            "{:?}",
            labels(&c)
        );
        assert!(labels(&c).contains(&"[skills.base]"), "{:?}", labels(&c));
        let c = run("/w/b/x/skills.toml", "[skills.a]\nskill_name = \"|\"", &idx);
        assert_eq!(c.items[0].insert, "base");
        let c = run("/w/b/x/skills.toml", "[skills.a]\nskill_name = |", &idx);
        assert_eq!(c.items[0].insert, "\"base\"");
    }

    #[test]
    fn sections_not_yet_written() {
        let c = run(
            "/w/b/x/SOUL.md",
            "---\nname: X\n---\n\n# Personality\n\nkind\n\n|",
            &Index::new(),
        );
        assert_eq!(labels(&c), vec!["# Purpose", "# Boundaries"]);
        let c = run("/w/b/x/USER.md", "# About\n\n|", &Index::new());
        assert_eq!(labels(&c).len(), 3);
    }

    #[test]
    fn many_skills_are_capped_and_incomplete() {
        let entries = (0..1000)
            .map(|i| {
                entry(
                    &format!("/w/s/s{i}/SKILL.md"),
                    &format!("---\nname: s{i}\ndescription: d\n---\nx\n"),
                )
            })
            .collect();
        let idx = build(entries);
        let c = run(
            "/w/s/new/SKILL.md",
            "---\nname: new\nmetadata:\n  parents: [|]\n---\n",
            &idx,
        );
        assert_eq!(c.items.len(), 200);
        assert!(c.incomplete);
    }
}
