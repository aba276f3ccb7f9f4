//! Navigation over the index: which skill is under the cursor, its definition,
//! its references, renaming it, and workspace symbols. Pure functions; ranges
//! are bytes of each file's indexed text.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::index::{FileEntry, Index};
use crate::FileKind;
use forge_syntax::diagnostic::Edit;

fn contains(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

/// The content of a possibly quoted TOML string or key.
fn unquoted(text: &str, r: &Range<usize>) -> Range<usize> {
    match text.get(r.clone()) {
        Some(s) if s.len() >= 2 && (s.starts_with('"') || s.starts_with('\'')) => {
            r.start + 1..r.end - 1
        }
        _ => r.clone(),
    }
}

/// A skill named somewhere in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillRef {
    pub name: String,
    /// The name's own range (what a rename replaces).
    pub range: Range<usize>,
    /// The skill's own `name` field rather than a reference to it.
    pub declaration: bool,
}

/// Every skill name occurring in `f`, in order.
pub fn skill_refs(f: &FileEntry) -> Vec<SkillRef> {
    let mut out = Vec::new();
    if let Some(s) = &f.skill {
        if let Some(r) = &s.name_range {
            out.push(SkillRef {
                name: s.name.clone(),
                range: r.clone(),
                declaration: true,
            });
        }
        for (_, r) in s.refs() {
            out.push(SkillRef {
                name: r.name.clone(),
                range: r.name_range.clone(),
                declaration: false,
            });
        }
    }
    for a in &f.attachments {
        for r in std::iter::once(&a.key_range).chain(&a.header_key_ranges) {
            out.push(SkillRef {
                name: a.key.clone(),
                range: unquoted(&f.text, r),
                declaration: false,
            });
        }
        if let Some((n, r)) = &a.skill_name {
            out.push(SkillRef {
                name: n.clone(),
                range: unquoted(&f.text, r),
                declaration: false,
            });
        }
    }
    out.sort_by_key(|r| r.range.start);
    out
}

/// The skill name at `offset` of `path`.
pub fn skill_at(index: &Index, path: &Path, offset: usize) -> Option<SkillRef> {
    let f = index.file(path)?;
    skill_refs(f)
        .into_iter()
        .find(|r| contains(&r.range, offset))
}

/// Where a skill is defined: each SKILL.md declaring it, at its name.
pub fn definition(index: &Index, name: &str) -> Vec<(PathBuf, Range<usize>)> {
    let mut out: Vec<(PathBuf, Range<usize>, bool)> = index
        .skills_named(name)
        .map(|(f, s)| {
            (
                f.path.clone(),
                s.name_range.clone().unwrap_or(0..0),
                f.read_only,
            )
        })
        .collect();
    // Workspace definitions first, the library after.
    out.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    out.into_iter().map(|(p, r, _)| (p, r)).collect()
}

/// Every occurrence of skill `name`, sorted by file and offset.
pub fn references(
    index: &Index,
    name: &str,
    include_declaration: bool,
) -> Vec<(PathBuf, Range<usize>)> {
    let mut out: Vec<(PathBuf, Range<usize>)> = Vec::new();
    for f in index.files() {
        for r in skill_refs(f) {
            if r.name == name && (include_declaration || !r.declaration) {
                out.push((f.path.clone(), r.range));
            }
        }
        // `skill` steps of workflows.
        let calls = f.workflow.iter().flat_map(|w| &w.calls);
        for c in
            calls.filter(|c| c.kind == crate::rules::workflow::CallKind::Skill && c.name == name)
        {
            out.push((f.path.clone(), c.range.clone()));
        }
    }
    out.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
    out
}

/// The Agent Skills name rule, as a rename target must satisfy it.
pub fn valid_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if name.is_empty() {
        Err("A skill name cannot be empty.".into())
    } else if name.len() > crate::rules::skill::NAME_MAX {
        Err(format!(
            "A skill name has at most {} characters.",
            crate::rules::skill::NAME_MAX
        ))
    } else if !ok_chars {
        Err(format!(
            "`{name}` is not a valid skill name: use lowercase letters, digits and hyphens."
        ))
    } else if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        Err(format!(
            "`{name}` is not a valid skill name: no leading, trailing or double hyphens."
        ))
    } else {
        Ok(())
    }
}

/// What renaming a skill changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenamePlan {
    /// Text edits per file, in the file's current text.
    pub edits: BTreeMap<PathBuf, Vec<Edit>>,
    /// Skill folders to rename (old, new), applied after the text edits.
    pub folders: Vec<(PathBuf, PathBuf)>,
}

/// Where a rename may start: the name under the cursor, unless it is read-only.
pub fn prepare_rename(index: &Index, path: &Path, offset: usize) -> Result<SkillRef, String> {
    let r = skill_at(index, path, offset)
        .ok_or_else(|| "Only a skill name or a reference to a skill can be renamed.".to_string())?;
    if index.skills_named(&r.name).any(|(f, _)| f.read_only) {
        return Err(format!(
            "`{}` is installed in the skill library, which forge-ls does not edit.",
            r.name
        ));
    }
    Ok(r)
}

/// Rename skill `name` to `new`: its `name`, every reference, and its folder
/// when the folder is named after it.
pub fn rename(index: &Index, name: &str, new: &str) -> Result<RenamePlan, String> {
    valid_name(new)?;
    if new == name {
        return Ok(RenamePlan::default());
    }
    if index.skills_named(name).any(|(f, _)| f.read_only) {
        return Err(format!(
            "`{name}` is installed in the skill library, which forge-ls does not edit."
        ));
    }
    if index.resolve(new).is_some() {
        return Err(format!("A skill named `{new}` already exists."));
    }
    let mut plan = RenamePlan::default();
    for (path, range) in references(index, name, true) {
        plan.edits.entry(path).or_default().push(Edit {
            range,
            new_text: new.to_string(),
        });
    }
    for (f, _) in index.skills_named(name) {
        let folder = f.folder();
        if folder.file_name().and_then(|n| n.to_str()) == Some(name) {
            let target = folder.with_file_name(new);
            if target.exists() {
                return Err(format!(
                    "Cannot rename the folder: `{}` already exists.",
                    target.display()
                ));
            }
            plan.folders.push((folder.to_path_buf(), target));
        }
    }
    Ok(plan)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Skill,
    Bot,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    pub path: PathBuf,
    pub range: Range<usize>,
    /// Where it lives (the parent folder) or the skill's description.
    pub detail: Option<String>,
}

/// Fuzzy score of `query` against `name`: None when the query's characters do
/// not all appear in order; higher is better (prefix and contiguous runs win).
pub fn fuzzy_score(query: &str, name: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    // Completion scores every skill name on each keystroke: no allocation, and
    // bytes rather than chars for the ASCII names nearly all skills have.
    let points = if query.is_ascii() && name.is_ascii() {
        match_points(query.as_bytes(), name.as_bytes())?
    } else {
        let q: Vec<char> = query.chars().collect();
        let n: Vec<char> = name.chars().collect();
        match_points(&q, &n)?
    };
    let prefix = name
        .get(..query.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(query));
    Some((points + if prefix { 20 } else { 0 }) * 100 - name.len() as i64)
}

/// A character of a name, for [`match_points`].
trait NameChar: Copy {
    fn folded(self) -> Self;
    fn is_separator(self) -> bool;
}

impl NameChar for u8 {
    fn folded(self) -> u8 {
        self.to_ascii_lowercase()
    }
    fn is_separator(self) -> bool {
        matches!(self, b'-' | b'_' | b' ' | b'/')
    }
}

impl NameChar for char {
    fn folded(self) -> char {
        self.to_ascii_lowercase()
    }
    fn is_separator(self) -> bool {
        matches!(self, '-' | '_' | ' ' | '/')
    }
}

/// Points for matching `query` in order within `name` (first occurrences): a
/// run goes on 5, the name's start 8, a word's start 4, anything else 1.
fn match_points<C: NameChar + PartialEq>(query: &[C], name: &[C]) -> Option<i64> {
    let mut points = 0;
    let mut next = 0;
    let mut last: Option<usize> = None;
    for &q in query {
        let q = q.folded();
        let i = next + name[next..].iter().position(|c| c.folded() == q)?;
        points += match last {
            Some(l) if l + 1 == i => 5,
            _ if i == 0 => 8,
            _ if name[i - 1].is_separator() => 4,
            _ => 1,
        };
        last = Some(i);
        next = i + 1;
    }
    Some(points)
}

/// Bots and skills matching `query`, best first, at most `limit`.
pub fn workspace_symbols(index: &Index, query: &str, limit: usize) -> Vec<Symbol> {
    let mut scored: Vec<(i64, Symbol)> = Vec::new();
    for (f, s) in index.skills() {
        if let Some(score) = fuzzy_score(query, &s.name) {
            scored.push((
                score,
                Symbol {
                    name: s.name.clone(),
                    kind: SymbolKind::Skill,
                    path: f.path.clone(),
                    range: s.name_range.clone().unwrap_or(0..0),
                    detail: Some(if f.read_only {
                        "skill library".to_string()
                    } else {
                        "skill".to_string()
                    }),
                },
            ));
        }
    }
    for bot in index.bots().into_values().filter(|b| b.is_bot()) {
        let main = bot
            .identity
            .clone()
            .or(bot.soul.clone())
            .unwrap_or_default();
        let title = [&bot.identity, &bot.soul]
            .into_iter()
            .flatten()
            .filter_map(|p| index.file(p).and_then(|f| f.title.clone()))
            .next();
        let folder_name = bot
            .folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = title.unwrap_or_else(|| folder_name.clone());
        let score = fuzzy_score(query, &name).max(fuzzy_score(query, &folder_name));
        if let Some(score) = score {
            scored.push((
                score,
                Symbol {
                    name,
                    kind: SymbolKind::Bot,
                    path: main,
                    range: 0..0,
                    detail: Some(format!("bot ({folder_name})")),
                },
            ));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored.truncate(limit);
    scored.into_iter().map(|(_, s)| s).collect()
}

/// Whether `kind` files can hold skill references (for request routing).
pub fn has_refs(kind: FileKind) -> bool {
    matches!(kind, FileKind::Skill | FileKind::SkillsToml)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::index::build;
    use crate::workspace::index::tests_support::entry;

    fn idx() -> Index {
        build(vec![
            entry("/w/s/base/SKILL.md", "---\nname: base\ndescription: d\n---\nx\n"),
            entry(
                "/w/s/web/SKILL.md",
                "---\nname: web\ndescription: d\nmetadata:\n  parents: [base]\n  dependencies: [\"base@^1\"]\n---\nx\n",
            ),
            entry(
                "/w/b/x/skills.toml",
                "[skills.base]\nskill_name = \"base\"\n",
            ),
            entry("/w/b/x/IDENTITY.md", "---\ndisplay_name: Quill\n---\n"),
        ])
    }

    #[test]
    fn finds_definition_and_references() {
        let idx = idx();
        let web = Path::new("/w/s/web/SKILL.md");
        let text = idx.file(web).unwrap().text.clone();
        let at = text.find("[base]").unwrap() + 2;
        let r = skill_at(&idx, web, at).unwrap();
        assert_eq!(r.name, "base");
        assert_eq!(
            definition(&idx, "base")[0].0,
            Path::new("/w/s/base/SKILL.md")
        );
        let refs = references(&idx, "base", true);
        assert_eq!(refs.len(), 5, "{refs:?}");
        assert_eq!(references(&idx, "base", false).len(), 4);
    }

    #[test]
    fn rename_plans_every_occurrence_and_the_folder() {
        let idx = idx();
        let plan = rename(&idx, "base", "core").unwrap();
        assert_eq!(plan.edits.values().map(Vec::len).sum::<usize>(), 5);
        assert_eq!(
            plan.folders,
            vec![(PathBuf::from("/w/s/base"), PathBuf::from("/w/s/core"))]
        );
        assert!(rename(&idx, "base", "Bad Name").is_err());
        assert!(rename(&idx, "base", "web").is_err());
    }

    #[test]
    fn rename_reaches_sub_table_headers_of_skills_toml() {
        let plain =
            "[skills.base]\nskill_name = \"base\"\n\n[skills.base.overrides]\nunits = \"metric\"\n";
        let spaced = "[skills.base]\nskill_name = \"base\"\n\n[ skills . \"base\" . overrides ]\nunits = \"metric\"\n";
        let idx = build(vec![
            entry(
                "/w/s/base/SKILL.md",
                "---\nname: base\ndescription: d\n---\nx\n",
            ),
            entry("/w/b/x/skills.toml", plain),
            entry("/w/b/y/skills.toml", spaced),
        ]);
        let at = plain.find("base.overrides").unwrap() + 1;
        let x = Path::new("/w/b/x/skills.toml");
        assert_eq!(skill_at(&idx, x, at).unwrap().name, "base");
        let plan = rename(&idx, "base", "core").unwrap();
        for (path, text) in [(x, plain), (Path::new("/w/b/y/skills.toml"), spaced)] {
            let mut out = text.to_string();
            let mut edits = plan.edits[path].clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            for e in edits {
                out.replace_range(e.range, &e.new_text);
            }
            assert_eq!(out, text.replace("base", "core"));
        }
    }

    #[test]
    fn fuzzy_symbols() {
        let idx = idx();
        let s = workspace_symbols(&idx, "qil", 10);
        assert_eq!(s[0].name, "Quill");
        let s = workspace_symbols(&idx, "we", 10);
        assert_eq!(s[0].name, "web");
        assert!(fuzzy_score("xyz", "web").is_none());
    }

    #[test]
    fn fuzzy_scores_the_same_for_ascii_and_other_names() {
        // Prefix, run, word starts; the same points whether the name is ASCII or not.
        assert_eq!(fuzzy_score("we", "web"), Some((8 + 5 + 20) * 100 - 3));
        assert_eq!(fuzzy_score("wr", "web-research"), Some((8 + 4) * 100 - 12));
        assert_eq!(
            fuzzy_score("WR", "web-research"),
            fuzzy_score("wr", "web-research")
        );
        assert_eq!(fuzzy_score("wr", "wéb-research"), Some((8 + 4) * 100 - 13));
        assert_eq!(fuzzy_score("é", "café"), Some(100 - 5));
        assert_eq!(fuzzy_score("ab", "ba"), None);
        assert_eq!(fuzzy_score("", "anything"), Some(0));
    }
}
