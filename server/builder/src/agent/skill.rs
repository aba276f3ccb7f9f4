//! Skill drafting by the model (formats §7.9): one `skill_generation` call, the SKILL.md checked with
//! forge-ls's own rules, and its errors sent back for one repair round.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{line_of, Model, Rejection};
use crate::{SkillConfig, SkillType};
use forge_analysis::rules::Profile;
use forge_analysis::{analyze, FileKind};
use forge_llm::prompt::{skill_generation_request, SkillKind};
use forge_llm::LlmError;
use forge_syntax::diagnostic::{Diagnostic, Severity};

/// The `skill_generation` reply. `capabilities` is not read: the capabilities that count are the
/// ones in the SKILL.md's metadata, which the rules check.
#[derive(Debug, Deserialize)]
struct Generated {
    skill_md: String,
    #[serde(default)]
    source_code: Option<String>,
}

/// A SKILL.md the model wrote, with what forge-ls's rules say about it.
#[derive(Debug, Clone)]
pub struct SkillDraft {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Rust source for a WASM (tool) skill, written to `src/lib.rs` next to the SKILL.md (§7.9).
    pub source_code: Option<String>,
}

impl SkillDraft {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// What drafting produced.
#[derive(Debug)]
pub enum Drafted {
    /// Valid (perhaps after the repair round).
    Valid(SkillDraft),
    /// Still has errors after the repair round: install only if the user confirms.
    Invalid(SkillDraft),
    /// The model never produced a SKILL.md at all (not JSON, not the schema).
    Unusable(String),
}

fn check(
    v: Value,
    path: &Path,
    profile: Profile,
    kind: SkillKind,
) -> Result<SkillDraft, Rejection<SkillDraft>> {
    let g: Generated = serde_json::from_value(v).map_err(|e| Rejection {
        problem: e.to_string(),
        candidate: None,
    })?;
    let text = if g.skill_md.ends_with('\n') {
        g.skill_md
    } else {
        g.skill_md + "\n"
    };
    let diagnostics = analyze(FileKind::Skill, path, &text, profile).diagnostics;
    // A prompt skill has no code, whatever the model sent.
    let source_code = g
        .source_code
        .filter(|c| kind == SkillKind::Wasm && !c.trim().is_empty());
    let draft = SkillDraft {
        text,
        diagnostics,
        source_code,
    };
    if !draft.has_errors() {
        return Ok(draft);
    }
    let lines: Vec<String> = draft
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "line {}: {} ({})",
                line_of(&draft.text, d.range.start),
                d.message,
                d.code
            )
        })
        .collect();
    Err(Rejection {
        problem: format!(
            "the language server found errors in skill_md: {}. Fix them and keep everything else",
            lines.join("; ")
        ),
        candidate: Some(Box::new(draft)),
    })
}

/// Asks the model for `skill`'s SKILL.md, to be written at `path`.
pub async fn draft_skill(
    model: &Model,
    skill: &SkillConfig,
    path: &Path,
    profile: Profile,
    cancel: &CancellationToken,
) -> Result<Drafted, LlmError> {
    let kind = match skill.skill_type {
        SkillType::Prompt => SkillKind::Local,
        SkillType::Tool => SkillKind::Wasm,
    };
    let caps: Vec<String> = skill
        .capabilities
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let req = skill_generation_request(&skill.name, &skill.description, kind, &caps);
    Ok(
        match model
            .ask_with_repair(&req, cancel, |v| check(v, path, profile, kind))
            .await?
        {
            Ok(d) => Drafted::Valid(d),
            Err(Rejection {
                candidate: Some(d), ..
            }) => Drafted::Invalid(*d),
            Err(r) => Drafted::Unusable(r.problem),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skill_md_is_checked_by_the_rules() {
        let path = Path::new("/ws/skills/page-sum/SKILL.md");
        let good = "---\nname: page-sum\ndescription: Summarise a web page when asked for a summary.\n---\n\n# Page sum\n\nFetch the page and summarise it.\n";
        let ok = check(
            json!({"skill_md": good, "capabilities": [], "source_code": "fn f() {}"}),
            path,
            Profile::Boternity,
            SkillKind::Local,
        )
        .unwrap();
        assert!(!ok.has_errors());
        assert_eq!(ok.source_code, None, "a prompt skill has no code");
        let tool = check(
            json!({"skill_md": good, "source_code": "fn f() {}"}),
            path,
            Profile::Boternity,
            SkillKind::Wasm,
        )
        .unwrap();
        assert_eq!(tool.source_code.as_deref(), Some("fn f() {}"));
        let bad = "---\nname: Other Name\n---\nbody";
        let r = check(
            json!({"skill_md": bad}),
            path,
            Profile::Boternity,
            SkillKind::Local,
        )
        .unwrap_err();
        assert!(
            r.problem
                .starts_with("the language server found errors in skill_md: line "),
            "{}",
            r.problem
        );
        assert!(r.candidate.unwrap().has_errors());
        let r = check(
            json!({"markdown": good}),
            path,
            Profile::Boternity,
            SkillKind::Local,
        )
        .unwrap_err();
        assert!(r.candidate.is_none());
        assert!(r.problem.contains("skill_md"), "{}", r.problem);
    }
}
