//! Portability toward the Agent Skills specification for skills written for
//! another agent (OpenClaw, Claude Code): the same name rules as
//! `skill::check_name`, but as warnings, because the agent itself loads the
//! skill anyway. Under the profile `agentskills` these files are checked by
//! `skill` strictly instead.

use super::requote;
use super::skill::{slug, NAME_MAX};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter::Frontmatter;
use forge_syntax::yaml::Node;

/// `name` against the Agent Skills rules; `agent` says who falls back to what.
pub fn check_name(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    folder: Option<&str>,
    agent: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let warn =
        |code, range, msg: String| Diagnostic::new(code, range, msg).severity(Severity::Warning);
    let Some(entry) = root.get("name") else {
        diags.push(warn(&codes::SKILL_NAME_MISSING, fm.open.clone(), format!(
            "No `name`: {agent} uses the folder's name, but the Agent Skills specification requires one. Add `name: {}`.",
            folder.map_or("<skill-name>".to_string(), slug)
        )));
        return;
    };
    let node = &entry.value;
    let Some(name) = node
        .as_str()
        .filter(|s| !s.trim().is_empty() && !node.is_null())
    else {
        diags.push(warn(
            &codes::SKILL_NAME_MISSING,
            entry.key.span.clone(),
            format!("`name` is empty: {agent} uses the folder's name. Give the skill a name."),
        ));
        return;
    };
    let range = node.span.clone();
    let fixed = slug(name);
    let with_fix = |d: Diagnostic| {
        if !fixed.is_empty() && fixed != name {
            d.fix(
                format!("Change to `{fixed}`"),
                range.clone(),
                requote(text, node, &fixed),
            )
        } else {
            d
        }
    };
    let mut valid = true;
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        valid = false;
        diags.push(with_fix(warn(&codes::SKILL_NAME_INVALID, range.clone(), format!(
            "Skill name `{name}` contains `{bad}`; the Agent Skills specification allows only lowercase letters, digits and hyphens ({agent} accepts it, other agents may not)."
        ))));
    } else if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        valid = false;
        diags.push(with_fix(warn(&codes::SKILL_NAME_HYPHEN, range.clone(), format!(
            "Skill name `{name}` starts or ends with a hyphen or has two in a row; the Agent Skills specification forbids that."
        ))));
    }
    let n = name.chars().count();
    if n > NAME_MAX {
        diags.push(warn(
            &codes::SKILL_NAME_TOO_LONG,
            range.clone(),
            format!(
            "Skill name is {n} characters long; the Agent Skills specification allows {NAME_MAX}."
        ),
        ));
    }
    if let Some(folder) = folder {
        if folder != name {
            let mut d = warn(&codes::SKILL_NAME_FOLDER, range.clone(), format!(
                "Skill name `{name}` differs from its folder `{folder}`; {agent} goes by the name, the Agent Skills specification wants them equal."
            ));
            if valid && slug(folder) == folder {
                d = d.fix(
                    format!("Change the name to `{folder}`"),
                    range,
                    requote(text, node, folder),
                );
            }
            diags.push(d);
        }
    }
}
