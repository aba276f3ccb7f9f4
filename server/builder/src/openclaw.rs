//! OpenClaw workspace mode: the first-run ritual of `BOOTSTRAP.md` as a builder flow. Its
//! questions are rows of [`crate::flow::QUESTIONS`]; this module reads a workspace's answers from
//! its files and writes only the lines the ritual owns: `- **Label:** value` lines of IDENTITY.md
//! and USER.md and the `## Core Truths` / `## Boundaries` sections of SOUL.md. Everything else in
//! those files is the user's and survives. Assemble also deletes `BOOTSTRAP.md`, as the ritual's
//! last step says ("When you are done: Delete this file",
//! openclaw/openclaw@0afa47d5:docs/reference/templates/BOOTSTRAP.md).

use std::path::{Path, PathBuf};

use forge_analysis::rules::openclaw_identity::{is_placeholder, label_lines};

use crate::flow::{current_value, questions, FieldValue, FileTarget};
use crate::reconfigure::{eol_of, section_set};
use crate::service::{inside_workspace, AssemblePlan, FileWrite, Result, ServiceError};
use crate::{Mode, Session, WorkspaceConfig};

/// Titles of the files when the ritual has to create them (the templates' first lines, spec
/// openclaw-formats §2.3, §3.1, §3.3).
const IDENTITY_TITLE: &str = "# IDENTITY.md - Who Am I?";
const USER_TITLE: &str = "# USER.md - About Your Human";
const SOUL_TITLE: &str = "# SOUL.md - Who You Are";

/// The workspace files the ritual reads and writes, as the surface sees them (`None`: absent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkspaceTexts {
    pub identity: Option<String>,
    pub user: Option<String>,
    pub soul: Option<String>,
    pub bootstrap: Option<String>,
}

impl WorkspaceTexts {
    pub fn read(folder: &Path, read: &dyn Fn(&Path) -> Result<Option<String>>) -> Result<Self> {
        Ok(WorkspaceTexts {
            identity: read(&folder.join("IDENTITY.md"))?,
            user: read(&folder.join("USER.md"))?,
            soul: read(&folder.join("SOUL.md"))?,
            bootstrap: read(&folder.join("BOOTSTRAP.md"))?,
        })
    }

    fn get(&self, file: &str) -> Option<&String> {
        match file {
            "IDENTITY.md" => self.identity.as_ref(),
            "USER.md" => self.user.as_ref(),
            "SOUL.md" => self.soul.as_ref(),
            _ => None,
        }
    }

    fn slot(&mut self, file: &str) -> &mut Option<String> {
        match file {
            "IDENTITY.md" => &mut self.identity,
            "USER.md" => &mut self.user,
            _ => &mut self.soul,
        }
    }
}

/// The file a target of this mode is written to.
pub fn target_file(t: &FileTarget) -> Option<&'static str> {
    match t {
        FileTarget::OpenclawIdentity(_) => Some("IDENTITY.md"),
        FileTarget::OpenclawUser(_) => Some("USER.md"),
        FileTarget::OpenclawSoul(_) => Some("SOUL.md"),
        _ => None,
    }
}

/// The value of `label` as OpenClaw's parser reads it (the last non-placeholder occurrence).
fn label_value(text: &str, label: &str) -> Option<String> {
    label_lines(text)
        .into_iter()
        .rfind(|l| {
            l.label.eq_ignore_ascii_case(label) && !l.value.is_empty() && !is_placeholder(&l.value)
        })
        .map(|l| l.value)
}

/// The bullets of the `## heading` section, if it has any.
fn section_items(text: &str, heading: &str) -> Option<Vec<String>> {
    let outline = forge_syntax::markdown::outline(text, 0..text.len());
    let h = outline
        .headings
        .iter()
        .find(|h| h.text.trim().eq_ignore_ascii_case(heading))?;
    let body = &text[h.range.end.min(h.section.end)..h.section.end];
    let items: Vec<String> = body
        .lines()
        .filter_map(|l| {
            let t = l.trim_start();
            // A list marker is followed by a space: `**bold**` is prose, not an item.
            ["- ", "* ", "+ "].iter().find_map(|m| t.strip_prefix(m))
        })
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

/// The value written at `target` in `texts`, if there is one.
pub fn value_at(texts: &WorkspaceTexts, target: &FileTarget) -> Option<FieldValue> {
    let text = texts.get(target_file(target)?)?;
    match target {
        FileTarget::OpenclawIdentity(l) | FileTarget::OpenclawUser(l) => {
            label_value(text, l).map(FieldValue::Text)
        }
        FileTarget::OpenclawSoul(h) => section_items(text, h).map(FieldValue::List),
        _ => None,
    }
}

/// What the files already answer, field by field, read through the question table.
pub fn current(texts: &WorkspaceTexts) -> WorkspaceConfig {
    let mut w = WorkspaceConfig::default();
    let (mut config, mut skill) = Default::default();
    for q in questions(Mode::OpenclawWorkspace) {
        if let Some(v) = q.targets.first().and_then(|t| value_at(texts, t)) {
            // The reader only yields the kind each target holds, so this cannot mismatch.
            let _ = crate::flow::apply_value(q, &v, &mut config, &mut skill, &mut w);
        }
    }
    w
}

/// `text` with `- **Label:** value` set: the first line of that label is replaced (with the
/// template's placeholder line under it) and later duplicates removed, as OpenClaw's own writer
/// does (`mergeIdentityMarkdownContent`, spec openclaw-formats §2.1); a missing label goes after
/// the last label line, else after the first heading, else at the top.
pub fn set_label(text: &str, label: &str, value: &str, title: &str) -> String {
    let eol = eol_of(text);
    let line = format!("- **{label}:** {value}");
    if text.trim().is_empty() {
        return format!("{title}{eol}{eol}{line}{eol}");
    }
    let all = label_lines(text);
    let mine: Vec<_> = all
        .iter()
        .filter(|l| l.label.eq_ignore_ascii_case(label))
        .collect();
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    // Edits as (range, replacement), in text order.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    if let Some(first) = mine.first() {
        let mut end = line_end(first.line.start);
        // The template puts a prompt on the next line (`  _(pick something you like)_`); the
        // parser never reads it, so it goes with the label it prompted for.
        let next_end = line_end(end);
        if end < text.len() && is_prompt_line(&text[end..next_end]) {
            end = next_end;
        }
        let own_eol = if text[..end].ends_with('\n') { eol } else { "" };
        edits.push((first.line.start..end, format!("{line}{own_eol}")));
        for dup in &mine[1..] {
            edits.push((dup.line.start..line_end(dup.line.start), String::new()));
        }
    } else {
        let after_label = all.iter().rfind(|l| is_known_label(&l.label));
        let (at, blank_before, blank_after) = match after_label {
            Some(last) => (line_end(last.line.start), false, false),
            None => match first_heading_end(text) {
                Some(h) => (h, true, false),
                None => (0, false, true),
            },
        };
        let mut insert = String::new();
        if at > 0 && !text[..at].ends_with('\n') {
            insert.push_str(eol);
        }
        if blank_before {
            insert.push_str(eol);
        }
        insert.push_str(&line);
        insert.push_str(eol);
        if blank_after {
            insert.push_str(eol);
        }
        edits.push((at..at, insert));
    }
    let mut out = String::with_capacity(text.len() + line.len() + 2);
    let mut at = 0;
    for (range, with) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A template prompt standing alone on its line: `  _(pick something you like)_`.
fn is_prompt_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && (is_placeholder(t) || (t.starts_with("_(") && t.ends_with(")_")))
        && !t.contains(':')
}

/// Labels this mode writes, in either file: where a new label line is placed.
fn is_known_label(label: &str) -> bool {
    questions(Mode::OpenclawWorkspace).any(|q| {
        q.targets.iter().any(|t| match t {
            FileTarget::OpenclawIdentity(l) | FileTarget::OpenclawUser(l) => {
                l.eq_ignore_ascii_case(label)
            }
            _ => false,
        })
    }) || forge_analysis::dialect::IDENTITY_LABELS.contains(&label)
}

/// The end of the first heading line (after its line end).
fn first_heading_end(text: &str) -> Option<usize> {
    let outline = forge_syntax::markdown::outline(text, 0..text.len());
    let h = outline.headings.first()?;
    Some(
        text[h.range.end..]
            .find('\n')
            .map_or(text.len(), |i| h.range.end + i + 1),
    )
}

/// `texts` with `value` written at `target`.
pub fn write(texts: &WorkspaceTexts, target: &FileTarget, value: &FieldValue) -> WorkspaceTexts {
    let mut out = texts.clone();
    let Some(file) = target_file(target) else {
        return out;
    };
    let old = texts.get(file).cloned().unwrap_or_default();
    let new = match (target, value) {
        (FileTarget::OpenclawIdentity(l), FieldValue::Text(v)) => {
            set_label(&old, l, &one_line(v), IDENTITY_TITLE)
        }
        (FileTarget::OpenclawUser(l), FieldValue::Text(v)) => {
            set_label(&old, l, &one_line(v), USER_TITLE)
        }
        (FileTarget::OpenclawSoul(h), FieldValue::List(items)) => {
            let body: Vec<String> = items.iter().map(|i| format!("- {}", one_line(i))).collect();
            let base = if old.trim().is_empty() {
                format!("{SOUL_TITLE}\n")
            } else {
                old
            };
            section_set(&base, h, &body.join("\n"))
        }
        _ => return out,
    };
    *out.slot(file) = Some(new);
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The workspace folder of a session of this mode: where it was started (bound), checked to be
/// inside the workspace.
pub fn session_folder(session: &Session, folders: &[PathBuf]) -> Result<PathBuf> {
    let folder = session
        .bound_folder
        .as_deref()
        .or(session.target_folder.as_deref())
        .ok_or_else(|| ServiceError::Invalid("the session names no workspace folder".into()))?;
    inside_workspace(folders, Path::new(folder))
}

/// The writes of `after` over `before` in `folder`: changed files only, IDENTITY, USER, SOUL.
fn writes(folder: &Path, before: &WorkspaceTexts, after: &WorkspaceTexts) -> Vec<FileWrite> {
    ["IDENTITY.md", "USER.md", "SOUL.md"]
        .into_iter()
        .filter_map(|f| {
            let new = after.get(f)?;
            (Some(new) != before.get(f)).then(|| FileWrite {
                path: folder.join(f),
                old: before.get(f).cloned(),
                new: Some(new.clone()),
            })
        })
        .collect()
}

/// The writes that put `value` at `target` in the workspace `folder` (a code action's edit).
pub fn answer_writes(
    folder: &Path,
    texts: &WorkspaceTexts,
    target: &FileTarget,
    value: &FieldValue,
) -> Vec<FileWrite> {
    writes(folder, texts, &write(texts, target, value))
}

/// `forge.builder.assemble` of an OpenClaw workspace session: every answered question's lines
/// written where the table says, and `BOOTSTRAP.md` deleted.
pub fn plan_assemble(
    session: &Session,
    folders: &[PathBuf],
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<AssemblePlan> {
    let folder = session_folder(session, folders)?;
    let before = WorkspaceTexts::read(&folder, read)?;
    let ws = session.workspace.clone().unwrap_or_default();
    let mut after = before.clone();
    for q in questions(Mode::OpenclawWorkspace) {
        let answered = session.answers.iter().any(|a| a.question_id == q.id);
        let value = current_value(q, &session.config, None, Some(&ws));
        if let (true, Some(v)) = (answered, value) {
            for t in q.targets {
                after = write(&after, t, &v);
            }
        }
    }
    let mut writes = writes(&folder, &before, &after);
    if let Some(old) = before.bootstrap {
        writes.push(FileWrite {
            path: folder.join("BOOTSTRAP.md"),
            old: Some(old),
            new: None,
        });
    }
    let mut files: Vec<PathBuf> = writes
        .iter()
        .filter(|w| w.new.is_some())
        .map(|w| w.path.clone())
        .collect();
    if files.is_empty() {
        files.push(folder.join("IDENTITY.md"));
    }
    Ok(AssemblePlan {
        writes,
        soul: folder.join("SOUL.md"),
        bot_folder: folder,
        files,
        memory: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "# IDENTITY.md - Who Am I?\n\n_Fill this in during your first conversation._\n\n- **Name:**\n  _(pick something you like)_\n- **Creature:**\n  _(AI? robot? familiar? ghost in the machine? something weirder?)_\n- **Vibe:**\n  _(how do you come across? sharp? warm? chaotic? calm?)_\n- **Emoji:**\n  _(your signature — pick one that feels right)_\n\n---\n\nMy own notes stay.\n";

    #[test]
    fn a_label_replaces_its_line_and_the_prompt_under_it() {
        let t = set_label(TEMPLATE, "Name", "Quill", IDENTITY_TITLE);
        assert!(t.contains("- **Name:** Quill\n- **Creature:**\n"), "{t}");
        assert!(!t.contains("pick something you like"));
        assert!(t.ends_with("---\n\nMy own notes stay.\n"));
        assert_eq!(label_value(&t, "name").as_deref(), Some("Quill"));
        // The prompts of other labels stay until those are answered.
        assert!(t.contains("something weirder"));
    }

    #[test]
    fn duplicates_go_and_a_missing_label_follows_the_last_label_line() {
        let t = "# ID\n\n- Name: A\n- Vibe: calm\n- Name: B\n\nnotes\n";
        let n = set_label(t, "Name", "C", IDENTITY_TITLE);
        assert_eq!(n, "# ID\n\n- **Name:** C\n- Vibe: calm\n\nnotes\n");
        let e = set_label(&n, "Emoji", "🦉", IDENTITY_TITLE);
        assert_eq!(
            e,
            "# ID\n\n- **Name:** C\n- Vibe: calm\n- **Emoji:** 🦉\n\nnotes\n"
        );
    }

    #[test]
    fn a_file_without_labels_gets_them_under_its_heading_or_a_title() {
        assert_eq!(
            set_label("# USER.md\n\nHello.\n", "Timezone", "UTC", USER_TITLE),
            "# USER.md\n\n- **Timezone:** UTC\n\nHello.\n"
        );
        assert_eq!(
            set_label("", "Name", "Ada", USER_TITLE),
            "# USER.md - About Your Human\n\n- **Name:** Ada\n"
        );
        assert_eq!(
            set_label("plain text\n", "Name", "Ada", USER_TITLE),
            "- **Name:** Ada\n\nplain text\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let t = "# ID\r\n\r\n- **Name:**\r\n  _(pick something you like)_\r\n- **Vibe:** calm\r\n";
        assert_eq!(
            set_label(t, "Name", "Pip", IDENTITY_TITLE),
            "# ID\r\n\r\n- **Name:** Pip\r\n- **Vibe:** calm\r\n"
        );
    }

    #[test]
    fn soul_sections_are_read_and_rewritten_keeping_the_rest() {
        let soul = "# SOUL.md - Who You Are\n\n## Core Truths\n\nBe helpful.\n\n## Vibe\n\nMine.\n";
        let texts = WorkspaceTexts {
            soul: Some(soul.into()),
            ..Default::default()
        };
        let t = write(
            &texts,
            &FileTarget::OpenclawSoul("Core Truths"),
            &FieldValue::List(vec!["No filler".into(), "Have opinions".into()]),
        );
        let s = t.soul.unwrap();
        assert!(
            s.contains("## Core Truths\n\n- No filler\n- Have opinions\n\n## Vibe\n\nMine.\n"),
            "{s}"
        );
        let t = write(
            &WorkspaceTexts {
                soul: Some(s),
                ..Default::default()
            },
            &FileTarget::OpenclawSoul("Boundaries"),
            &FieldValue::List(vec!["Private stays private".into()]),
        );
        let s = t.soul.clone().unwrap();
        assert!(
            s.ends_with("## Boundaries\n\n- Private stays private\n"),
            "{s}"
        );
        let w = current(&t);
        assert_eq!(w.values.unwrap(), ["No filler", "Have opinions"]);
        assert_eq!(w.boundaries.unwrap(), ["Private stays private"]);
    }
}
