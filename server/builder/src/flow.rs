//! The question flow as data: [`QUESTIONS`] is the one table that says which questions exist, in which
//! phase, which config field each fills, how its options are derived and where its answer lives in the
//! files. The engine walks it; the LSP layer reads it to offer questions at their [`FileTarget`].

use super::answer::{clean_line, clean_text};
use super::defaults::{
    all_defaults, classify_purpose, smart_defaults, suggest_capabilities,
    suggested_skill_description, DEFAULT_BOUNDARIES,
};
use super::slug::{skill_name, slugify};
use super::types::*;
use super::{BuilderError, Mode};
use forge_analysis::schema;
use serde::{Deserialize, Serialize};

/// The config field a question fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Description,
    Category,
    Tone,
    Traits,
    Purpose,
    Boundaries,
    Model,
    Temperature,
    MaxTokens,
    Skills,
    SkillName,
    SkillDescription,
    SkillType,
    Capabilities,
    TrustTier,
    SkillBody,
    /// OpenClaw workspace mode (the `BOOTSTRAP.md` ritual).
    AgentName,
    Creature,
    Vibe,
    Emoji,
    UserName,
    CallThem,
    Timezone,
    Values,
    AgentBoundaries,
}

/// Where an answer is written. Keys are the literal frontmatter keys (`metadata.` prefix for nested
/// SKILL.md keys); sections are heading texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "file", content = "at", rename_all = "snake_case")]
pub enum FileTarget {
    Identity(&'static str),
    SoulFrontmatter(&'static str),
    SoulSection(&'static str),
    /// The intro paragraph of USER.md, before its first `##` section.
    UserIntro,
    UserSection(&'static str),
    SkillsToml,
    SkillFrontmatter(&'static str),
    SkillBody,
    /// An OpenClaw `- **Label:** value` line of the workspace's IDENTITY.md.
    OpenclawIdentity(&'static str),
    /// The same kind of line in the workspace's USER.md.
    OpenclawUser(&'static str),
    /// A `##` section of the workspace's SOUL.md, one bullet per item.
    OpenclawSoul(&'static str),
}

/// A session's answers so far, whatever its mode, for a question's [`Slot`] to read.
pub struct Draft<'a> {
    pub config: &'a PartialBuilderConfig,
    pub skill: &'a PartialSkillConfig,
    pub workspace: &'a WorkspaceConfig,
}

/// The same, for a [`Slot`] to write.
pub struct DraftMut<'a> {
    pub config: &'a mut PartialBuilderConfig,
    pub skill: &'a mut PartialSkillConfig,
    pub workspace: &'a mut WorkspaceConfig,
}

/// Where a question's answer is kept in a session: read with `get`, written with `set` (`false`:
/// a value of another kind, only reachable through a hand-edited draft).
#[derive(Clone, Copy)]
pub struct Slot {
    pub get: fn(&Draft) -> Option<FieldValue>,
    pub set: fn(&mut DraftMut, &FieldValue) -> bool,
}

/// A [`Slot`] of the `Option` field `$part.$field` holding a `FieldValue::$kind`.
macro_rules! slot {
    ($kind:ident, $part:ident . $field:ident) => {
        Slot {
            get: |d| d.$part.$field.clone().map(FieldValue::$kind),
            set: |d, v| match v {
                FieldValue::$kind(x) => {
                    d.$part.$field = Some(x.clone());
                    true
                }
                _ => false,
            },
        }
    };
}

/// Skills: a list kept without an `Option` (no skills and "not asked yet" look alike, which is
/// why "No skills" is always offered).
const SKILLS_SLOT: Slot = Slot {
    get: |d| (!d.config.skills.is_empty()).then(|| FieldValue::Skills(d.config.skills.clone())),
    set: |d, v| match v {
        FieldValue::Skills(x) => {
            d.config.skills = x.clone();
            true
        }
        _ => false,
    },
};

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

#[derive(Debug, Clone, Copy)]
pub struct QuestionSpec {
    pub id: &'static str,
    pub mode: Mode,
    pub phase: BuilderPhase,
    pub field: Field,
    /// `{name}` is replaced by the bot's (or skill's) name once known.
    pub text: &'static str,
    pub allow_free_text: bool,
    /// Every place the answer is written (the first is the primary one).
    pub targets: &'static [FileTarget],
    /// Where the answer is kept in the session.
    pub slot: Slot,
    /// How a free-text answer is read.
    pub parse: fn(&str, &BuilderContext) -> Result<FieldValue, BuilderError>,
    /// The options offered (after "Keep: …", which every question offers when it has a value).
    pub offer: fn(&QuestionSpec, &OptionInput, &mut Options),
    /// Whether a bot's files lack something while it is unanswered (no skills is a valid bot).
    pub required: bool,
}

use BuilderPhase::{Basics, Model as ModelPhase, Personality, Skills as SkillsPhase};
use FileTarget as T;
use Mode::OpenclawWorkspace as Openclaw;

/// Every builder question, in asking order per mode.
pub static QUESTIONS: &[QuestionSpec] = &[
    QuestionSpec {
        id: "name",
        mode: Mode::Bot,
        phase: Basics,
        field: Field::Name,
        text: "What should your bot be called?",
        allow_free_text: true,
        targets: &[T::Identity("display_name"), T::SoulFrontmatter("name")],
        slot: slot!(Text, config.name),
        parse: parse_name,
        offer: offer_name,
        required: true,
    },
    QuestionSpec {
        id: "description",
        mode: Mode::Bot,
        phase: Basics,
        field: Field::Description,
        text: "In one sentence, what does {name} do?",
        allow_free_text: true,
        targets: &[T::UserIntro],
        slot: slot!(Text, config.description),
        parse: parse_text,
        offer: offer_description,
        required: true,
    },
    QuestionSpec {
        id: "category",
        mode: Mode::Bot,
        phase: Basics,
        field: Field::Category,
        text: "Which kind of bot is {name}?",
        allow_free_text: false,
        targets: &[T::Identity("category")],
        slot: slot!(Text, config.category),
        parse: parse_category,
        offer: offer_category,
        required: true,
    },
    QuestionSpec {
        id: "tone",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Tone,
        text: "What tone should {name} use?",
        allow_free_text: true,
        targets: &[T::SoulFrontmatter("tone")],
        slot: slot!(Text, config.tone),
        parse: parse_line,
        offer: offer_tone,
        required: true,
    },
    QuestionSpec {
        id: "traits",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Traits,
        text: "Which traits describe {name}? (free text: a comma-separated list)",
        allow_free_text: true,
        targets: &[T::SoulFrontmatter("traits")],
        slot: slot!(List, config.traits),
        parse: parse_traits,
        offer: offer_traits,
        required: true,
    },
    QuestionSpec {
        id: "purpose",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Purpose,
        text: "What is {name}'s purpose?",
        allow_free_text: true,
        targets: &[T::SoulSection("Purpose")],
        slot: slot!(Text, config.purpose),
        parse: parse_text,
        offer: offer_description,
        required: true,
    },
    QuestionSpec {
        id: "boundaries",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Boundaries,
        text: "What should {name} never do?",
        allow_free_text: true,
        targets: &[T::SoulSection("Boundaries")],
        slot: slot!(Text, config.boundaries),
        parse: parse_text,
        offer: offer_boundaries,
        required: true,
    },
    QuestionSpec {
        id: "model",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::Model,
        text: "Which model should {name} run on?",
        allow_free_text: true,
        targets: &[T::Identity("model"), T::Identity("provider")],
        slot: slot!(Text, config.model),
        parse: parse_line,
        offer: offer_model,
        required: true,
    },
    QuestionSpec {
        id: "temperature",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::Temperature,
        text: "How creative should {name}'s answers be (temperature 0–2)?",
        allow_free_text: true,
        targets: &[T::Identity("temperature")],
        slot: slot!(Number, config.temperature),
        parse: parse_temperature,
        offer: offer_temperature,
        required: true,
    },
    QuestionSpec {
        id: "max_tokens",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::MaxTokens,
        text: "How long may {name}'s replies be (max tokens)?",
        allow_free_text: true,
        targets: &[T::Identity("max_tokens")],
        slot: slot!(Count, config.max_tokens),
        parse: parse_max_tokens,
        offer: offer_max_tokens,
        required: true,
    },
    QuestionSpec {
        id: "skills",
        mode: Mode::Bot,
        phase: SkillsPhase,
        field: Field::Skills,
        text: "Which skills should {name} have? (free text: comma-separated skill names)",
        allow_free_text: true,
        targets: &[T::SkillsToml],
        slot: SKILLS_SLOT,
        parse: parse_skills,
        offer: offer_skills,
        required: false,
    },
    QuestionSpec {
        id: "skill_name",
        mode: Mode::Skill,
        phase: Basics,
        field: Field::SkillName,
        text: "What should the skill be called?",
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("name")],
        slot: slot!(Text, skill.name),
        parse: parse_skill_name,
        offer: offer_skill_name,
        required: false,
    },
    QuestionSpec {
        id: "skill_description",
        mode: Mode::Skill,
        phase: Basics,
        field: Field::SkillDescription,
        text: "Describe what {name} does and when to use it.",
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("description")],
        slot: slot!(Text, skill.description),
        parse: parse_skill_description,
        offer: offer_skill_description,
        required: false,
    },
    QuestionSpec {
        id: "skill_type",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::SkillType,
        text: "Is {name} a prompt skill or a tool skill?",
        allow_free_text: false,
        targets: &[T::SkillFrontmatter("metadata.skill-type")],
        slot: slot!(SkillType, skill.skill_type),
        parse: parse_no_free_text,
        offer: offer_skill_type,
        required: false,
    },
    QuestionSpec {
        id: "capabilities",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::Capabilities,
        text: "Which capabilities does {name} need? (free text: comma-separated capability names)",
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("metadata.capabilities")],
        slot: slot!(Capabilities, skill.capabilities),
        parse: parse_capabilities,
        offer: offer_capabilities,
        required: false,
    },
    QuestionSpec {
        id: "trust_tier",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::TrustTier,
        text: "How much should {name} be trusted?",
        allow_free_text: false,
        targets: &[T::SkillFrontmatter("metadata.trust-tier")],
        slot: slot!(TrustTier, skill.trust_tier),
        parse: parse_no_free_text,
        offer: offer_trust_tier,
        required: false,
    },
    QuestionSpec {
        id: "instructions",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::SkillBody,
        text: "What instructions should {name} follow? (free text: Markdown)",
        allow_free_text: true,
        targets: &[T::SkillBody],
        slot: slot!(Text, skill.body),
        parse: parse_text,
        offer: offer_skill_body,
        required: false,
    },
    // OpenClaw's first-run ritual, in the order BOOTSTRAP.md asks it: who the agent is, who the
    // user is, then SOUL.md (openclaw/openclaw@0afa47d5:docs/reference/templates/BOOTSTRAP.md).
    QuestionSpec {
        id: "oc_name",
        mode: Openclaw,
        phase: Basics,
        field: Field::AgentName,
        text: "What should your agent be called?",
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Name")],
        slot: slot!(Text, workspace.name),
        parse: parse_agent_name,
        offer: offer_agent_name,
        required: true,
    },
    QuestionSpec {
        id: "oc_creature",
        mode: Openclaw,
        phase: Basics,
        field: Field::Creature,
        text: "What kind of creature is {name}? (an AI assistant is fine, or something weirder)",
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Creature")],
        slot: slot!(Text, workspace.creature),
        parse: parse_line,
        offer: offer_suggestions,
        required: true,
    },
    QuestionSpec {
        id: "oc_vibe",
        mode: Openclaw,
        phase: Basics,
        field: Field::Vibe,
        text: "What is {name}'s vibe?",
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Vibe")],
        slot: slot!(Text, workspace.vibe),
        parse: parse_line,
        offer: offer_suggestions,
        required: true,
    },
    QuestionSpec {
        id: "oc_emoji",
        mode: Openclaw,
        phase: Basics,
        field: Field::Emoji,
        text: "Which emoji is {name}'s signature?",
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Emoji")],
        slot: slot!(Text, workspace.emoji),
        parse: parse_emoji,
        offer: offer_suggestions,
        required: true,
    },
    QuestionSpec {
        id: "oc_user_name",
        mode: Openclaw,
        phase: Basics,
        field: Field::UserName,
        text: "What is your name?",
        allow_free_text: true,
        targets: &[T::OpenclawUser("Name")],
        slot: slot!(Text, workspace.user_name),
        parse: parse_line,
        offer: offer_nothing,
        required: true,
    },
    QuestionSpec {
        id: "oc_call_them",
        mode: Openclaw,
        phase: Basics,
        field: Field::CallThem,
        text: "What should {name} call you?",
        allow_free_text: true,
        targets: &[T::OpenclawUser("What to call them")],
        slot: slot!(Text, workspace.call_them),
        parse: parse_line,
        offer: offer_call_them,
        required: true,
    },
    QuestionSpec {
        id: "oc_timezone",
        mode: Openclaw,
        phase: Basics,
        field: Field::Timezone,
        text: "Which time zone are you in?",
        allow_free_text: true,
        targets: &[T::OpenclawUser("Timezone")],
        slot: slot!(Text, workspace.timezone),
        parse: parse_timezone,
        offer: offer_timezone,
        required: true,
    },
    QuestionSpec {
        id: "oc_values",
        mode: Openclaw,
        phase: Personality,
        field: Field::Values,
        text:
            "What matters to you, and how should {name} behave? (free text: a comma-separated list)",
        allow_free_text: true,
        targets: &[T::OpenclawSoul("Core Truths")],
        slot: slot!(List, workspace.values),
        parse: parse_values,
        offer: offer_recommended_list,
        required: true,
    },
    QuestionSpec {
        id: "oc_boundaries",
        mode: Openclaw,
        phase: Personality,
        field: Field::AgentBoundaries,
        text: "Which boundaries should {name} keep? (free text: a comma-separated list)",
        allow_free_text: true,
        targets: &[T::OpenclawSoul("Boundaries")],
        slot: slot!(List, workspace.boundaries),
        parse: parse_values,
        offer: offer_recommended_list,
        required: true,
    },
];

/// The questions of one mode, in asking order.
pub fn questions(mode: Mode) -> impl Iterator<Item = &'static QuestionSpec> {
    QUESTIONS.iter().filter(move |q| q.mode == mode)
}

pub fn question(id: &str) -> Option<&'static QuestionSpec> {
    QUESTIONS.iter().find(|q| q.id == id)
}

/// The questions whose answer is written at `target` (for completions/code actions at a spot).
pub fn questions_at(target: FileTarget) -> impl Iterator<Item = &'static QuestionSpec> {
    QUESTIONS
        .iter()
        .filter(move |q| q.targets.contains(&target))
}

impl QuestionSpec {
    /// The question text with the name filled in.
    pub fn text_for(&self, name: Option<&str>) -> String {
        let fallback = match self.mode {
            Mode::Bot => "your bot",
            Mode::Skill => "the skill",
            Mode::OpenclawWorkspace => "your agent",
        };
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(fallback);
        self.text.replace("{name}", name)
    }
}

/// A typed answer value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Text(String),
    List(Vec<String>),
    Number(f64),
    Count(u32),
    Skills(Vec<SkillRequest>),
    SkillType(SkillType),
    Capabilities(Vec<Capability>),
    TrustTier(TrustTier),
}

impl FieldValue {
    /// An empty text or list: what the files hold when nothing was chosen.
    pub fn is_empty(&self) -> bool {
        match self {
            FieldValue::Text(s) => s.trim().is_empty(),
            FieldValue::List(v) => v.is_empty(),
            FieldValue::Skills(v) => v.is_empty(),
            FieldValue::Capabilities(v) => v.is_empty(),
            _ => false,
        }
    }

    /// Human-readable form, as recorded in the exchange log when the answer was free text.
    pub fn display(&self) -> String {
        match self {
            FieldValue::Text(s) => s.clone(),
            FieldValue::List(v) => v.join(", "),
            FieldValue::Number(n) => super::render::format_float(*n),
            FieldValue::Count(n) => n.to_string(),
            FieldValue::Skills(v) if v.is_empty() => "no skills".into(),
            FieldValue::Skills(v) => v
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            FieldValue::SkillType(t) => t.as_str().into(),
            FieldValue::Capabilities(v) if v.is_empty() => "no capabilities".into(),
            FieldValue::Capabilities(v) => {
                v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            }
            FieldValue::TrustTier(t) => t.as_str().into(),
        }
    }
}

/// One offered option with the value it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub option: QuestionOption,
    pub value: FieldValue,
}

/// A skill that already exists in the workspace (or the global library).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSkill {
    pub name: String,
    pub description: String,
}

/// A past builder session (§7.10), as recalled from the drafts store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryEntry {
    pub purpose_category: Option<PurposeCategory>,
    pub initial_description: String,
    pub chosen_tone: Option<String>,
    pub chosen_model: Option<String>,
    pub chosen_skills: Vec<String>,
    pub bot_slug: Option<String>,
    pub created_at: String,
}

/// Inputs from outside the session: the workspace's skills, recalled memories and the clock.
#[derive(Debug, Clone, Default)]
pub struct BuilderContext {
    pub workspace_skills: Vec<WorkspaceSkill>,
    /// Memories for the session's category, newest first.
    pub memory: Vec<MemoryEntry>,
    /// RFC 3339 timestamp to stamp the session with; empty → the current time.
    pub now: String,
    /// The models the configured LLM provider listed, when known: offered for `model` instead of
    /// Boternity's dropdown.
    pub models: Option<std::sync::Arc<schema::ProviderModels>>,
}

impl BuilderContext {
    /// No workspace skills or memories, and a fixed clock: what tests start from.
    #[cfg(test)]
    pub fn fixed() -> BuilderContext {
        BuilderContext {
            now: "2026-01-01T00:00:00.000000Z".into(),
            ..Default::default()
        }
    }
}

/// What option derivation may look at.
pub struct OptionInput<'a> {
    pub description: &'a str,
    pub category: &'a PurposeCategory,
    pub config: &'a PartialBuilderConfig,
    pub skill: Option<&'a PartialSkillConfig>,
    /// OpenClaw workspace mode only.
    pub workspace: Option<&'a WorkspaceConfig>,
    pub ctx: &'a BuilderContext,
}

/// The options a question offers, as its `offer` function pushes them.
pub struct Options(Vec<Choice>);

impl Options {
    fn push(&mut self, id: &str, label: &str, description: Option<String>, value: FieldValue) {
        // The same value offered twice (memory and defaults agree) would only confuse.
        if self.0.iter().any(|c| c.value == value) {
            return;
        }
        let mut id = id.to_string();
        if self.0.iter().any(|c| c.option.id == id) {
            id = format!("{id}-{}", self.0.len());
        }
        self.0.push(Choice {
            option: QuestionOption {
                id,
                label: label.to_string(),
                description,
            },
            value,
        });
    }
}

fn first_sentence(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let end = line.find(". ").map(|i| i + 1).unwrap_or(line.len());
    line[..end].chars().take(300).collect()
}

/// The first `n` meaningful words of a description, lowercased.
fn keywords(description: &str, n: usize) -> Vec<String> {
    const STOP: &[&str] = &[
        "a",
        "an",
        "the",
        "that",
        "which",
        "who",
        "for",
        "to",
        "and",
        "or",
        "of",
        "my",
        "me",
        "i",
        "with",
        "in",
        "on",
        "bot",
        "helps",
        "help",
        "helper",
        "assistant",
        "want",
        "need",
        "is",
        "it",
        "can",
        "will",
        "should",
        "be",
        "you",
        "your",
        "from",
        "by",
        "about",
        "into",
        "at",
    ];
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2 && !STOP.contains(&w.to_lowercase().as_str()))
        .take(n)
        .map(|w| w.to_lowercase())
        .collect()
}

/// Skill names from the description's first meaningful words ("fetch web page", "fetch web").
fn skill_name_suggestions(description: &str) -> Vec<String> {
    let words = keywords(description, 3);
    let mut out = Vec::new();
    for n in [3, 2] {
        if words.len() >= n {
            out.push(words[..n].join("-").to_lowercase());
        }
    }
    if out.is_empty() && !words.is_empty() {
        out.push(words.join("-").to_lowercase());
    }
    out
}

/// Title-cased short name suggestions from the description's words.
fn name_suggestions(description: &str, category: &PurposeCategory) -> Vec<String> {
    let words: Vec<String> = keywords(description, 2)
        .into_iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => String::new(),
            }
        })
        .collect();
    let mut out = Vec::new();
    if let Some(first) = words.first() {
        out.push(format!("{first} Bot"));
        if let Some(second) = words.get(1) {
            out.push(format!("{first} {second}"));
        }
    }
    let by_category = match category {
        PurposeCategory::SimpleUtility => "Tick",
        PurposeCategory::ComplexAnalyst => "Atlas",
        PurposeCategory::Creative => "Muse",
        PurposeCategory::Coding => "Forge Coder",
        PurposeCategory::Research => "Scholar",
        PurposeCategory::CustomerService => "Concierge",
        PurposeCategory::Custom(_) => "Buddy",
    };
    out.push(by_category.to_string());
    out
}

fn boundaries_for(category: &PurposeCategory) -> &'static str {
    match category {
        PurposeCategory::SimpleUtility => {
            "Stay within the task at hand. Ask before doing anything irreversible."
        }
        PurposeCategory::ComplexAnalyst => {
            "Never invent numbers. Say when the data is insufficient to support a conclusion."
        }
        PurposeCategory::Creative => {
            "Do not imitate living authors verbatim. Keep content suitable for the requested audience."
        }
        PurposeCategory::Coding => {
            "Never run or suggest destructive commands without a warning. Say when you are unsure code works."
        }
        PurposeCategory::Research => {
            "Cite sources for factual claims. Never fabricate citations or quotes."
        }
        PurposeCategory::CustomerService => {
            "Never promise refunds or policies you cannot confirm. Hand off to a human when asked."
        }
        PurposeCategory::Custom(_) => "Be honest about what you do not know.",
    }
}

/// How many of the workspace's skills the skills question offers as options; the others are
/// reachable as free text. A workspace of thousands of skills would otherwise make every turn a
/// list of thousands (slow to build, useless to read).
const MAX_WORKSPACE_SKILL_OPTIONS: usize = 8;

/// The workspace skills most related to the bot's description (shared words with the skill's
/// name and description), best first; ties keep the workspace's order.
fn relevant_skills<'a>(skills: &'a [WorkspaceSkill], description: &str) -> Vec<&'a WorkspaceSkill> {
    let words = |t: &str| -> std::collections::HashSet<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let wanted = words(description);
    let mut scored: Vec<(usize, usize, &WorkspaceSkill)> = skills
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let have = words(&format!("{} {}", s.name, s.description));
            (wanted.intersection(&have).count(), i, s)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(MAX_WORKSPACE_SKILL_OPTIONS)
        .map(|(_, _, s)| s)
        .collect()
}

fn skill_request(name: &str, ctx: &BuilderContext) -> SkillRequest {
    let description = ctx
        .workspace_skills
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.description.clone())
        .or_else(|| suggested_skill_description(name).map(str::to_string))
        .unwrap_or_else(|| format!("Skill {name}"));
    SkillRequest {
        name: name.to_string(),
        description,
        skill_type: "local".into(),
    }
}

/// The current value of a question's answer in a (partial) config, if any.
pub fn current_value(
    spec: &QuestionSpec,
    config: &PartialBuilderConfig,
    skill: Option<&PartialSkillConfig>,
    workspace: Option<&WorkspaceConfig>,
) -> Option<FieldValue> {
    let (no_skill, no_workspace) = (PartialSkillConfig::default(), WorkspaceConfig::default());
    (spec.slot.get)(&Draft {
        config,
        skill: skill.unwrap_or(&no_skill),
        workspace: workspace.unwrap_or(&no_workspace),
    })
}

/// The options of a question, each with its value. The current value (reconfigure) comes first,
/// labelled "Keep: …".
pub fn options_for(spec: &QuestionSpec, input: &OptionInput) -> Vec<Choice> {
    let mut o = Options(Vec::new());
    if let Some(current) = current_value(spec, input.config, input.skill, input.workspace) {
        let show = match &current {
            FieldValue::Text(s) if s.is_empty() => None,
            FieldValue::List(v) if v.is_empty() => None,
            v => Some(v.display()),
        };
        if let Some(show) = show {
            let short: String = show.chars().take(80).collect();
            o.push(
                "keep",
                &format!("Keep: {short}"),
                Some("The current value".into()),
                current,
            );
        }
    }
    (spec.offer)(spec, input, &mut o);
    o.0
}

fn offer_name(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let desc = input.description;
    for n in name_suggestions(desc, input.category) {
        o.push(
            &slugify(&n).unwrap_or_else(|_| "name".into()),
            &n,
            None,
            FieldValue::Text(n.clone()),
        );
    }
}

fn offer_description(spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let desc = input.description;
    if !desc.is_empty() {
        let s = first_sentence(desc);
        o.push(
            "from-description",
            &s,
            Some("From your description".into()),
            FieldValue::Text(s.clone()),
        );
    }
    if spec.field == Field::Purpose {
        if let Some(d) = input
            .config
            .description
            .as_deref()
            .filter(|d| !d.is_empty())
        {
            o.push(
                "from-summary",
                d,
                Some("The one-line description".into()),
                FieldValue::Text(d.into()),
            );
        }
    }
}

fn offer_category(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let cat_name = category_label(input.category);
    let mine = input.category.bot_category();
    let cats: Vec<(&str, &str)> = schema::CATEGORIES.iter().map(|v| (v.name, v.doc)).collect();
    for (id, d) in cats.iter().filter(|(id, _)| *id == mine) {
        o.push(
            id,
            id,
            Some(format!("{d} (recommended for {cat_name})")),
            FieldValue::Text(id.to_string()),
        );
    }
    for (id, d) in cats.iter().filter(|(id, _)| *id != mine) {
        o.push(
            id,
            id,
            Some(d.to_string()),
            FieldValue::Text(id.to_string()),
        );
    }
}

fn offer_tone(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    for m in &input.ctx.memory {
        if let Some(t) = m.chosen_tone.as_deref().filter(|t| !t.is_empty()) {
            o.push(
                "past",
                t,
                Some(format!(
                    "You chose this for \"{}\"",
                    short(&m.initial_description)
                )),
                FieldValue::Text(t.into()),
            );
        }
    }
    o.push(
        defaults.tone,
        defaults.tone,
        Some(format!("Recommended for {cat_name}")),
        FieldValue::Text(defaults.tone.into()),
    );
    for d in all_defaults() {
        o.push(d.tone, d.tone, None, FieldValue::Text(d.tone.into()));
    }
}

fn offer_traits(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    let list = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    o.push(
        "recommended",
        &defaults.traits.join(", "),
        Some(format!("Recommended for {cat_name}")),
        FieldValue::List(list(defaults.traits)),
    );
    for d in all_defaults() {
        o.push(
            d.tone,
            &d.traits.join(", "),
            None,
            FieldValue::List(list(d.traits)),
        );
    }
}

fn offer_boundaries(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let cat_name = category_label(input.category);
    let b = boundaries_for(input.category);
    o.push(
        "recommended",
        b,
        Some(format!("Recommended for {cat_name}")),
        FieldValue::Text(b.into()),
    );
    o.push(
        "default",
        DEFAULT_BOUNDARIES,
        Some("Boternity's default".into()),
        FieldValue::Text(DEFAULT_BOUNDARIES.into()),
    );
}

/// The listed models the question offers at most (most capable first): a local server may hold
/// dozens, and a question with that many options is no help.
const LISTED_OFFERS: usize = 8;

fn offer_model(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    for m in &input.ctx.memory {
        if let Some(model) = m.chosen_model.as_deref().filter(|t| !t.is_empty()) {
            o.push(
                "past",
                model,
                Some(format!(
                    "You chose this for \"{}\"",
                    short(&m.initial_description)
                )),
                FieldValue::Text(model.into()),
            );
        }
    }
    if let Some(listed) = input.ctx.models.as_deref().filter(|l| !l.models.is_empty()) {
        for m in listed.models.iter().take(LISTED_OFFERS) {
            let doc = match &m.display_name {
                Some(name) => format!("{name}, listed by {}", listed.source),
                None => format!("Listed by {}", listed.source),
            };
            o.push(&m.id, &m.id, Some(doc), FieldValue::Text(m.id.clone()));
        }
        return;
    }
    for m in schema::BUILDER_MODELS {
        let doc = schema::model(m).map(|m| m.doc.to_string());
        o.push(m, m, doc, FieldValue::Text(m.to_string()));
    }
}

fn offer_temperature(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    o.push(
        "recommended",
        &super::render::format_float(defaults.temperature),
        Some(format!("Recommended for {cat_name}")),
        FieldValue::Number(defaults.temperature),
    );
    for (t, d) in [
        (0.2, "Precise and repeatable"),
        (0.5, "Balanced"),
        (0.7, "Conversational"),
        (0.9, "Inventive"),
    ] {
        o.push(
            &format!("t{}", (t * 10.0) as u32),
            &super::render::format_float(t),
            Some(d.into()),
            FieldValue::Number(t),
        );
    }
}

fn offer_max_tokens(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    o.push(
        "recommended",
        &defaults.max_tokens.to_string(),
        Some(format!("Recommended for {cat_name}")),
        FieldValue::Count(defaults.max_tokens),
    );
    for (n, d) in [
        (1024, "Short replies"),
        (2048, "Medium replies"),
        (4096, "Long replies"),
        (8192, "Very long replies"),
    ] {
        o.push(
            &format!("n{n}"),
            &n.to_string(),
            Some(d.into()),
            FieldValue::Count(n),
        );
    }
}

fn offer_skills(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    let desc = input.description;
    let reqs = |names: &[String]| {
        names
            .iter()
            .map(|n| skill_request(n, input.ctx))
            .collect::<Vec<_>>()
    };
    for m in &input.ctx.memory {
        let names: Vec<String> = m
            .chosen_skills
            .iter()
            .filter_map(|s| skill_name(s).ok())
            .collect();
        if !names.is_empty() {
            o.push(
                "past",
                &names.join(", "),
                Some(format!(
                    "You chose these for \"{}\"",
                    short(&m.initial_description)
                )),
                FieldValue::Skills(reqs(&names)),
            );
        }
    }
    if !defaults.skills.is_empty() {
        let names: Vec<String> = defaults.skills.iter().map(|s| s.to_string()).collect();
        o.push(
            "recommended",
            &names.join(", "),
            Some(format!("Recommended for {cat_name}")),
            FieldValue::Skills(reqs(&names)),
        );
    }
    for s in relevant_skills(&input.ctx.workspace_skills, desc) {
        if let Ok(n) = skill_name(&s.name) {
            let request = SkillRequest {
                name: n.clone(),
                description: s.description.clone(),
                skill_type: "local".into(),
            };
            o.push(
                &n,
                &n,
                Some(short(&s.description)),
                FieldValue::Skills(vec![request]),
            );
        }
    }
    o.push(
        "none",
        "No skills",
        Some("Add skills later".into()),
        FieldValue::Skills(vec![]),
    );
}

fn offer_skill_name(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let desc = input.description;
    let mut seen = Vec::new();
    for n in skill_name_suggestions(desc) {
        if let Ok(s) = skill_name(&n) {
            if !seen.contains(&s) {
                o.push(&s, &s, None, FieldValue::Text(s.clone()));
                seen.push(s);
            }
        }
    }
}

fn offer_skill_description(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let desc = input.description;
    if !desc.is_empty() {
        let s: String = first_sentence(desc).chars().take(1024).collect();
        o.push(
            "from-description",
            &s,
            Some("From your description".into()),
            FieldValue::Text(s.clone()),
        );
    }
}

fn offer_skill_type(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let about = skill_text(input);
    let tool_first = !suggest_capabilities(&about).is_empty();
    let prompt = (
        "prompt",
        "Prompt skill",
        "Instructions added to the bot's prompt",
        SkillType::Prompt,
    );
    let tool = (
        "tool",
        "Tool skill",
        "Callable with structured input and output; needs capabilities",
        SkillType::Tool,
    );
    let order = if tool_first {
        [tool, prompt]
    } else {
        [prompt, tool]
    };
    // A tool skill without capabilities cannot do anything (`skill-tool-no-capabilities`):
    // once none were chosen, only a prompt skill is offered.
    let no_caps = input
        .skill
        .and_then(|s| s.capabilities.as_ref())
        .is_some_and(Vec::is_empty);
    let order = order
        .into_iter()
        .filter(|(_, _, _, t)| !(no_caps && *t == SkillType::Tool));
    for (i, (id, label, d, t)) in order.enumerate() {
        let d = if i == 0 {
            format!("{d} (recommended)")
        } else {
            d.to_string()
        };
        o.push(id, label, Some(d), FieldValue::SkillType(t));
    }
}

fn offer_capabilities(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let about = skill_text(input);
    let suggested = suggest_capabilities(&about);
    if !suggested.is_empty() {
        let caps: Vec<Capability> = suggested.iter().map(|(c, _)| *c).collect();
        let why: Vec<String> = suggested
            .iter()
            .map(|(c, r)| format!("{}: {r}", c.as_str()))
            .collect();
        o.push(
            "suggested",
            &caps
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Some(why.join("; ")),
            FieldValue::Capabilities(caps),
        );
    }
    // A tool skill needs at least one (`skill-tool-no-capabilities`).
    let tool = input.skill.and_then(|s| s.skill_type) == Some(SkillType::Tool);
    if !tool {
        o.push(
            "none",
            "No capabilities",
            Some("Pure prompt skills need none".into()),
            FieldValue::Capabilities(vec![]),
        );
    }
    for c in Capability::ALL {
        o.push(
            c.as_str(),
            c.as_str(),
            None,
            FieldValue::Capabilities(vec![c]),
        );
    }
}

fn offer_trust_tier(_spec: &QuestionSpec, _input: &OptionInput, o: &mut Options) {
    for (t, d) in [
        (
            TrustTier::Local,
            "Full trust, runs on the host without a sandbox (your own skills)",
        ),
        (TrustTier::Verified, "Relaxed WASM sandbox"),
        (
            TrustTier::Untrusted,
            "Strict sandbox; Boternity's default when the tier is missing",
        ),
    ] {
        o.push(
            t.as_str(),
            t.as_str(),
            Some(d.into()),
            FieldValue::TrustTier(t),
        );
    }
}

fn offer_skill_body(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let about = skill_text(input);
    if !about.is_empty() {
        let body = default_skill_instructions(&about);
        o.push(
            "generated",
            "Generate instructions from the description",
            Some(short(&body)),
            FieldValue::Text(body),
        );
    }
}

fn offer_agent_name(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    let desc = input.description;
    let from_desc = (!desc.is_empty()).then(|| name_suggestions(desc, input.category));
    for n in from_desc.into_iter().flatten() {
        o.push(&n.to_lowercase(), &n, None, FieldValue::Text(n.clone()));
    }
    for (n, d) in AGENT_NAMES {
        o.push(
            &n.to_lowercase(),
            n,
            Some(d.to_string()),
            FieldValue::Text(n.to_string()),
        );
    }
}

fn offer_suggestions(spec: &QuestionSpec, _input: &OptionInput, o: &mut Options) {
    let table = match spec.field {
        Field::Creature => CREATURES,
        Field::Vibe => VIBES,
        _ => EMOJIS,
    };
    for (i, (v, d)) in table.iter().enumerate() {
        o.push(
            &format!("s{i}"),
            v,
            Some(d.to_string()),
            FieldValue::Text(v.to_string()),
        );
    }
}

/// Nothing to suggest (a person's own name): free text only.
fn offer_nothing(_spec: &QuestionSpec, _input: &OptionInput, _o: &mut Options) {}

fn offer_call_them(_spec: &QuestionSpec, input: &OptionInput, o: &mut Options) {
    // The user's own name, and its first word.
    if let Some(n) = input.workspace.and_then(|w| w.user_name.as_deref()) {
        let first = n.split_whitespace().next().unwrap_or(n);
        o.push(
            "first",
            first,
            Some("Your first name".into()),
            FieldValue::Text(first.into()),
        );
        o.push(
            "full",
            n,
            Some("Your full name".into()),
            FieldValue::Text(n.into()),
        );
    }
}

fn offer_timezone(_spec: &QuestionSpec, _input: &OptionInput, o: &mut Options) {
    if let Some(z) = local_timezone() {
        o.push(
            "local",
            &z,
            Some("This computer's time zone".into()),
            FieldValue::Text(z.clone()),
        );
    }
    o.push("utc", "UTC", None, FieldValue::Text("UTC".into()));
}

fn offer_recommended_list(spec: &QuestionSpec, _input: &OptionInput, o: &mut Options) {
    let list = if spec.field == Field::Values {
        CORE_TRUTHS
    } else {
        AGENT_BOUNDARIES
    };
    let items: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    o.push(
        "recommended",
        &items.join(", "),
        Some("The compact example of OpenClaw's BOOTSTRAP.md".into()),
        FieldValue::List(items),
    );
}

// Suggestions for the ritual's questions, in the words of OpenClaw's templates where they have
// some (openclaw/openclaw@0afa47d5:docs/reference/templates/BOOTSTRAP.md; IDENTITY.md's
// placeholders, spec openclaw-formats §2.3).
const AGENT_NAMES: &[(&str, &str)] = &[
    ("Clawd", "OpenClaw's own agent"),
    ("Quill", "Short and bookish"),
    ("Nova", "Bright and new"),
    ("Pip", "Small and quick"),
];
const CREATURES: &[(&str, &str)] = &[
    ("AI assistant", "\"AI assistant is fine\" (BOOTSTRAP.md)"),
    ("robot", "From IDENTITY.md's prompt"),
    ("familiar", "From IDENTITY.md's prompt"),
    ("ghost in the machine", "From IDENTITY.md's prompt"),
];
const VIBES: &[(&str, &str)] = &[
    ("warm", "Friendly and encouraging"),
    ("sharp", "Direct and precise"),
    ("calm", "Unhurried and steady"),
    ("casual", "Relaxed, like a friend"),
    ("formal", "Polite and professional"),
    ("snarky", "Dry wit, still helpful"),
];
const EMOJIS: &[(&str, &str)] = &[
    ("🦞", "OpenClaw's lobster"),
    ("🤖", "Robot"),
    ("🦉", "Owl"),
    ("✨", "Sparkles"),
    ("🐙", "Octopus"),
];
const CORE_TRUTHS: &[&str] = &[
    "No filler — just help",
    "Have opinions, disagree when warranted",
    "Try to figure it out before asking",
    "Bold internally, careful externally",
];
const AGENT_BOUNDARIES: &[&str] = &[
    "Private stays private",
    "Ask before external actions",
    "Never send half-built replies to messaging",
];

/// This machine's IANA time zone: `$TZ`, else the zone `/etc/localtime` links to, else
/// `/etc/timezone` (Debian).
fn local_timezone() -> Option<String> {
    let valid = |z: &str| {
        let z = z.trim().trim_start_matches(':');
        (!z.is_empty() && z.len() <= 64 && !z.starts_with('/') && !z.contains(char::is_whitespace))
            .then(|| z.to_string())
    };
    if let Some(z) = std::env::var("TZ").ok().and_then(|z| valid(&z)) {
        return Some(z);
    }
    if let Ok(target) = std::fs::read_link("/etc/localtime") {
        let t = target.to_string_lossy();
        if let Some(z) = t.split("zoneinfo/").nth(1).and_then(valid) {
            return Some(z);
        }
    }
    std::fs::read_to_string("/etc/timezone")
        .ok()
        .and_then(|z| valid(&z))
}

fn skill_text(input: &OptionInput) -> String {
    input
        .skill
        .and_then(|s| s.description.clone())
        .unwrap_or_else(|| input.description.to_string())
}

/// Instructions written when the user does not dictate their own.
pub fn default_skill_instructions(description: &str) -> String {
    format!(
        "## When to use\n\n{}\n\n## Instructions\n\n1. Read the request and restate the goal in one sentence.\n2. Do the task described above, step by step.\n3. Reply with the result only, clearly formatted.",
        description.trim()
    )
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

fn category_label(c: &PurposeCategory) -> String {
    match c {
        PurposeCategory::SimpleUtility => "simple utilities".into(),
        PurposeCategory::ComplexAnalyst => "analysts".into(),
        PurposeCategory::Creative => "creative bots".into(),
        PurposeCategory::Coding => "coding bots".into(),
        PurposeCategory::Research => "research bots".into(),
        PurposeCategory::CustomerService => "customer service".into(),
        PurposeCategory::Custom(_) => "this kind of bot".into(),
    }
}

fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split([',', '\n', ';']) {
        let item = unquote(item.trim().trim_start_matches(['-', '*']).trim());
        if !item.is_empty() && !out.iter().any(|x| x == item) {
            out.push(item.to_string());
        }
    }
    out
}

/// An item without the quotes a person put around it (`"patient"` → `patient`): Boternity reads a
/// SOUL.md trait's quotes as part of it.
fn unquote(item: &str) -> &str {
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’')] {
        if let Some(inner) = item.strip_prefix(open).and_then(|i| i.strip_suffix(close)) {
            return inner.trim();
        }
    }
    item
}

/// Parses and sanitises a free-text answer for a field.
pub fn parse_free_text(
    spec: &QuestionSpec,
    raw: &str,
    ctx: &BuilderContext,
) -> Result<FieldValue, BuilderError> {
    (spec.parse)(raw, ctx)
}

fn parse_name(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let name = clean_line(raw)?;
    slugify(&name)?;
    Ok(FieldValue::Text(name))
}

fn parse_line(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    Ok(FieldValue::Text(clean_line(raw)?))
}

fn parse_category(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let c = clean_line(raw)?.to_lowercase();
    // The validator's table (`schema::CATEGORIES`) says which categories exist.
    if !schema::CATEGORIES.iter().any(|v| v.name == c) {
        let names: Vec<&str> = schema::CATEGORIES.iter().map(|v| v.name).collect();
        return Err(BuilderError::InvalidValue(format!(
            "unknown category '{c}': use {}",
            names.join(", ")
        )));
    }
    Ok(FieldValue::Text(c))
}

fn parse_text(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    Ok(FieldValue::Text(clean_text(raw)?))
}

fn parse_skill_description(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let d = clean_text(raw)?;
    let n = d.chars().count();
    if n > 1024 {
        return Err(BuilderError::TooLong { max: 1024, len: n });
    }
    Ok(FieldValue::Text(d))
}

fn parse_traits(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let items = split_list(&clean_text(raw)?);
    let mut traits = Vec::new();
    for t in items {
        traits.push(clean_line(&t)?);
    }
    if traits.len() > 20 {
        return Err(invalid("at most 20 traits, please".into()));
    }
    Ok(FieldValue::List(traits))
}

fn parse_temperature(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let t = clean_line(raw)?;
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && schema::TEMPERATURE.contains(&v) => Ok(FieldValue::Number(v)),
        _ => Err(BuilderError::InvalidValue(format!(
            "temperature must be a number from 0 to 2, got '{t}'"
        ))),
    }
}

fn parse_max_tokens(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let t = clean_line(raw)?;
    match t.replace(['_', ','], "").parse::<u32>() {
        Ok(v) if schema::MAX_TOKENS.contains(&i64::from(v)) => Ok(FieldValue::Count(v)),
        _ => Err(BuilderError::InvalidValue(format!(
            "max tokens must be a whole number from 1 to {}, got '{t}'",
            schema::MAX_TOKENS.end()
        ))),
    }
}

fn parse_skills(raw: &str, ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let text = clean_text(raw)?;
    let lower = text.to_lowercase();
    if ["none", "no", "no skills"].contains(&lower.trim()) {
        return Ok(FieldValue::Skills(vec![]));
    }
    let mut reqs: Vec<SkillRequest> = Vec::new();
    for item in split_list(&text) {
        let n = skill_name(&item)?;
        if !reqs.iter().any(|r| r.name == n) {
            reqs.push(skill_request(&n, ctx));
        }
    }
    Ok(FieldValue::Skills(reqs))
}

fn parse_skill_name(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    Ok(FieldValue::Text(skill_name(&clean_line(raw)?)?))
}

fn parse_capabilities(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let text = clean_text(raw)?;
    if ["none", "no"].contains(&text.to_lowercase().trim()) {
        return Ok(FieldValue::Capabilities(vec![]));
    }
    let mut caps = Vec::new();
    for item in split_list(&text) {
        let c = Capability::parse(&item).ok_or_else(|| {
            invalid(format!(
                "unknown capability '{item}': use {}",
                Capability::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if !caps.contains(&c) {
            caps.push(c);
        }
    }
    Ok(FieldValue::Capabilities(caps))
}

fn parse_no_free_text(_raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    Err(BuilderError::FreeTextNotAllowed)
}

fn parse_agent_name(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let n = clean_line(raw)?;
    let len = n.chars().count();
    if len > forge_analysis::rules::openclaw_identity::NAME_MAX {
        return Err(invalid(format!(
            "OpenClaw shows at most {} characters of a name; this one has {len}",
            forge_analysis::rules::openclaw_identity::NAME_MAX
        )));
    }
    Ok(FieldValue::Text(n))
}

fn parse_emoji(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let e = clean_line(raw)?;
    let max = forge_analysis::rules::openclaw_identity::EMOJI_MAX;
    if e.chars().count() > max || e.is_ascii() {
        return Err(invalid(format!(
                "OpenClaw only uses an emoji of at most {max} characters that is not plain ASCII, got '{e}'"
            )));
    }
    Ok(FieldValue::Text(e))
}

fn parse_timezone(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let z = clean_line(raw)?;
    if z.contains(char::is_whitespace) || z.len() > 64 {
        return Err(invalid(format!(
            "a time zone is one word such as Europe/Berlin or UTC, got '{z}'"
        )));
    }
    Ok(FieldValue::Text(z))
}

fn parse_values(raw: &str, _ctx: &BuilderContext) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    let mut items = Vec::new();
    for t in split_list(&clean_text(raw)?) {
        items.push(clean_line(&t)?);
    }
    if items.len() > 20 {
        return Err(invalid("at most 20 items, please".into()));
    }
    Ok(FieldValue::List(items))
}

/// Writes a value into the partial configs. A value of the wrong kind for the question is an error
/// (only reachable through a hand-edited draft).
pub fn apply_value(
    spec: &QuestionSpec,
    value: &FieldValue,
    config: &mut PartialBuilderConfig,
    skill: &mut PartialSkillConfig,
    workspace: &mut WorkspaceConfig,
) -> Result<(), BuilderError> {
    let mut d = DraftMut {
        config,
        skill,
        workspace,
    };
    if (spec.slot.set)(&mut d, value) {
        Ok(())
    } else {
        Err(BuilderError::InvalidValue(format!(
            "a {} value does not fit question {}",
            value_kind(value),
            spec.id
        )))
    }
}

fn value_kind(v: &FieldValue) -> &'static str {
    match v {
        FieldValue::Text(_) => "text",
        FieldValue::List(_) => "list",
        FieldValue::Number(_) => "number",
        FieldValue::Count(_) => "count",
        FieldValue::Skills(_) => "skills",
        FieldValue::SkillType(_) => "skill-type",
        FieldValue::Capabilities(_) => "capabilities",
        FieldValue::TrustTier(_) => "trust-tier",
    }
}

/// Fills every field a question did not set from the smart defaults, giving the complete config of
/// `ready_to_assemble`.
pub fn complete_config(
    config: &PartialBuilderConfig,
    description: &str,
    category: &PurposeCategory,
) -> Result<BuilderConfig, BuilderError> {
    let d = smart_defaults(category);
    let name = config
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| BuilderError::Incomplete("the bot has no name yet".into()))?;
    let desc = config
        .description
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            if description.is_empty() {
                format!("A bot named {name}")
            } else {
                first_sentence(description)
            }
        });
    Ok(BuilderConfig {
        category: config
            .category
            .clone()
            .unwrap_or_else(|| category.bot_category().to_string()),
        tags: config.tags.clone().unwrap_or_default(),
        personality: PersonalityConfig {
            tone: config.tone.clone().unwrap_or_else(|| d.tone.to_string()),
            traits: config
                .traits
                .clone()
                .unwrap_or_else(|| d.traits.iter().map(|s| s.to_string()).collect()),
            purpose: config.purpose.clone().unwrap_or_else(|| desc.clone()),
            boundaries: config.boundaries.clone(),
        },
        model_config: ModelConfig {
            model: config.model.clone().unwrap_or_else(|| d.model.to_string()),
            temperature: config.temperature.unwrap_or(d.temperature),
            max_tokens: config.max_tokens.unwrap_or(d.max_tokens),
        },
        skills: config.skills.clone(),
        name,
        description: desc,
    })
}

/// Completes a skill config (skill mode's `ready_to_assemble`).
pub fn complete_skill(
    skill: &PartialSkillConfig,
    description: &str,
) -> Result<SkillConfig, BuilderError> {
    let name = skill
        .name
        .clone()
        .ok_or_else(|| BuilderError::Incomplete("the skill has no name yet".into()))?;
    let desc = skill
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| first_sentence(description));
    if desc.is_empty() {
        return Err(BuilderError::Incomplete(
            "the skill has no description yet".into(),
        ));
    }
    let caps = skill.capabilities.clone().unwrap_or_else(|| {
        suggest_capabilities(&desc)
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    });
    Ok(SkillConfig {
        skill_type: skill.skill_type.unwrap_or(if caps.is_empty() {
            SkillType::Prompt
        } else {
            SkillType::Tool
        }),
        trust_tier: skill.trust_tier.unwrap_or(TrustTier::Local),
        body: skill
            .body
            .clone()
            .unwrap_or_else(|| default_skill_instructions(&desc)),
        author: "forge-ls".into(),
        capabilities: caps,
        name,
        description: desc,
    })
}

/// A complete skill straight from a description (`forge.skill.create` without a session): the
/// name from `name` or the description, capabilities and type from the §7.9 heuristic.
pub fn skill_from_description(
    description: &str,
    name: Option<&str>,
) -> Result<SkillConfig, BuilderError> {
    let desc = clean_text(description)?;
    let desc: String = desc.chars().take(1024).collect();
    let base = match name {
        Some(n) => clean_line(n)?,
        None => skill_name_suggestions(&desc)
            .into_iter()
            .next()
            .unwrap_or_else(|| desc.clone()),
    };
    let partial = PartialSkillConfig {
        name: Some(skill_name(&base)?),
        description: Some(first_sentence(&desc)),
        body: Some(default_skill_instructions(&desc)),
        ..Default::default()
    };
    complete_skill(&partial, &desc)
}

/// Classifier shortcut kept here so callers of the flow need not import `defaults`.
pub fn classify(description: &str) -> PurposeCategory {
    classify_purpose(description)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The question that fills `field`.
    fn q(field: Field) -> &'static QuestionSpec {
        QUESTIONS.iter().find(|q| q.field == field).unwrap()
    }

    #[test]
    fn quoted_list_items_lose_their_quotes() {
        let v = parse_free_text(
            q(Field::Traits),
            "\"patient\", 'kind', “warm”, plain",
            &BuilderContext::default(),
        );
        assert_eq!(
            v.unwrap(),
            FieldValue::List(vec![
                "patient".into(),
                "kind".into(),
                "warm".into(),
                "plain".into()
            ])
        );
    }

    fn input<'a>(
        desc: &'a str,
        cat: &'a PurposeCategory,
        cfg: &'a PartialBuilderConfig,
        ctx: &'a BuilderContext,
    ) -> OptionInput<'a> {
        OptionInput {
            description: desc,
            category: cat,
            config: cfg,
            skill: None,
            workspace: None,
            ctx,
        }
    }

    #[test]
    fn table_is_consistent() {
        let mut ids = std::collections::HashSet::new();
        for q in QUESTIONS {
            assert!(ids.insert(q.id), "duplicate id {}", q.id);
            assert!(!q.targets.is_empty(), "{} has no target", q.id);
            assert_ne!(q.phase, BuilderPhase::Review);
        }
        // Phases never go backwards within a mode, so walking the table walks the phases in order.
        for mode in [Mode::Bot, Mode::Skill] {
            let phases: Vec<_> = questions(mode).map(|q| q.phase).collect();
            assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{mode:?}");
        }
        let bot_phases: std::collections::BTreeSet<_> =
            questions(Mode::Bot).map(|q| q.phase).collect();
        assert_eq!(bot_phases.len(), 4);
        assert_eq!(
            questions_at(FileTarget::SoulFrontmatter("tone"))
                .next()
                .map(|q| q.id),
            Some("tone")
        );
        assert_eq!(
            questions_at(FileTarget::Identity("model"))
                .next()
                .map(|q| q.id),
            Some("model")
        );
    }

    #[test]
    fn question_text_mentions_the_name() {
        let q = question("tone").unwrap();
        assert_eq!(q.text_for(Some("Luna")), "What tone should Luna use?");
        assert_eq!(q.text_for(None), "What tone should your bot use?");
    }

    #[test]
    fn tone_options_put_memory_first_then_defaults() {
        let cat = PurposeCategory::Coding;
        let ctx = BuilderContext {
            memory: vec![MemoryEntry {
                purpose_category: Some(cat.clone()),
                initial_description: "old bot".into(),
                chosen_tone: Some("dry wit".into()),
                chosen_model: Some("gpt-4o".into()),
                chosen_skills: vec!["lint".into()],
                bot_slug: None,
                created_at: String::new(),
            }],
            ..Default::default()
        };
        let cfg = PartialBuilderConfig::default();
        let opts = options_for(question("tone").unwrap(), &input("code", &cat, &cfg, &ctx));
        assert_eq!(opts[0].option.label, "dry wit");
        assert_eq!(opts[1].option.label, "technical");
        // defaults repeat "technical": deduplicated
        assert_eq!(
            opts.iter()
                .filter(|c| c.option.label == "technical")
                .count(),
            1
        );
        let models = options_for(question("model").unwrap(), &input("code", &cat, &cfg, &ctx));
        assert_eq!(models[0].value, FieldValue::Text("gpt-4o".into()));
        let skills = options_for(
            question("skills").unwrap(),
            &input("code", &cat, &cfg, &ctx),
        );
        assert_eq!(skills[0].option.label, "lint");
        assert_eq!(skills[1].option.label, "code-review, code-generation");
        assert_eq!(skills.last().unwrap().value, FieldValue::Skills(vec![]));
    }

    #[test]
    fn the_model_question_offers_the_listed_models_most_capable_first() {
        let cat = PurposeCategory::Coding;
        let listed = |n: usize| schema::ProviderModels {
            family: "anthropic",
            source: "Anthropic's API".into(),
            models: (0..n)
                .map(|i| schema::ListedModel {
                    id: format!("claude-model-{i}"),
                    display_name: Some(format!("Claude Model {i}")),
                })
                .collect(),
        };
        let ctx = BuilderContext {
            models: Some(std::sync::Arc::new(listed(12))),
            ..Default::default()
        };
        let cfg = PartialBuilderConfig::default();
        let models = options_for(question("model").unwrap(), &input("code", &cat, &cfg, &ctx));
        assert_eq!(models.len(), LISTED_OFFERS);
        assert_eq!(models[0].value, FieldValue::Text("claude-model-0".into()));
        assert_eq!(
            models[0].option.description.as_deref(),
            Some("Claude Model 0, listed by Anthropic's API")
        );
        // An empty list is no list: Boternity's dropdown.
        let ctx = BuilderContext {
            models: Some(std::sync::Arc::new(listed(0))),
            ..Default::default()
        };
        let models = options_for(question("model").unwrap(), &input("code", &cat, &cfg, &ctx));
        assert_eq!(
            models[0].value,
            FieldValue::Text(schema::BUILDER_MODELS[0].into())
        );
    }

    #[test]
    fn a_large_workspace_offers_only_its_most_related_skills() {
        let cat = PurposeCategory::Custom("x".into());
        let mut workspace_skills: Vec<WorkspaceSkill> = (0..5000)
            .map(|i| WorkspaceSkill {
                name: format!("filler-{i:04}"),
                description: "Does something else".into(),
            })
            .collect();
        workspace_skills.push(WorkspaceSkill {
            name: "recipe-search".into(),
            description: "Finds recipes for meals".into(),
        });
        let ctx = BuilderContext {
            workspace_skills,
            ..Default::default()
        };
        let cfg = PartialBuilderConfig::default();
        let desc = "Plans healthy meals and finds recipes";
        let opts = options_for(question("skills").unwrap(), &input(desc, &cat, &cfg, &ctx));
        let from_workspace: Vec<&str> = opts
            .iter()
            .filter(|c| c.option.id.starts_with("filler") || c.option.id == "recipe-search")
            .map(|c| c.option.id.as_str())
            .collect();
        assert_eq!(from_workspace.len(), MAX_WORKSPACE_SKILL_OPTIONS);
        assert_eq!(from_workspace[0], "recipe-search", "{from_workspace:?}");
    }

    #[test]
    fn workspace_skills_are_offered() {
        let cat = PurposeCategory::Custom("x".into());
        let ctx = BuilderContext {
            workspace_skills: vec![WorkspaceSkill {
                name: "page-summarizer".into(),
                description: "Summarize pages".into(),
            }],
            ..Default::default()
        };
        let cfg = PartialBuilderConfig::default();
        let opts = options_for(question("skills").unwrap(), &input("x", &cat, &cfg, &ctx));
        let ws = opts
            .iter()
            .find(|c| c.option.id == "page-summarizer")
            .unwrap();
        match &ws.value {
            FieldValue::Skills(v) => assert_eq!(v[0].description, "Summarize pages"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keep_option_comes_first_when_a_value_exists() {
        let cat = PurposeCategory::Creative;
        let cfg = PartialBuilderConfig {
            tone: Some("gothic".into()),
            ..Default::default()
        };
        let ctx = BuilderContext::default();
        let opts = options_for(question("tone").unwrap(), &input("poems", &cat, &cfg, &ctx));
        assert_eq!(opts[0].option.label, "Keep: gothic");
        assert_eq!(opts[1].option.label, "expressive");
    }

    #[test]
    fn free_text_parsing() {
        let ctx = BuilderContext::default();
        assert_eq!(
            parse_free_text(q(Field::Temperature), " 0.35 ", &ctx).unwrap(),
            FieldValue::Number(0.35)
        );
        assert!(parse_free_text(q(Field::Temperature), "hot", &ctx).is_err());
        assert!(parse_free_text(q(Field::Temperature), "NaN", &ctx).is_err());
        assert!(parse_free_text(q(Field::MaxTokens), "0", &ctx).is_err());
        assert_eq!(
            parse_free_text(q(Field::MaxTokens), "8,192", &ctx).unwrap(),
            FieldValue::Count(8192)
        );
        assert_eq!(
            parse_free_text(q(Field::Traits), "kind, kind,\n- bold", &ctx).unwrap(),
            FieldValue::List(vec!["kind".into(), "bold".into()])
        );
        match parse_free_text(q(Field::Skills), "Web Search, ../../evil", &ctx).unwrap() {
            FieldValue::Skills(v) => {
                assert_eq!(v[0].name, "web-search");
                assert_eq!(v[1].name, "evil");
                assert!(v[0].description.starts_with("Search the web"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_free_text(q(Field::Capabilities), "http-get", &ctx)
            .unwrap_err()
            .to_string()
            .contains("unknown capability 'http-get'"));
        assert!(parse_free_text(q(Field::Name), "!!!", &ctx).is_err());
        assert!(matches!(
            parse_free_text(q(Field::TrustTier), "local", &ctx),
            Err(BuilderError::FreeTextNotAllowed)
        ));
        assert!(parse_free_text(q(Field::SkillDescription), &"d".repeat(1025), &ctx).is_err());
    }

    #[test]
    fn capability_options_use_the_heuristic() {
        let cat = PurposeCategory::Custom("x".into());
        let cfg = PartialBuilderConfig::default();
        let ctx = BuilderContext::default();
        let skill = PartialSkillConfig {
            description: Some("Fetch a web page and save it".into()),
            ..Default::default()
        };
        let inp = OptionInput {
            description: "x",
            category: &cat,
            config: &cfg,
            skill: Some(&skill),
            workspace: None,
            ctx: &ctx,
        };
        let caps = options_for(question("capabilities").unwrap(), &inp);
        assert_eq!(
            caps[0].value,
            FieldValue::Capabilities(vec![Capability::HttpGet, Capability::WriteFile])
        );
        let types = options_for(question("skill_type").unwrap(), &inp);
        assert_eq!(types[0].value, FieldValue::SkillType(SkillType::Tool));
    }

    #[test]
    fn completing_fills_defaults() {
        let cfg = PartialBuilderConfig {
            name: Some("Q".into()),
            ..Default::default()
        };
        let c = complete_config(&cfg, "debug my code. please", &PurposeCategory::Coding).unwrap();
        assert_eq!(c.description, "debug my code.");
        assert_eq!(c.category, "utility");
        assert_eq!(c.model_config.temperature, 0.2);
        assert!(complete_config(
            &PartialBuilderConfig::default(),
            "",
            &PurposeCategory::Coding
        )
        .is_err());
    }

    #[test]
    fn one_shot_skill() {
        let s = skill_from_description("Fetch a web page and remember the summary", None).unwrap();
        assert_eq!(s.name, "fetch-web-page");
        assert_eq!(s.skill_type, SkillType::Tool);
        assert_eq!(
            s.capabilities,
            vec![Capability::HttpGet, Capability::RecallMemory]
        );
        let named = skill_from_description("Be polite", Some("Polite Replies")).unwrap();
        assert_eq!(
            (named.name.as_str(), named.skill_type),
            ("polite-replies", SkillType::Prompt)
        );
        assert!(skill_from_description("  ", None).is_err());
        assert!(skill_from_description("x", Some("!!")).is_err());
    }
}
