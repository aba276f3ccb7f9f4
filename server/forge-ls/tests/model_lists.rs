//! Listing the provider's models against real HTTP servers on 127.0.0.1 that speak Anthropic's
//! `GET /v1/models` (paged) and the OpenAI-compatible `GET /v1/models`, and each fault the
//! background refresh must survive. No test needs the internet.

use std::time::Duration;

use forge_llm::models::{list_models, ListedModel};
use forge_llm::{LlmError, LlmSettings, Provider};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

mod support;
use support::model_server::{Reply, TestServer};

fn settings(provider: Provider, base_url: String, key_env: &str) -> LlmSettings {
    LlmSettings {
        provider,
        base_url,
        model: "unused".into(),
        api_key_env: key_env.into(),
        timeout_secs: 1,
    }
}

fn claude(id: &str, name: &str, created: &str) -> Value {
    json!({"type": "model", "id": id, "display_name": name, "created_at": created})
}

fn page(data: Vec<Value>, has_more: bool) -> Value {
    let first = data.first().map(|m| m["id"].clone()).unwrap_or(Value::Null);
    let last = data.last().map(|m| m["id"].clone()).unwrap_or(Value::Null);
    json!({"data": data, "has_more": has_more, "first_id": first, "last_id": last})
}

fn ids(models: &[ListedModel]) -> Vec<&str> {
    models.iter().map(|m| m.id.as_str()).collect()
}

async fn list(s: &LlmSettings) -> Result<Vec<ListedModel>, LlmError> {
    list_models(s, &CancellationToken::new()).await
}

#[tokio::test]
async fn anthropic_pages_are_followed_with_after_id_and_ranked() {
    let server = TestServer::start(|n| {
        Reply::json(
            200,
            match n {
                0 => page(
                    vec![
                        claude(
                            "claude-sonnet-5-5",
                            "Claude Sonnet 5.5",
                            "2026-09-28T00:00:00Z",
                        ),
                        claude("claude-opus-5-5", "Claude Opus 5.5", "2026-09-01T00:00:00Z"),
                    ],
                    true,
                ),
                1 => page(
                    vec![claude(
                        "claude-haiku-4-5-20251001",
                        "Claude Haiku 4.5",
                        "2025-10-01T00:00:00Z",
                    )],
                    true,
                ),
                _ => page(
                    vec![claude(
                        "claude-opus-4-1-20250805",
                        "Claude Opus 4.1",
                        "2025-08-05T00:00:00Z",
                    )],
                    false,
                ),
            },
        )
    })
    .await;
    std::env::set_var("FORGE_TEST_MODELS_ANTHROPIC", "sk-ant-models");
    let s = settings(
        Provider::Anthropic,
        server.url(),
        "FORGE_TEST_MODELS_ANTHROPIC",
    );
    let models = list(&s).await.expect("listed");
    assert_eq!(
        ids(&models),
        [
            "claude-opus-5-5",
            "claude-opus-4-1-20250805",
            "claude-sonnet-5-5",
            "claude-haiku-4-5-20251001"
        ]
    );
    assert_eq!(models[0].display_name.as_deref(), Some("Claude Opus 5.5"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "three pages, then has_more is false");
    for r in &reqs {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v1/models");
        assert_eq!(r.header("x-api-key"), Some("sk-ant-models"));
        assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(r.header("authorization"), None);
    }
    assert_eq!(reqs[0].query, "limit=1000");
    assert_eq!(reqs[1].query, "limit=1000&after_id=claude-opus-5-5");
    assert_eq!(
        reqs[2].query,
        "limit=1000&after_id=claude-haiku-4-5-20251001"
    );
}

#[tokio::test]
async fn anthropic_cursor_that_does_not_move_ends_the_listing() {
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            page(
                vec![claude(
                    "claude-opus-5-5",
                    "Claude Opus 5.5",
                    "2026-09-01T00:00:00Z",
                )],
                true,
            ),
        )
    })
    .await;
    std::env::set_var("FORGE_TEST_MODELS_STUCK", "sk-ant-stuck");
    let s = settings(Provider::Anthropic, server.url(), "FORGE_TEST_MODELS_STUCK");
    assert_eq!(ids(&list(&s).await.expect("listed")), ["claude-opus-5-5"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn openai_compatible_list_as_ollama_serves_it() {
    // Ollama's reply to `GET /v1/models`: ids with tags, `owned_by: library`.
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            json!({"object": "list", "data": [
                {"id": "llama3.2:latest", "object": "model", "created": 1733000000, "owned_by": "library"},
                {"id": "qwen3:8b", "object": "model", "created": 1746000000, "owned_by": "library"},
                {"id": "nomic-embed-text:latest", "object": "model", "created": 1740000000, "owned_by": "library"}
            ]}),
        )
    })
    .await;
    // A local server needs no key: none is sent.
    let s = settings(
        Provider::OpenAi,
        format!("{}/v1", server.url()),
        "FORGE_TEST_MODELS_UNSET_KEY",
    );
    let models = list(&s).await.expect("listed");
    assert_eq!(ids(&models), ["qwen3:8b", "llama3.2:latest"]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(reqs[0].header("authorization"), None);
}

#[tokio::test]
async fn openai_list_sends_the_bearer_key() {
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            json!({"object": "list", "data": [
                {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "system"},
                {"id": "gpt-5", "object": "model", "created": 1754425777, "owned_by": "system"}
            ]}),
        )
    })
    .await;
    std::env::set_var("FORGE_TEST_MODELS_OPENAI", "sk-openai-models");
    let s = settings(Provider::OpenAi, server.url(), "FORGE_TEST_MODELS_OPENAI");
    assert_eq!(ids(&list(&s).await.expect("listed")), ["gpt-5", "gpt-4o"]);
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer sk-openai-models")
    );
}

#[tokio::test]
async fn anthropic_without_a_key_asks_nothing() {
    let server = TestServer::start(|_| Reply::json(200, page(Vec::new(), false))).await;
    let s = settings(
        Provider::Anthropic,
        server.url(),
        "FORGE_TEST_MODELS_NEVER_SET",
    );
    match list(&s).await {
        Err(LlmError::MissingKey { env_var }) => assert_eq!(env_var, "FORGE_TEST_MODELS_NEVER_SET"),
        other => panic!("expected a missing key, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn faults_are_errors_not_lists() {
    std::env::set_var("FORGE_TEST_MODELS_FAULTS", "sk-bad");
    let cases: Vec<(&str, Reply)> = vec![
        (
            "401",
            Reply::json(
                401,
                json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
            ),
        ),
        ("garbage", Reply::text(200, "<html>captive portal</html>")),
        (
            "no data",
            Reply::json(200, json!({"models": ["claude-opus-5-5"]})),
        ),
        (
            "timeout",
            Reply::json(200, page(Vec::new(), false)).delayed(Duration::from_secs(3)),
        ),
    ];
    for (what, reply) in cases {
        let server = TestServer::start(move |_| reply.clone()).await;
        for provider in [Provider::Anthropic, Provider::OpenAi] {
            let s = settings(provider, server.url(), "FORGE_TEST_MODELS_FAULTS");
            let got = list(&s).await;
            let ok = match what {
                "401" => matches!(got, Err(LlmError::Unauthorized { status: 401, .. })),
                "timeout" => matches!(got, Err(LlmError::Timeout { .. })),
                _ => matches!(got, Err(LlmError::InvalidReply { .. })),
            };
            assert!(ok, "{what} with {provider:?}: {got:?}");
            if let Err(e) = got {
                assert!(!e.to_string().contains("sk-bad"), "the key leaked: {e}");
            }
        }
    }
    // Nothing listens on this port any more: a connection error, not a hang.
    let gone = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let s = settings(
        Provider::OpenAi,
        format!("http://{gone}"),
        "FORGE_TEST_MODELS_FAULTS",
    );
    assert!(matches!(list(&s).await, Err(LlmError::Connection { .. })));
}
