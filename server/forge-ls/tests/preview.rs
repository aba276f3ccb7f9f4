//! `forge.bot.preview`, the prompt lens and `forge-ls preview` through the real binary; exact
//! Anthropic counts against a server on 127.0.0.1 speaking `POST /v1/messages/count_tokens`
//! (count, 429, 5xx, timeout: the estimate is shown instead, without error).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

mod support;
use support::editor::{uri, workspace, Options};
use support::model_server::{Reply, TestServer};
use support::{Client, BIN};

const KEY: &str = "sk-test-count-1234";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/preview")
        .join(case)
}

/// A workspace holding the fixture `case`.
fn bot_workspace(case: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = workspace();
    copy_dir(&fixture(case), &root);
    (dir, root)
}

fn editor(root: &Path, settings: Value) -> Client {
    Client::editor_with(
        root,
        Options {
            settings,
            env: vec![
                ("FORGE_COUNT_TEST_KEY".into(), KEY.into()),
                (
                    "BOTERNITY_DATA_DIR".into(),
                    root.join("no-data").display().to_string(),
                ),
            ],
            ..Default::default()
        },
    )
}

fn anthropic(server: &TestServer, timeout: u64) -> Value {
    json!({"llm": {
        "provider": "anthropic", "baseUrl": server.url(), "model": "claude-test",
        "apiKeyEnv": "FORGE_COUNT_TEST_KEY", "timeoutSecs": timeout
    }})
}

fn lens_titles(lsp: &mut Client, path: &Path) -> Vec<String> {
    let r = lsp.call(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(path)}}),
    );
    r.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["command"]["title"].as_str().map(str::to_string))
                // The builder's own lens (unanswered questions) is not this test's.
                .filter(|t| t.contains(" tokens"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn preview_command_uses_unsaved_text_and_counts_exactly_for_openai() {
    let (_dir, root) = bot_workspace("skills-active");
    let bot = root.join("bots/quill");
    let mut lsp = editor(&root, json!({}));
    let r = lsp.ok(
        "forge.bot.preview",
        json!({"uri": uri(&bot.join("SOUL.md")), "active": ["summarize"]}),
    );
    let expected = std::fs::read_to_string(fixture("skills-active/expected.txt")).unwrap();
    assert_eq!(r["text"], expected.as_str());
    assert_eq!(r["kind"], "boternity");
    assert_eq!(r["model"], "gpt-4o");
    assert_eq!(r["tokenizer"], "o200k_base");
    assert_eq!(r["exact"], true);
    assert_eq!(r["contextWindow"], 128_000);
    let names: Vec<&str> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "soul",
            "identity",
            "active_skills",
            "user_context",
            "instructions",
            "available_skills"
        ]
    );
    let soul = &r["sections"][0];
    let text = r["text"].as_str().unwrap();
    let (s, e) = (
        soul["start"].as_u64().unwrap() as usize,
        soul["end"].as_u64().unwrap() as usize,
    );
    assert!(text[s..e].starts_with("<soul>") && text[s..e].ends_with("</soul>"));
    assert!(r["files"]
        .as_array()
        .unwrap()
        .contains(&json!(uri(&bot.join("IDENTITY.md")))));
    assert!(r["markdown"].as_str().unwrap().contains("## soul · "));

    // Unsaved editor text wins over the disk, in the preview and in the lens.
    let soul_path = bot.join("SOUL.md");
    let before = lens_titles(&mut lsp, &soul_path);
    lsp.open_file(&soul_path);
    let before_open = lens_titles(&mut lsp, &soul_path);
    assert!(before.is_empty(), "no lens on a closed file: {before:?}");
    let plain = lsp.ok("forge.bot.preview", json!({"uri": uri(&bot)}));
    let total = plain["tokens"].as_u64().unwrap();
    assert_eq!(
        before_open,
        [format!("system prompt {total} tokens · preview")],
        "exact (gpt-4o), no ≈"
    );
    lsp.change(
        &uri(&soul_path),
        2,
        json!([{"text": "---\nname: Quill\n---\n\nYou edit prose until it is clear, and you never rush.\n"}]),
    );
    let r2 = lsp.ok("forge.bot.preview", json!({"uri": uri(&bot)}));
    assert!(r2["text"].as_str().unwrap().contains("you never rush"));
    assert!(!r2["text"].as_str().unwrap().contains("<active_skills>"));
    let after = lens_titles(&mut lsp, &soul_path);
    assert_eq!(
        after,
        [format!("system prompt {} tokens · preview", r2["tokens"])]
    );

    // A SKILL.md: what is always loaded and what its use adds.
    let skill = root.join("skills/summarize/SKILL.md");
    lsp.open_file(&skill);
    let r = lsp.ok("forge.bot.preview", json!({"uri": uri(&skill)}));
    assert_eq!(r["kind"], "skill");
    assert_eq!(r["exact"], false);
    let always = r["alwaysLoaded"].as_u64().unwrap();
    let active = r["whenActive"].as_u64().unwrap();
    assert!(always > 0 && active > always, "{r}");
    assert_eq!(
        lens_titles(&mut lsp, &skill),
        [format!(
            "≈ {always} tokens always loaded · {active} when active"
        )]
    );

    // Bad arguments are invalid params, not crashes.
    let err = lsp
        .exec(
            "forge.bot.preview",
            json!({"uri": uri(&root.join("nowhere.txt"))}),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
    let err = lsp
        .exec(
            "forge.bot.preview",
            json!({"uri": uri(&bot), "active": "x"}),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
}

/// Anthropic's token counter as its wire format answers (`{"input_tokens": n}`): here n is the
/// system prompt's length in bytes plus 7 for the one-character user message, so the exact
/// counts the server derives can be checked.
fn counted(body: &Value) -> Reply {
    let system = body["system"].as_str().unwrap_or("");
    Reply::json(200, json!({"input_tokens": system.len() + 7}))
}

fn preview(lsp: &mut Client, bot: &Path) -> Value {
    lsp.ok("forge.bot.preview", json!({"uri": uri(bot)}))
}

#[test]
fn anthropic_counts_are_exact_cached_and_debounced() {
    let (_dir, root) = bot_workspace("emoji");
    let bot = root.join("bots/luna");
    let server = TestServer::spawn_reading(|_, body| counted(body));
    let mut lsp = editor(&root, anthropic(&server, 5));
    let r = preview(&mut lsp, &bot);
    let text = r["text"].as_str().unwrap();
    assert_eq!(r["exact"], true, "{r}");
    assert_eq!(
        r["tokenizer"],
        "Anthropic count_tokens (claude-haiku-3-5-20241022)"
    );
    assert_eq!(
        r["tokens"],
        text.len(),
        "the system prompt alone: the message's 7 subtracted"
    );
    for s in r["sections"].as_array().unwrap() {
        let len = s["end"].as_u64().unwrap() - s["start"].as_u64().unwrap();
        assert_eq!(s["tokens"], len, "{s}");
    }
    let reqs = server.requests();
    assert!(reqs.iter().all(|q| q.path == "/v1/messages/count_tokens"
        && q.header("x-api-key") == Some(KEY)
        && q.header("anthropic-version") == Some("2023-06-01")
        && q.body["model"] == "claude-haiku-3-5-20241022"
        && q.body["messages"] == json!([{"role": "user", "content": "."}])));
    // The baseline (no system prompt), the whole prompt and each section, each once.
    let sent = reqs.len();
    assert_eq!(
        sent,
        2 + r["sections"].as_array().unwrap().len(),
        "{reqs:?}"
    );

    // Cached by content: the same prompt again sends nothing, and the lens shows the exact count.
    let again = preview(&mut lsp, &bot);
    assert_eq!(again["tokens"], r["tokens"]);
    assert_eq!(server.requests().len(), sent);
    let soul = bot.join("SOUL.md");
    lsp.open_file(&soul);
    assert_eq!(
        lens_titles(&mut lsp, &soul),
        [format!("system prompt {} tokens · preview", r["tokens"])]
    );

    // Typing: previews asked in a burst send one round of counts, for the newest text only; the
    // superseded ones show the estimate.
    for v in 2..5 {
        lsp.change(
            &uri(&soul),
            v,
            json!([{"text": format!("---\nname: Luna\n---\nVersion {v} of the soul.\n")}]),
        );
    }
    let ids: Vec<i64> = (0..3)
        .map(|_| lsp.send_exec("forge.bot.preview", json!({"uri": uri(&bot)})))
        .collect();
    let results: Vec<Value> = ids.iter().map(|id| lsp.result(*id)).collect();
    let exact: Vec<&Value> = results.iter().filter(|r| r["exact"] == true).collect();
    assert_eq!(exact.len(), 1, "{results:?}");
    assert!(exact[0]["text"].as_str().unwrap().contains("Version 4"));
    let new: Vec<_> = server.requests()[sent..].to_vec();
    // The whole prompt and the changed soul section: everything else was cached.
    assert_eq!(new.len(), 2, "{new:?}");
    assert!(results
        .iter()
        .filter(|r| r["exact"] == false)
        .all(|r| r["tokenizer"] == "o200k_base (estimate)"));
}

#[test]
fn anthropic_faults_fall_back_to_the_estimate() {
    for (what, reply) in [
        ("429", Reply::json(429, json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})).with_header("retry-after", "1")),
        ("529", Reply::json(529, json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))),
        ("500", Reply::text(500, "upstream broke")),
        ("timeout", Reply::json(200, json!({"input_tokens": 5})).delayed(Duration::from_secs(3))),
    ] {
        let (_dir, root) = bot_workspace("no-user");
        let bot = root.join("bots/tide");
        let server = TestServer::spawn(move |_| reply.clone());
        let mut lsp = editor(&root, anthropic(&server, 1));
        let r = preview(&mut lsp, &bot);
        assert_eq!(r["exact"], false, "{what}: {r}");
        assert_eq!(r["tokenizer"], "o200k_base (estimate)", "{what}");
        assert!(r["tokens"].as_u64().unwrap() > 50, "{what}: {r}");
        assert!(!server.requests().is_empty(), "{what}: a count was asked for");
        // One attempt per text, no retries; and the fault is logged, not shown.
        assert!(lsp
            .server_messages()
            .iter()
            .all(|m| m["method"] != "window/showMessage"), "{what}");
    }
}

#[test]
fn cli_preview_prints_the_prompt() {
    let root = fixture("skills-active");
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(&root)
            .env("BOTERNITY_DATA_DIR", root.join("no-data"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let expected = std::fs::read_to_string(root.join("expected.txt")).unwrap();
    let (code, out, _) = run(&[
        "preview",
        "--format",
        "raw",
        "--active",
        "summarize",
        "bots/quill/IDENTITY.md",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(out, format!("{expected}\n"));
    let (code, out, _) = run(&["preview", "--format=json", "bots/quill"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["tokenizer"], "o200k_base");
    assert_eq!(v["exact"], true);
    let (code, out, _) = run(&["preview", "bots/quill"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with(&format!(
            "# Boternity system prompt · {} tokens\n",
            v["tokens"]
        )),
        "{out}"
    );
    assert!(out.contains("## available_skills · "));
    // check --budget reports the same budgets in CI.
    let (code, out, _) = run(&["check", "--system-prompt-tokens=100", "bots/quill"]);
    // 1: the fixture attaches a skill that does not exist (skills-toml-unknown-skill).
    assert_eq!(code, Some(1));
    assert!(
        out.contains("bots/quill/IDENTITY.md:1:1: warning[prompt-over-budget]: The system prompt Boternity assembles for this bot is 188 tokens"),
        "{out}"
    );
    let (_, out, _) = run(&["check", "bots/quill"]);
    assert!(!out.contains("budget"), "budgets only with --budget: {out}");
    let (code, _, err) = run(&["check", "--skill-listing-tokens", "lots", "bots/quill"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("whole number of tokens"), "{err}");
    let (code, _, err) = run(&["preview", "nowhere"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no such file"), "{err}");
    let (code, _, err) = run(&["preview", "--format", "yaml", "bots/quill"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown format"), "{err}");
}

fn has_code(diags: &Value, code: &str) -> bool {
    diags["diagnostics"]
        .as_array()
        .is_some_and(|a| a.iter().any(|d| d["code"] == code))
}

#[test]
fn budgets_are_diagnostics_that_follow_the_bots_files() {
    let (_dir, root) = bot_workspace("skills-active");
    let bot = root.join("bots/quill");
    let mut lsp = editor(
        &root,
        json!({"budget": {"systemPromptTokens": 170, "skillListingTokens": 5}}),
    );
    let identity = uri(&bot.join("IDENTITY.md"));
    let d = lsp.diagnostics_where(&identity, "over budget", |d| {
        has_code(d, "prompt-over-budget")
    });
    let msg = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "prompt-over-budget")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("is 188 tokens (o200k_base), over `budget.systemPromptTokens` (170)"),
        "{msg}"
    );
    assert!(msg.contains("The biggest sections: "), "{msg}");
    // The skills' descriptions (7 and 8 tokens) are over the 5-token listing budget.
    let skill = uri(&root.join("skills/summarize/SKILL.md"));
    lsp.diagnostics_where(&skill, "listing over budget", |d| {
        has_code(d, "skill-listing-over-budget")
    });
    // Emptying SOUL.md in the editor brings the prompt under budget: IDENTITY.md follows.
    let soul = bot.join("SOUL.md");
    lsp.open_file(&soul);
    lsp.change(&uri(&soul), 2, json!([{"text": ""}]));
    lsp.diagnostics_where(&identity, "back under budget", |d| {
        !has_code(d, "prompt-over-budget")
    });
    let r = lsp.ok("forge.bot.preview", json!({"uri": uri(&bot)}));
    assert!(r["tokens"].as_u64().unwrap() <= 170, "{r}");
    // A lower budget in the settings: IDENTITY.md is reported again without any edit.
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"budget": {"systemPromptTokens": 100}}}),
    );
    lsp.diagnostics_where(&identity, "over the new budget", |d| {
        has_code(d, "prompt-over-budget")
    });
}

#[test]
fn a_data_directory_bot_is_named_as_in_boternity_db() {
    use forge_store::boternity_db::{DB_FILE, SCHEMA};
    let (_dir, root) = bot_workspace("no-identity");
    let c = rusqlite::Connection::open(root.join(DB_FILE)).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    c.execute(
        "INSERT INTO bots (id, slug, name, version_count, created_at, updated_at)
         VALUES ('bot-1', 'ember', 'Ember the Bright', 0, '2026-02-10T09:00:00+00:00', '2026-02-10T09:00:00+00:00')",
        [],
    )
    .unwrap();
    drop(c);
    let expected = std::fs::read_to_string(fixture("no-identity/expected.txt"))
        .unwrap()
        .replace("Name: Ember\n", "Name: Ember the Bright\n")
        .replace("You are Ember.", "You are Ember the Bright.");
    let out = Command::new(BIN)
        .args(["preview", "--format", "raw", "bots/ember"])
        .current_dir(&root)
        .env("BOTERNITY_DATA_DIR", root.join("no-data"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{expected}\n")
    );
    let mut lsp = editor(&root, json!({}));
    let soul = root.join("bots/ember/SOUL.md");
    lsp.open_file(&soul);
    // The soul versions are read in the background: the name follows once they are in.
    let got = (0..100)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            lsp.ok("forge.bot.preview", json!({"uri": uri(&soul)}))
        })
        .find(|r| r["text"] == expected.as_str());
    assert!(got.is_some(), "the preview never used the database's name");
}
