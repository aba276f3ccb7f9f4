//! An open document: a rope edited incrementally, its text and analysis
//! computed lazily and shared by every request that reads this version.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ropey::Rope;

use crate::rules::Profile;
use crate::{Analysis, FileKind};
use forge_syntax::text::{LineCol, LineColRange, LineIndex, PositionEncoding};

/// One version of a document; immutable once built, so snapshots can share it.
pub struct Document {
    pub path: PathBuf,
    pub kind: FileKind,
    pub version: i32,
    pub profile: Profile,
    /// OpenClaw's truncation limits (settings).
    pub limits: crate::rules::openclaw_workspace::Limits,
    rope: Rope,
    text: OnceLock<Arc<str>>,
    index: OnceLock<LineIndex>,
    analysis: OnceLock<Arc<Analysis>>,
}

impl Document {
    pub fn new(
        path: PathBuf,
        kind: FileKind,
        version: i32,
        text: &str,
        profile: Profile,
    ) -> Document {
        Document::from_rope(path, kind, version, Rope::from_str(text), profile)
    }

    fn from_rope(
        path: PathBuf,
        kind: FileKind,
        version: i32,
        rope: Rope,
        profile: Profile,
    ) -> Document {
        Document {
            path,
            kind,
            version,
            profile,
            limits: Default::default(),
            rope,
            text: OnceLock::new(),
            index: OnceLock::new(),
            analysis: OnceLock::new(),
        }
    }

    /// The next version after applying `changes` (a range, `None` for the whole text, and the new
    /// text) in order; ropes share structure, so this is cheap.
    pub fn edited<'a>(
        &self,
        version: i32,
        changes: impl IntoIterator<Item = (Option<LineColRange>, &'a str)>,
        enc: PositionEncoding,
    ) -> Document {
        let mut rope = self.rope.clone();
        for (range, text) in changes {
            apply_change(&mut rope, range, text, enc);
        }
        Document::from_rope(self.path.clone(), self.kind, version, rope, self.profile)
            .with_limits(self.limits)
    }

    /// This document analysed under other OpenClaw limits.
    pub fn with_limits(mut self, limits: crate::rules::openclaw_workspace::Limits) -> Document {
        self.limits = limits;
        self
    }

    /// The same text under another profile (settings changed).
    pub fn with_profile(&self, profile: Profile) -> Document {
        Document::from_rope(
            self.path.clone(),
            self.kind,
            self.version,
            self.rope.clone(),
            profile,
        )
        .with_limits(self.limits)
    }

    /// The same version analysed again: what it reads besides its text changed on disk (a
    /// skill's bundled scripts).
    pub fn reanalysed(&self) -> Document {
        self.with_profile(self.profile)
    }

    pub fn text(&self) -> &Arc<str> {
        self.text.get_or_init(|| {
            // Straight from the chunks: `to_string` goes through the formatter.
            let mut s = String::with_capacity(self.rope.len_bytes());
            for chunk in self.rope.chunks() {
                s.push_str(chunk);
            }
            Arc::from(s)
        })
    }

    pub fn line_index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text()))
    }

    pub fn analysis(&self) -> &Arc<Analysis> {
        self.analysis.get_or_init(|| {
            Arc::new(crate::analyze_with(
                self.kind,
                &self.path,
                self.text(),
                &crate::Options {
                    profile: self.profile,
                    limits: self.limits,
                },
            ))
        })
    }

    pub fn range(&self, bytes: std::ops::Range<usize>, enc: PositionEncoding) -> LineColRange {
        self.line_index().range(self.text(), bytes, enc)
    }

    pub fn offset(&self, pos: LineCol, enc: PositionEncoding) -> usize {
        self.line_index().offset(self.text(), pos, enc)
    }
}

/// Apply one content change to the rope; a change without a range replaces everything.
pub fn apply_change(
    rope: &mut Rope,
    range: Option<LineColRange>,
    text: &str,
    enc: PositionEncoding,
) {
    let Some(range) = range else {
        *rope = Rope::from_str(text);
        return;
    };
    let start = char_at(rope, range.start, enc);
    let end = char_at(rope, range.end, enc).max(start);
    rope.remove(start..end);
    rope.insert(start, text);
}

/// The char index of an LSP position, clamped the way the specification says.
fn char_at(rope: &Rope, pos: LineCol, enc: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    let line_end = line_start + len;
    let col = pos.character as usize;
    // A column inside a character (half a surrogate pair, a byte inside a UTF-8 sequence)
    // means the character after it, exactly as `LineIndex::offset` reads positions.
    let target = match enc {
        PositionEncoding::Utf16 => {
            let base = rope.char_to_utf16_cu(line_start);
            let want = (base + col).min(rope.char_to_utf16_cu(line_end));
            let c = rope.utf16_cu_to_char(want);
            c + usize::from(rope.char_to_utf16_cu(c) < want)
        }
        PositionEncoding::Utf8 => {
            let base = rope.char_to_byte(line_start);
            let want = (base + col).min(rope.char_to_byte(line_end));
            let c = rope.byte_to_char(want);
            c + usize::from(rope.char_to_byte(c) < want)
        }
    };
    target.min(line_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> [(Option<LineColRange>, &str); 1] {
        [(
            Some(LineColRange::new(
                LineCol::new(l1, c1),
                LineCol::new(l2, c2),
            )),
            text,
        )]
    }

    #[test]
    fn edits_after_emoji_in_both_encodings() {
        let doc = Document::new(
            "/x/SOUL.md".into(),
            FileKind::Soul,
            1,
            "a😀b\r\nc\n",
            Profile::Boternity,
        );
        let d16 = doc.edited(2, change(0, 3, 0, 4, "B"), PositionEncoding::Utf16);
        assert_eq!(&**d16.text(), "a😀B\r\nc\n");
        let d8 = doc.edited(2, change(0, 5, 0, 6, "B"), PositionEncoding::Utf8);
        assert_eq!(&**d8.text(), "a😀B\r\nc\n");
        let d = doc.edited(3, change(1, 0, 1, 99, "see"), PositionEncoding::Utf16);
        assert_eq!(&**d.text(), "a😀b\r\nsee\n");
        let d = doc.edited(4, change(9, 0, 9, 0, "!"), PositionEncoding::Utf16);
        assert_eq!(&**d.text(), "a😀b\r\nc\n!");
    }
}
