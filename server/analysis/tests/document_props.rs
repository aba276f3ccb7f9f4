//! Random edit sequences with multi-byte text and mixed line endings, in both
//! position encodings, leave the server's document text equal to the client's.

use forge_analysis::document::Document;
use forge_analysis::rules::Profile;
use forge_analysis::FileKind;
use forge_syntax::text::{LineCol, LineColRange, PositionEncoding};
use proptest::prelude::*;

/// The client's view: a position computed from scratch over the chars, splitting
/// lines at `\n`, `\r\n` and a lone `\r`.
fn position(chars: &[char], idx: usize, enc: PositionEncoding) -> LineCol {
    let (mut line, mut col) = (0u32, 0u32);
    let mut i = 0;
    while i < idx {
        let c = chars[i];
        if c == '\r' && chars.get(i + 1) == Some(&'\n') && i + 1 < idx {
            line += 1;
            col = 0;
            i += 2;
            continue;
        }
        if c == '\n' || c == '\r' {
            line += 1;
            col = 0;
        } else {
            col += match enc {
                PositionEncoding::Utf8 => c.len_utf8() as u32,
                PositionEncoding::Utf16 => c.len_utf16() as u32,
            };
        }
        i += 1;
    }
    LineCol::new(line, col)
}

fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a".to_string()),
            Just("é".to_string()),
            Just("字".to_string()),
            Just("😀".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("---\n".to_string()),
            Just("name: x\n".to_string()),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn edits_keep_server_and_client_text_equal(
        initial in piece(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), piece()), 1..25),
        utf8 in any::<bool>(),
    ) {
        let enc = if utf8 { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
        let mut client: Vec<char> = initial.chars().collect();
        let mut doc = Document::new("/w/skills/x/SKILL.md".into(), FileKind::Skill, 0, &initial, Profile::Boternity);
        for (n, (a, b, text)) in edits.into_iter().enumerate() {
            let mut s = a.index(client.len() + 1);
            let mut e = b.index(client.len() + 1);
            if s > e { std::mem::swap(&mut s, &mut e); }
            // Never split a CRLF pair: a client cannot address a position between them.
            let inside_crlf = |i: usize| i > 0 && i < client.len() && client[i - 1] == '\r' && client[i] == '\n';
            if inside_crlf(s) { s -= 1; }
            if inside_crlf(e) { e -= 1; }
            let range = LineColRange::new(position(&client, s, enc), position(&client, e, enc));
            client.splice(s..e, text.chars());
            doc = doc.edited(n as i32 + 1, [(Some(range), text.as_str())], enc);
            let expected: String = client.iter().collect();
            prop_assert_eq!(&**doc.text(), expected.as_str());
        }
        // And the result analyses like a fresh open of the same text.
        let fresh = Document::new("/w/skills/x/SKILL.md".into(), FileKind::Skill, 0, doc.text(), Profile::Boternity);
        prop_assert_eq!(&doc.analysis().diagnostics, &fresh.analysis().diagnostics);
    }
}
