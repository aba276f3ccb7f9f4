//! Where the cursor is in a bot file, as far as builder questions care: which question's answer
//! goes at this spot (interface spec §5: questions offered "as completion items at the field or
//! section the question fills").
//!
//! Deliberately a light line scan rather than the full parse: it runs on every completion request
//! and must also make sense of half-typed lines (`## Bou`, `mod`) that no parser accepts yet.

use super::flow::FileTarget;

/// The cursor's spot in one bot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// In the frontmatter, on the line of key `key` (written with its colon).
    Key(String),
    /// In the frontmatter, typing a key: a bare word (possibly empty) with no colon yet.
    TypingKey(String),
    /// In the body of the section headed `heading` (not on the heading line).
    Section(String),
    /// On a heading line: `#`, `## `, `## Bou`, `## Boundaries`.
    Heading(String),
    /// In the body before the first heading.
    Intro,
    /// In the body under the file's first heading, a level-1 one, before any other heading:
    /// USER.md's intro below its `# User Context for …` title, or a SOUL.md section.
    Title(String),
    /// On a blank line of `skills.toml`.
    TomlBlank,
}

impl Spot {
    /// Whether an answer written at `target` belongs at this spot.
    pub fn fits(&self, target: &FileTarget) -> bool {
        let starts = |word: &str, full: &str| full.to_lowercase().starts_with(&word.to_lowercase());
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b.trim());
        match (self, target) {
            (Spot::Key(k), FileTarget::Identity(f) | FileTarget::SoulFrontmatter(f)) => same(f, k),
            (Spot::TypingKey(k), FileTarget::Identity(f) | FileTarget::SoulFrontmatter(f)) => {
                starts(k, f)
            }
            (Spot::Section(h), FileTarget::SoulSection(s) | FileTarget::UserSection(s)) => {
                same(s, h)
            }
            (Spot::Heading(h), FileTarget::SoulSection(s) | FileTarget::UserSection(s)) => {
                starts(h, s)
            }
            (Spot::Title(h), FileTarget::SoulSection(s) | FileTarget::UserSection(s)) => same(s, h),
            (Spot::Intro | Spot::Title(_), FileTarget::UserIntro) => true,
            (Spot::TomlBlank, FileTarget::SkillsToml) => true,
            _ => false,
        }
    }

    /// Whether the cursor's line is a half-typed key or heading that the answer replaces (the
    /// answer is computed on the text without that line, then written in its place).
    pub fn replaces_line(&self, target: &FileTarget) -> bool {
        match (self, target) {
            (Spot::TypingKey(_), _) => true,
            // A complete heading of an existing section keeps its body: the answer rewrites it.
            (Spot::Heading(h), FileTarget::SoulSection(s) | FileTarget::UserSection(s)) => {
                !h.trim().eq_ignore_ascii_case(s)
            }
            _ => false,
        }
    }
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// The text of an ATX heading line (`## Boundaries` → `Boundaries`), if it is one.
fn heading(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &t[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

/// The spot of byte `offset` in a Markdown bot file (`IDENTITY.md`, `SOUL.md`, `USER.md`).
pub fn markdown_spot(text: &str, offset: usize) -> Spot {
    let offset = forge_syntax::text::floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let before: Vec<&str> = text[..line_start].lines().collect();

    // Frontmatter: an opening `---` as the first line and no closing one before the cursor's line.
    if before.first().is_some_and(|l| l.trim_end() == "---")
        && !before[1..]
            .iter()
            .any(|l| matches!(l.trim_end(), "---" | "..."))
        && line.trim_end() != "---"
    {
        return match line.split_once(':') {
            Some((k, _)) => Spot::Key(k.trim().to_string()),
            None => Spot::TypingKey(line.trim().to_string()),
        };
    }
    let mut fenced = false;
    let mut section = None;
    // (level of the first heading, how many headings) above the cursor.
    let mut first_level = 0;
    let mut headings = 0;
    // Skip a closed frontmatter block, then track fences and the last heading above the cursor.
    let mut body = before.as_slice();
    if body.first().is_some_and(|l| l.trim_end() == "---") {
        if let Some(close) = body[1..]
            .iter()
            .position(|l| matches!(l.trim_end(), "---" | "..."))
        {
            body = &body[close + 2..];
        }
    }
    for l in body {
        if is_fence(l) {
            fenced = !fenced;
        } else if !fenced {
            if let Some(h) = heading(l) {
                section = Some(h.to_string());
                if headings == 0 {
                    first_level = l.trim_start().bytes().take_while(|&b| b == b'#').count();
                }
                headings += 1;
            }
        }
    }
    if !fenced {
        if let Some(h) = heading(line) {
            // A heading with text under it is being renamed, not typed anew: answering there
            // would strand its text in the section above.
            let below = text[line_end..].lines().skip(1);
            let has_body = below
                .take_while(|l| heading(l).is_none())
                .any(|l| !l.trim().is_empty());
            return if has_body {
                Spot::Section(h.to_string())
            } else {
                Spot::Heading(h.to_string())
            };
        }
    }
    match section {
        Some(h) if headings == 1 && first_level == 1 => Spot::Title(h),
        Some(h) => Spot::Section(h),
        None => Spot::Intro,
    }
}

/// The spot of byte `offset` in `skills.toml`: only blank lines take a new entry.
pub fn toml_spot(text: &str, offset: usize) -> Option<Spot> {
    let offset = forge_syntax::text::floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[line_start..line_end]
        .trim()
        .is_empty()
        .then_some(Spot::TomlBlank)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Spot {
        let offset = text.find('|').expect("cursor mark");
        let text = text.replacen('|', "", 1);
        markdown_spot(&text, offset)
    }

    #[test]
    fn frontmatter_keys_and_half_typed_keys() {
        assert_eq!(at("---\nmodel: |\n---\n"), Spot::Key("model".into()));
        assert_eq!(at("---\nmod|\n---\n"), Spot::TypingKey("mod".into()));
        assert_eq!(at("---\nname: x\n|\n---\n"), Spot::TypingKey(String::new()));
        // An unclosed frontmatter still counts: the user is writing it.
        assert_eq!(at("---\ntone|"), Spot::TypingKey("tone".into()));
        assert_eq!(at("---\r\nmodel: |\r\n---\r\n"), Spot::Key("model".into()));
    }

    #[test]
    fn headings_sections_and_intro() {
        let soul = "---\nname: Luna\n---\n\n# Luna\n\n## Purpose\nHelps.\n";
        assert_eq!(at(&format!("{soul}## Bou|")), Spot::Heading("Bou".into()));
        assert_eq!(at(&format!("{soul}## |")), Spot::Heading(String::new()));
        assert_eq!(at(&format!("{soul}|")), Spot::Section("Purpose".into()));
        assert_eq!(at("Some intro|\n## About\n"), Spot::Intro);
        // A `#` inside a fenced block is not a heading.
        assert_eq!(
            at("## Purpose\n```\n# not a heading\n|"),
            Spot::Section("Purpose".into())
        );
        assert_eq!(at("#hashtag|"), Spot::Intro);
        // Renaming a heading that has text under it is not typing a new section.
        assert_eq!(
            at("## Purpose\nHelps.\n## Bou|\nNo medical advice.\n"),
            Spot::Section("Bou".into())
        );
        assert_eq!(
            at("## Purpose\nHelps.\n## Bou|\n\n## Values\n"),
            Spot::Heading("Bou".into())
        );
    }

    /// USER.md's intro sits below its `# User Context for …` title; a SOUL.md's first `#`
    /// section is still that section.
    #[test]
    fn the_text_under_a_first_level_one_title() {
        let user = at("# User Context for Zed\n\n|\n\n## Preferences\n");
        assert_eq!(user, Spot::Title("User Context for Zed".into()));
        assert!(user.fits(&FileTarget::UserIntro));
        assert!(!user.fits(&FileTarget::UserSection("Preferences")));
        let soul = at("---\nname: Zed\n---\n\n# Personality\n\n|\n");
        assert!(soul.fits(&FileTarget::SoulSection("Personality")));
        assert!(!soul.fits(&FileTarget::SoulSection("Purpose")));
        assert_eq!(
            at("# User Context for Zed\n\n## Preferences\n|"),
            Spot::Section("Preferences".into())
        );
    }

    #[test]
    fn which_targets_fit() {
        let typing = Spot::Heading("bou".into());
        assert!(typing.fits(&FileTarget::SoulSection("Boundaries")));
        assert!(typing.replaces_line(&FileTarget::SoulSection("Boundaries")));
        let complete = Spot::Heading("Boundaries".into());
        assert!(complete.fits(&FileTarget::SoulSection("Boundaries")));
        assert!(!complete.replaces_line(&FileTarget::SoulSection("Boundaries")));
        assert!(!typing.fits(&FileTarget::SoulSection("Purpose")));
        assert!(Spot::Key("model".into()).fits(&FileTarget::Identity("model")));
        assert!(!Spot::Key("model".into()).fits(&FileTarget::Identity("provider")));
        assert!(Spot::TypingKey(String::new()).fits(&FileTarget::SoulFrontmatter("tone")));
        assert!(!Spot::Intro.fits(&FileTarget::SoulSection("Purpose")));
        assert_eq!(toml_spot("[bot]\n\n", 6), Some(Spot::TomlBlank));
        assert_eq!(toml_spot("[bot]\n", 2), None);
    }
}
