//! Cross-file rules: pure functions from the index to diagnostics per file.
//!
//! Everything is recomputed from the index's extracted entries (names,
//! references, attachments), never from text, so a full pass over thousands of
//! skills takes milliseconds and "fixing the cause clears every related
//! diagnostic" holds by construction. Read-only (library) files are never
//! reported on.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::index::{FileEntry, Index, Ref, RefKind, SkillInfo};
use crate::rules::skills_toml::Attachment;
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};

/// Diagnostics per file path; files without any are absent.
pub type PerFile = HashMap<PathBuf, Vec<Diagnostic>>;

/// Boternity's inheritance limit (spec §6.6): depth 3 passes, 4 fails.
pub const MAX_INHERITANCE_DEPTH: usize = 3;

pub fn check(index: &Index) -> PerFile {
    let mut out = PerFile::new();
    let mut push = |path: &Path, d: Diagnostic| out.entry(path.to_path_buf()).or_default().push(d);
    for (f, s) in index.skills() {
        if f.read_only {
            continue;
        }
        duplicates(index, f, s, &mut push);
        references(index, s, &mut |d| push(&f.path, d));
    }
    inheritance(index, &mut push);
    dependency_cycles(index, &mut push);
    bots(index, &mut push);
    workflows(index, &mut push);
    for v in out.values_mut() {
        v.sort_by_key(|d| (d.range.start, d.range.end));
        v.dedup();
    }
    out
}

/// Whether `check` can give a different result after replacing `old` with
/// `new` (same path). The rules read only these facts of an entry: its kind
/// and scope, the skill's name, version, capabilities, trust tier and
/// references (ranges included), a skills.toml's attachments and the quoting
/// at their names, and a bot file's first line. Typing in a body or a
/// description changes none of them, so an edit there re-analyses one file and
/// re-uses the cross-file results of the whole workspace.
pub fn same_inputs(old: &FileEntry, new: &FileEntry) -> bool {
    let quoting = |e: &FileEntry| -> Vec<Range<usize>> {
        e.attachments
            .iter()
            .filter_map(|a| a.skill_name.as_ref().map(|(_, r)| unquoted(&e.text, r)))
            .collect()
    };
    old.path == new.path
        && old.kind == new.kind
        && old.read_only == new.read_only
        && old.skill.as_ref().map(rule_facts) == new.skill.as_ref().map(rule_facts)
        && old.attachments == new.attachments
        && quoting(old) == quoting(new)
        && old.workflow.as_ref().map(workflow_facts) == new.workflow.as_ref().map(workflow_facts)
        && old
            .text
            .get(forge_syntax::frontmatter::first_line(&old.text))
            == new
                .text
                .get(forge_syntax::frontmatter::first_line(&new.text))
}

/// [`moved_inputs`] for a workflow: typing in a prompt moves the names its later steps call, and
/// nothing the rules read changes (the rules report only on the calls' ranges).
fn moved_workflow(
    old: &FileEntry,
    new: &FileEntry,
    o: &crate::rules::workflow::WorkflowInfo,
    n: &crate::rules::workflow::WorkflowInfo,
) -> Option<Moved> {
    let moved = Moved::between(&old.text, &new.text);
    let calls: Option<Vec<crate::rules::workflow::Call>> = o
        .calls
        .iter()
        .map(|c| {
            Some(crate::rules::workflow::Call {
                range: moved.range(&c.range)?,
                ..c.clone()
            })
        })
        .collect();
    let same = old.kind == new.kind
        && old.path == new.path
        && old.read_only == new.read_only
        && o.name == n.name
        && calls? == n.calls;
    same.then_some(moved)
}

/// What the workflow rules read of a workflow: its name and the names it calls, where.
fn workflow_facts(
    w: &crate::rules::workflow::WorkflowInfo,
) -> (Option<&str>, &[crate::rules::workflow::Call]) {
    (w.name.as_deref(), &w.calls)
}

/// The bots, skills and workflows that workflow steps name, and workflows that call each other
/// in a cycle through `sub_workflow` steps (Boternity stops at its depth limit,
/// `SubWorkflowDepthExceeded`, `mondalsuman/boternity@b9c08e1:crates/boternity-core/src/workflow/step_runner.rs`).
fn workflows(index: &Index, push: &mut dyn FnMut(&Path, Diagnostic)) {
    use crate::rules::workflow::CallKind;
    let mut flows: Vec<(&FileEntry, &crate::rules::workflow::WorkflowInfo)> =
        index.workflows().map(|(f, w)| (f.as_ref(), w)).collect();
    if flows.is_empty() {
        return;
    }
    flows.sort_by(|a, b| forge_syntax::files::path_order(&a.0.path, &b.0.path));
    let slugs = index.bot_slugs();
    let names: HashSet<&str> = flows
        .iter()
        .filter_map(|(_, w)| w.name.as_deref())
        .collect();
    let calls_of = |n: &str| -> Vec<&str> {
        flows
            .iter()
            .filter(|(_, w)| w.name.as_deref() == Some(n))
            .flat_map(|(_, w)| w.calls.iter())
            .filter(|c| c.kind == CallKind::Workflow)
            .map(|c| c.name.as_str())
            .collect()
    };
    let mut nodes: Vec<&str> = names.iter().copied().collect();
    nodes.sort_unstable();
    let scc = strongly_connected(&nodes, calls_of);
    for (f, w) in &flows {
        if f.read_only {
            continue;
        }
        for c in &w.calls {
            let (code, known, what, candidates): (_, bool, &str, Vec<&str>) = match c.kind {
                CallKind::Bot => (
                    &codes::WORKFLOW_BOT_UNKNOWN,
                    slugs.contains_key(&c.name),
                    "bot",
                    slugs.keys().map(String::as_str).collect(),
                ),
                CallKind::Skill => (
                    &codes::WORKFLOW_SKILL_UNKNOWN,
                    index.resolve(&c.name).is_some(),
                    "skill",
                    index.skill_names().collect(),
                ),
                CallKind::Workflow => (
                    &codes::WORKFLOW_SUB_UNKNOWN,
                    names.contains(c.name.as_str()),
                    "workflow",
                    names.iter().copied().collect(),
                ),
            };
            if !known {
                let close = closest(candidates.into_iter(), &c.name);
                let mut msg = match c.kind {
                    CallKind::Bot => format!("There is no bot `{}` in the workspace (a `bots/{}/` folder with IDENTITY.md or SOUL.md); the step fails when it runs.", c.name, c.name),
                    CallKind::Skill => format!("There is no {what} `{}` in the workspace or the skill library; the step fails when it runs.", c.name),
                    CallKind::Workflow => format!("There is no workflow named `{}` in the workspace; the step fails when it runs.", c.name),
                };
                if let Some(close) = close {
                    msg.push_str(&format!(" Did you mean `{close}`?"));
                }
                let mut d = Diagnostic::new(code, c.range.clone(), msg);
                if let Some(close) = close {
                    d = d.fix(format!("Change to `{close}`"), c.range.clone(), close);
                }
                push(&f.path, d);
                continue;
            }
            let Some(own) = w.name.as_deref() else {
                continue;
            };
            let cyclic = c.kind == CallKind::Workflow
                && (c.name == own
                    || (scc.contains_key(own) && scc.get(own) == scc.get(c.name.as_str())));
            if cyclic {
                let path = cycle_path(own, &c.name, calls_of);
                let names: Vec<String> = path.iter().map(|n| format!("`{n}`")).collect();
                push(
                    &f.path,
                    Diagnostic::new(
                        &codes::WORKFLOW_SUB_CYCLE,
                        c.range.clone(),
                        format!(
                            "These workflows run each other in a cycle: {}. Boternity runs them until its sub-workflow depth limit and fails the run.",
                            names.join(" → ")
                        ),
                    ),
                );
            }
        }
    }
}

/// How an edit moved a file's text: offsets before the edited span stay,
/// offsets after it move by the length change, offsets inside it have no
/// counterpart. Found from the common prefix and suffix of the two texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved {
    /// Bytes the texts share at the start.
    kept: usize,
    /// Where the shared end starts in the old text.
    tail: usize,
    /// New length minus old length.
    delta: isize,
}

impl Moved {
    pub fn between(old: &str, new: &str) -> Moved {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let (kept, shared_end) = forge_syntax::text::common_ends(a, b);
        Moved {
            kept,
            tail: a.len() - shared_end,
            delta: b.len() as isize - a.len() as isize,
        }
    }

    /// Where old range `r` is in the new text, if it is wholly before or wholly
    /// after the edit (an empty range at an insertion goes with what follows).
    pub fn range(&self, r: &Range<usize>) -> Option<Range<usize>> {
        if r.start >= self.tail {
            let after = |o: usize| o.checked_add_signed(self.delta);
            Some(after(r.start)?..after(r.end)?)
        } else if r.end <= self.kept {
            Some(r.clone())
        } else {
            None
        }
    }

    /// `ds` (diagnostics of the old text) placed in the new text; `None` when
    /// one of their ranges was inside the edit.
    pub fn diagnostics(&self, ds: &[Diagnostic]) -> Option<Vec<Diagnostic>> {
        ds.iter()
            .map(|d| {
                let mut d = d.clone();
                d.range = self.range(&d.range)?;
                for e in d.fixes.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                    e.range = self.range(&e.range)?;
                }
                Some(d)
            })
            .collect()
    }
}

/// Whether replacing the SKILL.md entry `old` with `new` changes nothing the
/// rules read except where things are: typing in a description or above a
/// skill's references moves their ranges without changing them. Then the
/// file's cross-file diagnostics move with the text (`Moved::diagnostics`)
/// and nothing else can change: the rules put positions only in the
/// diagnostics of the file they are found in.
pub fn moved_inputs(old: &FileEntry, new: &FileEntry) -> Option<Moved> {
    if let (Some(o), Some(n)) = (&old.workflow, &new.workflow) {
        return moved_workflow(old, new, o, n);
    }
    let (Some(o), Some(n)) = (&old.skill, &new.skill) else {
        return None;
    };
    let moved = Moved::between(&old.text, &new.text);
    let refs = |v: &[Ref]| -> Option<Vec<Ref>> {
        v.iter()
            .map(|r| {
                Some(Ref {
                    range: moved.range(&r.range)?,
                    name_range: moved.range(&r.name_range)?,
                    ..r.clone()
                })
            })
            .collect()
    };
    let placed = SkillInfo {
        name_range: match &o.name_range {
            Some(r) => Some(moved.range(r)?),
            None => None,
        },
        dependencies: refs(&o.dependencies)?,
        parents: refs(&o.parents)?,
        conflicts: refs(&o.conflicts)?,
        ..o.clone()
    };
    // The opening `---` (where a nameless skill is reported) must stay put too.
    let same = old.kind == new.kind
        && old.path == new.path
        && old.read_only == new.read_only
        && old.attachments == new.attachments
        && moved.range(&(0..3)) == Some(0..3)
        && rule_facts(&placed) == rule_facts(n);
    same.then_some(moved)
}

/// What the rules read of a skill (not its description or type).
#[allow(clippy::type_complexity)]
fn rule_facts(
    s: &SkillInfo,
) -> (
    &str,
    &Option<Range<usize>>,
    &Option<String>,
    &[String],
    &Option<String>,
    &[Ref],
    &[Ref],
    &[Ref],
) {
    (
        &s.name,
        &s.name_range,
        &s.version,
        &s.capabilities,
        &s.trust_tier,
        &s.dependencies,
        &s.parents,
        &s.conflicts,
    )
}

/// Where to point when a whole skill is concerned: its name, else the opening `---`.
fn name_range(s: &SkillInfo) -> Range<usize> {
    s.name_range.clone().unwrap_or(0..3)
}

/// Whether one agent or bot can load both skills, so that their names clash: siblings in one
/// folder, or both in skills folders (the skill library always counts: Boternity resolves from it) (a bot's `skills/` and the workspace's, OpenClaw's precedence
/// tiers). Skills of different owners in a registry archive (`<owner>/<slug>/SKILL.md`) are
/// different skills, never installed side by side under those folders.
fn loaded_together(a: &Path, b: &Path) -> bool {
    let root = |p: &Path| p.parent().and_then(Path::parent).map(Path::to_path_buf);
    let (ra, rb) = (root(a), root(b));
    let is_skills = |r: &Option<std::path::PathBuf>| {
        r.as_deref()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "skills")
    };
    ra == rb || (is_skills(&ra) && is_skills(&rb))
}

fn duplicates(
    index: &Index,
    f: &FileEntry,
    s: &SkillInfo,
    push: &mut dyn FnMut(&Path, Diagnostic),
) {
    let others: Vec<&FileEntry> = index
        .skills_named(&s.name)
        .map(|(g, _)| &**g)
        .filter(|g| g.path != f.path && (g.read_only || loaded_together(&f.path, &g.path)))
        .collect();
    if others.is_empty() {
        return;
    }
    let list: Vec<String> = others
        .iter()
        .map(|g| format!("`{}`", g.path.display()))
        .collect();
    let d = if others.iter().all(|g| g.read_only) {
        Diagnostic::new(
            &codes::SKILL_DUPLICATE_NAME,
            name_range(s),
            format!(
                "A skill named `{}` is also installed in the skill library ({}); references resolve to this one, Boternity's CLI to the installed one. Rename one of them.",
                s.name,
                list.join(", ")
            ),
        )
        .severity(Severity::Warning)
    } else {
        Diagnostic::new(
            &codes::SKILL_DUPLICATE_NAME,
            name_range(s),
            format!(
                "Another skill is also named `{}` ({}); references to it are ambiguous. Rename one of them.",
                s.name,
                list.join(", ")
            ),
        )
    };
    // OpenClaw and Claude Code load the higher-precedence skill and shadow the other.
    let d = match f.dialect {
        Some(crate::dialect::Dialect::OpenClaw | crate::dialect::Dialect::ClaudeCode) => {
            d.severity(Severity::Warning)
        }
        _ => d,
    };
    push(&f.path, d);
}

fn references(index: &Index, s: &SkillInfo, push: &mut dyn FnMut(Diagnostic)) {
    for (kind, r) in s.refs() {
        let Some((_, target)) = index.resolve(&r.name) else {
            let (what, severity) = match kind {
                RefKind::Dependency => ("dependency", Severity::Error),
                RefKind::Parent => ("parent", Severity::Error),
                // Harmless at runtime, but almost certainly a typo.
                RefKind::Conflict => ("conflicting skill", Severity::Warning),
            };
            let mut msg = format!(
                "No skill named `{}` in the workspace or the skill library, so this {what} cannot be resolved.",
                r.name
            );
            let close = closest(index.skill_names(), &r.name);
            match close {
                Some(close) => msg.push_str(&format!(" Did you mean `{close}`?")),
                None => msg.push_str(" Create it or install it (`bnity skill install`)."),
            }
            let mut d = Diagnostic::new(&codes::SKILL_UNKNOWN_REFERENCE, r.name_range.clone(), msg)
                .severity(severity);
            if let Some(close) = close {
                d = d.fix(format!("Change to `{close}`"), r.name_range.clone(), close);
            }
            push(d);
            continue;
        };
        let (RefKind::Dependency, Some(req)) = (kind, &r.req) else {
            continue;
        };
        // An unparsable requirement is a per-file diagnostic already.
        let Ok(parsed) = semver::VersionReq::parse(req) else {
            continue;
        };
        let problem = match target.version.as_deref() {
            None => Some(format!(
                "`{}` has no `metadata.version`, so the requirement `{req}` cannot be met; give it a version.",
                r.name
            )),
            Some(v) => match semver::Version::parse(v) {
                Err(_) => Some(format!(
                    "`{}` has version `{v}`, which is not semver, so `{req}` cannot be checked.",
                    r.name
                )),
                Ok(ver) if !parsed.matches(&ver) => Some(format!(
                    "This requires `{}` {req}, but it is at version {v}; change the requirement or the dependency.",
                    r.name
                )),
                Ok(_) => None,
            },
        };
        if let Some(msg) = problem {
            push(Diagnostic::new(
                &codes::SKILL_DEPENDENCY_VERSION,
                r.range.clone(),
                msg,
            ));
        }
    }
}

/// The known name closest to `wrong` (small edit distance), for "did you mean".
pub fn closest<'a>(names: impl Iterator<Item = &'a str>, wrong: &str) -> Option<&'a str> {
    let limit = (wrong.len() / 3).clamp(1, 3);
    let chars: Vec<char> = wrong.chars().collect();
    let mut rows = (Vec::new(), Vec::new());
    names
        .filter(|n| n.len().abs_diff(wrong.len()) <= limit)
        .filter_map(|n| edit_distance_within(n, &chars, limit, &mut rows).map(|d| (d, n)))
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance of `a` and `b` if it is at most `limit`. Stops as soon
/// as a whole row exceeds the limit: with thousands of skills, almost every
/// name is rejected after a few characters. `rows` is scratch space.
fn edit_distance_within(
    a: &str,
    b: &[char],
    limit: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=b.len());
    for (i, ca) in a.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(v);
        }
        if cur.iter().min().is_some_and(|&m| m > limit) {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

/// Which references make an edge of a graph between skills.
type Edges = fn(&SkillInfo) -> &[Ref];

fn parents(s: &SkillInfo) -> &[Ref] {
    &s.parents
}

fn dependencies(s: &SkillInfo) -> &[Ref] {
    &s.dependencies
}

/// The names the skill `name` resolves to points at through `edges` (a
/// dependency's `@requirement` left aside).
fn edges_of<'a>(index: &'a Index, edges: Edges, name: &str) -> Vec<&'a str> {
    index
        .resolve(name)
        .map(|(_, s)| edges(s).iter().map(|r| r.name.as_str()).collect())
        .unwrap_or_default()
}

/// The nodes of the `edges` graph: skills with such references and the names
/// they reference, sorted, once each.
fn graph_nodes(index: &Index, edges: Edges) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (_, s) in index.skills() {
        if !edges(s).is_empty() {
            names.push(&s.name);
            names.extend(edges(s).iter().map(|r| r.name.as_str()));
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// Skills that depend on themselves through `dependencies`: Boternity cannot order their install
/// (`Circular dependency detected`, spec §6.7). Reported on each entry that closes a cycle.
fn dependency_cycles(index: &Index, push: &mut dyn FnMut(&Path, Diagnostic)) {
    let names = graph_nodes(index, dependencies);
    let scc = strongly_connected(&names, |n| edges_of(index, dependencies, n));
    for (f, s) in index.skills() {
        if f.read_only {
            continue;
        }
        let canonical = index
            .resolve(&s.name)
            .is_some_and(|(g, _)| g.path == f.path);
        for r in &s.dependencies {
            let cyclic = r.name == s.name
                || (canonical
                    && scc.contains_key(s.name.as_str())
                    && scc.get(s.name.as_str()) == scc.get(r.name.as_str()));
            if !cyclic {
                continue;
            }
            let path = cycle_path(&s.name, &r.name, |n| edges_of(index, dependencies, n));
            push(
                &f.path,
                Diagnostic::new(
                    &codes::SKILL_DEPENDENCY_CYCLE,
                    r.name_range.clone(),
                    format!(
                        "Circular dependency: {}. Boternity cannot decide which to install first; remove one of the `dependencies` entries of the cycle.",
                        path.join(" → ")
                    ),
                ),
            );
        }
    }
}

fn inheritance(index: &Index, push: &mut dyn FnMut(&Path, Diagnostic)) {
    // Only skills with parents, or named as one, take part.
    let names = graph_nodes(index, parents);
    let scc = strongly_connected(&names, |n| edges_of(index, parents, n));
    let mut height: HashMap<&str, Option<(usize, Vec<&str>)>> = HashMap::new();
    for (f, s) in index.skills() {
        if f.read_only || s.parents.is_empty() {
            continue;
        }
        // Only the definition references resolve to speaks for the name.
        let canonical = index
            .resolve(&s.name)
            .is_some_and(|(g, _)| g.path == f.path);
        for r in &s.parents {
            let cyclic = r.name == s.name
                || (canonical
                    && scc.contains_key(s.name.as_str())
                    && scc.get(s.name.as_str()) == scc.get(r.name.as_str()));
            if cyclic {
                let path = cycle_path(&s.name, &r.name, |n| edges_of(index, parents, n));
                push(
                    &f.path,
                    Diagnostic::new(
                        &codes::SKILL_INHERITANCE_CYCLE,
                        r.name_range.clone(),
                        format!(
                            "Circular inheritance: {}. Boternity cannot resolve this skill; remove one of the `parents` entries of the cycle.",
                            path.join(" → ")
                        ),
                    ),
                );
                continue;
            }
            if index.resolve(&r.name).is_none() {
                continue;
            }
            let Some((h, chain)) = chain_height(index, &r.name, &scc, &mut height) else {
                continue;
            };
            let depth = h + 1;
            if depth > MAX_INHERITANCE_DEPTH {
                let mut full = vec![s.name.as_str()];
                full.extend(chain);
                push(
                    &f.path,
                    Diagnostic::new(
                        &codes::SKILL_INHERITANCE_DEPTH,
                        r.name_range.clone(),
                        format!(
                            "Inheritance through `{}` is {depth} levels deep ({}); Boternity resolves at most {MAX_INHERITANCE_DEPTH}. Flatten the chain.",
                            r.name,
                            full.join(" → ")
                        ),
                    ),
                );
            }
        }
    }
}

/// Longest parent chain below `name` (0 for a skill without parents) and that
/// chain, or None when it runs into a cycle or an unknown skill.
fn chain_height<'a>(
    index: &'a Index,
    name: &'a str,
    scc: &HashMap<&str, usize>,
    memo: &mut HashMap<&'a str, Option<(usize, Vec<&'a str>)>>,
) -> Option<(usize, Vec<&'a str>)> {
    if let Some(v) = memo.get(name) {
        return v.clone();
    }
    // Placeholder: a re-entry means a cycle (which the SCC pass reports).
    memo.insert(name, None);
    let result = (|| {
        let (_, s) = index.resolve(name)?;
        let mut best = (0, vec![name]);
        for r in &s.parents {
            if index.resolve(&r.name).is_none() {
                continue;
            }
            if scc.contains_key(name) && scc.get(name) == scc.get(r.name.as_str()) {
                return None;
            }
            let (h, chain) = chain_height(index, &r.name, scc, memo)?;
            if h + 1 > best.0 {
                let mut c = vec![name];
                c.extend(chain);
                best = (h + 1, c);
            }
        }
        Some(best)
    })();
    memo.insert(name, result.clone());
    result
}

/// `from → to → … → from`, the shortest way round the cycle along `edges`.
pub(crate) fn cycle_path<'a>(
    from: &'a str,
    to: &'a str,
    edges: impl Fn(&str) -> Vec<&'a str>,
) -> Vec<&'a str> {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([to]);
    let mut seen: HashSet<&str> = HashSet::from([to]);
    while let Some(n) = queue.pop_front() {
        if n == from {
            break;
        }
        for p in edges(n) {
            if seen.insert(p) {
                prev.insert(p, n);
                queue.push_back(p);
            }
        }
    }
    let mut back = vec![from];
    let mut cur = from;
    while cur != to {
        match prev.get(cur) {
            Some(p) => {
                back.push(p);
                cur = p;
            }
            None => break,
        }
    }
    back.reverse();
    let mut path = vec![from];
    path.extend(back);
    path
}

/// Tarjan's algorithm (iterative): node → component id, for components that
/// are cycles (more than one node, or a self-loop).
pub(crate) fn strongly_connected<'a>(
    nodes: &[&'a str],
    edges: impl Fn(&str) -> Vec<&'a str>,
) -> HashMap<&'a str, usize> {
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut low: HashMap<&str, usize> = HashMap::new();
    let mut on_stack: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut out = HashMap::new();
    let mut next = 0;
    let mut comp = 0;
    for &root in nodes {
        if index_of.contains_key(root) {
            continue;
        }
        // (node, its edges, next edge to visit)
        let mut work: Vec<(&str, Vec<&str>, usize)> = vec![(root, edges(root), 0)];
        index_of.insert(root, next);
        low.insert(root, next);
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some((v, es, i)) = work.last_mut() {
            let v = *v;
            if let Some(&w) = es.get(*i) {
                *i += 1;
                if !index_of.contains_key(w) {
                    index_of.insert(w, next);
                    low.insert(w, next);
                    next += 1;
                    stack.push(w);
                    on_stack.insert(w);
                    work.push((w, edges(w), 0));
                } else if on_stack.contains(w) {
                    let lw = index_of[w];
                    let lv = low[v];
                    low.insert(v, lv.min(lw));
                }
                continue;
            }
            work.pop();
            if let Some((u, _, _)) = work.last() {
                let lu = low[*u];
                low.insert(*u, lu.min(low[v]));
            }
            if low[v] == index_of[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack.remove(w);
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                if members.len() > 1 || edges(v).contains(&v) {
                    for m in members {
                        out.insert(m, comp);
                    }
                    comp += 1;
                }
            }
        }
    }
    out
}

/// Own capabilities plus every parent's, and conflicts likewise (spec §6.6).
fn effective<'a>(index: &'a Index, s: &'a SkillInfo) -> (HashSet<&'a str>, HashSet<&'a str>) {
    let mut caps = HashSet::new();
    let mut conflicts = HashSet::new();
    let mut seen = HashSet::new();
    let mut todo = vec![s];
    while let Some(s) = todo.pop() {
        if !seen.insert(s.name.as_str()) || seen.len() > 64 {
            continue;
        }
        caps.extend(s.capabilities.iter().map(String::as_str));
        conflicts.extend(s.conflicts.iter().map(|r| r.name.as_str()));
        for r in &s.parents {
            if let Some((_, p)) = index.resolve(&r.name) {
                todo.push(p);
            }
        }
    }
    (caps, conflicts)
}

/// The range of a quoted TOML string's content.
fn unquoted(text: &str, r: &Range<usize>) -> Range<usize> {
    match text.get(r.clone()) {
        Some(s) if s.len() >= 2 && (s.starts_with('"') || s.starts_with('\'')) => {
            r.start + 1..r.end - 1
        }
        _ => r.clone(),
    }
}

fn bots(index: &Index, push: &mut dyn FnMut(&Path, Diagnostic)) {
    for bot in index.bots().values() {
        let first_line = |p: &Path| {
            index
                .file(p)
                .map_or(0..0, |f| forge_syntax::frontmatter::first_line(&f.text))
        };
        match (&bot.identity, &bot.soul) {
            (None, Some(soul)) => push(soul, Diagnostic::new(
                &codes::BOT_MISSING_IDENTITY,
                first_line(soul),
                "This bot has SOUL.md but no IDENTITY.md; Boternity then chats with its default model and settings. Add an IDENTITY.md with at least `display_name`.",
            )),
            (Some(identity), None) => push(identity, Diagnostic::new(
                &codes::BOT_MISSING_SOUL,
                first_line(identity),
                "This bot has IDENTITY.md but no SOUL.md; Boternity then gives it no personality. Add a SOUL.md with at least `name`.",
            )),
            _ => {}
        }
        let Some(toml_path) = &bot.skills_toml else {
            continue;
        };
        let Some(toml) = index.file(toml_path) else {
            continue;
        };
        let mut attached = Vec::new();
        let mut requirements = Vec::new();
        for att in &toml.attachments {
            let Some((name, range)) = &att.skill_name else {
                continue;
            };
            let Some((_, skill)) = index.resolve(name) else {
                let mut msg = format!(
                    "No skill named `{name}` in the workspace or the skill library; Boternity cannot load it for this bot."
                );
                let close = closest(index.skill_names(), name);
                if let Some(close) = close {
                    msg.push_str(&format!(" Did you mean `{close}`?"));
                }
                let at = unquoted(&toml.text, range);
                let mut d = Diagnostic::new(&codes::SKILLS_TOML_UNKNOWN_SKILL, at.clone(), msg);
                if let Some(close) = close {
                    d = d.fix(format!("Change to `{close}`"), at, close);
                }
                push(toml_path, d);
                continue;
            };
            let (caps, conflicts) = effective(index, skill);
            if let (Some((tier, r)), Some(own)) = (&att.trust_tier, &skill.trust_tier) {
                if tier != own {
                    push(toml_path, Diagnostic::new(&codes::SKILLS_TOML_MISMATCH, r.clone(), format!(
                        "This bot gives `{name}` the trust tier `{tier}`, but the skill declares `{own}`; make them agree (attaching with `bnity skill attach` copies the skill's tier)."
                    )).fix(format!("Change to `{own}`"), r.clone(), format!("\"{own}\"")));
                }
            }
            if let (Some((pin, r)), Some(own)) = (&att.version, &skill.version) {
                if pin != own {
                    push(toml_path, Diagnostic::new(&codes::SKILLS_TOML_MISMATCH, r.clone(), format!(
                        "This bot pins `{name}` at version {pin}, but the skill is at {own}; Boternity does not enforce the pin, so the bot runs {own}. Update the pin (or the skill)."
                    )).fix(format!("Change to `{own}`"), r.clone(), format!("\"{own}\"")));
                }
            }
            for (cap, r) in &att.capabilities {
                if !caps.contains(cap.as_str()) {
                    push(toml_path, Diagnostic::new(&codes::SKILLS_TOML_MISMATCH, r.clone(), format!(
                        "`{name}` does not request `{cap}` (its capabilities, inherited ones included, are {}); granting it has no use. Remove it or add it to the skill.",
                        if caps.is_empty() { "none".to_string() } else {
                            let mut c: Vec<&str> = caps.iter().copied().collect();
                            c.sort_unstable();
                            c.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                        }
                    )));
                }
            }
            // A grant list that leaves out what the skill requests: those calls are denied.
            if !att.capabilities.is_empty() {
                let mut missing: Vec<&str> = skill
                    .capabilities
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !att.capabilities.iter().any(|(g, _)| g == c))
                    .collect();
                missing.sort_unstable();
                missing.dedup();
                if !missing.is_empty() {
                    let first = att.capabilities[0].1.start;
                    let last = att.capabilities[att.capabilities.len() - 1].1.end;
                    let list: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
                    push(toml_path, Diagnostic::new(&codes::SKILLS_TOML_MISMATCH, first..last, format!(
                        "`{name}` requests {}, which this bot does not grant; its calls needing them will be denied. Add them or remove them from the skill.",
                        list.join(", ")
                    )));
                }
            }
            if att.enabled {
                attached.push((att, name.as_str(), conflicts));
                requirements.push((att, name.as_str(), skill));
            }
        }
        requirement_conflicts(&requirements, &mut |d| push(toml_path, d));
        for (i, (a, an, ac)) in attached.iter().enumerate() {
            for (b, bn, bc) in attached.iter().skip(i + 1) {
                if an == bn {
                    continue;
                }
                let (declarer, other) = if ac.contains(bn) {
                    (an, bn)
                } else if bc.contains(an) {
                    (bn, an)
                } else {
                    continue;
                };
                for (att, this, that) in [(a, an, bn), (b, bn, an)] {
                    push(toml_path, Diagnostic::new(&codes::SKILL_CONFLICT_ATTACHED, att.key_range.clone(), format!(
                        "`{this}` and `{that}` are both attached, but `{declarer}` conflicts with `{other}`; detach one of them or disable it (`enabled = false`)."
                    )));
                }
            }
        }
    }
}

/// The versions Boternity's `check_version_conflicts` probes (spec §6.7): two requirements are
/// compatible when one of these satisfies both. Kept as Boternity has them, so forge-ls agrees
/// with what `bnity` will refuse.
const PROBE_VERSIONS: &[&str] = &[
    "0.1.0", "1.0.0", "1.5.0", "1.99.0", "2.0.0", "2.5.0", "2.99.0", "3.0.0", "4.0.0", "5.0.0",
];

/// Two skills attached to one bot requiring the same dependency at incompatible versions: Boternity
/// refuses to install both (spec §6.7). Reported on both attachments.
fn requirement_conflicts(
    attached: &[(&Attachment, &str, &SkillInfo)],
    push: &mut dyn FnMut(Diagnostic),
) {
    let reqs = |s: &SkillInfo| -> Vec<(String, String, semver::VersionReq)> {
        s.dependencies
            .iter()
            .filter_map(|r| {
                let req = r.req.as_deref()?;
                Some((
                    r.name.clone(),
                    req.to_string(),
                    semver::VersionReq::parse(req).ok()?,
                ))
            })
            .collect()
    };
    let probes: Vec<semver::Version> = PROBE_VERSIONS
        .iter()
        .filter_map(|v| semver::Version::parse(v).ok())
        .collect();
    let all: Vec<_> = attached
        .iter()
        .map(|(att, name, s)| (att, name, reqs(s)))
        .collect();
    for (i, (a, an, ar)) in all.iter().enumerate() {
        for (b, bn, br) in all.iter().skip(i + 1) {
            for (dep, ra, pa) in ar {
                for (_, rb, pb) in br.iter().filter(|(d, ..)| d == dep) {
                    if probes.iter().any(|v| pa.matches(v) && pb.matches(v)) {
                        continue;
                    }
                    for (att, this, req, that, other) in [(a, an, ra, bn, rb), (b, bn, rb, an, ra)]
                    {
                        push(Diagnostic::new(&codes::SKILL_CONFLICT_ATTACHED, att.key_range.clone(), format!(
                            "`{this}` requires `{dep}` {req}, but `{that}` requires `{dep}` {other}: Boternity cannot install both. Align the requirements or detach one of them."
                        )));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Profile;
    use crate::workspace::index::{build, entry_from_analysis};
    use crate::FileKind;
    use std::sync::Arc;

    fn entry(path: &str, text: &str) -> FileEntry {
        let path = Path::new(path);
        let kind = FileKind::from_path(path).unwrap();
        let a = crate::analyze(kind, path, text, Profile::Boternity);
        entry_from_analysis(path, kind, Arc::from(text), &a, false, &|_| true)
    }

    fn skill(name: &str, meta: &str) -> FileEntry {
        entry(
            &format!("/w/skills/{name}/SKILL.md"),
            &format!("---\nname: {name}\ndescription: d\nmetadata:\n  version: \"1.0.0\"\n{meta}---\n# {name}\n"),
        )
    }

    #[test]
    fn moved_ranges_follow_the_text_around_an_edit() {
        let m = Moved::between("abcdef", "abXXcdef");
        assert_eq!(m.range(&(0..2)), Some(0..2));
        assert_eq!(m.range(&(2..4)), Some(4..6));
        assert_eq!(m.range(&(4..6)), Some(6..8));
        let m = Moved::between("abcdef", "abf");
        assert_eq!(m.range(&(5..6)), Some(2..3));
        assert_eq!(m.range(&(3..4)), None, "inside the deleted span");
        assert_eq!(m.range(&(1..5)), None, "across the deleted span");
        assert_eq!(m.range(&(1..3)), None, "ends inside the deleted span");
        let m = Moved::between("aaaa", "aaaaa");
        assert_eq!(m.range(&(0..4)), Some(0..4));
    }

    #[test]
    fn typing_above_references_moves_them_and_their_diagnostics() {
        let text = |desc: &str| {
            format!("---\nname: web\ndescription: {desc}\nmetadata:\n  version: \"1.0.0\"\n  dependencies: [gone]\n---\n# web\n")
        };
        let (old_text, new_text) = (text("d"), text("a longer description"));
        let old = entry("/w/skills/web/SKILL.md", &old_text);
        let new = entry("/w/skills/web/SKILL.md", &new_text);
        assert!(!same_inputs(&old, &new), "the reference moved");
        let moved = moved_inputs(&old, &new).expect("only moved");
        let pass = |text: &str| check(&build(vec![entry("/w/skills/web/SKILL.md", text)]));
        let (before, after) = (pass(&old_text), pass(&new_text));
        let path = Path::new("/w/skills/web/SKILL.md");
        assert_eq!(
            moved.diagnostics(&before[path]).as_ref(),
            Some(&after[path]),
            "moved diagnostics equal a fresh pass"
        );
        assert_eq!(&new_text[after[path][0].range.clone()], "gone");
        // Renaming the reference is not a move.
        let renamed = entry("/w/skills/web/SKILL.md", &old_text.replace("gone", "went"));
        assert!(moved_inputs(&old, &renamed).is_none());
    }

    fn codes_of(out: &PerFile, name: &str) -> Vec<&'static str> {
        out.get(Path::new(&format!("/w/skills/{name}/SKILL.md")))
            .map(|v| v.iter().map(|d| d.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn unknown_references_and_versions() {
        let idx = build(vec![
            skill(
                "a",
                "  dependencies: [b@^2.0, c, zz]\n  conflicts-with: [nope]\n",
            ),
            skill("b", ""),
            skill("c", ""),
        ]);
        let out = check(&idx);
        let mut got = codes_of(&out, "a");
        got.sort();
        assert_eq!(
            got,
            vec![
                "skill-dependency-version",
                "skill-unknown-reference",
                "skill-unknown-reference"
            ]
        );
        let d = &out[Path::new("/w/skills/a/SKILL.md")];
        assert!(d
            .iter()
            .any(|d| d.severity == Severity::Warning && d.message.contains("nope")));
        assert!(codes_of(&out, "b").is_empty());
    }

    #[test]
    fn cycles_are_reported_on_every_member_and_clear_together() {
        let mut idx = build(vec![
            skill("a", "  parents: [b]\n"),
            skill("b", "  parents: [c]\n"),
            skill("c", "  parents: [a]\n"),
            skill("d", "  parents: [a]\n"),
        ]);
        let out = check(&idx);
        for n in ["a", "b", "c"] {
            assert_eq!(codes_of(&out, n), vec!["skill-inheritance-cycle"], "{n}");
        }
        assert!(codes_of(&out, "d").is_empty());
        assert!(out[Path::new("/w/skills/a/SKILL.md")][0]
            .message
            .contains("a → b → c → a"));
        idx.insert(skill("c", ""));
        assert!(check(&idx).is_empty());
    }

    #[test]
    fn depth_over_three_fails_exactly_like_boternity() {
        let idx = build(vec![
            skill("l0", "  parents: [l1]\n"),
            skill("l1", "  parents: [l2]\n"),
            skill("l2", "  parents: [l3]\n"),
            skill("l3", ""),
        ]);
        assert!(check(&idx).is_empty());
        let mut idx = idx;
        idx.insert(skill("l3", "  parents: [l4]\n"));
        idx.insert(skill("l4", ""));
        let out = check(&idx);
        assert_eq!(codes_of(&out, "l0"), vec!["skill-inheritance-depth"]);
        assert!(codes_of(&out, "l1").is_empty());
    }

    #[test]
    fn bots_attachments_conflicts_and_duplicates() {
        let idx = build(vec![
            skill("a", "  trust-tier: local\n  capabilities: [http_get]\n  conflicts-with: [b]\n"),
            skill("b", ""),
            entry("/w/bots/x/SOUL.md", "---\nname: X\n---\n# Personality\n"),
            entry(
                "/w/bots/x/skills.toml",
                "[skills.a]\nskill_name = \"a\"\ntrust_tier = \"untrusted\"\ncapabilities = [\"http_get\", \"read_env\"]\n\n[skills.b]\nskill_name = \"b\"\n\n[skills.q]\nskill_name = \"q\"\n",
            ),
            entry("/w/zz/skills/a/SKILL.md", "---\nname: a\ndescription: d\n---\nx\n"),
        ]);
        let out = check(&idx);
        let toml: Vec<&str> = out[Path::new("/w/bots/x/skills.toml")]
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(
            toml,
            vec![
                "skill-conflict-attached",
                "skills-toml-mismatch",
                "skills-toml-mismatch",
                "skill-conflict-attached",
                "skills-toml-unknown-skill"
            ]
        );
        assert_eq!(
            out[Path::new("/w/bots/x/SOUL.md")][0].code,
            "bot-missing-identity"
        );
        assert_eq!(codes_of(&out, "a"), vec!["skill-duplicate-name"]);
    }

    #[test]
    fn skills_clash_only_where_one_agent_loads_both() {
        let idx = build(vec![
            entry(
                "/w/alice/send-email/SKILL.md",
                "---\nname: send-email\ndescription: d\n---\nx\n",
            ),
            entry(
                "/w/bob/send-email/SKILL.md",
                "---\nname: send-email\ndescription: d\n---\nx\n",
            ),
            entry(
                "/w/alice/twin/SKILL.md",
                "---\nname: twin\ndescription: d\n---\nx\n",
            ),
            entry(
                "/w/alice/twin-2/SKILL.md",
                "---\nname: twin\ndescription: d\n---\nx\n",
            ),
        ]);
        let out = check(&idx);
        let dup = |p: &str| {
            out.get(Path::new(p))
                .is_some_and(|ds| ds.iter().any(|d| d.code == "skill-duplicate-name"))
        };
        // Two owners' skills in a registry archive: different skills.
        assert!(!dup("/w/alice/send-email/SKILL.md") && !dup("/w/bob/send-email/SKILL.md"));
        // Siblings: one agent loads both.
        assert!(dup("/w/alice/twin/SKILL.md") && dup("/w/alice/twin-2/SKILL.md"));
    }

    #[test]
    fn near_misses_get_a_fix_and_missing_grants_a_warning() {
        let idx = build(vec![
            skill("url-tools", "  capabilities: [http_get, read_env]\n"),
            skill("a", "  dependencies: [url-tool]\n"),
            entry(
                "/w/bots/x/skills.toml",
                "[skills.url-tools]\nskill_name = \"url-tools\"\ncapabilities = [\"http_get\"]\n",
            ),
        ]);
        let out = check(&idx);
        let d = &out[Path::new("/w/skills/a/SKILL.md")][0];
        assert_eq!(d.fixes[0].edits[0].new_text, "url-tools");
        let t = &out[Path::new("/w/bots/x/skills.toml")];
        assert_eq!(t.len(), 1);
        assert!(t[0].message.contains("`read_env`"), "{}", t[0].message);
    }

    #[test]
    fn closest_names() {
        let names = ["page-summarizer", "url-tools"];
        assert_eq!(
            closest(names.iter().copied(), "page-sumarizer"),
            Some("page-summarizer")
        );
        assert_eq!(closest(names.iter().copied(), "zzz"), None);
    }

    #[test]
    fn attached_skills_with_incompatible_requirements_and_stale_pins() {
        let toml = "[skills.a]\nskill_name = \"a\"\n\n[skills.b]\nskill_name = \"b\"\nversion = \"0.9.0\"\n\n[skills.c]\nskill_name = \"c\"\n";
        let bot = |toml: &str| {
            vec![
                entry("/w/bots/x/IDENTITY.md", "---\ndisplay_name: X\n---\n"),
                entry("/w/bots/x/SOUL.md", "---\nname: X\n---\n"),
                entry("/w/bots/x/skills.toml", toml),
            ]
        };
        let mut files = bot(toml);
        files.extend([
            skill("a", "  dependencies: [dep@^1.0]\n"),
            skill("b", "  dependencies: [\"dep@>=2, <3\"]\n"),
            // Compatible with `a` (1.5.0 satisfies both): no conflict.
            skill("c", "  dependencies: [\"dep@>=1.2\"]\n"),
            skill("dep", ""),
        ]);
        let out = check(&build(files));
        let on_toml: Vec<&Diagnostic> = out
            .get(Path::new("/w/bots/x/skills.toml"))
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let conflicts: Vec<&&Diagnostic> = on_toml
            .iter()
            .filter(|d| d.code == "skill-conflict-attached")
            .collect();
        assert_eq!(conflicts.len(), 2, "{on_toml:#?}");
        assert!(conflicts[0].message.contains("`a` requires `dep` ^1.0"));
        assert!(conflicts[1].message.contains("`b` requires `dep` >=2, <3"));
        let pin: Vec<&&Diagnostic> = on_toml
            .iter()
            .filter(|d| d.code == "skills-toml-mismatch")
            .collect();
        assert_eq!(pin.len(), 1, "{on_toml:#?}");
        assert!(pin[0].message.contains("pins `b` at version 0.9.0"));
        assert_eq!(pin[0].fixes[0].edits[0].new_text, "\"1.0.0\"");
        // Disabling one side clears the conflict.
        let mut files = bot(&toml.replace(
            "skill_name = \"b\"\n",
            "skill_name = \"b\"\nenabled = false\n",
        ));
        files.extend([
            skill("a", "  dependencies: [dep@^1.0]\n"),
            skill("b", "  dependencies: [\"dep@>=2, <3\"]\n"),
            skill("dep", ""),
        ]);
        let out = check(&build(files));
        assert!(out
            .get(Path::new("/w/bots/x/skills.toml"))
            .is_none_or(|v| v.iter().all(|d| d.code != "skill-conflict-attached")));
    }

    #[test]
    fn dependency_cycles_are_reported_on_every_member() {
        let mut idx = build(vec![
            skill("a", "  dependencies: [b@^1.0]\n"),
            skill("b", "  dependencies: [c]\n"),
            skill("c", "  dependencies: [a]\n"),
            skill("d", "  dependencies: [a, d]\n"),
        ]);
        let out = check(&idx);
        for n in ["a", "b", "c"] {
            assert!(
                codes_of(&out, n).contains(&"skill-dependency-cycle"),
                "{n}: {:?}",
                codes_of(&out, n)
            );
        }
        // `d` depends on the cycle (fine) and on itself (a cycle of one).
        assert_eq!(codes_of(&out, "d"), vec!["skill-dependency-cycle"]);
        assert!(out[Path::new("/w/skills/a/SKILL.md")]
            .iter()
            .any(|d| d.message.contains("a → b → c → a")));
        idx.insert(skill("c", ""));
        idx.insert(skill("d", "  dependencies: [a]\n"));
        let out = check(&idx);
        assert!(["a", "b", "c", "d"]
            .iter()
            .all(|n| !codes_of(&out, n).contains(&"skill-dependency-cycle")));
    }
}
