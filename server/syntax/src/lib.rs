//! The bottom layer of forge-ls: text and positions, the parsers (frontmatter framing, YAML with
//! spans, Markdown outlines), reading files from disk and the one policy for finding them, and the
//! diagnostic vocabulary (the code table) every layer reports in. The parsers report their own
//! problems (`yaml-syntax`, `file-binary`, …) in that table, which is why it lives here.

pub mod codes;
pub mod diagnostic;
pub mod files;
pub mod frontmatter;
pub mod markdown;
pub mod sources;
pub mod text;
pub mod yaml;
