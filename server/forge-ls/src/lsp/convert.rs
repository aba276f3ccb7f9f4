//! Analysis types → LSP types: the only place byte ranges become positions.

use std::collections::HashMap;
use std::str::FromStr;

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticSeverity, NumberOrString, TextEdit,
    Uri, WorkspaceEdit,
};

use forge_analysis::document::Document;
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Edit, Severity};
use forge_syntax::text::{LineCol, LineColRange, LineIndex, PositionEncoding};
use tower_lsp_server::ls_types::{Position, Range};

pub fn position(p: LineCol) -> Position {
    Position::new(p.line, p.character)
}

pub fn range(r: LineColRange) -> Range {
    Range::new(position(r.start), position(r.end))
}

pub fn line_col(p: Position) -> LineCol {
    LineCol::new(p.line, p.character)
}

pub fn line_col_range(r: Range) -> LineColRange {
    LineColRange::new(line_col(r.start), line_col(r.end))
}

/// The LSP range of a byte range of an open document.
pub fn doc_range(doc: &Document, bytes: std::ops::Range<usize>, enc: PositionEncoding) -> Range {
    range(doc.range(bytes, enc))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(doc: &Document, d: &Diagnostic, enc: PositionEncoding) -> LspDiagnostic {
    diagnostic_in(doc.text(), doc.line_index(), d, enc)
}

/// A diagnostic of any text (an open document or an indexed file).
pub fn diagnostic_in(
    text: &str,
    idx: &LineIndex,
    d: &Diagnostic,
    enc: PositionEncoding,
) -> LspDiagnostic {
    LspDiagnostic {
        range: range(idx.range(text, d.range.clone(), enc)),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Uri::from_str(&codes::docs_url(d.code))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("forge-ls".into()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}

pub fn text_edits(doc: &Document, edits: &[Edit], enc: PositionEncoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            range: doc_range(doc, e.range.clone(), enc),
            new_text: e.new_text.clone(),
        })
        .collect()
}

pub fn workspace_edit(
    uri: &Uri,
    doc: &Document,
    edits: &[Edit],
    enc: PositionEncoding,
) -> WorkspaceEdit {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), text_edits(doc, edits, enc));
    WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }
}
