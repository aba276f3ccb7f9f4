//! Analysis types → LSP types: the only place byte ranges become positions.

use std::collections::HashMap;
use std::str::FromStr;

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticSeverity, NumberOrString, TextEdit,
    Uri, WorkspaceEdit,
};

use forge_analysis::document::Document;
use forge_builder::service::{FileWrite, ServiceError};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Edit, Severity};
use forge_syntax::text::{LineCol, LineColRange, LineIndex, PositionEncoding};
use tower_lsp_server::ls_types::{
    CreateFile, CreateFileOptions, DeleteFile, DeleteFileOptions, DocumentChangeOperation,
    DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range, ResourceOp,
    TextDocumentEdit,
};

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

// ---------- builder file changes ----------

/// Creates go first (`CreateFile`, then the text); existing files get one minimal range edit
/// against the text the plan was computed from.
pub fn file_writes_edit(
    writes: &[FileWrite],
    enc: PositionEncoding,
) -> std::result::Result<WorkspaceEdit, ServiceError> {
    let mut ops = Vec::new();
    for w in writes {
        let uri = Uri::from_file_path(&w.path).ok_or_else(|| {
            ServiceError::Conflict(format!("cannot make a URI of {}", w.path.display()))
        })?;
        let Some(new) = &w.new else {
            ops.push(DocumentChangeOperation::Op(ResourceOp::Delete(
                DeleteFile {
                    uri,
                    options: Some(DeleteFileOptions {
                        recursive: Some(false),
                        ignore_if_not_exists: Some(true),
                    }),
                    annotation_id: None,
                },
            )));
            continue;
        };
        let edit = match &w.old {
            None => {
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
                TextEdit {
                    range: Range::default(),
                    new_text: new.clone(),
                }
            }
            Some(old) => minimal_edit(old, new, enc),
        };
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(edit)],
        }));
    }
    Ok(WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: None,
    })
}

/// One edit replacing only the differing middle of `old` (common prefix and suffix kept), so the
/// editor's undo, cursor and folding are disturbed as little as possible.
pub fn minimal_edit(old: &str, new: &str, enc: PositionEncoding) -> TextEdit {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while pre > 0 && (!old.is_char_boundary(pre) || !new.is_char_boundary(pre)) {
        pre -= 1;
    }
    // Never split a CRLF: positions between \r and \n do not exist for the client.
    if pre > 0 && a[pre - 1] == b'\r' {
        pre -= 1;
    }
    let max_suf = a.len().min(b.len()) - pre;
    let mut suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    while suf > 0 && (!old.is_char_boundary(a.len() - suf) || !new.is_char_boundary(b.len() - suf))
    {
        suf -= 1;
    }
    if suf > 0 && a[a.len() - suf] == b'\n' && a.len() - suf > 0 && a[a.len() - suf - 1] == b'\r' {
        suf -= 1;
    }
    let index = LineIndex::new(old);
    TextEdit {
        range: range(index.range(old, pre..a.len() - suf, enc)),
        new_text: new[pre..b.len() - suf].to_string(),
    }
}

#[cfg(test)]
mod edit_tests {
    use super::*;

    fn apply_text(old: &str, e: &TextEdit, enc: PositionEncoding) -> String {
        let index = LineIndex::new(old);
        let off = |p| index.offset(old, line_col(p), enc);
        let (s, t) = (off(e.range.start), off(e.range.end));
        format!("{}{}{}", &old[..s], e.new_text, &old[t..])
    }

    #[test]
    fn minimal_edits_round_trip() {
        let cases = [
            ("a\r\nb\r\nc", "a\r\nB\r\nc"),
            ("tone: warm\n", "tone: calm\n"),
            ("héllo wörld", "héllo wörld!"),
            ("x\ry\rz", "x\rY\rz"),
            ("same", "same"),
            ("", "new"),
            ("old\r\n", "old\n"),
        ];
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            for (a, b) in cases {
                let e = minimal_edit(a, b, enc);
                assert_eq!(apply_text(a, &e, enc), b, "{a:?} → {b:?}");
            }
        }
        let e = minimal_edit(
            "tone: warm\nrest\n",
            "tone: calm\nrest\n",
            PositionEncoding::Utf8,
        );
        assert_eq!(e.new_text, "cal"); // "warm" → "calm" share only the final "m"
    }
}
