//! The `forge` settings section (interface spec §3).
//!
//! Both nested objects (`{"llm": {"provider": …}}`, as VS Code sends a section)
//! and dotted keys (`{"llm.provider": …}`) are accepted, and
//! `initializationOptions` may wrap the section as `{"forge": {…}}`.

use serde_json::Value;

use forge_analysis::rules::Profile;
use forge_llm::LlmSettings;

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub profile: Profile,
    pub drafts_path: Option<String>,
    pub bots_dir: String,
    pub skills_dir: String,
    pub boternity_data_dir: Option<String>,
    /// The `llm.*` keys, parsed once here (warnings with the others).
    pub llm: LlmSettings,
    /// `openclaw.bootstrapMaxChars` / `openclaw.bootstrapTotalMaxChars`.
    pub openclaw_limits: forge_analysis::rules::openclaw_workspace::Limits,
    /// `budget.systemPromptTokens` / `budget.skillListingTokens`.
    pub budget: forge_analysis::preview::Budget,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: Profile::Auto,
            drafts_path: None,
            bots_dir: "bots".into(),
            skills_dir: "skills".into(),
            boternity_data_dir: None,
            llm: LlmSettings::default(),
            openclaw_limits: Default::default(),
            budget: Default::default(),
        }
    }
}

/// Look up a dotted key in nested objects or as a flat dotted key.
fn lookup<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    if let Some(flat) = v.get(key) {
        return Some(flat);
    }
    let mut cur = v;
    for part in key.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

impl Settings {
    /// Parse the section; unknown or ill-typed values fall back to defaults, with a warning each.
    pub fn from_json(v: &Value) -> (Settings, Vec<String>) {
        let v = v.get("forge").filter(|f| f.is_object()).unwrap_or(v);
        let mut s = Settings::default();
        let mut warnings = Vec::new();
        let string = |key: &str, warnings: &mut Vec<String>| match lookup(v, key) {
            None | Some(Value::Null) => None,
            // VS Code sends "" for a setting the user left empty: that means the default.
            Some(Value::String(x)) if x.trim().is_empty() => None,
            Some(Value::String(x)) => Some(x.clone()),
            Some(other) => {
                warnings.push(format!(
                    "setting forge.{key} must be a string, not {other}; using the default"
                ));
                None
            }
        };
        if let Some(p) = string("validation.profile", &mut warnings) {
            match Profile::parse(&p) {
                Some(p) => s.profile = p,
                None => warnings.push(format!(
                    "setting forge.validation.profile: unknown profile `{p}`; using `auto`"
                )),
            }
        }
        // OpenClaw accepts only positive finite numbers and otherwise uses its default.
        let mut chars = |key: &str, slot: &mut usize| match lookup(v, key) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f.is_finite() && f >= 1.0) => {
                *slot = n.as_f64().unwrap_or_default() as usize;
            }
            Some(other) => warnings.push(format!(
                "setting forge.{key} must be a positive number, not {other}; using {slot}"
            )),
        };
        chars(
            "openclaw.bootstrapMaxChars",
            &mut s.openclaw_limits.max_chars,
        );
        chars(
            "openclaw.bootstrapTotalMaxChars",
            &mut s.openclaw_limits.total_max_chars,
        );
        // A budget is a whole number of tokens; `null` or 0 turns the prompt budget off.
        let mut tokens = |key: &str| -> Option<Option<usize>> {
            match lookup(v, key) {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) if n.as_u64().is_some() => {
                    Some(n.as_u64().filter(|n| *n > 0).map(|n| n as usize))
                }
                Some(other) => {
                    warnings.push(format!(
                        "setting forge.{key} must be a whole number of tokens, not {other}; using the default"
                    ));
                    None
                }
            }
        };
        if let Some(b) = tokens("budget.systemPromptTokens") {
            s.budget.system_prompt_tokens = b;
        }
        if let Some(Some(b)) = tokens("budget.skillListingTokens") {
            s.budget.skill_listing_tokens = b;
        }
        s.drafts_path = string("draftsPath", &mut warnings);
        if let Some(d) = string("botsDir", &mut warnings) {
            s.bots_dir = d;
        }
        if let Some(d) = string("skillsDir", &mut warnings) {
            s.skills_dir = d;
        }
        s.boternity_data_dir = string("boternityDataDir", &mut warnings);
        let (llm, llm_warnings) = LlmSettings::from_forge_settings(v);
        s.llm = llm;
        warnings.extend(llm_warnings);
        (s, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_wrapped() {
        let (s, w) =
            Settings::from_json(&json!({"validation": {"profile": "agentskills"}, "botsDir": "b"}));
        assert_eq!(s.profile, Profile::Agentskills);
        assert_eq!(s.bots_dir, "b");
        assert!(w.is_empty());
        let (s, _) = Settings::from_json(
            &json!({"forge": {"validation.profile": "agentskills", "llm.provider": "openai"}}),
        );
        assert_eq!(s.profile, Profile::Agentskills);
        assert_eq!(s.llm.provider, forge_llm::Provider::OpenAi);
        let (s, w) = Settings::from_json(&json!({"validation": {"profile": 3}}));
        assert_eq!(s.profile, Profile::Auto);
        assert_eq!(w.len(), 1);
        let (s, w) = Settings::from_json(
            &json!({"validation.profile": "openclaw", "openclaw": {"bootstrapMaxChars": 12000}, "openclaw.bootstrapTotalMaxChars": -1}),
        );
        assert_eq!(s.profile, Profile::Openclaw);
        assert_eq!(s.openclaw_limits.max_chars, 12_000);
        assert_eq!(s.openclaw_limits.total_max_chars, 60_000);
        assert_eq!(w.len(), 1, "{w:?}");
        let (s, w) = Settings::from_json(
            &json!({"budget": {"systemPromptTokens": 1500}, "budget.skillListingTokens": 60}),
        );
        assert_eq!(s.budget.system_prompt_tokens, Some(1500));
        assert_eq!(s.budget.skill_listing_tokens, 60);
        assert!(w.is_empty());
        let (s, w) = Settings::from_json(&json!({"budget": {"systemPromptTokens": "lots"}}));
        assert_eq!(s.budget, Default::default());
        assert_eq!(w.len(), 1);
    }
}
