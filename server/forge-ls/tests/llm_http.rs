//! The LLM clients against a real HTTP server on 127.0.0.1 that speaks each provider's wire
//! format and records what it received. No test needs the internet.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forge_llm::{
    client_from_settings, AnthropicClient, AttemptInfo, LlmClient, LlmError, LlmSettings,
    OpenAiClient, Provider, RetryPolicy, StructuredRequest,
};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

mod support;
use support::model_server::{self, openai_reply, Recorded, Reply, TestServer};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(2),
    }
}

/// Each test uses its own variable so parallel tests never race on the environment.
fn set_key(var: &str, key: &str) {
    std::env::set_var(var, key);
}

fn settings(provider: Provider, base_url: String, key_env: &str) -> LlmSettings {
    LlmSettings {
        provider,
        base_url,
        model: "test-model".into(),
        api_key_env: key_env.into(),
        timeout_secs: 1,
    }
}

fn anthropic(server: &TestServer, key_env: &str) -> AnthropicClient {
    AnthropicClient::new(
        settings(Provider::Anthropic, server.url(), key_env),
        fast_retry(),
    )
    .expect("client")
}

fn openai(base_url: String, key_env: &str) -> OpenAiClient {
    OpenAiClient::new(settings(Provider::OpenAi, base_url, key_env), fast_retry()).expect("client")
}

fn turn_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"action": {"type": "string"}, "message": {"type": "string"}},
        "required": ["action", "message"],
        "additionalProperties": false
    })
}

fn request() -> StructuredRequest {
    StructuredRequest::new(
        "You are Forge.",
        "A bot that reviews pull requests",
        "BuilderTurn",
        turn_schema(),
    )
}

fn turn() -> Value {
    json!({"action": "clarify", "message": "What language is the code in?"})
}

fn anthropic_reply(input: Value) -> Value {
    model_server::anthropic_reply("BuilderTurn", input)
}

fn header<'a>(r: &'a Recorded, name: &str) -> Option<&'a str> {
    r.header(name)
}

/// Collects progress reports.
#[derive(Default, Clone)]
struct Progress(Arc<Mutex<Vec<AttemptInfo>>>);

impl Progress {
    fn callback(&self) -> impl Fn(&AttemptInfo) + Send + Sync + 'static {
        let log = self.0.clone();
        move |a: &AttemptInfo| log.lock().expect("lock").push(a.clone())
    }

    fn events(&self) -> Vec<AttemptInfo> {
        self.0.lock().expect("lock").clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Success paths

#[tokio::test]
async fn anthropic_success_sends_the_messages_wire_format() {
    let server = TestServer::start(|_| Reply::json(200, anthropic_reply(turn()))).await;
    set_key("FORGE_TEST_KEY_ANTHROPIC_OK", "sk-ant-test-ok");
    let client = anthropic(&server, "FORGE_TEST_KEY_ANTHROPIC_OK");

    let got = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect("success");
    assert_eq!(got, turn());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(header(r, "x-api-key"), Some("sk-ant-test-ok"));
    assert_eq!(header(r, "anthropic-version"), Some("2023-06-01"));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(header(r, "authorization"), None);
    assert_eq!(
        r.body,
        json!({
            "model": "test-model",
            "max_tokens": 2048,
            "temperature": 0.7,
            "system": "You are Forge.",
            "messages": [{"role": "user", "content": "A bot that reviews pull requests"}],
            "tools": [{
                "name": "BuilderTurn",
                "description": "Reply with a BuilderTurn JSON object.",
                "input_schema": turn_schema()
            }],
            "tool_choice": {"type": "tool", "name": "BuilderTurn"}
        })
    );
}

#[tokio::test]
async fn anthropic_union_schema_is_wrapped_and_reply_unwrapped() {
    let server =
        TestServer::start(|_| Reply::json(200, anthropic_reply(json!({"reply": turn()})))).await;
    set_key("FORGE_TEST_KEY_ANTHROPIC_UNION", "sk-ant-union");
    let client = anthropic(&server, "FORGE_TEST_KEY_ANTHROPIC_UNION");
    let mut req = request();
    req.schema =
        json!({"oneOf": [{"$ref": "#/$defs/Clarify"}], "$defs": {"Clarify": turn_schema()}});

    let got = client
        .complete_structured(&req, &CancellationToken::new())
        .await
        .expect("success");
    assert_eq!(got, turn());
    let sent = &server.requests()[0].body["tools"][0]["input_schema"];
    assert_eq!(sent["type"], "object");
    assert_eq!(sent["required"], json!(["reply"]));
    assert_eq!(sent["$defs"]["Clarify"], turn_schema());
    assert_eq!(
        sent["properties"]["reply"]["oneOf"][0]["$ref"],
        "#/$defs/Clarify"
    );
}

#[tokio::test]
async fn openai_success_without_key_sends_no_authorization() {
    let server = TestServer::start(|_| Reply::json(200, openai_reply(&turn().to_string()))).await;
    std::env::remove_var("FORGE_TEST_KEY_OPENAI_NONE");
    // A local server's URL often already ends in /v1; it must not be doubled.
    let client = openai(format!("{}/v1", server.url()), "FORGE_TEST_KEY_OPENAI_NONE");
    let req = request().repair("{\"action\": 1}", "action must be a string");

    let got = client
        .complete_structured(&req, &CancellationToken::new())
        .await
        .expect("success");
    assert_eq!(got, turn());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(header(r, "authorization"), None);
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(r.body["model"], "test-model");
    assert_eq!(r.body["max_tokens"], 2048);
    assert_eq!(r.body["temperature"], 0.7);
    assert_eq!(r.body["stream"], false);
    let messages = r.body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages[0],
        json!({"role": "system", "content": "You are Forge."})
    );
    assert_eq!(
        messages[1],
        json!({"role": "user", "content": "A bot that reviews pull requests"})
    );
    assert_eq!(
        messages[2],
        json!({"role": "assistant", "content": "{\"action\": 1}"})
    );
    assert_eq!(messages[3]["role"], "user");
    assert!(messages[3]["content"]
        .as_str()
        .unwrap_or_default()
        .contains("because action must be a string"));
    assert_eq!(
        r.body["response_format"],
        json!({
            "type": "json_schema",
            "json_schema": {"name": "BuilderTurn", "schema": turn_schema(), "strict": true}
        })
    );
}

#[tokio::test]
async fn openai_with_key_sends_bearer_and_accepts_fenced_json() {
    let server =
        TestServer::start(|_| Reply::json(200, openai_reply(&format!("```json\n{}\n```", turn()))))
            .await;
    set_key("FORGE_TEST_KEY_OPENAI_SET", "sk-openai-set");
    let client = openai(server.url(), "FORGE_TEST_KEY_OPENAI_SET");

    let got = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect("success");
    assert_eq!(got, turn());
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(header(r, "authorization"), Some("Bearer sk-openai-set"));
}

#[tokio::test]
async fn client_from_settings_builds_each_provider() {
    let none = client_from_settings(&LlmSettings::default(), RetryPolicy::default());
    assert!(matches!(none, Ok(None)));
    let server = TestServer::start(|_| Reply::json(200, openai_reply("{\"ok\": true}"))).await;
    let (s, warnings) = LlmSettings::from_forge_settings(&json!({"llm": {
        "provider": "openai", "baseUrl": server.url(), "model": "local",
        "apiKeyEnv": "FORGE_TEST_KEY_FROM_SETTINGS", "timeoutSecs": 5
    }}));
    assert!(warnings.is_empty());
    let client = client_from_settings(&s, fast_retry())
        .expect("client")
        .expect("some client");
    assert_eq!(client.model(), "local");
    let got = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect("success");
    assert_eq!(got, json!({"ok": true}));
    assert_eq!(server.requests()[0].body["model"], "local");
}

// ---------------------------------------------------------------------------------------------
// Timeouts, retries, cancellation

#[tokio::test]
async fn slow_reply_times_out_without_retry() {
    let server = TestServer::start(|_| {
        Reply::json(200, anthropic_reply(turn())).delayed(Duration::from_secs(4))
    })
    .await;
    set_key("FORGE_TEST_KEY_TIMEOUT", "sk-timeout");
    let client = anthropic(&server, "FORGE_TEST_KEY_TIMEOUT");

    let started = Instant::now();
    let err = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect_err("timeout");
    let elapsed = started.elapsed();
    assert!(matches!(err, LlmError::Timeout { secs: 1 }), "{err:?}");
    assert!(err.to_string().contains("timeoutSecs"));
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn server_error_then_success_is_retried_and_reported() {
    let server = TestServer::start(|n| match n {
        0 => Reply::json(
            500,
            json!({"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}),
        ),
        1 => Reply::json(
            529,
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
        _ => Reply::json(200, anthropic_reply(turn())),
    })
    .await;
    set_key("FORGE_TEST_KEY_RETRY", "sk-retry");
    let client = anthropic(&server, "FORGE_TEST_KEY_RETRY");
    let progress = Progress::default();
    let callback = progress.callback();

    let got = client
        .complete_structured_with_progress(&request(), &CancellationToken::new(), &callback)
        .await
        .expect("success after retries");
    assert_eq!(got, turn());
    assert_eq!(server.requests().len(), 3);
    let events = progress.events();
    assert_eq!(events.len(), 3);
    assert_eq!(
        (events[0].attempt, events[0].max_attempts, events[0].wait),
        (1, 3, Duration::ZERO)
    );
    assert_eq!(events[0].reason, None);
    assert_eq!(events[1].attempt, 2);
    assert!(
        events[1].wait >= Duration::from_millis(10) && events[1].wait <= Duration::from_millis(20)
    );
    assert_eq!(events[1].reason.as_deref(), Some("HTTP 500"));
    assert_eq!(events[2].reason.as_deref(), Some("HTTP 529"));
    assert!(
        events[2].wait >= Duration::from_millis(20) && events[2].wait <= Duration::from_millis(40)
    );
}

#[tokio::test]
async fn server_errors_exhaust_attempts() {
    let server = TestServer::start(|_| {
        Reply::json(503, json!({"error": {"message": "upstream unavailable"}}))
    })
    .await;
    let client = openai(server.url(), "FORGE_TEST_KEY_UNSET_503");
    let err = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect_err("fails");
    assert!(
        matches!(
            err,
            LlmError::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("upstream unavailable"));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let server = TestServer::start(|n| match n {
        0 => Reply::json(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests"}}),
        )
        .with_header("retry-after", "1"),
        _ => Reply::json(200, openai_reply(&turn().to_string())),
    })
    .await;
    let client = openai(server.url(), "FORGE_TEST_KEY_UNSET_429");
    let progress = Progress::default();
    let callback = progress.callback();

    let started = Instant::now();
    let got = client
        .complete_structured_with_progress(&request(), &CancellationToken::new(), &callback)
        .await
        .expect("success after waiting");
    assert_eq!(got, turn());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
    let events = progress.events();
    assert_eq!(events[1].wait, Duration::from_secs(1));
    assert_eq!(events[1].reason.as_deref(), Some("HTTP 429 rate limited"));
}

#[tokio::test]
async fn retry_after_beyond_the_cap_fails_at_once() {
    let server = TestServer::start(|_| {
        Reply::json(429, json!({"error": {"message": "slow down"}}))
            .with_header("retry-after", "120")
    })
    .await;
    let client = openai(server.url(), "FORGE_TEST_KEY_UNSET_429_LONG");
    let started = Instant::now();
    let err = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect_err("rate limited");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        matches!(err, LlmError::RateLimited { attempts: 1, retry_after: Some(d), .. } if d == Duration::from_secs(120)),
        "{err:?}"
    );
    assert!(err.to_string().contains("asked to wait 120 s"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = TestServer::start(|n| match n {
        0 => Reply::json(
            400,
            json!({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}}),
        ),
        1 => Reply::json(404, json!({"type": "error", "error": {"type": "not_found_error", "message": "model: test-model"}})),
        _ => Reply::json(
            401,
            json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        ),
    })
    .await;
    set_key("FORGE_TEST_KEY_4XX", "sk-4xx");
    let client = anthropic(&server, "FORGE_TEST_KEY_4XX");
    let cancel = CancellationToken::new();

    let e400 = client
        .complete_structured(&request(), &cancel)
        .await
        .expect_err("400");
    assert!(
        matches!(e400, LlmError::Rejected { status: 400, .. }),
        "{e400:?}"
    );
    assert!(e400.to_string().contains("max_tokens: too large"));
    let e404 = client
        .complete_structured(&request(), &cancel)
        .await
        .expect_err("404");
    assert!(
        e404.to_string()
            .contains("check forge.llm.baseUrl and forge.llm.model"),
        "{e404}"
    );
    let e401 = client
        .complete_structured(&request(), &cancel)
        .await
        .expect_err("401");
    assert!(
        matches!(e401, LlmError::Unauthorized { status: 401, .. }),
        "{e401:?}"
    );
    assert!(
        e401.to_string()
            .contains("check the key in $FORGE_TEST_KEY_4XX"),
        "{e401}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "one request per call, no retries"
    );
}

#[tokio::test]
async fn openai_401_without_key_says_which_variable_to_set() {
    let server = TestServer::start(|_| {
        Reply::json(
            401,
            json!({"error": {"message": "You didn't provide an API key."}}),
        )
    })
    .await;
    std::env::remove_var("FORGE_TEST_KEY_OPENAI_401");
    let client = openai(server.url(), "FORGE_TEST_KEY_OPENAI_401");
    let err = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect_err("401");
    assert!(
        err.to_string().contains("set $FORGE_TEST_KEY_OPENAI_401"),
        "{err}"
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind then drop a listener to get a port nothing listens on.
    let dead = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        l.local_addr().expect("addr")
    };
    let client = openai(format!("http://{dead}"), "FORGE_TEST_KEY_UNSET_DEAD");
    let progress = Progress::default();
    let callback = progress.callback();
    let started = Instant::now();
    let err = client
        .complete_structured_with_progress(&request(), &CancellationToken::new(), &callback)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, LlmError::Connection { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(&dead.to_string()), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let events = progress.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].reason.as_deref(), Some("connection failed"));
}

#[tokio::test]
async fn cancellation_aborts_the_request_promptly() {
    let server = TestServer::start(|_| {
        Reply::json(200, anthropic_reply(turn())).delayed(Duration::from_secs(10))
    })
    .await;
    set_key("FORGE_TEST_KEY_CANCEL", "sk-cancel");
    // A long timeout so only cancellation can end the call early.
    let client = AnthropicClient::new(
        LlmSettings {
            timeout_secs: 30,
            ..settings(Provider::Anthropic, server.url(), "FORGE_TEST_KEY_CANCEL")
        },
        fast_retry(),
    )
    .expect("client");
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let err = client
        .complete_structured(&request(), &cancel)
        .await
        .expect_err("cancelled");
    assert!(err.is_cancelled(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 1);
    // The connection itself is closed, which is what stops the provider generating.
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.closed.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "connection still open after cancel"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn cancellation_interrupts_a_backoff_wait() {
    let server = TestServer::start(|_| {
        Reply::json(429, json!({"error": {"message": "busy"}})).with_header("retry-after", "2")
    })
    .await;
    let client = openai(server.url(), "FORGE_TEST_KEY_UNSET_CANCEL_WAIT");
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let err = client
        .complete_structured(&request(), &cancel)
        .await
        .expect_err("cancelled");
    assert!(err.is_cancelled(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

// ---------------------------------------------------------------------------------------------
// Bad replies, keys

#[tokio::test]
async fn garbage_bodies_are_invalid_replies() {
    let server = TestServer::start(|n| match n {
        0 => Reply {
            status: 200,
            headers: vec![("content-type", "text/html".into())],
            body: "<html>proxy error</html>".into(),
            delay: Duration::ZERO,
        },
        1 => Reply::json(200, openai_reply("Sure! Here is a bot for you.")),
        _ => Reply::json(200, openai_reply("[1, 2, 3]")),
    })
    .await;
    let client = openai(server.url(), "FORGE_TEST_KEY_UNSET_GARBAGE");
    let cancel = CancellationToken::new();
    for expected in ["<html>proxy error</html>", "Sure! Here is a bot", "[1,2,3]"] {
        let err = client
            .complete_structured(&request(), &cancel)
            .await
            .expect_err("invalid");
        match &err {
            LlmError::InvalidReply { excerpt, .. } => {
                assert!(excerpt.contains(expected), "{excerpt:?} vs {expected:?}")
            }
            other => panic!("expected InvalidReply, got {other:?}"),
        }
    }
    assert_eq!(
        server.requests().len(),
        3,
        "invalid replies are not retried"
    );
}

#[tokio::test]
async fn anthropic_missing_key_names_the_variable() {
    let server = TestServer::start(|_| Reply::json(200, anthropic_reply(turn()))).await;
    std::env::remove_var("FORGE_TEST_KEY_MISSING");
    let client = anthropic(&server, "FORGE_TEST_KEY_MISSING");
    let err = client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect_err("missing key");
    assert!(
        matches!(&err, LlmError::MissingKey { env_var } if env_var == "FORGE_TEST_KEY_MISSING"),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("set the environment variable FORGE_TEST_KEY_MISSING"));
    assert!(server.requests().is_empty());

    // Read at request time: exporting the key later is enough.
    set_key("FORGE_TEST_KEY_MISSING", "sk-late");
    client
        .complete_structured(&request(), &CancellationToken::new())
        .await
        .expect("key picked up");
    assert_eq!(header(&server.requests()[0], "x-api-key"), Some("sk-late"));
}

#[tokio::test]
async fn the_key_never_appears_in_errors_or_debug_output() {
    const KEY: &str = "sk-super-secret-key-0123456789";
    // Every reply echoes the key, as some providers do when rejecting it.
    let server = TestServer::start(|n| {
        let echo = format!("Incorrect API key provided: {KEY}");
        match n {
            0 => Reply::json(401, json!({"error": {"message": echo}})),
            1 => Reply::json(400, json!({"error": {"message": echo}})),
            2 => Reply::json(404, json!({"error": {"message": echo}})),
            3 => Reply {
                status: 200,
                headers: vec![],
                body: echo,
                delay: Duration::ZERO,
            },
            4 => Reply::json(200, openai_reply(&echo)),
            _ => Reply::json(200, json!({"unexpected": echo})),
        }
    })
    .await;
    set_key("FORGE_TEST_KEY_SECRET", KEY);
    let client = openai(server.url(), "FORGE_TEST_KEY_SECRET");
    let cancel = CancellationToken::new();
    let mut errors = Vec::new();
    for _ in 0..6 {
        errors.push(
            client
                .complete_structured(&request(), &cancel)
                .await
                .expect_err("error"),
        );
    }
    // Errors that never reach the server.
    set_key("FORGE_TEST_KEY_SECRET_BAD", &format!("{KEY}\n"));
    let dead = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        l.local_addr().expect("addr")
    };
    let dead_client = openai(format!("http://{dead}"), "FORGE_TEST_KEY_SECRET");
    errors.push(
        dead_client
            .complete_structured(&request(), &cancel)
            .await
            .expect_err("refused"),
    );
    set_key("FORGE_TEST_KEY_SECRET_BAD", &format!("{KEY}\u{7}"));
    let bad_key_client = openai(server.url(), "FORGE_TEST_KEY_SECRET_BAD");
    errors.push(
        bad_key_client
            .complete_structured(&request(), &cancel)
            .await
            .expect_err("bad key"),
    );
    assert!(matches!(errors.last(), Some(LlmError::InvalidKey { .. })));

    let anthropic_client = anthropic(&server, "FORGE_TEST_KEY_SECRET");
    for text in errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}"), format!("{e:#?}")])
        .chain([
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{anthropic_client:?}"),
            format!("{dead_client:?}"),
        ])
    {
        assert!(!text.contains(KEY), "key leaked in: {text}");
        assert!(!text.contains("0123456789"), "key leaked in: {text}");
    }
    // The echo reached the messages, redacted.
    assert!(
        errors[0].to_string().contains("[redacted]"),
        "{}",
        errors[0]
    );
    assert!(errors[0]
        .to_string()
        .contains("check the key in $FORGE_TEST_KEY_SECRET"));
}
