//! Byte offsets ↔ LSP positions.
//!
//! Analysis works on byte ranges into the document text; this module is the one
//! place where they become `Position`s in the negotiated encoding (UTF-8 or
//! UTF-16). Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says.

use std::ops::Range;
use tower_lsp_server::ls_types::{Position, Range as LspRange};

/// The column unit negotiated with the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// Width of `s` in this encoding's code units.
    pub fn len_of(self, s: &str) -> usize {
        match self {
            PositionEncoding::Utf8 => s.len(),
            PositionEncoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        }
    }
}

/// Start offsets of every line of a text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A `\r` directly followed by `\n` ends its line at the `\n`.
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i + 1);
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Zero-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of `line` without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn position(&self, text: &str, offset: usize, enc: PositionEncoding) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let character = enc.len_of(&text[start..offset]);
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, range: Range<usize>, enc: PositionEncoding) -> LspRange {
        LspRange::new(
            self.position(text, range.start, enc),
            self.position(text, range.end.max(range.start), enc),
        )
    }

    /// Byte offset of `pos`; a column past the end of its line means the line's
    /// end and a line past the end means the end of the text (LSP's rule).
    pub fn offset(&self, text: &str, pos: Position, enc: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        let line_text = &text[range.clone()];
        let want = pos.character as usize;
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= want {
                return range.start + i;
            }
            units += match enc {
                PositionEncoding::Utf8 => ch.len_utf8(),
                PositionEncoding::Utf16 => ch.len_utf16(),
            };
        }
        range.end
    }
}

/// The largest char boundary at or before `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_lf_crlf_and_cr() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_range(text, 1), 2..3);
        assert_eq!(idx.line_range(text, 2), 5..6);
        assert_eq!(&text[idx.line_range(text, 3)], "d");
    }

    #[test]
    fn columns_count_code_units_of_the_encoding() {
        let text = "x: 😀é字z\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap();
        assert_eq!(
            idx.position(text, z, PositionEncoding::Utf16),
            Position::new(0, 7)
        );
        assert_eq!(
            idx.position(text, z, PositionEncoding::Utf8),
            Position::new(0, 12)
        );
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let p = idx.position(text, z, enc);
            assert_eq!(idx.offset(text, p, enc), z);
        }
    }

    #[test]
    fn offsets_clamp_past_line_and_text_end() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, Position::new(0, 99), PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, Position::new(9, 0), PositionEncoding::Utf16),
            6
        );
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_rounds_forward_to_a_char() {
        let text = "😀a";
        let idx = LineIndex::new(text);
        // Column 1 is inside the emoji; the next boundary is after it.
        assert_eq!(
            idx.offset(text, Position::new(0, 1), PositionEncoding::Utf16),
            4
        );
    }
}
