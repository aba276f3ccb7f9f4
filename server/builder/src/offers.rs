//! Which builder question appears where in a bot's files (interface §5): its answers as edits of
//! the files they fill, offered as code actions (anywhere in the file) and as completions (at the
//! spot the answer goes), and the one lens at the top of a bot file. Surfaces convert these to
//! their own types; nothing here knows LSP.

use std::path::Path;

use forge_analysis::FileKind;

use crate::commands::View;
use crate::drafts::Drafts;
use crate::flow::{options_for, OptionInput};
use crate::service::{self as svc, FileWrite};
use crate::{
    load_bot, spot, write_answer, BotTexts, BuilderContext, BuilderTurn, FieldValue, FileTarget,
    QuestionSpec, Session, WorkspaceSkill,
};

/// A bot file open in the editor.
pub struct OpenFile<'a> {
    pub path: &'a Path,
    pub kind: FileKind,
    pub text: &'a str,
}

/// One answer to a builder question, ready to be offered in a file.
#[derive(Debug, Clone)]
pub struct Offer {
    /// "Forge · Personality: What tone should Luna use?"
    pub question: String,
    /// The option's label.
    pub label: String,
    pub writes: Vec<FileWrite>,
    /// The bound session and option this answer records, if there is a session.
    pub records: Option<(String, usize)>,
}

impl Offer {
    pub fn title(&self) -> String {
        format!("{} → {}", self.question, self.label)
    }

    /// Whether this answer belongs on `lines` (zero-based, inclusive) of the file at `path`: its
    /// edit of that file changes one of them, or inserts new lines where one of them is (the
    /// line pushed down, or a blank line just above). An answer
    /// that writes only other files (hosted here because its files do not exist yet) belongs
    /// on the first line, where the file's lens is.
    pub fn fills(&self, path: &Path, lines: std::ops::RangeInclusive<usize>) -> bool {
        let Some(w) = self.writes.iter().find(|w| w.path == path) else {
            return *lines.start() == 0;
        };
        let span = changed_lines(
            w.old.as_deref().unwrap_or(""),
            w.new.as_deref().unwrap_or(""),
        );
        span.start() <= lines.end() && lines.start() <= span.end()
    }
}

/// The lines of `old` that `new` replaces; for a pure insertion, the line it goes before (and
/// the blank line above, where someone would place the cursor to add a line).
fn changed_lines(old: &str, new: &str) -> std::ops::RangeInclusive<usize> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let (prefix, suffix) = forge_syntax::text::common_ends(&a, &b);
    let end = a.len() - suffix;
    if end > prefix {
        prefix..=end - 1
    } else if prefix > 0 && a[prefix - 1].trim().is_empty() {
        prefix - 1..=prefix
    } else {
        prefix..=prefix
    }
}

impl Offer {
    /// An answer's writes as an offer, unless they change nothing or would create a file the
    /// surface cannot create (skipped rather than offered as a dud).
    fn of(
        question: String,
        label: String,
        writes: Vec<FileWrite>,
        records: Option<(String, usize)>,
        can_create: bool,
    ) -> Option<Offer> {
        let creates = writes.iter().any(|w| w.old.is_none());
        (!writes.is_empty() && (can_create || !creates)).then_some(Offer {
            question,
            label,
            writes,
            records,
        })
    }
}

/// A bound session's pending question and, per option, its title, label, value and what
/// recording it sends (`None` when the turn is no question).
#[allow(clippy::type_complexity)]
fn pending_choices(
    s: &Session,
) -> Option<(
    &'static QuestionSpec,
    Vec<(String, String, &FieldValue, Option<(String, usize)>)>,
)> {
    let (
        Some(q),
        BuilderTurn::AskQuestion {
            phase,
            question,
            options,
            ..
        },
    ) = (s.pending_question(), &s.turn)
    else {
        return None;
    };
    let title = format!("Forge · {}: {question}", phase.short_label());
    let choices = s
        .pending
        .choices
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let label = options
                .get(i)
                .map_or_else(|| value.display(), |o| o.label.clone());
            (title.clone(), label, value, Some((s.session_id.clone(), i)))
        })
        .collect();
    Some((q, choices))
}

/// The lens at the top of a bot file.
#[derive(Debug, Clone, PartialEq)]
pub enum Lens {
    /// The pending turn of the session bound to the bot; opening it shows the session.
    Session { title: String, session_id: String },
    /// The bot's unanswered questions, without a session; opening it starts a reconfigure.
    Unanswered { title: String, count: usize },
    /// An OpenClaw workspace whose first-run ritual is not done (`BOOTSTRAP.md` is there, or a
    /// question is unanswered); opening it starts the ritual over `folder`.
    Ritual {
        title: String,
        count: usize,
        folder: std::path::PathBuf,
    },
}

/// Whether the builder offers anything in files of this kind.
pub fn is_bot_file(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Identity | FileKind::Soul | FileKind::User | FileKind::SkillsToml
    )
}

/// The bot file a target lives in.
fn target_file(t: &FileTarget) -> Option<&'static str> {
    match t {
        FileTarget::Identity(_) => Some("IDENTITY.md"),
        FileTarget::SoulFrontmatter(_) | FileTarget::SoulSection(_) => Some("SOUL.md"),
        FileTarget::UserIntro | FileTarget::UserSection(_) => Some("USER.md"),
        FileTarget::SkillsToml => Some("skills.toml"),
        FileTarget::SkillFrontmatter(_) | FileTarget::SkillBody => None,
        t => crate::openclaw::target_file(t),
    }
}

/// Whether `file` is a file of an OpenClaw workspace (its questions are the first-run ritual's).
fn is_openclaw(view: &View, file: &OpenFile<'_>) -> bool {
    let d = forge_analysis::dialect::detect(file.kind, file.path, file.text, view.settings.profile);
    d.dialect == forge_analysis::dialect::Dialect::OpenClaw
}

/// The session bound to `folder`, if any (without creating a drafts database).
pub async fn bound_session(drafts: &Drafts, view: &View, folder: &Path) -> Option<Session> {
    let folder = folder.canonicalize().ok()?;
    let path = svc::drafts_path(&view.folders, &view.settings);
    // Opening the store fills the bound-folder index, so open (read-only intent) before looking.
    drafts.run(path.clone(), false, |_| Ok(())).await.ok()?;
    let id = drafts.bound_to(&folder)?;
    drafts
        .run(path, false, move |s| Ok(s.load::<Session>(&id)?))
        .await
        .ok()?
        .value
        .flatten()
}

/// The offers for the bot file `file`: the bound session's pending question (edit + recording),
/// else every unanswered question whose answer lives in this file (edit only). With `at`, only
/// the questions whose answer goes at that byte offset (completion); a half-typed key or heading
/// there is replaced by the answer. `can_create`: whether the surface can create files (an offer
/// that would create one is skipped otherwise).
pub async fn offers(
    drafts: &Drafts,
    view: &View,
    file: &OpenFile<'_>,
    at: Option<usize>,
    can_create: bool,
) -> Vec<Offer> {
    // Edits are only offered for bots inside the workspace, like every other builder write.
    let Some(folder) = file
        .path
        .parent()
        .filter(|f| svc::inside_workspace(&view.folders, f).is_ok())
        // The edits name the files as the editor opened them (not the canonical path).
        .map(Path::to_path_buf)
    else {
        return Vec::new();
    };
    if is_openclaw(view, file) {
        return openclaw_offers(drafts, view, file, &folder, at, can_create).await;
    }
    let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Ok(texts) = svc::bot_texts(&folder, &*view.read) else {
        return Vec::new();
    };
    let spot = match (at, file.kind) {
        (None, _) => None,
        (Some(o), FileKind::SkillsToml) => match spot::toml_spot(file.text, o) {
            Some(s) => Some(s),
            None => return Vec::new(),
        },
        (Some(o), _) => Some(spot::markdown_spot(file.text, o)),
    };
    // The texts with the cursor's half-typed line taken out, for answers that replace it.
    let without_line = at.map(|o| {
        let text = file.text;
        let o = forge_syntax::text::floor_char_boundary(text, o);
        let start = text[..o].rfind('\n').map_or(0, |i| i + 1);
        let end = text[o..].find('\n').map_or(text.len(), |i| o + i + 1);
        let mut t = texts.clone();
        let cut = format!("{}{}", &text[..start], &text[end..]);
        match file.kind {
            FileKind::Identity => t.identity = Some(cut),
            FileKind::Soul => t.soul = Some(cut),
            FileKind::User => t.user = Some(cut),
            _ => t.skills_toml = Some(cut),
        }
        t
    });
    let loaded = load_bot(
        texts.identity.as_deref(),
        texts.soul.as_deref(),
        texts.user.as_deref(),
        texts.skills_toml.as_deref(),
    );
    let bot_name = loaded.config.name.clone().unwrap_or_default();
    let present = |f: &str| match f {
        "IDENTITY.md" => texts.identity.is_some(),
        "SOUL.md" => texts.soul.is_some(),
        "USER.md" => texts.user.is_some(),
        "skills.toml" => texts.skills_toml.is_some(),
        _ => false,
    };
    // Which texts a question's answer is computed on, or None when it is not offered here. A
    // question is offered in the files its answer goes to; when none of them exists yet (a bot
    // without skills.toml asked about skills), SOUL.md hosts its code actions, so it is never
    // unreachable.
    let base = |q: &QuestionSpec| -> Option<&BotTexts> {
        let mut files = q.targets.iter().filter_map(target_file);
        let in_file = files.clone().any(|f| f == name);
        match &spot {
            None => (in_file || (name == "SOUL.md" && !files.any(present))).then_some(&texts),
            Some(spot) => {
                let t = q
                    .targets
                    .iter()
                    .find(|t| target_file(t) == Some(name) && spot.fits(t))?;
                if spot.replaces_line(t) {
                    without_line.as_ref()
                } else {
                    Some(&texts)
                }
            }
        }
    };
    let mut out = Vec::new();
    let mut push =
        |question: String, label: String, texts: &BotTexts, q, value: &FieldValue, records| {
            let Ok(ch) = write_answer(texts, &bot_name, q, value, &|_| false) else {
                return;
            };
            let Ok(writes) = svc::bot_writes(&view.folders, &folder, texts, ch, &*view.read) else {
                return;
            };
            out.extend(Offer::of(question, label, writes, records, can_create));
        };
    if let Some(s) = bound_session(drafts, view, &folder).await {
        if let Some((q, choices)) = pending_choices(&s) {
            if let Some(texts) = base(q) {
                for (title, label, value, records) in choices {
                    push(title, label, texts, q, value, records);
                }
            }
        }
        return out;
    }
    let about = loaded
        .config
        .description
        .clone()
        .or_else(|| loaded.config.purpose.clone())
        .unwrap_or_default();
    let category = crate::classify_purpose(&about);
    let asked: Vec<_> = loaded
        .unanswered()
        .into_iter()
        .filter_map(|q| Some((q, base(q)?)))
        .collect();
    // Most spots answer no question: skip listing the workspace's skills for them.
    if asked.is_empty() {
        return out;
    }
    let ctx = offer_context(drafts, view, &about).await;
    for (q, texts) in asked {
        let choices = options_for(
            q,
            &OptionInput {
                description: &about,
                category: &category,
                config: &loaded.config,
                skill: None,
                workspace: None,
                ctx: &ctx,
            },
        );
        let text = q.text_for(
            Some(&bot_name)
                .filter(|n| !n.is_empty())
                .map(String::as_str),
        );
        for c in choices {
            let question = format!("Forge · {}: {text}", q.phase.short_label());
            push(question, c.option.label, texts, q, &c.value, None);
        }
    }
    out
}

/// The target of an OpenClaw question at byte `at` of `file`: the `Label:` line under the cursor
/// (IDENTITY.md, USER.md) or the SOUL.md section it is in.
fn openclaw_target_at(file: &OpenFile<'_>, q: &QuestionSpec, at: usize) -> Option<FileTarget> {
    let name = file.path.file_name()?.to_str()?;
    let t = *q.targets.first()?;
    if crate::openclaw::target_file(&t) != Some(name) {
        return None;
    }
    let fits = match t {
        FileTarget::OpenclawIdentity(l) | FileTarget::OpenclawUser(l) => {
            forge_analysis::rules::openclaw_identity::label_lines(file.text)
                .iter()
                .any(|x| x.line.start <= at && at <= x.line.end && x.label.eq_ignore_ascii_case(l))
        }
        FileTarget::OpenclawSoul(h) => {
            spot::markdown_spot(file.text, at).fits(&FileTarget::SoulSection(h))
        }
        _ => false,
    };
    fits.then_some(t)
}

/// The offers in a file of an OpenClaw workspace: the bound ritual's pending question (edit +
/// recording) where its answer goes, else every question the files leave unanswered (edit only).
async fn openclaw_offers(
    drafts: &Drafts,
    view: &View,
    file: &OpenFile<'_>,
    folder: &Path,
    at: Option<usize>,
    can_create: bool,
) -> Vec<Offer> {
    use crate::openclaw::{answer_writes, current, value_at, WorkspaceTexts};
    let Ok(texts) = WorkspaceTexts::read(folder, &*view.read) else {
        return Vec::new();
    };
    let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // Where this question's answer is offered: its target, in this file, under the cursor.
    let place = |q: &QuestionSpec| -> Option<FileTarget> {
        match at {
            Some(o) => openclaw_target_at(file, q, o),
            None => {
                let t = *q.targets.first()?;
                (crate::openclaw::target_file(&t) == Some(name)).then_some(t)
            }
        }
    };
    let mut out = Vec::new();
    let mut push = |question: String, label: String, t: &FileTarget, v: &FieldValue, records| {
        let writes = answer_writes(folder, &texts, t, v);
        out.extend(Offer::of(question, label, writes, records, can_create));
    };
    if let Some(s) = bound_session(drafts, view, folder).await {
        if let Some((q, choices)) = pending_choices(&s) {
            if let Some(t) = place(q) {
                for (title, label, value, records) in choices {
                    push(title, label, &t, value, records);
                }
            }
        }
        return out;
    }
    let ws = current(&texts);
    let ctx = BuilderContext::default();
    let category = crate::classify_purpose("");
    for q in crate::flow::questions(crate::Mode::OpenclawWorkspace) {
        let Some(t) = place(q) else { continue };
        if value_at(&texts, &t).is_some() {
            continue;
        }
        let choices = options_for(
            q,
            &OptionInput {
                description: "",
                category: &category,
                config: &Default::default(),
                skill: None,
                workspace: Some(&ws),
                ctx: &ctx,
            },
        );
        let text = q.text_for(ws.name.as_deref());
        for c in choices {
            let title = format!("Forge · {}: {text}", q.phase.short_label());
            push(title, c.option.label, &t, &c.value, None);
        }
    }
    out
}

/// What the options of a question asked without a session draw on: the indexed skills and, when
/// a drafts database already exists, the builder's memory (never created just for this).
async fn offer_context(drafts: &Drafts, view: &View, about: &str) -> BuilderContext {
    let mut skills: Vec<WorkspaceSkill> = view
        .index
        .skills()
        .map(|(_, s)| WorkspaceSkill {
            name: s.name.clone(),
            description: s.description.clone().unwrap_or_default(),
        })
        .collect();
    skills.sort_by(|a, b| a.name.cmp(&b.name));
    skills.dedup_by(|a, b| a.name == b.name);
    let about = about.to_string();
    let with_memory = skills.clone();
    let path = svc::drafts_path(&view.folders, &view.settings);
    let mut ctx = drafts
        .run(path, false, move |s| {
            Ok(svc::context_with(s, with_memory, &about))
        })
        .await
        .ok()
        .and_then(|o| o.value)
        .unwrap_or(BuilderContext {
            workspace_skills: skills,
            ..BuilderContext::default()
        });
    ctx.models = view.models.clone();
    ctx
}

/// The lens at the top of the bot file at `path`: the bound session's pending turn, else the
/// bot's unanswered questions.
pub async fn lens(drafts: &Drafts, view: &View, file: &OpenFile<'_>) -> Option<Lens> {
    let path = file.path;
    let folder = path.parent()?;
    if let Some(s) = bound_session(drafts, view, folder).await {
        let title = match &s.turn {
            BuilderTurn::AskQuestion {
                phase, question, ..
            } => format!(
                "Forge · {}: {question} (answers offered as code actions)",
                phase.short_label()
            ),
            BuilderTurn::ShowPreview { .. } => "Forge · Review: confirm the changes".into(),
            BuilderTurn::ReadyToAssemble { .. } => {
                "Forge · ready: run forge.builder.assemble to write the changes".into()
            }
            BuilderTurn::Clarify { message } => format!("Forge · {message}"),
        };
        return Some(Lens::Session {
            title,
            session_id: s.session_id,
        });
    }
    if is_openclaw(view, file) {
        let texts = crate::openclaw::WorkspaceTexts::read(folder, &*view.read).ok()?;
        let open: Vec<_> = crate::flow::questions(crate::Mode::OpenclawWorkspace)
            .filter(|q| {
                q.targets
                    .first()
                    .is_some_and(|t| crate::openclaw::value_at(&texts, t).is_none())
            })
            .collect();
        if open.is_empty() && texts.bootstrap.is_none() {
            return None;
        }
        let title = if open.is_empty() {
            "Forge · first-run ritual: every question is answered; finish it to delete BOOTSTRAP.md"
                .into()
        } else {
            format!(
                "Forge · first-run ritual: {} question{} unanswered ({} …)",
                open.len(),
                if open.len() == 1 { "" } else { "s" },
                open[0].text_for(None)
            )
        };
        return Some(Lens::Ritual {
            title,
            count: open.len(),
            folder: folder.to_path_buf(),
        });
    }
    let texts = svc::bot_texts(folder, &*view.read).ok()?;
    let unanswered = load_bot(
        texts.identity.as_deref(),
        texts.soul.as_deref(),
        texts.user.as_deref(),
        texts.skills_toml.as_deref(),
    )
    .unanswered();
    let q = unanswered.first()?;
    Some(Lens::Unanswered {
        title: format!(
            "Forge · {} unanswered builder question{} ({} …)",
            unanswered.len(),
            if unanswered.len() == 1 { "" } else { "s" },
            q.text_for(None)
        ),
        count: unanswered.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(old: &str, new: &str) -> Offer {
        Offer {
            question: "q".into(),
            label: "l".into(),
            writes: vec![FileWrite {
                path: "/b/IDENTITY.md".into(),
                old: Some(old.into()),
                new: Some(new.into()),
            }],
            records: None,
        }
    }

    #[test]
    fn an_answer_fills_the_lines_its_edit_changes() {
        let p = Path::new("/b/IDENTITY.md");
        let changed = offer(
            "---\nname: a\ntemperature: 5\n---\n",
            "---\nname: a\ntemperature: 1\n---\n",
        );
        assert!(changed.fills(p, 2..=2));
        assert!(!changed.fills(p, 1..=1) && !changed.fills(p, 3..=3));
        let inserted = offer("---\nname: a\n---\n", "---\nname: a\nmodel: m\n---\n");
        assert!(inserted.fills(p, 2..=2));
        assert!(!inserted.fills(p, 0..=0) && !inserted.fills(p, 1..=1));
        let after_blank = offer("---\nname: a\n\n---\n", "---\nname: a\n\nmodel: m\n---\n");
        assert!(after_blank.fills(p, 2..=2) && after_blank.fills(p, 3..=3));
        let appended = offer("# A\n", "# A\n\n## Purpose\n\nx\n");
        assert!(appended.fills(p, 1..=1) && !appended.fills(p, 0..=0));
        // Another file's answer is hosted on the first line only.
        let other = Path::new("/b/SOUL.md");
        assert!(changed.fills(other, 0..=3) && !changed.fills(other, 1..=1));
    }
}
