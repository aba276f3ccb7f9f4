//! Which agent a file is written for: Boternity, OpenClaw, Claude Code or plain
//! Agent Skills, decided per file from its text and its place on disk.
//!
//! The signals are tables (`SKILL_SIGNALS`, `IDENTITY_*`), read top to bottom;
//! the first that matches decides. The `validation.profile` setting overrides
//! detection (`auto` detects). Facts: `shared/spec/openclaw-formats.md` §2.4
//! (IDENTITY.md), §1.2 (workspace), §4.3/§4.4 (SKILL.md keys).

use std::path::Path;

use crate::rules::Profile;
use crate::FileKind;
use forge_syntax::sources::{self, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Boternity,
    #[serde(rename = "openclaw")]
    OpenClaw,
    #[serde(rename = "claude-code")]
    ClaudeCode,
    /// A SKILL.md with no marker of any agent: the Agent Skills specification.
    #[serde(rename = "agentskills")]
    AgentSkills,
}

impl Dialect {
    pub fn label(self) -> &'static str {
        match self {
            Dialect::Boternity => "Boternity",
            Dialect::OpenClaw => "OpenClaw",
            Dialect::ClaudeCode => "Claude Code",
            Dialect::AgentSkills => "Agent Skills",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Dialect::Boternity => "boternity",
            Dialect::OpenClaw => "openclaw",
            Dialect::ClaudeCode => "claude-code",
            Dialect::AgentSkills => "agentskills",
        }
    }
}

/// The dialect of one file and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub dialect: Dialect,
    /// One sentence a user can check ("`metadata.openclaw` key").
    pub why: String,
    /// The `validation.profile` setting chose it, not detection.
    pub forced: bool,
}

impl Detection {
    fn new(dialect: Dialect, why: impl Into<String>) -> Detection {
        Detection {
            dialect,
            why: why.into(),
            forced: false,
        }
    }

    /// Markdown for hover and `check` output.
    pub fn describe(&self) -> String {
        if self.forced {
            format!(
                "Dialect: **{}** (set by `validation.profile`)",
                self.dialect.label()
            )
        } else {
            format!("Dialect: **{}** ({})", self.dialect.label(), self.why)
        }
    }
}

/// Keys inside SKILL.md `metadata` that name OpenClaw's manifest object, in
/// every spelling of the project's history (Clawdis → Clawdbot → Moltbot → OpenClaw).
pub const OPENCLAW_NAMESPACES: &[&str] = &["openclaw", "clawdbot", "clawdis", "moltbot"];

/// What a SKILL.md signal looks at.
enum Signal {
    /// A key inside the top-level `metadata` value (inline JSON or nested YAML).
    MetadataKey(&'static [&'static str]),
    /// A top-level frontmatter key.
    TopKey(&'static [&'static str]),
    /// The file sits at `<dir>/<name>/SKILL.md` with `<dir>` ending in these components.
    Under(&'static [&'static str]),
    /// The skill folder lies in the `skills/` of an OpenClaw workspace.
    OpenClawWorkspaceSkill,
    /// One of these files sits beside SKILL.md.
    Beside(&'static [&'static str]),
}

/// SKILL.md: first match wins. OpenClaw's own keys and ClawHub's folder files
/// come first (they are unambiguous), then Claude Code's place and keys, then
/// Boternity's.
const SKILL_SIGNALS: &[(Signal, Dialect, &str, &Source)] = &[
    (
        Signal::MetadataKey(OPENCLAW_NAMESPACES),
        Dialect::OpenClaw,
        "an OpenClaw manifest key in `metadata`",
        &sources::OPENCLAW,
    ),
    (
        Signal::TopKey(&[
            "metadata.openclaw",
            "metadata.clawdbot",
            "command-dispatch",
            "command-tool",
            "command-arg-mode",
        ]),
        Dialect::OpenClaw,
        "a frontmatter key only OpenClaw reads",
        &sources::OPENCLAW,
    ),
    (
        Signal::Beside(&["_meta.json", ".clawhubignore", ".clawdhubignore"]),
        Dialect::OpenClaw,
        "a ClawHub skill folder (`_meta.json` or `.clawhubignore` beside it)",
        &sources::CLAWHUB,
    ),
    (
        Signal::Under(&[".claude", "skills"]),
        Dialect::ClaudeCode,
        "the file sits in `.claude/skills/`",
        &sources::CLAUDE_CODE_SKILLS,
    ),
    (
        Signal::TopKey(&["argument-hint", "context", "agent", "hooks", "model"]),
        Dialect::ClaudeCode,
        "a frontmatter key only Claude Code reads",
        &sources::CLAUDE_CODE_SKILLS,
    ),
    (
        Signal::MetadataKey(&[
            "skill-type",
            "capabilities",
            "trust-tier",
            "conflicts-with",
            "parents",
        ]),
        Dialect::Boternity,
        "a Boternity key in `metadata`",
        &sources::BOTERNITY_SKILL,
    ),
    (
        Signal::OpenClawWorkspaceSkill,
        Dialect::OpenClaw,
        "the skill lies in an OpenClaw workspace's `skills/` folder",
        &sources::OPENCLAW_WORKSPACE,
    ),
];

/// IDENTITY.md frontmatter keys that only Boternity uses (§2.4 step 2).
const IDENTITY_BOTERNITY_KEYS: &[&str] = &[
    "display_name",
    "max_tokens",
    "temperature",
    "provider",
    "model",
    "category",
];
/// Frontmatter keys of OpenClaw's docs copies of the templates (§2.4 step 4).
pub const DOCS_FRONTMATTER_KEYS: &[&str] = &["summary", "title", "read_when", "sidebarTitle"];
/// The labels OpenClaw's identity parser reads (§2.1).
pub const IDENTITY_LABELS: &[&str] = &["name", "creature", "vibe", "theme", "emoji", "avatar"];

/// The skill signals as data for `docs/sources.md`: what each looks for, the dialect it decides,
/// and where that comes from.
pub fn skill_signals() -> impl Iterator<Item = (&'static str, Dialect, &'static Source)> {
    SKILL_SIGNALS.iter().map(|(_, d, why, s)| (*why, *d, *s))
}

/// The word lists detection reads, with their sources, for `docs/sources.md`.
pub static WORD_LISTS: &[(&str, &[&str], &Source)] = &[
    (
        "OpenClaw manifest namespaces",
        OPENCLAW_NAMESPACES,
        &sources::OPENCLAW,
    ),
    (
        "IDENTITY.md keys only Boternity reads",
        IDENTITY_BOTERNITY_KEYS,
        &sources::BOTERNITY_IDENTITY,
    ),
    (
        "frontmatter keys of OpenClaw's docs copies of its templates",
        DOCS_FRONTMATTER_KEYS,
        &sources::OPENCLAW,
    ),
    (
        "IDENTITY.md labels OpenClaw's parser reads",
        IDENTITY_LABELS,
        &sources::OPENCLAW_IDENTITY,
    ),
    (
        "files beside AGENTS.md that make an OpenClaw workspace",
        WORKSPACE_COMPANIONS,
        &sources::OPENCLAW_WORKSPACE,
    ),
];

/// The files next to `AGENTS.md` that make a folder an OpenClaw workspace.
const WORKSPACE_COMPANIONS: &[&str] = &["SOUL.md", "IDENTITY.md", "USER.md"];

/// A folder is an OpenClaw workspace when it holds `AGENTS.md` and one of
/// `SOUL.md`, `IDENTITY.md`, `USER.md` (spec §1.2), or is one of OpenClaw's
/// default workspace folders.
pub fn is_openclaw_workspace(dir: &Path) -> bool {
    (dir.join("AGENTS.md").is_file() && WORKSPACE_COMPANIONS.iter().any(|f| dir.join(f).is_file()))
        || std::env::var_os("HOME").is_some_and(|h| is_default_workspace(dir, Path::new(&h)))
}

/// OpenClaw's default workspace folders under `home` (spec §1.1):
/// `~/.openclaw/workspace`, `~/.openclaw/workspace-<profile>`,
/// `~/.openclaw-<profile>/workspace`, and Clawdbot's `~/clawd`, `~/clawd-<profile>`.
pub fn is_default_workspace(dir: &Path, home: &Path) -> bool {
    let Ok(rel) = dir.strip_prefix(home) else {
        return false;
    };
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    match parts.as_slice() {
        [state, ws] => {
            (*state == ".openclaw" && (*ws == "workspace" || ws.starts_with("workspace-")))
                || (state.starts_with(".openclaw-") && *ws == "workspace")
        }
        [one] => *one == "clawd" || one.starts_with("clawd-"),
        _ => false,
    }
}

/// The workspace root a workspace file belongs to (its own folder).
pub fn openclaw_workspace_of(path: &Path) -> Option<&Path> {
    path.parent().filter(|d| is_openclaw_workspace(d))
}

/// Detect the dialect of `text`, the content of `path` (a file of `kind`).
pub fn detect(kind: FileKind, path: &Path, text: &str, profile: Profile) -> Detection {
    let forced = |d: Dialect| Detection {
        dialect: d,
        why: String::new(),
        forced: true,
    };
    match (profile, kind) {
        (Profile::Boternity, _) => return forced(Dialect::Boternity),
        (Profile::Openclaw, _) => return forced(Dialect::OpenClaw),
        (Profile::Agentskills, FileKind::Skill) => return forced(Dialect::AgentSkills),
        // Agent Skills says nothing about bot files: Boternity's rules apply.
        (Profile::Agentskills, _) => return forced(Dialect::Boternity),
        (Profile::Auto, _) => {}
    }
    match kind {
        FileKind::Skill => detect_skill(path, text),
        FileKind::Identity => detect_identity(path, text),
        FileKind::Workspace => Detection::new(Dialect::OpenClaw, "an OpenClaw workspace file"),
        FileKind::Workflow => Detection::new(
            Dialect::Boternity,
            "a Boternity workflow (a YAML file with `name`, `steps` and a workflow's keys)",
        ),
        FileKind::Soul | FileKind::User => match openclaw_workspace_of(path) {
            Some(_) => Detection::new(Dialect::OpenClaw, "`AGENTS.md` beside it"),
            None => Detection::new(Dialect::Boternity, "no `AGENTS.md` beside it"),
        },
        FileKind::SkillsToml => {
            Detection::new(Dialect::Boternity, "only Boternity uses skills.toml")
        }
    }
}

/// The frontmatter lines as OpenClaw frames them (`---` at byte 0, closed by the
/// first line starting with `---`), BOM and CRLF tolerated: detection must not
/// depend on the framing errors the rules report.
fn frontmatter_lines(text: &str) -> Option<Vec<&str>> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let rest = t.strip_prefix("---")?;
    let mut lines = rest.lines();
    lines.next()?;
    let mut out = Vec::new();
    for l in lines {
        if l.starts_with("---") {
            return Some(out);
        }
        out.push(l.trim_end_matches('\r'));
    }
    None
}

/// A top-level `key:` of a frontmatter line.
fn top_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let (k, _) = line.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.contains(' ')).then_some(k)
}

/// Whether the value of top-level `metadata` mentions one of `keys` as a key.
fn metadata_has_key(lines: &[&str], keys: &[&str]) -> bool {
    let Some(start) = lines.iter().position(|l| top_key(l) == Some("metadata")) else {
        return false;
    };
    let mut value = String::new();
    for (i, l) in lines[start..].iter().enumerate() {
        if i > 0 && top_key(l).is_some() {
            break;
        }
        value.push_str(if i == 0 {
            l.split_once(':').map_or("", |(_, v)| v)
        } else {
            l
        });
        value.push('\n');
    }
    keys.iter().any(|k| {
        [
            format!("\"{k}\""),
            format!("'{k}'"),
            format!("{k}:"),
            format!("{{{k}:"),
        ]
        .iter()
        .any(|p| value.contains(p.as_str()))
    })
}

fn under(path: &Path, dirs: &[&str]) -> bool {
    // <dirs...>/<name>/SKILL.md
    let comps: Vec<&str> = path
        .parent()
        .and_then(Path::parent)
        .map(|p| {
            p.components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect()
        })
        .unwrap_or_default();
    comps.ends_with(dirs)
}

fn in_openclaw_skills(path: &Path) -> bool {
    // <ws>/skills/<name>/SKILL.md or <ws>/.agents/skills/<name>/SKILL.md
    let Some(skills) = path.parent().and_then(Path::parent) else {
        return false;
    };
    if skills.file_name().and_then(|n| n.to_str()) != Some("skills") {
        return false;
    }
    let Some(mut ws) = skills.parent() else {
        return false;
    };
    if ws.file_name().and_then(|n| n.to_str()) == Some(".agents") {
        match ws.parent() {
            Some(p) => ws = p,
            None => return false,
        }
    }
    is_openclaw_workspace(ws)
}

fn detect_skill(path: &Path, text: &str) -> Detection {
    let lines = frontmatter_lines(text).unwrap_or_default();
    let keys: Vec<&str> = lines.iter().filter_map(|l| top_key(l)).collect();
    for (signal, dialect, why, _) in SKILL_SIGNALS {
        let hit = match signal {
            Signal::MetadataKey(names) => metadata_has_key(&lines, names),
            Signal::TopKey(names) => keys.iter().any(|k| names.contains(k)),
            Signal::Under(dirs) => under(path, dirs),
            Signal::OpenClawWorkspaceSkill => in_openclaw_skills(path),
            Signal::Beside(files) => path
                .parent()
                .is_some_and(|d| files.iter().any(|f| d.join(f).is_file())),
        };
        if hit {
            return Detection::new(*dialect, *why);
        }
    }
    Detection::new(
        Dialect::AgentSkills,
        "no marker of OpenClaw, Claude Code or Boternity",
    )
}

/// `[-*] [*_`]*label[*_`]*:` at the start of a line (§2.4 step 3).
pub fn identity_label_line(line: &str) -> bool {
    let t = line.trim_start();
    let t = t
        .strip_prefix(['-', '*'])
        .map_or(t, |r| r.trim_start_matches([' ', '\t']));
    let t = t.trim_start_matches(['*', '_', '`']);
    IDENTITY_LABELS.iter().any(|l| {
        t.get(..l.len()).is_some_and(|p| p.eq_ignore_ascii_case(l))
            && t[l.len()..]
                .trim_start_matches(['*', '_', '`'])
                .trim_start()
                .starts_with(':')
    })
}

fn detect_identity(path: &Path, text: &str) -> Detection {
    let fm = frontmatter_lines(text);
    let keys: Vec<&str> = fm.iter().flatten().filter_map(|l| top_key(l)).collect();
    if keys.iter().any(|k| IDENTITY_BOTERNITY_KEYS.contains(k)) {
        return Detection::new(Dialect::Boternity, "Boternity keys in the frontmatter");
    }
    let body_start = fm.as_ref().map_or(0, |l| l.len() + 2);
    if text.lines().skip(body_start).any(identity_label_line) {
        return Detection::new(Dialect::OpenClaw, "`Name:`-style identity labels");
    }
    if fm.is_some() && !keys.is_empty() && keys.iter().all(|k| DOCS_FRONTMATTER_KEYS.contains(k)) {
        return Detection::new(Dialect::OpenClaw, "a copy of OpenClaw's docs template");
    }
    if openclaw_workspace_of(path).is_some() {
        return Detection::new(Dialect::OpenClaw, "`AGENTS.md` beside it");
    }
    // Boternity's files carry frontmatter; OpenClaw's are free Markdown.
    if fm.is_some() {
        return Detection::new(Dialect::Boternity, "a frontmatter block");
    }
    Detection::new(Dialect::OpenClaw, "free Markdown without frontmatter")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(path: &str, text: &str) -> Dialect {
        detect(FileKind::Skill, Path::new(path), text, Profile::Auto).dialect
    }

    fn identity(text: &str) -> Dialect {
        detect(
            FileKind::Identity,
            Path::new("/nowhere/x/IDENTITY.md"),
            text,
            Profile::Auto,
        )
        .dialect
    }

    #[test]
    fn skill_markers() {
        let p = "/w/skills/a/SKILL.md";
        assert_eq!(
            skill(
                p,
                "---\nname: a\nmetadata: {\"clawdbot\": {\"emoji\": \"x\"}}\n---\n"
            ),
            Dialect::OpenClaw
        );
        assert_eq!(
            skill(
                p,
                "---\nname: a\nmetadata:\n  openclaw:\n    emoji: x\n---\n"
            ),
            Dialect::OpenClaw
        );
        // A description that merely mentions OpenClaw is no marker.
        assert_eq!(
            skill(
                p,
                "---\nname: a\ndescription: works with openclaw: yes\n---\n"
            ),
            Dialect::AgentSkills
        );
        assert_eq!(
            skill(p, "---\nname: a\nargument-hint: \"[file]\"\n---\n"),
            Dialect::ClaudeCode
        );
        assert_eq!(
            skill("/r/.claude/skills/a/SKILL.md", "---\nname: a\n---\n"),
            Dialect::ClaudeCode
        );
        assert_eq!(
            skill(p, "---\nname: a\nmetadata:\n  skill-type: prompt\n---\n"),
            Dialect::Boternity
        );
        assert_eq!(
            skill(p, "---\nname: a\ndescription: d\n---\n"),
            Dialect::AgentSkills
        );
        // Unclosed or broken frontmatter: still plain, never a panic.
        assert_eq!(skill(p, "---\nname: a\n"), Dialect::AgentSkills);
        assert_eq!(skill(p, ""), Dialect::AgentSkills);
        // A BOM does not hide the markers from detection.
        assert_eq!(
            skill(p, "\u{feff}---\nmetadata: {\"openclaw\":{}}\n---\n"),
            Dialect::OpenClaw
        );
    }

    #[test]
    fn identity_rules_of_spec_2_4() {
        assert_eq!(
            identity("---\ndisplay_name: Luna\n---\n# Luna\n"),
            Dialect::Boternity
        );
        assert_eq!(
            identity("# IDENTITY.md\n\n- **Name:** Quill\n"),
            Dialect::OpenClaw
        );
        assert_eq!(identity("* **Emoji:** 🦉\n"), Dialect::OpenClaw);
        assert_eq!(identity("`Avatar`: a.png\n"), Dialect::OpenClaw);
        // Both: Boternity wins.
        assert_eq!(
            identity("---\nmodel: x\n---\n- Name: Quill\n"),
            Dialect::Boternity
        );
        assert_eq!(
            identity("---\nsummary: Identity\nread_when:\n  - x\n---\n# IDENTITY\n"),
            Dialect::OpenClaw
        );
        assert_eq!(identity("Just some prose.\n"), Dialect::OpenClaw);
        assert_eq!(identity("---\nfoo: bar\n---\n"), Dialect::Boternity);
        // `+` bullets and headings are not label lines.
        assert!(!identity_label_line("+ Name: X"));
        assert!(!identity_label_line("## Name: X"));
        assert!(identity_label_line("  - __Vibe__ : calm"));
    }

    #[test]
    fn default_workspace_folders() {
        let home = Path::new("/home/sam");
        for ws in [
            "/home/sam/.openclaw/workspace",
            "/home/sam/.openclaw/workspace-work",
            "/home/sam/.openclaw-work/workspace",
            "/home/sam/clawd",
        ] {
            assert!(is_default_workspace(Path::new(ws), home), "{ws}");
        }
        for not in [
            "/home/sam",
            "/home/sam/.openclaw",
            "/home/sam/code/workspace",
            "/srv/.openclaw/workspace",
        ] {
            assert!(!is_default_workspace(Path::new(not), home), "{not}");
        }
    }

    #[test]
    fn profile_overrides() {
        let d = detect(
            FileKind::Skill,
            Path::new("/w/a/SKILL.md"),
            "---\nmetadata: {\"openclaw\": {}}\n---\n",
            Profile::Boternity,
        );
        assert_eq!(d.dialect, Dialect::Boternity);
        assert!(d.forced);
        let d = detect(
            FileKind::Soul,
            Path::new("/w/SOUL.md"),
            "",
            Profile::Openclaw,
        );
        assert_eq!(d.dialect, Dialect::OpenClaw);
    }
}
