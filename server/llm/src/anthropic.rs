//! Anthropic Messages API. Structured output is forced through a single tool whose input schema is
//! the requested schema, which works on every Claude model (unlike the newer output formats).

use reqwest::header::{HeaderMap, HeaderName};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::error::{excerpt, LlmError};
use super::transport::{header, ApiKey, Transport};
use super::{
    api_name, endpoint, parse_json_text, provider_schema, unwrap_reply, LlmClient, LlmFuture,
    LlmSettings, ProgressFn, RetryPolicy, StructuredRequest,
};

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The key (required) and the headers that authenticate any Anthropic request.
pub(crate) fn auth_headers(settings: &LlmSettings) -> Result<(ApiKey, HeaderMap), LlmError> {
    let key = ApiKey::from_env(&settings.api_key_env);
    let Some(key_header) = key.header("")? else {
        return Err(LlmError::MissingKey {
            env_var: key.env_var.clone(),
        });
    };
    let mut headers = HeaderMap::new();
    headers.insert(HeaderName::from_static("x-api-key"), key_header);
    header(&mut headers, "anthropic-version", ANTHROPIC_VERSION);
    Ok((key, headers))
}

#[derive(Debug, Clone)]
pub struct AnthropicClient {
    settings: LlmSettings,
    url: String,
    transport: Transport,
}

impl AnthropicClient {
    pub fn new(settings: LlmSettings, retry: RetryPolicy) -> Result<AnthropicClient, LlmError> {
        Ok(AnthropicClient {
            url: endpoint(&settings.base_url, "messages"),
            transport: Transport::new(settings.timeout_secs, retry)?,
            settings,
        })
    }

    /// The key and the headers every Anthropic POST carries.
    fn headers(&self) -> Result<(ApiKey, HeaderMap), LlmError> {
        let (key, mut headers) = auth_headers(&self.settings)?;
        header(&mut headers, "content-type", "application/json");
        Ok((key, headers))
    }

    async fn run(
        &self,
        req: &StructuredRequest,
        cancel: &CancellationToken,
        progress: ProgressFn<'_>,
    ) -> Result<Value, LlmError> {
        let (key, headers) = self.headers()?;

        let tool_name = api_name(&req.schema_name);
        let (schema, wrapped) = provider_schema(&req.schema);
        let body = json!({
            "model": self.settings.model,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "system": req.system,
            "messages": req.messages,
            "tools": [{
                "name": tool_name,
                "description": format!("Reply with a {} JSON object.", req.schema_name),
                "input_schema": schema,
            }],
            "tool_choice": {"type": "tool", "name": tool_name},
        });
        let reply = self
            .transport
            .post_json(&self.url, headers, &body, &key, cancel, progress)
            .await?;
        extract(&reply, &tool_name, wrapped, key.value())
    }
}

impl AnthropicClient {
    /// Input tokens of a request with `system` (may be empty) and one one-character user message,
    /// by Anthropic's token counter (`POST /v1/messages/count_tokens`). A caller wanting the
    /// system prompt alone subtracts the count without it. The client's retry policy applies; a
    /// caller that would rather fall back to an estimate than wait builds it with one attempt.
    pub async fn count_tokens(
        &self,
        model: &str,
        system: &str,
        cancel: &CancellationToken,
    ) -> Result<u64, LlmError> {
        let (key, headers) = self.headers()?;
        let mut body = json!({
            "model": model,
            "messages": [{"role": "user", "content": "."}],
        });
        if !system.is_empty() {
            body["system"] = json!(system);
        }
        let url = endpoint(&self.settings.base_url, "messages/count_tokens");
        let reply = self
            .transport
            .post_json(&url, headers, &body, &key, cancel, &|_| {})
            .await?;
        reply
            .get("input_tokens")
            .and_then(Value::as_u64)
            .ok_or_else(|| LlmError::InvalidReply {
                reason: "the response has no `input_tokens`".into(),
                excerpt: excerpt(&reply.to_string(), key.value()),
            })
    }
}

impl LlmClient for AnthropicClient {
    fn complete_structured_with_progress<'a>(
        &'a self,
        req: &'a StructuredRequest,
        cancel: &'a CancellationToken,
        progress: ProgressFn<'a>,
    ) -> LlmFuture<'a> {
        Box::pin(self.run(req, cancel, progress))
    }

    fn model(&self) -> &str {
        &self.settings.model
    }
}

/// The forced tool call's `input`; failing that (a proxy that ignores `tool_choice`), the text
/// blocks concatenated and parsed as JSON.
fn extract(
    reply: &Value,
    tool_name: &str,
    wrapped: bool,
    key: Option<&str>,
) -> Result<Value, LlmError> {
    let blocks = reply
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| LlmError::InvalidReply {
            reason: "the response has no content blocks".into(),
            excerpt: excerpt(&reply.to_string(), key),
        })?;
    let tool_input = blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
        .max_by_key(|b| b.get("name").and_then(Value::as_str) == Some(tool_name))
        .and_then(|b| b.get("input"));
    let truncated = reply.get("stop_reason").and_then(Value::as_str) == Some("max_tokens");
    let result = match tool_input {
        Some(input) => unwrap_reply(input.clone(), wrapped, key),
        None => {
            let text: String = blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            parse_json_text(&text, key).and_then(|v| unwrap_reply(v, wrapped, key))
        }
    };
    result.map_err(|e| match e {
        LlmError::InvalidReply { reason, excerpt } if truncated => LlmError::InvalidReply {
            reason: format!("{reason}; the reply was cut off at max_tokens"),
            excerpt,
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_tool_input_or_text() {
        let reply = json!({"content": [
            {"type": "text", "text": "Let me think."},
            {"type": "tool_use", "id": "t1", "name": "BuilderTurn", "input": {"action": "clarify"}}
        ], "stop_reason": "tool_use"});
        assert_eq!(
            extract(&reply, "BuilderTurn", false, None).ok(),
            Some(json!({"action": "clarify"}))
        );
        let reply = json!({"content": [
            {"type": "text", "text": "{\"action\":"},
            {"type": "text", "text": " \"clarify\"}"}
        ]});
        assert_eq!(
            extract(&reply, "BuilderTurn", false, None).ok(),
            Some(json!({"action": "clarify"}))
        );
        let reply = json!({"content": [{"type": "text", "text": "{\"action\": \"cla"}],
                           "stop_reason": "max_tokens"});
        let err = extract(&reply, "BuilderTurn", false, None).unwrap_err();
        assert!(err.to_string().contains("cut off at max_tokens"), "{err}");
    }
}
