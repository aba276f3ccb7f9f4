//! Request handlers: thin adapters from LSP params to the analysis, computed
//! on a snapshot. Each returns JSON or a JSON-RPC error.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItemKind,
    CompletionList, CompletionParams, CompletionResponse, DocumentSymbol, DocumentSymbolParams,
    DocumentSymbolResponse, FoldingRange, FoldingRangeKind, FoldingRangeParams, SymbolKind,
};

use super::convert;
use super::intel;
use super::shared::Shared;
use super::shared::Snapshot;
use forge_analysis::document::Document;
use forge_syntax::text::PositionEncoding;

/// The request methods the router answers itself (on a snapshot).
pub const METHODS: &[Method] = &[
    Method::new("textDocument/codeAction", false),
    Method::new("textDocument/documentSymbol", false),
    Method::new("textDocument/foldingRange", false),
    Method::new("workspace/executeCommand", false),
    Method::new("textDocument/codeLens", false),
    Method::new("textDocument/completion", true),
    Method::new("completionItem/resolve", true),
    Method::new("textDocument/hover", true),
    Method::new("textDocument/definition", true),
    Method::new("textDocument/references", true),
    Method::new("textDocument/prepareRename", true),
    Method::new("textDocument/rename", true),
    Method::new("textDocument/documentLink", true),
    Method::new("workspace/symbol", true),
];

/// A request the handlers answer.
pub struct Method {
    pub name: &'static str,
    /// The answer depends on the workspace index: right after start the request
    /// waits for the first scan instead of answering from an empty index.
    pub needs_index: bool,
}

impl Method {
    const fn new(name: &'static str, needs_index: bool) -> Method {
        Method { name, needs_index }
    }
}

/// The handled request called `name`.
pub fn method(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

pub async fn handle(
    method: &str,
    params: Value,
    snap: Snapshot,
    shared: Arc<Shared>,
    turn: Option<forge_builder::drafts::Turn>,
) -> Result<Value> {
    match method {
        "textDocument/codeAction" => {
            let p: CodeActionParams = parse(params)?;
            // Builder questions (§5) come after the quick fixes.
            let builder = super::questions::code_actions(&snap, &shared, &p).await;
            to_json(code_actions(&snap, p).map(|mut v| {
                v.extend(builder);
                v
            }))
        }
        "workspace/executeCommand" => super::commands::execute(params, snap, shared, turn).await,
        "textDocument/codeLens" => {
            let p: tower_lsp_server::ls_types::CodeLensParams = parse(params)?;
            match workflow_lens(&snap, &p) {
                Some(lens) => to_json(Some(vec![lens])),
                None => super::questions::code_lenses(&snap, &shared, p).await,
            }
        }
        "textDocument/documentSymbol" => to_json(document_symbols(&snap, parse(params)?)),
        "textDocument/foldingRange" => to_json(folding_ranges(&snap, parse(params)?)),
        "textDocument/completion" => {
            let p: CompletionParams = parse(params)?;
            // Builder answers for this spot (§5) come first, then the schema's completions.
            let builder = super::questions::question_completions(&snap, &shared, &p).await;
            let mut list = match intel::completion(&snap, p) {
                Some(CompletionResponse::List(l)) => l,
                Some(CompletionResponse::Array(items)) => CompletionList {
                    is_incomplete: false,
                    items,
                },
                None if builder.is_empty() => return Ok(Value::Null),
                None => CompletionList::default(),
            };
            // Where keys are completed (a blank frontmatter line), the keys come first and the
            // builder's answers after them; elsewhere the answers are what the spot is for.
            let mut builder = builder;
            if list
                .items
                .iter()
                .any(|i| i.kind == Some(CompletionItemKind::PROPERTY))
            {
                for item in &mut builder {
                    item.sort_text = Some(format!("~{}", item.label));
                }
            }
            list.items.splice(0..0, builder);
            to_json(CompletionResponse::List(list))
        }
        "completionItem/resolve" => to_json(intel::resolve_completion(&snap, parse(params)?)),
        "textDocument/hover" => to_json(intel::hover(&snap, parse(params)?)),
        "textDocument/definition" => to_json(intel::definition(&snap, parse(params)?)),
        "textDocument/references" => to_json(intel::references(&snap, parse(params)?)),
        "textDocument/prepareRename" => to_json(intel::prepare_rename(&snap, parse(params)?)?),
        "textDocument/rename" => to_json(intel::rename(&snap, parse(params)?)?),
        "textDocument/documentLink" => to_json(intel::document_links(&snap, parse(params)?)),
        "workspace/symbol" => to_json(intel::workspace_symbols(&snap, parse(params)?)),
        _ => Err(Error::method_not_found()),
    }
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T> {
    serde_json::from_value(params)
        .map_err(|e| Error::invalid_params(format!("invalid parameters: {e}")))
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|_| Error::internal_error())
}

fn code_actions(snap: &Snapshot, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let doc = snap.doc(&p.text_document.uri)?;
    let enc = snap.encoding;
    let want = doc.offset(convert::line_col(p.range.start), enc)
        ..doc.offset(convert::line_col(p.range.end), enc);
    let wants_quickfix = p.context.only.as_ref().is_none_or(|only| {
        only.iter()
            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
    });
    if !wants_quickfix {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    // Two diagnostics on one spot may fix it the same way (an invalid skill name whose slug is
    // its folder's name): the edit is listed once, under the first diagnostic's title.
    let mut listed: Vec<&[forge_syntax::diagnostic::Edit]> = Vec::new();
    // Cross-file diagnostics carry fixes too (a near-miss skill name, a tier).
    let cross = snap.cross.get(&doc.path).into_iter().flatten();
    for d in doc.analysis().diagnostics.iter().chain(cross) {
        let overlaps = d.range.start <= want.end && want.start <= d.range.end;
        if !overlaps {
            continue;
        }
        if let Some(a) = rename_file_action(snap, doc, d, enc) {
            out.push(a);
        }
        for fix in &d.fixes {
            if listed.contains(&fix.edits.as_slice()) {
                continue;
            }
            listed.push(&fix.edits);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::diagnostic(doc, d, enc)]),
                edit: Some(convert::workspace_edit(
                    &p.text_document.uri,
                    doc,
                    &fix.edits,
                    enc,
                )),
                is_preferred: Some(d.fixes.len() == 1),
                ..Default::default()
            }));
        }
    }
    Some(out)
}

/// `skill-file-name`'s fix renames the file itself to `SKILL.md`, which only a
/// client that accepts rename operations in workspace edits can apply.
fn rename_file_action(
    snap: &Snapshot,
    doc: &Document,
    d: &forge_syntax::diagnostic::Diagnostic,
    enc: PositionEncoding,
) -> Option<CodeActionOrCommand> {
    use forge_analysis::rules::skill_file_name;
    use tower_lsp_server::ls_types::{
        DocumentChangeOperation, DocumentChanges, RenameFile, RenameFileOptions, ResourceOp, Uri,
        WorkspaceEdit,
    };
    if d.code != forge_syntax::codes::SKILL_FILE_NAME.id
        || !snap.caps.resource_rename
        || !skill_file_name::is_misnamed(&doc.path)
    {
        return None;
    }
    let new = doc.path.with_file_name(skill_file_name::NAME);
    let op = RenameFile {
        old_uri: Uri::from_file_path(&doc.path)?,
        new_uri: Uri::from_file_path(&new)?,
        options: Some(RenameFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(false),
        }),
        annotation_id: None,
    };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Rename the file to `{}`", skill_file_name::NAME),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![convert::diagnostic(doc, d, enc)]),
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(vec![
                DocumentChangeOperation::Op(ResourceOp::Rename(op)),
            ])),
            ..Default::default()
        }),
        is_preferred: Some(true),
        ..Default::default()
    }))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be filled in.
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: tower_lsp_server::ls_types::Range,
    selection: tower_lsp_server::ls_types::Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.trim().is_empty() {
            "(empty)".into()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: if children.is_empty() {
            None
        } else {
            Some(children)
        },
    }
}

fn frontmatter_symbols(doc: &Document, enc: PositionEncoding) -> Vec<DocumentSymbol> {
    let a = doc.analysis();
    let mut out = Vec::new();
    if let Some(root) = &a.yaml {
        fn walk(
            doc: &Document,
            node: &forge_syntax::yaml::Node,
            enc: PositionEncoding,
            depth: usize,
        ) -> Vec<DocumentSymbol> {
            let Some(entries) = node.as_map() else {
                return Vec::new();
            };
            entries
                .iter()
                .map(|e| {
                    let name = e.key.as_str().unwrap_or("?").to_string();
                    let children = if depth < 4 {
                        walk(doc, &e.value, enc, depth + 1)
                    } else {
                        Vec::new()
                    };
                    let detail = e.value.as_str().map(|s| s.chars().take(60).collect());
                    let kind = match e.value.kind() {
                        forge_syntax::yaml::Kind::Map => SymbolKind::OBJECT,
                        forge_syntax::yaml::Kind::Seq => SymbolKind::ARRAY,
                        _ => SymbolKind::PROPERTY,
                    };
                    let full = e.key.span.start..e.value.span.end.max(e.key.span.end);
                    symbol(
                        name,
                        detail,
                        kind,
                        convert::doc_range(doc, full, enc),
                        convert::doc_range(doc, e.key.span.clone(), enc),
                        children,
                    )
                })
                .collect()
        }
        out = walk(doc, root, enc, 0);
    }
    for f in &a.fields {
        let end = f
            .items
            .last()
            .map_or(f.value_range.end, |(_, r)| r.end)
            .max(f.key_range.end);
        let detail = (!f.value.is_empty()).then(|| f.value.clone());
        out.push(symbol(
            f.key.clone(),
            detail,
            SymbolKind::PROPERTY,
            convert::doc_range(doc, f.key_range.start..end, enc),
            convert::doc_range(doc, f.key_range.clone(), enc),
            Vec::new(),
        ));
    }
    for att in &a.attachments {
        let name = format!("skills.{}", att.key);
        out.push(symbol(
            name,
            att.skill_name.as_ref().map(|s| s.0.clone()),
            SymbolKind::MODULE,
            convert::doc_range(doc, att.key_range.clone(), enc),
            convert::doc_range(doc, att.key_range.clone(), enc),
            Vec::new(),
        ));
    }
    out
}

/// A workflow's lens: its steps and trigger summary (a label; there is nothing to run).
fn workflow_lens(
    snap: &Snapshot,
    p: &tower_lsp_server::ls_types::CodeLensParams,
) -> Option<tower_lsp_server::ls_types::CodeLens> {
    let doc = snap.doc(&p.text_document.uri)?;
    if doc.kind != forge_analysis::FileKind::Workflow {
        return None;
    }
    let info = doc.analysis().workflow.as_ref()?;
    let (title, range) = forge_analysis::workspace::workflow::lens(info);
    Some(tower_lsp_server::ls_types::CodeLens {
        range: convert::doc_range(doc, range, snap.encoding),
        command: Some(tower_lsp_server::ls_types::Command {
            title,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    })
}

fn document_symbols(snap: &Snapshot, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let doc = snap.doc(&p.text_document.uri)?;
    let enc = snap.encoding;
    if doc.kind == forge_analysis::FileKind::Workflow {
        let info = doc.analysis().workflow.as_ref()?;
        let syms = forge_analysis::workspace::workflow::symbols(info)
            .into_iter()
            .map(|w| {
                symbol(
                    w.name,
                    w.detail,
                    if w.step {
                        SymbolKind::FUNCTION
                    } else {
                        SymbolKind::EVENT
                    },
                    convert::doc_range(doc, w.range, enc),
                    convert::doc_range(doc, w.selection, enc),
                    Vec::new(),
                )
            })
            .collect();
        return Some(DocumentSymbolResponse::Nested(syms));
    }
    let mut out = frontmatter_symbols(doc, enc);
    // Headings nest by level.
    let mut stack: Vec<(u8, DocumentSymbol)> = Vec::new();
    let headings = &doc.analysis().outline.headings;
    let flush =
        |stack: &mut Vec<(u8, DocumentSymbol)>, out: &mut Vec<DocumentSymbol>, level: u8| {
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                let (_, sym) = stack.pop().expect("checked non-empty");
                match stack.last_mut() {
                    Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(sym),
                    None => out.push(sym),
                }
            }
        };
    for h in headings {
        flush(&mut stack, &mut out, h.level);
        let sym = symbol(
            h.text.clone(),
            None,
            SymbolKind::STRING,
            convert::doc_range(doc, h.section.clone(), enc),
            convert::doc_range(doc, h.range.clone(), enc),
            Vec::new(),
        );
        stack.push((h.level, sym));
    }
    flush(&mut stack, &mut out, 0);
    Some(DocumentSymbolResponse::Nested(out))
}

/// Byte spans of the tables of a TOML file: from a `[header]` line to the last non-blank line
/// before the next header. A line scan, so a half-typed file still folds.
fn toml_tables(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            out.push(offset..offset + line.trim_end().len());
        } else if !t.is_empty() && !t.starts_with('#') {
            if let Some(last) = out.last_mut() {
                last.end = offset + line.trim_end().len();
            }
        }
        offset += line.len();
    }
    out
}

fn folding_ranges(snap: &Snapshot, p: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let doc = snap.doc(&p.text_document.uri)?;
    let idx = doc.line_index();
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, kind: Option<FoldingRangeKind>| {
        let (s, e) = (
            idx.line_of(start) as u32,
            idx.line_of(end.saturating_sub(1).max(start)) as u32,
        );
        if e > s {
            out.push(FoldingRange {
                start_line: s,
                start_character: None,
                end_line: e,
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    let a = doc.analysis();
    let text = doc.text();
    if doc.kind == forge_analysis::FileKind::Workflow {
        for r in a
            .workflow
            .iter()
            .flat_map(forge_analysis::workspace::workflow::folds)
        {
            push(r.start, r.end, Some(FoldingRangeKind::Region));
        }
        return Some(out);
    }
    if doc.kind == forge_analysis::FileKind::SkillsToml {
        for table in toml_tables(text) {
            push(table.start, table.end, Some(FoldingRangeKind::Region));
        }
        return Some(out);
    }
    if let Ok(fm) =
        forge_syntax::frontmatter::frame(text, forge_syntax::frontmatter::Framing::Lenient)
    {
        push(fm.open.start, fm.close.end, Some(FoldingRangeKind::Region));
    }
    for h in &a.outline.headings {
        let mut end = h.section.end;
        while end > h.section.start && text.as_bytes()[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        push(h.range.start, end, None);
    }
    for c in &a.outline.comments {
        push(c.start, c.end, Some(FoldingRangeKind::Comment));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::toml_tables;

    #[test]
    fn toml_tables_span_their_keys() {
        let text = "# header comment\n[skills.a]\nskill_name = \"a\"\n\n[skills.a.overrides]\nx = \"1\"\n\n# trailing\n";
        let spans: Vec<&str> = toml_tables(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            spans,
            vec![
                "[skills.a]\nskill_name = \"a\"",
                "[skills.a.overrides]\nx = \"1\""
            ]
        );
    }
}
