//! The LLM client layer: structured (JSON-schema) completions from Anthropic or any
//! OpenAI-compatible endpoint, with timeouts, retries, cancellation and progress reports.
//!
//! The layer is generic over the schema: callers pass a JSON schema and get a JSON object back;
//! the builder deserialises it into its own types and, when that fails, asks once more with
//! [`StructuredRequest::repair`].

mod anthropic;
mod config;
mod error;
pub mod models;
mod openai;
pub mod prompt;
mod retry;
mod transport;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio_util::sync::CancellationToken;

pub use anthropic::AnthropicClient;
pub use config::{LlmSettings, Provider, DEFAULT_TIMEOUT_SECS};
pub use error::LlmError;
pub use openai::OpenAiClient;
pub use retry::{AttemptInfo, RetryPolicy};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One request for a JSON object matching `schema`.
#[derive(Debug, Clone, PartialEq)]
pub struct StructuredRequest {
    pub system: String,
    /// Conversation, starting and ending with a user message.
    pub messages: Vec<Message>,
    /// Names the schema for the provider (Anthropic tool name, OpenAI `json_schema.name`).
    pub schema_name: String,
    pub schema: Value,
    pub max_tokens: u32,
    pub temperature: f64,
}

impl StructuredRequest {
    /// A single-turn request with the Forge defaults (§7.5: 2048 tokens, temperature 0.7).
    pub fn new(
        system: impl Into<String>,
        user: impl Into<String>,
        schema_name: impl Into<String>,
        schema: Value,
    ) -> StructuredRequest {
        StructuredRequest {
            system: system.into(),
            messages: vec![Message::user(user)],
            schema_name: schema_name.into(),
            schema,
            max_tokens: 2048,
            temperature: 0.7,
        }
    }

    /// The one repair round: the same request plus the rejected reply and a user message saying
    /// why it was rejected. `previous_reply` is the raw reply text or its JSON serialisation.
    pub fn repair(&self, previous_reply: &str, problem: &str) -> StructuredRequest {
        let mut next = self.clone();
        next.messages.push(Message::assistant(previous_reply));
        next.messages.push(Message::user(format!(
            "Your reply did not match the {} JSON schema because {}. Reply again with JSON only: \
             a single object that matches the schema exactly, with no commentary and no code fences.",
            self.schema_name,
            problem.trim().trim_end_matches('.')
        )));
        next
    }
}

/// A boxed future so [`LlmClient`] stays object-safe without `async_trait`.
pub type LlmFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, LlmError>> + Send + 'a>>;

/// Progress callback: called before every attempt (see [`AttemptInfo`]).
pub type ProgressFn<'a> = &'a (dyn Fn(&AttemptInfo) + Send + Sync);

/// A provider able to produce a JSON object matching a schema.
pub trait LlmClient: Send + Sync + fmt::Debug {
    /// Runs `req`, reporting each attempt to `progress`. Returns the JSON object the model
    /// produced (always a JSON object), [`LlmError::Cancelled`] promptly once `cancel` fires.
    fn complete_structured_with_progress<'a>(
        &'a self,
        req: &'a StructuredRequest,
        cancel: &'a CancellationToken,
        progress: ProgressFn<'a>,
    ) -> LlmFuture<'a>;

    /// [`LlmClient::complete_structured_with_progress`] without progress reports.
    fn complete_structured<'a>(
        &'a self,
        req: &'a StructuredRequest,
        cancel: &'a CancellationToken,
    ) -> LlmFuture<'a> {
        self.complete_structured_with_progress(req, cancel, &no_progress)
    }

    /// The model name sent to the provider, for messages like "asking claude-…".
    fn model(&self) -> &str;
}

fn no_progress(_: &AttemptInfo) {}

/// The client for `settings`, or `None` when the provider is `none` (offline builder).
pub fn client_from_settings(
    settings: &LlmSettings,
    retry: RetryPolicy,
) -> Result<Option<Box<dyn LlmClient>>, LlmError> {
    Ok(match settings.provider {
        Provider::None => None,
        Provider::Anthropic => Some(Box::new(AnthropicClient::new(settings.clone(), retry)?)),
        Provider::OpenAi => Some(Box::new(OpenAiClient::new(settings.clone(), retry)?)),
    })
}

/// `{base}/v1/{path}`, without doubling `/v1` when the user already put it in `baseUrl`.
fn endpoint(base_url: &str, path: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.ends_with("/v1") {
        format!("{base}/{path}")
    } else {
        format!("{base}/v1/{path}")
    }
}

/// Anthropic tool names and OpenAI schema names must match `^[a-zA-Z0-9_-]{1,64}$`.
fn api_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "reply".to_owned()
    } else {
        cleaned
    }
}

/// Property under which a non-object root schema is wrapped.
const WRAP_KEY: &str = "reply";

/// Both providers want a plain object at the root (Anthropic rejects a top-level
/// `oneOf`/`anyOf`/`allOf`, OpenAI strict mode wants `type: object`), but the builder's schema is a
/// tagged union. Such a schema is moved under a single required property, its `$defs` hoisted so
/// `#/$defs/...` references still resolve; [`unwrap_reply`] undoes it. Returns the schema to send
/// and whether it was wrapped.
fn provider_schema(schema: &Value) -> (Value, bool) {
    let Some(obj) = schema.as_object() else {
        return (wrap(Map::new(), schema.clone()), true);
    };
    let is_plain_object = obj.get("type").and_then(Value::as_str) == Some("object")
        && !["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| obj.contains_key(*k));
    if is_plain_object {
        return (schema.clone(), false);
    }
    let mut inner = obj.clone();
    let mut hoisted = Map::new();
    for key in ["$defs", "definitions"] {
        if let Some(defs) = inner.remove(key) {
            hoisted.insert(key.to_owned(), defs);
        }
    }
    inner.remove("$schema");
    (wrap(hoisted, Value::Object(inner)), true)
}

fn wrap(mut root: Map<String, Value>, inner: Value) -> Value {
    root.insert("type".into(), json!("object"));
    root.insert("properties".into(), json!({ WRAP_KEY: inner }));
    root.insert("required".into(), json!([WRAP_KEY]));
    root.insert("additionalProperties".into(), json!(false));
    Value::Object(root)
}

/// Turns the model's structured output into the final object: unwraps [`provider_schema`]'s
/// wrapper (accepting an unwrapped answer too, since models sometimes skip it) and insists on an
/// object.
fn unwrap_reply(value: Value, wrapped: bool, key: Option<&str>) -> Result<Value, LlmError> {
    let value = match value {
        Value::Object(mut map) if wrapped && map.len() == 1 && map.contains_key(WRAP_KEY) => {
            map.remove(WRAP_KEY).unwrap_or(Value::Null)
        }
        // Some models send the wrapped value as a JSON string.
        other => other,
    };
    let value = match value {
        Value::String(s) => parse_json_text(&s, key)?,
        other => other,
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(LlmError::InvalidReply {
            reason: "expected a JSON object".into(),
            excerpt: error::excerpt(&value.to_string(), key),
        })
    }
}

/// Parses model text as JSON, tolerating the Markdown code fence models like to add.
fn parse_json_text(text: &str, key: Option<&str>) -> Result<Value, LlmError> {
    let trimmed = text.trim();
    let unfenced = trimmed
        .strip_prefix("```")
        .and_then(|rest| rest.strip_suffix("```"))
        .map(|inner| {
            // Drop the info string (```json).
            match inner.split_once('\n') {
                Some((first, body)) if !first.trim_start().starts_with(['{', '[']) => body,
                _ => inner,
            }
        })
        .unwrap_or(trimmed);
    serde_json::from_str(unfenced.trim()).map_err(|e| LlmError::InvalidReply {
        reason: format!("the model did not answer with JSON: {e}"),
        excerpt: error::excerpt(text, key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_does_not_double_v1() {
        assert_eq!(
            endpoint("https://api.openai.com", "chat/completions"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/v1/", "chat/completions"),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
    }

    #[test]
    fn api_names_are_sanitised() {
        assert_eq!(api_name("BuilderTurn"), "BuilderTurn");
        assert_eq!(api_name("skill generation!"), "skill_generation_");
        assert_eq!(api_name(""), "reply");
        assert_eq!(api_name(&"x".repeat(100)).len(), 64);
    }

    #[test]
    fn object_schema_is_sent_as_is() {
        let s = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        assert_eq!(provider_schema(&s), (s.clone(), false));
    }

    #[test]
    fn union_schema_is_wrapped_with_defs_hoisted() {
        let s = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "BuilderTurn",
            "oneOf": [{"$ref": "#/$defs/A"}],
            "$defs": {"A": {"type": "object"}}
        });
        let (w, wrapped) = provider_schema(&s);
        assert!(wrapped);
        assert_eq!(
            w,
            json!({
                "$defs": {"A": {"type": "object"}},
                "type": "object",
                "properties": {"reply": {"title": "BuilderTurn", "oneOf": [{"$ref": "#/$defs/A"}]}},
                "required": ["reply"],
                "additionalProperties": false
            })
        );
        let inner = json!({"action": "clarify", "message": "?"});
        assert_eq!(
            unwrap_reply(json!({"reply": inner.clone()}), true, None).ok(),
            Some(inner.clone())
        );
        assert_eq!(unwrap_reply(inner.clone(), true, None).ok(), Some(inner));
        assert!(matches!(
            unwrap_reply(json!({"reply": 3}), true, None),
            Err(LlmError::InvalidReply { .. })
        ));
    }

    #[test]
    fn parses_fenced_json() {
        assert_eq!(
            parse_json_text("```json\n{\"a\": 1}\n```", None).ok(),
            Some(json!({"a": 1}))
        );
        assert_eq!(
            parse_json_text(" {\"a\": 1} ", None).ok(),
            Some(json!({"a": 1}))
        );
        assert!(parse_json_text("Sure! Here it is", None).is_err());
    }

    #[test]
    fn repair_appends_reply_and_problem() {
        let req = StructuredRequest::new("sys", "hi", "BuilderTurn", json!({"type": "object"}));
        let r = req.repair("{\"action\":\"nope\"}", "unknown variant `nope`.");
        assert_eq!(r.messages.len(), 3);
        assert_eq!(r.messages[1], Message::assistant("{\"action\":\"nope\"}"));
        assert_eq!(r.messages[2].role, Role::User);
        assert!(r.messages[2]
            .content
            .contains("did not match the BuilderTurn JSON schema because unknown variant `nope`. Reply again with JSON only"));
    }
}
