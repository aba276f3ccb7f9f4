//! The protocol layer: transport and lifecycle from `tower-lsp-server`, state
//! changes applied strictly in arrival order by one task (`state`), requests
//! computed on the state as of the messages received before them (`router`).
//! Conversions between analysis types and LSP types live in `convert`.

mod commands;
pub mod convert;
mod handlers;
mod host;
mod indexer;
mod intel;
mod models;
mod preview;
mod questions;
mod router;
mod server;
mod shared;
mod souls;
mod state;
mod stop;
pub mod transport;
mod workspace;

use std::process::ExitCode;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tower_lsp_server::{LspService, Server};

pub use shared::Snapshot;

/// Serve LSP over stdin/stdout until `exit`; exit code 0 after `shutdown`, 1 without.
pub fn run_stdio() -> ExitCode {
    init_logging();
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let shared = runtime.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(shared::Shared::new(tx));
        let for_init = shared.clone();
        let (service, socket) = LspService::new(move |client| {
            state::spawn(rx, for_init.tx.clone(), client.clone());
            let _ = for_init.client.set(client.clone());
            server::Backend::new(client, for_init)
        });
        let service = router::Router::new(service, shared.clone());
        let exited = CancellationToken::new();
        let eof = CancellationToken::new();
        let service = stop::ExitWatch {
            inner: service,
            token: exited.clone(),
        };
        // tower-lsp-server reads and writes in-memory pipes; `transport` guards the real ones.
        let (server_in, server_out) = transport::spawn(tokio::io::stdin(), tokio::io::stdout());
        let stdin = stop::EofWatch {
            inner: server_in,
            token: eof.clone(),
        };
        let serve = Server::new(stdin, server_out, socket).serve(service);
        tokio::select! {
            _ = serve => {}
            // After `exit`, nothing pending matters.
            _ = exited.cancelled() => {}
            // The client is gone; give in-flight responses a moment to be written.
            _ = async {
                eof.cancelled().await;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            } => {}
        }
        shared
    });
    let code = if shared.shutdown_requested() { 0 } else { 1 };
    // Don't wait for background tasks (a pending stdin read, an LLM request): exit now.
    runtime.shutdown_background();
    ExitCode::from(code)
}

/// The multi-threaded runtime the servers run on; its failure is said on stderr.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("forge-ls: cannot start the async runtime: {e}");
            ExitCode::from(1)
        })
}

pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FORGE_LS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_ansi(false)
        .try_init();
}
