//! The one LSP client of the tests and the end-to-end benchmark: spawns the real `forge-ls`
//! binary (or any language server), speaks `Content-Length` framed JSON-RPC over its stdin/stdout,
//! and routes what comes back (responses by id, notifications into a log, the newest diagnostics
//! per document) so tests can wait on conditions, each with a timeout that fails the test with a
//! clear message. Server→client requests are answered at once so the server never blocks on us:
//! as a plain client does (`Client::spawn*`), or as an editor does (`Client::editor*`, in
//! `editor.rs`: workspace edits applied to disk, the test's settings and choices).

#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::AtomicBool;
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
    /// The params of the newest `publishDiagnostics` per document URI.
    pub latest: HashMap<String, Value>,
}

/// How the client answers the server's requests.
pub(crate) enum Answers {
    /// As a plain client: configuration unset, edits refused (see [`answer`]).
    Plain,
    /// As an editor (`editor.rs`).
    Editor(editor::Editor),
}

/// What the test sends to the writer thread.
enum Out {
    Bytes(Vec<u8>),
    /// Everything queued before it is written: say so.
    Written(mpsc::Sender<()>),
    /// Close the server's stdin.
    Close,
}

/// Whether the reader thread goes on reading.
#[derive(Default)]
struct Gate {
    /// Stop reading once the response to this request is in.
    after: Option<i64>,
    stopped: bool,
}

pub(crate) struct Shared {
    inbox: Mutex<Inbox>,
    changed: Condvar,
    /// To the writer thread, which owns the server's stdin.
    out: Mutex<mpsc::Sender<Out>>,
    stderr: Mutex<String>,
    /// Server→client requests of these methods are recorded but never answered.
    unanswered: Mutex<Vec<String>>,
    answers: Answers,
    /// `workspace/applyEdit` is refused (editor).
    pub(crate) reject_edits: AtomicBool,
    /// `workspace/applyEdit` is answered only after a pause, to cancel a command while it waits
    /// (editor).
    pub(crate) slow_edits: AtomicBool,
    gate: Mutex<Gate>,
    gate_changed: Condvar,
}

/// Writes in order on its own thread, so neither the test nor the reader
/// thread ever blocks on a full pipe.
fn writer_loop(mut stdin: ChildStdin, rx: mpsc::Receiver<Out>) {
    while let Ok(out) = rx.recv() {
        match out {
            Out::Bytes(bytes) => {
                if stdin.write_all(&bytes).and_then(|_| stdin.flush()).is_err() {
                    // The acknowledgements still queued are dropped: their waiters hear it.
                    return;
                }
            }
            Out::Written(done) => {
                let _ = done.send(());
            }
            Out::Close => return,
        }
    }
    // Closed, or every sender gone: dropping `stdin` closes the pipe.
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
    frame_bytes(&serde_json::to_vec(msg).expect("serializable message"))
}

/// Frame any bytes as a message body (valid JSON or not).
pub fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
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

/// Read one framed message and parse it; `None` at end of file or on a frame that is no JSON.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let body = read_frame(r).ok()??;
    serde_json::from_slice(&body).ok()
}

/// A response as `Ok(result)` or `Err(error)`.
pub fn outcome(response: Value) -> Result<Value, Value> {
    match response.get("error") {
        Some(e) => Err(e.clone()),
        None => Ok(response["result"].clone()),
    }
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
    pub fn spawn_command(cmd: Command) -> Client {
        Client::launch(cmd, Answers::Plain, true)
    }

    /// Spawn `cmd` with piped stdin and stdout (and stderr, kept in memory, when
    /// `capture_stderr`; else as `cmd` has it), answering the server's requests by `answers`.
    pub(crate) fn launch(mut cmd: Command, answers: Answers, capture_stderr: bool) -> Client {
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        if capture_stderr {
            cmd.stderr(Stdio::piped());
        }
        let mut child = cmd.spawn().expect("spawn the language server");
        let stdout = child.stdout.take().expect("stdout piped");
        let stderr = child.stderr.take();
        let stdin = child.stdin.take().expect("stdin piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || writer_loop(stdin, rx));
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Inbox::default()),
            changed: Condvar::new(),
            out: Mutex::new(tx),
            stderr: Mutex::new(String::new()),
            unanswered: Mutex::new(Vec::new()),
            answers,
            reject_edits: AtomicBool::new(false),
            slow_edits: AtomicBool::new(false),
            gate: Mutex::new(Gate::default()),
            gate_changed: Condvar::new(),
        });
        let s = shared.clone();
        let stderr_reader = stderr.map(|stderr| {
            thread::spawn(move || {
                let mut r = BufReader::new(stderr);
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if let Ok(mut buf) = s.stderr.lock() {
                        buf.push_str(&line);
                    }
                    line.clear();
                }
            })
        });
        let s = shared.clone();
        let reader = thread::spawn(move || reader_loop(BufReader::new(stdout), &s));
        Client {
            child,
            shared,
            next_id: 1,
            reader: Some(reader),
            stderr_reader,
        }
    }

    /// Spawn and complete `initialize`/`initialized`; returns the initialize result.
    pub fn initialized(capabilities: Value) -> (Client, Value) {
        let mut c = Client::spawn();
        let result = c.initialize(capabilities);
        (c, result)
    }

    pub fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with(json!({
            "processId": std::process::id(),
            "rootUri": null,
            "capabilities": capabilities,
        }))
    }

    /// `initialize` with these params (failing the test on an error), then `initialized`;
    /// returns the initialize result.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let id = self.request("initialize", params);
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
            .send(Out::Bytes(bytes));
    }

    pub fn send(&self, msg: &Value) {
        self.write_raw(frame(msg));
    }

    /// Close the server's stdin once everything queued so far is written.
    pub fn close_stdin(&self) {
        let _ = self
            .shared
            .out
            .lock()
            .expect("writer lock")
            .send(Out::Close);
    }

    /// Whether everything queued so far reached the server's stdin within `timeout` (false when
    /// a write failed or blocked that long: the server stopped reading).
    pub fn wait_written(&self, timeout: Duration) -> bool {
        let (tx, rx) = mpsc::channel();
        let _ = self
            .shared
            .out
            .lock()
            .expect("writer lock")
            .send(Out::Written(tx));
        rx.recv_timeout(timeout).is_ok()
    }

    /// Send a request whose response is the last thing read from the server until
    /// [`Client::resume_reading`]: whatever it sends next stays in the pipe, as with a client
    /// that stops reading. Returns the request's id.
    pub fn request_then_stop_reading(&mut self, method: &str, params: Value) -> i64 {
        self.shared.gate.lock().expect("gate lock").after = Some(self.next_id);
        self.request(method, params)
    }

    /// Read the server's output again.
    pub fn resume_reading(&self) {
        let mut gate = self.shared.gate.lock().expect("gate lock");
        gate.after = None;
        gate.stopped = false;
        self.shared.gate_changed.notify_all();
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
        f: impl FnMut(&Inbox) -> Option<T>,
    ) -> T {
        match self.try_wait_for(timeout, f) {
            Some(v) => v,
            None => {
                let last: Vec<String> = self.with_inbox(|inbox| {
                    inbox
                        .notifications
                        .iter()
                        .rev()
                        .take(5)
                        .map(|n| truncate(&n.to_string(), 400))
                        .collect()
                });
                panic!(
                    "timed out after {timeout:?} waiting for {what}\nlast notifications (newest first): {last:#?}\nstderr tail:\n{}",
                    self.stderr_tail()
                );
            }
        }
    }

    /// [`Client::wait_for`] that returns `None` after `timeout` instead of failing.
    pub fn try_wait_for<T>(
        &self,
        timeout: Duration,
        mut f: impl FnMut(&Inbox) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut inbox = self.lock();
        loop {
            assert!(
                inbox.garbage.is_empty(),
                "forge-ls sent unparseable frames: {:?}",
                inbox.garbage
            );
            if let Some(v) = f(&inbox) {
                return Some(v);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
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

    /// Send a request and wait for its whole response (`result` or `error`).
    pub fn round_trip(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.response(id)
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

    /// The newest diagnostics of every document that has any published, by URI.
    pub fn diagnostics_map(&self) -> HashMap<String, Vec<Value>> {
        self.with_inbox(diagnostics_by_uri)
    }

    /// Wait until `pred` holds for the newest diagnostics per URI; returns them.
    pub fn wait_diagnostics(
        &self,
        what: &str,
        pred: impl Fn(&HashMap<String, Vec<Value>>) -> bool,
    ) -> HashMap<String, Vec<Value>> {
        let got = self.try_wait_for(TIMEOUT, |inbox| {
            let all = diagnostics_by_uri(inbox);
            pred(&all).then_some(all)
        });
        got.unwrap_or_else(|| {
            panic!(
                "timed out waiting for {what}: {:#?}",
                self.diagnostics_map()
            )
        })
    }

    /// Every server→client request, then every notification, each in arrival order.
    pub fn server_messages(&self) -> Vec<Value> {
        self.with_inbox(|i| {
            i.server_requests
                .iter()
                .chain(&i.notifications)
                .cloned()
                .collect()
        })
    }

    /// How many server→client requests and notifications of `method` arrived so far.
    pub fn seen(&self, method: &str) -> usize {
        self.with_inbox(|i| {
            i.server_requests
                .iter()
                .chain(&i.notifications)
                .filter(|m| m["method"] == method)
                .count()
        })
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

    /// `shutdown` (its answer waited for, an error tolerated) then `exit`; fails the test when the
    /// server has not exited within the usual timeout.
    pub fn stop(mut self) {
        let id = self.request("shutdown", Value::Null);
        let _ = self.response(id);
        self.notify("exit", Value::Null);
        self.wait_exit(TIMEOUT);
    }

    /// SIGKILL: no shutdown, no flush; returns once the process is gone.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill the server");
        let _ = self.child.wait();
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
        // A reader held by `request_then_stop_reading` must see the end of the output.
        self.resume_reading();
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
    inbox.latest.get(uri)
}

fn diagnostics_by_uri(inbox: &Inbox) -> HashMap<String, Vec<Value>> {
    inbox
        .latest
        .iter()
        .map(|(uri, p)| {
            let d = p["diagnostics"].as_array().cloned().unwrap_or_default();
            (uri.clone(), d)
        })
        .collect()
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
        let msg = match incoming {
            Ok(Some(body)) => match serde_json::from_slice::<Value>(&body) {
                Ok(msg) => msg,
                Err(e) => {
                    let mut inbox = s.inbox.lock().expect("inbox lock");
                    inbox
                        .garbage
                        .push(format!("{e}: {}", String::from_utf8_lossy(&body)));
                    s.changed.notify_all();
                    continue;
                }
            },
            Ok(None) | Err(_) => {
                s.inbox.lock().expect("inbox lock").eof = true;
                s.changed.notify_all();
                return;
            }
        };
        let has_method = msg.get("method").is_some();
        let id = msg.get("id").cloned();
        if id.is_some() && has_method {
            // Answered before it is recorded, outside the inbox lock: an editor's answer may
            // write files or wait.
            let method = msg["method"].as_str().unwrap_or_default();
            let silent = s
                .unanswered
                .lock()
                .expect("unanswered lock")
                .iter()
                .any(|m| m == method);
            if !silent {
                let reply = match &s.answers {
                    Answers::Plain => answer(&msg),
                    Answers::Editor(e) => e.answer(&msg, s),
                };
                let _ = s
                    .out
                    .lock()
                    .expect("writer lock")
                    .send(Out::Bytes(frame(&reply)));
            }
        }
        let mut inbox = s.inbox.lock().expect("inbox lock");
        let mut response = None;
        match id {
            Some(_) if has_method => inbox.server_requests.push(msg),
            Some(Value::Null) => inbox.null_id_responses.push(msg),
            Some(id) => {
                let id = id.as_i64().unwrap_or(-1);
                inbox.responses.insert(id, msg);
                response = Some(id);
            }
            None => {
                if msg["method"] == "textDocument/publishDiagnostics" {
                    if let Some(uri) = msg["params"]["uri"].as_str() {
                        inbox.latest.insert(uri.to_string(), msg["params"].clone());
                    }
                }
                inbox.notifications.push(msg);
            }
        }
        drop(inbox);
        s.changed.notify_all();
        // A client that stops reading after this response (`request_then_stop_reading`).
        let mut gate = s.gate.lock().expect("gate lock");
        if response.is_some() && gate.after == response {
            gate.stopped = true;
        }
        while gate.stopped {
            gate = s.gate_changed.wait(gate).expect("gate lock");
        }
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
