//! `forge.llm.*` settings (interface §3).

use serde_json::Value;

/// Which wire protocol the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    /// No LLM: the builder runs offline.
    #[default]
    None,
    /// Anthropic Messages API.
    Anthropic,
    /// Any OpenAI-compatible Chat Completions endpoint (OpenAI, llama.cpp, vLLM, Ollama, ...).
    OpenAi,
}

impl Provider {
    /// The setting value naming this provider.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::None => "none",
            Provider::Anthropic => "anthropic",
            Provider::OpenAi => "openai",
        }
    }

    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::None => "",
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::OpenAi => "https://api.openai.com",
        }
    }

    pub fn default_model(self) -> &'static str {
        match self {
            Provider::None => "",
            Provider::Anthropic => "claude-sonnet-4-20250514",
            Provider::OpenAi => "gpt-4o-mini",
        }
    }

    pub fn default_api_key_env(self) -> &'static str {
        match self {
            Provider::None => "",
            Provider::Anthropic => "ANTHROPIC_API_KEY",
            Provider::OpenAi => "OPENAI_API_KEY",
        }
    }
}

pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// Resolved LLM settings. Holds the *name* of the key variable, never the key itself: the key is
/// read at request time so a user can export it without restarting the server, and so it can
/// never leak through this struct's `Debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmSettings {
    pub provider: Provider,
    /// Endpoint root without a trailing slash.
    pub base_url: String,
    pub model: String,
    pub api_key_env: String,
    pub timeout_secs: u64,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self::for_provider(Provider::None)
    }
}

impl LlmSettings {
    /// All defaults for `provider`.
    pub fn for_provider(provider: Provider) -> Self {
        LlmSettings {
            provider,
            base_url: provider.default_base_url().to_owned(),
            model: provider.default_model().to_owned(),
            api_key_env: provider.default_api_key_env().to_owned(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }

    /// Parses the `forge` settings section. Accepts `{"llm": {...}}`, the same wrapped in
    /// `{"forge": ...}`, and flat dotted keys (`{"llm.provider": ...}`) as some clients send them.
    ///
    /// Never fails: a bad value falls back to its default and yields a warning the LSP layer can
    /// show, because one typo must not take the whole server down.
    pub fn from_forge_settings(section: &Value) -> (LlmSettings, Vec<String>) {
        let mut warnings = Vec::new();
        let section = match section.get("forge") {
            Some(inner) if inner.is_object() => inner,
            _ => section,
        };
        let nested = section.get("llm").filter(|v| v.is_object());
        let get = |key: &str| -> Option<&Value> {
            nested
                .and_then(|llm| llm.get(key))
                .or_else(|| section.get(format!("llm.{key}")))
                .filter(|v| !v.is_null())
        };
        let get_str = |key: &str, warnings: &mut Vec<String>| -> Option<String> {
            match get(key)? {
                Value::String(s) if s.trim().is_empty() => None,
                Value::String(s) => Some(s.trim().to_owned()),
                other => {
                    warnings.push(format!(
                        "forge.llm.{key} must be a string, got {}; using the default",
                        json_kind(other)
                    ));
                    None
                }
            }
        };

        let provider = match get_str("provider", &mut warnings) {
            None => Provider::None,
            Some(p) => match p.to_ascii_lowercase().as_str() {
                "none" | "off" => Provider::None,
                "anthropic" => Provider::Anthropic,
                "openai" => Provider::OpenAi,
                _ => {
                    warnings.push(format!(
                        "forge.llm.provider {p:?} is not one of \"none\", \"anthropic\", \"openai\"; \
                         the builder runs offline"
                    ));
                    Provider::None
                }
            },
        };
        let mut settings = LlmSettings::for_provider(provider);

        if let Some(url) = get_str("baseUrl", &mut warnings) {
            if url.starts_with("http://") || url.starts_with("https://") {
                settings.base_url = url.trim_end_matches('/').to_owned();
            } else {
                warnings.push(format!(
                    "forge.llm.baseUrl {url:?} must start with http:// or https://; using {}",
                    provider.default_base_url()
                ));
            }
        }
        if let Some(model) = get_str("model", &mut warnings) {
            settings.model = model;
        }
        if let Some(env) = get_str("apiKeyEnv", &mut warnings) {
            settings.api_key_env = env;
        }
        if let Some(v) = get("timeoutSecs") {
            match v.as_f64() {
                Some(secs) if secs >= 1.0 && secs.is_finite() => {
                    // Whole seconds are enough for a per-request limit measured in tens of seconds.
                    settings.timeout_secs = secs.round() as u64;
                }
                _ => warnings.push(format!(
                    "forge.llm.timeoutSecs must be a number of seconds >= 1, got {v}; using {DEFAULT_TIMEOUT_SECS}"
                )),
            }
        }
        (settings, warnings)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_section_means_offline() {
        let (s, w) = LlmSettings::from_forge_settings(&json!({}));
        assert_eq!(s, LlmSettings::default());
        assert_eq!(s.provider, Provider::None);
        assert!(w.is_empty());
    }

    #[test]
    fn anthropic_defaults() {
        let (s, w) = LlmSettings::from_forge_settings(&json!({"llm": {"provider": "anthropic"}}));
        assert!(w.is_empty());
        assert_eq!(s.base_url, "https://api.anthropic.com");
        assert_eq!(s.model, "claude-sonnet-4-20250514");
        assert_eq!(s.api_key_env, "ANTHROPIC_API_KEY");
        assert_eq!(s.timeout_secs, 60);
    }

    #[test]
    fn openai_overrides_wrapped_in_forge() {
        let (s, w) = LlmSettings::from_forge_settings(&json!({"forge": {"llm": {
            "provider": "OpenAI", "baseUrl": "http://127.0.0.1:11434/", "model": "llama3",
            "apiKeyEnv": "LOCAL_KEY", "timeoutSecs": 5
        }}}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.provider, Provider::OpenAi);
        assert_eq!(s.base_url, "http://127.0.0.1:11434");
        assert_eq!(s.model, "llama3");
        assert_eq!(s.api_key_env, "LOCAL_KEY");
        assert_eq!(s.timeout_secs, 5);
    }

    #[test]
    fn flat_dotted_keys() {
        let (s, _) = LlmSettings::from_forge_settings(
            &json!({"llm.provider": "openai", "llm.model": "m", "llm.baseUrl": ""}),
        );
        assert_eq!(s.provider, Provider::OpenAi);
        assert_eq!(s.model, "m");
        assert_eq!(s.base_url, "https://api.openai.com");
    }

    #[test]
    fn bad_values_warn_and_default() {
        let (s, w) = LlmSettings::from_forge_settings(&json!({"llm": {
            "provider": "anthropic", "baseUrl": "api.example.com", "model": 3, "timeoutSecs": 0
        }}));
        assert_eq!(s, LlmSettings::for_provider(Provider::Anthropic));
        assert_eq!(w.len(), 3, "{w:?}");

        let (s, w) = LlmSettings::from_forge_settings(&json!({"llm": {"provider": "gemini"}}));
        assert_eq!(s.provider, Provider::None);
        assert!(w[0].contains("gemini"));
    }
}
