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

fn claude(id: &str, name: &str) -> Value {
    json!({"type": "model", "id": id, "display_name": name, "created_at": "2026-09-01T00:00:00Z"})
}

/// Anthropic's list in `pages` of (id, display name): `has_more` on every page but the last.
fn anthropic_server(pages: &'static [&'static [(&'static str, &'static str)]]) -> TestServer {
    TestServer::spawn_listing(move |n| {
        let i = n.min(pages.len() - 1);
        let data = pages[i].iter().map(|(id, name)| claude(id, name)).collect();
        Reply::json(200, page(data, i + 1 < pages.len()))
    })
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
    let server = anthropic_server(&[
        &[
            ("claude-sonnet-5-5", "Claude Sonnet 5.5"),
            ("claude-opus-5-5", "Claude Opus 5.5"),
        ],
        &[("claude-haiku-4-5-20251001", "Claude Haiku 4.5")],
        &[("claude-opus-4-1-20250805", "Claude Opus 4.1")],
    ]);
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
    let server = TestServer::spawn_listing(|_| {
        Reply::json(
            200,
            page(vec![claude("claude-opus-5-5", "Claude Opus 5.5")], true),
        )
    });
    std::env::set_var("FORGE_TEST_MODELS_STUCK", "sk-ant-stuck");
    let s = settings(Provider::Anthropic, server.url(), "FORGE_TEST_MODELS_STUCK");
    assert_eq!(ids(&list(&s).await.expect("listed")), ["claude-opus-5-5"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn openai_compatible_list_as_ollama_serves_it() {
    // Ollama's reply to `GET /v1/models`: ids with tags, `owned_by: library`.
    let server = TestServer::spawn_listing(|_| {
        Reply::json(
            200,
            json!({"object": "list", "data": [
                {"id": "llama3.2:latest", "object": "model", "created": 1733000000, "owned_by": "library"},
                {"id": "qwen3:8b", "object": "model", "created": 1746000000, "owned_by": "library"},
                {"id": "nomic-embed-text:latest", "object": "model", "created": 1740000000, "owned_by": "library"}
            ]}),
        )
    });
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
    let server = TestServer::spawn_listing(|_| {
        Reply::json(
            200,
            json!({"object": "list", "data": [
                {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "system"},
                {"id": "gpt-5", "object": "model", "created": 1754425777, "owned_by": "system"}
            ]}),
        )
    });
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
    let server = TestServer::spawn_listing(|_| Reply::json(200, page(Vec::new(), false)));
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
        let server = TestServer::spawn_listing(move |_| reply.clone());
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

// ---------------------------------------------------------------------------------------------
// Over stdio: the real binary lists in the background, completion and diagnostics follow.

mod lsp {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};

    use super::support::editor::{uri, workspace, Options};
    use super::support::model_server::{Reply, TestServer};
    use super::support::Client;

    const KEY: &str = "sk-ant-lsp-models-SECRET";
    const BOT: &str = "---\ndisplay_name: Luna\nmodel: claude-haiku-3-5-20241022\n---\n";

    fn editor(root: &Path, base_url: &str, log: &Path) -> Client {
        Client::editor_with(
            root,
            Options {
                settings: json!({"llm": {
                    "provider": "anthropic", "baseUrl": base_url,
                    "apiKeyEnv": "FORGE_LSP_MODELS_KEY", "timeoutSecs": 2
                }}),
                env: vec![("FORGE_LSP_MODELS_KEY".into(), KEY.into())],
                log: Some(log.to_path_buf()),
                ..Default::default()
            },
        )
    }

    /// Labels and details of the completion after `model: ` (line 2 of [`BOT`], cleared first):
    /// the values of `model`, then the builder's model question (`Forge · Model: …`).
    fn model_items(c: &mut Client, file: &Path) -> (Vec<(String, String)>, Vec<String>) {
        let r = c.round_trip(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(file)}, "position": {"line": 2, "character": 7}}),
        );
        let (values, question) = r["result"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|i| {
                (
                    i["label"].as_str().unwrap_or_default().to_string(),
                    i["detail"].as_str().unwrap_or_default().to_string(),
                )
            })
            .partition::<Vec<_>, _>(|(_, detail)| !detail.starts_with("Forge · Model"));
        (values, question.into_iter().map(|(l, _)| l).collect())
    }

    /// A workspace with Luna's [`BOT`], open in a server configured for `server`.
    fn open_bot(server: &TestServer) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, Client) {
        let (tmp, root) = workspace();
        let (bot, log, c) = open_bot_in(&root, &server.url());
        (tmp, root, bot, log, c)
    }

    /// Luna's [`BOT`] in `root`, open in a server whose provider is at `base_url`.
    fn open_bot_in(root: &Path, base_url: &str) -> (PathBuf, PathBuf, Client) {
        let bot = root.join("bots/luna/IDENTITY.md");
        std::fs::create_dir_all(bot.parent().unwrap()).unwrap();
        std::fs::write(&bot, BOT).unwrap();
        let log = root.join("server.log");
        let c = editor(root, base_url, &log);
        c.open(&uri(&bot), 1, BOT);
        (bot, log, c)
    }

    fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = f() {
                return v;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out: {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn model_unknown(diags: &Value) -> Option<String> {
        diags["diagnostics"]
            .as_array()?
            .iter()
            .find(|d| d["code"] == "identity-model-unknown")
            .and_then(|d| d["message"].as_str())
            .map(str::to_owned)
    }

    #[test]
    fn completion_offers_the_listed_models_and_a_restart_offers_the_cached_ones() {
        let server = super::anthropic_server(&[
            &[
                ("claude-sonnet-5-5", "Claude Sonnet 5.5"),
                ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"),
            ],
            &[("claude-opus-5-5", "Claude Opus 5.5")],
        ]);
        let (_tmp, root, bot, _log, mut c) = open_bot(&server);
        c.change(
            &uri(&bot),
            2,
            json!([{"range": {"start": {"line": 2, "character": 7}, "end": {"line": 2, "character": 32}}, "text": ""}]),
        );
        let want = [
            ("claude-opus-5-5", "Claude Opus 5.5"),
            ("claude-sonnet-5-5", "Claude Sonnet 5.5"),
            ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()));
        let (items, question) = until("the listed models in completion", || {
            let (items, question) = model_items(&mut c, &bot);
            (items.len() == 3).then_some((items, question))
        });
        assert_eq!(items, want);
        // The builder's model question offers the same, in the same order.
        let ids: Vec<String> = want.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(question, ids);
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2, "two pages");
        assert_eq!(
            reqs[1].query,
            "limit=1000&after_id=claude-haiku-4-5-20251001"
        );
        assert_eq!(reqs[0].header("x-api-key"), Some(KEY));

        // The model Boternity's web UI offers is not one this key can use: said so, from the list.
        c.change(
            &uri(&bot),
            3,
            json!([{"range": {"start": {"line": 2, "character": 7}, "end": {"line": 2, "character": 7}}, "text": "claude-haiku-3-5-20241022"}]),
        );
        let d = c.diagnostics_where(&uri(&bot), "the model checked against the list", |d| {
            model_unknown(d).is_some_and(|m| m.contains("lists for your key"))
        });
        let msg = model_unknown(&d).unwrap();
        assert!(
            msg.contains("(known: claude-opus-5-5, claude-sonnet-5-5, claude-haiku-4-5-20251001)"),
            "{msg}"
        );

        // Hover on a listed model: the provider's name for it.
        let h = c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&bot)}, "position": {"line": 2, "character": 9}}),
        );
        let md = h["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        c.change(
            &uri(&bot),
            4,
            json!([{"range": {"start": {"line": 2, "character": 7}, "end": {"line": 2, "character": 32}}, "text": "claude-opus-5-5"}]),
        );
        let h = c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&bot)}, "position": {"line": 2, "character": 9}}),
        );
        let listed_md = h["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            listed_md.starts_with("**Claude Opus 5.5** (`claude-opus-5-5`)")
                && listed_md.contains("for your key"),
            "{listed_md}"
        );
        // The web dropdown's id is not listed: only the built-in table's page.
        assert!(
            !md.contains("for your key") && md.contains("Boternity's web dropdown"),
            "{md}"
        );

        // Kept beside the drafts, without the key.
        let cache = root.join(".forge/models.json");
        let text = until("the cache file", || std::fs::read_to_string(&cache).ok());
        assert!(
            text.contains("claude-opus-5-5") && !text.contains(KEY),
            "{text}"
        );
        c.stop();

        // A restart offers the cached list at once: it is fresh, so the provider (gone now) is
        // not asked again.
        let url = server.url();
        drop(server);
        let mut c = editor(&root, &url, &root.join("server2.log"));
        let base = BOT.replace("claude-haiku-3-5-20241022", "");
        c.open(&uri(&bot), 1, &base);
        let items = until("the cached models in completion", || {
            let (items, _) = model_items(&mut c, &bot);
            (items.len() == 3).then_some(items)
        });
        assert_eq!(items, want);
        c.stop();
    }

    #[test]
    fn a_rejected_key_leaves_the_built_in_table_with_one_log_line() {
        let server = TestServer::spawn_listing(|_| {
            Reply::json(
                401,
                json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
            )
        });
        let (_tmp, root, bot, log, mut c) = open_bot(&server);
        until("the listing", || {
            (!server.requests().is_empty()).then_some(())
        });
        let line = |log: &str| {
            log.lines()
                .filter(|l| l.contains("listing the models of anthropic failed"))
                .count()
        };
        until("the log line", || {
            (line(&std::fs::read_to_string(&log).unwrap_or_default()) == 1).then_some(())
        });
        // The table answers: Boternity's dropdown entry is known to it, so no warning.
        let d = c.diagnostics_where(&uri(&bot), "diagnostics", |_| true);
        assert_eq!(model_unknown(&d), None, "{d}");
        let labels: Vec<String> = model_items(&mut c, &bot)
            .0
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert!(
            labels.contains(&"claude-sonnet-4-20250514".to_string()),
            "{labels:?}"
        );
        c.stop();
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(line(&text), 1, "{text}");
        assert!(!text.contains(KEY), "the key is in the log");
        assert!(
            !root.join(".forge/models.json").exists(),
            "nothing to cache"
        );
    }

    /// Writes a cache whose list for `base_url` was fetched at the epoch: long stale.
    fn stale_cache(root: &Path, base_url: &str) {
        let cache = json!([{
            "provider": "anthropic", "base_url": base_url, "fetched_at": 0,
            "models": [{"id": "claude-cached-1", "display_name": "Claude Cached"}]
        }]);
        std::fs::create_dir_all(root.join(".forge")).unwrap();
        std::fs::write(root.join(".forge/models.json"), cache.to_string()).unwrap();
    }

    #[test]
    fn a_stale_list_is_offered_at_once_and_refreshed_in_the_background() {
        let server = super::anthropic_server(&[&[("claude-opus-5-5", "Claude Opus 5.5")]]);
        let (_tmp, root) = workspace();
        stale_cache(&root, &server.url());
        let (bot, _log, mut c) = open_bot_in(&root, &server.url());
        // The provider's answer replaces the stale list, and the cache with it.
        let items = until("the refreshed list", || {
            let (items, _) = model_items(&mut c, &bot);
            (items.first().map(|(id, _)| id.as_str()) == Some("claude-opus-5-5")).then_some(items)
        });
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(server.requests().len(), 1);
        let cache: Value = until("the rewritten cache", || {
            let v: Value = serde_json::from_str(
                &std::fs::read_to_string(root.join(".forge/models.json")).ok()?,
            )
            .ok()?;
            (v[0]["fetched_at"].as_u64()? > 0).then_some(v)
        });
        assert_eq!(cache[0]["models"][0]["id"], "claude-opus-5-5");
        c.stop();
    }

    #[test]
    fn a_failing_provider_leaves_the_last_list() {
        let server = TestServer::spawn_listing(|_| Reply::text(500, "upstream exploded"));
        let (_tmp, root) = workspace();
        stale_cache(&root, &server.url());
        let (bot, log, mut c) = open_bot_in(&root, &server.url());
        until("the log line", || {
            std::fs::read_to_string(&log)
                .ok()?
                .contains("listing the models of anthropic failed, the last list stays")
                .then_some(())
        });
        let (items, _) = model_items(&mut c, &bot);
        assert_eq!(
            items,
            [("claude-cached-1".to_string(), "Claude Cached".to_string())]
        );
        c.stop();
    }

    #[test]
    fn an_ollama_list_serves_openai_compatible_bots() {
        let server = TestServer::spawn_listing(|_| {
            Reply::json(
                200,
                json!({"object": "list", "data": [
                    {"id": "llama3.2:latest", "object": "model", "created": 1733000000, "owned_by": "library"},
                    {"id": "qwen3:8b", "object": "model", "created": 1746000000, "owned_by": "library"}
                ]}),
            )
        });
        let (_tmp, root) = workspace();
        let bot = root.join("bots/owl/IDENTITY.md");
        std::fs::create_dir_all(bot.parent().unwrap()).unwrap();
        let text =
            "---\ndisplay_name: Owl\nprovider: openai_compatible\nmodel: llama3.3:latest\n---\n";
        std::fs::write(&bot, text).unwrap();
        let mut c = Client::editor_with(
            &root,
            Options {
                settings: json!({"llm": {"provider": "openai", "baseUrl": format!("{}/v1", server.url())}}),
                log: Some(root.join("server.log")),
                ..Default::default()
            },
        );
        c.open(&uri(&bot), 1, text);
        // A model the local server does not have, although its id has a dot (only Bedrock ids
        // with a dot go unchecked, and only for Anthropic's models).
        let d = c.diagnostics_where(&uri(&bot), "the Ollama list", |d| {
            model_unknown(d).is_some_and(|m| m.contains("lists for your key"))
        });
        let msg = model_unknown(&d).unwrap();
        assert!(msg.contains("(known: qwen3:8b, llama3.2:latest)"), "{msg}");
        let r = c.round_trip(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(&bot)}, "position": {"line": 3, "character": 7}}),
        );
        let labels: Vec<&str> = r["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                !i["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Forge")
            })
            .filter_map(|i| i["label"].as_str())
            .collect();
        assert_eq!(labels, ["qwen3:8b", "llama3.2:latest"]);
        // Fixed: the warning goes.
        c.change(
            &uri(&bot),
            2,
            json!([{"range": {"start": {"line": 3, "character": 7}, "end": {"line": 3, "character": 22}}, "text": "qwen3:8b"}]),
        );
        c.diagnostics_where(&uri(&bot), "the model fixed", |d| {
            model_unknown(d).is_none()
        });
        assert_eq!(server.requests()[0].path, "/v1/models");
        c.stop();
    }
}
