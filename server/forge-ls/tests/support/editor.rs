//! An editor for end-to-end builder tests: spawns the real `forge-ls`, answers its requests the way
//! an editor does (applying `workspace/applyEdit` to disk, answering `workspace/configuration` with
//! the test's settings and `window/showMessageRequest` with the test's choice), and keeps every
//! server→client message for assertions.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::BIN;

/// How the editor behaves beyond applying edits.
#[derive(Default)]
pub struct Options {
    /// The `forge` settings: `initializationOptions` and the answer to `workspace/configuration`.
    pub settings: Value,
    /// Extra environment of the server process (e.g. an API key variable).
    pub env: Vec<(String, String)>,
    /// Where the server's stderr goes, with `FORGE_LS_LOG=debug`; `None`: discarded.
    pub log: Option<PathBuf>,
    /// The action title the user picks in a `window/showMessageRequest` (`None`: dismissed).
    pub message_action: Option<String>,
}

fn frame(out: &mut impl Write, v: &Value) {
    let body = v.to_string();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
    let _ = out.flush();
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

pub fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

pub fn path_of(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").expect("a file URI");
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8(out).unwrap())
}

/// Byte offset of an LSP position (the client negotiates UTF-8); `\n`, `\r\n`, `\r` end lines.
fn offset(text: &str, pos: &Value) -> usize {
    let (line, ch) = (
        pos["line"].as_u64().unwrap(),
        pos["character"].as_u64().unwrap(),
    );
    let b = text.as_bytes();
    let (mut l, mut i) = (0, 0);
    while l < line && i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        if b[i] == b'\n' || b[i] == b'\r' {
            l += 1;
        }
        i += 1;
    }
    (i + ch as usize).min(text.len())
}

pub fn apply_text_edits(path: &Path, edits: &[Value]) -> Result<(), String> {
    let mut text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&text, &e["range"]["start"]),
                offset(&text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (s, t, new) in spans {
        text.replace_range(s..t, &new);
    }
    std::fs::write(path, text).map_err(|e| e.to_string())
}

/// Applies a WorkspaceEdit to disk the way an editor would.
pub fn apply_edit(edit: &Value) -> Result<(), String> {
    if let Some(ops) = edit["documentChanges"].as_array() {
        for op in ops {
            match op["kind"].as_str() {
                Some("create") => {
                    let p = path_of(op["uri"].as_str().unwrap());
                    if p.exists() && op["options"]["overwrite"] != json!(true) {
                        return Err(format!("{} already exists", p.display()));
                    }
                    std::fs::create_dir_all(p.parent().unwrap()).map_err(|e| e.to_string())?;
                    std::fs::write(&p, "").map_err(|e| e.to_string())?;
                }
                Some(other) => return Err(format!("unexpected resource operation {other}")),
                None => {
                    let p = path_of(op["textDocument"]["uri"].as_str().unwrap());
                    apply_text_edits(&p, op["edits"].as_array().unwrap())?;
                }
            }
        }
    }
    if let Some(changes) = edit["changes"].as_object() {
        for (u, edits) in changes {
            apply_text_edits(&path_of(u), edits.as_array().unwrap())?;
        }
    }
    Ok(())
}

pub struct Lsp {
    pub child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    responses: Receiver<Value>,
    stash: HashMap<i64, Value>,
    next_id: i64,
    pub reject_edits: Arc<AtomicBool>,
    /// Answer applyEdit only after a pause (to cancel a command while it waits).
    pub slow_edits: Arc<AtomicBool>,
    /// Server→client requests and notifications, in arrival order.
    pub seen: Arc<Mutex<Vec<Value>>>,
}

impl Lsp {
    pub fn start(root: &Path) -> Lsp {
        Lsp::start_with(root, Options::default())
    }

    pub fn start_with(root: &Path, options: Options) -> Lsp {
        let mut cmd = Command::new(BIN);
        cmd.arg("--stdio")
            .envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        match &options.log {
            Some(path) => cmd
                .env("FORGE_LS_LOG", "debug")
                .stderr(std::fs::File::create(path).expect("log file")),
            None => cmd.env("FORGE_LS_LOG", "error").stderr(Stdio::null()),
        };
        let mut child = cmd.spawn().expect("spawn forge-ls");
        let settings = options.settings.clone();
        let action = options.message_action.clone();
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        let reject = Arc::new(AtomicBool::new(false));
        let slow = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        {
            let (stdin, reject, seen, slow) =
                (stdin.clone(), reject.clone(), seen.clone(), slow.clone());
            let configuration = json!([settings]);
            std::thread::spawn(move || {
                let mut r = BufReader::new(stdout);
                while let Some(msg) = read_message(&mut r) {
                    let Some(method) = msg["method"].as_str().map(str::to_string) else {
                        let _ = tx.send(msg);
                        continue;
                    };
                    seen.lock().unwrap().push(msg.clone());
                    let Some(id) = msg.get("id").cloned() else {
                        continue;
                    };
                    if method == "workspace/applyEdit" && slow.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    let result = match method.as_str() {
                        "workspace/applyEdit" if reject.load(Ordering::SeqCst) => {
                            json!({"applied": false, "failureReason": "the test client refuses"})
                        }
                        "workspace/applyEdit" => match apply_edit(&msg["params"]["edit"]) {
                            Ok(()) => json!({"applied": true}),
                            Err(e) => json!({"applied": false, "failureReason": e}),
                        },
                        "window/showDocument" => json!({"success": true}),
                        "workspace/configuration" => configuration.clone(),
                        "window/showMessageRequest" => match &action {
                            Some(title) => json!({"title": title}),
                            None => Value::Null,
                        },
                        _ => Value::Null,
                    };
                    frame(
                        &mut *stdin.lock().unwrap(),
                        &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    );
                }
            });
        }
        let mut lsp = Lsp {
            child,
            stdin,
            responses: rx,
            stash: HashMap::new(),
            next_id: 0,
            reject_edits: reject,
            slow_edits: slow,
            seen,
        };
        let init = lsp.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "initializationOptions": options.settings,
                "capabilities": {
                    "general": {"positionEncodings": ["utf-8"]},
                    "workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}},
                    "window": {"showDocument": {"support": true}, "workDoneProgress": true}
                }
            }),
        );
        let commands = &init["result"]["capabilities"]["executeCommandProvider"]["commands"];
        assert!(commands
            .as_array()
            .unwrap()
            .contains(&json!("forge.builder.start")));
        lsp.notify("initialized", json!({}));
        lsp
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        frame(
            &mut *self.stdin.lock().unwrap(),
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    pub fn send(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        frame(
            &mut *self.stdin.lock().unwrap(),
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        id
    }

    pub fn wait(&mut self, id: i64) -> Value {
        loop {
            if let Some(v) = self.stash.remove(&id) {
                return v;
            }
            let v = self
                .responses
                .recv_timeout(Duration::from_secs(30))
                .expect("a response within 30 s");
            let got = v["id"].as_i64().unwrap_or(-1);
            if got == id {
                return v;
            }
            self.stash.insert(got, v);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        self.wait(id)
    }

    pub fn send_exec(&mut self, command: &str, arg: Value) -> i64 {
        self.send(
            "workspace/executeCommand",
            json!({"command": command, "arguments": [arg]}),
        )
    }

    pub fn result(v: Value) -> Result<Value, Value> {
        match v.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(v["result"].clone()),
        }
    }

    pub fn exec(&mut self, command: &str, arg: Value) -> Result<Value, Value> {
        let id = self.send_exec(command, arg);
        Lsp::result(self.wait(id))
    }

    pub fn ok(&mut self, command: &str, arg: Value) -> Value {
        self.exec(command, arg)
            .unwrap_or_else(|e| panic!("{command} failed: {e}"))
    }

    pub fn open(&mut self, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    pub fn close(&mut self, path: &Path) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(path)}}),
        );
    }

    pub fn seen(&self, method: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m["method"] == method)
            .count()
    }

    pub fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}
