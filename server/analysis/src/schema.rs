//! What fields exist in each file, their types, allowed values and meaning.
//!
//! One table per file kind answers "what is allowed here" for validation,
//! completion and hover alike. Facts are from Boternity's formats reference
//! (`shared/spec/boternity-formats.md`) and the Agent Skills specification.

use forge_syntax::sources::{self, Source};

/// The shape a field's value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Any scalar, read as text.
    String,
    Bool,
    /// A number (float or integer).
    Number,
    Integer,
    /// A list of strings.
    StringList,
    /// One of the values of an enumeration.
    Enum(&'static [Value]),
    /// A list of values of an enumeration.
    EnumList(&'static [Value]),
    /// A mapping (nested fields described elsewhere).
    Map,
    /// A mapping of strings to strings.
    StringMap,
}

/// A documented enumeration value.
#[derive(Debug, PartialEq, Eq)]
pub struct Value {
    pub name: &'static str,
    pub doc: &'static str,
    /// Where the value comes from (its table's source).
    pub source: &'static Source,
}

#[derive(Debug)]
pub struct Field {
    /// Where the field and what it says of it come from.
    pub source: &'static Source,
    pub key: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// What it means and what Boternity does with it.
    pub doc: &'static str,
    pub default: Option<&'static str>,
}

impl Field {
    pub fn values(&self) -> &'static [Value] {
        match self.ty {
            Ty::Enum(v) | Ty::EnumList(v) => v,
            _ => &[],
        }
    }
}

pub fn find<'a>(fields: &'a [Field], key: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.key == key)
}

macro_rules! values {
    ($source:ident; $($name:literal => $doc:literal),* $(,)?) => {
        &[$(Value { name: $name, doc: $doc, source: &forge_syntax::sources::$source }),*]
    };
}
pub(crate) use values;

pub static CAPABILITIES: &[Value] = values![BOTERNITY_SKILL;
    "read_file" => "Read files through the host's `read-file` call.",
    "write_file" => "Write files through the host's `write-file` call.",
    "http_get" => "Make HTTP GET requests (`http-get`).",
    "http_post" => "Make HTTP POST requests (`http-post`).",
    "exec_command" => "Run commands; required for local tool skills with `scripts/run.sh` or `run.py`.",
    "read_env" => "Read environment variables (`read-env`).",
    "recall_memory" => "Search the bot's memories (`recall-memory`).",
    "get_secret" => "Read a secret from the vault (`get-secret`).",
];

pub static SKILL_TYPES: &[Value] = values![BOTERNITY_SKILL;
    "prompt" => "Instructions injected into the bot's system prompt.",
    "tool" => "A callable skill with structured input and output (WASM component or local script).",
];

pub static TRUST_TIERS: &[Value] = values![BOTERNITY_SKILL;
    "local" => "Full trust: runs on the host without a sandbox.",
    "verified" => "Relaxed WASM sandbox (64 MB, 1,000,000 fuel, 30 s).",
    "untrusted" => "Strict WASM sandbox inside an OS sandbox (16 MB, 500,000 fuel, 10 s). Boternity's default when no tier is set.",
];

pub static CATEGORIES: &[Value] = values![BOTERNITY_BOT;
    "assistant" => "A general assistant (Boternity's default).",
    "creative" => "Writing, stories, art and music.",
    "research" => "Research, study and literature work.",
    "utility" => "Small focused tasks: reminders, conversions, email.",
];

pub static PROVIDERS: &[Value] = values![BOTERNITY_PROVIDERS;
    "anthropic" => "Anthropic's API (Boternity's default).",
    "bedrock" => "Anthropic models on AWS Bedrock.",
    "openai_compatible" => "Any OpenAI-compatible endpoint (from `providers.json`).",
    "claude_subscription" => "A Claude subscription provider (from `providers.json`).",
];

/// A model forge-ls knows offline, for one provider family.
#[derive(Debug)]
pub struct Model {
    pub provider: &'static str,
    pub id: &'static str,
    pub doc: &'static str,
    /// Where the id comes from: Boternity's own UI, or the provider's documentation.
    pub source: &'static Source,
}

macro_rules! models {
    ($($provider:literal, $id:literal, $source:ident, $doc:literal;)*) => {
        &[$(Model { provider: $provider, id: $id, doc: $doc, source: &sources::$source }),*]
    };
}

/// The models forge-ls knows without asking the provider (with `forge.llm.provider` set, the
/// provider's own list replaces them). Two kinds of fact: what Boternity itself offers (its
/// default and its web dropdown, sourced to Boternity) and the providers' current ids (sourced to
/// their documentation), most capable first within each provider.
pub static MODELS: &[Model] = models![
    // Boternity's facts.
    "anthropic", "claude-sonnet-4-20250514", BOTERNITY_IDENTITY_TYPE, "Claude Sonnet 4: Boternity's default model, first in its web dropdown (8,192 output tokens in Boternity's budget).";
    "anthropic", "claude-opus-4-20250514", BOTERNITY_WEB_IDENTITY, "Claude Opus 4, offered by Boternity's web dropdown (32,000 output tokens, extended thinking).";
    "anthropic", "claude-haiku-3-5-20241022", BOTERNITY_WEB_IDENTITY, "Claude 3.5 Haiku as Boternity's web dropdown spells it (Anthropic's id is `claude-3-5-haiku-20241022`).";
    "openai_compatible", "gpt-4o", BOTERNITY_WEB_IDENTITY, "OpenAI GPT-4o, offered by Boternity's web dropdown.";
    "openai_compatible", "gpt-4o-mini", BOTERNITY_WEB_IDENTITY, "OpenAI GPT-4o mini, offered by Boternity's web dropdown.";
    // The providers' current ids.
    "anthropic", "claude-fable-5", ANTHROPIC_MODELS, "Claude Fable 5: Anthropic's most capable widely released model.";
    "anthropic", "claude-opus-5-5", ANTHROPIC_OPUS_5_5, "Claude Opus 5.5 (a fixed id without a date).";
    "anthropic", "claude-opus-5", ANTHROPIC_OPUS_5_5, "Claude Opus 5.";
    "anthropic", "claude-sonnet-5-5", ANTHROPIC_SONNET_5_5, "Claude Sonnet 5.5.";
    "anthropic", "claude-haiku-4-5", ANTHROPIC_MODELS, "Claude Haiku 4.5 (8,192 output tokens in Boternity's budget).";
    "anthropic", "claude-opus-4-1", ANTHROPIC_MODEL_CARDS, "Claude Opus 4.1 (32,000 output tokens in Boternity's budget).";
    "anthropic", "claude-sonnet-4-5", ANTHROPIC_MODEL_CARDS, "Claude Sonnet 4.5 (8,192 output tokens in Boternity's budget).";
    "anthropic", "claude-3-5-haiku-20241022", ANTHROPIC_MODEL_CARDS, "Claude 3.5 Haiku (8,192 output tokens).";
    "openai_compatible", "gpt-5.4", OPENAI_MODEL_IDS, "OpenAI GPT-5.4.";
    "openai_compatible", "gpt-5.4-mini", OPENAI_MODEL_IDS, "OpenAI GPT-5.4 mini.";
    "openai_compatible", "gpt-5", OPENAI_MODEL_IDS, "OpenAI GPT-5.";
    "openai_compatible", "gpt-4.1", OPENAI_MODEL_IDS, "OpenAI GPT-4.1.";
    "openai_compatible", "o3-mini", OPENAI_MODEL_IDS, "OpenAI o3-mini.";
];

/// The models Boternity's web dropdown offers (spec §3.4), default first: what the builder offers
/// for `model`. Each is an entry of [`MODELS`] (a test checks), whose text describes it.
pub static BUILDER_MODELS: &[&str] = &[
    "claude-sonnet-4-20250514",
    "claude-opus-4-20250514",
    "claude-haiku-3-5-20241022",
    "gpt-4o",
    "gpt-4o-mini",
];

/// The [`MODELS`] entry of a model id.
pub fn model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.id == id)
}

/// One model a provider listed for the user's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedModel {
    pub id: String,
    /// The provider's name for it (`Claude Opus 5.5`), when it gives one.
    pub display_name: Option<String>,
}

/// The models the provider of `forge.llm` listed (forge-ls asks it in the background and hands
/// the list in as plain data). While there is one, it replaces [`MODELS`] for the providers it
/// serves: completion offers it and `identity-model-unknown` checks against it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderModels {
    /// The IDENTITY.md provider it serves: `anthropic` or `openai_compatible`.
    pub family: &'static str,
    /// Who listed it, for messages (`Anthropic's API`, `http://127.0.0.1:11434`).
    pub source: String,
    /// Most capable first.
    pub models: Vec<ListedModel>,
}

impl ProviderModels {
    /// Whether the list answers for an IDENTITY.md `provider` (Bedrock and a Claude subscription
    /// serve Anthropic's models).
    pub fn serves(&self, provider: &str) -> bool {
        family(provider) == self.family
    }

    /// Whether `id` is listed, or is the alias of a listed snapshot (`claude-haiku-4-5` for
    /// `claude-haiku-4-5-20251001`): Anthropic's API accepts both.
    pub fn knows(&self, id: &str) -> bool {
        self.models.iter().any(|m| {
            m.id == id
                || m.id.strip_prefix(id).is_some_and(|rest| {
                    rest.len() == 9
                        && rest.starts_with('-')
                        && rest[1..].bytes().all(|b| b.is_ascii_digit())
                })
        })
    }
}

/// The family of models an IDENTITY.md `provider` uses.
fn family(provider: &str) -> &str {
    match provider {
        "bedrock" | "claude_subscription" => "anthropic",
        other => other,
    }
}

/// `temperature`: the range Boternity's web UI allows (spec §3.4; its template says 0.0–1.0).
pub const TEMPERATURE: std::ops::RangeInclusive<f64> = 0.0..=2.0;

/// `max_tokens`: a positive 32-bit number (Boternity stores an `i32` and wraps anything larger).
pub const MAX_TOKENS: std::ops::RangeInclusive<i64> = 1..=i32::MAX as i64;

/// Output-token limit Boternity infers from a model name (spec §3.4).
pub fn max_output_tokens(model: &str) -> u32 {
    if model.contains("opus") {
        32_000
    } else if model.contains("sonnet") || model.contains("haiku") {
        8_192
    } else {
        4_096
    }
}

pub fn models_for(provider: &str) -> impl Iterator<Item = &'static Model> + '_ {
    let provider = family(provider);
    MODELS.iter().filter(move |m| m.provider == provider)
}

pub static SKILL_FIELDS: &[Field] = &[
    Field { source: &sources::BOTERNITY_SKILL, key: "name", ty: Ty::String, required: true, default: None,
        doc: "The skill's name: lowercase letters, digits and single hyphens, at most 64 characters, not starting or ending with a hyphen, and equal to its folder's name. Boternity looks skills up by folder name." },
    Field { source: &sources::BOTERNITY_SKILL, key: "description", ty: Ty::String, required: true, default: None,
        doc: "What the skill does and when to use it; non-empty, at most 1024 characters. Agents decide from this text whether to load the skill." },
    Field { source: &sources::BOTERNITY_SKILL, key: "license", ty: Ty::String, required: false, default: None,
        doc: "The license the skill is published under (a name or a bundled file)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "compatibility", ty: Ty::String, required: false, default: None,
        doc: "Environment requirements (products, system packages, network access), at most 500 characters." },
    Field { source: &sources::BOTERNITY_SKILL, key: "allowed-tools", ty: Ty::String, required: false, default: None,
        doc: "Tools the skill may use, space-separated in one string. Boternity reads it as a single string: a YAML list fails to load." },
    Field { source: &sources::BOTERNITY_SKILL, key: "metadata", ty: Ty::Map, required: false, default: None,
        doc: "Extra properties. Boternity reads its extensions here: `version`, `skill-type`, `capabilities`, `trust-tier`, `dependencies`, `conflicts-with`, `parents`, `author`, `secrets`, `categories`." },
];

pub static SKILL_METADATA_FIELDS: &[Field] = &[
    Field { source: &sources::BOTERNITY_SKILL, key: "author", ty: Ty::String, required: false, default: None,
        doc: "Who wrote the skill. `bnity skill publish` requires it." },
    Field { source: &sources::BOTERNITY_SKILL, key: "version", ty: Ty::String, required: false, default: None,
        doc: "Strict semver `MAJOR.MINOR.PATCH` (quote it: `\"0.1.0\"`). `1.0` and `v1.0.0` fail to load in Boternity." },
    Field { source: &sources::BOTERNITY_SKILL, key: "skill-type", ty: Ty::Enum(SKILL_TYPES), required: false, default: None,
        doc: "`prompt` (instructions injected into the system prompt) or `tool` (callable). Without it Boternity treats the skill like a tool skill." },
    Field { source: &sources::BOTERNITY_SKILL, key: "capabilities", ty: Ty::EnumList(CAPABILITIES), required: false, default: None,
        doc: "Permissions the skill requests, from Boternity's eight capabilities (snake_case)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "dependencies", ty: Ty::StringList, required: false, default: None,
        doc: "Skills this one needs, as `name` or `name@<semver requirement>` (e.g. `url-tools@^1.0`)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "conflicts-with", ty: Ty::StringList, required: false, default: None,
        doc: "Skills that must not be attached to the same bot." },
    Field { source: &sources::BOTERNITY_SKILL, key: "trust-tier", ty: Ty::Enum(TRUST_TIERS), required: false, default: Some("untrusted"),
        doc: "Sandbox level. The runtime treats a missing tier as `untrusted`; the CLI displays it as `local`." },
    Field { source: &sources::BOTERNITY_SKILL, key: "parents", ty: Ty::StringList, required: false, default: None,
        doc: "Skills this one inherits capabilities from (mixins; at most 3 levels deep, no cycles)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "secrets", ty: Ty::StringList, required: false, default: None,
        doc: "Names of secrets the skill wants (not consumed by Boternity yet)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "categories", ty: Ty::StringList, required: false, default: None,
        doc: "Browsing categories." },
];

pub static IDENTITY_FIELDS: &[Field] = &[
    Field { source: &sources::BOTERNITY_IDENTITY, key: "display_name", ty: Ty::String, required: true, default: None,
        doc: "The bot's display name. Required: without it Boternity ignores the whole file and uses its defaults (model claude-sonnet-4-20250514, temperature 0.7, max_tokens 4096)." },
    Field { source: &sources::BOTERNITY_IDENTITY, key: "category", ty: Ty::Enum(CATEGORIES), required: false, default: Some("assistant"),
        doc: "The bot's category (case-insensitive). Unknown values are treated as `assistant`." },
    Field { source: &sources::BOTERNITY_IDENTITY, key: "model", ty: Ty::String, required: false, default: Some("claude-sonnet-4-20250514"),
        doc: "The model the bot chats with. Boternity does not check it; it is sent to the primary provider." },
    Field { source: &sources::BOTERNITY_IDENTITY, key: "provider", ty: Ty::Enum(PROVIDERS), required: false, default: Some("anthropic"),
        doc: "The provider family of `model`. Boternity reads it but picks the provider from the `ANTHROPIC_API_KEY` secret." },
    Field { source: &sources::BOTERNITY_IDENTITY, key: "temperature", ty: Ty::Number, required: false, default: Some("0.7"),
        doc: "Sampling temperature, 0 to 2 in Boternity's web UI (its template says 0.0–1.0). A non-number silently becomes 0.7." },
    Field { source: &sources::BOTERNITY_IDENTITY, key: "max_tokens", ty: Ty::Integer, required: false, default: Some("4096"),
        doc: "Maximum tokens per reply, 1 to 200000 in Boternity's web UI. A non-number silently becomes 4096; a negative one wraps around." },
];

/// Keys Boternity's `Identity` type has but never reads from the file.
pub static IDENTITY_NOT_READ: &[&str] = &[
    "avatar",
    "accent_color",
    "emoji",
    "tags",
    "max_request_tokens",
];

pub static SOUL_FIELDS: &[Field] = &[
    Field {
        source: &sources::BOTERNITY_SOUL_TYPE,
        key: "name",
        ty: Ty::String,
        required: true,
        default: None,
        doc: "The personality's name. Required by Boternity's SOUL.md parser.",
    },
    Field {
        source: &sources::BOTERNITY_SOUL_TYPE,
        key: "traits",
        ty: Ty::StringList,
        required: false,
        default: None,
        doc: "Personality keywords, as a list (`- patient` lines or `[a, b]`).",
    },
    Field {
        source: &sources::BOTERNITY_SOUL_TYPE,
        key: "tone",
        ty: Ty::String,
        required: false,
        default: None,
        doc: "How the bot speaks, in a few words (e.g. `calm and encouraging`).",
    },
];

/// The sections Boternity's builder writes into SOUL.md.
pub static SOUL_SECTIONS: &[(&str, &str)] = &[
    ("Personality", "Who the bot is: its temperament and traits."),
    ("Purpose", "What the bot is for."),
    (
        "Boundaries",
        "What the bot must not do, and how it declines.",
    ),
];

/// The sections of Boternity's USER.md templates.
pub static USER_SECTIONS: &[(&str, &str)] = &[
    (
        "Preferences",
        "How the user likes answers: format, length, language.",
    ),
    (
        "Standing Instructions",
        "Rules the bot should always follow for this user.",
    ),
    (
        "Important Context",
        "Facts about the user the bot should keep in mind.",
    ),
];

pub static SKILLS_TOML_FIELDS: &[Field] = &[
    Field { source: &sources::BOTERNITY_SKILL, key: "skill_name", ty: Ty::String, required: true, default: None,
        doc: "The attached skill's name (the folder name in the skill library). Required: without it Boternity fails to read skills.toml." },
    Field { source: &sources::BOTERNITY_SKILL, key: "enabled", ty: Ty::Bool, required: false, default: Some("true"),
        doc: "Whether the skill is active for this bot." },
    Field { source: &sources::BOTERNITY_SKILL, key: "trust_tier", ty: Ty::Enum(TRUST_TIERS), required: false, default: None,
        doc: "The tier this bot grants the skill (snake_case here, unlike SKILL.md's `trust-tier`)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "version", ty: Ty::String, required: false, default: None,
        doc: "The skill version pinned when attaching (not enforced)." },
    Field { source: &sources::BOTERNITY_SKILL, key: "overrides", ty: Ty::StringMap, required: false, default: None,
        doc: "Per-bot settings for the skill, strings to strings." },
    Field { source: &sources::BOTERNITY_SKILL, key: "capabilities", ty: Ty::EnumList(CAPABILITIES), required: false, default: None,
        doc: "Capabilities granted to the skill for this bot." },
];

use crate::agent_schema as oc;

/// Every field table, by name: what `docs/sources.md` lists (a test keeps it current).
pub static FIELD_TABLES: &[(&str, &[Field])] = &[
    ("SKILL.md (Boternity)", SKILL_FIELDS),
    ("SKILL.md `metadata` (Boternity)", SKILL_METADATA_FIELDS),
    ("IDENTITY.md (Boternity)", IDENTITY_FIELDS),
    ("SOUL.md (Boternity)", SOUL_FIELDS),
    ("skills.toml (Boternity)", SKILLS_TOML_FIELDS),
    ("SKILL.md (OpenClaw)", oc::OPENCLAW_SKILL_FIELDS),
    (
        "SKILL.md `metadata` (OpenClaw)",
        oc::OPENCLAW_METADATA_FIELDS,
    ),
    ("`metadata.openclaw`", oc::OPENCLAW_MANIFEST_FIELDS),
    ("`metadata.openclaw.requires`", oc::OPENCLAW_REQUIRES_FIELDS),
    ("`metadata.openclaw.install[]`", oc::OPENCLAW_INSTALL_FIELDS),
    ("SKILL.md (Claude Code)", oc::CLAUDE_SKILL_FIELDS),
    (
        "IDENTITY.md labels (OpenClaw)",
        oc::OPENCLAW_IDENTITY_LABELS,
    ),
];

/// Every value table, by name.
pub static VALUE_TABLES: &[(&str, &[Value])] = &[
    ("capabilities", CAPABILITIES),
    ("skill types", SKILL_TYPES),
    ("trust tiers", TRUST_TIERS),
    ("bot categories", CATEGORIES),
    ("providers", PROVIDERS),
    ("OpenClaw booleans", oc::BOOLEANISH),
    ("OpenClaw `os`", oc::OS_VALUES),
    ("OpenClaw install kinds", oc::INSTALL_KINDS),
    ("OpenClaw `command-dispatch`", oc::COMMAND_DISPATCH),
    ("OpenClaw `command-arg-mode`", oc::COMMAND_ARG_MODE),
    ("Claude Code `context`", oc::CLAUDE_CONTEXT),
    ("Claude Code `model`", oc::CLAUDE_MODELS),
    ("Claude Code hook events", oc::CLAUDE_HOOK_EVENTS),
    ("Claude Code hook types", oc::CLAUDE_HOOK_TYPES),
];

/// The other facts of the schema tables (word lists, sections, limits), each list with its source,
/// for `docs/sources.md`.
pub fn other_facts() -> Vec<(&'static str, Vec<String>, &'static Source)> {
    let names = |l: &[&str]| l.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>();
    let firsts = |l: &[(&str, &str)]| l.iter().map(|(s, _)| format!("`{s}`")).collect::<Vec<_>>();
    vec![
        (
            "IDENTITY.md keys Boternity's `Identity` has but never reads",
            names(&IDENTITY_NOT_READ[..4]),
            &sources::BOTERNITY_IDENTITY_TYPE,
        ),
        (
            "the per-bot request budget key Boternity plans but does not parse yet",
            names(&IDENTITY_NOT_READ[4..]),
            &sources::BOTERNITY_CONFIG,
        ),
        (
            "SOUL.md sections",
            firsts(SOUL_SECTIONS),
            &sources::BOTERNITY_BUILDER_PROMPT,
        ),
        (
            "USER.md sections",
            firsts(USER_SECTIONS),
            &sources::BOTERNITY_SOUL_SERVICE,
        ),
        (
            "`temperature` and `max_tokens` ranges",
            vec![format!("{TEMPERATURE:?}"), format!("{MAX_TOKENS:?}")],
            &sources::BOTERNITY_WEB_IDENTITY,
        ),
        (
            "output tokens by model family",
            vec![
                "opus 32000".into(),
                "sonnet, haiku 8192".into(),
                "else 4096".into(),
            ],
            &sources::BOTERNITY_ANTHROPIC,
        ),
        (
            "builder model offers (Boternity's web dropdown)",
            names(BUILDER_MODELS),
            &sources::BOTERNITY_WEB_IDENTITY,
        ),
        (
            "OpenClaw `os` spellings",
            firsts(oc::OS_ALIASES),
            &sources::OPENCLAW,
        ),
        (
            "OpenClaw key spellings",
            firsts(oc::OPENCLAW_ALIASES),
            &sources::OPENCLAW,
        ),
        (
            "OpenClaw gating keys",
            names(oc::GATING_KEYS),
            &sources::OPENCLAW_SKILL_FRONTMATTER,
        ),
        (
            "OpenClaw install kinds' required fields and patterns",
            oc::INSTALL_RULES
                .iter()
                .map(|k| format!("`{}`", k.kind))
                .collect(),
            &sources::OPENCLAW_SKILL_FRONTMATTER,
        ),
        (
            "OpenClaw identity placeholders",
            names(oc::IDENTITY_PLACEHOLDERS),
            &sources::OPENCLAW_IDENTITY,
        ),
    ]
}

/// Suggest the canonical spelling for a near-miss: `http-get`, `HttpGet`, `HTTP_GET` → `http_get`.
pub fn suggest<'a>(candidates: impl IntoIterator<Item = &'a str>, wrong: &str) -> Option<&'a str> {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wrong = norm(wrong);
    candidates.into_iter().find(|c| norm(c) == wrong)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_not_read_keys_split_where_other_facts_says() {
        // `other_facts` sources the first four to the `Identity` type and the last to config.rs.
        assert_eq!(IDENTITY_NOT_READ[4..], ["max_request_tokens"]);
    }

    #[test]
    fn every_builder_model_is_a_known_model() {
        for m in BUILDER_MODELS {
            assert!(model(m).is_some(), "{m} is not in MODELS");
        }
    }

    use super::*;

    #[test]
    fn near_misses_map_to_canonical_names() {
        let caps = CAPABILITIES.iter().map(|v| v.name);
        assert_eq!(suggest(caps.clone(), "http-get"), Some("http_get"));
        assert_eq!(suggest(caps.clone(), "HttpGet"), Some("http_get"));
        assert_eq!(suggest(caps, "http"), None);
        assert_eq!(
            suggest(SKILL_METADATA_FIELDS.iter().map(|f| f.key), "skill_type"),
            Some("skill-type")
        );
    }
}
