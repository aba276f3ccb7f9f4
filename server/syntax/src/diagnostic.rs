//! Diagnostics as analysis produces them: byte ranges, a stable code, a message
//! that says what to do, and the quick fixes that are unambiguous.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// One text replacement, in bytes of the document it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A quick fix: a title and the edits that apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Safe to apply without looking (`forge-ls check --fix`): it removes only what cannot
    /// be meant (a byte-order mark, blank lines before the frontmatter, invisible characters).
    pub safe: bool,
}

impl Fix {
    /// `text` with the edits applied (they do not overlap; last first, so
    /// earlier ranges stay valid).
    pub fn apply(&self, text: &str) -> String {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.range.clone(), &e.new_text);
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(
        code: &'static crate::codes::Code,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            range,
            severity: code.severity,
            code: code.id,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn fix(
        mut self,
        title: impl Into<String>,
        range: Range<usize>,
        new_text: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits: vec![Edit {
                range,
                new_text: new_text.into(),
            }],
            safe: false,
        });
        self
    }

    /// [`Diagnostic::fix`], marked safe for `check --fix`.
    pub fn safe_fix(
        self,
        title: impl Into<String>,
        range: std::ops::Range<usize>,
        new_text: impl Into<String>,
    ) -> Self {
        let mut d = self.fix(title, range, new_text);
        if let Some(f) = d.fixes.last_mut() {
            f.safe = true;
        }
        d
    }
}
