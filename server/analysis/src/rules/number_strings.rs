//! Spec §6 rule 28: a plain scalar that YAML reads as a number where the field
//! is text. The agent then sees the number's own rendering (`1.0` → `1`,
//! `0x1F` → `31`, `1e3` → `1000`), not what was written; quoting keeps it.

use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::yaml::{Kind, Node, Style};

/// How a number reads back as text (JavaScript's and serde's rendering for the
/// common cases): `None` when the written text survives unchanged.
pub fn changed(written: &str, kind: Kind) -> Option<String> {
    let back = match kind {
        Kind::Int => written.parse::<i64>().ok().map(|n| n.to_string()),
        Kind::Float => written
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.to_string()),
        _ => return None,
    };
    match back {
        Some(b) if b == written => None,
        Some(b) => Some(b),
        // Hex, octal, `.inf`: certainly not the written text.
        None => Some("a number".into()),
    }
}

/// Check the top-level entries of `root` whose key `is_text` says are text
/// fields; `agent` names who reads the file.
pub fn check(
    text: &str,
    root: &Node,
    is_text: impl Fn(&str) -> bool,
    agent: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for e in root.as_map().unwrap_or_default() {
        let Some(key) = e.key.as_str().filter(|k| is_text(k)) else {
            continue;
        };
        let node = &e.value;
        let Some(s) = node.as_scalar().filter(|s| s.style == Style::Plain) else {
            continue;
        };
        let Some(back) = changed(s.text.trim(), node.kind()) else {
            continue;
        };
        let written = &text[node.span.clone()];
        let Ok(quoted) = serde_json::to_string(written.trim()) else {
            continue;
        };
        diags.push(
            Diagnostic::new(&codes::YAML_NUMBER_STRING, node.span.clone(), format!(
                "YAML reads `{key}: {written}` as a number, so {agent} sees `{back}`, not `{written}`. Quote it to keep the text."
            ))
            .fix(format!("Quote as {quoted}"), node.span.clone(), quoted),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_read_back_differently() {
        assert_eq!(changed("1.0", Kind::Float).as_deref(), Some("1"));
        assert_eq!(changed("1.50", Kind::Float).as_deref(), Some("1.5"));
        assert_eq!(changed("1e3", Kind::Float).as_deref(), Some("1000"));
        assert_eq!(changed("007", Kind::Int).as_deref(), Some("7"));
        assert!(changed("0x1F", Kind::Int).is_some());
        assert_eq!(changed("1.5", Kind::Float), None);
        assert_eq!(changed("42", Kind::Int), None);
        assert_eq!(changed("1.0", Kind::String), None);
    }
}
