//! The LLM builder agent end to end: the real `forge-ls` over stdio, driven by a test editor, with
//! its model requests answered by a scripted HTTP server on 127.0.0.1 that speaks the Anthropic
//! Messages or OpenAI Chat Completions wire format. Each failure mode checks what the user sees and
//! that the stored draft is intact.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::editor::{uri, workspace, Options};
use support::model_server::{anthropic_reply, openai_reply, Recorded, Reply, TestServer};
use support::Client;

const KEY: &str = "sk-test-SECRET-7f3a9c";

#[derive(Clone, Copy, Debug)]
enum Wire {
    Anthropic,
    OpenAi,
}

impl Wire {
    fn provider(self) -> &'static str {
        match self {
            Wire::Anthropic => "anthropic",
            Wire::OpenAi => "openai",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Wire::Anthropic => "/v1/messages",
            Wire::OpenAi => "/v1/chat/completions",
        }
    }

    /// The model's structured output `obj` under schema `name`, as the provider returns it.
    fn output(self, name: &str, obj: Value) -> Reply {
        match self {
            Wire::Anthropic => Reply::json(200, anthropic_reply(name, obj)),
            Wire::OpenAi => Reply::json(200, openai_reply(&obj.to_string())),
        }
    }

    /// A builder turn; the BuilderTurn schema is a union, sent wrapped under `reply`.
    fn turn(self, turn: Value) -> Reply {
        self.output("BuilderTurn", json!({ "reply": turn }))
    }

    /// A reply whose text is not JSON at all.
    fn prose(self, text: &str) -> Reply {
        match self {
            Wire::Anthropic => Reply::json(
                200,
                json!({
                    "id": "msg_02", "type": "message", "role": "assistant", "model": "test-model",
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn", "stop_sequence": null,
                    "usage": {"input_tokens": 1, "output_tokens": 1}
                }),
            ),
            Wire::OpenAi => Reply::json(200, openai_reply(text)),
        }
    }

    fn schema_sent(self, r: &Recorded) -> Value {
        match self {
            Wire::Anthropic => r.body["tools"][0]["input_schema"].clone(),
            Wire::OpenAi => r.body["response_format"]["json_schema"]["schema"].clone(),
        }
    }

    fn system(self, r: &Recorded) -> String {
        match self {
            Wire::Anthropic => r.body["system"].as_str().unwrap_or_default().to_string(),
            Wire::OpenAi => r.body["messages"][0]["content"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn last_user_message(self, r: &Recorded) -> String {
        let msgs = r.body["messages"].as_array().cloned().unwrap_or_default();
        msgs.iter()
            .rev()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    fn check_headers(self, r: &Recorded) {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, self.path());
        assert_eq!(r.header("content-type"), Some("application/json"));
        match self {
            Wire::Anthropic => {
                assert_eq!(r.header("x-api-key"), Some(KEY));
                assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
            }
            Wire::OpenAi => {
                let bearer = format!("Bearer {KEY}");
                assert_eq!(r.header("authorization"), Some(bearer.as_str()));
                let format = &r.body["response_format"];
                assert_eq!(format["type"], "json_schema");
                assert_eq!(format["json_schema"]["strict"], true);
            }
        }
        assert_eq!(r.body["model"], "test-model");
    }
}

fn settings(wire: Wire, base_url: &str, timeout_secs: u64) -> Value {
    json!({"llm": {
        "provider": wire.provider(), "baseUrl": base_url, "model": "test-model",
        "apiKeyEnv": "FORGE_LLM_TEST_KEY", "timeoutSecs": timeout_secs
    }})
}

fn editor(root: &Path, wire: Wire, server: &TestServer, timeout_secs: u64) -> Client {
    Client::editor_with(
        root,
        Options {
            settings: settings(wire, &server.url(), timeout_secs),
            env: vec![("FORGE_LLM_TEST_KEY".into(), KEY.into())],
            ..Default::default()
        },
    )
}

fn question(phase: &str, text: &str, options: &[&str]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|o| json!({"id": o.to_lowercase(), "label": o, "description": format!("when {o} fits")}))
        .collect();
    json!({
        "action": "ask_question", "phase": phase, "question": text,
        "options": options, "allow_free_text": true, "phase_label": null
    })
}

fn first_question() -> Value {
    question(
        "personality",
        "How should Reviewer talk to you?",
        &["Blunt", "Gentle", "Other"],
    )
}

fn second_question() -> Value {
    question(
        "model",
        "Which model should Reviewer use?",
        &["Fast", "Careful", "Other"],
    )
}

fn ready_config() -> Value {
    json!({"action": "ready_to_assemble", "config": {
        "name": "Reviewer", "description": "Reviews pull requests", "category": "utility",
        "tags": ["code"],
        "personality": {"tone": "blunt", "traits": ["precise"], "purpose": "Review pull requests", "boundaries": null},
        "model_config": {"model": "claude-sonnet-4-20250514", "temperature": 0.2, "max_tokens": 4096},
        "skills": []
    }})
}

const DESCRIPTION: &str = "A bot that reviews pull requests";

fn start(lsp: &mut Client) -> (String, Value) {
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "bot", "description": DESCRIPTION}),
    );
    (
        r["session_id"].as_str().unwrap().to_string(),
        r["turn"].clone(),
    )
}

fn session(lsp: &mut Client, sid: &str) -> Value {
    lsp.ok("forge.builder.session", json!({"session_id": sid}))
}

fn answer(lsp: &mut Client, sid: &str, answer: Value) -> Result<Value, Value> {
    lsp.exec(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": answer}),
    )
}

/// `window/showMessage` texts of `kind` (1 error, 2 warning).
fn messages(lsp: &Client, kind: i64) -> Vec<String> {
    lsp.server_messages()
        .iter()
        .filter(|m| m["method"] == "window/showMessage" && m["params"]["type"] == kind)
        .map(|m| {
            m["params"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Waits for a `window/showMessage` of `kind` that contains every one of `parts`: notifications
/// and responses travel separately, so a message may arrive just after the command's response.
fn expect_message(lsp: &Client, kind: i64, parts: &[&str]) {
    wait_until(&format!("a message containing {parts:?}"), || {
        messages(lsp, kind)
            .iter()
            .any(|m| parts.iter().all(|p| m.contains(p)))
    });
}

/// Waits for a `$/progress` report that contains every one of `parts`.
fn expect_report(lsp: &Client, parts: &[&str]) {
    wait_until(&format!("a progress report containing {parts:?}"), || {
        progress(lsp).iter().any(|v| {
            v["kind"] == "report"
                && parts
                    .iter()
                    .all(|p| v["message"].as_str().unwrap_or_default().contains(p))
        })
    });
}

/// The `$/progress` values of the builder's model calls (not the indexer's), in order.
fn progress(lsp: &Client) -> Vec<Value> {
    let seen = lsp.server_messages();
    let all: Vec<&Value> = seen
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .collect();
    let forge: Vec<&Value> = all
        .iter()
        .filter(|m| m["params"]["value"]["title"] == "Forge")
        .map(|m| &m["params"]["token"])
        .collect();
    all.iter()
        .filter(|m| forge.contains(&&m["params"]["token"]))
        .map(|m| m["params"]["value"].clone())
        .collect()
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// No byte of the key in any file under `dir` (the drafts database and its WAL included).
fn assert_key_absent_under(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            assert_key_absent_under(&p);
        } else {
            let bytes = std::fs::read(&p).unwrap_or_default();
            assert!(
                !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
                "the API key leaked into {}",
                p.display()
            );
        }
    }
}

fn whole_session(wire: Wire) {
    let (_dir, root) = workspace();
    let server = TestServer::spawn(move |n| match n {
        0 => wire.turn(first_question()),
        1 => wire.turn(second_question()),
        2 => wire.turn(
            json!({"action": "show_preview", "phase": "review", "preview": {
                "name": "Reviewer", "description": "Reviews pull requests",
                "personality_summary": "blunt", "model": "claude-sonnet-4-20250514",
                "skills": [], "phase": "review"
            }}),
        ),
        _ => wire.turn(ready_config()),
    });
    let log = root.join("forge-ls.log");
    let mut lsp = Client::editor_with(
        &root,
        Options {
            settings: settings(wire, &server.url(), 5),
            env: vec![("FORGE_LLM_TEST_KEY".into(), KEY.into())],
            log: Some(log.clone()),
            ..Default::default()
        },
    );
    let (sid, turn) = start(&mut lsp);
    let mut expected = first_question();
    expected["phase_label"] = json!("Defining personality...");
    assert_eq!(turn, expected);
    let r = answer(&mut lsp, &sid, json!({"option": 1})).unwrap();
    assert_eq!(r["turn"]["question"], "Which model should Reviewer use?");
    let r = answer(&mut lsp, &sid, json!({"text": "The careful one"})).unwrap();
    assert_eq!(r["turn"]["action"], "show_preview");
    let r = answer(&mut lsp, &sid, json!({"confirm": true})).unwrap();
    assert_eq!(r["turn"]["action"], "ready_to_assemble");
    assert_eq!(r["turn"]["config"]["name"], "Reviewer");

    let stored = session(&mut lsp, &sid);
    assert_eq!(stored["turn"], r["turn"]);
    assert_eq!(stored["phase"], "review");
    let exchanges: Vec<(String, String)> = stored["conversation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["question"].as_str().unwrap().to_string(),
                e["answer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        exchanges,
        [
            ("How should Reviewer talk to you?", "Gentle"),
            ("Which model should Reviewer use?", "The careful one"),
            ("Does this look right?", "Yes, confirmed."),
        ]
        .map(|(q, a)| (q.to_string(), a.to_string()))
    );
    assert_key_absent_under(&root.join(".forge"));

    // What the endpoint received.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    for r in &reqs {
        wire.check_headers(r);
        let schema = wire.schema_sent(r);
        assert_eq!(schema["required"], json!(["reply"]));
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema["properties"]["reply"]["anyOf"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert!(schema["$defs"]["AskQuestion"]["properties"]["options"].is_object());
    }
    assert_eq!(wire.last_user_message(&reqs[0]), DESCRIPTION);
    assert!(wire
        .system(&reqs[0])
        .contains("Initial description: A bot that reviews pull requests"));
    assert_eq!(wire.last_user_message(&reqs[1]), "Gentle");
    assert!(wire
        .system(&reqs[1])
        .contains("Q: How should Reviewer talk to you?\nA: Gentle"));
    assert!(wire
        .system(&reqs[1])
        .contains("Current phase: Defining personality..."));
    assert_eq!(wire.last_user_message(&reqs[3]), "Yes, confirmed.");

    // Progress while waiting: one begin and one end per model call.
    wait_until("four progress ends", || {
        progress(&lsp).iter().filter(|v| v["kind"] == "end").count() >= 4
    });
    let p = progress(&lsp);
    let count = |kind: &str| p.iter().filter(|v| v["kind"] == kind).count();
    assert_eq!(
        (count("begin"), count("report"), count("end")),
        (4, 0, 4),
        "{p:?}"
    );
    assert!(p[0]["message"]
        .as_str()
        .unwrap()
        .contains("asking test-model"));

    let files = lsp.ok("forge.builder.assemble", json!({"session_id": sid}));
    let identity = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u.as_str().unwrap().ends_with("IDENTITY.md"))
        .expect("IDENTITY.md written")
        .clone();
    let identity = support::editor::path_of(identity.as_str().unwrap());
    let text = std::fs::read_to_string(identity).unwrap();
    assert!(text.contains("display_name: Reviewer"), "{text}");
    assert!(text.contains("temperature: 0.2"), "{text}");

    let all: String = lsp
        .server_messages()
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert!(!all.contains(KEY), "the key reached the client");
    lsp.stop();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        logged.contains("initialized"),
        "debug logging is on: {logged}"
    );
    assert!(!logged.contains(KEY), "the key reached the log");
}

#[test]
fn anthropic_drives_a_whole_bot_session() {
    whole_session(Wire::Anthropic);
}

#[test]
fn openai_drives_a_whole_bot_session() {
    whole_session(Wire::OpenAi);
}

/// A session whose first turn came from the model; later requests get `later(n)`.
struct Started {
    _dir: tempfile::TempDir,
    server: TestServer,
    lsp: Client,
    sid: String,
    before: Value,
}

fn started(
    wire: Wire,
    timeout_secs: u64,
    later: impl Fn(usize) -> Reply + Send + Sync + 'static,
) -> Started {
    let (dir, root) = workspace();
    let server = TestServer::spawn(move |n| match n {
        0 => wire.turn(first_question()),
        n => later(n),
    });
    let mut lsp = editor(&root, wire, &server, timeout_secs);
    let (sid, turn) = start(&mut lsp);
    assert_eq!(turn["question"], "How should Reviewer talk to you?");
    let before = session(&mut lsp, &sid);
    Started {
        _dir: dir,
        server,
        lsp,
        sid,
        before,
    }
}

impl Started {
    fn answer_fails(&mut self, ans: Value) -> Value {
        let e = answer(&mut self.lsp, &self.sid, ans).expect_err("the answer should fail");
        let now = session(&mut self.lsp, &self.sid);
        assert_eq!(now, self.before, "the draft changed");
        e
    }
}

#[test]
fn a_slow_reply_past_the_timeout_fails_and_keeps_the_draft() {
    let mut s = started(Wire::Anthropic, 1, move |_| {
        Wire::Anthropic
            .turn(second_question())
            .delayed(Duration::from_secs(4))
    });
    let e = s.answer_fails(json!({"option": 0}));
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("timed out after 1 s"), "{msg}");
    assert!(msg.contains("raise forge.llm.timeoutSecs"), "{msg}");
    assert!(msg.contains("the draft is unchanged"), "{msg}");
    assert_eq!(e["code"], -32004);
    assert_eq!(s.server.requests().len(), 2, "a timeout is not retried");
    expect_message(&s.lsp, 1, &["timed out"]);
    s.lsp.stop();
}

#[test]
fn a_server_error_then_success_is_retried() {
    let mut s = started(Wire::OpenAi, 5, move |n| match n {
        1 => Reply::json(500, json!({"error": {"message": "overloaded"}})),
        _ => Wire::OpenAi.turn(second_question()),
    });
    let r = answer(&mut s.lsp, &s.sid, json!({"option": 0})).unwrap();
    assert_eq!(r["turn"]["question"], "Which model should Reviewer use?");
    assert_eq!(s.server.requests().len(), 3);
    assert_eq!(session(&mut s.lsp, &s.sid)["turn"], r["turn"]);
    expect_report(&s.lsp, &["again after HTTP 500", "attempt 2 of 3"]);
    s.lsp.stop();
}

#[test]
fn a_rate_limit_with_retry_after_is_honoured() {
    let mut s = started(Wire::Anthropic, 5, move |n| match n {
        1 => Reply::json(
            429,
            json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
        )
        .with_header("retry-after", "1"),
        _ => Wire::Anthropic.turn(second_question()),
    });
    let r = answer(&mut s.lsp, &s.sid, json!({"option": 2})).unwrap();
    assert_eq!(r["turn"]["phase"], "model");
    assert_eq!(s.server.requests().len(), 3);
    expect_report(&s.lsp, &["again after HTTP 429", "waiting 1.0 s"]);
    s.lsp.stop();
}

/// An unusable reply twice: the offline flow's next question, a warning, the answer kept.
fn falls_back(wire: Wire, bad: Reply, problem: &str) {
    let mut s = started(wire, 5, move |_| bad.clone());
    let r = answer(&mut s.lsp, &s.sid, json!({"option": 1})).unwrap();
    assert_eq!(r["turn"]["action"], "ask_question");
    assert_eq!(r["turn"]["question"], "What should your bot be called?");
    expect_message(
        &s.lsp,
        2,
        &["did not produce a usable builder turn", problem],
    );
    let reqs = s.server.requests();
    assert_eq!(reqs.len(), 3, "one request and one repair");
    let repair = wire.last_user_message(&reqs[2]);
    assert!(
        repair.contains("did not match the BuilderTurn JSON schema"),
        "{repair}"
    );
    // The stored draft is the previous one plus the answer, with the question returned pending.
    let now = session(&mut s.lsp, &s.sid);
    assert_eq!(now["turn"], r["turn"]);
    let mut conversation = s.before["conversation"].as_array().unwrap().clone();
    conversation.push(json!({
        "question": "How should Reviewer talk to you?", "answer": "Gentle", "phase": "personality"
    }));
    assert_eq!(now["conversation"], Value::Array(conversation));
    assert_eq!(now["description"], s.before["description"]);
    // The offline question is answered by the offline engine, then the model is asked again.
    let r = answer(&mut s.lsp, &s.sid, json!({"text": "Reviewer"})).unwrap();
    assert_eq!(r["turn"]["action"], "ask_question");
    let now = session(&mut s.lsp, &s.sid);
    assert_eq!(now["answers"][0]["answer"], "Reviewer");
    s.lsp.stop();
}

#[test]
fn garbage_gets_one_repair_then_the_offline_question() {
    falls_back(
        Wire::OpenAi,
        Wire::OpenAi.prose("Sure! Here is your next question: what tone?"),
        "did not answer with JSON",
    );
}

#[test]
fn schema_violating_json_gets_one_repair_then_the_offline_question() {
    falls_back(
        Wire::Anthropic,
        Wire::Anthropic.turn(json!({"action": "dance", "steps": 3})),
        "unknown variant `dance`",
    );
}

#[test]
fn connection_refused_fails_and_keeps_the_draft() {
    let mut s = started(Wire::OpenAi, 5, |_| Reply::json(500, json!({})));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = format!("http://127.0.0.1:{port}");
    s.lsp.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": settings(Wire::OpenAi, &dead, 5)}),
    );
    let e = s.answer_fails(json!({"option": 0}));
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("could not reach the LLM endpoint") && msg.contains("after 3 attempt(s)"),
        "{msg}"
    );
    assert!(msg.contains("check forge.llm.baseUrl"), "{msg}");
    assert_eq!(s.server.requests().len(), 1);
    s.lsp.stop();
}

/// A session whose answer is with a model that replies only after far longer
/// than any wait of a test; returns the id of the pending answer command.
fn answer_while_the_model_hangs() -> (Started, i64) {
    let mut s = started(Wire::Anthropic, 120, move |_| {
        Wire::Anthropic
            .turn(second_question())
            .delayed(Duration::from_secs(90))
    });
    let id = s.lsp.send_exec(
        "forge.builder.answer",
        json!({"session_id": s.sid, "answer": {"option": 0}}),
    );
    wait_until("the model request", || s.server.requests().len() == 2);
    (s, id)
}

#[test]
fn cancelling_the_command_aborts_the_request_and_keeps_the_draft() {
    // The connection can only close early if it is aborted.
    let (mut s, id) = answer_while_the_model_hangs();
    s.lsp.notify("$/cancelRequest", json!({"id": id}));
    let r = s.lsp.response(id);
    assert_eq!(r["error"]["code"], -32800, "{r}");
    // The HTTP connection is dropped, not left to finish in the background.
    wait_until("the connection to close", || {
        s.server.closed.load(Ordering::SeqCst) >= 2
    });
    assert_eq!(session(&mut s.lsp, &s.sid), s.before);
    assert!(
        messages(&s.lsp, 1).is_empty(),
        "a cancellation is not an error to show"
    );
    s.lsp.stop();
}

#[test]
fn a_missing_key_names_the_variable() {
    let (_dir, root) = workspace();
    let server = TestServer::spawn(|_| Wire::Anthropic.turn(first_question()));
    let mut lsp = Client::editor_with(
        &root,
        Options {
            settings: settings(Wire::Anthropic, &server.url(), 5),
            ..Default::default()
        },
    );
    // Starting falls back to the offline questions and says why.
    let (sid, turn) = start(&mut lsp);
    assert_eq!(turn["question"], "What should your bot be called?");
    expect_message(
        &lsp,
        2,
        &["set the environment variable FORGE_LLM_TEST_KEY"],
    );
    // An answer fails with the same advice and changes nothing.
    let before = session(&mut lsp, &sid);
    let e = answer(&mut lsp, &sid, json!({"text": "Reviewer"})).unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("FORGE_LLM_TEST_KEY"),
        "{e}"
    );
    assert_eq!(session(&mut lsp, &sid), before);
    assert!(server.requests().is_empty());
    assert!(progress(&lsp).is_empty(), "no request, no progress");
    lsp.stop();
}

fn skill_md(name: &str) -> String {
    format!(
        "---\nname: {name}\ndescription: Summarise long PDF reports into bullet points when asked for a summary.\n---\n\n# PDF summary\n\nRead the report and list its key points as bullets.\n"
    )
}

fn skill_reply(wire: Wire, md: &str) -> Reply {
    wire.output(
        "skill_generation",
        json!({"skill_md": md, "capabilities": [{"capability": "read_file", "reason": "reads the PDF"}], "source_code": null}),
    )
}

#[test]
fn a_skill_is_drafted_and_repaired() {
    let (_dir, root) = workspace();
    let wire = Wire::Anthropic;
    let server = TestServer::spawn(move |n| match n {
        0 => skill_reply(wire, &skill_md("PDF Summary")),
        _ => skill_reply(wire, &skill_md("pdf-summary")),
    });
    let mut lsp = editor(&root, wire, &server, 5);
    let r = lsp.ok(
        "forge.skill.create",
        json!({"description": "Summarise long PDF reports into bullet points", "name": "pdf-summary"}),
    );
    let path = root.join("skills/pdf-summary/SKILL.md");
    assert!(r["uri"]
        .as_str()
        .unwrap()
        .ends_with("skills/pdf-summary/SKILL.md"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        skill_md("pdf-summary")
    );
    assert!(r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != 1));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for q in &reqs {
        wire.check_headers(q);
        assert_eq!(q.body["tools"][0]["name"], "skill_generation");
        assert_eq!(
            wire.schema_sent(q)["required"],
            json!(["skill_md", "capabilities", "source_code"])
        );
    }
    assert!(wire.system(&reqs[0]).contains("name: pdf-summary"));
    let repair = wire.last_user_message(&reqs[1]);
    assert!(
        repair.contains("the language server found errors in skill_md: line 2"),
        "{repair}"
    );
    lsp.stop();
}

#[test]
fn a_skill_that_stays_invalid_is_installed_only_when_confirmed() {
    let (_dir, root) = workspace();
    let wire = Wire::OpenAi;
    let server = TestServer::spawn(move |_| skill_reply(wire, &skill_md("PDF Summary")));
    let mut lsp = Client::editor_with(
        &root,
        Options {
            settings: settings(wire, &server.url(), 5),
            env: vec![("FORGE_LLM_TEST_KEY".into(), KEY.into())],
            message_action: Some("Cancel".into()),
            ..Default::default()
        },
    );
    let arg = json!({"description": "Summarise long PDF reports into bullet points", "name": "pdf-summary"});
    let e = lsp.exec("forge.skill.create", arg.clone()).unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("still has") && msg.contains("\"confirm\": true"),
        "{msg}"
    );
    assert_eq!(lsp.seen("window/showMessageRequest"), 1);
    let path = root.join("skills/pdf-summary/SKILL.md");
    assert!(!path.exists());
    assert_eq!(server.requests().len(), 2);

    let mut confirmed = arg;
    confirmed["confirm"] = json!(true);
    let r = lsp.ok("forge.skill.create", confirmed);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        skill_md("PDF Summary")
    );
    assert!(
        r["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["severity"] == 1),
        "{r}"
    );
    assert_eq!(
        lsp.seen("window/showMessageRequest"),
        1,
        "confirm: true asks nothing"
    );
    lsp.stop();
}

#[test]
fn reconfigure_asks_the_model_with_the_bots_diagnostics() {
    let (_dir, root) = workspace();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/rules/identity-number-range/bad/bots/luna");
    let bot = root.join("bots/luna");
    std::fs::create_dir_all(&bot).unwrap();
    for f in ["IDENTITY.md", "SOUL.md", "USER.md", "skills.toml"] {
        std::fs::copy(fixture.join(f), bot.join(f)).unwrap();
    }
    let wire = Wire::OpenAi;
    let server = TestServer::spawn(move |_| {
        wire.turn(question(
            "model",
            "Luna's temperature is 2.5, above what clients offer. Lower it?",
            &["0.7", "Keep 2.5", "Other"],
        ))
    });
    let mut lsp = editor(&root, wire, &server, 5);
    let r = lsp.ok(
        "forge.builder.reconfigure",
        json!({"uri": support::editor::uri(&bot.join("SOUL.md"))}),
    );
    assert_eq!(r["turn"]["phase"], "model");
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert!(session(&mut lsp, &sid)["bound_folder"]
        .as_str()
        .unwrap()
        .ends_with("bots/luna"));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        wire.last_user_message(&reqs[0]),
        "Show me the current configuration of my bot \"Luna\" and ask what I'd like to adjust."
    );
    let system = wire.system(&reqs[0]);
    for part in [
        "Mode: bot reconfiguration.",
        "<current_config>\nName: Luna",
        "Temperature: 2.5",
        "<bot_diagnostics>",
        "- IDENTITY.md line 6: ",
    ] {
        assert!(system.contains(part), "{part} not in {system}");
    }
    lsp.stop();
}

#[test]
fn back_from_a_model_question_asks_the_model_to_re_ask() {
    let mut s = started(Wire::OpenAi, 5, move |n| match n {
        1 => Wire::OpenAi.turn(second_question()),
        _ => Wire::OpenAi.turn(first_question()),
    });
    let r = answer(&mut s.lsp, &s.sid, json!({"option": 0})).unwrap();
    assert_eq!(r["turn"]["phase"], "model");
    let back = answer(&mut s.lsp, &s.sid, json!({"back": true})).unwrap();
    assert_eq!(back["turn"]["question"], "How should Reviewer talk to you?");
    let reqs = s.server.requests();
    assert_eq!(
        Wire::OpenAi.last_user_message(&reqs[2]),
        "I'd like to go back to the Personality phase: ask its question again."
    );
    // Back to where the session was after its first turn: same phase, turn and history.
    let now = session(&mut s.lsp, &s.sid);
    assert_eq!(now["phase"], "personality");
    assert_eq!(now["conversation"], json!([]));
    let mut expected = s.before.clone();
    expected["turn"] = back["turn"].clone();
    assert_eq!(now, expected);
    s.lsp.stop();
}

#[test]
fn a_wasm_skill_gets_its_source_next_to_the_skill_md() {
    let (_dir, root) = workspace();
    let wire = Wire::OpenAi;
    let md = "---\nname: page-fetch\ndescription: Fetch a web page and summarise it when given a URL.\n---\n\n# Page fetch\n\nFetch the page, then summarise it.\n";
    let code = "wit_bindgen::generate!(\"skill\");\n";
    let server = TestServer::spawn(move |_| {
        wire.output(
            "skill_generation",
            json!({"skill_md": md, "capabilities": [{"capability": "http_get", "reason": "fetches the page"}], "source_code": code}),
        )
    });
    let mut lsp = editor(&root, wire, &server, 5);
    lsp.ok(
        "forge.skill.create",
        json!({"description": "Fetch a web page and summarise it", "name": "page-fetch"}),
    );
    let dir = root.join("skills/page-fetch");
    assert_eq!(std::fs::read_to_string(dir.join("SKILL.md")).unwrap(), md);
    assert_eq!(
        std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
        code
    );
    let system = wire.system(&server.requests()[0]);
    assert!(system.contains("WIT interface"), "{system}");
    assert!(
        system.contains("Required capabilities: http_get"),
        "{system}"
    );
    lsp.stop();
}

#[test]
fn editing_goes_on_while_the_model_hangs() {
    let (mut s, id) = answer_while_the_model_hangs();
    // The user keeps editing a file: it is analysed and answered while the request hangs.
    let skill = s._dir.path().join("skills/hang/SKILL.md");
    std::fs::create_dir_all(skill.parent().unwrap()).unwrap();
    std::fs::write(
        &skill,
        "---\nname: Bad Name\ndescription: d\n---\n# Still here\n",
    )
    .unwrap();
    let published = s.lsp.seen("textDocument/publishDiagnostics");
    s.lsp.open_file(&skill);
    wait_until("diagnostics for the edited file", || {
        s.lsp.seen("textDocument/publishDiagnostics") > published
    });
    let symbols = s.lsp.round_trip(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&skill)}}),
    );
    assert!(
        symbols["result"].to_string().contains("Still here"),
        "{symbols}"
    );
    assert_eq!(s.server.requests().len(), 2, "the model is still thinking");
    s.lsp.notify("$/cancelRequest", json!({"id": id}));
    assert_eq!(s.lsp.response(id)["error"]["code"], -32800);
    assert_eq!(session(&mut s.lsp, &s.sid), s.before);
    s.lsp.stop();
}
