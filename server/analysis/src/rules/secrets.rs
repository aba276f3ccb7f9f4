//! Text that looks like a secret: a private key block or a token with a well-known prefix. One
//! table for every rule that reports secrets (`openclaw-secret` in workspace files,
//! `security-secret` in skill bundles).

use std::ops::Range;

/// Prefixes of well-known secrets, the least number of token characters after
/// them, and what they are.
pub const SECRET_PREFIXES: &[(&str, usize, &str)] = &[
    ("sk-ant-", 20, "an Anthropic API key"),
    ("sk-proj-", 20, "an OpenAI API key"),
    ("sk-", 32, "an API key"),
    ("ghp_", 30, "a GitHub token"),
    ("github_pat_", 30, "a GitHub token"),
    ("xoxb-", 20, "a Slack token"),
    ("xoxp-", 20, "a Slack token"),
    ("AKIA", 16, "an AWS access key"),
    ("AIza", 30, "a Google API key"),
    ("glpat-", 20, "a GitLab token"),
];

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Leftmost-first, not overlapping: that search runs on SIMD prefilters. A prefix inside
/// another prefix's match starts no token of its own (it is preceded by token characters).
static PREFIXES: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(SECRET_PREFIXES.iter().map(|(p, _, _)| p))
        .expect("secret prefixes")
});

/// One secret found: where, what it is, and whether it is a private key.
pub struct Secret {
    pub range: Range<usize>,
    pub what: &'static str,
    pub private_key: bool,
}

/// Every secret in `text`, in order. Placeholders (`sk-xxxxxxxx…`, a key block with no body)
/// are not secrets: a real key mixes letters and digits, a key block has a body.
pub fn find(text: &str) -> Vec<Secret> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("-----BEGIN") {
        let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
        // A key has a body: a long run of base64 soon after the header (on the next lines, or
        // after a `\n` escape in a string); `-----BEGIN PRIVATE KEY-----\n...` is a placeholder,
        // and a detector's pattern is no key.
        let after =
            &text[end..forge_syntax::text::floor_char_boundary(text, (end + 300).min(text.len()))];
        let mut run = 0;
        let body = after.bytes().any(|b| {
            run = if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' {
                run + 1
            } else {
                0
            };
            run >= 40
        });
        if text[i..end].contains("PRIVATE KEY") && body {
            out.push(Secret {
                range: i..end,
                what: "a private key",
                private_key: true,
            });
        }
    }
    // Candidate tokens: where a prefix starts a token (one pass for all prefixes).
    let mut starts: Vec<usize> = PREFIXES
        .find_iter(text)
        .map(|m| m.start())
        .filter(|&s| s == 0 || !is_token(text.as_bytes()[s - 1]))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for s in starts {
        let len = text.as_bytes()[s..]
            .iter()
            .position(|b| !is_token(*b))
            .unwrap_or(text.len() - s);
        let word = &text[s..s + len];
        if let Some((p, _, what)) = SECRET_PREFIXES
            .iter()
            .find(|(p, min, _)| word.starts_with(p) && word.len() >= p.len() + min)
        {
            let body = &word[p.len()..];
            if body.bytes().any(|c| c.is_ascii_digit())
                && body.bytes().any(|c| c.is_ascii_alphabetic())
            {
                out.push(Secret {
                    range: s..s + len,
                    what,
                    private_key: false,
                });
            }
        }
    }
    out.sort_by_key(|s| s.range.start);
    out
}
