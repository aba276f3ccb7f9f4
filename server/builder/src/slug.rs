//! Bot slugs (§1.3) and skill names.

use super::BuilderError;

/// Boternity's slug: lowercase, every non-alphanumeric char (Unicode-aware) becomes `-`, runs of `-`
/// collapse, ends are stripped. Because `/`, `.` and `\` are not alphanumeric, the result can never be a
/// path (`../../x` → `x`).
pub fn slugify(name: &str) -> Result<String, BuilderError> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let slug = out.trim_matches('-').to_string();
    if slug.is_empty() {
        return Err(BuilderError::InvalidName(
            "name must contain at least one alphanumeric character".into(),
        ));
    }
    Ok(slug)
}

/// `base`, else `base-2` … `base-99`, the first one `exists` says is free (§1.3).
pub fn unique_slug(base: &str, exists: impl Fn(&str) -> bool) -> Result<String, BuilderError> {
    if !exists(base) {
        return Ok(base.to_string());
    }
    for n in 2..=99 {
        let candidate = format!("{base}-{n}");
        if !exists(&candidate) {
            return Ok(candidate);
        }
    }
    Err(BuilderError::SlugConflict(format!(
        "could not generate unique slug from '{base}'"
    )))
}

/// A valid SKILL.md name made of `name`: the validator's own rule
/// ([`forge_analysis::rules::skill::slug`]), so accents are dropped rather than kept as in bot slugs.
pub fn skill_name(name: &str) -> Result<String, BuilderError> {
    let slug = forge_analysis::rules::skill::slug(name);
    if slug.is_empty() {
        return Err(BuilderError::InvalidName(
            "skill name must contain at least one ASCII letter or digit".into(),
        ));
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boternity_examples() {
        assert_eq!(slugify("Research Assistant").unwrap(), "research-assistant");
        assert_eq!(slugify("Bot v2.0").unwrap(), "bot-v2-0");
        assert_eq!(slugify("  Café   Olé!! ").unwrap(), "café-olé");
    }

    #[test]
    fn paths_never_survive() {
        assert_eq!(slugify("../../x").unwrap(), "x");
        assert_eq!(slugify("a/../b\\c").unwrap(), "a-b-c");
        assert_eq!(skill_name("../../etc/passwd").unwrap(), "etc-passwd");
    }

    #[test]
    fn empty_is_an_error() {
        let e = slugify("!!! ---").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid name: name must contain at least one alphanumeric character"
        );
        assert!(slugify("").is_err());
        assert!(skill_name("ééé").is_err());
    }

    #[test]
    fn unique_suffixes() {
        let taken = ["bot", "bot-2"];
        assert_eq!(unique_slug("bot", |s| taken.contains(&s)).unwrap(), "bot-3");
        assert_eq!(unique_slug("new", |_| false).unwrap(), "new");
        let e = unique_slug("bot", |_| true).unwrap_err();
        assert!(e
            .to_string()
            .contains("could not generate unique slug from 'bot'"));
    }

    #[test]
    fn skill_names_are_capped_and_valid() {
        let long = "word ".repeat(40);
        let n = skill_name(&long).unwrap();
        assert!(
            n.len() <= 64 && forge_analysis::rules::skill::is_valid_name(&n),
            "{n}"
        );
        assert!(!forge_analysis::rules::skill::is_valid_name("Bad"));
        assert!(!forge_analysis::rules::skill::is_valid_name("-x"));
    }

    proptest! {
        #[test]
        fn slugs_are_safe(s in "\\PC{0,40}") {
            if let Ok(slug) = slugify(&s) {
                prop_assert!(!slug.is_empty());
                prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
                prop_assert!(!slug.contains("--"));
                prop_assert!(slug.chars().all(|c| c == '-' || c.is_alphanumeric()));
            }
            if let Ok(n) = skill_name(&s) {
                prop_assert!(forge_analysis::rules::skill::is_valid_name(&n));
            }
        }
    }
}
