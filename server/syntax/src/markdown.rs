//! The structure of a Markdown body: headings and their sections, HTML
//! comments (template prompts) and links, from pulldown-cmark's offset iterator.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The heading itself.
    pub range: Range<usize>,
    /// The heading and everything up to the next heading of the same or a higher level.
    pub section: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub headings: Vec<Heading>,
    /// HTML comments (`<!-- … -->`), each as one range.
    pub comments: Vec<Range<usize>>,
    pub links: Vec<Link>,
}

impl Outline {
    /// The first heading whose text equals `name`, ignoring case, at any level.
    pub fn find(&self, name: &str) -> Option<&Heading> {
        self.headings
            .iter()
            .find(|h| h.text.trim().eq_ignore_ascii_case(name))
    }
}

/// Outline of `text[body]`; all ranges are offsets into `text`.
pub fn outline(text: &str, body: Range<usize>) -> Outline {
    let base = body.start;
    let src = &text[body.clone()];
    let mut out = Outline::default();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut link: Option<(String, usize)> = None;
    for (event, range) in Parser::new_ext(src, Options::empty()).into_offset_iter() {
        let range = range.start + base..range.end + base;
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, range.start, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, text)) = heading.take() {
                    let end = trim_end_newlines(
                        text_bytes(text_slice(src, base, start..range.end)),
                        start,
                    );
                    out.headings.push(Heading {
                        level,
                        text: text.trim().to_string(),
                        range: start..end,
                        section: start..body.end,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                link = Some((dest_url.into_string(), range.start));
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((dest, start)) = link.take() {
                    out.links.push(Link {
                        dest,
                        range: start..range.end,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let trimmed = h.trim_start();
                let continues = out
                    .comments
                    .last()
                    .is_some_and(|c: &Range<usize>| !text[c.clone()].trim_end().ends_with("-->"));
                if continues {
                    if let Some(last) = out.comments.last_mut() {
                        last.end = range.end;
                    }
                } else if trimmed.starts_with("<!--") {
                    out.comments.push(range);
                }
            }
            _ => {}
        }
    }
    for c in &mut out.comments {
        c.end = trim_end_newlines(text.as_bytes()[c.clone()].as_ref(), c.start);
    }
    // A section ends where the next heading of the same or a higher level starts.
    for i in 0..out.headings.len() {
        let level = out.headings[i].level;
        if let Some(next) = out.headings[i + 1..].iter().find(|h| h.level <= level) {
            out.headings[i].section.end = next.range.start;
        }
    }
    out
}

fn text_slice(src: &str, base: usize, range: Range<usize>) -> &str {
    &src[range.start - base..range.end - base]
}

fn text_bytes(s: &str) -> &[u8] {
    s.as_bytes()
}

fn trim_end_newlines(bytes: &[u8], start: usize) -> usize {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    start + end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_sections_comments_and_links() {
        let text = "---\nx: 1\n---\n# Title\n\nIntro\n\n## Boundaries\n\n- no\n\n<!-- fill\nme in -->\n\n# Next\nsee [a](./a.md)\n";
        let body = text.find("# Title").unwrap()..text.len();
        let o = outline(text, body);
        assert_eq!(o.headings.len(), 3);
        assert_eq!(&text[o.headings[0].range.clone()], "# Title");
        assert_eq!(o.headings[1].text, "Boundaries");
        assert_eq!(o.headings[0].section.end, text.find("# Next").unwrap());
        assert_eq!(o.headings[1].section.end, text.find("# Next").unwrap());
        assert_eq!(o.comments.len(), 1);
        assert_eq!(&text[o.comments[0].clone()], "<!-- fill\nme in -->");
        assert_eq!(o.links[0].dest, "./a.md");
        assert!(o.find("boundaries").is_some());
    }
}
