//! Boternity workflows in the editor, as plain data: completion and hover from the tables in
//! `workflow_schema`, navigation and rename of step ids, bots, skills and workflows over the
//! index, document symbols, folding ranges and the trigger summary for the code lens.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::complete::{Completions, Item, ItemKind};
use super::index::Index;
use crate::rules::workflow::{CallKind, WorkflowInfo};
use crate::workflow_schema::{self as ws, Choice, Key, Shape, Ty};
use forge_syntax::diagnostic::Edit;

/// One line of the text as the YAML block structure sees it.
struct Line<'a> {
    /// The column of the key (after any `- ` item markers).
    col: usize,
    /// Columns of the `- ` item markers before the key.
    dashes: Vec<usize>,
    /// The key, when the line is `key:` or `key: value`.
    key: Option<&'a str>,
    /// The value after `key:`, trimmed.
    value: &'a str,
}

fn line_of(text: &str, start: usize, end: usize) -> Option<Line<'_>> {
    let raw = &text[start..end];
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let mut col = raw.len() - raw.trim_start_matches(' ').len();
    let mut dashes = Vec::new();
    let mut rest = &raw[col..];
    while let Some(r) = rest
        .strip_prefix("- ")
        .or(if rest == "-" { Some("") } else { None })
    {
        dashes.push(col);
        let skip = 2 + (r.len() - r.trim_start_matches(' ').len());
        col += skip.min(rest.len());
        rest = r.trim_start_matches(' ');
    }
    if rest.starts_with('#') || (rest.is_empty() && dashes.is_empty()) {
        return None;
    }
    let (key, value) = match rest.split_once(':') {
        Some((k, v))
            if !k.is_empty()
                && !k.contains(' ')
                && !k.starts_with(['"', '\'', '[', '{'])
                && (v.is_empty() || v.starts_with(' ')) =>
        {
            (Some(k), v.trim())
        }
        _ => (None, rest.trim()),
    };
    Some(Line {
        col,
        dashes,
        key,
        value,
    })
}

/// The lines before `offset`'s line (nearest first).
fn lines_before(text: &str, line_start: usize) -> impl Iterator<Item = Line<'_>> {
    let mut end = line_start;
    std::iter::from_fn(move || {
        while end > 0 {
            let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
            let line_end = end - 1;
            end = start;
            if let Some(l) = line_of(text, start, line_end) {
                return Some(l);
            }
        }
        None
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Item,
}

/// Where a position is: the keys and list items above it, and what is being typed.
#[derive(Debug)]
struct Spot {
    path: Vec<Seg>,
    /// The column of the mapping the position is in.
    col: usize,
    /// `Some(key)`: in the value of `key` (a scalar, or an item of its flow or block list).
    value_of: Option<String>,
    /// The word being typed.
    word: Range<usize>,
    line_start: usize,
}

/// `whole`: read the whole line at `offset` (hover) rather than what comes before it (completion).
fn spot(text: &str, offset: usize, whole: bool) -> Option<Spot> {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let prefix = &text[line_start..offset];
    let word_start = prefix
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(line_start, |i| line_start + i + 1);
    let word_end = text[offset..line_end]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(line_end, |i| offset + i);
    let here = line_of(text, line_start, if whole { line_end } else { offset });
    let mut path = Vec::new();
    let (mut col, value_of) = match &here {
        Some(l) if l.key.is_some() => (l.col, l.key.map(str::to_string)),
        Some(l) => (l.col, None),
        None => (prefix.len() - prefix.trim_start_matches(' ').len(), None),
    };
    let mut value_of = value_of;
    // The column of the mapping the position is in, before `col` climbs to the ancestors.
    let own_col = col;
    // A bare item (`- ab`) is a value of the list's key; `- ` items with keys open a mapping.
    let bare_item = here
        .as_ref()
        .is_some_and(|l| l.key.is_none() && !l.dashes.is_empty());
    let mut in_item = here.as_ref().is_some_and(|l| !l.dashes.is_empty());
    if in_item {
        path.push(Seg::Item);
        col = here
            .as_ref()
            .and_then(|l| l.dashes.last().copied())
            .unwrap_or(col);
    }
    for l in lines_before(text, line_start) {
        let item_dash = l.dashes.last().copied();
        if !in_item && l.col == col && item_dash.is_some_and(|d| d < col) {
            // A sibling key on the item's first line: we are inside that item.
            path.push(Seg::Item);
            col = item_dash.unwrap_or(col);
            in_item = true;
            continue;
        }
        // A key to the left is the parent; so is one right above a list written without
        // indentation (`steps:` then `- id: a` in the same column).
        let indentless = in_item && l.col == col && l.dashes.is_empty();
        if l.col < col || indentless {
            let Some(k) = l.key else {
                continue;
            };
            path.push(Seg::Key(k.to_string()));
            col = l.col;
            in_item = false;
            if let Some(d) = item_dash {
                path.push(Seg::Item);
                col = d;
                in_item = true;
            }
            if col == 0 && !in_item {
                break;
            }
        }
    }
    path.reverse();
    if bare_item {
        // `- <word>` under `depends_on:`: the list's key.
        if let Some(Seg::Item) = path.last() {
            path.pop();
            if let Some(Seg::Key(k)) = path.pop() {
                value_of = Some(k);
            }
        }
    }
    Some(Spot {
        path,
        col: own_col,
        value_of,
        word: word_start..word_end,
        line_start,
    })
}

/// The value of `key` among the sibling keys of the mapping at column `col` around `line_start`.
fn sibling(text: &str, line_start: usize, col: usize, key: &str) -> Option<String> {
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    if let Some(l) = line_of(text, line_start, line_end) {
        if l.col == col && l.key == Some(key) {
            return Some(unquote(l.value));
        }
    }
    for l in lines_before(text, line_start) {
        if l.col == col && l.key == Some(key) {
            return Some(unquote(l.value));
        }
        if l.col < col || (l.col == col && !l.dashes.is_empty()) {
            break;
        }
    }
    let mut at = line_end + 1;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if let Some(l) = line_of(text, at, end) {
            if l.col < col || !l.dashes.is_empty() && l.dashes[0] < col {
                break;
            }
            if l.col == col && l.key == Some(key) {
                return Some(unquote(l.value));
            }
        }
        at = end + 1;
    }
    None
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// What a mapping at `path` holds.
#[derive(Clone, Copy)]
enum Container {
    Keys(&'static [Key]),
    Tagged(&'static [Shape]),
}

/// The type at `path` (from the top of the workflow).
fn type_at(path: &[Seg]) -> Option<Ty> {
    let mut ty = Ty::Keys(ws::WORKFLOW_KEYS);
    for seg in path {
        ty = match (seg, ty) {
            (Seg::Key(k), Ty::Keys(keys)) => ws::find(keys, k)?.ty,
            (Seg::Key(k), Ty::Tagged(shapes)) => shapes.iter().find_map(|s| s.key(k))?.ty,
            (Seg::Item, Ty::Steps) => Ty::Keys(ws::STEP_KEYS),
            (Seg::Item, Ty::TaggedList(shapes)) => Ty::Tagged(shapes),
            (Seg::Item, Ty::StringList | Ty::StepRefs) => Ty::String,
            _ => return None,
        };
    }
    Some(ty)
}

fn container(path: &[Seg]) -> Option<Container> {
    match type_at(path)? {
        Ty::Keys(k) => Some(Container::Keys(k)),
        Ty::Tagged(s) => Some(Container::Tagged(s)),
        _ => None,
    }
}

/// The keys a mapping may hold, given its `type` when it is tagged.
fn keys_of(c: Container, tag: Option<&str>) -> Vec<&'static Key> {
    match c {
        Container::Keys(keys) => keys.iter().collect(),
        Container::Tagged(shapes) => match tag.and_then(|t| ws::shape(shapes, t)) {
            Some(s) => s.keys.iter().collect(),
            None => Vec::new(),
        },
    }
}

fn key_doc(k: &Key) -> String {
    let req = if k.required { "required" } else { "optional" };
    format!(
        "**`{}`** ({req})\n\n{}\n\n{}",
        k.key,
        k.doc,
        super::complete::source_line(k.source)
    )
}

fn shape_doc(s: &Shape) -> String {
    let keys: Vec<String> = s
        .keys
        .iter()
        .map(|k| format!("`{}`{}", k.key, if k.required { "" } else { "?" }))
        .collect();
    let keys = if keys.is_empty() {
        "no other keys".to_string()
    } else {
        keys.join(", ")
    };
    format!(
        "**`{}`**\n\n{}\n\nKeys: {keys}.\n\n{}",
        s.name,
        s.doc,
        super::complete::source_line(s.source)
    )
}

fn value_items(word: &Range<usize>, names: impl Iterator<Item = (String, String)>) -> Vec<Item> {
    names
        .map(|(label, doc)| Item {
            insert: label.clone(),
            label,
            kind: ItemKind::Value,
            detail: None,
            doc,
            snippet: false,
            replace: word.clone(),
            filter: None,
        })
        .collect()
}

fn choices(c: &'static [Choice]) -> impl Iterator<Item = (String, String)> {
    c.iter().map(|c| (c.name.to_string(), c.doc.to_string()))
}

/// The step ids of a workflow whose YAML does not parse (while typing): the `- id:` lines.
fn ids_in_text(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if let Some(l) = line_of(text, at, end) {
            if l.key == Some("id") && !l.dashes.is_empty() && !l.value.is_empty() {
                let id = unquote(l.value);
                out.push((id.clone(), format!("Step **`{id}`**")));
            }
        }
        at = end + 1;
    }
    out
}

fn step_ids(info: Option<&WorkflowInfo>) -> impl Iterator<Item = (String, String)> + '_ {
    info.into_iter().flat_map(|w| {
        w.steps.iter().map(|s| {
            let doc = format!(
                "Step **`{}`**{}{}",
                s.id,
                s.name
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default(),
                s.step_type
                    .as_ref()
                    .map(|t| format!(" (`{t}`)"))
                    .unwrap_or_default()
            );
            (s.id.clone(), doc)
        })
    })
}

/// Completions at `offset` of the workflow `text` (`info`: its analysis).
pub fn complete(
    text: &str,
    offset: usize,
    index: &Index,
    info: Option<&WorkflowInfo>,
) -> Completions {
    let Some(s) = spot(text, offset, false) else {
        return Completions::default();
    };
    let mut items = Vec::new();
    match &s.value_of {
        Some(key) => {
            let Some(c) = container(&s.path) else {
                return Completions::default();
            };
            if key == "type" {
                if let Container::Tagged(shapes) = c {
                    items = value_items(
                        &s.word,
                        shapes.iter().map(|sh| (sh.name.to_string(), shape_doc(sh))),
                    );
                }
            }
            let tag = sibling(text, s.line_start, s.col, "type");
            let k = keys_of(c, tag.as_deref())
                .into_iter()
                .find(|k| k.key == key)
                .or_else(|| match c {
                    Container::Tagged(shapes) => shapes.iter().find_map(|sh| sh.key(key)),
                    Container::Keys(_) => None,
                });
            if let Some(k) = k {
                let in_config = matches!(s.path.last(), Some(Seg::Key(p)) if p == "config");
                items.extend(match (k.ty, k.key) {
                    (Ty::Enum(c), _) => value_items(&s.word, choices(c)),
                    (Ty::StepRefs, _) => match info.filter(|w| !w.steps.is_empty()) {
                        Some(_) => value_items(&s.word, step_ids(info)),
                        None => value_items(&s.word, ids_in_text(text).into_iter()),
                    },
                    (_, "bot") if in_config => value_items(
                        &s.word,
                        index
                            .bot_slugs()
                            .into_iter()
                            .map(|(slug, folder)| (slug, format!("Bot in `{}`", folder.display()))),
                    ),
                    (_, "skill") if in_config => value_items(
                        &s.word,
                        index
                            .skill_names()
                            .take(200)
                            .map(|n| (n.to_string(), format!("Skill `{n}`"))),
                    ),
                    (_, "workflow_name") => {
                        let mut names: Vec<String> = index
                            .workflows()
                            .filter_map(|(_, w)| w.name.clone())
                            .collect();
                        names.sort();
                        names.dedup();
                        value_items(
                            &s.word,
                            names
                                .into_iter()
                                .map(|n| (n.clone(), format!("Workflow `{n}`"))),
                        )
                    }
                    _ => Vec::new(),
                });
            }
        }
        None => {
            let Some(c) = container(&s.path) else {
                return Completions::default();
            };
            let tag = sibling(text, s.line_start, s.col, "type");
            let mut keys = keys_of(c, tag.as_deref());
            let present = present_keys(text, s.line_start, s.col);
            if let Container::Tagged(_) = c {
                if !present.iter().any(|k| k == "type") {
                    items.push(Item {
                        label: "type".into(),
                        kind: ItemKind::Field,
                        detail: Some("required".into()),
                        doc: "Which kind of mapping this is; its other keys depend on it.".into(),
                        insert: "type: ".into(),
                        snippet: false,
                        replace: s.word.clone(),
                        filter: None,
                    });
                }
            }
            keys.retain(|k| !present.iter().any(|p| p == k.key));
            items.extend(keys.into_iter().map(|k| Item {
                label: k.key.to_string(),
                kind: ItemKind::Field,
                detail: Some(if k.required { "required" } else { "optional" }.into()),
                doc: key_doc(k),
                insert: format!("{}: ", k.key),
                snippet: false,
                replace: s.word.clone(),
                filter: None,
            }));
        }
    }
    Completions {
        items,
        incomplete: false,
    }
}

/// The keys already present in the mapping at column `col` around `line_start` (the line itself
/// excluded).
fn present_keys(text: &str, line_start: usize, col: usize) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines_before(text, line_start) {
        if l.col == col {
            out.extend(l.key.map(str::to_string));
            if !l.dashes.is_empty() {
                break;
            }
        } else if l.col < col {
            break;
        }
    }
    let mut at = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i + 1);
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if let Some(l) = line_of(text, at, end) {
            if l.col < col || l.dashes.first().is_some_and(|d| *d < col) {
                break;
            }
            if l.col == col {
                out.extend(l.key.map(str::to_string));
            }
        }
        at = end + 1;
    }
    out
}

/// What a name at a position refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A step of the workflow in this file.
    Step(String),
    Bot(String),
    Skill(String),
    Workflow(String),
}

fn contains(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

/// The step id, bot, skill or workflow named at `offset` of `info`'s file.
pub fn target_at(info: &WorkflowInfo, offset: usize) -> Option<(Target, Range<usize>)> {
    if let Some(s) = info.steps.iter().find(|s| contains(&s.id_range, offset)) {
        return Some((Target::Step(s.id.clone()), s.id_range.clone()));
    }
    if let Some(r) = info.refs.iter().find(|r| contains(&r.range, offset)) {
        return Some((Target::Step(r.id.clone()), r.range.clone()));
    }
    if let Some(c) = info.calls.iter().find(|c| contains(&c.range, offset)) {
        let t = match c.kind {
            CallKind::Bot => Target::Bot(c.name.clone()),
            CallKind::Skill => Target::Skill(c.name.clone()),
            CallKind::Workflow => Target::Workflow(c.name.clone()),
        };
        return Some((t, c.range.clone()));
    }
    if let (Some(n), Some(r)) = (&info.name, &info.name_range) {
        if contains(r, offset) {
            return Some((Target::Workflow(n.clone()), r.clone()));
        }
    }
    None
}

/// Where `target` (found in `path`) is defined.
pub fn definition(index: &Index, path: &Path, target: &Target) -> Vec<(PathBuf, Range<usize>)> {
    match target {
        Target::Step(id) => index
            .file(path)
            .and_then(|f| f.workflow.as_ref())
            .and_then(|w| w.steps.iter().find(|s| &s.id == id))
            .map(|s| vec![(path.to_path_buf(), s.id_range.clone())])
            .unwrap_or_default(),
        Target::Bot(slug) => {
            let Some(folder) = index.bot_slugs().remove(slug) else {
                return Vec::new();
            };
            let bot = index.bots().remove(&folder).unwrap_or_default();
            bot.identity
                .or(bot.soul)
                .map(|p| vec![(p, 0..0)])
                .unwrap_or_default()
        }
        Target::Skill(name) => super::navigate::definition(index, name),
        Target::Workflow(name) => index
            .workflows_named(name)
            .into_iter()
            .filter_map(|f| {
                let r = f.workflow.as_ref()?.name_range.clone()?;
                Some((f.path.clone(), r))
            })
            .collect(),
    }
}

/// Every mention of `target` (found in `path`): a step id within its workflow; a bot, skill or
/// workflow across the workspace's workflows (and, for a skill, everything that names it).
pub fn references(
    index: &Index,
    path: &Path,
    target: &Target,
    include_declaration: bool,
) -> Vec<(PathBuf, Range<usize>)> {
    let mut out = Vec::new();
    match target {
        Target::Step(id) => {
            if let Some(w) = index.file(path).and_then(|f| f.workflow.as_ref()) {
                for s in w
                    .steps
                    .iter()
                    .filter(|s| &s.id == id && include_declaration)
                {
                    out.push((path.to_path_buf(), s.id_range.clone()));
                }
                for r in w.refs.iter().filter(|r| &r.id == id) {
                    out.push((path.to_path_buf(), r.range.clone()));
                }
            }
        }
        Target::Bot(name) | Target::Skill(name) | Target::Workflow(name) => {
            let kind = match target {
                Target::Bot(_) => CallKind::Bot,
                Target::Skill(_) => CallKind::Skill,
                _ => CallKind::Workflow,
            };
            if include_declaration {
                out.extend(definition(index, path, target));
            }
            if let Target::Skill(n) = target {
                out.extend(super::navigate::references(index, n, false));
            }
            for (f, w) in index.workflows() {
                for c in w.calls.iter().filter(|c| c.kind == kind && &c.name == name) {
                    out.push((f.path.clone(), c.range.clone()));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
    out.dedup();
    out
}

/// Whether `id` can be a step id that templates and expressions can name: letters, digits, `_`
/// and `-` (a template ends the id at the first `.`, an expression at any operator).
pub fn valid_step_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("A step id cannot be empty.".into());
    }
    if !id
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "`{id}` would not work in `{{{{ steps.{id}.output }}}}`: use letters, digits, `_` and `-`."
        ));
    }
    Ok(())
}

/// Renaming step `id` of the workflow at `path` to `new`: its id and every reference in the file.
pub fn rename_step(
    index: &Index,
    path: &Path,
    id: &str,
    new: &str,
) -> Result<BTreeMap<PathBuf, Vec<Edit>>, String> {
    valid_step_id(new)?;
    let w = index
        .file(path)
        .and_then(|f| f.workflow.as_ref())
        .ok_or("Not a workflow.")?;
    if new != id && w.steps.iter().any(|s| s.id == new) {
        return Err(format!("A step `{new}` already exists in this workflow."));
    }
    let edits = references(index, path, &Target::Step(id.to_string()), true)
        .into_iter()
        .map(|(_, range)| Edit {
            range,
            new_text: new.to_string(),
        })
        .collect();
    Ok(BTreeMap::from([(path.to_path_buf(), edits)]))
}

/// Hover markdown at `offset` of the workflow `text` and its range.
pub fn hover(
    text: &str,
    offset: usize,
    index: &Index,
    info: Option<&WorkflowInfo>,
) -> Option<(String, Range<usize>)> {
    if let Some((t, r)) = info.and_then(|w| target_at(w, offset)) {
        let doc = match &t {
            Target::Step(id) => match info.and_then(|w| w.steps.iter().find(|s| &s.id == id)) {
                Some(s) => step_ids(info)
                    .find(|(i, _)| i == &s.id)
                    .map(|(_, d)| d)
                    .unwrap_or_default(),
                None => format!("**`{id}`**\n\nNo step of this id in the workflow."),
            },
            Target::Bot(slug) => match index.bot_slugs().get(slug) {
                Some(folder) => format!("Bot **`{slug}`** in `{}`", folder.display()),
                None => format!("**`{slug}`**\n\nNo bot of this slug in the workspace."),
            },
            Target::Skill(name) => super::complete::skill_doc(index, name).unwrap_or_else(|| {
                format!(
                    "**{name}**\n\nNo skill of this name in the workspace or the skill library."
                )
            }),
            Target::Workflow(name) => match index.workflows_named(name).first() {
                Some(f) => {
                    let w = f.workflow.as_ref()?;
                    format!(
                        "Workflow **`{name}`** in `{}`: {} steps; triggers: {}.",
                        f.path.display(),
                        w.steps.len(),
                        w.trigger_summary()
                    )
                }
                None => format!("**`{name}`**\n\nNo workflow of this name in the workspace."),
            },
        };
        return Some((doc, r));
    }
    let s = spot(text, offset, true)?;
    let word = text.get(s.word.clone())?;
    if word.is_empty() {
        return None;
    }
    let c = container(&s.path)?;
    let tag = sibling(text, s.line_start, s.col, "type");
    match &s.value_of {
        // The cursor on a key.
        Some(k) if k == word && text[s.word.end..].starts_with(':') => {
            if let (Container::Tagged(_), "type") = (c, word) {
                return Some((
                    "**`type`** (required)\n\nWhich kind of mapping this is; its other keys depend on it.".into(),
                    s.word,
                ));
            }
            let key = keys_of(c, tag.as_deref())
                .into_iter()
                .find(|key| key.key == word)?;
            Some((key_doc(key), s.word))
        }
        Some(k) => {
            if let (Container::Tagged(shapes), "type") = (c, k.as_str()) {
                let sh = ws::shape(shapes, word)?;
                return Some((shape_doc(sh), s.word));
            }
            let key = keys_of(c, tag.as_deref())
                .into_iter()
                .find(|key| key.key == k)?;
            let Ty::Enum(choices) = key.ty else {
                return None;
            };
            let ch = choices.iter().find(|c| c.name == word)?;
            Some((format!("**`{}`**\n\n{}", ch.name, ch.doc), s.word))
        }
        None => None,
    }
}

/// A document symbol: a step or a trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub step: bool,
    pub range: Range<usize>,
    pub selection: Range<usize>,
}

/// The steps and triggers of a workflow, in order.
pub fn symbols(info: &WorkflowInfo) -> Vec<Symbol> {
    let mut out: Vec<Symbol> = info
        .triggers
        .iter()
        .map(|t| Symbol {
            name: t.summary.clone(),
            detail: Some("trigger".into()),
            step: false,
            range: t.span.clone(),
            selection: t.span.clone(),
        })
        .collect();
    out.extend(info.steps.iter().map(|s| {
        Symbol {
            name: s.id.clone(),
            detail: Some(
                [s.step_type.clone(), s.name.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
            ),
            step: true,
            range: s.span.clone(),
            selection: s.id_range.clone(),
        }
    }));
    out.sort_by_key(|s| s.range.start);
    out
}

/// Byte spans worth folding: each step and each trigger.
pub fn folds(info: &WorkflowInfo) -> Vec<Range<usize>> {
    info.triggers
        .iter()
        .map(|t| t.span.clone())
        .chain(info.steps.iter().map(|s| s.span.clone()))
        .collect()
}

/// The code lens of a workflow: its name, steps and trigger summary, on the `name` line.
pub fn lens(info: &WorkflowInfo) -> (String, Range<usize>) {
    let range = info.name_range.clone().unwrap_or(0..0);
    let steps = info.steps.len();
    (
        format!(
            "Boternity workflow · {steps} step{} · triggers: {}",
            if steps == 1 { "" } else { "s" },
            info.trigger_summary()
        ),
        range,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::index::{build, tests_support::entry_kind};
    use crate::FileKind;

    const FLOW: &str = "id: \"01938e90-0000-7000-8000-000000000001\"\nname: digest\nversion: \"1\"\nowner:\n  type: global\ntriggers:\n  - type: cron\n    schedule: \"0 9 * * *\"\nsteps:\n  - id: gather\n    name: Gather\n    type: agent\n    config:\n      type: agent\n      bot: luna\n      prompt: Find news\n  - id: analyze\n    name: Analyze\n    type: agent\n    depends_on: [gather]\n    config:\n      type: agent\n      bot: luna\n      prompt: \"Use {{ steps.gather.output }}\"\n";

    fn labels(text: &str, at: &str, index: &Index) -> Vec<String> {
        let offset = text.find(at).unwrap() + at.len();
        let mut d = Vec::new();
        let info = crate::rules::workflow::check(text, &mut d);
        complete(text, offset, index, info.as_ref())
            .items
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn completes_keys_and_values_by_place() {
        let idx = Index::new();
        let t = FLOW.replace("    depends_on: [gather]\n", "    depends_on: [ga\n");
        assert_eq!(labels(&t, "depends_on: [", &idx), vec!["gather", "analyze"]);
        let t = FLOW.replace(
            "      type: agent\n      bot: luna\n      prompt: Find news\n",
            "      type: \n",
        );
        let l = labels(&t, "config:\n      type: ", &idx);
        assert!(l.contains(&"sub_workflow".to_string()), "{l:?}");
        let t = FLOW.replace("    schedule: \"0 9 * * *\"\n", "    \n");
        let l = labels(&t, "- type: cron\n    ", &idx);
        assert_eq!(l, vec!["schedule", "timezone"]);
        let t = FLOW.replace("      prompt: Find news\n", "      \n");
        let l = labels(&t, "bot: luna\n      ", &idx);
        assert_eq!(l, vec!["prompt", "model"]);
        let flat = "name: x\nversion: \"1\"\nsteps:\n- id: a\n  \n";
        assert!(labels(flat, "- id: a\n  ", &idx).contains(&"depends_on".to_string()));
        let t = FLOW.replace("    name: Analyze\n", "    name: Analyze\n    re\n");
        let l = labels(&t, "name: Analyze\n    re", &idx);
        assert!(
            l.contains(&"retry".to_string()) && !l.contains(&"name".to_string()),
            "{l:?}"
        );
    }

    #[test]
    fn renames_a_step_everywhere_in_its_workflow() {
        let path = "/w/workflows/digest.yaml";
        let idx = build(vec![entry_kind(path, FLOW, FileKind::Workflow)]);
        let edits = rename_step(&idx, Path::new(path), "gather", "collect").unwrap();
        let e = &edits[Path::new(path)];
        assert_eq!(e.len(), 3);
        let fix = forge_syntax::diagnostic::Fix {
            title: String::new(),
            edits: e.clone(),
            safe: false,
        };
        let after = fix.apply(FLOW);
        assert!(
            after.contains("- id: collect")
                && after.contains("[collect]")
                && after.contains("steps.collect.output"),
            "{after}"
        );
        assert!(rename_step(&idx, Path::new(path), "gather", "analyze").is_err());
        assert!(rename_step(&idx, Path::new(path), "gather", "a.b").is_err());
    }

    #[test]
    fn typing_in_a_prompt_moves_the_cross_file_diagnostics() {
        let path = "/w/workflows/digest.yaml";
        let old = entry_kind(path, FLOW, FileKind::Workflow);
        let typed = FLOW.replace("prompt: Find news", "prompt: Find newsx");
        let new = entry_kind(path, &typed, FileKind::Workflow);
        assert!(!crate::workspace::rules::same_inputs(&old, &new));
        let moved = crate::workspace::rules::moved_inputs(&old, &new).expect("only moved");
        let idx = build(vec![entry_kind(path, FLOW, FileKind::Workflow)]);
        let cross = crate::workspace::rules::check(&idx);
        let ds = &cross[Path::new(path)];
        assert_eq!(ds.len(), 2, "{ds:#?}");
        let placed = moved.diagnostics(ds).unwrap();
        let idx = build(vec![entry_kind(path, &typed, FileKind::Workflow)]);
        assert_eq!(
            crate::workspace::rules::check(&idx)[Path::new(path)],
            placed
        );
        // Renaming the bot is no move.
        let renamed = entry_kind(
            path,
            &FLOW.replacen("bot: luna", "bot: lune", 1),
            FileKind::Workflow,
        );
        assert!(crate::workspace::rules::moved_inputs(&old, &renamed).is_none());
    }

    #[test]
    fn renaming_a_skill_renames_the_workflow_steps_that_run_it() {
        use crate::workspace::index::tests_support::entry;
        let flow = FLOW
            .replacen(
                "      type: agent\n      bot: luna\n      prompt: Find news\n",
                "      type: skill\n      skill: news-digest\n",
                1,
            )
            .replacen(
                "    type: agent\n    config:\n      type: skill",
                "    type: skill\n    config:\n      type: skill",
                1,
            );
        let path = "/w/workflows/digest.yaml";
        let idx = build(vec![
            entry(
                "/w/skills/news-digest/SKILL.md",
                "---\nname: news-digest\ndescription: Digest news.\n---\n# News\n",
            ),
            entry_kind(path, &flow, FileKind::Workflow),
        ]);
        let refs = references(
            &idx,
            Path::new(path),
            &Target::Skill("news-digest".into()),
            true,
        );
        assert_eq!(refs.len(), 2, "{refs:?}");
        let plan = crate::workspace::navigate::rename(&idx, "news-digest", "news-brief").unwrap();
        let edits = &plan.edits[Path::new(path)];
        assert_eq!(edits.len(), 1);
        assert_eq!(&flow[edits[0].range.clone()], "news-digest");
    }

    #[test]
    fn hovers_keys_values_and_names() {
        let idx = Index::new();
        let mut d = Vec::new();
        let info = crate::rules::workflow::check(FLOW, &mut d);
        let at = FLOW.find("schedule").unwrap() + 2;
        let (doc, _) = hover(FLOW, at, &idx, info.as_ref()).unwrap();
        assert!(
            doc.contains("cron expression") && doc.contains("scheduler.rs"),
            "{doc}"
        );
        let at = FLOW.find("[gather]").unwrap() + 2;
        let (doc, r) = hover(FLOW, at, &idx, info.as_ref()).unwrap();
        assert_eq!(&FLOW[r], "gather");
        assert!(doc.contains("Gather"), "{doc}");
        let at = FLOW.find("bot: luna").unwrap() + 6;
        let (doc, _) = hover(FLOW, at, &idx, info.as_ref()).unwrap();
        assert!(doc.contains("No bot"), "{doc}");
        let (lens, _) = lens(info.as_ref().unwrap());
        assert_eq!(
            lens,
            "Boternity workflow · 2 steps · triggers: cron 0 9 * * *"
        );
    }
}
