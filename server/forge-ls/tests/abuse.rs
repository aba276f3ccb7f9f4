//! Protocol abuse against the real binary over stdio: malformed JSON-RPC,
//! unknown methods, out-of-order lifecycle, impossible document edits, a
//! 100 MB message and a client that stops reading. After each, the server must
//! still answer; it must never panic or stop reading its input.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use serde_json::{json, Value};
use support::{frame, range, Client, BIN, TIMEOUT};

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

fn body_frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
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
    assert_eq!(refusal(&c, &body_frame(b"{oops"), 1), -32700);
    still_serves(&mut c, "bad-json");
    assert_eq!(refusal(&c, &body_frame(b"{\"a\":\"\xff\xfe\"}"), 2), -32700);
    assert_eq!(refusal(&c, &body_frame(b""), 3), -32700);
    // Bytes that are no frame at all, and a length that is no number: skipped to the next header.
    // (Where garbage ends is only known at the next header, so the refusal comes then.)
    let next = br#"{"jsonrpc":"2.0","method":"$/progress","params":{}}"#;
    let mut bytes = b"hello there\r\n\r\n".to_vec();
    bytes.extend(body_frame(next));
    assert_eq!(refusal(&c, &bytes, 4), -32700);
    let mut bytes = b"Content-Length: lots\r\n\r\n{}\r\n".to_vec();
    bytes.extend(body_frame(next));
    assert_eq!(refusal(&c, &bytes, 5), -32700);
    still_serves(&mut c, "garbage");
    // JSON, but no JSON-RPC message: -32600.
    assert_eq!(refusal(&c, &body_frame(b"[1, 2, 3]"), 6), -32600);
    assert_eq!(refusal(&c, &body_frame(b"42"), 7), -32600);
    assert_eq!(
        refusal(
            &c,
            &body_frame(br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#),
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
        c.write_raw(body_frame(body.as_bytes()));
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

/// Read one framed message from a raw pipe.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let body = support::read_frame(r).ok()??;
    serde_json::from_slice(&body).ok()
}

#[test]
fn a_client_that_stops_reading_does_not_stop_the_server_reading() {
    let mut child = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env(
            "BOTERNITY_DATA_DIR",
            std::env::temp_dir().join("forge-ls-e2e-none"),
        )
        .spawn()
        .expect("spawn forge-ls");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    // Nothing may be sent before the answer to `initialize`; after it, we stop reading.
    stdin
        .write_all(&frame(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                   "params": {"processId": null, "rootUri": null, "capabilities": {}}})))
        .expect("initialize");
    let init = read_message(&mut stdout).expect("initialize result");
    assert!(init.get("result").is_some(), "{init}");
    const DOCS: usize = 150;
    const ROUNDS: usize = 4;
    const REQUESTS: usize = 300;
    const LAST: i64 = 100_000;
    // Far more output than a pipe holds (64 KiB): ~1 KB per publish, plus the responses.
    let (done_tx, done_rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        let mut send = |v: Value| stdin.write_all(&frame(&v)).is_ok();
        send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        for v in 1..=ROUNDS {
            for i in 0..DOCS {
                let uri = skill_uri(&format!("flood-{i}"));
                let method = if v == 1 {
                    "textDocument/didOpen"
                } else {
                    "textDocument/didChange"
                };
                let params = if v == 1 {
                    json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": v, "text": noisy(i, v)}})
                } else {
                    json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": noisy(i, v)}]})
                };
                send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
            }
        }
        for id in 1..=REQUESTS {
            send(
                json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                        "params": {"textDocument": {"uri": skill_uri(&format!("flood-{}", id % DOCS))}}}),
            );
        }
        let ok = send(json!({"jsonrpc": "2.0", "id": LAST, "method": "shutdown"}));
        let _ = done_tx.send(ok);
        stdin
    });
    // The deadline only bounds a deadlock: every write above must get through while nobody reads.
    let wrote = done_rx.recv_timeout(TIMEOUT);
    assert_eq!(
        wrote,
        Ok(true),
        "the server stopped reading its input while its output was not read"
    );
    let mut stdin = writer.join().expect("writer thread");

    // Now read everything: each request answered, each document's newest diagnostics there.
    let mut r = stdout;
    let mut answered = std::collections::HashSet::from([0]);
    let mut latest: std::collections::HashMap<String, i64> = Default::default();
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        while let Some(msg) = read_message(&mut r) {
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    while !(answered.contains(&LAST)
        && latest.len() == DOCS
        && latest.values().all(|v| *v == ROUNDS as i64))
    {
        let msg = rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "stalled: {} answers, {} documents with diagnostics, {:?} behind",
                answered.len(),
                latest.len(),
                latest.values().filter(|v| **v != ROUNDS as i64).count()
            )
        });
        if msg.get("method").is_some() && msg.get("id").is_some() {
            // A server→client request (configuration, registration): answer it.
            let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
            stdin.write_all(&frame(&reply)).expect("answer");
        } else if let Some(id) = msg["id"].as_i64() {
            assert!(msg.get("error").is_none(), "{msg}");
            answered.insert(id);
        } else if msg["method"] == "textDocument/publishDiagnostics" {
            let uri = msg["params"]["uri"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            latest.insert(uri, msg["params"]["version"].as_i64().unwrap_or(-1));
        }
    }
    assert_eq!(
        answered.len(),
        REQUESTS + 2,
        "initialize, every request, shutdown"
    );
    stdin
        .write_all(&frame(&json!({"jsonrpc": "2.0", "method": "exit"})))
        .expect("exit");
    drop(stdin);
    let status = child.wait().expect("wait");
    assert!(status.success());
    let _ = reader.join();
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
    let id = c.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri,
               "workspaceFolders": [{"uri": root_uri, "name": "ws"}], "capabilities": {}}),
    );
    c.result(id);
    c.notify("initialized", json!({}));
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
