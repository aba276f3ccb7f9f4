//! OpenAI-compatible Chat Completions (OpenAI itself, llama.cpp, vLLM, Ollama, ...), with
//! structured output through `response_format: json_schema`.

use reqwest::header::{HeaderMap, AUTHORIZATION};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::error::{excerpt, LlmError};
use super::transport::{header, ApiKey, Transport};
use super::{
    api_name, endpoint, parse_json_text, provider_schema, unwrap_reply, LlmClient, LlmFuture,
    LlmSettings, ProgressFn, RetryPolicy, StructuredRequest,
};

#[derive(Debug, Clone)]
pub struct OpenAiClient {
    settings: LlmSettings,
    url: String,
    transport: Transport,
}

impl OpenAiClient {
    pub fn new(settings: LlmSettings, retry: RetryPolicy) -> Result<OpenAiClient, LlmError> {
        Ok(OpenAiClient {
            url: endpoint(&settings.base_url, "chat/completions"),
            transport: Transport::new(settings.timeout_secs, retry)?,
            settings,
        })
    }

    async fn run(
        &self,
        req: &StructuredRequest,
        cancel: &CancellationToken,
        progress: ProgressFn<'_>,
    ) -> Result<Value, LlmError> {
        // Local servers need no key, so a missing one is not an error here; a 401 then says
        // which variable to set.
        let key = ApiKey::from_env(&self.settings.api_key_env);
        let mut headers = HeaderMap::new();
        if let Some(auth) = key.header("Bearer ")? {
            headers.insert(AUTHORIZATION, auth);
        }
        header(&mut headers, "content-type", "application/json");

        let (schema, wrapped) = provider_schema(&req.schema);
        let mut messages = Vec::with_capacity(req.messages.len() + 1);
        if !req.system.is_empty() {
            messages.push(json!({"role": "system", "content": req.system}));
        }
        messages.extend(
            req.messages
                .iter()
                .map(|m| json!({"role": m.role, "content": m.content})),
        );
        let body = json!({
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "stream": false,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": api_name(&req.schema_name),
                    "schema": schema,
                    "strict": true,
                },
            },
        });
        let reply = self
            .transport
            .post_json(&self.url, headers, &body, &key, cancel, progress)
            .await?;
        extract(&reply, wrapped, key.value())
    }
}

impl LlmClient for OpenAiClient {
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

fn extract(reply: &Value, wrapped: bool, key: Option<&str>) -> Result<Value, LlmError> {
    let choice =
        reply
            .get("choices")
            .and_then(|c| c.get(0))
            .ok_or_else(|| LlmError::InvalidReply {
                reason: "the response has no choices".into(),
                excerpt: excerpt(&reply.to_string(), key),
            })?;
    let message = choice.get("message");
    if let Some(refusal) = message
        .and_then(|m| m.get("refusal"))
        .and_then(Value::as_str)
    {
        return Err(LlmError::InvalidReply {
            reason: "the model refused".into(),
            excerpt: excerpt(refusal, key),
        });
    }
    let content = message
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .ok_or_else(|| LlmError::InvalidReply {
            reason: "the reply has no message content".into(),
            excerpt: excerpt(&choice.to_string(), key),
        })?;
    let truncated = choice.get("finish_reason").and_then(Value::as_str) == Some("length");
    parse_json_text(content, key)
        .and_then(|v| unwrap_reply(v, wrapped, key))
        .map_err(|e| match e {
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
    fn extracts_content_and_refusals() {
        let reply = json!({"choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "{\"a\": 1}"}}]});
        assert_eq!(extract(&reply, false, None).ok(), Some(json!({"a": 1})));

        let reply = json!({"choices": [{"message": {"role": "assistant", "content": null,
            "refusal": "I can't help with that"}}]});
        let err = extract(&reply, false, None).unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");

        let reply = json!({"choices": [{"finish_reason": "length",
            "message": {"content": "{\"a\": "}}]});
        let err = extract(&reply, false, None).unwrap_err();
        assert!(err.to_string().contains("cut off"), "{err}");

        assert!(extract(&json!({"choices": []}), false, None).is_err());
    }
}
