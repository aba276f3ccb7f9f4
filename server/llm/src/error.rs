//! Errors of the LLM layer. Every message is meant to be shown to the user as is, and none may
//! contain the API key: provider error bodies are excerpted through [`excerpt`], which redacts it.

use std::time::Duration;

/// Why a structured completion failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    #[error(
        "no LLM provider is configured: set forge.llm.provider to \"anthropic\" or \"openai\""
    )]
    NotConfigured,

    #[error("no API key found: set the environment variable {env_var} (named by forge.llm.apiKeyEnv) and try again")]
    MissingKey { env_var: String },

    #[error("the API key in ${env_var} cannot be sent in an HTTP header (it contains control or non-ASCII characters)")]
    InvalidKey { env_var: String },

    #[error("the LLM request timed out after {secs} s; raise forge.llm.timeoutSecs if the model is slow")]
    Timeout { secs: u64 },

    #[error("the LLM request was cancelled")]
    Cancelled,

    #[error("could not reach the LLM endpoint {url} after {attempts} attempt(s): {detail}; check forge.llm.baseUrl and that the server is running")]
    Connection {
        url: String,
        attempts: u32,
        detail: String,
    },

    #[error("{}", unauthorized_message(*.status, env_var, *.key_set, detail))]
    Unauthorized {
        status: u16,
        env_var: String,
        /// Whether a key was sent at all (OpenAI-compatible endpoints may be used without one).
        key_set: bool,
        detail: String,
    },

    #[error("the provider is rate limiting requests (HTTP 429) after {attempts} attempt(s){}: {detail}", retry_after_note(*.retry_after))]
    RateLimited {
        attempts: u32,
        retry_after: Option<Duration>,
        detail: String,
    },

    #[error("the provider failed (HTTP {status}) after {attempts} attempt(s){}: {detail}", retry_after_note(*.retry_after))]
    Server {
        status: u16,
        attempts: u32,
        retry_after: Option<Duration>,
        detail: String,
    },

    #[error("{}", rejected_message(*.status, url, detail))]
    Rejected {
        status: u16,
        url: String,
        detail: String,
    },

    #[error("the model's reply is unusable ({reason}): {excerpt}")]
    InvalidReply { reason: String, excerpt: String },

    #[error("could not send the LLM request: {detail}")]
    Request { detail: String },
}

impl LlmError {
    /// True for [`LlmError::Cancelled`], so callers can stay silent on user-initiated aborts.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, LlmError::Cancelled)
    }
}

fn unauthorized_message(status: u16, env_var: &str, key_set: bool, detail: &str) -> String {
    match (status, key_set) {
        (401, true) => format!(
            "the provider rejected the API key (HTTP 401): check the key in ${env_var}: {detail}"
        ),
        (_, false) => format!(
            "the endpoint requires an API key (HTTP {status}): set ${env_var} (named by forge.llm.apiKeyEnv): {detail}"
        ),
        _ => format!(
            "access denied (HTTP {status}): the key in ${env_var} may not have access to this model: {detail}"
        ),
    }
}

fn rejected_message(status: u16, url: &str, detail: &str) -> String {
    match status {
        404 => format!(
            "the endpoint {url} was not found (HTTP 404): check forge.llm.baseUrl and forge.llm.model: {detail}"
        ),
        _ => format!("the provider rejected the request (HTTP {status}): {detail}"),
    }
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (it asked to wait {} s)", d.as_secs_f64().ceil()),
        None => String::new(),
    }
}

const EXCERPT_CHARS: usize = 300;

/// A short, single-line, key-free excerpt of `text` for error messages.
pub(crate) fn excerpt(text: &str, key: Option<&str>) -> String {
    let redacted;
    let text = match key {
        // Some providers echo (part of) a rejected key back; never pass it on.
        Some(k) if !k.is_empty() && text.contains(k) => {
            redacted = text.replace(k, "[redacted]");
            redacted.as_str()
        }
        _ => text,
    };
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS + 1)
        .collect();
    if flat.chars().count() > EXCERPT_CHARS {
        let cut: String = flat.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else if flat.is_empty() {
        "(empty)".to_owned()
    } else {
        flat
    }
}

/// The `error.message` of an Anthropic/OpenAI error body, else an excerpt of the raw body.
pub(crate) fn provider_detail(body: &str, key: Option<&str>) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let err = v.get("error")?;
            // OpenAI-compatible servers sometimes send `{"error": "text"}`.
            err.get("message")
                .and_then(|m| m.as_str())
                .or_else(|| err.as_str())
                .map(str::to_owned)
        });
    excerpt(message.as_deref().unwrap_or(body), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_redacts_truncates_and_flattens() {
        let key = "sk-secret-123";
        let text = format!("Incorrect API key provided: {key}.\n\nMore");
        assert_eq!(
            excerpt(&text, Some(key)),
            "Incorrect API key provided: [redacted]. More"
        );
        let long = "é".repeat(1000);
        let e = excerpt(&long, None);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt("  ", None), "(empty)");
    }

    #[test]
    fn provider_detail_prefers_error_message() {
        let body = r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens too big"}}"#;
        assert_eq!(provider_detail(body, None), "max_tokens too big");
        assert_eq!(provider_detail(r#"{"error":"boom"}"#, None), "boom");
        assert_eq!(
            provider_detail("<html>bad gateway</html>", None),
            "<html>bad gateway</html>"
        );
    }

    #[test]
    fn unauthorized_names_the_variable() {
        let e = LlmError::Unauthorized {
            status: 401,
            env_var: "ANTHROPIC_API_KEY".into(),
            key_set: true,
            detail: "invalid x-api-key".into(),
        };
        assert!(e
            .to_string()
            .contains("check the key in $ANTHROPIC_API_KEY"));
        let e = LlmError::Unauthorized {
            status: 401,
            env_var: "OPENAI_API_KEY".into(),
            key_set: false,
            detail: String::new(),
        };
        assert!(e.to_string().contains("set $OPENAI_API_KEY"));
    }
}
