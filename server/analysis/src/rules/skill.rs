//! SKILL.md: Agent Skills fields plus Boternity's `metadata` extensions.

use std::ops::Range;

use super::{check_type, report_framing, unknown_key, Profile};
use crate::schema::{self, SKILL_FIELDS, SKILL_METADATA_FIELDS};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter::{self, Framing, Frontmatter};
use forge_syntax::yaml::{self, Kind, Node};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

pub const NAME_MAX: usize = 64;
pub const DESCRIPTION_MAX: usize = 1024;
pub const COMPATIBILITY_MAX: usize = 500;

/// What validation learnt about a skill file.
pub struct SkillFile {
    pub frontmatter: Option<Frontmatter>,
    pub root: Option<Node>,
}

pub fn check(
    text: &str,
    folder: Option<&str>,
    profile: Profile,
    diags: &mut Vec<Diagnostic>,
) -> SkillFile {
    let fm = report_framing(
        text,
        frontmatter::frame(
            text,
            if profile.strict() {
                Framing::SkillAnyNewline
            } else {
                Framing::Skill
            },
        ),
        "SKILL.md",
        diags,
    );
    let Some(fm) = fm else {
        return SkillFile {
            frontmatter: None,
            root: None,
        };
    };
    let parsed = yaml::parse(&text[fm.yaml.clone()], fm.yaml.start);
    let failed = parsed.root.is_none() && !parsed.errors.is_empty();
    for e in parsed.errors {
        let mut d = Diagnostic::new(e.code, e.range, e.message);
        if e.code.id == "yaml-duplicate-key" && !profile.strict() {
            d.message
                .push_str(" (Boternity's YAML reader rejects duplicate keys.)");
        }
        diags.push(d);
    }
    if failed {
        return SkillFile {
            frontmatter: Some(fm),
            root: None,
        };
    }
    let root = parsed.root;
    match &root {
        Some(node) if node.kind() == Kind::Map => check_fields(text, &fm, node, folder, profile, diags),
        Some(node) if node.kind() != Kind::Null => diags.push(Diagnostic::new(
            &codes::FRONTMATTER_NOT_MAPPING,
            node.span.clone(),
            "The frontmatter must be a mapping of `key: value` lines (at least `name` and `description`).",
        )),
        _ => {
            let empty = Node { span: fm.yaml.clone(), value: yaml::Value::Map(Vec::new()) };
            check_fields(text, &fm, &empty, folder, profile, diags);
        }
    }
    if !profile.strict() && text[fm.body.clone()].trim().is_empty() {
        diags.push(Diagnostic::new(
            &codes::SKILL_BODY_EMPTY,
            fm.close.clone(),
            "The skill has no instructions after its frontmatter; add what the agent should do and how to use the skill.",
        ));
    }
    SkillFile {
        frontmatter: Some(fm),
        root,
    }
}

fn check_fields(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    folder: Option<&str>,
    profile: Profile,
    diags: &mut Vec<Diagnostic>,
) {
    let unknown_severity = if profile.strict() {
        Severity::Error
    } else {
        Severity::Warning
    };
    for entry in root.as_map().unwrap_or_default() {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        match schema::find(SKILL_FIELDS, key) {
            Some(field) => check_type(field, &entry.value, text, diags),
            None => {
                let extra = if schema::find(SKILL_METADATA_FIELDS, key).is_some()
                    && !profile.strict()
                {
                    format!("; Boternity reads `{key}` only inside `metadata`, so move it there")
                } else if profile.strict() {
                    "; the Agent Skills specification allows only name, description, license, compatibility, allowed-tools and metadata".to_string()
                } else {
                    "; Boternity ignores it".to_string()
                };
                diags.push(unknown_key(
                    &entry.key,
                    SKILL_FIELDS,
                    "SKILL.md frontmatter",
                    unknown_severity,
                    &extra,
                ));
            }
        }
    }
    check_name(text, fm, root, folder, profile, diags);
    check_description(fm, root, diags);
    if let Some(c) = root.get("compatibility") {
        if profile.strict() && c.value.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.push(Diagnostic::new(&codes::FIELD_TYPE, c.value.span.clone(),
                "The Agent Skills specification wants `compatibility` to be 1–500 characters when present; fill it in or remove it."));
        }
        if let Some(s) = c.value.as_str() {
            let n = s.chars().count();
            if n > COMPATIBILITY_MAX {
                diags.push(Diagnostic::new(&codes::SKILL_COMPATIBILITY_TOO_LONG, c.value.span.clone(), format!(
                    "`compatibility` is {n} characters long; the limit is {COMPATIBILITY_MAX}. Shorten it."
                )));
            }
        }
    }
    match root.get("metadata") {
        None => {
            if !profile.strict() {
                diags.push(Diagnostic::new(&codes::SKILL_METADATA_MISSING, fm.open.clone(),
                    "No `metadata` section; consider adding `version`, `skill-type` and `capabilities` so Boternity knows how to run the skill."));
            }
        }
        Some(m) if profile.strict() => check_metadata_strings(&m.value, diags),
        Some(m) => check_metadata(text, fm, root, &m.value, diags),
    }
}

fn scalar_text(node: &Node) -> Option<&str> {
    if node.is_null() {
        None
    } else {
        node.as_str()
    }
}

fn check_name(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    folder: Option<&str>,
    profile: Profile,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(entry) = root.get("name") else {
        diags.push(Diagnostic::new(&codes::SKILL_NAME_MISSING, fm.open.clone(),
            "SKILL.md has no `name`; add `name: <skill-name>` (lowercase letters, digits and hyphens, the same as the folder's name)."));
        return;
    };
    let node = &entry.value;
    let Some(name) = scalar_text(node) else {
        if node.is_null() {
            diags.push(Diagnostic::new(
                &codes::SKILL_NAME_MISSING,
                entry.key.span.clone(),
                "`name` is empty; give the skill a name.",
            ));
        }
        return;
    };
    let range = node.span.clone();
    if name.is_empty() {
        diags.push(Diagnostic::new(
            &codes::SKILL_NAME_MISSING,
            range,
            "`name` is empty; give the skill a name.",
        ));
        return;
    }
    // The specification (and skills-ref) allow Unicode lowercase letters and
    // digits after NFKC normalisation; Boternity's loader only ASCII.
    let normalized: String;
    let name = if profile.strict() {
        normalized = name.trim().nfkc().collect();
        normalized.as_str()
    } else {
        name
    };
    let allowed = |c: char| {
        if profile.strict() {
            c == '-'
                || ((c.is_alphabetic() || c.is_numeric())
                    && !is_combining_mark(c)
                    && !c.is_uppercase())
        } else {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        }
    };
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        let mut d = Diagnostic::new(
            &codes::SKILL_NAME_INVALID,
            range.clone(),
            format!(
            "Skill name `{name}` contains `{bad}`; use only lowercase letters, digits and hyphens."
        ),
        );
        let fixed = slug(name);
        if !fixed.is_empty() && fixed != name {
            d = d.fix(format!("Change to `{fixed}`"), range.clone(), fixed);
        }
        diags.push(d);
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        let fixed = slug(name);
        let mut d = Diagnostic::new(&codes::SKILL_NAME_HYPHEN, range.clone(), format!(
            "Skill name `{name}` must not start or end with a hyphen or contain two hyphens in a row."
        ));
        if !fixed.is_empty() && fixed != name {
            d = d.fix(format!("Change to `{fixed}`"), range.clone(), fixed);
        }
        diags.push(d);
    }
    let n = name.chars().count();
    if n > NAME_MAX {
        diags.push(Diagnostic::new(
            &codes::SKILL_NAME_TOO_LONG,
            range.clone(),
            format!("Skill name is {n} characters long; the limit is {NAME_MAX}."),
        ));
    }
    let folder_norm: Option<String> = folder.map(|f| {
        if profile.strict() {
            f.nfkc().collect()
        } else {
            f.to_string()
        }
    });
    if let (Some(folder), Some(folder_norm)) = (folder, folder_norm) {
        if folder_norm != name {
            let mut d = Diagnostic::new(&codes::SKILL_NAME_FOLDER, range.clone(), format!(
                "Skill name `{name}` differs from its folder `{folder}`; Boternity finds skills by folder name. Rename one so they match."
            ));
            // Only a folder name that is itself a valid skill name can become the name.
            let folder_valid = !folder_norm.is_empty()
                && folder_norm.chars().all(allowed)
                && !(folder_norm.starts_with('-')
                    || folder_norm.ends_with('-')
                    || folder_norm.contains("--"));
            if folder_valid {
                d = d.fix(
                    format!("Change the name to `{folder}`"),
                    range,
                    super::requote(text, node, folder),
                );
            }
            diags.push(d);
        }
    }
}

/// A valid skill name made of `s` (the quick fixes' and the builder's one rule): lowercase ASCII
/// letters and digits, hyphens for everything else, no leading, trailing or double hyphens, at most
/// [`NAME_MAX`] characters. Empty when `s` has no ASCII letter or digit.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(NAME_MAX);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Whether `s` is a skill name Boternity loads (what [`slug`] makes).
pub fn is_valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= NAME_MAX
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_description(fm: &Frontmatter, root: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(entry) = root.get("description") else {
        diags.push(Diagnostic::new(
            &codes::SKILL_DESCRIPTION_MISSING,
            fm.open.clone(),
            "SKILL.md has no `description`; add one saying what the skill does and when to use it.",
        ));
        return;
    };
    let node = &entry.value;
    if let Some(range) = blank(entry) {
        diags.push(Diagnostic::new(
            &codes::SKILL_DESCRIPTION_EMPTY,
            range,
            "The description is empty; say what the skill does and when to use it.",
        ));
        return;
    }
    if let Some(s) = node.as_str() {
        let n = s.chars().count();
        if n > DESCRIPTION_MAX {
            diags.push(Diagnostic::new(&codes::SKILL_DESCRIPTION_TOO_LONG, node.span.clone(), format!(
                "The description is {n} characters long; the limit is {DESCRIPTION_MAX}. Move details into the body."
            )));
        }
    }
}

/// Where to point when a field's value is null or blank: the key for null.
pub(crate) fn blank(entry: &yaml::Entry) -> Option<Range<usize>> {
    let node = &entry.value;
    if node.is_null() {
        Some(entry.key.span.clone())
    } else if node.as_str().is_some_and(|s| s.trim().is_empty()) {
        Some(node.span.clone())
    } else {
        None
    }
}

/// The entries of `metadata`, or a type diagnostic saying it must be `want`.
fn metadata_entries<'a>(
    meta: &'a Node,
    want: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a [yaml::Entry]> {
    let entries = meta.as_map();
    if entries.is_none() && !meta.is_null() {
        diags.push(Diagnostic::new(
            &codes::FIELD_TYPE,
            meta.span.clone(),
            format!("`metadata` must be {want}, not {}.", meta.kind().describe()),
        ));
    }
    entries
}

/// Profile `agentskills`: `metadata` is a map of strings to strings.
fn check_metadata_strings(meta: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(entries) = metadata_entries(meta, "a mapping of keys to string values", diags) else {
        return;
    };
    for e in entries {
        // Any scalar is text to a strict YAML reader; only nested structures are not strings.
        if matches!(e.value.kind(), Kind::Seq | Kind::Map) {
            diags.push(Diagnostic::new(&codes::SKILL_METADATA_VALUE, e.value.span.clone(), format!(
                "The Agent Skills specification allows only string values in `metadata`; `{}` is {}. Quote it or make it a string.",
                e.key.as_str().unwrap_or("?"), e.value.kind().describe()
            )));
        }
    }
}

fn check_metadata(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    meta: &Node,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(entries) = metadata_entries(meta, "a mapping (indented `key: value` lines)", diags)
    else {
        return;
    };
    for e in entries {
        let Some(key) = e.key.as_str() else { continue };
        match schema::find(SKILL_METADATA_FIELDS, key) {
            Some(field) => check_type(field, &e.value, text, diags),
            None => {
                // Other metadata keys are free-form; only near-misses of Boternity's keys matter.
                if schema::suggest(SKILL_METADATA_FIELDS.iter().map(|f| f.key), key).is_some() {
                    diags.push(unknown_key(
                        &e.key,
                        SKILL_METADATA_FIELDS,
                        "`metadata`",
                        Severity::Warning,
                        "",
                    ));
                }
            }
        }
    }
    let name = root.get("name").and_then(|e| scalar_text(&e.value));
    match meta.get("version") {
        None => diags.push(Diagnostic::new(
            &codes::SKILL_VERSION_MISSING,
            meta_key_range(root, fm),
            "No `version` in metadata; consider adding `version: \"0.1.0\"`.",
        )),
        Some(v) => check_version(text, &v.value, diags),
    }
    match meta.get("skill-type") {
        None => diags.push(Diagnostic::new(&codes::SKILL_TYPE_MISSING, meta_key_range(root, fm),
            "No `skill-type` in metadata; consider `prompt` (instructions) or `tool` (callable). Without it Boternity treats the skill as a tool.")),
        Some(t) => {
            check_skill_type_hint(text, &t.value, diags);
            let caps_empty = meta.get("capabilities").is_none_or(|c| c.value.as_seq().is_some_and(|s| s.is_empty()) || c.value.is_null());
            if t.value.as_str() == Some("tool") && caps_empty {
                diags.push(Diagnostic::new(&codes::SKILL_TOOL_NO_CAPABILITIES, t.value.span.clone(),
                    "A tool skill without `capabilities` cannot perform any operation; list the capabilities it needs (e.g. `[http_get]`)."));
            }
        }
    }
    if let (Some(name), Some(c)) = (name, meta.get("conflicts-with")) {
        for item in c.value.as_seq().unwrap_or_default() {
            if item.as_str() == Some(name) {
                diags.push(Diagnostic::new(&codes::SKILL_CONFLICTS_SELF, item.span.clone(), format!(
                    "Skill `{name}` lists itself in `conflicts-with`; Boternity rejects this. Remove the entry."
                )));
            }
        }
    }
    if let Some(p) = meta.get("parents") {
        let n = p.value.as_seq().map_or(0, |s| s.len());
        if n > 3 {
            diags.push(Diagnostic::new(
                &codes::SKILL_TOO_MANY_PARENTS,
                p.key.span.clone(),
                format!(
                "{n} parents exceed Boternity's recommended maximum of 3; combine some of them."
            ),
            ));
        }
    }
    if let Some(d) = meta.get("dependencies") {
        for item in d.value.as_seq().unwrap_or_default() {
            let Some(dep) = item.as_str() else { continue };
            if let Some(problem) = dependency_problem(dep) {
                diags.push(Diagnostic::new(
                    &codes::SKILL_DEPENDENCY_INVALID,
                    item.span.clone(),
                    problem,
                ));
            }
        }
    }
}

/// Split `name@req` and check both halves.
pub fn parse_dependency(dep: &str) -> (&str, Option<&str>) {
    match dep.split_once('@') {
        Some((name, req)) => (name.trim(), Some(req.trim())),
        None => (dep.trim(), None),
    }
}

fn dependency_problem(dep: &str) -> Option<String> {
    let (name, req) = parse_dependency(dep);
    if name.is_empty() {
        return Some(format!(
            "`{dep}` names no skill; write `name` or `name@^1.0`."
        ));
    }
    if let Some(req) = req {
        if let Err(e) = semver::VersionReq::parse(req) {
            return Some(format!("`{req}` is not a semver requirement ({e}); write e.g. `{name}@^1.0` or `{name}@>=1.2, <2`."));
        }
    }
    None
}

fn meta_key_range(root: &Node, fm: &Frontmatter) -> Range<usize> {
    root.get("metadata")
        .map_or(fm.open.clone(), |m| m.key.span.clone())
}

fn check_version(text: &str, node: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(v) = scalar_text(node) else { return };
    if semver::Version::parse(v).is_ok() {
        return;
    }
    let mut msg = format!("`{v}` is not a strict semver version (MAJOR.MINOR.PATCH); Boternity fails to load the skill.");
    if matches!(node.kind(), Kind::Float | Kind::Int) {
        msg.push_str(" YAML reads it as a number; quote a full version instead.");
    }
    let mut d = Diagnostic::new(&codes::SKILL_VERSION_INVALID, node.span.clone(), msg);
    if let Some(fixed) = fix_semver(v) {
        d = d.fix(
            format!("Change to \"{fixed}\""),
            node.span.clone(),
            format!("\"{fixed}\""),
        );
    }
    diags.push(d);
    let _ = text;
}

/// `1.0` → `1.0.0`, `v1.2.3` → `1.2.3`, `2` → `2.0.0`.
pub fn fix_semver(v: &str) -> Option<String> {
    let core = v.trim().trim_start_matches(['v', 'V']);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut nums: Vec<String> = parts
        .iter()
        .map(|p| p.trim_start_matches('0').to_string())
        .map(|p| if p.is_empty() { "0".into() } else { p })
        .collect();
    while nums.len() < 3 {
        nums.push("0".into());
    }
    let fixed = nums.join(".");
    semver::Version::parse(&fixed).ok().map(|_| fixed)
}

/// `rust`, `wasm` and `local` come from Boternity's own builder; say so.
fn check_skill_type_hint(text: &str, node: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(v) = node.as_str() else { return };
    let right = match v {
        "rust" | "wasm" => "tool",
        "local" => "prompt",
        _ => return,
    };
    // Replace the generic enum diagnostic with the specific one.
    diags.retain(|d| !(d.code == codes::SKILL_TYPE_INVALID.id && d.range == node.span));
    diags.push(
        Diagnostic::new(&codes::SKILL_TYPE_INVALID, node.span.clone(), format!(
            "`skill-type: {v}` fails to load: Boternity's skill builder suggests `{v}`, but its loader only accepts `prompt` or `tool`. A {} skill is `{right}`.",
            if right == "tool" { "WASM" } else { "local prompt" }
        ))
        .fix(format!("Change to `{right}`"), node.span.clone(), super::requote(text, node, right)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_fixes() {
        assert_eq!(fix_semver("1.0").as_deref(), Some("1.0.0"));
        assert_eq!(fix_semver("v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(fix_semver("2").as_deref(), Some("2.0.0"));
        assert_eq!(fix_semver("abc"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("My Skill!"), "my-skill");
        assert_eq!(slug("--a--b--"), "a-b");
        let long = slug(&"ab-".repeat(40));
        assert!(long.len() <= NAME_MAX && is_valid_name(&long), "{long}");
        assert!(!is_valid_name("a--b") && !is_valid_name("Bad") && !is_valid_name("-x"));
    }
}
