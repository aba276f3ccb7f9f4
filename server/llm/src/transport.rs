//! The HTTP round trip shared by both providers: timeout, retries, cancellation, status mapping.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::error::{excerpt, provider_detail, LlmError};
use super::retry::{retry_after, AttemptInfo, RetryPolicy};

/// An API key read from the environment. `Debug` never shows it.
pub(crate) struct ApiKey {
    pub env_var: String,
    value: Option<String>,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("env_var", &self.env_var)
            .field("set", &self.value.is_some())
            .finish()
    }
}

impl ApiKey {
    /// Reads `env_var` now (not at startup) so a key exported later is picked up.
    pub fn from_env(env_var: &str) -> ApiKey {
        let value = std::env::var(env_var)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        ApiKey {
            env_var: env_var.to_owned(),
            value,
        }
    }

    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// A header value marked sensitive so reqwest/hyper never print it.
    pub fn header(&self, prefix: &str) -> Result<Option<HeaderValue>, LlmError> {
        let Some(key) = &self.value else {
            return Ok(None);
        };
        let mut v =
            HeaderValue::from_str(&format!("{prefix}{key}")).map_err(|_| LlmError::InvalidKey {
                env_var: self.env_var.clone(),
            })?;
        v.set_sensitive(true);
        Ok(Some(v))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Transport {
    http: reqwest::Client,
    timeout: Duration,
    timeout_secs: u64,
    retry: RetryPolicy,
}

/// Outcome of one attempt that did not succeed.
enum Failure {
    /// Worth another attempt; carries the error to return if none is left.
    Transient {
        error: LlmError,
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(LlmError),
}

impl Transport {
    pub fn new(timeout_secs: u64, retry: RetryPolicy) -> Result<Transport, LlmError> {
        let timeout = Duration::from_secs(timeout_secs.max(1));
        let http = reqwest::Client::builder()
            // Connection failures should surface fast and be retried, not eat the whole timeout.
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError::Request {
                detail: e.to_string(),
            })?;
        Ok(Transport {
            http,
            timeout,
            timeout_secs: timeout_secs.max(1),
            retry: RetryPolicy {
                max_attempts: retry.max_attempts.max(1),
                ..retry
            },
        })
    }

    /// POSTs `body` as JSON to `url` and returns the parsed JSON reply of the first 2xx answer.
    pub async fn post_json(
        &self,
        url: &str,
        headers: HeaderMap,
        body: &Value,
        key: &ApiKey,
        cancel: &CancellationToken,
        progress: &(dyn Fn(&AttemptInfo) + Send + Sync),
    ) -> Result<Value, LlmError> {
        self.send_json(url, headers, Some(body), key, cancel, progress)
            .await
    }

    /// GETs `url` (query included) and returns the parsed JSON reply, with the same retries.
    pub async fn get_json(
        &self,
        url: &str,
        headers: HeaderMap,
        key: &ApiKey,
        cancel: &CancellationToken,
    ) -> Result<Value, LlmError> {
        self.send_json(url, headers, None, key, cancel, &|_| {})
            .await
    }

    /// POST with a body, GET without one.
    async fn send_json(
        &self,
        url: &str,
        headers: HeaderMap,
        body: Option<&Value>,
        key: &ApiKey,
        cancel: &CancellationToken,
        progress: &(dyn Fn(&AttemptInfo) + Send + Sync),
    ) -> Result<Value, LlmError> {
        let max = self.retry.max_attempts;
        let mut wait = Duration::ZERO;
        let mut reason = None;
        for attempt in 1..=max {
            progress(&AttemptInfo {
                attempt,
                max_attempts: max,
                wait,
                reason: reason.take(),
            });
            if !wait.is_zero() {
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return Err(LlmError::Cancelled),
                    _ = tokio::time::sleep(wait) => {}
                }
            }
            tracing::debug!(url, attempt, max, "LLM request");
            // Dropping the request future on cancellation closes the connection, which is what
            // aborts the provider-side generation too.
            let outcome = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(LlmError::Cancelled),
                r = self.attempt(url, headers.clone(), body, key, attempt) => r,
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient {
                    error,
                    reason: why,
                    retry_after,
                }) => {
                    if attempt == max {
                        return Err(error);
                    }
                    wait = match retry_after {
                        Some(asked) if asked > self.retry.max_wait => {
                            tracing::warn!(
                                url,
                                ?asked,
                                "provider asked to wait longer than allowed"
                            );
                            return Err(error);
                        }
                        Some(asked) => asked,
                        None => self.retry.backoff(attempt + 1),
                    };
                    tracing::warn!(url, attempt, reason = %why, ?wait, "LLM request failed, retrying");
                    reason = Some(why);
                }
            }
        }
        // The loop always returns on its last attempt; this is only reached with max_attempts 0,
        // which `new` rules out.
        Err(LlmError::Request {
            detail: "no attempt was made".into(),
        })
    }

    async fn attempt(
        &self,
        url: &str,
        headers: HeaderMap,
        body: Option<&Value>,
        key: &ApiKey,
        attempt: u32,
    ) -> Result<Value, Failure> {
        let request = match body {
            Some(body) => self.http.post(url).json(body),
            None => self.http.get(url),
        };
        let response = request
            .headers(headers)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| self.send_failure(e, url, attempt))?;
        let status = response.status();
        let response_headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| self.send_failure(e, url, attempt))?;
        tracing::debug!(
            url,
            status = status.as_u16(),
            bytes = text.len(),
            "LLM response"
        );
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| {
                Failure::Fatal(LlmError::InvalidReply {
                    reason: format!("the response body is not JSON: {e}"),
                    excerpt: excerpt(&text, key.value()),
                })
            });
        }
        Err(status_failure(
            status,
            &response_headers,
            &text,
            url,
            key,
            attempt,
        ))
    }

    fn send_failure(&self, e: reqwest::Error, url: &str, attempt: u32) -> Failure {
        if e.is_timeout() && !e.is_connect() {
            // A model that is still generating after the timeout will most likely be slow again;
            // retrying would multiply the user's wait.
            return Failure::Fatal(LlmError::Timeout {
                secs: self.timeout_secs,
            });
        }
        if e.is_builder() {
            return Failure::Fatal(LlmError::Request {
                detail: error_chain(&e),
            });
        }
        Failure::Transient {
            reason: if e.is_connect() {
                "connection failed".into()
            } else {
                "connection lost".into()
            },
            error: LlmError::Connection {
                url: url.to_owned(),
                attempts: attempt,
                detail: error_chain(&e),
            },
            retry_after: None,
        }
    }
}

fn status_failure(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    url: &str,
    key: &ApiKey,
    attempt: u32,
) -> Failure {
    let detail = provider_detail(body, key.value());
    let code = status.as_u16();
    let retry_after = retry_after(headers);
    match code {
        429 => Failure::Transient {
            error: LlmError::RateLimited {
                attempts: attempt,
                retry_after,
                detail,
            },
            reason: "HTTP 429 rate limited".into(),
            retry_after,
        },
        // 408 and 5xx (Anthropic's 529 "overloaded" included) are the server's trouble, not ours.
        408 | 500..=599 => Failure::Transient {
            error: LlmError::Server {
                status: code,
                attempts: attempt,
                retry_after,
                detail,
            },
            reason: format!("HTTP {code}"),
            retry_after,
        },
        401 | 403 => Failure::Fatal(LlmError::Unauthorized {
            status: code,
            env_var: key.env_var.clone(),
            key_set: key.value().is_some(),
            detail,
        }),
        _ => Failure::Fatal(LlmError::Rejected {
            status: code,
            url: url.to_owned(),
            detail,
        }),
    }
}

/// reqwest's top-level message is vague ("error sending request"); the sources say why.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Header helper: a static header name with a value known to be valid.
pub(crate) fn header(map: &mut HeaderMap, name: &'static str, value: &'static str) {
    map.insert(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    );
}
