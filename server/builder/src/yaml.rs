//! Safe YAML scalars for generated SKILL.md frontmatter (§13.23: naive insertion breaks on `: `).

/// `s` as a YAML scalar: plain when that is unambiguous, otherwise double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    if is_safe_plain(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Always double-quoted (e.g. `version: "0.1.0"`, which would otherwise read as a number-ish plain).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0}' => out.push_str("\\0"),
            // Other C0/C1 controls, DEL, the BOM and line/paragraph separators must be escaped in YAML.
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_safe_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || s.chars()
            .any(|c| c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}')
    {
        return false;
    }
    // Indicators that start something other than a plain scalar.
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    // Would be read as another type (bool, null, number) by a YAML 1.1/1.2 loader.
    let lower = s.to_ascii_lowercase();
    if [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
    ]
    .contains(&lower.as_str())
    {
        return false;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use saphyr_parser::{Event, Parser};

    /// Parses `key: <scalar>` with a real YAML parser and returns the scalar's value.
    fn roundtrip(value: &str) -> Option<String> {
        let doc = format!("key: {}\nother: 1\n", scalar(value));
        let mut scalars = Vec::new();
        for ev in Parser::new_from_str(&doc) {
            match ev {
                Ok((Event::Scalar(v, ..), _)) => scalars.push(v.to_string()),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        if scalars.len() == 4 && scalars[0] == "key" && scalars[2] == "other" {
            Some(scalars[1].clone())
        } else {
            None
        }
    }

    #[test]
    fn tricky_values_stay_valid_yaml() {
        for v in [
            "Summarize: pages",
            "*bold* claims",
            "# not a comment",
            "[not, a, list]",
            "{x}",
            "- item",
            "yes",
            "1.0",
            "a #hash",
            "ends with colon:",
            "quote \" and backslash \\",
            "line\nbreak",
            "tab\there",
            " leading space",
            "'single'",
            "@at",
            "%percent",
            "bell\u{7}",
        ] {
            assert_eq!(roundtrip(v).as_deref(), Some(v), "{v:?} -> {}", scalar(v));
        }
        assert_eq!(scalar("plain words here"), "plain words here");
        assert_eq!(scalar("1.0"), "\"1.0\"");
    }

    proptest! {
        #[test]
        fn any_text_roundtrips(s in "\\PC{1,60}") {
            prop_assert_eq!(roundtrip(&s), Some(s.clone()));
        }
    }
}
