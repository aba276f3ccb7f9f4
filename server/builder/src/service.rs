//! The builder commands as plain functions over a [`DraftStore`] and the workspace folders: what
//! `forge.builder.*` and `forge.skill.*` do, minus the protocol. The LSP layer (`lsp::commands`)
//! only parses arguments, serialises sessions, turns [`FileWrite`]s into one `workspace/applyEdit`
//! and reports errors; tests and the benchmark call these functions directly.
//!
//! Nothing here writes bot or skill files: assembling produces a plan (which files, old and new
//! text) that the caller applies through the client, so every write goes through the editor and
//! can be refused there. Every path in a plan has been checked to stay inside a workspace folder.

use std::path::{Component, Path, PathBuf};

use crate::settings::Settings;
use crate::{
    load_bot, memory_entry, render_bot_except, render_skill, skill_from_description, slugify,
    start_reconfigure, unique_slug, update_bot_files, BotChanges, BotTexts, BuilderContext,
    BuilderError, BuilderTurn, Mode, Session, SkillConfig, WorkspaceSkill,
};
use forge_analysis::rules::Profile;
use forge_analysis::workspace::index::Index;
use forge_analysis::{analyze, FileKind};
use forge_store::drafts::{DraftError, DraftStore};
use forge_syntax::diagnostic::{Diagnostic, Severity};

/// Why a command failed. `Invalid` is the caller's mistake (bad arguments, an answer out of range,
/// a path outside the workspace); `Storage` is the drafts database; `Conflict` is the workspace's
/// state (a file already there, no workspace open).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Storage(String),
    #[error("{0}")]
    Conflict(String),
}

impl From<BuilderError> for ServiceError {
    fn from(e: BuilderError) -> Self {
        ServiceError::Invalid(e.to_string())
    }
}

impl From<DraftError> for ServiceError {
    fn from(e: DraftError) -> Self {
        ServiceError::Storage(format!("the drafts database failed: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

/// How many past sessions of the same purpose feed the defaults offered first.
const MEMORY_LIMIT: usize = 5;

/// One file the plan writes: `old` is its current text (`None`: the file is created), `new` its
/// text afterwards (`None`: the file is deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct FileWrite {
    pub path: PathBuf,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What `assemble` will write and what to do once it is written.
#[derive(Debug, Clone)]
pub struct AssemblePlan {
    /// Only files whose text changes; IDENTITY, SOUL, USER, skills.toml first, then SKILL.md files.
    pub writes: Vec<FileWrite>,
    pub bot_folder: PathBuf,
    pub soul: PathBuf,
    /// Every file of the bot the plan touched or created (the `files` result).
    pub files: Vec<PathBuf>,
    /// The builder memory to record once written (bot sessions).
    pub memory: Option<crate::MemoryEntry>,
}

/// The first workspace folder: the home of the drafts database and of new bots and skills.
pub fn primary_folder(folders: &[PathBuf]) -> Result<&Path> {
    folders.first().map(PathBuf::as_path).ok_or_else(|| {
        ServiceError::Conflict(
            "no workspace folder is open: the builder keeps its drafts and writes bots inside a workspace folder"
                .into(),
        )
    })
}

/// `draftsPath` (relative to the first workspace folder when relative), else
/// `<first workspace folder>/.forge/drafts.db`.
pub fn drafts_path(folders: &[PathBuf], settings: &Settings) -> Result<PathBuf> {
    match &settings.drafts_path {
        Some(p) if Path::new(p).is_absolute() => Ok(PathBuf::from(p)),
        Some(p) => Ok(primary_folder(folders)?.join(p)),
        None => Ok(primary_folder(folders)?.join(".forge").join("drafts.db")),
    }
}

/// A workspace-relative directory from a setting (`botsDir`, `skillsDir`): no absolute paths, no `..`.
pub fn relative_dir(folders: &[PathBuf], rel: &str, setting: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(ServiceError::Invalid(format!(
            "setting forge.{setting} must be a path inside the workspace without `..` (got `{rel}`)"
        )));
    }
    Ok(primary_folder(folders)?.join(p))
}

/// Checks that `path` (existing or to be created) stays inside one of the workspace folders once
/// symlinks are resolved, and returns the resolved path. The existing part is canonicalised; the
/// rest must be plain names (no `..`).
pub fn inside_workspace(folders: &[PathBuf], path: &Path) -> Result<PathBuf> {
    let outside = || {
        ServiceError::Invalid(format!(
            "refusing to write {}: it is outside the workspace folders",
            path.display()
        ))
    };
    if !path.is_absolute() {
        return Err(outside());
    }
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    // Walk up to the deepest ancestor that exists (a symlink counts as existing, so it gets resolved).
    while std::fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return Err(outside()),
        }
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(outside());
    }
    let mut resolved = existing.canonicalize().map_err(|e| {
        ServiceError::Conflict(format!("cannot resolve {}: {e}", existing.display()))
    })?;
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    let inside = folders.iter().any(|f| {
        f.canonicalize()
            .map(|f| resolved.starts_with(&f))
            .unwrap_or(false)
    });
    if inside {
        Ok(resolved)
    } else {
        Err(outside())
    }
}

/// Reads a file that may be absent; unreadable or non-UTF-8 files are errors rather than `None`, so
/// a plan never overwrites what it could not read.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ServiceError::Conflict(format!("{} is not UTF-8 text", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ServiceError::Conflict(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// The skills in the workspace folders (name and description from the frontmatter, the folder's
/// name when it has none), offered in the skills phase. A cheap line scan: the full analysis is not needed to list them.
pub fn workspace_skills(folders: &[PathBuf]) -> Vec<WorkspaceSkill> {
    let mut out: Vec<WorkspaceSkill> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in folders {
        for path in forge_analysis::check::discover(f) {
            if path.file_name().and_then(|n| n.to_str()) != Some("SKILL.md") {
                continue;
            }
            let Some(folder) = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let field = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(key).map(|d| d.trim().to_string()))
                    .map(|d| d.trim_matches(|c| c == '"' || c == '\'').to_string())
                    .filter(|d| !d.is_empty())
            };
            // The name skills.toml is checked against (the manifest's), else the folder's.
            let name = field("name:").unwrap_or_else(|| folder.to_string());
            if !seen.insert(name.clone()) {
                continue;
            }
            let description = field("description:").unwrap_or_default();
            out.push(WorkspaceSkill { name, description });
        }
    }
    out
}

/// [`workspace_skills`] from the server's index, which has every skill read and
/// parsed already (open documents included): no walk, no reads. Same names (the
/// manifest's, which is what a bot's skills.toml must name to validate) and order
/// (by path). None while the index holds no workspace skill
/// (before the first scan ends): the walk answers then.
pub fn workspace_skills_indexed(index: &Index, folders: &[PathBuf]) -> Option<Vec<WorkspaceSkill>> {
    let mut found: Vec<(&Path, &str, &str)> = index
        .skills()
        .filter(|(f, _)| !f.read_only && folders.iter().any(|r| f.path.starts_with(r)))
        .map(|(f, s)| {
            (
                f.path.as_path(),
                s.name.as_str(),
                s.description.as_deref().unwrap_or(""),
            )
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_unstable();
    let mut seen = std::collections::HashSet::new();
    Some(
        found
            .into_iter()
            .filter(|(_, name, _)| seen.insert(*name))
            .map(|(_, name, description)| WorkspaceSkill {
                name: name.to_string(),
                description: description.to_string(),
            })
            .collect(),
    )
}

/// The outside inputs of a session: the workspace skills (listed by the caller, who caches the
/// walk) and the memories of its purpose category.
pub fn context_with(
    store: &DraftStore,
    workspace_skills: Vec<WorkspaceSkill>,
    description: &str,
) -> BuilderContext {
    let category = crate::classify_purpose(description);
    BuilderContext {
        workspace_skills,
        // Memory only improves the defaults; a failing read must not block the builder.
        memory: crate::memory::recall(store, &category, MEMORY_LIMIT).unwrap_or_default(),
        now: String::new(),
        models: None,
    }
}

/// Loads a session or says clearly that there is none.
pub fn load_session(store: &DraftStore, session_id: &str) -> Result<Session> {
    store.load(session_id)?.ok_or_else(|| {
        ServiceError::NotFound(format!(
            "no builder session `{session_id}`: it may have been assembled or deleted (see forge.builder.drafts)"
        ))
    })
}

/// `forge.builder.reconfigure`: a session loaded from the bot in `folder`, bound to it, not yet
/// saved (the turn source gives it its first turn, then it is saved).
pub fn reconfigure_draft(ctx: &BuilderContext, folder: &Path, texts: &BotTexts) -> Result<Session> {
    if texts.identity.is_none() && texts.soul.is_none() {
        return Err(ServiceError::Invalid(format!(
            "{} is not a bot folder: it has neither IDENTITY.md nor SOUL.md",
            folder.display()
        )));
    }
    let loaded = load_bot(
        texts.identity.as_deref(),
        texts.soul.as_deref(),
        texts.user.as_deref(),
        texts.skills_toml.as_deref(),
    );
    let origin = loaded.to_config()?;
    Ok(start_reconfigure(
        origin,
        Some(folder.to_string_lossy().into_owned()),
        ctx,
    ))
}

/// The bot folder of a file or folder path: the folder itself if it holds IDENTITY.md or SOUL.md,
/// else the file's parent.
pub fn bot_folder_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// The texts of a bot's four files, read through `read` (open documents first, then disk).
pub fn bot_texts(
    folder: &Path,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<BotTexts> {
    Ok(BotTexts {
        identity: read(&folder.join("IDENTITY.md"))?,
        soul: read(&folder.join("SOUL.md"))?,
        user: read(&folder.join("USER.md"))?,
        skills_toml: read(&folder.join("skills.toml"))?,
    })
}

fn ready_session(s: &Session) -> Result<()> {
    match &s.turn {
        BuilderTurn::ReadyToAssemble { .. } => Ok(()),
        _ => Err(ServiceError::Invalid(format!(
            "session `{}` is not ready to assemble: answer its remaining questions and confirm the review first",
            s.session_id
        ))),
    }
}

/// Whether a skill of that name exists in the workspace (attached, not generated, by assemble).
fn skill_exists(skills: &[WorkspaceSkill]) -> impl Fn(&str) -> bool + '_ {
    move |name: &str| skills.iter().any(|s| s.name == name)
}

/// `forge.builder.assemble` of a bot session: the files to write. A new bot goes into
/// `<folder or botsDir>/<unique slug>/`; a reconfigure session updates its bound folder in place,
/// touching only what the answers changed.
pub fn plan_assemble(
    session: &Session,
    folders: &[PathBuf],
    settings: &Settings,
    folder: Option<&Path>,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<AssemblePlan> {
    ready_session(session)?;
    match session.mode {
        Mode::Bot => {}
        Mode::Skill => {
            return Err(ServiceError::Invalid(
                "this is a skill session: install it with forge.skill.create {session_id}".into(),
            ))
        }
        Mode::OpenclawWorkspace => return crate::openclaw::plan_assemble(session, folders, read),
    }
    let config = session.full_config()?;
    let skills = workspace_skills(folders);
    let exists = skill_exists(&skills);
    let mut writes = Vec::new();
    let (bot_folder, slug) = match (&session.bound_folder, &session.origin) {
        (Some(bound), Some(origin)) => {
            let bot_folder = inside_workspace(folders, Path::new(bound))?;
            let texts = bot_texts(&bot_folder, read)?;
            if texts.identity.is_none() && texts.soul.is_none() {
                // Moved or deleted since the session began: writing the changed files
                // alone would leave half a bot behind.
                return Err(ServiceError::Conflict(format!(
                    "the bot at {} is gone (moved or deleted?); the draft is kept: reconfigure the bot where it is now",
                    bot_folder.display()
                )));
            }
            let changes = update_bot_files(&texts, origin, &config, &exists)?;
            writes = bot_writes(folders, &bot_folder, &texts, changes, read)?;
            let slug = bot_folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            (bot_folder, slug)
        }
        _ => {
            let parent = match folder.or(session.target_folder.as_deref().map(Path::new)) {
                Some(f) if f.is_absolute() => f.to_path_buf(),
                Some(f) => relative_dir(folders, &f.to_string_lossy(), "botsDir")?,
                None => relative_dir(folders, &settings.bots_dir, "botsDir")?,
            };
            let parent = inside_workspace(folders, &parent)?;
            let base = slugify(&config.name)?;
            let slug = unique_slug(&base, |c| std::fs::symlink_metadata(parent.join(c)).is_ok())?;
            let bot_folder = parent.join(&slug);
            let files = render_bot_except(&config, &exists);
            let mut add = |name: &str, text: String| {
                writes.push(FileWrite {
                    path: bot_folder.join(name),
                    old: None,
                    new: Some(text),
                })
            };
            add("IDENTITY.md", files.identity_md);
            add("SOUL.md", files.soul_md);
            add("USER.md", files.user_md);
            if let Some(t) = files.skills_toml {
                add("skills.toml", t);
            }
            for (name, text) in files.new_skills {
                writes.push(new_skill_write(folders, &bot_folder, &name, text, read)?);
            }
            (bot_folder, Some(slug))
        }
    };
    let soul = bot_folder.join("SOUL.md");
    let mut files: Vec<PathBuf> = writes.iter().map(|w| w.path.clone()).collect();
    if files.is_empty() {
        files.push(soul.clone());
    }
    let memory = memory_entry(session, &config, slug.as_deref(), &crate::now_rfc3339());
    Ok(AssemblePlan {
        writes,
        bot_folder,
        soul,
        files,
        memory: Some(memory),
    })
}

/// The writes of `changes` to the bot in `folder` (whose files read `texts`): only the files
/// whose text changes, IDENTITY, SOUL, USER, skills.toml first, then new SKILL.md files.
pub fn bot_writes(
    folders: &[PathBuf],
    folder: &Path,
    texts: &BotTexts,
    changes: BotChanges,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<Vec<FileWrite>> {
    let mut writes = Vec::new();
    let files = [
        ("IDENTITY.md", &texts.identity, changes.identity),
        ("SOUL.md", &texts.soul, changes.soul),
        ("USER.md", &texts.user, changes.user),
        ("skills.toml", &texts.skills_toml, changes.skills_toml),
    ];
    for (name, old, new) in files {
        if let Some(new) = new.filter(|n| Some(n) != old.as_ref()) {
            writes.push(FileWrite {
                path: folder.join(name),
                old: old.clone(),
                new: Some(new),
            });
        }
    }
    for (name, text) in changes.new_skills {
        writes.push(new_skill_write(folders, folder, &name, text, read)?);
    }
    Ok(writes)
}

fn new_skill_write(
    folders: &[PathBuf],
    bot_folder: &Path,
    name: &str,
    text: String,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<FileWrite> {
    let path = inside_workspace(
        folders,
        &bot_folder.join("skills").join(name).join("SKILL.md"),
    )?;
    let old = read(&path)?;
    Ok(FileWrite {
        path,
        old,
        new: Some(text),
    })
}

/// What `forge.skill.create` will write.
#[derive(Debug, Clone)]
pub struct SkillPlan {
    pub skill: SkillConfig,
    pub path: PathBuf,
    pub writes: Vec<FileWrite>,
    /// The validation of the generated SKILL.md (never containing an error: those refuse the plan).
    pub diagnostics: Vec<Diagnostic>,
    pub text: String,
}

/// Where a new skill goes: the bot folder `bot` names (checked to be one) and its `skills/`, or
/// no bot and `skillsDir`.
pub fn skills_home(
    bot: Option<&Path>,
    folders: &[PathBuf],
    settings: &Settings,
) -> Result<(Option<PathBuf>, PathBuf)> {
    let bot_folder = match bot {
        Some(b) => {
            let f = inside_workspace(folders, &bot_folder_of(b))?;
            if !f.join("IDENTITY.md").is_file() && !f.join("SOUL.md").is_file() {
                return Err(ServiceError::Invalid(format!(
                    "{} is not a bot folder: it has neither IDENTITY.md nor SOUL.md",
                    f.display()
                )));
            }
            Some(f)
        }
        None => None,
    };
    let dir = match &bot_folder {
        Some(f) => f.join("skills"),
        None => relative_dir(folders, &settings.skills_dir, "skillsDir")?,
    };
    Ok((bot_folder, dir))
}

/// `forge.skill.create`: the skill from a finished skill session or from a description, validated,
/// placed in `<skillsDir>/<name>/` or `<bot>/skills/<name>/` and attached to the bot's skills.toml.
pub fn plan_skill(
    session: Option<&Session>,
    description: Option<&str>,
    name: Option<&str>,
    bot: Option<&Path>,
    folders: &[PathBuf],
    settings: &Settings,
    read: &dyn Fn(&Path) -> Result<Option<String>>,
) -> Result<SkillPlan> {
    let skill = match (session, description) {
        (Some(s), _) => {
            if s.mode != Mode::Skill {
                return Err(ServiceError::Invalid(
                    "this is a bot session: assemble it with forge.builder.assemble".into(),
                ));
            }
            ready_session(s)?;
            s.full_skill()?
        }
        (None, Some(d)) => skill_from_description(d, name)?,
        (None, None) => {
            return Err(ServiceError::Invalid(
                "forge.skill.create needs {session_id} or {description, name?, bot?}".into(),
            ))
        }
    };
    let (bot_folder, dir) = skills_home(bot, folders, settings)?;
    let path = inside_workspace(folders, &dir.join(&skill.name).join("SKILL.md"))?;
    if read(&path)?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "a skill named `{}` already exists at {}: choose another name",
            skill.name,
            path.display()
        )));
    }
    let text = render_skill(&skill);
    let diagnostics = analyze(FileKind::Skill, &path, &text, settings.profile).diagnostics;
    if let Some(e) = diagnostics.iter().find(|d| d.severity == Severity::Error) {
        return Err(ServiceError::Invalid(format!(
            "the generated skill does not validate ({}: {}); try another name or description",
            e.code, e.message
        )));
    }
    let mut writes = vec![FileWrite {
        path: path.clone(),
        old: None,
        new: Some(text.clone()),
    }];
    if let Some(f) = &bot_folder {
        let toml_path = f.join("skills.toml");
        let old = read(&toml_path)?;
        if let Some(new) = crate::attach_skill(old.as_deref(), &skill)? {
            writes.push(FileWrite {
                path: toml_path,
                old,
                new: Some(new),
            });
        }
    }
    Ok(SkillPlan {
        skill,
        path,
        writes,
        diagnostics,
        text,
    })
}

impl SkillPlan {
    /// The plan with another SKILL.md text (the model's draft) and its diagnostics.
    pub fn with_text(mut self, text: String, diagnostics: Vec<Diagnostic>) -> SkillPlan {
        if let Some(w) = self.writes.iter_mut().find(|w| w.path == self.path) {
            w.new = Some(text.clone());
        }
        self.text = text;
        self.diagnostics = diagnostics;
        self
    }

    /// Adds the Rust source of a WASM skill as `src/lib.rs` in the skill's new folder (formats
    /// §7.9); the folder was checked to be inside the workspace and new.
    pub fn with_source(mut self, code: String) -> SkillPlan {
        if let Some(dir) = self.path.parent() {
            self.writes.push(FileWrite {
                path: dir.join("src").join("lib.rs"),
                old: None,
                new: Some(code),
            });
        }
        self
    }
}

/// After the client applied an assemble: remember the choices (§7.10) and drop the draft. The
/// memory is best effort (it only improves suggestions); the delete is reported.
pub fn finish(
    store: &DraftStore,
    session_id: &str,
    memory: Option<&crate::MemoryEntry>,
) -> Result<()> {
    if let Some(m) = memory {
        if let Err(e) = store.record_memory(&m.to_row()) {
            tracing::warn!("could not record builder memory: {e}");
        }
    }
    store.delete(session_id)?;
    Ok(())
}

/// One skill's validation for `forge.skill.validate`.
pub struct SkillReport {
    pub path: PathBuf,
    pub name: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl SkillReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Validates one SKILL.md (a file or its folder) or, with `None`, every SKILL.md in the folders.
/// `open` gives the editor's text of open documents, which wins over the disk.
pub fn validate_skills(
    target: Option<&Path>,
    folders: &[PathBuf],
    profile: Profile,
    open: &dyn Fn(&Path) -> Option<String>,
) -> Result<Vec<SkillReport>> {
    let paths: Vec<PathBuf> = match target {
        Some(p) if p.is_dir() => vec![p.join("SKILL.md")],
        Some(p) => vec![p.to_path_buf()],
        None => folders
            .iter()
            .flat_map(|f| forge_analysis::check::discover(f))
            .filter(|p| p.file_name().and_then(|n| n.to_str()) == Some("SKILL.md"))
            .collect(),
    };
    let mut out = Vec::new();
    for path in paths {
        if path.file_name().and_then(|n| n.to_str()) != Some("SKILL.md") {
            return Err(ServiceError::Invalid(format!(
                "{} is not a SKILL.md (or a folder holding one)",
                path.display()
            )));
        }
        let name = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (text, diagnostics) = match open(&path) {
            Some(text) => {
                let d = analyze(FileKind::Skill, &path, &text, profile).diagnostics;
                (text, d)
            }
            None => {
                let r = forge_analysis::check::check_file(&path, profile).map_err(|e| {
                    ServiceError::NotFound(format!("cannot read {}: {e}", path.display()))
                })?;
                (r.text.to_string(), r.diagnostics)
            }
        };
        out.push(SkillReport {
            path,
            name,
            text,
            diagnostics,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let folders = vec![dir.path().canonicalize().unwrap()];
        (dir, folders)
    }

    fn disk(p: &Path) -> Result<Option<String>> {
        read_optional(p)
    }

    #[test]
    fn paths_stay_inside_the_workspace() {
        let (dir, folders) = workspace();
        let root = &folders[0];
        assert!(inside_workspace(&folders, &root.join("bots/a/SOUL.md")).is_ok());
        assert!(inside_workspace(&folders, &root.join("../x")).is_err());
        assert!(inside_workspace(&folders, Path::new("/etc/passwd")).is_err());
        assert!(relative_dir(&folders, "../../x", "botsDir").is_err());
        assert!(relative_dir(&folders, "/abs", "botsDir").is_err());
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        assert!(inside_workspace(&folders, &root.join("link/SOUL.md")).is_err());
        // Deeper, not yet existing parts under the link; a chain of links; a dangling link.
        assert!(inside_workspace(&folders, &root.join("link/new/bot/SOUL.md")).is_err());
        std::os::unix::fs::symlink(root.join("link"), root.join("chain")).unwrap();
        assert!(inside_workspace(&folders, &root.join("chain/x/SKILL.md")).is_err());
        std::os::unix::fs::symlink(outside.path().join("gone"), root.join("dangling")).unwrap();
        assert!(inside_workspace(&folders, &root.join("dangling/SOUL.md")).is_err());
        assert!(inside_workspace(&folders, &root.join("bots/../../x")).is_err());
        // A link that stays inside is fine, and resolves to the real place.
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("inner")).unwrap();
        let real = root.canonicalize().unwrap().join("real/SOUL.md");
        assert_eq!(
            inside_workspace(&folders, &root.join("inner/SOUL.md")).unwrap(),
            real
        );
    }

    #[test]
    fn skill_from_description_is_placed_and_validated() {
        let (_dir, folders) = workspace();
        let plan = plan_skill(
            None,
            Some("Summarise long PDF reports into bullet points"),
            Some("pdf-summary"),
            None,
            &folders,
            &Settings::default(),
            &disk,
        )
        .unwrap();
        assert_eq!(plan.path, folders[0].join("skills/pdf-summary/SKILL.md"));
        assert_eq!(plan.writes.len(), 1);
        let bad = plan_skill(
            None,
            Some("x"),
            Some("!!!"),
            None,
            &folders,
            &Settings::default(),
            &disk,
        );
        assert!(bad.is_err());
    }
}
