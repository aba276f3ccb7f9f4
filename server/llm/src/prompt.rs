//! Prompt builders (formats §7.4 and §7.9) as pure functions over small input structs, so the
//! builder can fill them from its session state without this module knowing its types.

use serde_json::{json, Value};

use super::StructuredRequest;

/// What the Forge session is doing; named in the instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForgeMode {
    #[default]
    NewBot,
    ReconfigureBot,
    NewSkill,
    Batch {
        count: u32,
    },
}

impl ForgeMode {
    fn label(self) -> &'static str {
        match self {
            ForgeMode::NewBot => "new bot creation",
            ForgeMode::ReconfigureBot => "bot reconfiguration",
            ForgeMode::NewSkill => "new skill creation",
            ForgeMode::Batch { .. } => "batch bot creation",
        }
    }
}

/// One earlier question and the user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptExchange {
    pub question: String,
    pub answer: String,
}

/// A recalled builder memory (formats §7.10).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PastSession {
    pub bot_slug: Option<String>,
    pub description: String,
    pub tone: Option<String>,
    pub model: Option<String>,
    pub skills: Vec<String>,
}

/// A skill already present in the workspace, offered for reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSkill {
    pub name: String,
    pub description: String,
}

/// Everything the Forge system prompt is built from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForgePromptInput {
    pub mode: ForgeMode,
    pub initial_description: String,
    /// Display label of the current phase, e.g. `Defining personality...`.
    pub phase_label: String,
    /// The classified purpose as the product prints it (`Coding`, `Custom("…")`); `None` before
    /// classification.
    pub purpose_category: Option<String>,
    pub questions_asked: usize,
    /// All exchanges so far; only the last [`MAX_EXCHANGES`] are sent.
    pub exchanges: Vec<PromptExchange>,
    /// Set config fields, already formatted (`Name: Quill`, `Tags: a, b`).
    pub config_lines: Vec<String>,
    pub past_sessions: Vec<PastSession>,
    pub workspace_skills: Vec<WorkspaceSkill>,
    /// Problems forge-ls found in the bot being reconfigured, one message each.
    pub diagnostics: Vec<String>,
}

/// How many recent exchanges the prompt carries (formats §7.4).
pub const MAX_EXCHANGES: usize = 5;
/// Keeps the prompt bounded in a workspace with many skills.
const MAX_WORKSPACE_SKILLS: usize = 40;

/// The Forge system prompt: tagged sections separated by blank lines.
pub fn build_forge_system_prompt(input: &ForgePromptInput) -> String {
    let mut sections = vec![
        tagged("forge_identity", FORGE_IDENTITY.trim()),
        tagged("builder_instructions", &instructions(input.mode)),
        tagged("accumulated_context", &accumulated_context(input)),
    ];
    if !input.config_lines.is_empty() {
        sections.push(tagged("current_config", &input.config_lines.join("\n")));
    }
    if !input.past_sessions.is_empty() {
        sections.push(tagged(
            "past_sessions",
            &past_sessions(&input.past_sessions),
        ));
    }
    if !input.workspace_skills.is_empty() {
        sections.push(tagged(
            "workspace_skills",
            &workspace_skills(&input.workspace_skills),
        ));
    }
    if !input.diagnostics.is_empty() {
        let mut text = String::from(
            "The language server found these problems in the bot's current files. Mention them \
             when relevant and suggest settings that fix them:\n",
        );
        for d in &input.diagnostics {
            text.push_str(&format!("- {d}\n"));
        }
        sections.push(tagged("bot_diagnostics", text.trim_end()));
    }
    sections.join("\n\n")
}

fn tagged(tag: &str, body: &str) -> String {
    format!("<{tag}>\n{body}\n</{tag}>")
}

const FORGE_IDENTITY: &str = "
You are Forge, the bot builder: a warm, slightly casual craftsman who helps people shape bots and
skills. You guide each creation with a few well-chosen questions and explain every default you
suggest.

Boundaries:
- Never create anything until the user explicitly confirms it at the review step.
- Always say why you suggest something.
- When the user is unsure, offer concrete examples.
- Do not over-explain to users who clearly know what they want.
- Ask no question whose answer you can already infer.
";

fn instructions(mode: ForgeMode) -> String {
    let mode_rule = match mode {
        ForgeMode::NewBot => {
            "8. Start from the user's description and fill in the configuration phase by phase."
                .to_owned()
        }
        ForgeMode::ReconfigureBot => {
            "8. Begin by showing the bot's current configuration, then ask \
             what the user wants to change."
                .to_owned()
        }
        ForgeMode::NewSkill => "8. Ask for the skill's name, description, type (local or wasm), \
             when it should trigger and which capabilities it needs, then reply with \
             ready_to_assemble carrying the skill configuration."
            .to_owned(),
        ForgeMode::Batch { count } => format!(
            "8. The user wants {count} related bots: ask what should make each variant different."
        ),
    };
    format!(
        "Mode: {}.\n\
         Reply with a single JSON object that matches the BuilderTurn schema, and nothing else.\n\
         Rules:\n\
         1. Ask one question at a time, with multiple-choice options.\n\
         2. Give every option a short description of when it fits.\n\
         3. Always include an \"Other\" option so the user can answer freely.\n\
         4. Scale the number of questions to the purpose: 3-5 for a simple utility, 6-10 for an \
         analyst or research bot, 4-7 for a creative one.\n\
         5. Set phase_label so the user sees which phase they are in.\n\
         6. Explain the reasoning behind your suggestions.\n\
         7. As soon as you know enough, reply with ready_to_assemble and the complete config.\n\
         {mode_rule}",
        mode.label()
    )
}

fn accumulated_context(input: &ForgePromptInput) -> String {
    let mut out = format!(
        "Initial description: {}\nCurrent phase: {}\nPurpose category: {}\nQuestions asked: {}\n\
         Previous exchanges:\n",
        input.initial_description,
        input.phase_label,
        input
            .purpose_category
            .as_deref()
            .unwrap_or("not yet determined"),
        input.questions_asked
    );
    let recent = &input.exchanges[input.exchanges.len().saturating_sub(MAX_EXCHANGES)..];
    if recent.is_empty() {
        out.push_str("No exchanges yet.");
    } else {
        let pairs: Vec<String> = recent
            .iter()
            .map(|e| format!("Q: {}\nA: {}", e.question, e.answer))
            .collect();
        out.push_str(&pairs.join("\n\n"));
    }
    out
}

fn past_sessions(memories: &[PastSession]) -> String {
    let mut out =
        String::from("The user built similar bots before. What they chose then (newest first):\n");
    for m in memories {
        out.push_str(&format!(
            "- {}: \"{}\"; tone {}, model {}, skills {}\n",
            m.bot_slug.as_deref().unwrap_or("a bot"),
            m.description,
            m.tone.as_deref().unwrap_or("not set"),
            m.model.as_deref().unwrap_or("default"),
            if m.skills.is_empty() {
                "none".to_owned()
            } else {
                m.skills.join(", ")
            }
        ));
    }
    out.push_str("Where it fits, suggest reusing these choices.");
    out
}

fn workspace_skills(skills: &[WorkspaceSkill]) -> String {
    let mut out = String::from(
        "Skills that already exist in this workspace; prefer suggesting these by name over \
         inventing new ones:\n",
    );
    for s in skills.iter().take(MAX_WORKSPACE_SKILLS) {
        out.push_str(&format!("- {}: {}\n", s.name, one_line(&s.description)));
    }
    if skills.len() > MAX_WORKSPACE_SKILLS {
        out.push_str(&format!(
            "- … and {} more\n",
            skills.len() - MAX_WORKSPACE_SKILLS
        ));
    }
    out.trim_end().to_owned()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Kind of skill to generate (formats §7.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkillKind {
    /// A prompt skill: SKILL.md only.
    Local,
    /// A WASM skill with Rust source.
    Wasm,
}

/// The eight capability names Boternity accepts (formats §6.4).
pub const CAPABILITIES: [&str; 8] = [
    "read_file",
    "write_file",
    "http_get",
    "http_post",
    "exec_command",
    "read_env",
    "recall_memory",
    "get_secret",
];

/// Schema name of the skill generation call.
pub const SKILL_SCHEMA_NAME: &str = "skill_generation";

/// The strict `skill_generation` schema (formats §7.9).
pub fn skill_generation_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "skill_md": {"type": "string"},
            "capabilities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "capability": {"type": "string"},
                        "reason": {"type": "string"}
                    },
                    "required": ["capability", "reason"],
                    "additionalProperties": false
                }
            },
            "source_code": {"type": ["string", "null"]}
        },
        "required": ["skill_md", "capabilities", "source_code"],
        "additionalProperties": false
    })
}

/// The one LLM call that writes a SKILL.md (and Rust source for a WASM skill).
pub fn skill_generation_request(
    name: &str,
    description: &str,
    kind: SkillKind,
    capabilities: &[String],
) -> StructuredRequest {
    let (skill_type, code_rule) = match kind {
        SkillKind::Local => (
            "prompt",
            "This is a local prompt skill: source_code must be null.",
        ),
        SkillKind::Wasm => (
            "tool",
            "This is a WASM skill: put Rust code implementing the boternity skill WIT interface \
             in source_code.",
        ),
    };
    let caps_rule = if capabilities.is_empty() {
        "Suggest the capabilities the skill needs, each with a reason.".to_owned()
    } else {
        format!(
            "Required capabilities: {}. List them in capabilities, each with a reason.",
            capabilities.join(", ")
        )
    };
    let system = format!(
        "Write an agentskills.io SKILL.md for a Boternity skill.\n\
         Frontmatter: name: {name} (lowercase letters, digits and single hyphens; it must stay \
         exactly this), a description of what the skill does and when to use it, and metadata with \
         version: \"0.1.0\", skill-type: {skill_type}, capabilities (a list using only these \
         names: {caps}), author: \"builder\" and categories.\n\
         Body: a heading, a short description and clear usage instructions.\n\
         {caps_rule}\n\
         {code_rule}\n\
         Reply with JSON matching the skill_generation schema only.",
        caps = CAPABILITIES.join(", "),
    );
    let mut req = StructuredRequest::new(
        tagged("skill_builder_instructions", &system),
        format!("Create a skill called \"{name}\" that does \"{description}\"."),
        SKILL_SCHEMA_NAME,
        skill_generation_schema(),
    );
    req.max_tokens = 4096;
    req.temperature = 0.4;
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(i: usize) -> PromptExchange {
        PromptExchange {
            question: format!("q{i}"),
            answer: format!("a{i}"),
        }
    }

    #[test]
    fn minimal_prompt_has_three_sections() {
        let p = build_forge_system_prompt(&ForgePromptInput {
            initial_description: "A tutor for essays".into(),
            phase_label: "Setting up basics...".into(),
            ..Default::default()
        });
        assert!(p.starts_with("<forge_identity>\nYou are Forge"));
        assert!(p.contains("</forge_identity>\n\n<builder_instructions>\nMode: new bot creation."));
        assert!(p.contains("Initial description: A tutor for essays\nCurrent phase: Setting up basics...\nPurpose category: not yet determined\nQuestions asked: 0\nPrevious exchanges:\nNo exchanges yet.\n</accumulated_context>"));
        assert!(p.ends_with("</accumulated_context>"));
        assert!(!p.contains("<current_config>"));
    }

    #[test]
    fn full_prompt_keeps_last_five_exchanges_and_optional_sections() {
        let p = build_forge_system_prompt(&ForgePromptInput {
            mode: ForgeMode::ReconfigureBot,
            initial_description: "d".into(),
            phase_label: "Defining personality...".into(),
            purpose_category: Some("Coding".into()),
            questions_asked: 7,
            exchanges: (0..7).map(exchange).collect(),
            config_lines: vec!["Name: Quill".into(), "Tags: a, b".into()],
            past_sessions: vec![PastSession {
                description: "old".into(),
                skills: vec!["web-search".into()],
                ..Default::default()
            }],
            workspace_skills: vec![WorkspaceSkill {
                name: "summarize".into(),
                description: "Sums\nup".into(),
            }],
            diagnostics: vec!["IDENTITY.md: temperature 3 is out of range".into()],
        });
        assert!(p.contains("Mode: bot reconfiguration."));
        assert!(p.contains("showing the bot's current configuration"));
        assert!(!p.contains("Q: q1\n"));
        assert!(p.contains("Q: q2\nA: a2\n\nQ: q3"));
        assert!(p.contains("Q: q6\nA: a6\n</accumulated_context>"));
        assert!(p.contains("<current_config>\nName: Quill\nTags: a, b\n</current_config>"));
        assert!(p.contains("- a bot: \"old\"; tone not set, model default, skills web-search"));
        assert!(p.contains("- summarize: Sums up"));
        assert!(p.contains("<bot_diagnostics>"));
        let order: Vec<usize> = [
            "<forge_identity>",
            "<builder_instructions>",
            "<accumulated_context>",
            "<current_config>",
            "<past_sessions>",
            "<workspace_skills>",
            "<bot_diagnostics>",
        ]
        .iter()
        .map(|t| p.find(t).unwrap_or(usize::MAX))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    }

    #[test]
    fn skill_request_follows_7_9() {
        let r =
            skill_generation_request("page-summarizer", "summarize pages", SkillKind::Local, &[]);
        assert_eq!(r.schema_name, "skill_generation");
        assert_eq!(r.max_tokens, 4096);
        assert_eq!(r.temperature, 0.4);
        assert!(r.system.starts_with("<skill_builder_instructions>"));
        assert!(r.system.contains("source_code must be null"));
        assert!(r.system.contains("Suggest the capabilities"));
        assert_eq!(
            r.messages[0].content,
            "Create a skill called \"page-summarizer\" that does \"summarize pages\"."
        );
        assert_eq!(
            r.schema["required"],
            json!(["skill_md", "capabilities", "source_code"])
        );

        let r = skill_generation_request("x", "y", SkillKind::Wasm, &["http_get".into()]);
        assert!(r.system.contains("Required capabilities: http_get."));
        assert!(r.system.contains("WIT interface"));
    }
}
