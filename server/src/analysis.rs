//! One file in, diagnostics and structure out: the entry point of the
//! per-file rules. Pure functions; the server and `check` both call them.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::markdown::Outline;
use crate::rules::{self, lines::LineField, skills_toml::Attachment, Profile};
use crate::yaml::Node;

/// The files forge-ls understands, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Skill,
    Identity,
    Soul,
    User,
    SkillsToml,
}

impl FileKind {
    pub fn from_path(path: &Path) -> Option<FileKind> {
        match path.file_name()?.to_str()? {
            "SKILL.md" => Some(FileKind::Skill),
            "IDENTITY.md" => Some(FileKind::Identity),
            "SOUL.md" => Some(FileKind::Soul),
            "USER.md" => Some(FileKind::User),
            "skills.toml" => Some(FileKind::SkillsToml),
            _ => None,
        }
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
}

/// Analyse `text`, the content of `path`.
pub fn analyze(kind: FileKind, path: &Path, text: &str, profile: Profile) -> Analysis {
    // Counted by tests/incremental.rs: an edit must analyse only the edited file.
    tracing::debug!("analysing {}", path.display());
    let mut a = Analysis::default();
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|f| f.to_str());
    match kind {
        FileKind::Skill => {
            let f = rules::skill::check(text, folder, profile, &mut a.diagnostics);
            if let Some(fm) = &f.frontmatter {
                a.outline = crate::markdown::outline(text, fm.body.clone());
            }
            a.yaml = f.root;
        }
        FileKind::Identity => {
            a.fields = rules::identity::check(text, folder, &mut a.diagnostics);
            // The body's structure only; the frontmatter would read as a setext heading.
            if let Ok(fm) = crate::frontmatter::frame(text, crate::frontmatter::Framing::Lenient) {
                a.outline = crate::markdown::outline(text, fm.body);
            }
        }
        FileKind::Soul => {
            let (fields, outline) = rules::soul::check(text, &mut a.diagnostics);
            a.fields = fields;
            a.outline = outline;
        }
        FileKind::User => a.outline = rules::user::check(text, &mut a.diagnostics),
        FileKind::SkillsToml => a.attachments = rules::skills_toml::check(text, &mut a.diagnostics),
    }
    a.diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    a
}
