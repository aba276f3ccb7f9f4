//! Retry policy: exponential backoff with jitter, `retry-after` support, and progress reports.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// How often and how long to retry transient failures (429, 5xx, connection errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first one; at least 1.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each later one.
    pub initial_backoff: Duration,
    /// Upper bound for any single wait. A `retry-after` longer than this ends the retries at once
    /// instead of sleeping through it: the user is better served by a clear error than a long hang.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Backoff before attempt number `next_attempt` (2 for the first retry), with "equal jitter":
    /// half the exponential delay is fixed, the other half random, so concurrent clients spread out
    /// while each still waits a predictable minimum.
    pub fn backoff(&self, next_attempt: u32) -> Duration {
        let exp = next_attempt.saturating_sub(2).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_wait);
        let half = base / 2;
        let jitter_nanos = fastrand::u64(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

/// Reported before every attempt so the LSP layer can show `$/progress` while the client waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptInfo {
    /// 1-based attempt number.
    pub attempt: u32,
    pub max_attempts: u32,
    /// How long the client waits before this attempt (zero for the first).
    pub wait: Duration,
    /// Why the previous attempt failed, for retries (e.g. `HTTP 529`, `connection failed`).
    pub reason: Option<String>,
}

/// Seconds from `retry-after` (or OpenAI's `retry-after-ms`). HTTP-date values are ignored; the
/// exponential backoff covers them.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let secs = text("retry-after")?.parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_wait: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let b2 = p.backoff(2);
            assert!(b2 >= Duration::from_millis(50) && b2 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(100) && b3 <= Duration::from_millis(200));
            let b9 = p.backoff(9);
            assert!(b9 >= Duration::from_millis(150) && b9 <= Duration::from_millis(300));
        }
        assert!(p.backoff(u32::MAX) <= Duration::from_millis(300));
    }

    #[test]
    fn parses_retry_after() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
    }
}
