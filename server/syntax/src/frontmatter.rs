//! Frontmatter framing, exactly as Boternity frames each file.
//!
//! SKILL.md (spec §6.2): `---` at byte 0, one `\n` skipped, the YAML runs to the
//! first `\n---`. SOUL.md and IDENTITY.md (§2.1): leading whitespace allowed,
//! the first `\n---` closes. In both, any line *starting* with `---` closes the
//! block (`----` too), which we mirror so we never disagree with the product.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// SKILL.md: strict, no BOM, nothing before the opening `---`.
    Skill,
    /// SKILL.md under the Agent Skills specification: as `Skill`, but a lone
    /// `\r` also ends a line (old Mac line endings), as the reference validator reads it.
    SkillAnyNewline,
    /// SOUL.md / IDENTITY.md: leading whitespace skipped.
    Lenient,
}

/// The located parts of a file with frontmatter (byte ranges into the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontmatter {
    /// The opening `---` (just the three dashes).
    pub open: Range<usize>,
    /// The YAML text between the delimiters.
    pub yaml: Range<usize>,
    /// The closing delimiter line's dashes.
    pub close: Range<usize>,
    /// Everything after the closing line.
    pub body: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FramingError {
    /// No `---` where one must be; the range is the first line.
    Missing { first_line: Range<usize> },
    /// A U+FEFF before the `---`.
    Bom,
    /// Blank lines or spaces before the `---` (SKILL.md only); range of them.
    LeadingSpace {
        range: Range<usize>,
        then: Box<Result<Frontmatter, FramingError>>,
    },
    /// `---` never closed; the range is the opening delimiter.
    Unclosed { open: Range<usize> },
}

pub fn frame(text: &str, framing: Framing) -> Result<Frontmatter, FramingError> {
    match framing {
        Framing::Skill | Framing::SkillAnyNewline => {
            let cr = framing == Framing::SkillAnyNewline;
            if text.starts_with('\u{feff}') {
                return Err(FramingError::Bom);
            }
            let trimmed = text.trim_start();
            let lead = text.len() - trimmed.len();
            if lead > 0 && trimmed.starts_with("---") {
                // Report the leading space, and what the file would be without it
                // so the rest of the file is still checked.
                return Err(FramingError::LeadingSpace {
                    range: 0..lead,
                    then: Box::new(frame_at(text, lead, cr)),
                });
            }
            frame_at(text, 0, cr)
        }
        Framing::Lenient => {
            // Boternity's `trim_start` does not strip U+FEFF (not whitespace), so
            // a BOM hides the opening `---` from it.
            if text.starts_with('\u{feff}') {
                return Err(FramingError::Bom);
            }
            let start = text.len() - text.trim_start().len();
            frame_at(text, start, false)
        }
    }
}

fn frame_at(text: &str, start: usize, cr: bool) -> Result<Frontmatter, FramingError> {
    let rest = &text[start..];
    if !rest.starts_with("---") {
        let end = rest.find(['\n', '\r']).map_or(text.len(), |i| start + i);
        return Err(FramingError::Missing {
            first_line: start..end,
        });
    }
    let open = start..start + 3;
    let mut yaml_start = open.end;
    if text[yaml_start..].starts_with('\n') {
        yaml_start += 1;
    } else if text[yaml_start..].starts_with("\r\n") {
        yaml_start += 2;
    }
    // The closing delimiter is the first "\n---" after the opening one. Searching
    // from `open.end` (not `yaml_start`) lets an empty block `---\n---` close.
    let found = if cr {
        [
            text[open.end..].find("\n---"),
            text[open.end..].find("\r---"),
        ]
        .into_iter()
        .flatten()
        .min()
    } else {
        text[open.end..].find("\n---")
    };
    let Some(nl) = found.map(|i| open.end + i) else {
        return Err(FramingError::Unclosed { open });
    };
    let close = nl + 1..nl + 4;
    let mut yaml_end = nl.max(yaml_start);
    if yaml_end > yaml_start && text.as_bytes()[yaml_end - 1] == b'\r' {
        yaml_end -= 1;
    }
    // The body starts after the closing line.
    let body_start = text[close.end..]
        .find(if cr { &['\n', '\r'][..] } else { &['\n'][..] })
        .map_or(text.len(), |i| close.end + i + 1);
    Ok(Frontmatter {
        open,
        yaml: yaml_start..yaml_end,
        close,
        body: body_start..text.len(),
    })
}

/// The first line of `text` (without its line break), for ranges that name "the top of the file".
pub fn first_line(text: &str) -> Range<usize> {
    0..text.find(['\n', '\r']).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_a_skill() {
        let text = "---\nname: a\n---\n# Body\n";
        let fm = frame(text, Framing::Skill).unwrap();
        assert_eq!(&text[fm.yaml.clone()], "name: a");
        assert_eq!(&text[fm.body.clone()], "# Body\n");
        assert_eq!(fm.close, 12..15);
    }

    #[test]
    fn frames_crlf() {
        let text = "---\r\nname: a\r\n---\r\nbody";
        let fm = frame(text, Framing::Skill).unwrap();
        assert_eq!(&text[fm.yaml.clone()], "name: a");
        assert_eq!(&text[fm.body.clone()], "body");
    }

    #[test]
    fn empty_block_closes() {
        let text = "---\n---\nx";
        let fm = frame(text, Framing::Skill).unwrap();
        assert_eq!(&text[fm.yaml.clone()], "");
        assert_eq!(&text[fm.body.clone()], "x");
    }

    #[test]
    fn errors() {
        assert!(matches!(
            frame("\u{feff}---\n---\n", Framing::Skill),
            Err(FramingError::Bom)
        ));
        assert!(matches!(
            frame("# x", Framing::Skill),
            Err(FramingError::Missing { .. })
        ));
        assert!(matches!(
            frame("", Framing::Skill),
            Err(FramingError::Missing { .. })
        ));
        assert_eq!(
            frame("---\nname: a\n", Framing::Skill),
            Err(FramingError::Unclosed { open: 0..3 })
        );
        match frame("\n\n---\nname: a\n---\n", Framing::Skill) {
            Err(FramingError::LeadingSpace { range, then }) => {
                assert_eq!(range, 0..2);
                assert!(then.is_ok());
            }
            other => panic!("{other:?}"),
        }
        assert!(frame("\n\n---\nname: a\n---\n", Framing::Lenient).is_ok());
        assert!(matches!(
            frame("\u{feff}---\nname: a\n---\n", Framing::Lenient),
            Err(FramingError::Bom)
        ));
    }
}
