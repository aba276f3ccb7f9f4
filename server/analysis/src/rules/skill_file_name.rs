//! Spec §6 rule 23: a skill manifest not named exactly `SKILL.md` (`skill.md`,
//! `Skill.md`, `SKILLS.md`). ClawHub matches the name case-insensitively, but
//! OpenClaw, Claude Code and Boternity look for `SKILL.md`, so on a
//! case-sensitive disk the skill is never loaded.

use std::path::Path;

use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;

pub const NAME: &str = "SKILL.md";

/// Names ClawHub accepts for the manifest, compared without case.
const VARIANTS: &[&str] = &["skill.md", "skills.md"];

/// `path` is a case-variant manifest with no `SKILL.md` beside it. The
/// folder is listed rather than probed, because on a case-insensitive disk
/// `SKILL.md` "exists" whenever `skill.md` does.
pub fn is_misnamed(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name == NAME || !VARIANTS.iter().any(|v| v.eq_ignore_ascii_case(name)) {
        return false;
    }
    let Some(Ok(entries)) = path.parent().map(std::fs::read_dir) else {
        return true;
    };
    !entries
        .flatten()
        .any(|e| e.file_name().to_str() == Some(NAME))
}

/// The diagnostic for a skill file analysed under another name. Under the
/// plain Agent Skills profile it is a warning: the reference validator
/// (`skills-ref`) accepts `skill.md`, only the agents do not load it.
pub fn check(path: &Path, text: &str, agentskills: bool, diags: &mut Vec<Diagnostic>) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    if name == NAME {
        return;
    }
    let d = Diagnostic::new(&codes::SKILL_FILE_NAME, forge_syntax::frontmatter::first_line(text), format!(
        "The file is named `{name}`: OpenClaw, Claude Code and Boternity load only `{NAME}`, so the skill works only on a case-insensitive disk (ClawHub accepts it). Rename the file to `{NAME}`."
    ));
    diags.push(if agentskills {
        d.severity(forge_syntax::diagnostic::Severity::Warning)
    } else {
        d
    });
}
