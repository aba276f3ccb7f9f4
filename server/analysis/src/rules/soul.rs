//! SOUL.md: frontmatter as Boternity's reader sees it, and the builder's sections.

use super::lines::{self, LineField};
use super::report_framing;
use crate::schema::{self, SOUL_FIELDS, SOUL_SECTIONS};
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::{self, Framing};
use forge_syntax::markdown::{self, Outline};

pub fn check(text: &str, diags: &mut Vec<Diagnostic>) -> (Vec<LineField>, Outline) {
    let Some(fm) = report_framing(
        text,
        frontmatter::frame(text, Framing::Lenient),
        "SOUL.md",
        diags,
    ) else {
        let outline = markdown::outline(text, 0..text.len());
        return (Vec::new(), outline);
    };
    let fields = lines::read(text, fm.yaml.clone());
    for f in &fields {
        match schema::find(SOUL_FIELDS, &f.key) {
            None => {
                let mut d = Diagnostic::new(&codes::UNKNOWN_KEY, f.key_range.clone(), format!(
                    "Boternity's SOUL.md reader knows only `name`, `traits` and `tone`; `{}` is ignored (it still reaches the model as text).", f.key
                ));
                if let Some(right) = schema::suggest(SOUL_FIELDS.iter().map(|f| f.key), &f.key) {
                    d = d.fix(format!("Rename to `{right}`"), f.key_range.clone(), right);
                }
                diags.push(d);
            }
            Some(_) if f.is_quoted() => diags.push(super::identity::quoted(f)),
            Some(_) => {}
        }
    }
    match lines::get(&fields, "name") {
        Some(f) if !f.value.is_empty() => {}
        found => diags.push(Diagnostic::new(&codes::SOUL_NAME_MISSING, found.map_or(fm.open.clone(), |f| f.key_range.clone()),
            "SOUL.md frontmatter needs `name: <personality name>`; Boternity's soul parser fails without it.")),
    }
    if let Some(t) = lines::get(&fields, "traits") {
        if !(t.value.is_empty() || t.value.starts_with('[') && t.value.ends_with(']')) {
            diags.push(
                Diagnostic::new(
                    &codes::FIELD_TYPE,
                    t.value_range.clone(),
                    "`traits` must be a list: `[a, b]` or `- item` lines below it.",
                )
                .fix(
                    "Make it a list",
                    t.value_range.clone(),
                    format!("[{}]", t.value),
                ),
            );
        }
    }
    match lines::get(&fields, "tone") {
        Some(t) if !t.unquoted().trim().is_empty() => {}
        found => diags.push(Diagnostic::new(&codes::SOUL_TONE_EMPTY, found.map_or(fm.open.clone(), |f| f.key_range.clone()),
            "No `tone` set; say how the bot speaks (e.g. `tone: calm and encouraging`). The builder asks for it.")),
    }
    let outline = markdown::outline(text, fm.body.clone());
    for (section, why) in SOUL_SECTIONS {
        if outline.find(section).is_none() {
            diags.push(Diagnostic::new(
                &codes::SOUL_SECTION_MISSING,
                fm.close.clone(),
                format!(
                    "No `# {section}` section; the builder writes one ({}).",
                    why.trim_end_matches('.').to_lowercase()
                ),
            ));
        }
    }
    template_comments(&outline, diags);
    (fields, outline)
}

pub(crate) fn template_comments(outline: &Outline, diags: &mut Vec<Diagnostic>) {
    for c in &outline.comments {
        diags.push(Diagnostic::new(&codes::TEMPLATE_UNFILLED, c.clone(),
            "A template comment left in place; Boternity sends it to the model verbatim. Replace it with your own text or delete it."));
    }
}
