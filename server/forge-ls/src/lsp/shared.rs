//! The protocol layer's shared state, in one place: the messages the state task applies in
//! order (`Msg`), the immutable view of the world a request is computed on (`Snapshot`), and what
//! the router, the lifecycle handlers and `run_stdio` share (`Shared`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tower_lsp_server::jsonrpc::Id;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, Uri,
};
use tower_lsp_server::Client;

use forge_analysis::document::Document;
use forge_analysis::workspace::index::{FileEntry, Index};
use forge_analysis::workspace::rules::PerFile;
use forge_builder::settings::Settings;
use forge_syntax::text::PositionEncoding;

use super::indexer::ClientCaps;

/// Lifecycle states of the server.
pub(super) const UNINITIALIZED: u8 = 0;
pub(super) const RUNNING: u8 = 1;
pub(super) const SHUT_DOWN: u8 = 2;

/// Requests slower than this are logged at `info` (the rest at `debug`).
pub enum Msg {
    Init {
        encoding: PositionEncoding,
        folders: Vec<PathBuf>,
        settings: Value,
    },
    Open(DidOpenTextDocumentParams),
    Change(DidChangeTextDocumentParams),
    Close(DidCloseTextDocumentParams),
    Settings(Value),
    /// A request's view of the world; `true` when its answer depends on the workspace index (it
    /// then waits for the first scan, see [`Workspace::defer`]).
    Snapshot(oneshot::Sender<Snapshot>, bool),
    /// The wait of deferred requests for the first scan is over: answer them with what is known.
    IndexWaitOver,
    /// The client's capabilities, from `initialize`.
    Caps(ClientCaps),
    /// `initialized`: index the workspace.
    Scan,
    /// A scan finished (stale generations are dropped).
    Indexed {
        generation: u64,
        entries: Vec<FileEntry>,
    },
    Watched(DidChangeWatchedFilesParams),
    /// Files reloaded from disk: path, load sequence number, entry (None: gone).
    Loaded(Vec<(PathBuf, u64, Option<FileEntry>)>),
    Folders(DidChangeWorkspaceFoldersParams),
    /// Soul versions read from Boternity databases (`full`: every followed data directory).
    Souls {
        seq: u64,
        full: bool,
        ledger: forge_store::soul_versions::Ledger,
    },
    /// Re-read one data directory's database (after a save).
    SoulsRefresh(PathBuf),
    /// The configured provider's model list (`None`: the built-in table), from the listing of
    /// settings `generation`.
    Models {
        generation: u64,
        list: Option<Arc<forge_analysis::schema::ProviderModels>>,
    },
    /// Token budget diagnostics counted on the blocking pool for `path`, for the inputs `key`.
    Budget {
        path: PathBuf,
        key: u64,
        diags: Vec<forge_syntax::diagnostic::Diagnostic>,
    },
}

/// An immutable view of the world at one point in the message order.
#[derive(Clone, Default)]
pub struct Snapshot {
    pub encoding: PositionEncoding,
    pub settings: Arc<Settings>,
    pub folders: Arc<Vec<PathBuf>>,
    pub docs: Arc<HashMap<Uri, Arc<Document>>>,
    pub caps: Arc<ClientCaps>,
    /// Every bot and skill file; open documents' text wins over the disk.
    pub index: Arc<Index>,
    /// Cross-file diagnostics of the index, per file.
    pub cross: Arc<PerFile>,
    /// The global skill library (read-only), if any.
    pub library: Option<Arc<PathBuf>>,
    /// Soul versions of the Boternity data directories in the workspace.
    pub souls: Arc<forge_store::soul_versions::Ledger>,
    /// The models the configured LLM provider listed, once known (else the built-in table).
    pub models: Option<Arc<forge_analysis::schema::ProviderModels>>,
    /// What was last said about bad settings: the same settings sent again say nothing more.
    pub settings_warnings: Arc<Vec<String>>,
}

impl Snapshot {
    pub fn doc(&self, uri: &Uri) -> Option<&Arc<Document>> {
        self.docs.get(uri)
    }
}

impl Snapshot {
    /// The text of `path` as the server sees it: the open document, else the index.
    pub fn text_of(&self, path: &std::path::Path) -> Option<Arc<str>> {
        self.index.file(path).map(|f| f.text.clone())
    }
}

/// State shared by the router, the lifecycle handlers and `run_stdio`.
pub struct Shared {
    pub tx: mpsc::UnboundedSender<Msg>,
    pub client: OnceLock<Client>,
    pub(super) lifecycle: AtomicU8,
    pub(super) cancels: Mutex<HashMap<Id, CancellationToken>>,
    /// The builder commands' drafts store, session locks and client capabilities.
    pub commands: super::commands::CommandState,
    /// `forge.bot.preview`'s exact counts and debounce.
    pub preview: super::preview::PreviewState,
}

impl Shared {
    pub fn new(tx: mpsc::UnboundedSender<Msg>) -> Shared {
        Shared {
            tx,
            client: OnceLock::new(),
            lifecycle: AtomicU8::new(UNINITIALIZED),
            cancels: Mutex::new(HashMap::new()),
            commands: Default::default(),
            preview: Default::default(),
        }
    }

    pub fn set_running(&self) {
        self.lifecycle.store(RUNNING, Ordering::SeqCst);
    }

    pub fn set_shut_down(&self) {
        self.lifecycle.store(SHUT_DOWN, Ordering::SeqCst);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.lifecycle.load(Ordering::SeqCst) == SHUT_DOWN
    }

    pub(super) fn send(&self, msg: Msg) {
        // The state task only stops when the process does.
        let _ = self.tx.send(msg);
    }
}
