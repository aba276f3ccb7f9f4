//! Protocol abuse against the real binary over stdio: malformed JSON-RPC,
//! unknown methods, out-of-order lifecycle, impossible document edits, a
//! 100 MB message and a client that stops reading. After each, the server must
//! still answer; it must never panic or stop reading its input.

mod support;

use serde_json::{json, Value};
use support::{frame_bytes, range, Client, TIMEOUT};

const SKILL: &str = "---\nname: abuse\ndescription: Checks what bad clients do.\n---\n# Start\n";

fn skill_uri(name: &str) -> String {
    format!("file:///abuse/{name}/SKILL.md")
}

/// Every symbol name of a document, depth first.
fn symbols(c: &mut Client, uri: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        for s in v.as_array().into_iter().flatten() {
            out.extend(s["name"].as_str().map(str::to_string));
            walk(&s["children"], out);
        }
    }
    let r = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let mut out = Vec::new();
    walk(&r, &mut out);
    out
}

/// The server still reads, analyses and answers.
fn still_serves(c: &mut Client, tag: &str) {
    let uri = skill_uri(&format!("alive-{tag}"));
    c.open(&uri, 1, &format!("{SKILL}# Alive {tag}\n"));
    c.diagnostics_for_version(&uri, 1);
    assert!(
        symbols(c, &uri).contains(&format!("Alive {tag}")),
        "after {tag}"
    );
    c.close(&uri);
}

fn null_id_errors(c: &Client) -> Vec<Value> {
    c.with_inbox(|i| i.null_id_responses.clone())
}

/// Send `bytes` and wait for the `n`-th null-id error response; its error code.
fn refusal(c: &Client, bytes: &[u8], n: usize) -> i64 {
    c.write_raw(bytes.to_vec());
    let r = c.wait_for(&format!("null-id refusal #{n}"), TIMEOUT, |i| {
        i.null_id_responses.get(n - 1).cloned()
    });
    r["error"]["code"].as_i64().expect("error code")
}

fn shut_down_cleanly(c: Client) {
    let (status, stderr) = c.shutdown_and_exit_with_stderr();
    assert!(status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_messages_are_refused_and_the_session_goes_on() {
    let (mut c, _) = Client::initialized(json!({}));
    // Not JSON, not UTF-8, empty: -32700 with a null id (JSON-RPC 2.0 §5.1).
    assert_eq!(refusal(&c, &frame_bytes(b"{oops"), 1), -32700);
    still_serves(&mut c, "bad-json");
    assert_eq!(
        refusal(&c, &frame_bytes(b"{\"a\":\"\xff\xfe\"}"), 2),
        -32700
    );
    assert_eq!(refusal(&c, &frame_bytes(b""), 3), -32700);
    // Bytes that are no frame at all, and a length that is no number: skipped to the next header.
    // (Where garbage ends is only known at the next header, so the refusal comes then.)
    let next = br#"{"jsonrpc":"2.0","method":"$/progress","params":{}}"#;
    let mut bytes = b"hello there\r\n\r\n".to_vec();
    bytes.extend(frame_bytes(next));
    assert_eq!(refusal(&c, &bytes, 4), -32700);
    let mut bytes = b"Content-Length: lots\r\n\r\n{}\r\n".to_vec();
    bytes.extend(frame_bytes(next));
    assert_eq!(refusal(&c, &bytes, 5), -32700);
    still_serves(&mut c, "garbage");
    // JSON, but no JSON-RPC message: -32600.
    assert_eq!(refusal(&c, &frame_bytes(b"[1, 2, 3]"), 6), -32600);
    assert_eq!(refusal(&c, &frame_bytes(b"42"), 7), -32600);
    assert_eq!(
        refusal(
            &c,
            &frame_bytes(br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#),
            8
        ),
        -32600
    );
    // When the id can be read, the refusal carries it.
    for (id, body) in [
        (
            901,
            r#"{"jsonrpc":"1.0","id":901,"method":"textDocument/hover"}"#,
        ),
        (902, r#"{"jsonrpc":"2.0","id":902,"method":7}"#),
        (903, r#"{"id":903,"method":"textDocument/hover"}"#),
    ] {
        c.write_raw(frame_bytes(body.as_bytes()));
        assert_eq!(c.error(id)["code"], -32600, "{body}");
    }
    // Well-formed JSON-RPC with the wrong parameter types: the method says so.
    let id = c.request("textDocument/documentSymbol", json!({"textDocument": 5}));
    assert_eq!(c.error(id)["code"], -32602);
    let id = c.request("textDocument/hover", json!("just a string"));
    assert_eq!(c.error(id)["code"], -32602);
    // A notification with missing or mistyped fields is dropped (it has nobody to answer).
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": 3}}));
    c.notify("textDocument/didChange", json!({}));
    c.notify("textDocument/didClose", Value::Null);
    still_serves(&mut c, "wrong-types");
    assert_eq!(null_id_errors(&c).len(), 8, "one refusal per bad message");
    shut_down_cleanly(c);
}

#[test]
fn unknown_methods_follow_the_specification() {
    let (mut c, _) = Client::initialized(json!({}));
    let id = c.request("forge/noSuchThing", json!({}));
    assert_eq!(c.error(id)["code"], -32601);
    // `$/` requests may be ignored by the client, but a server must still answer them.
    let id = c.request("$/noSuchThing", json!({}));
    assert_eq!(c.error(id)["code"], -32601);
    // Unknown notifications, `$/` or not, are ignored without a reply.
    c.notify("forge/noSuchThing", json!({"x": 1}));
    c.notify("$/noSuchThing", json!({}));
    c.notify("$/setTrace", json!({"value": "verbose"}));
    c.notify("$/cancelRequest", json!({"id": 123_456}));
    still_serves(&mut c, "unknown");
    assert!(null_id_errors(&c).is_empty());
    shut_down_cleanly(c);
}

#[test]
fn lifecycle_out_of_order() {
    let mut c = Client::spawn();
    // Before `initialize`: requests fail with -32002, notifications are dropped.
    let id = c.request("textDocument/hover", json!({}));
    assert_eq!(c.error(id)["code"], -32002);
    let early = skill_uri("early");
    c.open(&early, 1, SKILL);
    c.initialize(json!({}));
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": early}}),
    );
    assert_eq!(
        c.result(id),
        Value::Null,
        "a didOpen before initialize must not have opened anything"
    );
    // A second `initialize` is refused; the session is unharmed.
    let id = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(c.response(id).get("error").is_some());
    still_serves(&mut c, "lifecycle");
    shut_down_cleanly(c);
}

#[test]
fn impossible_edits_are_handled() {
    let (mut c, _) = Client::initialized(json!({}));
    // A change to a document never opened is ignored: nothing published, nothing created.
    let ghost = skill_uri("ghost");
    c.change(
        &ghost,
        2,
        json!([{"range": range(0, 0, 0, 0), "text": "x"}]),
    );
    let id = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": ghost}}),
    );
    assert_eq!(c.result(id), Value::Null);
    assert_eq!(c.publish_count(&ghost), 0);

    // Ranges past the end clamp to the end (LSP: positions beyond a line or the document
    // mean its end), so the text appends.
    let uri = skill_uri("edits");
    c.open(&uri, 5, SKILL);
    c.diagnostics_for_version(&uri, 5);
    c.change(
        &uri,
        6,
        json!([{"range": range(1000, 7, 2000, 0), "text": "# Past the end\n"}]),
    );
    // A start after the end is read as an empty range at the start.
    c.change(
        &uri,
        7,
        json!([{"range": range(4, 100, 0, 0), "text": ""}, {"range": range(4, 2, 4, 999), "text": "Begin"}]),
    );
    c.diagnostics_for_version(&uri, 7);
    let s = symbols(&mut c, &uri);
    assert!(s.contains(&"Past the end".to_string()), "{s:?}");
    assert!(s.contains(&"Begin".to_string()), "{s:?}");

    // A version going backwards is applied anyway (the client owns the text) and published
    // with the version the client gave.
    c.change(&uri, 3, json!([{"text": format!("{SKILL}# Backwards\n")}]));
    c.diagnostics_for_version(&uri, 3);
    let s = symbols(&mut c, &uri);
    assert!(s.contains(&"Backwards".to_string()), "{s:?}");
    assert!(!s.contains(&"Begin".to_string()), "{s:?}");
    // Surrogate halves in UTF-16 positions, a line past the end on a CRLF text.
    c.change(
        &uri,
        4,
        json!([{"text": "---\r\nname: abuse\r\ndescription: 😀😀\r\n---\r\n"},
               {"range": range(2, 14, 2, 15), "text": "x"},
               {"range": range(9, 0, 9, 0), "text": "# Tail\r\n"}]),
    );
    c.diagnostics_for_version(&uri, 4);
    assert!(symbols(&mut c, &uri).contains(&"Tail".to_string()));
    shut_down_cleanly(c);
}

/// Peak resident memory of a process, in KiB (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_100_mb_message_is_refused_with_bounded_memory() {
    let (mut c, _) = Client::initialized(json!({}));
    let before = peak_rss_kib(c.pid());
    let uri = skill_uri("huge");
    let text = "x".repeat(100 * 1024 * 1024);
    c.open(&uri, 1, &text);
    drop(text);
    let r = c.wait_for("the refusal of the 100 MB message", TIMEOUT, |i| {
        i.null_id_responses.first().cloned()
    });
    assert_eq!(r["error"]["code"], -32600, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{r}"
    );
    still_serves(&mut c, "huge");
    // A figure, not an assertion: the body streams past without being kept.
    eprintln!(
        "peak RSS before the 100 MB message: {before:?} KiB, after: {:?} KiB",
        peak_rss_kib(c.pid())
    );
    shut_down_cleanly(c);
}

/// A text with many diagnostics, so publishes are large.
fn noisy(i: usize, v: usize) -> String {
    let mut t = format!("---\nname: Bad Name {i}\ndescription: v{v}\n");
    for k in 0..20 {
        t.push_str(&format!("unknown_{k}: {v}\n"));
    }
    t.push_str("---\n# Body\n");
    t
}

#[test]
fn a_client_that_stops_reading_does_not_stop_the_server_reading() {
    let mut c = Client::spawn();
    // Nothing may be sent before the answer to `initialize`; after it, we stop reading.
    let id = c.request_then_stop_reading(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.result(id);
    const DOCS: usize = 150;
    const ROUNDS: usize = 4;
    const REQUESTS: usize = 300;
    // Far more output than a pipe holds (64 KiB): ~1 KB per publish, plus the responses.
    c.notify("initialized", json!({}));
    for v in 1..=ROUNDS {
        for i in 0..DOCS {
            let uri = skill_uri(&format!("flood-{i}"));
            if v == 1 {
                c.open(&uri, v as i64, &noisy(i, v));
            } else {
                c.change(&uri, v as i64, json!([{"text": noisy(i, v)}]));
            }
        }
    }
    let mut ids = Vec::new();
    for n in 1..=REQUESTS {
        let uri = skill_uri(&format!("flood-{}", n % DOCS));
        ids.push(c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        ));
    }
    let last = c.request("shutdown", Value::Null);
    ids.push(last);
    // The deadline only bounds a deadlock: every write above must get through while nobody reads.
    assert!(
        c.wait_written(TIMEOUT),
        "the server stopped reading its input while its output was not read"
    );
    assert!(
        c.with_inbox(|i| i.notifications.is_empty() && i.responses.is_empty()),
        "the client read on after the answer to initialize"
    );

    // Now read everything: each request answered, each document's newest diagnostics there.
    c.resume_reading();
    let progress = |i: &support::Inbox| {
        let answered = ids.iter().filter(|id| i.responses.contains_key(id)).count();
        let documents = (0..DOCS)
            .filter(|d| support::latest_diagnostics(i, &skill_uri(&format!("flood-{d}"))).is_some())
            .count();
        let behind = (0..DOCS)
            .filter(|d| {
                support::latest_diagnostics(i, &skill_uri(&format!("flood-{d}")))
                    .is_some_and(|p| p["version"].as_i64() != Some(ROUNDS as i64))
            })
            .count();
        (answered, documents, behind)
    };
    // Stalled means nothing new for TIMEOUT, however long the whole takes.
    let mut seen = (0, 0, 0);
    loop {
        let (answered, documents, behind) = seen;
        if answered == ids.len() && documents == DOCS && behind == 0 {
            break;
        }
        seen = c.wait_for(
            &format!(
                "more output (stalled: {answered} answers, {documents} documents with diagnostics, {behind} behind)"
            ),
            TIMEOUT,
            |i| Some(progress(i)).filter(|p| *p != seen),
        );
    }
    c.with_inbox(|i| {
        for id in &ids {
            let r = &i.responses[id];
            assert!(r.get("error").is_none(), "{r}");
        }
        // The answer to `initialize` was taken out above.
        assert_eq!(
            i.responses.len() + 1,
            REQUESTS + 2,
            "initialize, every request, shutdown"
        );
    });
    c.notify("exit", Value::Null);
    c.close_stdin();
    let status = c.wait_exit(TIMEOUT);
    assert!(status.success());
}

#[test]
fn the_api_key_reaches_no_draft_log_or_message() {
    const KEY: &str = "sk-canary-7f3a9c1e5b2d4068";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::spawn_with_env(
        &[],
        None,
        &[
            ("ANTHROPIC_API_KEY", KEY),
            ("OPENAI_API_KEY", KEY),
            ("FORGE_LS_LOG", "trace"),
        ],
    );
    let root_uri = support::uri(&root);
    c.initialize_with(json!({"processId": null, "rootUri": root_uri,
               "workspaceFolders": [{"uri": root_uri, "name": "ws"}], "capabilities": {}}));
    let exec = |c: &mut Client, command: &str, arg: Value| {
        c.call(
            "workspace/executeCommand",
            json!({"command": command, "arguments": [arg]}),
        )
    };
    let r = exec(
        &mut c,
        "forge.builder.start",
        json!({"mode": "bot", "description": "Summarises my mail"}),
    );
    let sid = r["session_id"].as_str().expect("session").to_string();
    exec(
        &mut c,
        "forge.builder.answer",
        json!({"session_id": sid, "answer": {"text": "Postie"}}),
    );
    exec(&mut c, "forge.builder.drafts", json!({}));
    let messages = c.with_inbox(|i| {
        format!(
            "{:?}{:?}{:?}",
            i.responses, i.notifications, i.server_requests
        )
    });
    let (status, stderr) = c.shutdown_and_exit_with_stderr();
    assert!(status.success());
    assert!(stderr.contains("TRACE"), "the most verbose log was on");
    assert!(!stderr.contains(KEY), "the key is in the log");
    assert!(!messages.contains(KEY), "the key is in a message");
    let mut files = Vec::new();
    for e in std::fs::read_dir(root.join(".forge")).unwrap().flatten() {
        files.push(e.path());
    }
    assert!(files.iter().any(|f| f.ends_with("drafts.db")));
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key is in {}",
            f.display()
        );
    }
}
