//! Characters that make the text the model reads differ from what a person sees: Unicode tag
//! characters and variation-selector bytes (invisible, but they spell text), zero-width
//! characters, bidi controls; and words that mix Latin letters with look-alike Cyrillic or
//! Greek ones.

use std::ops::Range;

use super::{snippet, Hit};
use forge_syntax::codes;
use forge_syntax::diagnostic::Severity;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// U+E0000–U+E007F: each stands for an ASCII character.
    Tag,
    /// U+E0100–U+E01EF: variation selectors 17–256, each a byte.
    ByteSelector,
    ZeroWidth,
    Bidi,
}

fn kind(c: char) -> Option<Kind> {
    match c {
        '\u{E0000}'..='\u{E007F}' => Some(Kind::Tag),
        '\u{E0100}'..='\u{E01EF}' => Some(Kind::ByteSelector),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{180E}' | '\u{FEFF}' => {
            Some(Kind::ZeroWidth)
        }
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(Kind::Bidi),
        _ => None,
    }
}

/// Zero-width joiners and non-joiners are ordinary inside emoji sequences and in scripts such as
/// Persian or Devanagari; only between two ASCII letters or digits do they hide something.
fn legit_joiner(c: char, before: Option<char>, after: Option<char>) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
        && !(before.is_some_and(|b| b.is_ascii_alphanumeric())
            && after.is_some_and(|a| a.is_ascii_alphanumeric()))
}

/// Where the next byte that starts the UTF-8 of a character `kind` knows (U+180E,
/// U+200B–U+2069, U+FEFF, U+E0000–U+E01EF) is: only there is a character decoded, the rest of
/// the text is skipped at SIMD speed.
fn next_lead(bytes: &[u8]) -> Option<usize> {
    let three = memchr::memchr3(0xE1, 0xE2, 0xEF, bytes);
    let four = memchr::memchr(0xF3, &bytes[..three.unwrap_or(bytes.len())]);
    four.or(three)
}

/// Runs of invisible characters, with what they spell when they encode text.
pub(super) fn invisible(text: &str, hits: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(off) = next_lead(&bytes[from..]) {
        // A lead byte is a character boundary.
        let start = from + off;
        let mut chars = text[start..].chars();
        let c = chars.next().unwrap_or_default();
        let Some(k) = kind(c) else {
            from = start + c.len_utf8();
            continue;
        };
        let before = text[..start].chars().next_back();
        let mut run = vec![c];
        let mut end = start + c.len_utf8();
        for ch in chars {
            if kind(ch) != Some(k) {
                break;
            }
            run.push(ch);
            end += ch.len_utf8();
        }
        let after = text[end..].chars().next();
        from = end;
        let range = start..end;
        let (severity, message) = match k {
            Kind::Tag => {
                // An emoji flag (🏴 + region tags + cancel tag) is what tags are for.
                if before == Some('\u{1F3F4}') && run.last() == Some(&'\u{E007F}') && run.len() <= 8
                {
                    continue;
                }
                let spelled: String = run
                    .iter()
                    .filter_map(|c| char::from_u32(*c as u32 - 0xE0000))
                    .filter(|c| !c.is_control())
                    .collect();
                (
Severity::Error,
format!(
                        "{} invisible Unicode tag characters spell `{}`: the model reads this text, the user sees nothing (ASCII smuggling).",
                        run.len(),
                        snippet(&spelled)
                    ),
)
            }
            Kind::ByteSelector => {
                if run.len() < 2 {
                    continue;
                }
                let bytes: Vec<u8> = run
                    .iter()
                    .map(|c| (*c as u32 - 0xE0100 + 16) as u8)
                    .collect();
                (
Severity::Error,
format!(
                        "{} invisible variation selectors encode the bytes `{}`: hidden data the user does not see.",
                        run.len(),
                        snippet(&String::from_utf8_lossy(&bytes))
                    ),
)
            }
            Kind::ZeroWidth => {
                if start == 0 && c == '\u{FEFF}' && run.len() == 1 {
                    continue;
                }
                if run.len() == 1 && legit_joiner(c, before, after) {
                    continue;
                }
                if run.iter().all(|c| matches!(c, '\u{200C}' | '\u{200D}'))
                    && legit_joiner(run[0], before, after)
                {
                    continue;
                }
                let spelled = bits(&run)
                    .map(|s| format!(" As bits they spell `{}`.", snippet(&s)))
                    .unwrap_or_default();
                let names: Vec<String> = dedup(&run)
                    .iter()
                    .map(|c| format!("U+{:04X}", *c as u32))
                    .collect();
                (
if spelled.is_empty() {
                        codes::SECURITY_INVISIBLE_TEXT.severity
                    } else {
                        Severity::Error
                    },
format!(
                        "{} zero-width character{} ({}) here: invisible to the user, but they change what the model and tools read (a word split to dodge filters, or a hidden message).{spelled}",
                        run.len(),
                        if run.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
)
            }
            Kind::Bidi => {
                let names: Vec<String> = dedup(&run)
                    .iter()
                    .map(|c| format!("U+{:04X}", *c as u32))
                    .collect();
                (
codes::SECURITY_INVISIBLE_TEXT.severity,
format!(
                        "Bidirectional control character{} ({}): the text is displayed in another order than it is read, so what you review is not what runs (Trojan Source).",
                        if run.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
)
            }
        };
        hits.push(Hit {
            code: &codes::SECURITY_INVISIBLE_TEXT,
            severity,
            range,
            message,
        });
    }
}

fn dedup(run: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in run {
        if !out.contains(c) {
            out.push(*c);
        }
    }
    out
}

/// A run of two kinds of zero-width characters read as bits (the first kind 0), eight to a
/// character: `Some` when that gives printable ASCII.
fn bits(run: &[char]) -> Option<String> {
    let kinds = dedup(run);
    if kinds.len() != 2 || run.len() < 16 {
        return None;
    }
    let s: String = run
        .chunks(8)
        .filter(|c| c.len() == 8)
        .map(|byte| {
            byte.iter()
                .fold(0u8, |acc, c| (acc << 1) | u8::from(*c == kinds[1])) as char
        })
        .collect();
    s.chars()
        .all(|c| c.is_ascii_graphic() || c == ' ')
        .then_some(s)
}

/// Cyrillic and Greek letters that look like Latin ones, and the Latin letter they pass for.
const CONFUSABLES: &[(char, char)] = &[
    ('а', 'a'),
    ('е', 'e'),
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('у', 'y'),
    ('х', 'x'),
    ('і', 'i'),
    ('ј', 'j'),
    ('ѕ', 's'),
    ('ԁ', 'd'),
    ('ӏ', 'l'),
    ('һ', 'h'),
    ('ԛ', 'q'),
    ('ԝ', 'w'),
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
    ('У', 'Y'),
    ('І', 'I'),
    ('Ј', 'J'),
    ('Ѕ', 'S'),
    // Lower-case Greek other than omicron is left out: `sinα`, `ρ_ij` are formulas.
    ('ο', 'o'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// The bytes a look-alike's UTF-8 starts with (a table, from `CONFUSABLES`).
static CONFUSABLE_LEAD: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
    let mut t = [false; 256];
    for (c, _) in CONFUSABLES {
        let mut buf = [0; 4];
        t[c.encode_utf8(&mut buf).as_bytes()[0] as usize] = true;
    }
    t
});

/// Where the first byte outside ASCII is in `bytes` (every look-alike starts with one). Most
/// text is ASCII: it is passed over a block at a time.
fn next_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    for block in bytes.chunks(32) {
        if !block.is_ascii() {
            return block.iter().position(|b| !b.is_ascii()).map(|i| at + i);
        }
        at += block.len();
    }
    None
}

/// Words (identifiers, host names) that mix ASCII letters with look-alike letters: only the words
/// around a look-alike are looked at.
pub(super) fn homoglyphs(text: &str, hits: &mut Vec<Hit>) {
    let lead = &*CONFUSABLE_LEAD;
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(off) = next_non_ascii(&bytes[from..]) {
        let mut at = from + off;
        // The rest of a run of text outside ASCII (a CJK paragraph) byte by byte, without a new
        // block search for each of its bytes.
        while at < bytes.len() && !bytes[at].is_ascii() && !lead[usize::from(bytes[at])] {
            at += 1;
        }
        if at == bytes.len() || bytes[at].is_ascii() {
            from = at;
            continue;
        }
        let c = text[at..].chars().next().unwrap_or_default();
        if !CONFUSABLES.iter().any(|(f, _)| *f == c) {
            from = at + c.len_utf8();
            continue;
        }
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(at, |(i, _)| i);
        let end = text[at..]
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(text.len(), |(i, _)| at + i);
        homoglyph_word(text, start..end, hits);
        from = end.max(at + c.len_utf8());
    }
}

/// A finding when the word at `range` mixes ASCII letters with look-alikes only.
fn homoglyph_word(text: &str, range: Range<usize>, hits: &mut Vec<Hit>) {
    let w = &text[range.clone()];
    if w.is_ascii() || !w.chars().any(|c| c.is_ascii_alphabetic()) {
        return;
    }
    // Every non-ASCII letter must be a look-alike: real Cyrillic or Greek words next to
    // Latin ones (`Ελλάδα-Greece`) use letters that have none.
    let foreign: Vec<char> = w.chars().filter(|c| !c.is_ascii()).collect();
    let looks: Vec<(char, char)> = foreign
        .iter()
        .filter_map(|c| CONFUSABLES.iter().find(|(f, _)| f == c).copied())
        .collect();
    if looks.is_empty() || looks.len() != foreign.len() {
        return;
    }
    let latin: String = w
        .chars()
        .map(|c| {
            CONFUSABLES
                .iter()
                .find(|(f, _)| *f == c)
                .map_or(c, |(_, l)| *l)
        })
        .collect();
    let which: Vec<String> = looks
        .iter()
        .map(|(f, l)| format!("`{f}` (U+{:04X}) for `{l}`", *f as u32))
        .collect();
    hits.push(Hit {
        code: &codes::SECURITY_HOMOGLYPH,
        severity: codes::SECURITY_HOMOGLYPH.severity,
        range,
        message: format!(
            "`{w}` reads as `{latin}` but uses {}: a look-alike name, the trick behind spoofed domains, packages and commands.",
            which.join(", ")
        ),
    });
}
