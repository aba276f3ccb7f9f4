//! Request handlers for the workspace features (completion, hover,
//! definition, references, rename, workspace symbols, document links): LSP
//! params in, the pure functions of `forge_analysis::workspace` on the snapshot, LSP
//! results out.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use super::shared::Snapshot;
use forge_analysis::dialect::Dialect;
use forge_analysis::workspace::complete::{self, ItemKind};
use forge_analysis::workspace::{hover, navigate, workflow};
use forge_analysis::FileKind;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::text::LineIndex;

/// A file as a request sees it: text and line index (the open document's when open).
struct View {
    kind: FileKind,
    path: std::path::PathBuf,
    text: Arc<str>,
    lines: LineIndex,
}

impl View {
    fn of(snap: &Snapshot, uri: &Uri) -> Option<View> {
        if let Some(doc) = snap.doc(uri) {
            return Some(View {
                kind: doc.kind,
                path: doc.path.clone(),
                text: doc.text().clone(),
                lines: doc.line_index().clone(),
            });
        }
        let path = uri.to_file_path()?.into_owned();
        let kind = FileKind::from_path(&path).or_else(|| snap.index.file(&path).map(|e| e.kind))?;
        let text = snap.text_of(&path)?;
        let lines = LineIndex::new(&text);
        Some(View {
            kind,
            path,
            text,
            lines,
        })
    }

    fn offset(&self, snap: &Snapshot, pos: Position) -> usize {
        self.lines
            .offset(&self.text, super::convert::line_col(pos), snap.encoding)
    }

    fn range(&self, snap: &Snapshot, r: Range<usize>) -> tower_lsp_server::ls_types::Range {
        super::convert::range(self.lines.range(&self.text, r, snap.encoding))
    }
}

/// The step id, bot, skill or workflow at `offset` of a workflow file, with its range.
fn workflow_target_range(
    snap: &Snapshot,
    v: &View,
    offset: usize,
) -> Option<(workflow::Target, Range<usize>)> {
    if v.kind != FileKind::Workflow {
        return None;
    }
    let info = snap.index.file(&v.path)?.workflow.as_ref()?;
    workflow::target_at(info, offset)
}

fn workflow_target(snap: &Snapshot, v: &View, offset: usize) -> Option<workflow::Target> {
    workflow_target_range(snap, v, offset).map(|(t, _)| t)
}

/// A location in any indexed file.
fn location(snap: &Snapshot, path: &Path, range: Range<usize>) -> Option<Location> {
    let uri = Uri::from_file_path(path)?;
    let v = View::of(snap, &uri)?;
    Some(Location {
        range: v.range(snap, range),
        uri,
    })
}

fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803), // RequestFailed
        message: message.into(),
        data: None,
    }
}

pub fn completion(snap: &Snapshot, p: CompletionParams) -> Option<CompletionResponse> {
    let uri = &p.text_document_position.text_document.uri;
    let v = View::of(snap, uri)?;
    let offset = v.offset(snap, p.text_document_position.position);
    let opts = complete::Options {
        snippets: snap.caps.snippets,
        lazy_skill_docs: true,
        models: snap.models.as_deref(),
        ..Default::default()
    };
    let dialect =
        forge_analysis::dialect::detect(v.kind, &v.path, &v.text, snap.settings.profile).dialect;
    let c = complete::complete(
        v.kind,
        &v.path,
        &v.text,
        offset,
        &snap.index,
        opts,
        Some(dialect),
    );
    let items = c
        .items
        .into_iter()
        .enumerate()
        .map(|(i, it)| CompletionItem {
            label: it.label.clone(),
            kind: Some(match it.kind {
                ItemKind::Field => CompletionItemKind::PROPERTY,
                ItemKind::Value => CompletionItemKind::ENUM_MEMBER,
                ItemKind::Skill => CompletionItemKind::MODULE,
                ItemKind::Section => CompletionItemKind::KEYWORD,
                ItemKind::Table => CompletionItemKind::STRUCT,
            }),
            // A skill's documentation is sent on `completionItem/resolve`: hundreds of skill
            // pages in every list would dominate the response at 10,000 skills.
            documentation: (it.kind != ItemKind::Skill).then_some(Documentation::MarkupContent(
                MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: it.doc,
                },
            )),
            data: (it.kind == ItemKind::Skill).then(|| serde_json::json!({ "skill": &it.label })),
            detail: it.detail,
            // Keep our order (best match first).
            sort_text: Some(format!("{i:05}")),
            filter_text: it.filter,
            // Plain text is the default.
            insert_text_format: it.snippet.then_some(InsertTextFormat::SNIPPET),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: v.range(snap, it.replace),
                new_text: it.insert,
            })),
            ..Default::default()
        })
        .collect();
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: c.incomplete,
        items,
    }))
}

/// `completionItem/resolve`: the documentation of a skill name item.
pub fn resolve_completion(snap: &Snapshot, mut item: CompletionItem) -> CompletionItem {
    let skill = item
        .data
        .as_ref()
        .and_then(|d| d.get("skill"))
        .and_then(|s| s.as_str());
    if let Some(doc) = skill.and_then(|name| complete::skill_doc(&snap.index, name)) {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: doc,
        }));
    }
    item
}

fn diagnostics_of(snap: &Snapshot, path: &Path) -> Vec<Diagnostic> {
    let mut d: Vec<Diagnostic> = snap
        .index
        .file(path)
        .map(|f| f.diagnostics.clone())
        .unwrap_or_default();
    d.extend(snap.cross.get(path).into_iter().flatten().cloned());
    if let Some(f) = snap.index.file(path) {
        d.extend(snap.souls.integrity(path, &f.text));
    }
    d
}

pub fn hover(snap: &Snapshot, p: HoverParams) -> Option<Hover> {
    let uri = &p.text_document_position_params.text_document.uri;
    let v = View::of(snap, uri)?;
    let offset = v.offset(snap, p.text_document_position_params.position);
    let diags = diagnostics_of(snap, &v.path);
    let detection =
        forge_analysis::dialect::detect(v.kind, &v.path, &v.text, snap.settings.profile);
    let found = hover::hover(
        v.kind,
        &v.path,
        &v.text,
        offset,
        &snap.index,
        &diags,
        Some(&detection),
    );
    // A model the provider listed: its own name for it comes first.
    let listed = snap
        .models
        .as_deref()
        .filter(|_| v.kind == FileKind::Identity && detection.dialect == Dialect::Boternity)
        .and_then(|l| hover::listed_model(&v.text, offset, l));
    let found = match (listed, found) {
        (Some((page, range)), Some((table, _))) => {
            Some((format!("{page}\n\n---\n\n{table}"), range))
        }
        (listed, found) => listed.or(found),
    };
    let souls = super::souls::hover(snap, &v.path, &v.text, offset);
    let (md, range) = match (found, souls) {
        (Some((md, range)), Some((history, _))) => (format!("{md}\n\n---\n\n{history}"), range),
        (found, souls) => found.or(souls)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: Some(v.range(snap, range)),
    })
}

pub fn definition(snap: &Snapshot, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let uri = &p.text_document_position_params.text_document.uri;
    let v = View::of(snap, uri)?;
    let offset = v.offset(snap, p.text_document_position_params.position);
    let found = match workflow_target(snap, &v, offset) {
        Some(t) => workflow::definition(&snap.index, &v.path, &t),
        None => navigate::definition(
            &snap.index,
            &navigate::skill_at(&snap.index, &v.path, offset)?.name,
        ),
    };
    let locs: Vec<Location> = found
        .into_iter()
        .filter_map(|(path, range)| location(snap, &path, range))
        .collect();
    (!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs))
}

pub fn references(snap: &Snapshot, p: ReferenceParams) -> Option<Vec<Location>> {
    let uri = &p.text_document_position.text_document.uri;
    let v = View::of(snap, uri)?;
    let offset = v.offset(snap, p.text_document_position.position);
    let found = match workflow_target(snap, &v, offset) {
        Some(t) => workflow::references(&snap.index, &v.path, &t, p.context.include_declaration),
        None => navigate::references(
            &snap.index,
            &navigate::skill_at(&snap.index, &v.path, offset)?.name,
            p.context.include_declaration,
        ),
    };
    Some(
        found
            .into_iter()
            .filter_map(|(path, range)| location(snap, &path, range))
            .collect(),
    )
}

pub fn prepare_rename(
    snap: &Snapshot,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(v) = View::of(snap, &p.text_document.uri) else {
        return Ok(None);
    };
    let offset = v.offset(snap, p.position);
    if let Some((workflow::Target::Step(id), range)) = workflow_target_range(snap, &v, offset) {
        return Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: v.range(snap, range),
            placeholder: id,
        }));
    }
    let r = navigate::prepare_rename(&snap.index, &v.path, offset).map_err(failed)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: v.range(snap, r.range),
        placeholder: r.name,
    }))
}

pub fn rename(snap: &Snapshot, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let uri = &p.text_document_position.text_document.uri;
    let Some(v) = View::of(snap, uri) else {
        return Ok(None);
    };
    let offset = v.offset(snap, p.text_document_position.position);
    let plan = match workflow_target_range(snap, &v, offset) {
        // A step id: its workflow only.
        Some((workflow::Target::Step(id), _)) => navigate::RenamePlan {
            edits: workflow::rename_step(&snap.index, &v.path, &id, &p.new_name).map_err(failed)?,
            folders: Vec::new(),
        },
        _ => {
            let r = navigate::prepare_rename(&snap.index, &v.path, offset).map_err(failed)?;
            navigate::rename(&snap.index, &r.name, &p.new_name).map_err(failed)?
        }
    };
    let mut file_edits: Vec<(Uri, Option<i32>, Vec<TextEdit>)> = Vec::new();
    for (path, edits) in &plan.edits {
        let Some(uri) = Uri::from_file_path(path) else {
            continue;
        };
        let Some(view) = View::of(snap, &uri) else {
            continue;
        };
        let version = snap.doc(&uri).map(|d| d.version);
        let edits = edits
            .iter()
            .map(|e| TextEdit {
                range: view.range(snap, e.range.clone()),
                new_text: e.new_text.clone(),
            })
            .collect();
        file_edits.push((uri, version, edits));
    }
    if snap.caps.document_changes {
        let mut ops: Vec<DocumentChangeOperation> = file_edits
            .into_iter()
            .map(|(uri, version, edits)| {
                DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                })
            })
            .collect();
        // The folder moves after its files are edited, when the client can.
        if snap.caps.resource_rename {
            for (old, new) in &plan.folders {
                if let (Some(old_uri), Some(new_uri)) =
                    (Uri::from_file_path(old), Uri::from_file_path(new))
                {
                    ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
                        RenameFile {
                            old_uri,
                            new_uri,
                            options: Some(RenameFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(false),
                            }),
                            annotation_id: None,
                        },
                    )));
                }
            }
        }
        return Ok(Some(WorkspaceEdit {
            changes: None,
            document_changes: Some(DocumentChanges::Operations(ops)),
            change_annotations: None,
        }));
    }
    let changes: HashMap<Uri, Vec<TextEdit>> = file_edits
        .into_iter()
        .map(|(uri, _, edits)| (uri, edits))
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }))
}

pub fn workspace_symbols(snap: &Snapshot, p: WorkspaceSymbolParams) -> WorkspaceSymbolResponse {
    let syms = navigate::workspace_symbols(&snap.index, &p.query, 256)
        .into_iter()
        .filter_map(|s| {
            let loc = location(snap, &s.path, s.range)?;
            Some(WorkspaceSymbol {
                name: s.name,
                kind: match s.kind {
                    navigate::SymbolKind::Skill => SymbolKind::MODULE,
                    navigate::SymbolKind::Bot => SymbolKind::CLASS,
                },
                tags: None,
                container_name: s.detail,
                location: OneOf::Left(loc),
                data: None,
            })
        })
        .collect();
    WorkspaceSymbolResponse::Nested(syms)
}

pub fn document_links(snap: &Snapshot, p: DocumentLinkParams) -> Option<Vec<DocumentLink>> {
    let v = View::of(snap, &p.text_document.uri)?;
    let f = snap.index.file(&v.path)?;
    Some(
        f.links
            .iter()
            .filter_map(|l| {
                Some(DocumentLink {
                    range: v.range(snap, l.range.clone()),
                    target: Some(Uri::from_file_path(&l.target)?),
                    tooltip: Some(l.target.display().to_string()),
                    data: None,
                })
            })
            .collect(),
    )
}
