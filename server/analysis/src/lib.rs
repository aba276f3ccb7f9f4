//! Analysis of bot and skill files, knowing nothing of LSP, tokio, SQLite or HTTP: which agent a
//! file is written for (`dialect`), the field tables (`schema`, `agent_schema`), the per-file rules
//! (`rules`), the workspace index and its cross-file rules, completion, hover and navigation as
//! plain data (`workspace`), an open document's text (`document`) and `check`'s batch pass.
//!
//! The crate root is the per-file entry point: one file in, diagnostics and structure out. Pure
//! functions; the server and `check` both call them.

pub mod agent_schema;
pub mod check;
pub mod dialect;
pub mod document;
pub mod par;
pub mod preview;
pub mod rules;
pub mod schema;
pub mod security;
pub mod tokens;
pub mod workflow_schema;
pub mod workspace;

use std::path::{Path, PathBuf};

use crate::dialect::{Detection, Dialect};
use crate::rules::{lines::LineField, skills_toml::Attachment, Profile};
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::markdown::Outline;
use forge_syntax::yaml::Node;

/// The files forge-ls understands, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Skill,
    Identity,
    Soul,
    User,
    SkillsToml,
    /// Another file of an OpenClaw workspace root (`AGENTS.md`, `TOOLS.md`,
    /// `HEARTBEAT.md`, ...); only inside a workspace, so a repository's
    /// `AGENTS.md` is not mistaken for one.
    Workspace,
    /// A Boternity workflow: a `.yaml`/`.yml` file with a workflow's keys, known by its content
    /// (`rules::workflow::looks_like`), never by its name alone.
    Workflow,
}

/// The bootstrap files of an OpenClaw workspace besides SOUL/IDENTITY/USER (spec §1.2).
pub const OPENCLAW_WORKSPACE_FILES: &[&str] = &[
    "AGENTS.md",
    "TOOLS.md",
    "HEARTBEAT.md",
    "BOOTSTRAP.md",
    "MEMORY.md",
];

impl FileKind {
    pub fn from_path(path: &Path) -> Option<FileKind> {
        match path.file_name()?.to_str()? {
            "SKILL.md" => Some(FileKind::Skill),
            "IDENTITY.md" => Some(FileKind::Identity),
            "SOUL.md" => Some(FileKind::Soul),
            "USER.md" => Some(FileKind::User),
            "skills.toml" => Some(FileKind::SkillsToml),
            name if OPENCLAW_WORKSPACE_FILES.contains(&name)
                && dialect::openclaw_workspace_of(path).is_some() =>
            {
                Some(FileKind::Workspace)
            }
            _ => None,
        }
    }

    /// `from_path`, plus a skill file under a case-variant name (`skill.md`)
    /// with no `SKILL.md` beside it, which `check` validates and reports.
    pub fn detect(path: &Path) -> Option<FileKind> {
        FileKind::from_path(path)
            .or_else(|| rules::skill_file_name::is_misnamed(path).then_some(FileKind::Skill))
    }

    /// [`FileKind::detect`], plus a workflow when `path` is a YAML file whose `text` is one.
    pub fn of_text(path: &Path, text: &str) -> Option<FileKind> {
        FileKind::detect(path).or_else(|| {
            (rules::workflow::is_yaml_path(path) && rules::workflow::looks_like(text))
                .then_some(FileKind::Workflow)
        })
    }

    /// The kind a file is indexed as: by its name ([`FileKind::from_path`]: a misnamed skill file
    /// is reported, not indexed), or a workflow by its content.
    pub fn indexed(path: &Path, text: &str) -> Option<FileKind> {
        FileKind::from_path(path).or_else(|| {
            (FileKind::of_text(path, text) == Some(FileKind::Workflow))
                .then_some(FileKind::Workflow)
        })
    }

    /// [`FileKind::detect`], plus a workflow when `path` is a YAML file on disk whose content is
    /// one (read only for `.yaml`/`.yml` files, and only their first 256 KB).
    pub fn of_file(path: &Path) -> Option<FileKind> {
        if let Some(k) = FileKind::detect(path) {
            return Some(k);
        }
        if !rules::workflow::is_yaml_path(path) {
            return None;
        }
        use std::io::Read;
        let mut head = Vec::new();
        std::fs::File::open(path)
            .ok()?
            .take(256 * 1024)
            .read_to_end(&mut head)
            .ok()?;
        rules::workflow::looks_like(&String::from_utf8_lossy(&head)).then_some(FileKind::Workflow)
    }
}

/// What analysing one file produced.
#[derive(Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    /// SKILL.md's parsed frontmatter.
    pub yaml: Option<Node>,
    /// SOUL.md / IDENTITY.md fields as Boternity's line reader sees them.
    pub fields: Vec<LineField>,
    pub outline: Outline,
    pub attachments: Vec<Attachment>,
    /// The dialect the file was validated as.
    pub dialect: Option<Detection>,
    /// A SKILL.md inside another skill's folder: that skill's folder. Such a file is bundled
    /// content (an example, a test fixture), not validated or indexed as a skill.
    pub bundled_in: Option<PathBuf>,
    /// A skill's bundled files (scripts, Markdown references) with security findings, each with
    /// its findings: reported on those files, by `check` and by the server alike.
    pub bundle: Vec<rules::bundle::Finding>,
    /// A workflow's name, steps, references and triggers.
    pub workflow: Option<rules::workflow::WorkflowInfo>,
}

/// The names that make a folder a skill's, ClawHub's legacy spellings included (spec
/// openclaw-formats §4.1).
const SKILL_FILE_NAMES: &[&str] = &["SKILL.md", "skill.md", "skills.md", "SKILLS.md"];

/// The folder of the skill whose bundle holds the file at `path` (of `kind`), if any: the nearest
/// folder above it (above the skill's own, for a SKILL.md) with a skill file, at most six levels
/// up. Agents load `<skills folder>/<name>/SKILL.md` only (OpenClaw's loader, spec openclaw-formats
/// §4.6; Boternity and Claude Code likewise), so once a skill is installed, what its folder holds
/// (examples, fixtures, a `skills/` folder of sub-skills, a persona's SOUL.md) is never loaded as a
/// skill or a bot.
pub fn enclosing_skill(kind: FileKind, path: &Path) -> Option<PathBuf> {
    enclosing_skill_with(kind, path, &holds_skill_file)
}

/// [`enclosing_skill`], asking `holds` whether a folder has a skill file.
fn enclosing_skill_with(
    kind: FileKind,
    path: &Path,
    holds: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let mut dir = path.parent()?;
    if kind == FileKind::Skill {
        dir = dir.parent()?;
    }
    for _ in 0..6 {
        if holds(dir) {
            return Some(dir.to_path_buf());
        }
        dir = dir.parent()?;
    }
    None
}

fn holds_skill_file(dir: &Path) -> bool {
    SKILL_FILE_NAMES.iter().any(|n| dir.join(n).is_file())
}

/// Which folders hold a skill file, each asked of the file system once: the files of a tree
/// share their parents, and `check` of an archive asked the same few folders for every skill in
/// them (four names each, most of them missing) as often as the rest of its system calls put
/// together. For one run over a tree that does not change meanwhile; the editor asks anew.
#[derive(Default)]
pub struct SkillFolders(std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>);

impl SkillFolders {
    fn holds(&self, dir: &Path) -> bool {
        let known = self.0.lock().ok().and_then(|m| m.get(dir).copied());
        known.unwrap_or_else(|| {
            // Asked outside the lock: two threads may ask at once, and agree.
            let holds = holds_skill_file(dir);
            if let Ok(mut m) = self.0.lock() {
                m.insert(dir.to_path_buf(), holds);
            }
            holds
        })
    }
}

/// What analysis needs besides the text: the profile and OpenClaw's limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub profile: Profile,
    pub limits: rules::openclaw_workspace::Limits,
}

/// Analyse `text`, the content of `path`.
pub fn analyze(kind: FileKind, path: &Path, text: &str, profile: Profile) -> Analysis {
    analyze_with(
        kind,
        path,
        text,
        &Options {
            profile,
            ..Options::default()
        },
    )
}

/// `analyze` with every option.
pub fn analyze_with(kind: FileKind, path: &Path, text: &str, opts: &Options) -> Analysis {
    analyze_listed(kind, path, text, opts, None, None)
}

/// `analyze_with`, given a skill's bundled files when the caller has listed them already
/// (`check` walks a tree once and hands each skill its files; `None`: walked here), and what
/// the caller knows of which folders hold a skill (`None`: asked of the file system here).
pub fn analyze_listed(
    kind: FileKind,
    path: &Path,
    text: &str,
    opts: &Options,
    bundle: Option<Vec<rules::bundle::BundleFile>>,
    folders: Option<&SkillFolders>,
) -> Analysis {
    // Counted by tests/incremental.rs: an edit must analyse only the edited file.
    tracing::debug!("analysing {}", path.display());
    let mut a = Analysis::default();
    let detection = dialect::detect(kind, path, text, opts.profile);
    let dialect = detection.dialect;
    a.dialect = Some(detection);
    // The rules written for Boternity and the Agent Skills specification.
    let profile = if opts.profile.strict() {
        Profile::Agentskills
    } else {
        Profile::Boternity
    };
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|f| f.to_str());
    let diags = &mut a.diagnostics;
    // A workflow is a project's YAML file wherever it lies, a skill's folder included.
    let bundled_in = (kind != FileKind::Workflow)
        .then(|| match folders {
            Some(f) => enclosing_skill_with(kind, path, &|d| f.holds(d)),
            None => enclosing_skill(kind, path),
        })
        .flatten();
    match (kind, dialect) {
        (_, _) if bundled_in.is_some() => {
            let outer = bundled_in.clone().unwrap_or_default();
            let name = outer
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            diags.push(Diagnostic::new(
                &forge_syntax::codes::SKILL_NESTED,
                forge_syntax::frontmatter::first_line(text),
                format!(
                    "This {} lies inside the folder of the skill `{name}`: agents load only that skill's own SKILL.md, so this file is bundled content (an example, a fixture), not a {}. It is not validated as one.",
                    path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
                    if kind == FileKind::Skill { "skill" } else { "bot's file" }
                ),
            ));
            a.outline = forge_syntax::markdown::outline(text, 0..text.len());
        }
        (FileKind::Skill, _) => {
            rules::skill_file_name::check(path, text, profile == Profile::Agentskills, diags);
            // Walked once for the rules that read the bundle and for its findings.
            let bundle = bundle.unwrap_or_else(|| rules::bundle::files_of(path));
            let f = match dialect {
                Dialect::OpenClaw => {
                    let f = rules::openclaw_skill::check(text, folder, diags);
                    rules::openclaw_skill::bundle(&bundle, text, folder, &f, diags);
                    f
                }
                Dialect::ClaudeCode => rules::claude_skill::check(text, folder, diags),
                Dialect::Boternity | Dialect::AgentSkills => {
                    rules::skill::check(text, folder, profile, diags)
                }
            };
            diags.extend(security::scan(text, rules::bundle::Lang::Markdown));
            // The bundle's other files: read only when their size or time changed (cached).
            a.bundle = rules::bundle::security(&bundle);
            if let Some(fm) = &f.frontmatter {
                a.outline = forge_syntax::markdown::outline(text, fm.body.clone());
            }
            a.yaml = f.root;
        }
        (FileKind::Identity, Dialect::OpenClaw) => {
            rules::openclaw_identity::check(path, text, diags);
            rules::openclaw_workspace::check(path, text, &opts.limits, diags);
            a.outline = forge_syntax::markdown::outline(text, 0..text.len());
        }
        (FileKind::Soul | FileKind::User | FileKind::Workspace, Dialect::OpenClaw) => {
            rules::openclaw_workspace::check(path, text, &opts.limits, diags);
            a.outline = forge_syntax::markdown::outline(text, 0..text.len());
        }
        // An OpenClaw-only file under a profile that does not know it.
        (FileKind::Workspace, _) => {
            a.outline = forge_syntax::markdown::outline(text, 0..text.len())
        }
        (FileKind::Identity, _) => {
            a.fields = rules::identity::check(text, folder, &mut a.diagnostics);
            // The body's structure only; the frontmatter would read as a setext heading.
            if let Ok(fm) =
                forge_syntax::frontmatter::frame(text, forge_syntax::frontmatter::Framing::Lenient)
            {
                a.outline = forge_syntax::markdown::outline(text, fm.body);
            }
        }
        (FileKind::Soul, _) => {
            let (fields, outline) = rules::soul::check(text, &mut a.diagnostics);
            a.fields = fields;
            a.outline = outline;
        }
        (FileKind::User, _) => a.outline = rules::user::check(text, &mut a.diagnostics),
        (FileKind::SkillsToml, _) => {
            a.attachments = rules::skills_toml::check(text, &mut a.diagnostics)
        }
        (FileKind::Workflow, _) => a.workflow = rules::workflow::check(text, diags),
    }
    a.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    a.bundled_in = bundled_in;
    a
}
