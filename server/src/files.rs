//! Reading bot and skill files from disk, with a diagnostic for anything that is
//! not text we can analyse (binary data, invalid UTF-8, absurd sizes).

use std::path::Path;

use crate::codes;
use crate::diagnostic::Diagnostic;

/// Larger files are not bot or skill files; we report instead of analysing.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file's text, or the diagnostic that replaces its analysis (the range is in
/// the lossy text returned alongside, so it can still be positioned).
pub enum Content {
    Text(String),
    Unreadable {
        diagnostic: Diagnostic,
        lossy: String,
    },
}

pub fn read(path: &Path) -> std::io::Result<Content> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Ok(Content::Unreadable {
            diagnostic: Diagnostic::new(&codes::FILE_TOO_LARGE, 0..0, format!(
                "This file is {} MB; forge-ls does not analyse files over {} MB. Bot and skill files are normally a few KB.",
                meta.len() / (1024 * 1024), MAX_FILE_BYTES / (1024 * 1024)
            )),
            lossy: String::new(),
        });
    }
    Ok(from_bytes(std::fs::read(path)?))
}

pub fn from_bytes(bytes: Vec<u8>) -> Content {
    if let Some(nul) = bytes.iter().take(8192).position(|&b| b == 0) {
        let lossy = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let at = lossy.len();
        return Content::Unreadable {
            diagnostic: Diagnostic::new(&codes::FILE_BINARY, at..at,
                "This file holds binary data (a NUL byte), not text; replace it with a UTF-8 text file."),
            lossy,
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Content::Text(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let at = valid.min(lossy.len());
            let end = lossy[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            Content::Unreadable {
                diagnostic: Diagnostic::new(&codes::FILE_NOT_UTF8, at..end, format!(
                    "The file is not valid UTF-8 (first bad byte at offset {valid}); Boternity cannot read it. Re-save it as UTF-8."
                )),
                lossy,
            }
        }
    }
}
