//! Puts every incoming message in order before any handler runs.
//!
//! `tower-lsp-server` calls `Service::call` for each message synchronously and
//! in arrival order, but then runs the returned futures concurrently, so an
//! `.await` in one handler lets a later `didChange` overtake it. Here, in
//! `call`, document notifications go straight into the state task's channel
//! and each request enqueues a snapshot request at its place in the order; the
//! request is then computed on that snapshot, concurrently with others.
//! Lifecycle messages (`initialize`, `shutdown`, `exit`) go to tower-lsp.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_lsp_server::ls_types::{DidChangeWatchedFilesParams, FileChangeType, FileEvent};

use super::handlers;
use super::shared::{Msg, Shared, RUNNING, SHUT_DOWN, UNINITIALIZED};

const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_millis(250);

pub struct Router<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Router<S> {
    pub fn new(inner: S, shared: Arc<Shared>) -> Self {
        Router { inner, shared }
    }
}

fn notification<T: serde::de::DeserializeOwned>(params: Option<Value>) -> Option<T> {
    match serde_json::from_value(params.unwrap_or(Value::Null)) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!("ignoring a notification with invalid parameters: {e}");
            None
        }
    }
}

type Fut<E> = BoxFuture<'static, Result<Option<Response>, E>>;

impl<S> Service<Request> for Router<S>
where
    S: Service<Request, Response = Option<Response>> + Send,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Fut<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let method = req.method().to_string();
        let lifecycle = self.shared.lifecycle.load(Ordering::SeqCst);
        let done =
            |r: Option<Response>| -> Fut<S::Error> { Box::pin(futures::future::ready(Ok(r))) };
        match method.as_str() {
            "initialize" | "initialized" | "shutdown" | "exit" => {
                return Box::pin(self.inner.call(req))
            }
            "$/cancelRequest" => {
                let (_, _, params) = req.into_parts();
                if let Some(id) = params
                    .and_then(|p| p.get("id").cloned())
                    .and_then(|id| serde_json::from_value::<Id>(id).ok())
                {
                    if let Some(token) = self
                        .shared
                        .cancels
                        .lock()
                        .ok()
                        .and_then(|m| m.get(&id).cloned())
                    {
                        token.cancel();
                    }
                }
                return done(None);
            }
            _ => {}
        }
        let (_, id, params) = req.into_parts();
        let Some(id) = id else {
            // A notification: document state changes go to the state task, in order.
            if lifecycle != RUNNING {
                return done(None);
            }
            let msg = match method.as_str() {
                "textDocument/didOpen" => notification(params).map(Msg::Open),
                "textDocument/didChange" => notification(params).map(Msg::Change),
                "textDocument/didClose" => notification(params).map(Msg::Close),
                "workspace/didChangeWatchedFiles" => notification(params).map(Msg::Watched),
                // Folder operations in the editor: the same as the watcher's folder events.
                "workspace/didCreateFiles"
                | "workspace/didDeleteFiles"
                | "workspace/didRenameFiles" => folder_operation(&method, params).map(Msg::Watched),
                "workspace/didChangeWorkspaceFolders" => notification(params).map(Msg::Folders),
                "workspace/didChangeConfiguration" => {
                    let settings = params
                        .and_then(|mut p| p.get_mut("settings").map(Value::take))
                        .unwrap_or(Value::Null);
                    if settings.is_null() {
                        // A pull-model client: ask for the section again.
                        if let Some(client) = self.shared.client.get().cloned() {
                            let shared = self.shared.clone();
                            tokio::spawn(async move {
                                super::server::pull_settings(&client, &shared).await
                            });
                        }
                        None
                    } else {
                        Some(Msg::Settings(settings))
                    }
                }
                _ => None,
            };
            if let Some(msg) = msg {
                self.shared.send(msg);
            }
            return done(None);
        };
        if lifecycle == UNINITIALIZED {
            let err = Error {
                code: ErrorCode::ServerError(-32002),
                message: "the server is not initialized yet: send `initialize` first".into(),
                data: None,
            };
            return done(Some(Response::from_error(id, err)));
        }
        if lifecycle == SHUT_DOWN {
            let err = Error {
                code: ErrorCode::InvalidRequest,
                message: "the server is shutting down: only `exit` is accepted now".into(),
                data: None,
            };
            return done(Some(Response::from_error(id, err)));
        }
        let Some(handled) = handlers::method(&method) else {
            let err = Error {
                code: ErrorCode::MethodNotFound,
                message: format!("forge-ls does not handle `{method}`").into(),
                data: None,
            };
            return done(Some(Response::from_error(id, err)));
        };
        // Builder commands on one session keep their arrival order (see `commands::queue_turn`).
        let turn = (method == "workspace/executeCommand")
            .then(|| super::commands::queue_turn(&self.shared, params.as_ref()))
            .flatten();
        // A preview is built from the index, so like navigation it waits for the first scan.
        let needs_index = handled.needs_index
            || (method == "workspace/executeCommand"
                && params
                    .as_ref()
                    .and_then(|p| p.get("command"))
                    .and_then(Value::as_str)
                    .is_some_and(|c| super::preview::COMMANDS.contains(&c)));
        let (snap_tx, snap_rx) = oneshot::channel();
        self.shared.send(Msg::Snapshot(snap_tx, needs_index));
        let token = CancellationToken::new();
        if let Ok(mut m) = self.shared.cancels.lock() {
            m.insert(id.clone(), token.clone());
        }
        let shared = self.shared.clone();
        let arrived = std::time::Instant::now();
        Box::pin(async move {
            let result = match snap_rx.await {
                Err(_) => Err(Error::internal_error()),
                Ok(snap) => {
                    let work = AssertUnwindSafe(handlers::handle(
                        &method,
                        params.unwrap_or(Value::Null),
                        snap,
                        shared.clone(),
                        turn,
                    ))
                    .catch_unwind();
                    tokio::select! {
                        r = work => r.unwrap_or_else(|_| {
                            tracing::error!("handler for {method} panicked");
                            Err(Error { code: ErrorCode::InternalError, message: format!("forge-ls hit an internal error handling `{method}`; please report it").into(), data: None })
                        }),
                        _ = token.cancelled() => Err(Error::request_cancelled()),
                    }
                }
            };
            if let Ok(mut m) = shared.cancels.lock() {
                m.remove(&id);
            }
            // Time in the server (the snapshot wait included, the JSON encoding not).
            let took = arrived.elapsed();
            if took >= SLOW_REQUEST {
                tracing::info!("{method} took {took:?}");
            } else {
                tracing::debug!("{method} took {took:?}");
            }
            Ok(Some(Response::from_parts(id, result)))
        })
    }
}

/// A `workspace/did{Create,Delete,Rename}Files` notification as the watched-file events it stands
/// for (a rename is the old folder deleted and the new one created).
fn folder_operation(method: &str, params: Option<Value>) -> Option<DidChangeWatchedFilesParams> {
    let files = params?.get("files")?.as_array()?.clone();
    let event = |uri: &Value, typ| {
        Some(FileEvent {
            uri: serde_json::from_value(uri.clone()).ok()?,
            typ,
        })
    };
    let changes = files
        .iter()
        .flat_map(|f| match method {
            "workspace/didRenameFiles" => vec![
                event(&f["oldUri"], FileChangeType::DELETED),
                event(&f["newUri"], FileChangeType::CREATED),
            ],
            "workspace/didDeleteFiles" => vec![event(&f["uri"], FileChangeType::DELETED)],
            _ => vec![event(&f["uri"], FileChangeType::CREATED)],
        })
        .flatten()
        .collect();
    Some(DidChangeWatchedFilesParams { changes })
}
