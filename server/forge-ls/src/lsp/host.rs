//! What the builder service asks of its surface, done over LSP: `$/progress` while a model is
//! asked, `window/showMessage` for warnings and model errors, `window/showMessageRequest` for a
//! yes/no question, `workspace/applyEdit` for file changes.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;
use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{
    ClientCapabilities, MessageActionItem, MessageType, NumberOrString, ProgressToken,
    ResourceOperationKind,
};
use tower_lsp_server::Client;

use forge_builder::commands::{Host, Progress};
use forge_builder::service::{FileWrite, ServiceError};
use forge_syntax::text::PositionEncoding;

/// How long the client may take to accept a `window/workDoneProgress/create`.
pub(super) const PROGRESS_CREATE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the client said it can do, as far as the builder cares.
#[derive(Default)]
pub struct ClientAbilities {
    caps: std::sync::OnceLock<ClientCapabilities>,
}

impl ClientAbilities {
    pub fn set(&self, caps: ClientCapabilities) {
        let _ = self.caps.set(caps);
    }

    /// Whether the client accepts server-initiated `window/workDoneProgress/create`.
    pub fn work_done_progress(&self) -> bool {
        self.caps
            .get()
            .and_then(|c| c.window.as_ref())
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false)
    }

    /// Whether workspace edits may create files.
    pub fn create_files(&self) -> bool {
        self.resource_op(ResourceOperationKind::Create)
    }

    /// Whether workspace edits may delete files.
    pub fn delete_files(&self) -> bool {
        self.resource_op(ResourceOperationKind::Delete)
    }

    fn resource_op(&self, kind: ResourceOperationKind) -> bool {
        self.caps
            .get()
            .and_then(|c| c.workspace.as_ref())
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&kind))
    }
}

/// The host of one command.
pub struct LspHost<'a> {
    pub client: Option<&'a Client>,
    pub abilities: &'a ClientAbilities,
    pub encoding: PositionEncoding,
    /// The client's `workDoneToken` for this command, if it sent one.
    pub progress_token: Option<ProgressToken>,
}

impl Host for LspHost<'_> {
    /// Progress starts (`window/workDoneProgress/create` if the client sent no token, then
    /// `begin`) with the first message, so a step that never calls the model shows none.
    fn progress(&self, title: &str) -> Option<Progress> {
        let client = self.client?.clone();
        let given = self.progress_token.clone();
        if given.is_none() && !self.abilities.work_done_progress() {
            return None;
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let title = title.to_string();
        let task = tokio::spawn(async move {
            let Some(first) = rx.recv().await else {
                return;
            };
            let token = match given {
                Some(t) => t,
                None => {
                    let token =
                        NumberOrString::String(format!("forge-ls/llm/{}", uuid::Uuid::new_v4()));
                    let create = client.create_work_done_progress(token.clone());
                    match tokio::time::timeout(PROGRESS_CREATE_TIMEOUT, create).await {
                        Ok(Ok(())) => token,
                        _ => return,
                    }
                }
            };
            let p = client
                .progress(token, title)
                .with_message(first)
                .begin()
                .await;
            while let Some(m) = rx.recv().await {
                p.report(m).await;
            }
            p.finish().await;
        });
        // `done` drops the sender (the report's own clone goes with the model) and waits.
        let report_tx = tx.clone();
        Some(Progress {
            report: std::sync::Arc::new(move |m| {
                let _ = report_tx.send(m);
            }),
            done: async move {
                drop(tx);
                let _ = task.await;
            }
            .boxed(),
        })
    }

    fn warn(&self, message: String) -> BoxFuture<'_, ()> {
        self.show(MessageType::WARNING, message)
    }

    fn error(&self, message: String) -> BoxFuture<'_, ()> {
        self.show(MessageType::ERROR, message)
    }

    fn confirm(
        &self,
        question: String,
        yes: &'static str,
        no: &'static str,
    ) -> BoxFuture<'_, bool> {
        async move {
            let Some(client) = self.client else {
                return false;
            };
            let actions = [yes, no]
                .iter()
                .map(|t| MessageActionItem {
                    title: t.to_string(),
                    properties: Default::default(),
                })
                .collect();
            let choice = client
                .show_message_request(MessageType::WARNING, question, Some(actions))
                .await;
            matches!(choice, Ok(Some(a)) if a.title == yes)
        }
        .boxed()
    }

    fn apply<'a>(
        &'a self,
        writes: &'a [FileWrite],
        label: &'a str,
    ) -> BoxFuture<'a, Result<(), ServiceError>> {
        async move {
            if writes.is_empty() {
                return Ok(());
            }
            if writes.iter().any(|w| w.old.is_none()) && !self.abilities.create_files() {
                return Err(ServiceError::Conflict(format!(
                    "{label} needs to create files, but this editor does not support creating files through workspace edits (workspace.workspaceEdit.resourceOperations: create)"
                )));
            }
            // An editor that cannot delete files gets the rest as an edit; the deletions are
            // done on disk once it applied that, and only of files still as the plan saw them.
            let on_disk = !self.abilities.delete_files();
            let (deletes, edits): (Vec<FileWrite>, Vec<FileWrite>) = writes
                .iter()
                .cloned()
                .partition(|w| w.new.is_none() && on_disk);
            let edit = super::convert::file_writes_edit(&edits, self.encoding)?;
            let client = self
                .client
                .ok_or_else(|| ServiceError::Conflict("no client to apply the edit".into()))?;
            match client.apply_edit(edit).await {
                Ok(r) if r.applied => forge_builder::commands::DiskHost
                    .apply(&deletes, label)
                    .await,
                Ok(r) => Err(ServiceError::Conflict(format!(
                    "the editor did not apply the {label} edit{}; nothing was written and the draft is kept",
                    r.failure_reason
                        .map(|why| format!(" ({why})"))
                        .unwrap_or_default()
                ))),
                Err(e) => Err(ServiceError::Conflict(format!(
                    "the editor failed to apply the {label} edit ({}); the draft is kept",
                    e.message
                ))),
            }
        }
        .boxed()
    }
}

impl LspHost<'_> {
    fn show(&self, kind: MessageType, message: String) -> BoxFuture<'_, ()> {
        async move {
            if let Some(client) = self.client {
                client.show_message(kind, message).await;
            }
        }
        .boxed()
    }
}
