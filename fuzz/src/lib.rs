//! What every input must satisfy, one function per fuzz target. Shared by the
//! libFuzzer targets (`fuzz_targets/`) and by the stable regression test
//! (`server/tests/fuzz_regressions.rs` includes this file), so a crash found
//! once is replayed by `cargo test` forever. Only the forge-ls crates and `std` here.

use std::ops::Range;
use std::path::Path;

use forge_analysis::document::Document;
use forge_analysis::rules::Profile;
use forge_analysis::FileKind;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::{self, Framing, FramingError, Frontmatter};
use forge_syntax::text::{LineCol, LineColRange, LineIndex, PositionEncoding};

/// A fuzz target: raw bytes in, a panic on any broken invariant.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("frontmatter", frontmatter),
    ("yaml", yaml),
    ("skills_toml", skills_toml),
    ("markdown", markdown),
    ("analyze", analyze),
    ("edits", edits),
];

/// Run the target called `name` on `data`; false if there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => {
            f(data);
            true
        }
        None => false,
    }
}

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A byte range that can slice `text`.
fn check_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what}: {r:?} out of 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what}: {r:?} splits a character"
    );
}

fn check_frontmatter(text: &str, f: &Frontmatter) {
    for (r, what) in [
        (&f.open, "open"),
        (&f.yaml, "yaml"),
        (&f.close, "close"),
        (&f.body, "body"),
    ] {
        check_range(text, r, what);
    }
    assert!(
        f.open.end <= f.yaml.start && f.yaml.end <= f.close.start && f.close.end <= f.body.start
    );
}

fn check_framing(text: &str, r: &Result<Frontmatter, FramingError>) {
    match r {
        Ok(f) => check_frontmatter(text, f),
        Err(FramingError::Missing { first_line }) => check_range(text, first_line, "first line"),
        Err(FramingError::Bom) => {}
        Err(FramingError::LeadingSpace { range, then }) => {
            check_range(text, range, "leading space");
            check_framing(text, then);
        }
        Err(FramingError::Unclosed { open }) => check_range(text, open, "open"),
    }
}

pub fn frontmatter(data: &[u8]) {
    let text = text_of(data);
    for framing in [Framing::Skill, Framing::SkillAnyNewline, Framing::Lenient] {
        check_framing(&text, &frontmatter::frame(&text, framing));
    }
}

fn check_node(text: &str, n: &forge_syntax::yaml::Node, depth: usize) {
    use forge_syntax::yaml::Value;
    check_range(text, &n.span, "yaml node");
    assert!(
        depth <= forge_syntax::yaml::MAX_DEPTH + 1,
        "tree deeper than the cap"
    );
    match &n.value {
        Value::Seq(items) => items.iter().for_each(|i| check_node(text, i, depth + 1)),
        Value::Map(entries) => entries.iter().for_each(|e| {
            check_node(text, &e.key, depth + 1);
            check_node(text, &e.value, depth + 1);
        }),
        Value::Scalar(_) | Value::Alias => {}
    }
}

pub fn yaml(data: &[u8]) {
    // The YAML sits after a prefix in a real document: spans must account for it.
    let prefix = "---\n";
    let doc = format!("{prefix}{}", text_of(data));
    let parsed = forge_syntax::yaml::parse(&doc[prefix.len()..], prefix.len());
    if let Some(root) = &parsed.root {
        check_node(&doc, root, 0);
    }
    for e in &parsed.errors {
        check_range(&doc, &e.range, "yaml error");
    }
}

pub fn skills_toml(data: &[u8]) {
    let text = text_of(data);
    let mut diags = Vec::new();
    let attachments = forge_analysis::rules::skills_toml::check(&text, &mut diags);
    check_diagnostics(&text, &diags);
    for a in &attachments {
        check_range(&text, &a.key_range, "attachment key");
        for (_, r) in a
            .skill_name
            .iter()
            .chain(&a.trust_tier)
            .chain(&a.capabilities)
        {
            check_range(&text, r, "attachment value");
        }
    }
}

pub fn markdown(data: &[u8]) {
    let text = text_of(data);
    // Once for the whole text, once for a body that starts mid-text as after a frontmatter.
    let mid = (0..=text.len() / 2)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    for body in [0..text.len(), mid..text.len()] {
        let o = forge_syntax::markdown::outline(&text, body.clone());
        for h in &o.headings {
            check_range(&text, &h.range, "heading");
            check_range(&text, &h.section, "section");
            assert!(h.range.start >= body.start && h.section.start <= h.range.start);
            assert!((1..=6).contains(&h.level));
        }
        for c in &o.comments {
            check_range(&text, c, "comment");
        }
        for l in &o.links {
            check_range(&text, &l.range, "link");
        }
    }
}

/// Ranges slice the text, convert to LSP positions and back in both encodings,
/// and every quick fix applies and re-analyses without trouble.
fn check_diagnostics(text: &str, diags: &[Diagnostic]) {
    let index = LineIndex::new(text);
    for d in diags {
        check_range(text, &d.range, d.code);
        assert!(!d.message.is_empty(), "{} has no message", d.code);
        // An offset inside a line break has no position of its own: it means the line's end.
        let on_line = |o: usize| o.min(index.line_range(text, index.line_of(o)).end);
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let r = index.range(text, d.range.clone(), enc);
            let back = index.offset(text, r.start, enc)..index.offset(text, r.end, enc);
            let want = on_line(d.range.start)..on_line(d.range.end);
            assert_eq!(back, want, "{}", d.code);
        }
        for fix in &d.fixes {
            let mut edits: Vec<_> = fix.edits.iter().collect();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            let mut fixed = text.to_string();
            let mut floor = usize::MAX;
            for e in edits {
                check_range(text, &e.range, &fix.title);
                assert!(e.range.end <= floor, "{}: overlapping edits", fix.title);
                floor = e.range.start;
                fixed.replace_range(e.range.clone(), &e.new_text);
            }
        }
    }
}

const KINDS: [(FileKind, &str); 5] = [
    (FileKind::Skill, "/ws/skills/fuzz/SKILL.md"),
    (FileKind::Identity, "/ws/bot/IDENTITY.md"),
    (FileKind::Soul, "/ws/bot/SOUL.md"),
    (FileKind::User, "/ws/bot/USER.md"),
    (FileKind::SkillsToml, "/ws/bot/skills.toml"),
];

fn kind_and_profile(selector: u8) -> (FileKind, &'static str, Profile) {
    let (kind, path) = KINDS[usize::from(selector) % KINDS.len()];
    let profile = if selector & 0x80 == 0 {
        Profile::Boternity
    } else {
        Profile::Agentskills
    };
    (kind, path, profile)
}

/// The first byte picks the file kind and profile; the rest is the file.
pub fn analyze(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (kind, path, profile) = kind_and_profile(selector);
    let text = text_of(rest);
    let a = forge_analysis::analyze(kind, Path::new(path), &text, profile);
    check_diagnostics(&text, &a.diagnostics);
    for h in &a.outline.headings {
        check_range(&text, &h.range, "heading");
    }
}

/// Reads an input as a little program of edits.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A length-prefixed string (lossy UTF-8), made of text likely to matter:
    /// line breaks, multi-byte and astral characters, delimiters.
    fn string(&mut self) -> Option<String> {
        let n = usize::from(self.byte()? % 32);
        let take = n.min(self.0.len());
        let (raw, rest) = self.0.split_at(take);
        self.0 = rest;
        const PIECES: [&str; 16] = [
            "\n", "\r\n", "\r", "---", "é", "😀", "日本", "# ", "name: ", "a", " ", "\t", ":",
            "- ", "<!--", "\"",
        ];
        Some(
            raw.iter()
                .map(|b| match b {
                    0x20..=0x7e => char::from(*b).to_string(),
                    _ => PIECES[usize::from(*b) % PIECES.len()].to_string(),
                })
                .collect(),
        )
    }

    fn position(&mut self) -> Option<LineCol> {
        Some(LineCol::new(
            u32::from(self.byte()? % 16),
            u32::from(self.byte()? % 48),
        ))
    }
}

/// The text after one change, computed the plain way: `LineIndex` on a `String`.
fn model_apply(text: &mut String, range: Option<LineColRange>, new: &str, enc: PositionEncoding) {
    let Some(range) = range else {
        *text = new.to_string();
        return;
    };
    let index = LineIndex::new(text);
    let start = index.offset(text, range.start, enc);
    let end = index.offset(text, range.end, enc).max(start);
    text.replace_range(start..end, new);
}

/// Differential: edits applied incrementally through `Document` (a rope) give
/// the same text and the same diagnostics as opening the final text fresh.
pub fn edits(data: &[u8]) {
    let mut b = Bytes(data);
    let Some(header) = b.byte() else {
        return;
    };
    let (kind, path, profile) = kind_and_profile(header >> 1);
    let enc = if header & 1 == 0 {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    };
    let Some(initial) = b.string() else {
        return;
    };
    let initial = format!("---\nname: fuzz\ndescription: d\n---\n{initial}");
    let mut doc = Document::new(path.into(), kind, 1, &initial, profile);
    let mut model = initial;
    let mut version = 1;
    while let Some(op) = b.byte() {
        let mut changes = Vec::new();
        for _ in 0..=op % 3 {
            let full = op & 0x80 != 0 && changes.is_empty();
            let range = if full {
                None
            } else {
                let (Some(s), Some(e)) = (b.position(), b.position()) else {
                    break;
                };
                Some(LineColRange::new(s, e))
            };
            let Some(text) = b.string() else {
                break;
            };
            model_apply(&mut model, range, &text, enc);
            changes.push((range, text));
        }
        version += 1;
        doc = doc.edited(version, changes.iter().map(|(r, t)| (*r, t.as_str())), enc);
        // Reading the analysis of intermediate versions too, as the server does.
        if op & 0x40 != 0 {
            let _ = doc.analysis();
        }
        assert_eq!(&**doc.text(), model.as_str(), "text after {changes:?}");
    }
    let fresh = Document::new(path.into(), kind, version, &model, profile);
    assert_eq!(doc.analysis().diagnostics, fresh.analysis().diagnostics);
    check_diagnostics(&model, &fresh.analysis().diagnostics);
}
