//! The client as an editor, for end-to-end builder tests: [`Client::editor`] spawns the real
//! `forge-ls` and answers its requests the way an editor does (applying `workspace/applyEdit` to
//! disk, answering `workspace/configuration` with the test's settings and
//! `window/showMessageRequest` with the test's choice); the builder commands get short helpers.
//! Every server→client message is kept in the inbox for assertions.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{json, Value};

use super::{apply_edits, outcome, Answers, Client, Shared, BIN};

pub use super::uri;

/// How the editor behaves beyond applying edits.
#[derive(Default)]
pub struct Options {
    /// The `forge` settings: `initializationOptions` and the answer to `workspace/configuration`.
    pub settings: Value,
    /// Extra environment of the server process (e.g. an API key variable).
    pub env: Vec<(String, String)>,
    /// Where the server's stderr goes, with `FORGE_LS_LOG=debug`; `None`: kept in memory, with
    /// `FORGE_LS_LOG=error`.
    pub log: Option<PathBuf>,
    /// The action title the user picks in a `window/showMessageRequest` (`None`: dismissed).
    pub message_action: Option<String>,
}

/// What the editor answers with.
pub(crate) struct Editor {
    configuration: Value,
    message_action: Option<String>,
}

impl Editor {
    /// The reply to the server→client request `req`.
    pub(crate) fn answer(&self, req: &Value, s: &Shared) -> Value {
        let method = req["method"].as_str().unwrap_or_default();
        if method == "workspace/applyEdit" && s.slow_edits.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(500));
        }
        let result = match method {
            "workspace/applyEdit" if s.reject_edits.load(Ordering::SeqCst) => {
                json!({"applied": false, "failureReason": "the test client refuses"})
            }
            "workspace/applyEdit" => match apply_edit(&req["params"]["edit"]) {
                Ok(()) => json!({"applied": true}),
                Err(e) => json!({"applied": false, "failureReason": e}),
            },
            "window/showDocument" => json!({"success": true}),
            "workspace/configuration" => self.configuration.clone(),
            "window/showMessageRequest" => match &self.message_action {
                Some(title) => json!({"title": title}),
                None => Value::Null,
            },
            _ => Value::Null,
        };
        json!({"jsonrpc": "2.0", "id": req["id"], "result": result})
    }
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

/// Applies LSP text edits (UTF-8 positions, as the editor negotiates) to a file on disk.
pub fn apply_text_edits(path: &Path, edits: &[Value]) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, apply_edits(&text, edits, true)).map_err(|e| e.to_string())
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
                Some("delete") => {
                    let p = path_of(op["uri"].as_str().unwrap());
                    match std::fs::remove_file(&p) {
                        Err(e)
                            if !(e.kind() == std::io::ErrorKind::NotFound
                                && op["options"]["ignoreIfNotExists"] == json!(true)) =>
                        {
                            return Err(format!("cannot delete {}: {e}", p.display()))
                        }
                        _ => {}
                    }
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

impl Client {
    /// `forge-ls --stdio` as an editor on the workspace folder `root`, initialized.
    pub fn editor(root: &Path) -> Client {
        Client::editor_with(root, Options::default())
    }

    pub fn editor_with(root: &Path, options: Options) -> Client {
        let mut cmd = Command::new(BIN);
        cmd.arg("--stdio")
            .envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let capture = match &options.log {
            Some(path) => {
                cmd.env("FORGE_LS_LOG", "debug")
                    .stderr(std::fs::File::create(path).expect("log file"));
                false
            }
            None => {
                cmd.env("FORGE_LS_LOG", "error");
                true
            }
        };
        let editor = Editor {
            configuration: json!([options.settings.clone()]),
            message_action: options.message_action.clone(),
        };
        let mut c = Client::launch(cmd, Answers::Editor(editor), capture);
        let init = c.initialize_with(json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
            "initializationOptions": options.settings,
            "capabilities": {
                "general": {"positionEncodings": ["utf-8"]},
                "workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}},
                "window": {"showDocument": {"support": true}, "workDoneProgress": true}
            }
        }));
        let commands = &init["capabilities"]["executeCommandProvider"]["commands"];
        assert!(commands
            .as_array()
            .unwrap()
            .contains(&json!("forge.builder.start")));
        c
    }

    /// From now on, refuse (`true`) or apply (`false`) the server's workspace edits.
    pub fn reject_edits(&self, reject: bool) {
        self.shared.reject_edits.store(reject, Ordering::SeqCst);
    }

    /// From now on, answer workspace edits only after a pause (to cancel a command meanwhile).
    pub fn slow_edits(&self, slow: bool) {
        self.shared.slow_edits.store(slow, Ordering::SeqCst);
    }

    /// Send `workspace/executeCommand` without waiting; returns its id.
    pub fn send_exec(&mut self, command: &str, arg: Value) -> i64 {
        self.request(
            "workspace/executeCommand",
            json!({"command": command, "arguments": [arg]}),
        )
    }

    /// Run a command: its result, or its error.
    pub fn exec(&mut self, command: &str, arg: Value) -> Result<Value, Value> {
        let id = self.send_exec(command, arg);
        outcome(self.response(id))
    }

    /// Run a command that must succeed.
    pub fn ok(&mut self, command: &str, arg: Value) -> Value {
        self.exec(command, arg)
            .unwrap_or_else(|e| panic!("{command} failed: {e}"))
    }

    /// `didOpen` of a file with its text on disk (version 1).
    pub fn open_file(&self, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        self.open(&uri(path), 1, &text);
    }

    pub fn close_file(&self, path: &Path) {
        self.close(&uri(path));
    }
}

pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// `forge-ls check` finds no error in `path`.
pub fn check_clean(path: &Path) {
    let out = std::process::Command::new(super::BIN)
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "forge-ls check found errors in {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}
