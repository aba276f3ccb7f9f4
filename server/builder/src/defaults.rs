//! Purpose classifier and smart defaults (§7.3), and the capability heuristic of the skill builder (§7.9).

use super::types::{Capability, PurposeCategory};

/// Model Boternity uses as the default everywhere (the first of its dropdown).
pub const DEFAULT_MODEL: &str = forge_analysis::schema::BUILDER_MODELS[0];
/// Boternity's fallback when a builder soul has no boundaries.
pub const DEFAULT_BOUNDARIES: &str =
    "Be helpful within your defined purpose. Decline requests outside your expertise area.";

/// Keyword groups in classifier order; the first group with a substring match wins.
const CLASSIFIER: &[(&[&str], PurposeCategory)] = &[
    (
        &["email", "reminder", "timer", "calculator", "converter"],
        PurposeCategory::SimpleUtility,
    ),
    (
        &["analyze", "data", "report", "metrics", "dashboard"],
        PurposeCategory::ComplexAnalyst,
    ),
    (
        &["write", "story", "poem", "creative", "art", "music"],
        PurposeCategory::Creative,
    ),
    (
        &["code", "debug", "program", "develop", "software"],
        PurposeCategory::Coding,
    ),
    (
        &["research", "study", "academic", "paper", "literature"],
        PurposeCategory::Research,
    ),
    (
        &["support", "customer", "help desk", "ticket"],
        PurposeCategory::CustomerService,
    ),
];

/// Boternity's `classify_purpose`: substring match on the lowercased description, else `custom` with
/// the first 50 characters of the original text.
pub fn classify_purpose(description: &str) -> PurposeCategory {
    let lower = description.to_lowercase();
    for (keywords, category) in CLASSIFIER {
        if keywords.iter().any(|k| lower.contains(k)) {
            return category.clone();
        }
    }
    PurposeCategory::Custom(description.chars().take(50).collect())
}

/// One row of the smart-defaults table.
#[derive(Debug, Clone, PartialEq)]
pub struct SmartDefaults {
    pub model: &'static str,
    pub temperature: f64,
    pub max_tokens: u32,
    pub tone: &'static str,
    pub traits: &'static [&'static str],
    pub skills: &'static [&'static str],
}

pub fn smart_defaults(category: &PurposeCategory) -> SmartDefaults {
    let (temperature, max_tokens, tone, traits, skills): (
        f64,
        u32,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    ) = match category {
        PurposeCategory::SimpleUtility => (
            0.3,
            2048,
            "direct",
            &["efficient", "concise"],
            &["web-search"],
        ),
        PurposeCategory::ComplexAnalyst => (
            0.5,
            4096,
            "analytical",
            &["thorough", "precise", "structured"],
            &["web-search", "data-analysis"],
        ),
        PurposeCategory::Creative => (
            0.9,
            4096,
            "expressive",
            &["creative", "imaginative", "playful"],
            &["text-generation"],
        ),
        PurposeCategory::Coding => (
            0.2,
            4096,
            "technical",
            &["precise", "methodical", "pragmatic"],
            &["code-review", "code-generation"],
        ),
        PurposeCategory::Research => (
            0.5,
            4096,
            "scholarly",
            &["thorough", "citation-aware", "balanced"],
            &["web-search", "summarize"],
        ),
        PurposeCategory::CustomerService => (
            0.4,
            2048,
            "empathetic",
            &["patient", "helpful", "clear"],
            &["knowledge-base"],
        ),
        PurposeCategory::Custom(_) => (0.7, 4096, "adaptive", &["versatile"], &[]),
    };
    SmartDefaults {
        model: DEFAULT_MODEL,
        temperature,
        max_tokens,
        tone,
        traits,
        skills,
    }
}

/// All the tones and trait sets of the table, used as alternatives after the category's own.
pub fn all_defaults() -> Vec<SmartDefaults> {
    [
        PurposeCategory::SimpleUtility,
        PurposeCategory::ComplexAnalyst,
        PurposeCategory::Creative,
        PurposeCategory::Coding,
        PurposeCategory::Research,
        PurposeCategory::CustomerService,
        PurposeCategory::Custom(String::new()),
    ]
    .iter()
    .map(smart_defaults)
    .collect()
}

/// What each suggested skill does, so generated SKILL.md files get a real description.
pub fn suggested_skill_description(name: &str) -> Option<&'static str> {
    Some(match name {
        "web-search" => "Search the web and summarize the most relevant results with their sources",
        "data-analysis" => "Analyze tabular data and explain trends, outliers and key metrics",
        "text-generation" => "Draft stories, poems and other creative text in a requested style",
        "code-review" => "Review code changes for bugs, readability and maintainability",
        "code-generation" => "Write code that solves a described programming task",
        "summarize" => "Summarize long documents into short, faithful bullet points",
        "knowledge-base" => "Answer customer questions from the product knowledge base",
        _ => return None,
    })
}

/// Provider implied by a model name (IDENTITY.md `provider:` is informational in Boternity, §3.4).
pub fn provider_for_model(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    if m.starts_with("gpt") || m.starts_with("o1") || m.starts_with("o3") || m.starts_with("o4") {
        // The name Boternity's providers.json uses, and the one the identity rules accept.
        "openai_compatible"
    } else {
        "anthropic"
    }
}

/// §7.9 keyword → capability table, in order; the first reason for a capability is kept.
const CAPABILITY_KEYWORDS: &[(&[&str], Capability, &str)] = &[
    (
        &["fetch", "http", "web", "api", "url", "request"],
        Capability::HttpGet,
        "fetches data over HTTP",
    ),
    (
        &["file", "read", "disk", "load"],
        Capability::ReadFile,
        "reads files",
    ),
    (
        &["write", "save", "output"],
        Capability::WriteFile,
        "writes files",
    ),
    (
        &["environment", "env", "config"],
        Capability::ReadEnv,
        "reads environment/configuration",
    ),
    (
        &["database", "sql", "query"],
        Capability::HttpGet,
        "queries a database service",
    ),
    (
        &["execute", "command", "shell", "process", "run"],
        Capability::ExecCommand,
        "runs commands",
    ),
    (
        &["secret", "api key", "token", "credential"],
        Capability::GetSecret,
        "needs a secret",
    ),
    (
        &["remember", "memory", "recall"],
        Capability::RecallMemory,
        "recalls memories",
    ),
];

/// Boternity's `suggest_capabilities`: substring keywords, deduplicated, first reason kept.
pub fn suggest_capabilities(description: &str) -> Vec<(Capability, &'static str)> {
    let lower = description.to_lowercase();
    let mut out: Vec<(Capability, &'static str)> = Vec::new();
    for (keywords, cap, reason) in CAPABILITY_KEYWORDS {
        if keywords.iter().any(|k| lower.contains(k)) && !out.iter().any(|(c, _)| c == cap) {
            out.push((*cap, reason));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifier_order_and_substrings() {
        assert_eq!(
            classify_purpose("Email reminder that analyzes data"),
            PurposeCategory::SimpleUtility
        );
        assert_eq!(
            classify_purpose("help me DEBUG rust"),
            PurposeCategory::Coding
        );
        // Boternity quirk kept on purpose: "start" contains "art".
        assert_eq!(
            classify_purpose("a startup helper"),
            PurposeCategory::Creative
        );
        assert_eq!(
            classify_purpose("customer tickets"),
            PurposeCategory::CustomerService
        );
        let long = "x".repeat(80);
        assert_eq!(
            classify_purpose(&long),
            PurposeCategory::Custom("x".repeat(50))
        );
    }

    #[test]
    fn defaults_table() {
        let d = smart_defaults(&PurposeCategory::Coding);
        assert_eq!(
            (d.temperature, d.max_tokens, d.tone),
            (0.2, 4096, "technical")
        );
        assert_eq!(d.skills, &["code-review", "code-generation"]);
        let c = smart_defaults(&PurposeCategory::Custom("q".into()));
        assert!(c.skills.is_empty());
        assert_eq!(c.model, DEFAULT_MODEL);
        for s in all_defaults().iter().flat_map(|d| d.skills.iter()) {
            assert!(suggested_skill_description(s).is_some(), "{s}");
        }
    }

    #[test]
    fn capability_heuristic() {
        let caps = suggest_capabilities("Fetch a URL and save the page; remember it");
        let names: Vec<_> = caps.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["http_get", "write_file", "recall_memory"]);
        // database → http_get again, deduplicated with the first reason kept
        let caps = suggest_capabilities("query the web api");
        assert_eq!(caps, vec![(Capability::HttpGet, "fetches data over HTTP")]);
        assert!(suggest_capabilities("be nice").is_empty());
    }

    #[test]
    fn providers() {
        assert_eq!(provider_for_model("gpt-4o-mini"), "openai_compatible");
        assert_eq!(provider_for_model(DEFAULT_MODEL), "anthropic");
    }
}
