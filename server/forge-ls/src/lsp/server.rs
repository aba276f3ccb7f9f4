//! Lifecycle: `initialize` negotiates the position encoding and capabilities,
//! `initialized` pulls settings, `shutdown` marks the exit code.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::indexer::ClientCaps;
use super::shared::Msg;
use super::shared::Shared;
use forge_syntax::text::PositionEncoding;

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    caps: std::sync::OnceLock<ClientCaps>,
}

impl Backend {
    pub fn new(client: Client, shared: Arc<Shared>) -> Backend {
        Backend {
            client,
            shared,
            caps: std::sync::OnceLock::new(),
        }
    }
}

fn negotiate_encoding(params: &InitializeParams) -> PositionEncoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

fn folders(params: &InitializeParams) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)] // Older clients send only `rootUri`.
    if out.is_empty() {
        if let Some(p) = params.root_uri.as_ref().and_then(|u| u.to_file_path()) {
            out.push(p.into_owned());
        }
    }
    out
}

/// Ask the client for the `forge` section (pull model) and apply it.
pub async fn pull_settings(client: &Client, shared: &Shared) {
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some("forge".into()),
    }];
    if let Ok(mut values) = client.configuration(items).await {
        if let Some(v) = values.pop().filter(|v| !v.is_null()) {
            let _ = shared.tx.send(Msg::Settings(v));
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_encoding(&params);
        let settings = params.initialization_options.clone().unwrap_or(Value::Null);
        let _ = self.shared.tx.send(Msg::Init {
            encoding,
            folders: folders(&params),
            settings,
        });
        self.shared
            .commands
            .abilities
            .set(params.capabilities.clone());
        let caps = ClientCaps::from(&params.capabilities);
        let _ = self.caps.set(caps.clone());
        let _ = self.shared.tx.send(Msg::Caps(caps));
        self.shared.set_running();
        let position_encoding = Some(match encoding {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        });
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "forge-ls".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding,
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        ..Default::default()
                    },
                )),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: super::commands::COMMANDS
                        .iter()
                        .chain(super::souls::COMMANDS)
                        .chain(super::preview::COMMANDS)
                        .map(|c| c.to_string())
                        .collect(),
                    ..Default::default()
                }),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        [":", " ", "[", ",", "-", "\"", "#", "."]
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                    resolve_provider: Some(true),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    // Folders created, moved or deleted in the editor, anywhere in the workspace:
                    // the watcher only sees folders in `skills/` and `bots/` trees.
                    file_operations: Some({
                        let folders = || {
                            Some(FileOperationRegistrationOptions {
                                filters: vec![FileOperationFilter {
                                    scheme: Some("file".into()),
                                    pattern: FileOperationPattern {
                                        glob: "**/*".into(),
                                        matches: Some(FileOperationPatternKind::Folder),
                                        options: None,
                                    },
                                }],
                            })
                        };
                        WorkspaceFileOperationsServerCapabilities {
                            did_create: folders(),
                            did_rename: folders(),
                            did_delete: folders(),
                            ..Default::default()
                        }
                    }),
                }),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("forge-ls {} initialized", env!("CARGO_PKG_VERSION"));
        // A client that never answers must not keep the workspace unindexed.
        let pulled = pull_settings(&self.client, &self.shared);
        if tokio::time::timeout(std::time::Duration::from_secs(5), pulled)
            .await
            .is_err()
        {
            tracing::warn!(
                "no answer to workspace/configuration; indexing with the settings we have"
            );
        }
        // After the settings, so the scan (and the file watchers the state
        // task registers with it) see `boternityDataDir`.
        let _ = self.shared.tx.send(Msg::Scan);
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.set_shut_down();
        Ok(())
    }
}
