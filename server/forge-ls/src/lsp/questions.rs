//! The builder's questions in the files, over LSP: `forge_builder::offers` decides which answers
//! appear where; this turns them into completion items, code actions and the code lens.

use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeLens, CodeLensParams,
    Command, CompletionItem, CompletionItemKind, CompletionParams, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, Range, TextEdit, Uri,
};

use super::commands::view;
use super::convert;
use super::shared::Shared;
use super::shared::Snapshot;
use forge_analysis::document::Document;
use forge_builder::offers::{self, Lens, Offer, OpenFile};

fn bot_file<'a>(snap: &'a Snapshot, uri: &Uri) -> Option<&'a Arc<Document>> {
    snap.doc(uri).filter(|d| offers::is_bot_file(d.kind))
}

async fn offers_at(
    snap: &Snapshot,
    shared: &Shared,
    doc: &Document,
    at: Option<usize>,
) -> Vec<Offer> {
    let file = OpenFile {
        path: &doc.path,
        kind: doc.kind,
        text: doc.text(),
    };
    let can_create = shared.commands.abilities.create_files();
    offers::offers(&shared.commands.drafts, &view(snap), &file, at, can_create).await
}

/// The command that records an offer's answer in its session, if it has one.
fn record_command(o: &Offer) -> Option<Command> {
    let (id, option) = o.records.as_ref()?;
    Some(Command {
        title: "Record the builder answer".into(),
        command: "forge.builder.answer".into(),
        arguments: Some(vec![
            json!({"session_id": id, "answer": {"option": option}}),
        ]),
    })
}

/// Builder answers as completion items at the cursor: each item's main edit rewrites the
/// cursor's line, other lines of the file change through `additionalTextEdits`, and accepting it
/// records the answer in the bound session. Answers that would touch another file are left to the
/// code actions.
pub async fn question_completions(
    snap: &Snapshot,
    shared: &Shared,
    p: &CompletionParams,
) -> Vec<CompletionItem> {
    let pos = &p.text_document_position;
    let Some(doc) = bot_file(snap, &pos.text_document.uri) else {
        return Vec::new();
    };
    let text = doc.text();
    let at = doc.offset(convert::line_col(pos.position), snap.encoding);
    let range = |r| convert::doc_range(doc, r, snap.encoding);
    offers_at(snap, shared, doc, Some(at))
        .await
        .into_iter()
        .filter_map(|o| {
            let [w] = o.writes.as_slice() else {
                return None;
            };
            if w.path != doc.path {
                return None;
            }
            let e = forge_syntax::text::cursor_edit(text, w.new.as_deref()?, at);
            let (main, new_text) = e.main;
            let typed = &text[main.start..at.max(main.start)];
            Some(CompletionItem {
                label: o.label.clone(),
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(o.question.clone()),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: format!(
                        "{}\n\nWrites:\n```\n{}\n```",
                        o.title(),
                        new_text.trim_end()
                    ),
                })),
                // Builder answers first: they are what this spot is for.
                sort_text: Some(format!("!{}", o.label)),
                filter_text: Some(format!("{typed}{}", o.label)),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: range(main),
                    new_text,
                })),
                additional_text_edits: Some(
                    e.additional
                        .into_iter()
                        .map(|(r, new_text)| TextEdit {
                            range: range(r),
                            new_text,
                        })
                        .collect(),
                ),
                command: record_command(&o),
                ..Default::default()
            })
        })
        .collect()
}

/// Builder answers as code actions, appended after the quick fixes by `handlers`.
pub async fn code_actions(
    snap: &Snapshot,
    shared: &Shared,
    p: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let wanted = p.context.only.as_ref().is_none_or(|only| {
        only.iter().any(|k| {
            CodeActionKind::REFACTOR_REWRITE
                .as_str()
                .starts_with(k.as_str())
        })
    });
    let Some(doc) = bot_file(snap, &p.text_document.uri) else {
        return Vec::new();
    };
    if !wanted {
        return Vec::new();
    }
    // An answer is offered on the lines it fills, not on every line of the file.
    let lines = p.range.start.line as usize..=p.range.end.line as usize;
    offers_at(snap, shared, doc, None)
        .await
        .into_iter()
        .filter(|o| o.fills(&doc.path, lines.clone()))
        .filter_map(|o| {
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: o.title(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(convert::file_writes_edit(&o.writes, snap.encoding).ok()?),
                command: record_command(&o),
                ..Default::default()
            }))
        })
        .collect()
}

/// `textDocument/codeLens`: one lens at the top of a bot file naming its pending question, the
/// soul-version lenses, and the size of the prompt the file goes into.
pub async fn code_lenses(snap: &Snapshot, shared: &Shared, p: CodeLensParams) -> Result<Value> {
    let uri = &p.text_document.uri;
    let mut lenses: Vec<CodeLens> = Vec::new();
    if let Some(doc) = bot_file(snap, uri) {
        let file = OpenFile {
            path: &doc.path,
            kind: doc.kind,
            text: doc.text(),
        };
        let lens = offers::lens(&shared.commands.drafts, &view(snap), &file).await;
        let command = lens.map(|l| match l {
            Lens::Session { title, session_id } => Command {
                title,
                command: "forge.builder.session".into(),
                arguments: Some(vec![json!({ "session_id": session_id })]),
            },
            Lens::Unanswered { title, .. } => Command {
                title,
                command: "forge.builder.reconfigure".into(),
                arguments: Some(vec![json!({"uri": uri.to_string()})]),
            },
            Lens::Ritual { title, folder, .. } => Command {
                title,
                command: "forge.builder.start".into(),
                arguments: Some(vec![
                    json!({"mode": forge_builder::Mode::OpenclawWorkspace.as_str(), "folder": folder}),
                ]),
            },
        });
        lenses.extend(command.map(|c| CodeLens {
            range: Range::default(),
            command: Some(c),
            data: None,
        }));
        lenses.extend(super::souls::code_lenses(snap, uri));
    }
    if snap.doc(uri).is_some() {
        lenses.extend(super::preview::code_lenses(snap, shared, uri).await);
    }
    if lenses.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::to_value(lenses).map_err(|_| tower_lsp_server::jsonrpc::Error::internal_error())
}
