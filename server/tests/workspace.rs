//! Workspace intelligence: the fixture workspaces under
//! `tests/fixtures/workspaces/`, checked through the pure functions and end to
//! end through the real binary over stdio.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/workspaces")
        .canonicalize()
        .expect("fixtures exist")
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// A minimal LSP client over the binary's stdio.
struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
    /// Notifications seen so far, in order.
    notes: Vec<Value>,
}

impl Lsp {
    fn start(root: &Path, data_dir: &Path, caps: Value) -> Lsp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_forge-ls"))
            .env("BOTERNITY_DATA_DIR", data_dir)
            .env("FORGE_LS_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn forge-ls");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&buf).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            rx,
            next_id: 0,
            notes: Vec::new(),
        };
        lsp.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "capabilities": caps,
            }),
        );
        lsp.notify("initialized", json!({}));
        lsp
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Handle one incoming message: answer server requests, keep notifications.
    fn pump(&mut self, timeout: Duration) -> Option<Value> {
        let msg = self.rx.recv_timeout(timeout).ok()?;
        if msg.get("method").is_some() && msg.get("id").is_some() {
            let result = match msg["method"].as_str() {
                Some("workspace/configuration") => json!([null]),
                _ => Value::Null,
            };
            self.send(json!({"jsonrpc": "2.0", "id": msg["id"], "result": result}));
            return None;
        }
        if msg.get("method").is_some() {
            self.notes.push(msg);
            return None;
        }
        Some(msg)
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(resp) = self.pump(Duration::from_millis(100)) {
                if resp["id"] == json!(id) {
                    assert!(resp.get("error").is_none(), "{method}: {resp}");
                    return resp["result"].clone();
                }
            }
        }
        panic!("no answer to {method}");
    }

    /// Pump until `pred` holds for the latest diagnostics per URI.
    fn wait_diagnostics(
        &mut self,
        what: &str,
        pred: impl Fn(&HashMap<String, Vec<Value>>) -> bool,
    ) -> HashMap<String, Vec<Value>> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let diags = self.diagnostics();
            if pred(&diags) {
                return diags;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {diags:#?}"
            );
            self.pump(Duration::from_millis(50));
        }
    }

    fn diagnostics(&self) -> HashMap<String, Vec<Value>> {
        let mut out = HashMap::new();
        for n in &self.notes {
            if n["method"] == "textDocument/publishDiagnostics" {
                out.insert(
                    n["params"]["uri"].as_str().unwrap().to_string(),
                    n["params"]["diagnostics"].as_array().unwrap().clone(),
                );
            }
        }
        out
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn full_caps() -> Value {
    json!({
        "window": {"workDoneProgress": true},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]},
            "configuration": true
        },
        "textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}
    })
}

/// A copy of a fixture workspace in a temp dir, so tests can edit it.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(name), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn closed_files_get_cross_file_diagnostics_and_fixing_the_cause_clears_them() {
    let tmp = copy_fixture("cycle");
    let root = tmp.path().canonicalize().unwrap();
    let mut lsp = Lsp::start(&root, &root.join("no-data"), full_caps());
    let members = ["alpha", "beta", "gamma"].map(|n| uri(&root.join(n).join("SKILL.md")));
    lsp.wait_diagnostics("the cycle on every member", |d| {
        members.iter().all(|m| {
            d.get(m)
                .is_some_and(|v| codes(v) == vec!["skill-inheritance-cycle"])
        })
    });
    // Progress was reported around the scan.
    let kinds: Vec<&str> = lsp
        .notes
        .iter()
        .filter(|n| n["method"] == "$/progress")
        .filter_map(|n| n["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"));
    assert_eq!(kinds.last(), Some(&"end"));
    // Break the cycle on disk, as another tool would, and tell the server.
    let gamma = root.join("gamma/SKILL.md");
    let text = std::fs::read_to_string(&gamma)
        .unwrap()
        .replace("  parents: [alpha]\n", "");
    std::fs::write(&gamma, text).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gamma), "type": 2}]}),
    );
    lsp.wait_diagnostics("every cycle diagnostic cleared", |d| {
        members
            .iter()
            .all(|m| d.get(m).is_some_and(|v| v.is_empty()))
    });
    lsp.stop();
}

#[test]
fn an_open_document_wins_over_the_disk_and_edits_update_other_files() {
    let tmp = copy_fixture("missing-dependency");
    let root = tmp.path().canonicalize().unwrap();
    let mut lsp = Lsp::start(&root, &root.join("no-data"), full_caps());
    let writer = uri(&root.join("report-writer/SKILL.md"));
    lsp.wait_diagnostics("the missing dependency", |d| {
        d.get(&writer)
            .is_some_and(|v| codes(v) == vec!["skill-unknown-reference"])
    });
    // Rename table-tools in the editor (unsaved): report-writer's reference breaks.
    let tools = root.join("table-tools/SKILL.md");
    let text = std::fs::read_to_string(&tools).unwrap();
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&tools), "languageId": "markdown", "version": 1,
            "text": text.replace("name: table-tools", "name: table-tool")}}),
    );
    lsp.wait_diagnostics("two unknown references", |d| {
        d.get(&writer).is_some_and(|v| codes(v).len() == 2)
    });
    // A watched-file event for the open file is ignored: the editor's text wins.
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&tools), "type": 2}]}),
    );
    let hover = lsp.request("workspace/symbol", json!({"query": "table"}));
    let names: Vec<&str> = hover
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"table-tool"), "{names:?}");
    // Closing reverts to the disk copy.
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&tools)}}),
    );
    lsp.wait_diagnostics("back to one unknown reference", |d| {
        d.get(&writer)
            .is_some_and(|v| codes(v) == vec!["skill-unknown-reference"])
    });
    lsp.stop();
}
