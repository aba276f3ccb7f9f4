//! `forge.builder.chat` end to end: the real `forge-ls` over stdio, a test editor that applies the
//! server's edits to disk, offline and with a model answered by a scripted HTTP server on 127.0.0.1
//! speaking the OpenAI Chat Completions wire format.

use serde_json::{json, Value};

mod support;
use support::editor::{check_clean, path_of, workspace, Options};
use support::model_server::{openai_reply, Reply, TestServer};
use support::Client;

fn chat(lsp: &mut Client, arg: Value) -> Value {
    lsp.ok("forge.builder.chat", arg)
}

fn say(lsp: &mut Client, sid: &str, message: &str) -> Value {
    chat(lsp, json!({"session_id": sid, "message": message}))
}

#[test]
fn an_offline_conversation_writes_a_bot() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = chat(
        &mut lsp,
        json!({"message": "A patient chemistry tutor that never gives away graded answers"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert_eq!(r["mode"], "bot");
    assert_eq!(r["question_id"], "name");
    assert_eq!(r["phase"], "basics");
    assert_eq!(r["options"][0]["index"], 1);
    assert_eq!(r["done"], false);
    assert!(r["reply"]
        .as_str()
        .unwrap()
        .contains("**What should your bot be called?**"));
    let r = say(&mut lsp, &sid, "Mendel");
    assert_eq!(r["question_id"], "description");
    let r = say(&mut lsp, &sid, "1");
    assert_eq!(r["question_id"], "category");
    // An options-only question: words that fit no option get the question again, nothing changes.
    let r = say(&mut lsp, &sid, "a purple elephant");
    assert_eq!(r["understood"], false);
    assert_eq!(r["question_id"], "category");
    // "back" returns to the previous phase; in the first one it says why it cannot.
    let r = say(&mut lsp, &sid, "back");
    assert_eq!(r["understood"], false);
    assert!(r["reply"]
        .as_str()
        .unwrap()
        .starts_with("Cannot go back from the first phase."));
    let mut r = say(&mut lsp, &sid, "research");
    assert_eq!(r["phase"], "personality", "{r}");
    r = say(&mut lsp, &sid, "go back");
    assert_eq!(r["phase"], "basics", "{r}");
    assert_eq!(r["question_id"], "name", "{r}");
    r = say(&mut lsp, &sid, "\"Mendel\"");
    for _ in 0..30 {
        if r["phase"] == "review" {
            break;
        }
        r = say(&mut lsp, &sid, "skip");
        assert_eq!(r["understood"], true, "{r}");
    }
    assert_eq!(r["options"][0]["label"], "Looks good");
    let r = say(&mut lsp, &sid, "preview");
    assert!(
        r["reply"].as_str().unwrap().contains("- **Name:** Mendel"),
        "{r}"
    );
    let t = lsp.ok("forge.builder.transcript", json!({"session_id": sid}));
    let messages = t["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["role"], "forge");
    assert_eq!(messages.last().unwrap()["text"], r["reply"]);
    let r = say(&mut lsp, &sid, "assemble");
    assert_eq!(r["done"], true, "{r}");
    assert_eq!(r["problems"], json!([]));
    let files: Vec<String> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let soul = root.join("bots/mendel/SOUL.md");
    assert!(files.iter().any(|f| path_of(f) == soul), "{files:?}");
    assert!(std::fs::read_to_string(&soul).unwrap().contains("Mendel"));
    check_clean(&root.join("bots/mendel"));
    // The session is finished: its draft is gone, and a message to it says so.
    let e = lsp
        .exec(
            "forge.builder.chat",
            json!({"session_id": sid, "message": "hello"}),
        )
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("may have been assembled"));
}

#[test]
fn wizard_and_chat_continue_the_same_session() {
    let (_dir, root) = workspace();
    let mut lsp = Client::editor(&root);
    let r = lsp.ok(
        "forge.builder.start",
        json!({"mode": "skill", "description": "Fetch a web page and summarize it"}),
    );
    let sid = r["session_id"].as_str().unwrap().to_string();
    let r = say(&mut lsp, &sid, "page-digest");
    assert_eq!(r["mode"], "skill");
    let a = lsp.ok(
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"option": 0}}),
    );
    assert_eq!(a["session_id"], sid);
    let s = lsp.ok("forge.builder.session", json!({"session_id": sid}));
    let asked = s["question_id"].clone();
    let mut r = say(&mut lsp, &sid, "1");
    assert_ne!(r["question_id"], asked);
    for _ in 0..10 {
        if r["phase"] == "review" {
            break;
        }
        r = say(&mut lsp, &sid, "1");
    }
    let r = say(&mut lsp, &sid, "yes");
    assert_eq!(r["ready_to_assemble"], true);
    // A ready session takes "assemble" or "no"; anything else is an error and changes nothing.
    let before = lsp.ok("forge.builder.transcript", json!({"session_id": sid}));
    let e = lsp
        .exec(
            "forge.builder.chat",
            json!({"session_id": sid, "message": "and make it purple"}),
        )
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("is ready to assemble"));
    let after = lsp.ok("forge.builder.transcript", json!({"session_id": sid}));
    assert_eq!(before, after);
    let texts: Vec<&str> = after["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts[0], "Fetch a web page and summarize it");
    assert_eq!(texts[2], "page-digest");
    // The wizard's answer is in the transcript, as a person would have said it.
    assert_eq!(after["messages"][4]["role"], "user");
    // Finished in the wizard: forge.skill.create installs what the chat built.
    let created = lsp.ok("forge.skill.create", json!({"session_id": sid}));
    let skill = path_of(created["uri"].as_str().unwrap());
    assert!(skill.ends_with("skills/page-digest/SKILL.md"), "{skill:?}");
    assert!(skill.is_file());
    // Unknown sessions and modes are clear errors.
    let e = lsp
        .exec(
            "forge.builder.chat",
            json!({"session_id": "no-such", "message": "hi"}),
        )
        .unwrap_err();
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("no builder session"));
    let e = lsp
        .exec(
            "forge.builder.chat",
            json!({"mode": "robot", "message": "hi"}),
        )
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("`mode` must be"));
    let e = lsp.exec("forge.builder.chat", json!({})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("needs `message`"));
}

fn question(text: &str, options: &[&str]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|o| json!({"id": o.to_lowercase(), "label": o, "description": null}))
        .collect();
    json!({"reply": {
        "action": "ask_question", "phase": "personality", "question": text,
        "options": options, "allow_free_text": false, "phase_label": null
    }})
}

fn ready() -> Value {
    json!({"reply": {"action": "ready_to_assemble", "config": {
        "name": "Mendel", "description": "A patient chemistry tutor", "category": "assistant",
        "tags": ["chemistry"],
        "personality": {"tone": "patient", "traits": ["encouraging"], "purpose": "Tutor high-school chemistry",
                        "boundaries": "Never gives away answers to graded work."},
        "model_config": {"model": "claude-sonnet-4-20250514", "temperature": 0.4, "max_tokens": 2048},
        "skills": []
    }}})
}

#[test]
fn with_a_model_the_agent_gets_the_whole_conversation() {
    let (_dir, root) = workspace();
    let server = TestServer::spawn(|n| {
        let body = match n {
            0 => question("What should the tutor be called?", &["Mendel", "Curie"]),
            1 => question("How strict should Mendel be?", &["Gentle", "Firm"]),
            _ => ready(),
        };
        Reply::json(200, openai_reply(&body.to_string()))
    });
    let mut lsp = Client::editor_with(
        &root,
        Options {
            settings: json!({"llm": {"provider": "openai", "baseUrl": server.url(),
                                     "model": "test-model", "apiKeyEnv": "FORGE_CHAT_KEY"}}),
            env: vec![("FORGE_CHAT_KEY".into(), "sk-test".into())],
            ..Default::default()
        },
    );
    let first =
        "I want a tutor for high-school chemistry, patient, never gives away graded answers";
    let r = chat(&mut lsp, json!({"mode": "bot", "message": first}));
    let sid = r["session_id"].as_str().unwrap().to_string();
    assert_eq!(r["options"][1]["label"], "Curie");
    assert_eq!(
        r["question_id"],
        Value::Null,
        "a model question has no table id"
    );
    // Free text where the model offered only options: the model reads it (several facts at once).
    let second = "Call it Mendel, and keep it gentle";
    let r = say(&mut lsp, &sid, second);
    assert!(r["reply"]
        .as_str()
        .unwrap()
        .contains("How strict should Mendel be?"));
    let r = say(&mut lsp, &sid, "2");
    assert_eq!(r["ready_to_assemble"], true, "{r}");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    // The third request carries the whole conversation: every user message and the model's
    // own earlier turns, ending with the option the user picked.
    let msgs = requests[2].body["messages"].as_array().unwrap().clone();
    let roles: Vec<&str> = msgs.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "user", "assistant", "user"]
    );
    assert_eq!(msgs[1]["content"], first);
    assert!(msgs[2]["content"]
        .as_str()
        .unwrap()
        .contains("What should the tutor be called?"));
    assert_eq!(msgs[3]["content"], second);
    assert_eq!(msgs[5]["content"], "Firm");
    let r = say(&mut lsp, &sid, "assemble");
    assert_eq!(r["done"], true, "{r}");
    let identity = root.join("bots/mendel/IDENTITY.md");
    assert!(std::fs::read_to_string(identity)
        .unwrap()
        .contains("temperature: 0.4"));
    check_clean(&root.join("bots/mendel"));
}
