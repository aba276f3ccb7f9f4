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

/// Runs of invisible characters, with what they spell when they encode text.
pub(super) fn invisible(text: &str, hits: &mut Vec<Hit>) {
    // Every character `kind` knows is outside ASCII.
    if text.is_ascii() {
        return;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let Some(k) = kind(c) else {
            i += 1;
            continue;
        };
        let before = i.checked_sub(1).map(|j| chars[j].1);
        let mut j = i;
        let mut run = Vec::new();
        while j < chars.len() && kind(chars[j].1) == Some(k) {
            run.push(chars[j].1);
            j += 1;
        }
        let after = chars.get(j).map(|(_, c)| *c);
        let end = chars.get(j).map_or(text.len(), |(o, _)| *o);
        i = j;
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

/// Words (identifiers, host names) that mix ASCII letters with look-alike letters.
pub(super) fn homoglyphs(text: &str, hits: &mut Vec<Hit>) {
    if text.is_ascii() {
        return;
    }
    let mut start = None;
    let mut check = |range: Range<usize>| {
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
    };
    for (i, c) in text.char_indices() {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                check(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        check(s..text.len());
    }
}
