//! Wire types of the builder, spelled exactly like Boternity's (`types/src/builder.rs`, formats §7.1)
//! so a draft or a turn can be exchanged with Boternity clients unchanged.
//!
//! `Option` fields serialise as `null` (no skipping) and may be omitted on input, as in Boternity.

use serde::{Deserialize, Serialize};

/// The five builder phases, in their canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuilderPhase {
    Basics,
    Personality,
    Model,
    Skills,
    Review,
}

impl BuilderPhase {
    /// Boternity's progress label (`format_phase_label`).
    pub fn label(self) -> &'static str {
        match self {
            BuilderPhase::Basics => "Setting up basics...",
            BuilderPhase::Personality => "Defining personality...",
            BuilderPhase::Model => "Choosing model...",
            BuilderPhase::Skills => "Selecting skills...",
            BuilderPhase::Review => "Final review...",
        }
    }

    /// Short label used by the web UI and in code-action titles.
    pub fn short_label(self) -> &'static str {
        match self {
            BuilderPhase::Basics => "Basics",
            BuilderPhase::Personality => "Personality",
            BuilderPhase::Model => "Model",
            BuilderPhase::Skills => "Skills",
            BuilderPhase::Review => "Review",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BuilderPhase::Basics => "basics",
            BuilderPhase::Personality => "personality",
            BuilderPhase::Model => "model",
            BuilderPhase::Skills => "skills",
            BuilderPhase::Review => "review",
        }
    }
}

/// Result of the purpose classifier (§7.3). Unit variants serialise as `"coding"`, the custom one as
/// `{"custom": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurposeCategory {
    SimpleUtility,
    ComplexAnalyst,
    Creative,
    Coding,
    Research,
    CustomerService,
    Custom(String),
}

impl PurposeCategory {
    /// The `builder_memory.purpose_category` column value: the JSON serialisation, quotes included (§7.10).
    pub fn memory_key(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The bot category (`assistant|creative|research|utility`) Boternity stores for this purpose.
    pub fn bot_category(&self) -> &'static str {
        match self {
            PurposeCategory::SimpleUtility | PurposeCategory::Coding => "utility",
            PurposeCategory::ComplexAnalyst | PurposeCategory::Research => "research",
            PurposeCategory::Creative => "creative",
            PurposeCategory::CustomerService | PurposeCategory::Custom(_) => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionOption {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderPreview {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub personality_summary: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    pub phase: BuilderPhase,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalityConfig {
    pub tone: String,
    pub traits: Vec<String>,
    pub purpose: String,
    #[serde(default)]
    pub boundaries: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub model: String,
    pub temperature: f64,
    pub max_tokens: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillRequest {
    pub name: String,
    pub description: String,
    /// Boternity's intent: `local` (prompt skill) or `wasm` (tool skill).
    pub skill_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderConfig {
    pub name: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
    pub personality: PersonalityConfig,
    pub model_config: ModelConfig,
    pub skills: Vec<SkillRequest>,
}

/// What is known so far; every field optional (Boternity's `PartialBuilderConfig`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartialBuilderConfig {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub tone: Option<String>,
    #[serde(default)]
    pub traits: Option<Vec<String>>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub boundaries: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub skills: Vec<SkillRequest>,
}

impl PartialBuilderConfig {
    /// A partial view of a complete config (used as the base of a reconfigure session).
    pub fn from_config(c: &BuilderConfig) -> Self {
        PartialBuilderConfig {
            name: Some(c.name.clone()),
            description: Some(c.description.clone()),
            category: Some(c.category.clone()),
            tags: Some(c.tags.clone()),
            tone: Some(c.personality.tone.clone()),
            traits: Some(c.personality.traits.clone()),
            purpose: Some(c.personality.purpose.clone()),
            boundaries: c.personality.boundaries.clone(),
            model: Some(c.model_config.model.clone()),
            temperature: Some(c.model_config.temperature),
            max_tokens: Some(c.model_config.max_tokens),
            skills: c.skills.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderExchange {
    pub question: String,
    pub answer: String,
    pub phase: BuilderPhase,
}

/// The next step of the builder, tagged by `action` as in Boternity's protocol.
// One turn at a time is alive; keeping the config inline keeps construction and matching simple.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BuilderTurn {
    AskQuestion {
        phase: BuilderPhase,
        question: String,
        options: Vec<QuestionOption>,
        allow_free_text: bool,
        #[serde(default)]
        phase_label: Option<String>,
    },
    ShowPreview {
        phase: BuilderPhase,
        preview: BuilderPreview,
    },
    ReadyToAssemble {
        config: BuilderConfig,
        /// forge-ls extension, present only in skill mode: the full skill to write. Boternity clients
        /// ignore it and read `config` (whose single skill request mirrors it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skill: Option<SkillConfig>,
        /// forge-ls extension, present only in OpenClaw workspace mode: the lines assemble writes.
        /// `config` mirrors it bot-shaped, as in skill mode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        workspace: Option<WorkspaceConfig>,
    },
    Clarify {
        message: String,
    },
}

/// `metadata.skill-type` of a SKILL.md (§6.4). `rust` is deliberately not a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillType {
    Prompt,
    Tool,
}

impl SkillType {
    pub fn as_str(self) -> &'static str {
        match self {
            SkillType::Prompt => "prompt",
            SkillType::Tool => "tool",
        }
    }

    /// Boternity's `SkillRequest.skill_type` spelling.
    pub fn request_str(self) -> &'static str {
        match self {
            SkillType::Prompt => "local",
            SkillType::Tool => "wasm",
        }
    }

    /// Maps a `SkillRequest.skill_type` (`local`/`wasm`, or already `prompt`/`tool`).
    pub fn from_request(s: &str) -> SkillType {
        match s.trim().to_ascii_lowercase().as_str() {
            "wasm" | "tool" => SkillType::Tool,
            _ => SkillType::Prompt,
        }
    }
}

/// The eight capabilities of §6.4, serialised snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    ReadFile,
    WriteFile,
    HttpGet,
    HttpPost,
    ExecCommand,
    ReadEnv,
    RecallMemory,
    GetSecret,
}

impl Capability {
    pub const ALL: [Capability; 8] = [
        Capability::ReadFile,
        Capability::WriteFile,
        Capability::HttpGet,
        Capability::HttpPost,
        Capability::ExecCommand,
        Capability::ReadEnv,
        Capability::RecallMemory,
        Capability::GetSecret,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ReadFile => "read_file",
            Capability::WriteFile => "write_file",
            Capability::HttpGet => "http_get",
            Capability::HttpPost => "http_post",
            Capability::ExecCommand => "exec_command",
            Capability::ReadEnv => "read_env",
            Capability::RecallMemory => "recall_memory",
            Capability::GetSecret => "get_secret",
        }
    }

    /// Exact snake_case names only: Boternity rejects `http-get`, so we do too.
    pub fn parse(s: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustTier {
    Local,
    Verified,
    Untrusted,
}

impl TrustTier {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustTier::Local => "local",
            TrustTier::Verified => "verified",
            TrustTier::Untrusted => "untrusted",
        }
    }
}

/// Everything needed to write one SKILL.md (skill mode's result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillConfig {
    /// Slug form (`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`).
    pub name: String,
    pub description: String,
    pub skill_type: SkillType,
    pub capabilities: Vec<Capability>,
    pub trust_tier: TrustTier,
    /// Markdown instructions; the renderer adds a heading when they have none.
    pub body: String,
    pub author: String,
}

/// Skill-mode counterpart of [`PartialBuilderConfig`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartialSkillConfig {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub skill_type: Option<SkillType>,
    #[serde(default)]
    pub capabilities: Option<Vec<Capability>>,
    #[serde(default)]
    pub trust_tier: Option<TrustTier>,
    #[serde(default)]
    pub body: Option<String>,
}

/// OpenClaw workspace mode's answers: what the first-run ritual of `BOOTSTRAP.md` asks
/// (openclaw/openclaw@0afa47d5:docs/reference/templates/BOOTSTRAP.md, "The Conversation" and
/// "After You Know Who You Are"). Every field is optional: an unanswered one leaves its line alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceConfig {
    /// IDENTITY.md `- **Name:**`.
    #[serde(default)]
    pub name: Option<String>,
    /// IDENTITY.md `- **Creature:**`.
    #[serde(default)]
    pub creature: Option<String>,
    /// IDENTITY.md `- **Vibe:**`.
    #[serde(default)]
    pub vibe: Option<String>,
    /// IDENTITY.md `- **Emoji:**`.
    #[serde(default)]
    pub emoji: Option<String>,
    /// USER.md `- **Name:**`.
    #[serde(default)]
    pub user_name: Option<String>,
    /// USER.md `- **What to call them:**`.
    #[serde(default)]
    pub call_them: Option<String>,
    /// USER.md `- **Timezone:**`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// SOUL.md `## Core Truths`, one bullet each.
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// SOUL.md `## Boundaries`, one bullet each.
    #[serde(default)]
    pub boundaries: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn purpose_category_serialises_like_boternity() {
        assert_eq!(
            serde_json::to_value(PurposeCategory::CustomerService).unwrap(),
            json!("customer_service")
        );
        assert_eq!(
            serde_json::to_value(PurposeCategory::Custom("x y".into())).unwrap(),
            json!({"custom": "x y"})
        );
        let back: PurposeCategory = serde_json::from_value(json!({"custom": "z"})).unwrap();
        assert_eq!(back, PurposeCategory::Custom("z".into()));
        assert_eq!(PurposeCategory::Coding.memory_key(), "\"coding\"");
    }

    #[test]
    fn ask_question_turn_has_boternity_shape() {
        let turn = BuilderTurn::AskQuestion {
            phase: BuilderPhase::Personality,
            question: "How?".into(),
            options: vec![QuestionOption {
                id: "a".into(),
                label: "A".into(),
                description: None,
            }],
            allow_free_text: true,
            phase_label: Some(BuilderPhase::Personality.label().into()),
        };
        let v = serde_json::to_value(&turn).unwrap();
        assert_eq!(v["action"], "ask_question");
        assert_eq!(v["phase"], "personality");
        assert_eq!(v["options"][0]["description"], serde_json::Value::Null);
        assert_eq!(v["phase_label"], "Defining personality...");
        let back: BuilderTurn = serde_json::from_value(v).unwrap();
        assert_eq!(back, turn);
    }

    #[test]
    fn boternity_turns_without_optional_fields_parse() {
        let t: BuilderTurn = serde_json::from_value(json!({
            "action": "ask_question", "phase": "basics", "question": "q",
            "options": [{"id": "x", "label": "X"}], "allow_free_text": false
        }))
        .unwrap();
        assert!(matches!(
            t,
            BuilderTurn::AskQuestion {
                phase_label: None,
                ..
            }
        ));
        let c: BuilderTurn =
            serde_json::from_value(json!({"action": "clarify", "message": "m"})).unwrap();
        assert_eq!(
            c,
            BuilderTurn::Clarify {
                message: "m".into()
            }
        );
        let p: PartialBuilderConfig = serde_json::from_value(json!({"name": "n"})).unwrap();
        assert!(p.skills.is_empty());
    }

    #[test]
    fn ready_to_assemble_omits_skill_extension_in_bot_mode() {
        let cfg = BuilderConfig {
            name: "n".into(),
            description: "d".into(),
            category: "assistant".into(),
            tags: vec![],
            personality: PersonalityConfig {
                tone: "t".into(),
                traits: vec![],
                purpose: "p".into(),
                boundaries: None,
            },
            model_config: ModelConfig {
                model: "m".into(),
                temperature: 0.5,
                max_tokens: 10,
            },
            skills: vec![],
        };
        let v = serde_json::to_value(BuilderTurn::ReadyToAssemble {
            config: cfg,
            skill: None,
            workspace: None,
        })
        .unwrap();
        assert_eq!(v["action"], "ready_to_assemble");
        assert!(v.get("skill").is_none());
        assert_eq!(
            v["config"]["personality"]["boundaries"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn capabilities_are_snake_case_only() {
        assert_eq!(Capability::parse("http_get"), Some(Capability::HttpGet));
        assert_eq!(Capability::parse("http-get"), None);
        assert!(serde_json::from_value::<SkillType>(json!("rust")).is_err());
    }
}
