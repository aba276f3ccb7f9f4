//! SKILL.md as OpenClaw and ClawHub read it (spec §4): OpenClaw's framing,
//! YAML 1.2 with flow collections, its top-level keys, and the `metadata`
//! manifest (`openclaw_manifest`). Errors only where OpenClaw would not load
//! the skill (§4.5); everything it merely ignores is a warning or less.

use std::ops::Range;

use super::{number_strings, openclaw_manifest, portable, requote, shift, skill};
use crate::agent_schema::{self as agents, OPENCLAW_SKILL_FIELDS};
use crate::schema::{self, Ty};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Edit, Fix, Severity};
use forge_syntax::frontmatter::{self, Framing, FramingError, Frontmatter};
use forge_syntax::yaml::{self, Kind, Node};

/// `skills.limits.maxSkillFileBytes`' default: a larger SKILL.md is skipped.
pub const MAX_SKILL_BYTES: usize = 256_000;
/// OpenClaw's docs advise descriptions of one line under this many characters.
pub const DESCRIPTION_ADVISED: usize = 160;

pub fn check(text: &str, folder: Option<&str>, diags: &mut Vec<Diagnostic>) -> skill::SkillFile {
    if text.len() > MAX_SKILL_BYTES {
        diags.push(Diagnostic::new(&codes::OPENCLAW_SKILL_TOO_LARGE, frontmatter::first_line(text), format!(
            "SKILL.md is {} bytes; OpenClaw skips skill files over {MAX_SKILL_BYTES} bytes (`skills.limits.maxSkillFileBytes`). Move material into files beside it.",
            text.len()
        )));
    }
    let Some(fm) = frame(
        text,
        frontmatter::frame(text, Framing::SkillAnyNewline),
        "OpenClaw",
        true,
        diags,
    ) else {
        return skill::SkillFile {
            frontmatter: None,
            root: None,
        };
    };
    delimiters(text, &fm, diags);
    let parsed = yaml::parse(&text[fm.yaml.clone()], fm.yaml.start);
    let failed = parsed.root.is_none() && !parsed.errors.is_empty();
    let quote_fix = quote_fix(text, &fm);
    // Since 2026-03-30 OpenClaw reads a frontmatter that is not YAML with its line parser: the skill
    // loads when that finds a description, and only older releases and ClawHub lose it.
    // (Any YAML error, a duplicate key included, makes OpenClaw's YAML pass fail.)
    let lines_find_description =
        !parsed.errors.is_empty() && line_pass_description(&text[fm.yaml.clone()]).is_some();
    for e in parsed.errors {
        let mut d = if lines_find_description {
            Diagnostic::new(e.code, e.range, format!(
                "{} OpenClaw reads this frontmatter with its line parser and loads the skill, but OpenClaw releases from 2026-01-20 to 2026-03-30 drop it and ClawHub publishes it without metadata.",
                e.message
            ))
            .severity(Severity::Warning)
        } else {
            Diagnostic::new(e.code, e.range, format!(
                "{} OpenClaw's line parser finds no `description` in it either, so OpenClaw does not load the skill (and ClawHub drops a frontmatter that is not valid YAML 1.2).",
                e.message
            ))
        };
        if let (Some(fix), true) = (&quote_fix, e.code.id == codes::YAML_SYNTAX.id) {
            d.fixes.push(fix.clone());
        }
        diags.push(d);
    }
    let root = parsed.root.filter(|_| !failed);
    match &root {
        Some(node) if node.kind() == Kind::Map => fields(text, &fm, node, folder, diags),
        Some(node) if node.kind() != Kind::Null => diags.push(Diagnostic::new(
            &codes::FRONTMATTER_NOT_MAPPING,
            node.span.clone(),
            "The frontmatter must be a mapping of `key: value` lines; OpenClaw finds no `description` and does not load the skill.",
        )),
        Some(_) | None if !failed => {
            let empty = Node { span: fm.yaml.clone(), value: yaml::Value::Map(Vec::new()) };
            fields(text, &fm, &empty, folder, diags);
        }
        _ => {}
    }
    skill::SkillFile {
        frontmatter: Some(fm),
        root,
    }
}

/// The `description` OpenClaw's line pass reads from a frontmatter block (spec §4.2a step 4:
/// `key: value` lines at column 0, an empty value continued by indented lines, one pair of quotes
/// dropped), if it is not empty.
pub fn line_pass_description(block: &str) -> Option<String> {
    let lines: Vec<&str> = block.lines().collect();
    let mut found = None;
    // Every `description:` line assigns again: the last one wins, as in OpenClaw's object.
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("description:") else {
            continue;
        };
        let mut value = rest.trim().to_string();
        if value.is_empty() {
            let cont: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| l.trim().is_empty() || l.starts_with([' ', '\t']))
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect();
            value = cont.join(" ");
        } else if value.len() >= 2
            && (value.starts_with('"') && value.ends_with('"')
                || value.starts_with('\'') && value.ends_with('\''))
        {
            value = value[1..value.len() - 1].to_string();
        }
        found = Some(value);
    }
    found.filter(|v| !v.trim().is_empty())
}

/// The rules that look beyond SKILL.md's own fields: the bundled scripts'
/// environment variables (`openclaw_scripts`) and ClawHub's publishing checks
/// (`openclaw_publish`).
/// `files`: the skill's bundled files ([`super::bundle::files`]).
pub fn bundle(
    files: &[super::bundle::BundleFile],
    text: &str,
    folder: Option<&str>,
    f: &skill::SkillFile,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(fm) = &f.frontmatter else { return };
    let root = f.root.as_ref().filter(|r| r.kind() == Kind::Map);
    super::openclaw_scripts::check(files, text, fm, root, diags);
    if let Some(folder) = folder {
        super::openclaw_publish::slug(fm, root, folder, diags);
    }
    super::openclaw_publish::gate(text, fm, root, diags);
}

/// Framing errors in the words of `agent`. `required`: without a frontmatter
/// the agent does not load the skill (OpenClaw); otherwise it is a portability
/// warning (Claude Code falls back to the folder name and first paragraph).
pub(crate) fn frame(
    text: &str,
    result: Result<Frontmatter, FramingError>,
    agent: &str,
    required: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Frontmatter> {
    let (severity, consequence) = if required {
        (Severity::Error, "and does not load the skill")
    } else {
        (
            Severity::Warning,
            "and ignores the fields; other agents reject the skill",
        )
    };
    match result {
        Ok(fm) => Some(fm),
        Err(FramingError::Bom) => {
            diags.push(
                Diagnostic::new(&codes::FRONTMATTER_BOM, 0..3, format!(
                    "SKILL.md starts with a byte-order mark: {agent} then sees no frontmatter {consequence}. Save it as UTF-8 without BOM."
                ))
                .severity(severity)
                .fix("Remove the byte-order mark", 0..3, ""),
            );
            let rest = &text[3..];
            frame(
                rest,
                frontmatter::frame(rest, Framing::SkillAnyNewline),
                agent,
                required,
                &mut Vec::new(),
            )
            .map(|fm| shift(fm, 3))
        }
        Err(FramingError::LeadingSpace { range, then }) => {
            diags.push(
                Diagnostic::new(&codes::FRONTMATTER_LEADING_SPACE, range.clone(), format!(
                    "{agent} reads a frontmatter only when `---` is the very first line; with blank lines or spaces before it, it sees none {consequence}. Remove them."
                ))
                .severity(severity)
                .fix("Remove the leading blank lines", range, ""),
            );
            frame(text, *then, agent, required, diags)
        }
        Err(FramingError::Missing { first_line }) => {
            diags.push(Diagnostic::new(&codes::FRONTMATTER_MISSING, first_line, format!(
                "SKILL.md has no frontmatter: {agent} finds no `description` {consequence}. Start the file with `---`, `name:`, `description:` and a closing `---`."
            )).severity(severity));
            None
        }
        Err(FramingError::Unclosed { open }) => {
            diags.push(Diagnostic::new(&codes::FRONTMATTER_UNCLOSED, open, format!(
                "This frontmatter is never closed, so {agent} does not load the skill; add a line `---` after the last field."
            )));
            None
        }
    }
}

/// ClawHub wants delimiter lines that are exactly `---`; OpenClaw closes at any
/// line that starts with `---`, so `----` in the body ends the block early.
pub(crate) fn delimiters(text: &str, fm: &Frontmatter, diags: &mut Vec<Diagnostic>) {
    for (range, which) in [(fm.open.clone(), "opening"), (fm.close.clone(), "closing")] {
        let end = text[range.start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| range.start + i);
        let line = &text[range.start..end];
        if line.trim_end_matches([' ', '\t']) == "---" {
            continue;
        }
        let msg = if which == "closing" {
            format!("`{line}` closes the frontmatter for OpenClaw (any line starting with `---` does), but ClawHub only accepts a line that is exactly `---`. Write `---`, or reword the line if it was meant for the body.")
        } else {
            format!("The opening line `{line}` is not exactly `---`; ClawHub then sees no frontmatter. Write `---`.")
        };
        diags.push(Diagnostic::new(
            &codes::FRONTMATTER_DELIMITER,
            range.start..end,
            msg,
        ));
    }
}

/// Whether `value` (trimmed, not empty) is certainly a valid plain scalar after `key: `, without
/// parsing it: it starts with a letter or digit (no indicator) and has no `:`, `#` or tab, which
/// are what can end or break a plain scalar on one line. Most values are; parsing each line on
/// its own was a tenth of a skill's analysis.
fn plainly_valid(value: &str) -> bool {
    value.as_bytes()[0].is_ascii_alphanumeric() && !value.contains([':', '#', '\t'])
}

/// Rule 26's quick fix: quote every top-level plain value that makes its line
/// invalid YAML on its own (`description: Triggers: x`, `argument-hint: [a] [b]`,
/// a value starting with `,`). `None` when no line is to blame.
pub(crate) fn quote_fix(text: &str, fm: &Frontmatter) -> Option<Fix> {
    let mut edits = Vec::new();
    let mut offset = fm.yaml.start;
    let block = &text[fm.yaml.clone()];
    let lines: Vec<&str> = block.split('\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r');
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value_trim = value.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            || value_trim.is_empty()
            || value_trim.starts_with(['"', '\'', '|', '>'])
        {
            continue;
        }
        // A continued plain scalar is not one line's problem.
        if lines.get(i + 1).is_some_and(|n| n.starts_with([' ', '\t'])) {
            continue;
        }
        if plainly_valid(value_trim) || yaml::parse(line, 0).errors.is_empty() {
            continue;
        }
        let vstart = start + key.len() + 1 + (value.len() - value.trim_start().len());
        let quoted = serde_json::to_string(value_trim).ok()?;
        edits.push(Edit {
            range: vstart..vstart + value_trim.len(),
            new_text: quoted,
        });
    }
    (!edits.is_empty()).then(|| Fix {
        title: "Quote the values YAML cannot read unquoted".into(),
        edits,
        safe: false,
    })
}

fn field<'a>(key: &str) -> Option<&'a schema::Field> {
    let key = agents::OPENCLAW_ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, k)| k);
    schema::find(OPENCLAW_SKILL_FIELDS, key)
}

fn get<'a>(root: &'a Node, key: &str) -> Option<&'a yaml::Entry> {
    root.get(key).or_else(|| {
        agents::OPENCLAW_ALIASES
            .iter()
            .find(|(_, k)| *k == key)
            .and_then(|(alias, _)| root.get(alias))
    })
}

fn fields(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    folder: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) {
    for entry in root.as_map().unwrap_or_default() {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        if let Some(f) = field(key) {
            value_type(text, f, entry, diags);
        } else if key.starts_with("metadata.") {
            diags.push(dotted_metadata(text, root, entry));
        } else if agents::GATING_KEYS.contains(&key) {
            let mut d = Diagnostic::new(&codes::OPENCLAW_GATING_TOP_LEVEL, entry.key.span.clone(), format!(
                "OpenClaw ignores `{key}` at the top level (ClawHub reads only `requires` and `primaryEnv` there); it belongs inside `metadata.openclaw`."
            ));
            if let Some(fix) = move_under_manifest(text, fm, root, entry) {
                d.fixes.push(fix);
            }
            diags.push(d);
        } else {
            let why = if schema::find(schema::SKILL_FIELDS, key).is_some() {
                "an Agent Skills key that OpenClaw does not use"
            } else {
                "not used by OpenClaw; harmless"
            };
            diags.push(
                Diagnostic::new(
                    &codes::UNKNOWN_KEY,
                    entry.key.span.clone(),
                    format!("`{key}`: {why}."),
                )
                .severity(Severity::Information),
            );
        }
    }
    // `description` and `version` have rules of their own for numbers.
    number_strings::check(
        text,
        root,
        |k| !matches!(k, "description" | "version") && field(k).is_some_and(|f| f.ty == Ty::String),
        "OpenClaw",
        diags,
    );
    portable::check_name(text, fm, root, folder, "OpenClaw", diags);
    slash_command(root, diags);
    description(fm, root, diags);
    command_dispatch(root, diags);
    if let Some(v) = root.get("version") {
        version(&v.value, diags);
    }
    if let Some(m) = root.get("metadata") {
        openclaw_manifest::check(text, m, diags);
    }
}

/// Type checks with OpenClaw's leniency: strings are anything scalar, booleans
/// are `true/false/yes/no/on/off/1/0`; a wrong value means the default applies.
fn value_type(text: &str, f: &schema::Field, entry: &yaml::Entry, diags: &mut Vec<Diagnostic>) {
    let node = &entry.value;
    let warn = |msg: String| {
        Diagnostic::new(&codes::FIELD_TYPE, node.span.clone(), msg).severity(Severity::Warning)
    };
    match f.ty {
        Ty::String if f.key != "description" && matches!(node.kind(), Kind::Seq | Kind::Map) => {
            diags.push(warn(format!(
                "`{}` should be a single string; OpenClaw turns {} into JSON text.",
                f.key,
                node.kind().describe()
            )))
        }
        Ty::Enum(values) if std::ptr::eq(values, agents::BOOLEANISH) => {
            let ok = node
                .as_str()
                .is_some_and(|s| values.iter().any(|v| v.name.eq_ignore_ascii_case(s.trim())));
            if !ok && !node.is_null() {
                let mut d = warn(format!(
                    "`{}` must be `true` or `false` (or yes/no, on/off, 1/0); OpenClaw uses the default `{}` for anything else.",
                    f.key,
                    f.default.unwrap_or("false")
                ));
                if let Some(s) = node.as_str() {
                    let b = match s.trim().to_ascii_lowercase().as_str() {
                        "y" | "enabled" | "enable" => Some("true"),
                        "n" | "disabled" | "disable" => Some("false"),
                        _ => None,
                    };
                    if let Some(b) = b {
                        d = d.fix(
                            format!("Change to `{b}`"),
                            node.span.clone(),
                            requote(text, node, b),
                        );
                    }
                }
                diags.push(d);
            }
        }
        _ => {}
    }
}

fn description(fm: &Frontmatter, root: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(entry) = root.get("description") else {
        diags.push(Diagnostic::new(&codes::SKILL_DESCRIPTION_MISSING, fm.open.clone(),
            "SKILL.md has no `description`, so OpenClaw does not load the skill. Add one saying what the skill does and when to use it."));
        return;
    };
    let node = &entry.value;
    if let Some(range) = skill::blank(entry) {
        diags.push(Diagnostic::new(&codes::SKILL_DESCRIPTION_EMPTY, range,
            "The description is empty, so OpenClaw does not load the skill. Say what the skill does and when to use it."));
        return;
    }
    let Some(s) = node.as_str() else {
        diags.push(Diagnostic::new(&codes::FIELD_TYPE, node.span.clone(), format!(
            "`description` is {}; OpenClaw turns it into JSON text (and releases of early 2026 did not load the skill). Write it as text.",
            node.kind().describe()
        )).severity(Severity::Warning));
        return;
    };
    let n = s.chars().count();
    if n > skill::DESCRIPTION_MAX {
        diags.push(Diagnostic::new(&codes::SKILL_DESCRIPTION_TOO_LONG, node.span.clone(), format!(
            "The description is {n} characters long; the Agent Skills specification allows {}. OpenClaw loads it, but every character costs prompt space.",
            skill::DESCRIPTION_MAX
        )).severity(Severity::Warning));
    } else if n > DESCRIPTION_ADVISED || s.trim_end().contains('\n') {
        diags.push(Diagnostic::new(&codes::OPENCLAW_DESCRIPTION_LONG, node.span.clone(), format!(
            "OpenClaw lists every description in the prompt; its docs advise one line under {DESCRIPTION_ADVISED} characters (this one is {n}{}).",
            if s.trim_end().contains('\n') { ", on several lines" } else { "" }
        )));
    }
}

/// OpenClaw's command name for a skill (§4.5): lower-cased, runs outside
/// `[a-z0-9_]` become `_`, trimmed of `_`, cut at 32, `skill` when empty.
pub fn slash_command_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out
        .trim_matches('_')
        .chars()
        .take(SLASH_COMMAND_MAX)
        .collect();
    if out.is_empty() {
        "skill".into()
    } else {
        out
    }
}

/// Longest slash command OpenClaw derives.
pub const SLASH_COMMAND_MAX: usize = 32;

/// Rule 30's hint: the command differs from the name by more than `-` → `_`.
fn slash_command(root: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(e) = root.get("name") else { return };
    let Some(name) = e.value.as_str().filter(|s| !s.trim().is_empty()) else {
        return;
    };
    let off = get(root, "user-invocable")
        .and_then(|u| u.value.as_str())
        .is_some_and(|v| {
            ["false", "no", "off", "0"].contains(&v.trim().to_ascii_lowercase().as_str())
        });
    let cmd = self::slash_command_name(name);
    if off || cmd == name.replace('-', "_") {
        return;
    }
    diags.push(Diagnostic::new(&codes::OPENCLAW_SLASH_COMMAND, e.value.span.clone(), format!(
        "OpenClaw offers this skill as `/{cmd}` (lower case, `_` for other characters, at most {SLASH_COMMAND_MAX} characters)."
    )));
}

fn command_dispatch(root: &Node, diags: &mut Vec<Diagnostic>) {
    if let Some(e) = get(root, "command-dispatch") {
        let v = e.value.as_str().unwrap_or_default().trim();
        if !v.eq_ignore_ascii_case("tool") {
            diags.push(Diagnostic::new(&codes::OPENCLAW_COMMAND_DISPATCH, e.value.span.clone(), format!(
                "OpenClaw only knows `command-dispatch: tool`; `{v}` is ignored and the command goes to the model."
            )));
        } else if get(root, "command-tool")
            .is_none_or(|t| t.value.as_str().is_none_or(|s| s.trim().is_empty()))
        {
            diags.push(Diagnostic::new(&codes::OPENCLAW_COMMAND_DISPATCH, e.key.span.clone(),
                "`command-dispatch: tool` needs `command-tool` naming the tool to call; without it the dispatch is ignored."));
        }
    }
    if let Some(e) = get(root, "command-arg-mode") {
        let v = e.value.as_str().unwrap_or_default().trim();
        if !v.eq_ignore_ascii_case("raw") {
            diags.push(
                Diagnostic::new(
                    &codes::OPENCLAW_COMMAND_DISPATCH,
                    e.value.span.clone(),
                    format!(
                    "`command-arg-mode` has only the mode `raw`; OpenClaw reads `{v}` as `raw`."
                ),
                )
                .severity(Severity::Information),
            );
        }
    }
}

fn version(node: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(v) = node.as_str().filter(|_| !node.is_null()) else {
        return;
    };
    if semver::Version::parse(v.trim()).is_ok() && node.kind() == Kind::String {
        return;
    }
    let mut msg = if semver::Version::parse(v.trim()).is_ok() {
        String::new()
    } else {
        format!("`{v}` is not semver (MAJOR.MINOR.PATCH).")
    };
    if matches!(node.kind(), Kind::Float | Kind::Int) {
        msg.push_str(" YAML reads it as a number, so OpenClaw sees e.g. `1.0` as `1`: quote it.");
    }
    let mut d = Diagnostic::new(
        &codes::SKILL_VERSION_INVALID,
        node.span.clone(),
        format!(
        "{} ClawHub shows it as the upstream version only (it does not set the published version).",
        msg.trim()
    ),
    )
    .severity(Severity::Warning);
    if let Some(fixed) = skill::fix_semver(v) {
        d = d.fix(
            format!("Change to \"{fixed}\""),
            node.span.clone(),
            format!("\"{fixed}\""),
        );
    }
    diags.push(d);
}

/// `metadata.openclaw: {…}` is one flat key named with a dot: nothing reads it.
fn dotted_metadata(text: &str, root: &Node, entry: &yaml::Entry) -> Diagnostic {
    let key = entry.key.as_str().unwrap_or_default();
    let ns = key.trim_start_matches("metadata.");
    let mut d = Diagnostic::new(&codes::OPENCLAW_GATING_TOP_LEVEL, entry.key.span.clone(), format!(
        "`{key}` is one key whose name contains a dot, not `{ns}` nested in `metadata`; OpenClaw and ClawHub ignore it."
    ));
    let value = &text[entry.value.span.clone()];
    let one_line = !value.contains('\n') && matches!(entry.value.kind(), Kind::Map);
    if root.get("metadata").is_none() && one_line && value.trim_start().starts_with('{') {
        d.fixes.push(Fix {
            title: format!("Nest it as `metadata: {{\"{ns}\": …}}`"),
            edits: vec![
                Edit {
                    range: entry.key.span.clone(),
                    new_text: "metadata".into(),
                },
                Edit {
                    range: entry.value.span.clone(),
                    new_text: format!("{{\"{ns}\": {value}}}"),
                },
            ],
            safe: false,
        });
    }
    d
}

/// The whole lines `range` covers, with the line break after them.
fn whole_lines(text: &str, range: Range<usize>) -> Range<usize> {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i + 1);
    start..end
}

/// The lines of a top-level entry: its key line and the indented (or `- `)
/// lines after it, within the frontmatter.
fn entry_lines(text: &str, fm: &Frontmatter, key: Range<usize>) -> Range<usize> {
    let mut r = whole_lines(text, key);
    while r.end < fm.yaml.end {
        let next = whole_lines(text, r.end..r.end);
        let line = &text[next.clone()];
        if !(line.starts_with([' ', '\t']) || line.starts_with("- ")) {
            break;
        }
        r.end = next.end;
    }
    r.end = r.end.min(fm.yaml.end + 1).min(text.len());
    r
}

/// Rule 38's fix: cut the entry's lines and paste them, indented, under
/// `metadata.openclaw` (a YAML block), creating it when `metadata` is absent.
fn move_under_manifest(
    text: &str,
    fm: &Frontmatter,
    root: &Node,
    entry: &yaml::Entry,
) -> Option<Fix> {
    let key = entry.key.as_str()?;
    let lines = entry_lines(text, fm, entry.key.span.clone());
    let block = text[lines.clone()].trim_end_matches(['\n', '\r']);
    let indent = |by: &str| -> String {
        block
            .lines()
            .map(|l| format!("{by}{}\n", l.trim_end_matches('\r')))
            .collect()
    };
    let Some(m) = root.get("metadata") else {
        // No `metadata` yet: the entry becomes it, in place.
        return Some(Fix {
            title: format!("Move `{key}` under `metadata.openclaw`"),
            edits: vec![Edit {
                range: lines,
                new_text: format!("metadata:\n  openclaw:\n{}", indent("    ")),
            }],
            safe: false,
        });
    };
    let manifest = m.value.get("openclaw")?;
    // Only a block mapping has lines to add to, and the key must not be there yet.
    if text[manifest.value.span.clone()]
        .trim_start()
        .starts_with('{')
        || manifest.value.kind() != Kind::Map
        || manifest.value.get(key).is_some()
    {
        return None;
    }
    let first = manifest.value.as_map()?.first()?;
    let at = whole_lines(text, first.key.span.clone()).start;
    let pad = &text[at..first.key.span.start];
    if !pad.chars().all(|c| c == ' ') || (lines.start..lines.end).contains(&at) {
        return None;
    }
    let edits = vec![
        Edit {
            range: lines,
            new_text: String::new(),
        },
        Edit {
            range: at..at,
            new_text: indent(pad),
        },
    ];
    Some(Fix {
        title: format!("Move `{key}` under `metadata.openclaw`"),
        edits,
        safe: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `plainly_valid` lets through parses without errors, over every value of up to three
    /// characters from the characters YAML gives a meaning to.
    #[test]
    fn plainly_valid_values_parse() {
        let chars: Vec<char> = "a1 -?:,[]{}#&*!|>'\"%@`\t\\/.=~é".chars().collect();
        let mut values: Vec<String> = Vec::new();
        for a in &chars {
            values.push(a.to_string());
            for b in &chars {
                values.push(format!("{a}{b}"));
                for c in &chars {
                    values.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut passed = 0;
        for v in values.iter().filter(|v| !v.trim().is_empty()) {
            let v = v.trim();
            if plainly_valid(v) {
                passed += 1;
                let line = format!("key: {v}");
                assert!(yaml::parse(&line, 0).errors.is_empty(), "{line:?}");
            }
        }
        assert!(passed > 1000, "the check lets almost nothing through");
    }
}
