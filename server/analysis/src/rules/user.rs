//! USER.md: plain Markdown that Boternity passes to the model verbatim.

use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::{self, Framing};
use forge_syntax::markdown::{self, Outline};

pub fn check(text: &str, diags: &mut Vec<Diagnostic>) -> Outline {
    let mut body = 0..text.len();
    if let Ok(fm) = frontmatter::frame(text, Framing::Lenient) {
        diags.push(Diagnostic::new(&codes::FRONTMATTER_UNEXPECTED, fm.open.start..fm.close.end,
            "USER.md has no frontmatter in Boternity: this block reaches the model verbatim as part of the user briefing. Move it into prose or remove it."));
        body = fm.body;
    }
    let outline = markdown::outline(text, body.clone());
    super::soul::template_comments(&outline, diags);
    // The builder's template leaves parenthesized placeholder lines such as "(Add preferences here)".
    let mut pos = body.start;
    for line in text[body].split_inclusive('\n') {
        let t = line.trim();
        if t.len() > 2 && t.starts_with('(') && t.ends_with(')') {
            let start = pos + (line.len() - line.trim_start().len());
            diags.push(Diagnostic::new(&codes::TEMPLATE_UNFILLED, start..start + t.len(),
                "A template placeholder left in place; replace it with what the bot should know about you."));
        }
        pos += line.len();
    }
    outline
}
