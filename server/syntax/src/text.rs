//! Byte offsets ↔ line/column positions.
//!
//! Analysis works on byte ranges into the document text; this module is the one
//! place where they become [`LineCol`]s in the negotiated encoding (UTF-8 or
//! UTF-16). Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says.
//! The protocol layer maps `LineCol` to its own position type field by field.

use std::ops::Range;

/// A zero-based line and a column in the negotiated unit (LSP's `Position`, without LSP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct LineCol {
    pub line: u32,
    pub character: u32,
}

impl LineCol {
    pub const fn new(line: u32, character: u32) -> LineCol {
        LineCol { line, character }
    }
}

/// A range of [`LineCol`]s, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct LineColRange {
    pub start: LineCol,
    pub end: LineCol,
}

impl LineColRange {
    pub const fn new(start: LineCol, end: LineCol) -> LineColRange {
        LineColRange { start, end }
    }
}

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

    pub fn position(&self, text: &str, offset: usize, enc: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let character = enc.len_of(&text[start..offset]);
        LineCol::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, range: Range<usize>, enc: PositionEncoding) -> LineColRange {
        LineColRange::new(
            self.position(text, range.start, enc),
            self.position(text, range.end.max(range.start), enc),
        )
    }

    /// Byte offset of `pos`; a column past the end of its line means the line's
    /// end and a line past the end means the end of the text (LSP's rule).
    pub fn offset(&self, text: &str, pos: LineCol, enc: PositionEncoding) -> usize {
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

/// How many leading and how many trailing items `a` and `b` share, the two runs never overlapping:
/// what stays around the one change that turns `a` into `b`.
pub fn common_ends<T: PartialEq>(a: &[T], b: &[T]) -> (usize, usize) {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - pre;
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    (pre, suf)
}

/// The whole lines `range` of `text` touches: from the start of the line holding `range.start`
/// to the end of the line holding `range.end`, its line break left out. Without building a
/// [`LineIndex`], for a look at a few places of a long text.
pub fn line_span(text: &str, range: Range<usize>) -> Range<usize> {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    start..end
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

/// An edit of a whole document expressed the way a completion item must carry it: a main edit on
/// the cursor's line (the LSP requires it to be single-line and to contain the cursor) plus
/// additional edits elsewhere that do not overlap it. Byte ranges in the old text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorEdit {
    pub main: (Range<usize>, String),
    pub additional: Vec<(Range<usize>, String)>,
}

/// Splits the change `old` → `new` around the line holding `offset`: the changed lines (common
/// leading and trailing lines kept) are written at the cursor's line when they touch it, else the
/// cursor's line is left alone and the change goes in one additional edit.
pub fn cursor_edit(old: &str, new: &str, offset: usize) -> CursorEdit {
    let (oi, ni) = (LineIndex::new(old), LineIndex::new(new));
    fn line_text<'t>(ix: &LineIndex, t: &'t str, l: usize) -> &'t str {
        let end = if l + 1 < ix.line_count() {
            ix.line_start(l + 1)
        } else {
            t.len()
        };
        &t[ix.line_start(l)..end]
    }
    let (on, nn) = (oi.line_count(), ni.line_count());
    let pre = (0..on.min(nn))
        .take_while(|&l| line_text(&oi, old, l) == line_text(&ni, new, l))
        .count();
    let suf = (0..(on - pre).min(nn - pre))
        .take_while(|&k| line_text(&oi, old, on - 1 - k) == line_text(&ni, new, nn - 1 - k))
        .count();
    let start_of = |ix: &LineIndex, t: &str, l: usize, n: usize| {
        if l < n {
            ix.line_start(l)
        } else {
            t.len()
        }
    };
    let (mut hs, mut he) = (
        start_of(&oi, old, pre, on),
        start_of(&oi, old, on - suf, on),
    );
    let (ns, ne) = (
        start_of(&ni, new, pre, nn),
        start_of(&ni, new, nn - suf, nn),
    );
    let mut replacement = new[ns..ne].to_string();

    let offset = floor_char_boundary(old, offset);
    let line = oi.line_of(offset);
    let cursor_line = oi.line_range(old, line);
    let next_line = start_of(&oi, old, line + 1, on);
    // Touching: the hunk contains the cursor's line or borders it.
    if hs <= next_line && cursor_line.start <= he {
        if cursor_line.start < hs {
            replacement.insert_str(0, &old[cursor_line.start..hs]);
            hs = cursor_line.start;
        }
        if he < next_line {
            replacement.push_str(&old[he..next_line]);
            he = next_line;
        }
        let mut additional = Vec::new();
        if hs < cursor_line.start {
            additional.push((hs..cursor_line.start, String::new()));
        }
        if cursor_line.end < he {
            additional.push((cursor_line.end..he, String::new()));
        }
        return CursorEdit {
            main: (cursor_line, replacement),
            additional,
        };
    }
    CursorEdit {
        main: (offset..offset, String::new()),
        additional: vec![(hs..he, replacement)],
    }
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
            LineCol::new(0, 7)
        );
        assert_eq!(
            idx.position(text, z, PositionEncoding::Utf8),
            LineCol::new(0, 12)
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
            idx.offset(text, LineCol::new(0, 99), PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol::new(9, 0), PositionEncoding::Utf16),
            6
        );
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_rounds_forward_to_a_char() {
        let text = "😀a";
        let idx = LineIndex::new(text);
        // Column 1 is inside the emoji; the next boundary is after it.
        assert_eq!(
            idx.offset(text, LineCol::new(0, 1), PositionEncoding::Utf16),
            4
        );
    }

    fn apply(old: &str, e: &CursorEdit) -> String {
        let mut edits: Vec<_> = e.additional.iter().chain([&e.main]).cloned().collect();
        edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
        let mut out = old.to_string();
        for (r, t) in edits {
            out.replace_range(r, &t);
        }
        out
    }

    #[test]
    fn cursor_edits_rebuild_the_new_text_and_keep_the_main_edit_on_the_cursor_line() {
        let cases = [
            ("a\n## Bou\nc\n", "a\nc\n## Boundaries\n- x\n", 7),
            ("a\nb\nc\n", "a\nb\nc\n## Boundaries\n", 2),
            (
                "---\nmodel: \n---\n",
                "---\nmodel: gpt-4o\nprovider: openai\n---\n",
                10,
            ),
            ("x\r\ny\r\n", "x\r\ny\r\nz\r\n", 4),
            ("one\n\nthree\n\nfive", "ONE\n\nthree\n\nfive", 13),
            ("", "---\nname: a\n---\n", 0),
            ("keep\n", "keep\n", 2),
        ];
        for (old, new, at) in cases {
            let e = cursor_edit(old, new, at);
            assert_eq!(apply(old, &e), new, "{old:?} -> {new:?} at {at}");
            let ix = LineIndex::new(old);
            let line = ix.line_range(old, ix.line_of(at));
            let (r, _) = &e.main;
            assert!(r.start >= line.start && r.end <= line.end, "{e:?}");
            assert!(r.start <= at && at <= r.end.max(r.start), "{e:?}");
            for (a, _) in &e.additional {
                assert!(a.end <= r.start || a.start >= r.end, "overlap {e:?}");
            }
        }
    }
}
