//! The field tables of the other agents' dialects: OpenClaw/ClawHub SKILL.md
//! and its `metadata.openclaw` manifest, Claude Code SKILL.md, and OpenClaw's
//! IDENTITY.md labels. Validation, completion and hover read them, as they read
//! `schema` for Boternity. Facts: `shared/spec/openclaw-formats.md` §2, §4.3,
//! §4.4 and Claude Code's skill documentation.

use crate::schema::{values, Field, Ty, Value};
use forge_syntax::sources;

/// What OpenClaw reads as a boolean (after string coercion, case-insensitive).
pub static BOOLEANISH: &[Value] = values![OPENCLAW;
    "true" => "On.", "false" => "Off.", "yes" => "On.", "no" => "Off.",
    "on" => "On.", "off" => "Off.", "1" => "On.", "0" => "Off.",
];

pub static OS_VALUES: &[Value] = values![OPENCLAW;
    "darwin" => "macOS (Node's `process.platform`).",
    "linux" => "Linux.",
    "win32" => "Windows (also 64-bit).",
];

/// Near-misses of the `os` values and what they mean.
pub static OS_ALIASES: &[(&str, &str)] = &[
    ("macos", "darwin"),
    ("mac", "darwin"),
    ("osx", "darwin"),
    ("macosx", "darwin"),
    ("apple", "darwin"),
    ("windows", "win32"),
    ("win", "win32"),
    ("win64", "win32"),
    ("ubuntu", "linux"),
    ("debian", "linux"),
];

pub static INSTALL_KINDS: &[Value] = values![OPENCLAW_SKILL_FRONTMATTER;
    "brew" => "Homebrew formula (`formula`, or `cask`).",
    "node" => "npm package (`package`), installed with the configured node manager.",
    "go" => "Go module (`module`), `go install`.",
    "uv" => "Python package (`package`), `uv tool install`.",
    "download" => "An archive or binary from `url` (OpenClaw only; ClawHub drops it).",
];

/// Each install kind's required field(s) (any one of them) and the pattern its value must match.
pub struct InstallKind {
    pub kind: &'static str,
    pub required: &'static [&'static str],
    /// Characters allowed after the first (which must be ASCII alphanumeric).
    pub allowed: fn(char) -> bool,
    pub forbid: &'static [&'static str],
}

pub static INSTALL_RULES: &[InstallKind] = &[
    InstallKind {
        kind: "brew",
        required: &["formula", "cask"],
        allowed: |c| c.is_ascii_alphanumeric() || "@+._/-".contains(c),
        forbid: &["..", "\\"],
    },
    InstallKind {
        kind: "node",
        required: &["package"],
        allowed: |c| c.is_ascii_alphanumeric() || "@._/~^<>=*:+-".contains(c),
        forbid: &["\\", " "],
    },
    InstallKind {
        kind: "go",
        required: &["module"],
        allowed: |c| c.is_ascii_alphanumeric() || "._~+-/@".contains(c),
        forbid: &["\\", "://"],
    },
    InstallKind {
        kind: "uv",
        required: &["package"],
        allowed: |c| c.is_ascii_alphanumeric() || "._-[]=<>!~+,".contains(c),
        forbid: &["\\", "://"],
    },
    InstallKind {
        kind: "download",
        required: &["url"],
        allowed: |c| !c.is_whitespace(),
        forbid: &[],
    },
];

pub static COMMAND_DISPATCH: &[Value] = values![OPENCLAW;
    "tool" => "The slash command calls `command-tool` directly, bypassing the model.",
];

pub static COMMAND_ARG_MODE: &[Value] = values![OPENCLAW;
    "raw" => "The command's arguments are passed as one raw string (the only mode).",
];

/// SKILL.md top-level keys OpenClaw reads (§4.3).
pub static OPENCLAW_SKILL_FIELDS: &[Field] = &[
    Field { source: &sources::OPENCLAW, key: "name", ty: Ty::String, required: false, default: Some("the folder's name"),
        doc: "The skill's identity in OpenClaw: precedence key, allowlist key and basis of its slash command. Keep it lowercase letters, digits and hyphens, equal to the folder's name." },
    Field { source: &sources::OPENCLAW, key: "description", ty: Ty::String, required: true, default: None,
        doc: "Required: OpenClaw does not load a skill without it. Listed to the model in `<available_skills>`; OpenClaw's docs advise one line under 160 characters." },
    Field { source: &sources::OPENCLAW, key: "metadata", ty: Ty::Map, required: false, default: None,
        doc: "Holds the `openclaw` manifest (emoji, requirements, installers), as one line of JSON (`metadata: {\"openclaw\": {…}}`) or as nested YAML. OpenClaw reads a one-line value as JSON5." },
    Field { source: &sources::OPENCLAW, key: "homepage", ty: Ty::String, required: false, default: None,
        doc: "A URL shown as the skill's website (after `metadata.openclaw.homepage`)." },
    Field { source: &sources::OPENCLAW, key: "emoji", ty: Ty::String, required: false, default: None,
        doc: "Fallback UI emoji; `metadata.openclaw.emoji` is preferred." },
    Field { source: &sources::OPENCLAW, key: "user-invocable", ty: Ty::Enum(BOOLEANISH), required: false, default: Some("true"),
        doc: "Expose the skill as a slash command." },
    Field { source: &sources::OPENCLAW, key: "disable-model-invocation", ty: Ty::Enum(BOOLEANISH), required: false, default: Some("false"),
        doc: "Hide the skill from the model's skills list; `/command` and `$skill` still work." },
    Field { source: &sources::OPENCLAW, key: "command-dispatch", ty: Ty::Enum(COMMAND_DISPATCH), required: false, default: None,
        doc: "`tool`: the slash command calls `command-tool` directly instead of the model. Any other value is ignored." },
    Field { source: &sources::OPENCLAW, key: "command-tool", ty: Ty::String, required: false, default: None,
        doc: "The tool a dispatching command calls; without it `command-dispatch` is ignored." },
    Field { source: &sources::OPENCLAW, key: "command-arg-mode", ty: Ty::Enum(COMMAND_ARG_MODE), required: false, default: Some("raw"),
        doc: "How arguments reach the tool; only `raw` exists." },
    Field { source: &sources::OPENCLAW, key: "version", ty: Ty::String, required: false, default: None,
        doc: "Informational semver for ClawHub (quote it: `\"1.0.0\"`); it does not set the published version." },
];

/// Spellings OpenClaw accepts for some keys (`command_dispatch` …).
pub static OPENCLAW_ALIASES: &[(&str, &str)] = &[
    ("command_dispatch", "command-dispatch"),
    ("command_tool", "command-tool"),
    ("command_arg_mode", "command-arg-mode"),
];

/// SKILL.md `metadata` for OpenClaw: the manifest's namespace.
pub static OPENCLAW_METADATA_FIELDS: &[Field] = &[
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "openclaw", ty: Ty::Map, required: false, default: None,
        doc: "OpenClaw's manifest: `emoji`, `homepage`, `os`, `requires`, `install`, `primaryEnv`, `always`, `skillKey`. Older names (`clawdbot`, `clawdis`, `moltbot`) are not read by every release." },
];

/// Gating keys that belong inside `metadata.openclaw`, not at the top level.
pub static GATING_KEYS: &[&str] = &["requires", "os", "install", "primaryEnv", "always"];

/// `metadata.openclaw` (§4.4).
pub static OPENCLAW_MANIFEST_FIELDS: &[Field] = &[
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "emoji", ty: Ty::String, required: false, default: None, doc: "The skill's UI emoji." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "homepage", ty: Ty::String, required: false, default: None, doc: "The skill's website, shown in the UI." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "always", ty: Ty::Bool, required: false, default: Some("false"),
        doc: "A real boolean: eligible whatever `requires` says (`os` still applies)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "skillKey", ty: Ty::String, required: false, default: Some("the skill's name"),
        doc: "The key under `skills.entries.<key>` in `openclaw.json` (API key, env, enabled)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "primaryEnv", ty: Ty::String, required: false, default: None,
        doc: "The environment variable that `skills.entries.<key>.apiKey` satisfies; list it in `requires.env` too." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "os", ty: Ty::EnumList(OS_VALUES), required: false, default: None,
        doc: "Platforms the skill runs on, compared with Node's `process.platform`: `darwin`, `linux`, `win32`. Any other value never matches." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "requires", ty: Ty::Map, required: false, default: None,
        doc: "What must be present for the skill to be eligible: `bins`, `anyBins`, `env`, `config`." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "install", ty: Ty::Map, required: false, default: None,
        doc: "A list of installer hints, each `{kind, …}` with kind `brew`, `node`, `go`, `uv` or `download`." },
];

/// `metadata.openclaw.requires`.
pub static OPENCLAW_REQUIRES_FIELDS: &[Field] = &[
    Field { source: &sources::OPENCLAW, key: "bins", ty: Ty::StringList, required: false, default: None,
        doc: "Binaries that must all be on `PATH` (a list or a comma-separated string)." },
    Field { source: &sources::OPENCLAW, key: "anyBins", ty: Ty::StringList, required: false, default: None,
        doc: "Binaries of which at least one must be on `PATH`." },
    Field { source: &sources::OPENCLAW, key: "env", ty: Ty::StringList, required: false, default: None,
        doc: "Environment variables that must be set (or configured under `skills.entries.<key>.env`)." },
    Field { source: &sources::OPENCLAW, key: "config", ty: Ty::StringList, required: false, default: None,
        doc: "Dotted `openclaw.json` paths that must be truthy (e.g. `browser.enabled`)." },
];

/// One `metadata.openclaw.install[]` entry.
pub static OPENCLAW_INSTALL_FIELDS: &[Field] = &[
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "kind", ty: Ty::Enum(INSTALL_KINDS), required: true, default: None,
        doc: "The installer: `brew`, `node`, `go`, `uv` or `download` (`type` is read when `kind` is absent)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "formula", ty: Ty::String, required: false, default: None, doc: "brew: the formula (required for `brew` unless `cask`)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "package", ty: Ty::String, required: false, default: None, doc: "node/uv: the package (required for them)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "module", ty: Ty::String, required: false, default: None, doc: "go: the module path, optionally `@version` (required for `go`)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "url", ty: Ty::String, required: false, default: None, doc: "download: an `http(s)` URL (required for `download`)." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "bins", ty: Ty::StringList, required: false, default: None, doc: "Binaries this installer provides." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "id", ty: Ty::String, required: false, default: None, doc: "An identifier for the option." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "label", ty: Ty::String, required: false, default: None, doc: "What the UI shows for the option." },
    Field { source: &sources::OPENCLAW_SKILL_FRONTMATTER, key: "os", ty: Ty::EnumList(OS_VALUES), required: false, default: None, doc: "Platforms this installer applies to." },
];

pub static CLAUDE_CONTEXT: &[Value] = values![CLAUDE_CODE_SKILLS;
    "fork" => "Run the skill in a forked sub-agent context (see `agent`).",
    "inherit" => "Run in the current conversation (the default).",
];

pub static CLAUDE_MODELS: &[Value] = values![CLAUDE_CODE_SKILLS;
    "inherit" => "The conversation's model (the default).",
    "sonnet" => "Claude Sonnet.",
    "opus" => "Claude Opus.",
    "haiku" => "Claude Haiku.",
    "default" => "The account's default model.",
    "opusplan" => "Opus while planning, Sonnet while carrying the plan out.",
    "sonnet[1m]" => "Claude Sonnet with the one-million-token context window.",
    "opus[1m]" => "Claude Opus with the one-million-token context window.",
];

/// Events a skill's `hooks` can name (Claude Code's hook events).
pub static CLAUDE_HOOK_EVENTS: &[Value] = values![CLAUDE_CODE_SKILLS;
    "PreToolUse" => "Before a tool call; can block it.",
    "PostToolUse" => "After a tool call succeeds.",
    "PostToolUseFailure" => "After a tool call fails.",
    "PermissionRequest" => "When Claude Code asks for a permission.",
    "UserPromptSubmit" => "When the user submits a prompt.",
    "Notification" => "When Claude Code sends a notification.",
    "Stop" => "When Claude finishes responding.",
    "SubagentStart" => "When a sub-agent starts.",
    "SubagentStop" => "When a sub-agent finishes.",
    "PreCompact" => "Before the conversation is compacted.",
    "SessionStart" => "When a session starts or resumes.",
    "SessionEnd" => "When a session ends.",
];

/// `type` of one hook: what it runs.
pub static CLAUDE_HOOK_TYPES: &[Value] = values![CLAUDE_CODE_SKILLS;
    "command" => "Run `command` in a shell.",
    "prompt" => "Ask a model with `prompt`.",
];

/// SKILL.md keys Claude Code reads: the Agent Skills ones plus its extensions.
pub static CLAUDE_SKILL_FIELDS: &[Field] = &[
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "name", ty: Ty::String, required: false, default: Some("the folder's name"),
        doc: "The skill's name and its `/command`: lowercase letters, digits and hyphens, at most 64 characters." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "description", ty: Ty::String, required: false, default: Some("the first paragraph of the body"),
        doc: "What the skill does and when to use it; Claude decides from it whether to load the skill." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "allowed-tools", ty: Ty::StringList, required: false, default: None,
        doc: "Tools Claude may use without asking while the skill is active: a space-separated string or a list, with patterns such as `Bash(git:*)` or `mcp__server__tool`." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "argument-hint", ty: Ty::String, required: false, default: None,
        doc: "Shown after `/name` in the command menu, e.g. `[file] [message]`. Quote it: an unquoted `[a] [b]` is not valid YAML." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "disable-model-invocation", ty: Ty::Bool, required: false, default: Some("false"),
        doc: "`true`: only the user can invoke the skill (`/name`); Claude does not load it by itself." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "user-invocable", ty: Ty::Bool, required: false, default: Some("true"),
        doc: "`false` hides the skill from the `/` menu; Claude can still load it." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "model", ty: Ty::String, required: false, default: Some("inherit"),
        doc: "The model while the skill runs: `inherit`, `sonnet`, `opus`, `haiku` or a model id." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "context", ty: Ty::Enum(CLAUDE_CONTEXT), required: false, default: Some("inherit"),
        doc: "`fork` runs the skill in a sub-agent with its own context." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "agent", ty: Ty::String, required: false, default: None,
        doc: "The sub-agent type for `context: fork` (e.g. `Explore`, `Plan`, `general-purpose`, or a custom agent)." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "hooks", ty: Ty::Map, required: false, default: None,
        doc: "Hooks active while the skill runs, by event (`PreToolUse`, `PostToolUse`, `Stop`, …), in Claude Code's hook format." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "license", ty: Ty::String, required: false, default: None, doc: "The skill's license." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "compatibility", ty: Ty::String, required: false, default: None,
        doc: "Environment requirements, at most 500 characters." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "metadata", ty: Ty::Map, required: false, default: None, doc: "Free key/value properties." },
    Field { source: &sources::CLAUDE_CODE_SKILLS, key: "version", ty: Ty::String, required: false, default: None, doc: "The skill's version (informational)." },
];

/// OpenClaw IDENTITY.md labels (§2.1), as `- **Label:** value` lines.
pub static OPENCLAW_IDENTITY_LABELS: &[Field] = &[
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Name", ty: Ty::String, required: false, default: Some("Assistant"),
        doc: "The agent's name (the UI shows at most 50 characters)." },
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Creature", ty: Ty::String, required: false, default: None,
        doc: "What the agent is (AI, robot, familiar…); becomes the theme when no `Theme` is set." },
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Vibe", ty: Ty::String, required: false, default: None,
        doc: "How the agent comes across; the theme's last fallback." },
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Theme", ty: Ty::String, required: false, default: None, doc: "The agent's theme, synced to config." },
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Emoji", ty: Ty::String, required: false, default: None,
        doc: "The agent's signature emoji: at most 16 characters and not plain ASCII, or the UI ignores it." },
    Field { source: &sources::OPENCLAW_IDENTITY, key: "Avatar", ty: Ty::String, required: false, default: Some("A"),
        doc: "An `http(s)` URL, a `data:` URI, or a workspace-relative image path (png, jpg, jpeg, gif, webp, svg; at most 2 MiB, inside the workspace)." },
];

/// The template prompts OpenClaw's identity parser treats as unset (§2.1 step 4).
pub static IDENTITY_PLACEHOLDERS: &[&str] = &[
    "pick something you like",
    "ai? robot? familiar? ghost in the machine? something weirder?",
    "how do you come across? sharp? warm? chaotic? calm?",
    "your signature - pick one that feels right",
    "workspace-relative path, http(s) url, or data uri",
    "not set yet",
];
