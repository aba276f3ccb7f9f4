//! Which rules can match a text at all, from one pass over it.
//!
//! Every match of a rule contains one of the rule's *required literals*, taken from the rule's
//! syntax: for `\bcurl\b[^\n]*\|\s*(?:ba)?sh\b` that is `curl`, for a persistence rule that
//! starts with `(` or `>` it is `crontab` or `/.bashrc`, further in. One Aho-Corasick pass over a
//! text with every rule's literals says which rules are worth a search; most texts have none of
//! them, and the few that do get one linear search per such rule. Trying each rule at each place
//! it could start instead was quadratic on minified one-line scripts and paid a search at every
//! `(`, `#` and `if` of every file.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa::DFA, Anchored};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

/// A set of literals, ASCII-lowercased (they are matched ignoring ASCII case, which only widens
/// what passes).
pub(super) type Literals = Vec<Vec<u8>>;

/// How many literal sets a rule requires at most: `curl … | sh` with a secret in between needs
/// all three parts, and a text with all of them is far rarer than one with any.
const CLAUSES: usize = 3;

/// Sets of literals such that every match of `pattern` contains one literal of each set, the
/// most selective first, or `None` when the syntax bounds none (a rule like that would have to
/// be searched in every text).
pub(super) fn required_literals(pattern: &str) -> Option<Vec<Literals>> {
    let hir = ascii_letters(&regex_syntax::parse(pattern).ok()?);
    Some(required(&hir)).filter(|s| !s.is_empty())
}

/// The two characters outside ASCII that Unicode case folding makes equal to ASCII letters:
/// `ſ` (long s) and `K` (Kelvin sign); `(?i)ignore previous` matches `ignore previouſ`. The gate
/// reads texts with these folded (`fold`), so its literals can be ASCII.
pub(super) const FOLDS: [(char, char); 2] = [('\u{17F}', 's'), ('\u{212A}', 'k')];

/// `hir` with each case-insensitive ASCII letter (`[Ss\u{17F}]`) as the plain letter: matched
/// ignoring ASCII case on folded text, the literals say the same, and a case-insensitive word is
/// one literal instead of every mix of cases.
fn ascii_letters(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Capture, Class, Repetition};
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let (ascii, other): (Vec<char>, Vec<char>) = c
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .take(5)
                .partition(char::is_ascii);
            // Beside the letter's two cases, only the character that folds to it.
            let folds_to = |a: char| {
                other.iter().all(|o| {
                    FOLDS
                        .iter()
                        .any(|(f, l)| f == o && l.eq_ignore_ascii_case(&a))
                })
            };
            match ascii[..] {
                [a, b]
                    if a.is_ascii_alphabetic()
                        && a.eq_ignore_ascii_case(&b)
                        && a != b
                        && folds_to(a) =>
                {
                    let mut buf = [0; 4];
                    Hir::literal(a.to_ascii_lowercase().encode_utf8(&mut buf).as_bytes())
                }
                _ => hir.clone(),
            }
        }
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(ascii_letters(&c.sub)),
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(ascii_letters(&r.sub)),
        }),
        HirKind::Concat(items) => Hir::concat(items.iter().map(ascii_letters).collect()),
        HirKind::Alternation(bs) => Hir::alternation(bs.iter().map(ascii_letters).collect()),
        _ => hir.clone(),
    }
}

/// Whether a match of `pattern` can hold a line break: a rule that cannot is searched only in
/// the lines that hold one of its required literals.
pub(super) fn crosses_lines(pattern: &str) -> bool {
    use regex_syntax::hir::Class;
    fn walk(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => false,
            HirKind::Literal(l) => l.0.contains(&b'\n'),
            HirKind::Class(Class::Unicode(c)) => {
                c.iter().any(|r| r.start() <= '\n' && '\n' <= r.end())
            }
            HirKind::Class(Class::Bytes(c)) => {
                c.iter().any(|r| r.start() <= b'\n' && b'\n' <= r.end())
            }
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Repetition(r) => walk(&r.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().any(walk),
        }
    }
    regex_syntax::parse(pattern).map_or(true, |h| walk(&h))
}

/// `text` with `FOLDS` replaced by the ASCII letters they fold to, when it has any.
pub(super) fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    if FOLDS.iter().any(|(f, _)| text.contains(*f)) {
        let mut t = text.to_string();
        for (f, a) in FOLDS {
            t = t.replace(f, a.encode_utf8(&mut [0; 4]));
        }
        std::borrow::Cow::Owned(t)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// How many parts of a text `each_literal` reads at once (eight measured no faster).
const STREAMS: usize = 4;
// The loop zips the parts by hand.
const _: () = assert!(STREAMS == 4, "each_literal's loop zips four parts");

/// Calls `f(pattern, start)` for every occurrence of every literal of `dfa` (the longest
/// `longest` bytes) in `text`, overlapping ones included, in no particular order.
///
/// A DFA step waits for the table load of the step before it, so one pass over a text leaves
/// most of the core idle (about 2 ns a byte, whatever the literals). The text is cut into
/// `STREAMS` parts read side by side: their steps do not depend on each other and overlap,
/// two and a half times the speed of one pass. Each part after the first starts as far before
/// its cut as the longest literal reaches, so a literal across a cut is seen whole by the part
/// it ends in, and reported only by it.
pub(super) fn each_literal(
    dfa: &DFA,
    longest: usize,
    text: &[u8],
    mut f: impl FnMut(usize, usize),
) {
    let start = match dfa.start_state(Anchored::No) {
        Ok(s) => s,
        Err(_) => return,
    };
    // Called at special states only (matches, and the dead state), which are rare.
    let mut report = |sid, end: usize| {
        if dfa.is_match(sid) {
            for i in 0..dfa.match_len(sid) {
                let p = dfa.match_pattern(sid, i);
                f(p.as_usize(), end - dfa.pattern_len(p));
            }
        }
    };
    // Part j reads [from[j], to[j]) and reports the literals that end after cut[j].
    let parts = if text.len() >= 64 * longest.max(1) {
        STREAMS
    } else {
        1
    };
    let mut from = [0; STREAMS];
    let mut cut = [0; STREAMS];
    let mut to = [0; STREAMS];
    for j in 0..parts {
        cut[j] = j * text.len() / parts;
        from[j] = if j == 0 {
            0
        } else {
            cut[j].saturating_sub(longest.saturating_sub(1))
        };
        to[j] = (j + 1) * text.len() / parts;
    }
    let steps = (0..parts).map(|j| to[j] - from[j]).min().unwrap_or(0);
    let mut sid = [start; STREAMS];
    if parts == STREAMS {
        // The parts side by side as one iterator: no bounds check per byte.
        let part = |j: usize| &text[from[j]..from[j] + steps];
        let side_by_side = part(0).iter().zip(part(1)).zip(part(2)).zip(part(3));
        for (i, (((&b0, &b1), &b2), &b3)) in side_by_side.enumerate() {
            for (j, b) in [b0, b1, b2, b3].into_iter().enumerate() {
                sid[j] = dfa.next_state(Anchored::No, sid[j], b);
            }
            for j in 0..STREAMS {
                if dfa.is_special(sid[j]) && from[j] + i + 1 > cut[j] {
                    report(sid[j], from[j] + i + 1);
                }
            }
        }
    }
    // What is left of each part (all of the text when it is read as one).
    let done = if parts == STREAMS { steps } else { 0 };
    for j in 0..parts {
        let mut s = sid[j];
        for (at, &b) in text.iter().enumerate().take(to[j]).skip(from[j] + done) {
            s = dfa.next_state(Anchored::No, s, b);
            if dfa.is_special(s) && at + 1 > cut[j] {
                report(s, at + 1);
            }
        }
    }
}

fn required(hir: &Hir) -> Vec<Literals> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Vec::new(),
        HirKind::Literal(_) | HirKind::Class(_) => starts(hir).into_iter().collect(),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Repetition(_) => Vec::new(),
        // One of the branches matches: picking one required set from each branch and joining
        // them gives a set the whole requires; the k-th best of each, for each k.
        HirKind::Alternation(branches) => {
            let each: Vec<Vec<Literals>> = branches.iter().map(required).collect();
            if each.iter().any(Vec::is_empty) {
                return Vec::new();
            }
            let width = each.iter().map(Vec::len).max().unwrap_or(0).min(CLAUSES);
            best(
                (0..width)
                    .map(|k| {
                        normalize(
                            each.iter()
                                .flat_map(|b| b[k.min(b.len() - 1)].clone())
                                .collect(),
                        )
                    })
                    .collect(),
            )
        }
        // Every item matches: what each item requires, and what the items from one of them to
        // the end start with, taken where a word starts (a case-insensitive word is a run of
        // one-letter classes; a tail from inside it says less than the tail from its start).
        HirKind::Concat(items) => {
            let letters = |h: &Hir| matches!(h.kind(), HirKind::Literal(_) | HirKind::Class(_));
            let mut all = Vec::new();
            for i in 0..items.len() {
                if !(i > 0 && letters(&items[i - 1]) && letters(&items[i])) {
                    all.extend(starts(&Hir::concat(items[i..].to_vec())));
                }
                if !letters(&items[i]) {
                    all.extend(required(&items[i]));
                }
            }
            best(all)
        }
    }
}

/// The `CLAUSES` most selective of `sets`, leaving out a set that one already kept implies (the
/// end of a word whose whole is kept says nothing more).
/// Sets with a one- or two-letter literal pass nearly every text, and joined into a branch's
/// set they spoil it: one is kept only when there is nothing else.
fn best(mut sets: Vec<Literals>) -> Vec<Literals> {
    sets.sort_by(|a, b| odds(a).total_cmp(&odds(b)).then_with(|| a.cmp(b)));
    let mut kept: Vec<Literals> = Vec::new();
    for s in sets {
        let weak = shortest(&s) < 3 && !kept.is_empty();
        if kept.len() < CLAUSES && !weak && !kept.iter().any(|k| implies(k, &s)) {
            kept.push(s);
        }
    }
    kept
}

/// Whether a text with a literal of `a` always has one of `b`.
fn implies(a: &Literals, b: &Literals) -> bool {
    a.iter().all(|x| b.iter().any(|y| contains(x, y)))
}

/// The literals every match of `hir` starts with, when finite and none empty.
fn starts(hir: &Hir) -> Option<Literals> {
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix).limit_total(1_024);
    let seq = ex.extract(hir);
    let lits: Literals = seq
        .literals()?
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
    if lits.is_empty() || lits.iter().any(Vec::is_empty) {
        return None;
    }
    Some(normalize(lits))
}

/// Lowercased, sorted, and without a literal that contains another (a text with the longer one
/// has the shorter one too).
fn normalize(lits: Literals) -> Literals {
    // Folded like the text the gate reads.
    let mut lits: Literals = lits
        .iter()
        .map(|l| match std::str::from_utf8(l) {
            Ok(s) => fold(s).as_bytes().to_ascii_lowercase(),
            Err(_) => l.to_ascii_lowercase(),
        })
        .collect();
    lits.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    lits.dedup();
    let mut kept: Literals = Vec::new();
    for l in lits {
        if !kept.iter().any(|k| contains(&l, k)) {
            kept.push(l);
        }
    }
    kept.sort();
    kept
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn shortest(lits: &Literals) -> usize {
    lits.iter().map(Vec::len).min().unwrap_or(0)
}

/// Roughly how likely a place in a text starts one of `lits`: each letter cuts the odds by a
/// factor (less than the alphabet's, since text is not random), so longer literals and fewer
/// of them are more selective.
fn odds(lits: &Literals) -> f64 {
    lits.iter()
        .map(|l| 8f64.powi(-(l.len().min(12) as i32)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most selective set of `p`, as strings.
    fn strings(p: &str) -> Vec<String> {
        required_literals(p).unwrap()[0]
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    #[test]
    fn finds_the_literal_further_in() {
        assert_eq!(strings(r"\(\s*crontab\s+-l"), ["crontab"]);
        assert_eq!(
            strings(r">>?\s*(?:~|\$HOME)/\.(?:bashrc|zshrc)\b"),
            ["$home/.bashrc", "$home/.zshrc", "~/.bashrc", "~/.zshrc"]
        );
        // Each part of a concatenation is required: both sets are kept.
        assert_eq!(
            required_literals(r"\bsend\b[^\n]*\bwallet\b")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(strings(r"\bcurl\b[^\n]*\|\s*(?:ba)?sh\b"), ["curl"]);
        // Case-insensitive words are runs of classes; `ſ` and the Kelvin sign fold too.
        let ignore = strings(r"(?i)\bignore\s+previous\s+instructions");
        assert!(ignore.contains(&"instructions".to_string()), "{ignore:?}");
    }

    #[test]
    fn only_a_letter_and_its_folds_become_a_literal() {
        assert_eq!(strings(r"(?i)secret"), ["secret"]);
        // `ſ` is no form of `a`: the class stays a class, its `ſ` folded like the text.
        assert_eq!(strings(r"[aA\x{17F}]bcd"), ["abcd", "sbcd"]);
    }

    /// Every occurrence `each_literal` reports, sorted.
    fn occurrences(lits: &[&str], text: &str) -> Vec<(usize, usize)> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .build(lits)
            .unwrap();
        let mut got = Vec::new();
        let longest = lits.iter().map(|l| l.len()).max().unwrap_or(0);
        each_literal(&dfa, longest, text.as_bytes(), |p, at| got.push((at, p)));
        got.sort_unstable();
        got
    }

    #[test]
    fn each_literal_is_the_overlapping_search() {
        let lits = [
            "curl", "url", "rl -s", "https://", "s://", "and", "sandbox", "x",
        ];
        // Long enough to be read in parts, with the literals everywhere, across the cuts too.
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(["curl -s https://a ", "Sandbox and URL ", "xx", "c", "ur"][i % 5]);
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(lits)
            .unwrap();
        for end in [0, 1, 3, 200, text.len() / 2, text.len() - 1, text.len()] {
            let t = &text[..end];
            let mut want: Vec<(usize, usize)> = ac
                .find_overlapping_iter(t)
                .map(|m| (m.start(), m.pattern().as_usize()))
                .collect();
            want.sort_unstable();
            assert_eq!(occurrences(&lits, t), want, "text of {end} bytes");
        }
    }

    #[test]
    fn unbounded_is_none() {
        assert!(required_literals(r"\w+").is_none());
        assert!(required_literals(r"a*|b").is_none());
    }
}
