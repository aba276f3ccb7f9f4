//! Every diagnostic code forge-ls emits, in one table.
//!
//! Codes are part of the public contract (editors filter on them, `check --format
//! json` prints them): never rename one. Each has an entry in
//! `docs/diagnostics.md`, which a test keeps in step with this table.

use crate::diagnostic::Severity::{self, *};
use crate::sources::{self, Source};

#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The upstream rule it mirrors, or `forge-ls` for our own policy.
    pub source: &'static Source,
}

/// Where `codeDescription` points; the anchor is the code itself.
pub const DOCS_URL: &str = "https://github.com/forge-ls/forge-ls/blob/main/docs/diagnostics.md";

pub fn docs_url(id: &str) -> String {
    format!("{DOCS_URL}#{id}")
}

macro_rules! codes {
    ($($name:ident = $id:literal, $sev:ident, $summary:literal, $source:ident;)*) => {
        $(pub static $name: Code = Code { id: $id, severity: $sev, summary: $summary, source: &sources::$source };)*
        /// All codes, in documentation order.
        pub static ALL: &[&Code] = &[$(&$name),*];
    };
}

codes! {
    // Files that cannot be read as text.
    FILE_NOT_UTF8 = "file-not-utf8", Error, "The file is not valid UTF-8.", FORGE_LS;
    FILE_BINARY = "file-binary", Error, "The file holds binary data.", FORGE_LS;
    FILE_TOO_LARGE = "file-too-large", Error, "The file is too large to be a bot or skill file.", FORGE_LS;
    // Frontmatter framing.
    FRONTMATTER_MISSING = "frontmatter-missing", Error, "The file does not start with a `---` frontmatter block.", BOTERNITY_SKILL_MANIFEST;
    FRONTMATTER_UNCLOSED = "frontmatter-unclosed", Error, "The frontmatter block has no closing `---`.", BOTERNITY_SKILL_MANIFEST;
    FRONTMATTER_BOM = "frontmatter-bom", Error, "The file starts with a byte-order mark.", BOTERNITY_SKILL_MANIFEST;
    FRONTMATTER_LEADING_SPACE = "frontmatter-leading-space", Error, "Blank lines or spaces come before the opening `---`.", BOTERNITY_SKILL_MANIFEST;
    FRONTMATTER_NOT_MAPPING = "frontmatter-not-mapping", Error, "The frontmatter is not a YAML mapping of keys to values.", BOTERNITY_SKILL_MANIFEST;
    FRONTMATTER_QUOTED_VALUE = "frontmatter-quoted-value", Warning, "Boternity keeps the quotes of this value as part of it.", BOTERNITY_IDENTITY;
    FRONTMATTER_UNEXPECTED = "frontmatter-unexpected", Warning, "USER.md has frontmatter, which Boternity passes to the model verbatim.", BOTERNITY_SOUL_SERVICE;
    // YAML and TOML layers.
    YAML_SYNTAX = "yaml-syntax", Error, "The frontmatter is not valid YAML.", BOTERNITY_SKILL_MANIFEST;
    YAML_DUPLICATE_KEY = "yaml-duplicate-key", Error, "A key appears twice in one mapping.", BOTERNITY_SKILL_MANIFEST;
    YAML_TOO_DEEP = "yaml-too-deep", Error, "The YAML nests deeper than forge-ls reads.", FORGE_LS;
    TOML_SYNTAX = "toml-syntax", Error, "The file is not valid TOML.", BOTERNITY_SKILL;
    // Shared field rules.
    UNKNOWN_KEY = "unknown-key", Warning, "A key that the file's reader does not know or never reads.", BOTERNITY_SKILL;
    FIELD_TYPE = "field-type", Error, "A value has the wrong type (string, list, mapping, number, boolean).", BOTERNITY_SKILL;
    CAPABILITY_INVALID = "capability-invalid", Error, "Not one of Boternity's eight capabilities.", BOTERNITY_SKILL;
    TRUST_TIER_INVALID = "trust-tier-invalid", Error, "Not a trust tier (`local`, `verified`, `untrusted`).", BOTERNITY_SKILL;
    // SKILL.md.
    SKILL_NAME_MISSING = "skill-name-missing", Error, "SKILL.md has no `name`.", AGENTSKILLS_SPEC;
    SKILL_NAME_INVALID = "skill-name-invalid", Error, "The skill name has characters other than lowercase letters, digits and hyphens.", AGENTSKILLS_SPEC;
    SKILL_NAME_HYPHEN = "skill-name-hyphen", Error, "The skill name starts or ends with a hyphen, or has two in a row.", AGENTSKILLS_SPEC;
    SKILL_NAME_TOO_LONG = "skill-name-too-long", Error, "The skill name is longer than 64 characters.", AGENTSKILLS_SPEC;
    SKILL_NAME_FOLDER = "skill-name-folder", Error, "The skill name differs from its folder's name.", AGENTSKILLS_SPEC;
    SKILL_DESCRIPTION_MISSING = "skill-description-missing", Error, "SKILL.md has no `description`.", AGENTSKILLS_SPEC;
    SKILL_DESCRIPTION_EMPTY = "skill-description-empty", Error, "The skill description is empty.", AGENTSKILLS_SPEC;
    SKILL_DESCRIPTION_TOO_LONG = "skill-description-too-long", Error, "The skill description is longer than 1024 characters.", AGENTSKILLS_SPEC;
    SKILL_COMPATIBILITY_TOO_LONG = "skill-compatibility-too-long", Error, "`compatibility` is longer than 500 characters.", AGENTSKILLS_SPEC;
    SKILL_TYPE_INVALID = "skill-type-invalid", Error, "`metadata.skill-type` is not `prompt` or `tool`.", BOTERNITY_SKILL;
    SKILL_VERSION_INVALID = "skill-version-invalid", Error, "`metadata.version` is not strict semver.", BOTERNITY_SKILL_MANIFEST;
    SKILL_DEPENDENCY_INVALID = "skill-dependency-invalid", Error, "A dependency is not `name` or `name@<semver requirement>`.", BOTERNITY_RESOLVER;
    SKILL_CONFLICTS_SELF = "skill-conflicts-self", Error, "The skill lists itself in `conflicts-with`.", BOTERNITY_RESOLVER;
    SKILL_TOOL_NO_CAPABILITIES = "skill-tool-no-capabilities", Warning, "A tool skill declares no capabilities.", FORGE_LS;
    SKILL_TOO_MANY_PARENTS = "skill-too-many-parents", Warning, "More than 3 parents.", BOTERNITY_INHERITANCE;
    SKILL_BODY_EMPTY = "skill-body-empty", Warning, "The skill has no instructions after its frontmatter.", FORGE_LS;
    SKILL_METADATA_MISSING = "skill-metadata-missing", Information, "No `metadata` section.", FORGE_LS;
    SKILL_VERSION_MISSING = "skill-version-missing", Information, "No `metadata.version`.", FORGE_LS;
    SKILL_TYPE_MISSING = "skill-type-missing", Information, "No `metadata.skill-type`.", BOTERNITY_SKILL;
    SKILL_METADATA_VALUE = "skill-metadata-value", Error, "A `metadata` value that the Agent Skills specification does not allow (profile `agentskills`).", AGENTSKILLS_SPEC;
    // IDENTITY.md.
    IDENTITY_DISPLAY_NAME_MISSING = "identity-display-name-missing", Error, "IDENTITY.md has no `display_name`, so Boternity ignores the whole file.", BOTERNITY_IDENTITY;
    IDENTITY_CATEGORY_INVALID = "identity-category-invalid", Warning, "Not a bot category; Boternity treats it as `assistant`.", BOTERNITY_BOT;
    IDENTITY_PROVIDER_UNKNOWN = "identity-provider-unknown", Warning, "Not a provider Boternity knows.", BOTERNITY_PROVIDERS;
    IDENTITY_MODEL_UNKNOWN = "identity-model-unknown", Warning, "A model not known for its provider.", BOTERNITY_STATE;
    IDENTITY_NUMBER_INVALID = "identity-number-invalid", Error, "`temperature` or `max_tokens` is not a number; Boternity silently uses the default.", BOTERNITY_IDENTITY;
    IDENTITY_NUMBER_RANGE = "identity-number-range", Warning, "`temperature` or `max_tokens` is outside the range Boternity's clients offer.", BOTERNITY_WEB_IDENTITY;
    // SOUL.md.
    SOUL_NAME_MISSING = "soul-name-missing", Error, "SOUL.md frontmatter has no `name`.", BOTERNITY_SOUL;
    SOUL_TONE_EMPTY = "soul-tone-empty", Information, "SOUL.md sets no `tone`.", BOTERNITY_SOUL_TYPE;
    SOUL_SECTION_MISSING = "soul-section-missing", Information, "A section the builder writes (Personality, Purpose, Boundaries) is missing.", BOTERNITY_BUILDER_PROMPT;
    TEMPLATE_UNFILLED = "template-unfilled", Hint, "A template comment or placeholder was never filled in.", BOTERNITY_SOUL_SERVICE;
    // skills.toml.
    SKILLS_TOML_SKILL_NAME_MISSING = "skills-toml-skill-name-missing", Error, "A `[skills.<key>]` table has no `skill_name`.", BOTERNITY_SKILL;
    SKILLS_TOML_KEY_MISMATCH = "skills-toml-key-mismatch", Warning, "The table key differs from `skill_name`.", BOTERNITY_SKILL;
    // Cross-file rules (the workspace index).
    SKILL_UNKNOWN_REFERENCE = "skill-unknown-reference", Error, "`dependencies`, `parents` or `conflicts-with` names a skill that is not in the workspace or the skill library.", BOTERNITY_RESOLVER;
    SKILL_INHERITANCE_CYCLE = "skill-inheritance-cycle", Error, "The skill inherits from itself through `parents`.", BOTERNITY_INHERITANCE;
    SKILL_INHERITANCE_DEPTH = "skill-inheritance-depth", Error, "The `parents` chain is more than 3 levels deep.", BOTERNITY_INHERITANCE;
    SKILL_DEPENDENCY_VERSION = "skill-dependency-version", Error, "The dependency's version does not satisfy the `name@requirement`.", BOTERNITY_RESOLVER;
    SKILL_DEPENDENCY_CYCLE = "skill-dependency-cycle", Error, "Skills depend on each other in a cycle through `dependencies`.", BOTERNITY_RESOLVER;
    SKILL_CONFLICT_ATTACHED = "skill-conflict-attached", Error, "Two skills attached to one bot conflict with each other.", BOTERNITY_RESOLVER;
    SKILL_DUPLICATE_NAME = "skill-duplicate-name", Error, "Two skills have the same name.", BOTERNITY_SKILL_STORE;
    BOT_MISSING_IDENTITY = "bot-missing-identity", Warning, "The bot folder has SOUL.md but no IDENTITY.md.", BOTERNITY_IDENTITY;
    BOT_MISSING_SOUL = "bot-missing-soul", Warning, "The bot folder has IDENTITY.md but no SOUL.md.", BOTERNITY_SOUL;
    SKILLS_TOML_UNKNOWN_SKILL = "skills-toml-unknown-skill", Error, "skills.toml attaches a skill that is not in the workspace or the skill library.", BOTERNITY_SKILL_STORE;
    SKILLS_TOML_MISMATCH = "skills-toml-mismatch", Warning, "skills.toml disagrees with the skill's own trust tier or capabilities.", BOTERNITY_SKILL;
    LINK_MISSING_FILE = "link-missing-file", Warning, "A relative link points to a file that does not exist.", FORGE_LS;
    // A Boternity install (the data directory's boternity.db).
    SOUL_INTEGRITY = "soul-integrity", Error, "SOUL.md is not the current soul version in boternity.db, so Boternity reports an integrity violation.", BOTERNITY_SOUL_SERVICE;
    // Token budgets (`check --budget`).
    PROMPT_OVER_BUDGET = "prompt-over-budget", Warning, "The system prompt assembled for the bot exceeds `budget.systemPromptTokens` or half the model's context window.", FORGE_LS;
    SKILL_LISTING_OVER_BUDGET = "skill-listing-over-budget", Warning, "A skill's description alone exceeds `budget.skillListingTokens`, and every prompt that lists the skill carries it.", FORGE_LS;
    // OpenClaw / ClawHub skills (dialect `openclaw`).
    FRONTMATTER_DELIMITER = "frontmatter-delimiter", Warning, "A frontmatter delimiter line is not exactly `---`, or a body line starting with `---` closes the block early.", BOTERNITY_SKILL_MANIFEST;
    OPENCLAW_SKILL_TOO_LARGE = "openclaw-skill-too-large", Error, "SKILL.md is larger than OpenClaw's 256,000-byte limit.", OPENCLAW;
    OPENCLAW_DESCRIPTION_LONG = "openclaw-description-long", Information, "The description is longer than OpenClaw's advised 160 characters, or spans lines.", OPENCLAW;
    OPENCLAW_SLASH_COMMAND = "openclaw-slash-command", Information, "OpenClaw derives a different slash command from the skill's name.", OPENCLAW;
    OPENCLAW_COMMAND_DISPATCH = "openclaw-command-dispatch", Warning, "`command-dispatch` is not `tool`, or has no `command-tool`.", OPENCLAW;
    OPENCLAW_METADATA_JSON = "openclaw-metadata-json", Warning, "`metadata` is text OpenClaw cannot read as JSON5.", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_NAMESPACE = "openclaw-namespace", Warning, "`metadata` has no `openclaw` manifest, or only a legacy one.", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_GATING_TOP_LEVEL = "openclaw-gating-top-level", Warning, "A gating key (`requires`, `os`, `install`, …) at the top level, where OpenClaw ignores it.", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_OS_INVALID = "openclaw-os-invalid", Warning, "An `os` value other than `darwin`, `linux` or `win32`.", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_INSTALL_INVALID = "openclaw-install-invalid", Warning, "An `install` entry OpenClaw drops (unknown kind, missing or unsafe field).", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_PRIMARY_ENV = "openclaw-primary-env", Information, "`primaryEnv` is not listed in `requires.env`.", OPENCLAW_SKILL_FRONTMATTER;
    SKILL_NESTED = "skill-nested", Information, "A SKILL.md (or a bot file) inside a skill's folder: bundled content, not something any agent loads.", OPENCLAW;
    SKILL_FILE_NAME = "skill-file-name", Error, "The skill file is not named exactly `SKILL.md` (`skill.md`, `Skill.md`, …).", OPENCLAW;
    YAML_NUMBER_STRING = "yaml-number-string", Warning, "An unquoted value YAML reads as a number where text is meant (`1.0` becomes `1`).", BOTERNITY_SKILL;
    OPENCLAW_ENV_UNDECLARED = "openclaw-env-undeclared", Information, "A bundled script reads an environment variable the skill does not declare.", OPENCLAW_SKILL_FRONTMATTER;
    OPENCLAW_SLUG_INVALID = "openclaw-slug-invalid", Warning, "The folder's name would not make a valid ClawHub slug for a new skill.", CLAWHUB;
    OPENCLAW_PUBLISH_GATE = "openclaw-publish-gate", Information, "ClawHub's quality gate would likely reject the body, or the license is not MIT-0.", CLAWHUB;
    // OpenClaw workspaces.
    OPENCLAW_BOOTSTRAP_TRUNCATED = "openclaw-bootstrap-truncated", Warning, "A workspace file is longer than OpenClaw injects; the middle is cut.", OPENCLAW_BOOTSTRAP;
    OPENCLAW_BOOTSTRAP_TOTAL = "openclaw-bootstrap-total", Warning, "The workspace files together exceed OpenClaw's total budget; later files are cut or skipped.", OPENCLAW_BOOTSTRAP;
    OPENCLAW_FILE_BLANK = "openclaw-file-blank", Information, "A blank workspace file, which OpenClaw silently skips.", OPENCLAW_BOOTSTRAP;
    OPENCLAW_FRONTMATTER_INJECTED = "openclaw-frontmatter-injected", Information, "A workspace file has frontmatter, which OpenClaw injects verbatim.", OPENCLAW_BOOTSTRAP;
    OPENCLAW_FILE_RETIRED = "openclaw-file-retired", Information, "TOOLS.md or HEARTBEAT.md, which current OpenClaw releases no longer read.", OPENCLAW_WORKSPACE;
    OPENCLAW_FILE_NAME = "openclaw-file-name", Warning, "A workspace file OpenClaw does not load under this name (`soul.md`, `Agents.md`, `memory.md`).", OPENCLAW_WORKSPACE;
    OPENCLAW_BOOTSTRAP_LEFTOVER = "openclaw-bootstrap-leftover", Information, "BOOTSTRAP.md is still there in a workspace that is set up.", OPENCLAW_WORKSPACE;
    OPENCLAW_SECRET = "openclaw-secret", Warning, "A secret (API key, token, private key) in a workspace file, which OpenClaw puts into the prompt.", FORGE_LS;
    OPENCLAW_HEARTBEAT_EMPTY = "openclaw-heartbeat-empty", Information, "HEARTBEAT.md is effectively empty, so heartbeat runs are skipped.", OPENCLAW;
    OPENCLAW_HEARTBEAT_TASK = "openclaw-heartbeat-task", Warning, "A HEARTBEAT.md task that OpenClaw silently drops.", OPENCLAW;
    OPENCLAW_HEARTBEAT_INTERVAL = "openclaw-heartbeat-interval", Warning, "A task `interval` that is not a duration; the task runs once only.", OPENCLAW;
    OPENCLAW_IDENTITY_NEXT_LINE = "openclaw-identity-next-line", Warning, "An identity label with its value on the next line, which OpenClaw never reads.", OPENCLAW_IDENTITY;
    OPENCLAW_IDENTITY_DUPLICATE = "openclaw-identity-duplicate", Warning, "An identity label appears twice; the last one wins.", OPENCLAW_IDENTITY;
    OPENCLAW_IDENTITY_IGNORED = "openclaw-identity-ignored", Information, "A line that looks like an identity label but that OpenClaw's parser ignores.", OPENCLAW_IDENTITY;
    OPENCLAW_IDENTITY_AVATAR = "openclaw-identity-avatar", Warning, "An `Avatar` OpenClaw cannot use.", OPENCLAW;
    OPENCLAW_IDENTITY_DISPLAY = "openclaw-identity-display", Information, "A `Name` or `Emoji` the UI cuts or ignores.", OPENCLAW;
    OPENCLAW_IDENTITY_EMPTY = "openclaw-identity-empty", Information, "IDENTITY.md sets no identity field OpenClaw reads.", OPENCLAW_IDENTITY;
    // Claude Code skills.
    CLAUDE_TOOL_PATTERN = "claude-tool-pattern", Warning, "An `allowed-tools` entry that is not a tool name or pattern Claude Code understands.", CLAUDE_CODE_SKILLS;
    CLAUDE_MODEL_UNKNOWN = "claude-model-unknown", Warning, "A `model` that is neither a Claude Code alias nor a Claude model id.", CLAUDE_CODE_SKILLS;
    // Skill supply-chain safety: the whole bundle (SKILL.md, its Markdown references, its scripts), read, never run.
    SECURITY_PROMPT_OVERRIDE = "security-prompt-override", Warning, "Text that tells the model to ignore its instructions or rules, or frames a jailbreak.", FORGE_LS;
    SECURITY_CONCEAL = "security-conceal", Warning, "Text that tells the model to hide what it does from the user.", FORGE_LS;
    SECURITY_HIDDEN_INSTRUCTION = "security-hidden-instruction", Warning, "An instruction to the model inside an HTML comment or a link title, which the rendered page does not show.", FORGE_LS;
    SECURITY_INVISIBLE_TEXT = "security-invisible-text", Warning, "Invisible or reordering characters: Unicode tag characters, zero-width characters, bidi controls.", FORGE_LS;
    SECURITY_HOMOGLYPH = "security-homoglyph", Warning, "A word that mixes Latin letters with look-alike Cyrillic or Greek ones.", FORGE_LS;
    SECURITY_EXFILTRATION = "security-exfiltration", Error, "Sends keys, credentials, the environment or wallet and browser stores off the machine.", FORGE_LS;
    SECURITY_EXFIL_ENDPOINT = "security-exfil-endpoint", Warning, "A request catcher, tunnel or paste site, where stolen data is usually sent.", FORGE_LS;
    SECURITY_REMOTE_CODE = "security-remote-code", Warning, "Runs code fetched from the network (`curl | sh`, download and execute, eval of fetched data).", FORGE_LS;
    SECURITY_REVERSE_SHELL = "security-reverse-shell", Error, "Opens a shell for a remote host (`/dev/tcp`, `nc -e`, socket + dup2).", FORGE_LS;
    SECURITY_PERSISTENCE = "security-persistence", Warning, "Makes something run again later: crontab, shell rc files, launch agents, systemd units, authorized_keys.", FORGE_LS;
    SECURITY_UNSAFE_DESERIALIZE = "security-unsafe-deserialize", Warning, "`pickle`/`marshal` loads data that can run code when loaded.", FORGE_LS;
    SECURITY_OBFUSCATED = "security-obfuscated", Error, "An encoded or split-up payload that, decoded or joined, does something the other security rules flag.", FORGE_LS;
    SECURITY_EVASION = "security-evasion", Warning, "Behaviour gated on the date or on detecting a sandbox, VM or debugger.", FORGE_LS;
    SECURITY_SECRET = "security-secret", Warning, "A key or token committed in the skill bundle.", FORGE_LS;
    SECURITY_ALLOW_REASON = "security-allow-reason", Warning, "A `forge-ls-allow` comment without a reason, which suppresses nothing.", FORGE_LS;
    // Boternity workflows.
    WORKFLOW_FIELD_MISSING = "workflow-field-missing", Error, "A field Boternity's workflow parser requires is missing.", BOTERNITY_WORKFLOW_TYPES;
    WORKFLOW_ENUM_INVALID = "workflow-enum-invalid", Error, "A step type, trigger type, owner, auth type, retry strategy or code language Boternity does not know.", BOTERNITY_WORKFLOW_TYPES;
    WORKFLOW_VALUE_INVALID = "workflow-value-invalid", Error, "A value Boternity's validator or trigger registration rejects (name, id, no steps, zero limits, webhook path, empty event or paths).", BOTERNITY_WORKFLOW_DEFINITION;
    WORKFLOW_STEP_TYPE_MISMATCH = "workflow-step-type-mismatch", Warning, "A step's `type` differs from its `config.type`; the step runs as `config.type`.", BOTERNITY_WORKFLOW_TYPES;
    WORKFLOW_STEP_DUPLICATE = "workflow-step-duplicate", Error, "Two steps have the same `id`.", BOTERNITY_WORKFLOW_DEFINITION;
    WORKFLOW_STEP_UNKNOWN = "workflow-step-unknown", Error, "`depends_on`, `then_steps`, `else_steps` or `body_steps` names a step that is not in the workflow.", BOTERNITY_WORKFLOW_DEFINITION;
    WORKFLOW_CYCLE = "workflow-cycle", Error, "Steps depend on each other in a cycle through `depends_on`.", BOTERNITY_WORKFLOW_DEFINITION;
    WORKFLOW_CRON_INVALID = "workflow-cron-invalid", Error, "A cron trigger's `schedule` that Boternity's scheduler cannot parse.", BOTERNITY_WORKFLOW_SCHEDULER;
    WORKFLOW_EXPRESSION_SYNTAX = "workflow-expression-syntax", Error, "A JEXL `condition` or `when` expression that does not parse.", BOTERNITY_WORKFLOW_EXPRESSION;
    WORKFLOW_TEMPLATE_INVALID = "workflow-template-invalid", Warning, "A `{{ }}` template Boternity leaves unresolved in the text.", BOTERNITY_WORKFLOW_CONTEXT;
    WORKFLOW_OUTPUT_UNKNOWN = "workflow-output-unknown", Warning, "A reference to `steps.<id>` whose step does not exist or does not run before this one.", BOTERNITY_WORKFLOW_CONTEXT;
    WORKFLOW_BOT_UNKNOWN = "workflow-bot-unknown", Warning, "An `agent` step names a bot that is not in the workspace.", BOTERNITY_WORKFLOW_STEP_RUNNER;
    WORKFLOW_SKILL_UNKNOWN = "workflow-skill-unknown", Warning, "A `skill` step names a skill that is not in the workspace or the skill library.", BOTERNITY_WORKFLOW_STEP_RUNNER;
    WORKFLOW_SUB_UNKNOWN = "workflow-sub-unknown", Warning, "A `sub_workflow` step names a workflow that is not in the workspace.", BOTERNITY_WORKFLOW_STEP_RUNNER;
    WORKFLOW_SUB_CYCLE = "workflow-sub-cycle", Error, "Workflows call each other in a cycle through `sub_workflow` steps.", BOTERNITY_WORKFLOW_STEP_RUNNER;
}

/// The codes only the cross-file pass reports (the workspace index, a Boternity install's soul
/// versions): a file analysed alone never has them; the server and `check` add them once every file
/// is read. Their fixtures are whole workspaces, checked through that pass.
pub static CROSS_FILE: &[&Code] = &[
    &SKILL_UNKNOWN_REFERENCE,
    &SKILL_INHERITANCE_CYCLE,
    &SKILL_INHERITANCE_DEPTH,
    &SKILL_DEPENDENCY_VERSION,
    &SKILL_DEPENDENCY_CYCLE,
    &SKILL_CONFLICT_ATTACHED,
    &SKILL_DUPLICATE_NAME,
    &BOT_MISSING_IDENTITY,
    &BOT_MISSING_SOUL,
    &SKILLS_TOML_UNKNOWN_SKILL,
    &SKILLS_TOML_MISMATCH,
    &LINK_MISSING_FILE,
    &SOUL_INTEGRITY,
    &PROMPT_OVER_BUDGET,
    &SKILL_LISTING_OVER_BUDGET,
    &WORKFLOW_BOT_UNKNOWN,
    &WORKFLOW_SKILL_UNKNOWN,
    &WORKFLOW_SUB_UNKNOWN,
    &WORKFLOW_SUB_CYCLE,
];

pub fn is_cross_file(id: &str) -> bool {
    CROSS_FILE.iter().any(|c| c.id == id)
}

/// The security codes: reported on any file of a skill's bundle, so their fixtures are whole
/// skills checked through `check`'s batch pass.
pub fn is_security(id: &str) -> bool {
    id.starts_with("security-")
}

pub fn lookup(id: &str) -> Option<&'static Code> {
    ALL.iter().copied().find(|c| c.id == id)
}
