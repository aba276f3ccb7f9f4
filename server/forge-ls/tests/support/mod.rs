//! A small LSP client for end-to-end tests: spawns the real `forge-ls` binary,
//! speaks `Content-Length` framed JSON-RPC over its stdin/stdout, and routes
//! what comes back (responses by id, notifications into a log) so tests can
//! wait on conditions, each with a timeout that fails the test with a clear
//! message. Server→client requests are answered at once so the server never
//! blocks on us.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod editor;
pub mod model_server;

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub const BIN: &str = env!("CARGO_BIN_EXE_forge-ls");

/// Everything the server sent, as the reader thread saw it.
#[derive(Default)]
pub struct Inbox {
    pub responses: HashMap<i64, Value>,
    /// Notifications in arrival order.
    pub notifications: Vec<Value>,
    /// Server→client requests we answered, in arrival order.
    pub server_requests: Vec<Value>,
    /// Set when stdout reached end of file (the server exited or closed it).
    pub eof: bool,
    /// Frames we could not parse (the test should fail on any).
    pub garbage: Vec<String>,
    /// Error responses with a `null` id (to messages the server could not read), in arrival order.
    pub null_id_responses: Vec<Value>,
}

struct Shared {
    inbox: Mutex<Inbox>,
    changed: Condvar,
    /// To the writer thread, which owns the server's stdin; `None` closes it.
    out: Mutex<mpsc::Sender<Option<Vec<u8>>>>,
    stderr: Mutex<String>,
    /// Server→client requests of these methods are recorded but never answered.
    unanswered: Mutex<Vec<String>>,
}

/// Writes in order on its own thread, so neither the test nor the reader
/// thread ever blocks on a full pipe.
fn writer_loop(mut stdin: ChildStdin, rx: mpsc::Receiver<Option<Vec<u8>>>) {
    while let Ok(Some(bytes)) = rx.recv() {
        if stdin.write_all(&bytes).and_then(|_| stdin.flush()).is_err() {
            return;
        }
    }
    // `None` or every sender gone: dropping `stdin` closes the pipe.
}

pub struct Client {
    child: Child,
    shared: Arc<Shared>,
    next_id: i64,
    reader: Option<thread::JoinHandle<()>>,
    stderr_reader: Option<thread::JoinHandle<()>>,
}

/// Encode one message as a framed JSON-RPC payload.
pub fn frame(msg: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(msg).expect("serializable message");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Read one framed message; `None` at end of file.
pub fn read_frame(r: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut len: Option<usize> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if len.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                len = value.trim().parse().ok();
            }
        }
    }
    let mut body = vec![0; len.unwrap_or(0)];
    r.read_exact(&mut body)?;
    Ok(Some(body))
}

impl Client {
    /// Spawn `forge-ls` with `args` (none: LSP over stdio).
    pub fn spawn() -> Client {
        Client::spawn_with(&[], None)
    }

    pub fn spawn_with(args: &[&str], cwd: Option<&Path>) -> Client {
        Client::spawn_with_env(args, cwd, &[])
    }

    /// As `spawn_with`, with extra environment variables.
    pub fn spawn_with_env(args: &[&str], cwd: Option<&Path>, env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            // Never read the developer's real Boternity library.
            .env(
                "BOTERNITY_DATA_DIR",
                std::env::temp_dir().join("forge-ls-e2e-none"),
            )
            .env_remove("FORGE_LS_LOG")
            .envs(env.iter().copied());
        if let Some(cwd) = cwd {
            cmd.current_dir(cwd);
        }
        Client::spawn_command(cmd)
    }

    /// Spawn any language server over stdio (the benchmark also drives peers).
    pub fn spawn_command(mut cmd: Command) -> Client {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn the language server");
        let stdout = child.stdout.take().expect("stdout piped");
        let stderr = child.stderr.take().expect("stderr piped");
        let stdin = child.stdin.take().expect("stdin piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || writer_loop(stdin, rx));
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Inbox::default()),
            changed: Condvar::new(),
            out: Mutex::new(tx),
            stderr: Mutex::new(String::new()),
            unanswered: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let stderr_reader = thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Ok(mut buf) = s.stderr.lock() {
                    buf.push_str(&line);
                }
                line.clear();
            }
        });
        let s = shared.clone();
        let reader = thread::spawn(move || reader_loop(BufReader::new(stdout), &s));
        Client {
            child,
            shared,
            next_id: 1,
            reader: Some(reader),
            stderr_reader: Some(stderr_reader),
        }
    }

    /// Spawn and complete `initialize`/`initialized`; returns the initialize result.
    pub fn initialized(capabilities: Value) -> (Client, Value) {
        let mut c = Client::spawn();
        let result = c.initialize(capabilities);
        (c, result)
    }

    pub fn initialize(&mut self, capabilities: Value) -> Value {
        let id = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": null,
                "capabilities": capabilities,
            }),
        );
        let result = self.result(id);
        self.notify("initialized", json!({}));
        result
    }

    /// The server's process id (for /proc figures).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        self.shared
            .stderr
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    fn stderr_tail(&self) -> String {
        let s = self.stderr();
        let start = s.len().saturating_sub(2000);
        let start = (start..=s.len())
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(s.len());
        s[start..].to_string()
    }

    /// Queue raw bytes for the server's stdin (written in order by the writer thread).
    pub fn write_raw(&self, bytes: Vec<u8>) {
        let _ = self
            .shared
            .out
            .lock()
            .expect("writer lock")
            .send(Some(bytes));
    }

    pub fn send(&self, msg: &Value) {
        self.write_raw(frame(msg));
    }

    /// Close the server's stdin once everything queued so far is written.
    pub fn close_stdin(&self) {
        let _ = self.shared.out.lock().expect("writer lock").send(None);
    }

    /// Send a request without waiting; returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// From now on, leave the server's `method` requests unanswered (a client
    /// that never replies).
    pub fn never_answer(&self, method: &str) {
        self.shared
            .unanswered
            .lock()
            .expect("unanswered lock")
            .push(method.to_string());
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Wait until `f` returns `Some` over the inbox, or fail after `timeout` saying `what`.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&Inbox) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        let mut inbox = self.lock();
        loop {
            assert!(
                inbox.garbage.is_empty(),
                "forge-ls sent unparseable frames: {:?}",
                inbox.garbage
            );
            if let Some(v) = f(&inbox) {
                return v;
            }
            let now = Instant::now();
            if now >= deadline {
                let last: Vec<String> = inbox
                    .notifications
                    .iter()
                    .rev()
                    .take(5)
                    .map(|n| truncate(&n.to_string(), 400))
                    .collect();
                drop(inbox);
                panic!(
                    "timed out after {timeout:?} waiting for {what}\nlast notifications (newest first): {last:#?}\nstderr tail:\n{}",
                    self.stderr_tail()
                );
            }
            inbox = self
                .shared
                .changed
                .wait_timeout(inbox, deadline - now)
                .expect("inbox lock")
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.shared.inbox.lock().expect("inbox lock")
    }

    /// A snapshot of everything received so far.
    pub fn with_inbox<T>(&self, f: impl FnOnce(&Inbox) -> T) -> T {
        f(&self.lock())
    }

    /// The whole response (with `result` or `error`) to request `id`.
    pub fn response(&self, id: i64) -> Value {
        self.response_within(id, TIMEOUT)
    }

    pub fn response_within(&self, id: i64, timeout: Duration) -> Value {
        self.wait_for(&format!("the response to request {id}"), timeout, |i| {
            i.responses.contains_key(&id).then_some(())
        });
        // Moved out, not cloned: a benchmark's large responses would time the copy.
        self.lock().responses.remove(&id).expect("response present")
    }

    /// The `result` of request `id`; fails the test on an error response.
    pub fn result(&self, id: i64) -> Value {
        let r = self.response(id);
        assert!(
            r.get("error").is_none(),
            "request {id} failed: {}",
            r["error"]
        );
        match r {
            Value::Object(mut m) => m.remove("result").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Send a request and wait for its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.result(id)
    }

    /// The `error` of request `id`; fails the test on a successful response.
    pub fn error(&self, id: i64) -> Value {
        let r = self.response(id);
        r.get("error")
            .cloned()
            .unwrap_or_else(|| panic!("request {id} unexpectedly succeeded: {r}"))
    }

    /// The newest `publishDiagnostics` params for `uri` satisfying `pred`, waiting for one.
    pub fn diagnostics_where(
        &self,
        uri: &str,
        what: &str,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Value {
        self.diagnostics_where_within(uri, what, TIMEOUT, &mut pred)
    }

    pub fn diagnostics_where_within(
        &self,
        uri: &str,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Value {
        self.wait_for(
            &format!("diagnostics for {uri} ({what})"),
            timeout,
            |inbox| {
                let latest = latest_diagnostics(inbox, uri)?;
                pred(latest).then(|| latest.clone())
            },
        )
    }

    /// The diagnostics published for `uri` at exactly `version`.
    pub fn diagnostics_for_version(&self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics_for_version_within(uri, version, TIMEOUT)
    }

    pub fn diagnostics_for_version_within(
        &self,
        uri: &str,
        version: i64,
        timeout: Duration,
    ) -> Vec<Value> {
        let p = self.diagnostics_where_within(uri, &format!("version {version}"), timeout, |p| {
            p["version"].as_i64() == Some(version)
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// How many `publishDiagnostics` for `uri` arrived so far.
    pub fn publish_count(&self, uri: &str) -> usize {
        self.with_inbox(|i| {
            i.notifications
                .iter()
                .filter(|n| is_publish_for(n, uri))
                .count()
        })
    }

    /// Wait for the next `publishDiagnostics` for `uri` after the first `seen` of them.
    pub fn next_publish(&self, uri: &str, seen: usize) -> Value {
        self.wait_for(&format!("publish #{} for {uri}", seen + 1), TIMEOUT, |i| {
            i.notifications
                .iter()
                .filter(|n| is_publish_for(n, uri))
                .nth(seen)
                .map(|n| n["params"].clone())
        })
    }

    pub fn open(&self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}),
        );
    }

    pub fn change(&self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    pub fn close(&self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let id = self.request("shutdown", Value::Null);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        self.wait_exit(Duration::from_secs(10))
    }

    /// `shutdown` then `exit`; the exit status and everything written to stderr.
    pub fn shutdown_and_exit_with_stderr(mut self) -> (ExitStatus, String) {
        let id = self.request("shutdown", Value::Null);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        let status = self.wait_exit(Duration::from_secs(10));
        (status, self.stderr_after_exit())
    }

    /// Wait for the process to exit, failing the test after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "forge-ls did not exit within {timeout:?}; stderr:\n{}",
                self.stderr_tail()
            );
            // Polling the exit status, not synchronising on time: the deadline above fails the test.
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Client {
    /// Everything the server wrote to stderr, once it has exited (fails if it has not).
    pub fn stderr_after_exit(&mut self) -> String {
        let status = self.wait_exit(TIMEOUT);
        let _ = status;
        if let Some(h) = self.stderr_reader.take() {
            let _ = h.join();
        }
        self.stderr()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

fn is_publish_for(n: &Value, uri: &str) -> bool {
    n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
}

/// The params of the newest `publishDiagnostics` for `uri`.
pub fn latest_diagnostics<'a>(inbox: &'a Inbox, uri: &str) -> Option<&'a Value> {
    inbox
        .notifications
        .iter()
        .rev()
        .find(|n| is_publish_for(n, uri))
        .map(|n| &n["params"])
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The reply a well-behaved client gives to a server→client request.
fn answer(req: &Value) -> Value {
    let result = match req["method"].as_str().unwrap_or_default() {
        "workspace/configuration" => {
            let n = req["params"]["items"].as_array().map_or(1, Vec::len);
            Value::Array(vec![Value::Null; n])
        }
        "workspace/applyEdit" => json!({"applied": false, "failureReason": "test client"}),
        "workspace/workspaceFolders" => json!([]),
        // client/registerCapability, window/workDoneProgress/create, refreshes, ...
        _ => Value::Null,
    };
    json!({"jsonrpc": "2.0", "id": req["id"], "result": result})
}

fn reader_loop(mut r: BufReader<std::process::ChildStdout>, s: &Shared) {
    loop {
        let incoming = read_frame(&mut r);
        let mut inbox = s.inbox.lock().expect("inbox lock");
        match incoming {
            Ok(Some(body)) => match serde_json::from_slice::<Value>(&body) {
                Ok(msg) => {
                    let has_method = msg.get("method").is_some();
                    match msg.get("id").cloned() {
                        Some(_) if has_method => {
                            let method = msg["method"].as_str().unwrap_or_default();
                            let silent = s
                                .unanswered
                                .lock()
                                .expect("unanswered lock")
                                .iter()
                                .any(|m| m == method);
                            if !silent {
                                let reply = answer(&msg);
                                let _ =
                                    s.out.lock().expect("writer lock").send(Some(frame(&reply)));
                            }
                            inbox.server_requests.push(msg);
                        }
                        Some(Value::Null) => inbox.null_id_responses.push(msg),
                        Some(id) => {
                            let id = id.as_i64().unwrap_or(-1);
                            inbox.responses.insert(id, msg);
                        }
                        None => inbox.notifications.push(msg),
                    }
                }
                Err(e) => inbox
                    .garbage
                    .push(format!("{e}: {}", String::from_utf8_lossy(&body))),
            },
            Ok(None) | Err(_) => {
                inbox.eof = true;
                s.changed.notify_all();
                return;
            }
        }
        s.changed.notify_all();
    }
}

/// A `file://` URI for a path (the tests only use plain ASCII temp paths).
pub fn uri(path: &Path) -> String {
    let p = path.to_str().expect("utf-8 temp path");
    assert!(p.starts_with('/'), "absolute path expected: {p}");
    format!("file://{p}")
}

/// Columns of `prefix` in both encodings: (utf-8 bytes, utf-16 code units).
pub fn cols(prefix: &str) -> (u64, u64) {
    (prefix.len() as u64, prefix.encode_utf16().count() as u64)
}

/// The LSP range `{start: {line, character}, end: {...}}`.
pub fn range(l1: u64, c1: u64, l2: u64, c2: u64) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// Apply LSP text edits (non-overlapping, any order) to `text` in encoding `utf8`/utf-16.
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let s = offset(text, &e["range"]["start"], utf8);
            let end = offset(text, &e["range"]["end"], utf8);
            (s, end, e["newText"].as_str().expect("newText").to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

/// Byte offset of an LSP position (lines end at `\n`, `\r\n` or `\r`), clamped to the line.
pub fn offset(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().expect("line") as usize;
    let col = pos["character"].as_u64().expect("character") as usize;
    let starts = line_starts(text);
    let Some(&start) = starts.get(line) else {
        return text.len();
    };
    let mut end = starts.get(line + 1).copied().unwrap_or(text.len());
    let b = text.as_bytes();
    while end > start && matches!(b[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= col {
            return start + i;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    end
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            starts.push(i + 1);
        } else if b[i] == b'\n' || b[i] == b'\r' {
            starts.push(i + 1);
        }
        i += 1;
    }
    starts
}
