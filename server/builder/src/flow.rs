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

/// How a question's options are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionSource {
    /// A fixed list.
    Static,
    /// Derived from the user's start description.
    FromDescription,
    /// The purpose classifier and the smart-defaults table (§7.3), the category's row first.
    SmartDefaults,
    /// Builder memory for the category (past choices first), then the smart defaults.
    MemoryThenDefaults,
    /// Builder memory, smart defaults, then the workspace's existing skills.
    MemoryDefaultsAndWorkspaceSkills,
    /// The §7.9 keyword heuristic on the skill's description.
    CapabilityHeuristic,
    /// Suggestions in the spirit of OpenClaw's templates, or read off this machine (its time zone).
    Suggestions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionSpec {
    pub id: &'static str,
    pub mode: Mode,
    pub phase: BuilderPhase,
    pub field: Field,
    /// `{name}` is replaced by the bot's (or skill's) name once known.
    pub text: &'static str,
    pub options: OptionSource,
    pub allow_free_text: bool,
    /// Every place the answer is written (the first is the primary one).
    pub targets: &'static [FileTarget],
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
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::Identity("display_name"), T::SoulFrontmatter("name")],
    },
    QuestionSpec {
        id: "description",
        mode: Mode::Bot,
        phase: Basics,
        field: Field::Description,
        text: "In one sentence, what does {name} do?",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::UserIntro],
    },
    QuestionSpec {
        id: "category",
        mode: Mode::Bot,
        phase: Basics,
        field: Field::Category,
        text: "Which kind of bot is {name}?",
        options: OptionSource::SmartDefaults,
        allow_free_text: false,
        targets: &[T::Identity("category")],
    },
    QuestionSpec {
        id: "tone",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Tone,
        text: "What tone should {name} use?",
        options: OptionSource::MemoryThenDefaults,
        allow_free_text: true,
        targets: &[T::SoulFrontmatter("tone")],
    },
    QuestionSpec {
        id: "traits",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Traits,
        text: "Which traits describe {name}? (free text: a comma-separated list)",
        options: OptionSource::SmartDefaults,
        allow_free_text: true,
        targets: &[T::SoulFrontmatter("traits")],
    },
    QuestionSpec {
        id: "purpose",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Purpose,
        text: "What is {name}'s purpose?",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::SoulSection("Purpose")],
    },
    QuestionSpec {
        id: "boundaries",
        mode: Mode::Bot,
        phase: Personality,
        field: Field::Boundaries,
        text: "What should {name} never do?",
        options: OptionSource::SmartDefaults,
        allow_free_text: true,
        targets: &[T::SoulSection("Boundaries")],
    },
    QuestionSpec {
        id: "model",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::Model,
        text: "Which model should {name} run on?",
        options: OptionSource::MemoryThenDefaults,
        allow_free_text: true,
        targets: &[T::Identity("model"), T::Identity("provider")],
    },
    QuestionSpec {
        id: "temperature",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::Temperature,
        text: "How creative should {name}'s answers be (temperature 0–2)?",
        options: OptionSource::SmartDefaults,
        allow_free_text: true,
        targets: &[T::Identity("temperature")],
    },
    QuestionSpec {
        id: "max_tokens",
        mode: Mode::Bot,
        phase: ModelPhase,
        field: Field::MaxTokens,
        text: "How long may {name}'s replies be (max tokens)?",
        options: OptionSource::SmartDefaults,
        allow_free_text: true,
        targets: &[T::Identity("max_tokens")],
    },
    QuestionSpec {
        id: "skills",
        mode: Mode::Bot,
        phase: SkillsPhase,
        field: Field::Skills,
        text: "Which skills should {name} have? (free text: comma-separated skill names)",
        options: OptionSource::MemoryDefaultsAndWorkspaceSkills,
        allow_free_text: true,
        targets: &[T::SkillsToml],
    },
    QuestionSpec {
        id: "skill_name",
        mode: Mode::Skill,
        phase: Basics,
        field: Field::SkillName,
        text: "What should the skill be called?",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("name")],
    },
    QuestionSpec {
        id: "skill_description",
        mode: Mode::Skill,
        phase: Basics,
        field: Field::SkillDescription,
        text: "Describe what {name} does and when to use it.",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("description")],
    },
    QuestionSpec {
        id: "skill_type",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::SkillType,
        text: "Is {name} a prompt skill or a tool skill?",
        options: OptionSource::CapabilityHeuristic,
        allow_free_text: false,
        targets: &[T::SkillFrontmatter("metadata.skill-type")],
    },
    QuestionSpec {
        id: "capabilities",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::Capabilities,
        text: "Which capabilities does {name} need? (free text: comma-separated capability names)",
        options: OptionSource::CapabilityHeuristic,
        allow_free_text: true,
        targets: &[T::SkillFrontmatter("metadata.capabilities")],
    },
    QuestionSpec {
        id: "trust_tier",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::TrustTier,
        text: "How much should {name} be trusted?",
        options: OptionSource::Static,
        allow_free_text: false,
        targets: &[T::SkillFrontmatter("metadata.trust-tier")],
    },
    QuestionSpec {
        id: "instructions",
        mode: Mode::Skill,
        phase: SkillsPhase,
        field: Field::SkillBody,
        text: "What instructions should {name} follow? (free text: Markdown)",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::SkillBody],
    },
    // OpenClaw's first-run ritual, in the order BOOTSTRAP.md asks it: who the agent is, who the
    // user is, then SOUL.md (openclaw/openclaw@0afa47d5:docs/reference/templates/BOOTSTRAP.md).
    QuestionSpec {
        id: "oc_name",
        mode: Openclaw,
        phase: Basics,
        field: Field::AgentName,
        text: "What should your agent be called?",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Name")],
    },
    QuestionSpec {
        id: "oc_creature",
        mode: Openclaw,
        phase: Basics,
        field: Field::Creature,
        text: "What kind of creature is {name}? (an AI assistant is fine, or something weirder)",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Creature")],
    },
    QuestionSpec {
        id: "oc_vibe",
        mode: Openclaw,
        phase: Basics,
        field: Field::Vibe,
        text: "What is {name}'s vibe?",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Vibe")],
    },
    QuestionSpec {
        id: "oc_emoji",
        mode: Openclaw,
        phase: Basics,
        field: Field::Emoji,
        text: "Which emoji is {name}'s signature?",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawIdentity("Emoji")],
    },
    QuestionSpec {
        id: "oc_user_name",
        mode: Openclaw,
        phase: Basics,
        field: Field::UserName,
        text: "What is your name?",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawUser("Name")],
    },
    QuestionSpec {
        id: "oc_call_them",
        mode: Openclaw,
        phase: Basics,
        field: Field::CallThem,
        text: "What should {name} call you?",
        options: OptionSource::FromDescription,
        allow_free_text: true,
        targets: &[T::OpenclawUser("What to call them")],
    },
    QuestionSpec {
        id: "oc_timezone",
        mode: Openclaw,
        phase: Basics,
        field: Field::Timezone,
        text: "Which time zone are you in?",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawUser("Timezone")],
    },
    QuestionSpec {
        id: "oc_values",
        mode: Openclaw,
        phase: Personality,
        field: Field::Values,
        text:
            "What matters to you, and how should {name} behave? (free text: a comma-separated list)",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawSoul("Core Truths")],
    },
    QuestionSpec {
        id: "oc_boundaries",
        mode: Openclaw,
        phase: Personality,
        field: Field::AgentBoundaries,
        text: "Which boundaries should {name} keep? (free text: a comma-separated list)",
        options: OptionSource::Suggestions,
        allow_free_text: true,
        targets: &[T::OpenclawSoul("Boundaries")],
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

struct Options(Vec<Choice>);

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

/// The current value of a field in a (partial) config, if any.
pub fn current_value(
    field: Field,
    config: &PartialBuilderConfig,
    skill: Option<&PartialSkillConfig>,
    workspace: Option<&WorkspaceConfig>,
) -> Option<FieldValue> {
    let text = |o: &Option<String>| o.clone().map(FieldValue::Text);
    let ws_text = |f: fn(&WorkspaceConfig) -> &Option<String>| workspace.and_then(|w| text(f(w)));
    let ws_list = |f: fn(&WorkspaceConfig) -> &Option<Vec<String>>| {
        workspace.and_then(|w| f(w).clone()).map(FieldValue::List)
    };
    match field {
        Field::Name => text(&config.name),
        Field::Description => text(&config.description),
        Field::Category => text(&config.category),
        Field::Tone => text(&config.tone),
        Field::Traits => config.traits.clone().map(FieldValue::List),
        Field::Purpose => text(&config.purpose),
        Field::Boundaries => text(&config.boundaries),
        Field::Model => text(&config.model),
        Field::Temperature => config.temperature.map(FieldValue::Number),
        Field::MaxTokens => config.max_tokens.map(FieldValue::Count),
        // An empty list is indistinguishable from "not asked yet"; "No skills" is always offered anyway.
        Field::Skills => {
            (!config.skills.is_empty()).then(|| FieldValue::Skills(config.skills.clone()))
        }
        Field::SkillName => skill.and_then(|s| text(&s.name)),
        Field::SkillDescription => skill.and_then(|s| text(&s.description)),
        Field::SkillType => skill.and_then(|s| s.skill_type).map(FieldValue::SkillType),
        Field::Capabilities => skill
            .and_then(|s| s.capabilities.clone())
            .map(FieldValue::Capabilities),
        Field::TrustTier => skill.and_then(|s| s.trust_tier).map(FieldValue::TrustTier),
        Field::SkillBody => skill.and_then(|s| text(&s.body)),
        Field::AgentName => ws_text(|w| &w.name),
        Field::Creature => ws_text(|w| &w.creature),
        Field::Vibe => ws_text(|w| &w.vibe),
        Field::Emoji => ws_text(|w| &w.emoji),
        Field::UserName => ws_text(|w| &w.user_name),
        Field::CallThem => ws_text(|w| &w.call_them),
        Field::Timezone => ws_text(|w| &w.timezone),
        Field::Values => ws_list(|w| &w.values),
        Field::AgentBoundaries => ws_list(|w| &w.boundaries),
    }
}

/// The options of a question, each with its value. The current value (reconfigure) comes first,
/// labelled "Keep: …".
pub fn options_for(spec: &QuestionSpec, input: &OptionInput) -> Vec<Choice> {
    let mut o = Options(Vec::new());
    let defaults = smart_defaults(input.category);
    let cat_name = category_label(input.category);
    if let Some(current) = current_value(spec.field, input.config, input.skill, input.workspace) {
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
    let desc = input.description;
    match spec.field {
        Field::Name => {
            for n in name_suggestions(desc, input.category) {
                o.push(
                    &slugify(&n).unwrap_or_else(|_| "name".into()),
                    &n,
                    None,
                    FieldValue::Text(n.clone()),
                );
            }
        }
        Field::Description | Field::Purpose => {
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
        Field::Category => {
            let mine = input.category.bot_category();
            let cats: Vec<(&str, &str)> =
                schema::CATEGORIES.iter().map(|v| (v.name, v.doc)).collect();
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
        Field::Tone => {
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
        Field::Traits => {
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
        Field::Boundaries => {
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
        Field::Model => {
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
            for m in schema::BUILDER_MODELS {
                let doc = schema::model(m).map(|(_, d)| d.to_string());
                o.push(m, m, doc, FieldValue::Text(m.to_string()));
            }
        }
        Field::Temperature => {
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
        Field::MaxTokens => {
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
        Field::Skills => {
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
        Field::SkillName => {
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
        Field::SkillDescription => {
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
        Field::SkillType => {
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
        Field::Capabilities => {
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
        Field::TrustTier => {
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
        Field::SkillBody => {
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
        Field::AgentName => {
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
        Field::Creature | Field::Vibe | Field::Emoji => {
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
        Field::UserName => {}
        Field::CallThem => {
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
        Field::Timezone => {
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
        Field::Values | Field::AgentBoundaries => {
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
    }
    o.0
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
    field: Field,
    raw: &str,
    ctx: &BuilderContext,
) -> Result<FieldValue, BuilderError> {
    let invalid = |m: String| BuilderError::InvalidValue(m);
    Ok(match field {
        Field::Name => {
            let name = clean_line(raw)?;
            slugify(&name)?;
            FieldValue::Text(name)
        }
        Field::Tone | Field::Model => FieldValue::Text(clean_line(raw)?),
        Field::Category => {
            let c = clean_line(raw)?.to_lowercase();
            if !["assistant", "creative", "research", "utility"].contains(&c.as_str()) {
                return Err(invalid(format!(
                    "unknown category '{c}': use assistant, creative, research or utility"
                )));
            }
            FieldValue::Text(c)
        }
        Field::Description | Field::Purpose | Field::Boundaries | Field::SkillBody => {
            FieldValue::Text(clean_text(raw)?)
        }
        Field::SkillDescription => {
            let d = clean_text(raw)?;
            let n = d.chars().count();
            if n > 1024 {
                return Err(BuilderError::TooLong { max: 1024, len: n });
            }
            FieldValue::Text(d)
        }
        Field::Traits => {
            let items = split_list(&clean_text(raw)?);
            let mut traits = Vec::new();
            for t in items {
                traits.push(clean_line(&t)?);
            }
            if traits.len() > 20 {
                return Err(invalid("at most 20 traits, please".into()));
            }
            FieldValue::List(traits)
        }
        Field::Temperature => {
            let t = clean_line(raw)?;
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && schema::TEMPERATURE.contains(&v) => FieldValue::Number(v),
                _ => {
                    return Err(invalid(format!(
                        "temperature must be a number from 0 to 2, got '{t}'"
                    )))
                }
            }
        }
        Field::MaxTokens => {
            let t = clean_line(raw)?;
            match t.replace(['_', ','], "").parse::<u32>() {
                Ok(v) if schema::MAX_TOKENS.contains(&i64::from(v)) => FieldValue::Count(v),
                _ => {
                    return Err(invalid(format!(
                        "max tokens must be a whole number from 1 to {}, got '{t}'",
                        schema::MAX_TOKENS.end()
                    )))
                }
            }
        }
        Field::Skills => {
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
            FieldValue::Skills(reqs)
        }
        Field::SkillName => FieldValue::Text(skill_name(&clean_line(raw)?)?),
        Field::Capabilities => {
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
            FieldValue::Capabilities(caps)
        }
        Field::SkillType | Field::TrustTier => return Err(BuilderError::FreeTextNotAllowed),
        Field::AgentName => {
            let n = clean_line(raw)?;
            let len = n.chars().count();
            if len > forge_analysis::rules::openclaw_identity::NAME_MAX {
                return Err(invalid(format!(
                    "OpenClaw shows at most {} characters of a name; this one has {len}",
                    forge_analysis::rules::openclaw_identity::NAME_MAX
                )));
            }
            FieldValue::Text(n)
        }
        Field::Creature | Field::Vibe | Field::UserName | Field::CallThem => {
            FieldValue::Text(clean_line(raw)?)
        }
        Field::Emoji => {
            let e = clean_line(raw)?;
            let max = forge_analysis::rules::openclaw_identity::EMOJI_MAX;
            if e.chars().count() > max || e.is_ascii() {
                return Err(invalid(format!(
                    "OpenClaw only uses an emoji of at most {max} characters that is not plain ASCII, got '{e}'"
                )));
            }
            FieldValue::Text(e)
        }
        Field::Timezone => {
            let z = clean_line(raw)?;
            if z.contains(char::is_whitespace) || z.len() > 64 {
                return Err(invalid(format!(
                    "a time zone is one word such as Europe/Berlin or UTC, got '{z}'"
                )));
            }
            FieldValue::Text(z)
        }
        Field::Values | Field::AgentBoundaries => {
            let mut items = Vec::new();
            for t in split_list(&clean_text(raw)?) {
                items.push(clean_line(&t)?);
            }
            if items.len() > 20 {
                return Err(invalid("at most 20 items, please".into()));
            }
            FieldValue::List(items)
        }
    })
}

/// Writes a value into the partial configs. A value of the wrong kind for the field is an error
/// (only reachable through a hand-edited draft).
pub fn apply_value(
    field: Field,
    value: &FieldValue,
    config: &mut PartialBuilderConfig,
    skill: &mut PartialSkillConfig,
    ws: &mut WorkspaceConfig,
) -> Result<(), BuilderError> {
    let mismatch = || {
        BuilderError::InvalidValue(format!(
            "a {} value does not fit field {field:?}",
            value_kind(value)
        ))
    };
    match (field, value) {
        (Field::Name, FieldValue::Text(s)) => config.name = Some(s.clone()),
        (Field::Description, FieldValue::Text(s)) => config.description = Some(s.clone()),
        (Field::Category, FieldValue::Text(s)) => config.category = Some(s.clone()),
        (Field::Tone, FieldValue::Text(s)) => config.tone = Some(s.clone()),
        (Field::Traits, FieldValue::List(v)) => config.traits = Some(v.clone()),
        (Field::Purpose, FieldValue::Text(s)) => config.purpose = Some(s.clone()),
        (Field::Boundaries, FieldValue::Text(s)) => config.boundaries = Some(s.clone()),
        (Field::Model, FieldValue::Text(s)) => config.model = Some(s.clone()),
        (Field::Temperature, FieldValue::Number(n)) => config.temperature = Some(*n),
        (Field::MaxTokens, FieldValue::Count(n)) => config.max_tokens = Some(*n),
        (Field::Skills, FieldValue::Skills(v)) => config.skills = v.clone(),
        (Field::SkillName, FieldValue::Text(s)) => skill.name = Some(s.clone()),
        (Field::SkillDescription, FieldValue::Text(s)) => skill.description = Some(s.clone()),
        (Field::SkillType, FieldValue::SkillType(t)) => skill.skill_type = Some(*t),
        (Field::Capabilities, FieldValue::Capabilities(v)) => skill.capabilities = Some(v.clone()),
        (Field::TrustTier, FieldValue::TrustTier(t)) => skill.trust_tier = Some(*t),
        (Field::SkillBody, FieldValue::Text(s)) => skill.body = Some(s.clone()),
        (Field::AgentName, FieldValue::Text(s)) => ws.name = Some(s.clone()),
        (Field::Creature, FieldValue::Text(s)) => ws.creature = Some(s.clone()),
        (Field::Vibe, FieldValue::Text(s)) => ws.vibe = Some(s.clone()),
        (Field::Emoji, FieldValue::Text(s)) => ws.emoji = Some(s.clone()),
        (Field::UserName, FieldValue::Text(s)) => ws.user_name = Some(s.clone()),
        (Field::CallThem, FieldValue::Text(s)) => ws.call_them = Some(s.clone()),
        (Field::Timezone, FieldValue::Text(s)) => ws.timezone = Some(s.clone()),
        (Field::Values, FieldValue::List(v)) => ws.values = Some(v.clone()),
        (Field::AgentBoundaries, FieldValue::List(v)) => ws.boundaries = Some(v.clone()),
        _ => return Err(mismatch()),
    }
    Ok(())
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

    #[test]
    fn quoted_list_items_lose_their_quotes() {
        let v = parse_free_text(
            Field::Traits,
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
            parse_free_text(Field::Temperature, " 0.35 ", &ctx).unwrap(),
            FieldValue::Number(0.35)
        );
        assert!(parse_free_text(Field::Temperature, "hot", &ctx).is_err());
        assert!(parse_free_text(Field::Temperature, "NaN", &ctx).is_err());
        assert!(parse_free_text(Field::MaxTokens, "0", &ctx).is_err());
        assert_eq!(
            parse_free_text(Field::MaxTokens, "8,192", &ctx).unwrap(),
            FieldValue::Count(8192)
        );
        assert_eq!(
            parse_free_text(Field::Traits, "kind, kind,\n- bold", &ctx).unwrap(),
            FieldValue::List(vec!["kind".into(), "bold".into()])
        );
        match parse_free_text(Field::Skills, "Web Search, ../../evil", &ctx).unwrap() {
            FieldValue::Skills(v) => {
                assert_eq!(v[0].name, "web-search");
                assert_eq!(v[1].name, "evil");
                assert!(v[0].description.starts_with("Search the web"));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_free_text(Field::Capabilities, "http-get", &ctx)
            .unwrap_err()
            .to_string()
            .contains("unknown capability 'http-get'"));
        assert!(parse_free_text(Field::Name, "!!!", &ctx).is_err());
        assert!(matches!(
            parse_free_text(Field::TrustTier, "local", &ctx),
            Err(BuilderError::FreeTextNotAllowed)
        ));
        assert!(parse_free_text(Field::SkillDescription, &"d".repeat(1025), &ctx).is_err());
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
