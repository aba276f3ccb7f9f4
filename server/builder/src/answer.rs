//! The user's answer to a turn, accepted in both the forge-ls and the Boternity spelling, and the
//! sanitising of free text.

use super::BuilderError;
use serde_json::Value;

/// Upper bound of any free-text answer, in bytes. Larger input is rejected rather than truncated so the
/// user knows their text did not make it.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Upper bound of one-line answers (names, tones, models), in characters.
pub const MAX_LINE_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 0-based index into the options of the pending question.
    Option(usize),
    Text(String),
    Confirm(bool),
    Back,
}

impl Answer {
    /// Accepts `{"option": n}`, `{"text": s}`, `{"confirm": b}`, `{"back": true}` and Boternity's
    /// `{"OptionIndex": n}`, `{"FreeText": s}`, `{"Confirm": b}`, `"Back"`.
    pub fn from_json(v: &Value) -> Result<Answer, BuilderError> {
        const SHAPES: &str = "expected {\"option\": n}, {\"text\": \"...\"}, {\"confirm\": true|false}, {\"back\": true} or Boternity's {\"OptionIndex\": n}, {\"FreeText\": \"...\"}, {\"Confirm\": b}, \"Back\"";
        let bad = |why: &str| BuilderError::BadAnswer(format!("{why}; {SHAPES}"));
        match v {
            Value::String(s) if s == "Back" || s == "back" => Ok(Answer::Back),
            Value::Object(map) => {
                if map.len() != 1 {
                    return Err(bad("an answer object must have exactly one key"));
                }
                let Some((key, val)) = map.iter().next() else {
                    return Err(bad("empty answer"));
                };
                match key.as_str() {
                    "option" | "OptionIndex" => match val.as_u64() {
                        Some(n) => usize::try_from(n)
                            .map(Answer::Option)
                            .map_err(|_| bad("option index too large")),
                        None => Err(bad("the option must be a non-negative integer")),
                    },
                    "text" | "FreeText" => match val {
                        Value::String(s) => Ok(Answer::Text(s.clone())),
                        _ => Err(bad("the text must be a string")),
                    },
                    "confirm" | "Confirm" => match val {
                        Value::Bool(b) => Ok(Answer::Confirm(*b)),
                        _ => Err(bad("confirm must be true or false")),
                    },
                    "back" | "Back" => match val {
                        Value::Bool(true) | Value::Null => Ok(Answer::Back),
                        _ => Err(bad("back must be true")),
                    },
                    other => Err(bad(&format!("unknown answer kind '{other}'"))),
                }
            }
            _ => Err(bad("unrecognised answer")),
        }
    }

    /// The interface spelling, e.g. for logs and tests.
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Option(n) => serde_json::json!({ "option": n }),
            Answer::Text(t) => serde_json::json!({ "text": t }),
            Answer::Confirm(b) => serde_json::json!({ "confirm": b }),
            Answer::Back => serde_json::json!({ "back": true }),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Answer::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// Multi-line free text: rejects oversized input, drops control characters except `\n` and `\t`
/// (so `\r\n` becomes `\n`), trims, and rejects an empty result.
pub fn clean_text(raw: &str) -> Result<String, BuilderError> {
    if raw.len() > MAX_TEXT_BYTES {
        return Err(BuilderError::TooLong {
            max: MAX_TEXT_BYTES,
            len: raw.len(),
        });
    }
    let s: String = raw
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let s = s.trim().to_string();
    if s.is_empty() {
        return Err(BuilderError::EmptyAnswer);
    }
    Ok(s)
}

/// One-line text (names, tones, models): control characters and runs of whitespace become one space.
pub fn clean_line(raw: &str) -> Result<String, BuilderError> {
    let s = clean_text(raw)?;
    let s = s
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let n = s.chars().count();
    if n > MAX_LINE_CHARS {
        return Err(BuilderError::TooLong {
            max: MAX_LINE_CHARS,
            len: n,
        });
    }
    Ok(s)
}

/// Like [`clean_text`] but never fails: used for the start description, which has no error channel.
pub fn clamp_text(raw: &str, max_bytes: usize) -> String {
    let mut end = raw.len().min(max_bytes);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    raw[..end]
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_spellings_parse() {
        for (v, a) in [
            (json!({"option": 2}), Answer::Option(2)),
            (json!({"OptionIndex": 0}), Answer::Option(0)),
            (json!({"text": "hi"}), Answer::Text("hi".into())),
            (json!({"FreeText": "hi"}), Answer::Text("hi".into())),
            (json!({"confirm": true}), Answer::Confirm(true)),
            (json!({"Confirm": false}), Answer::Confirm(false)),
            (json!({"back": true}), Answer::Back),
            (json!("Back"), Answer::Back),
        ] {
            assert_eq!(Answer::from_json(&v).unwrap(), a, "{v}");
            let a2: Answer = serde_json::from_value(v).unwrap();
            assert_eq!(a2, a);
        }
    }

    #[test]
    fn bad_shapes_are_clear_errors() {
        for v in [
            json!({"option": -1}),
            json!({"option": "1"}),
            json!({"text": 3}),
            json!({"confirm": "yes"}),
            json!({"back": false}),
            json!({"option": 1, "text": "x"}),
            json!({}),
            json!({"frobnicate": 1}),
            json!(42),
            json!("Forward"),
            json!(null),
        ] {
            let e = Answer::from_json(&v).unwrap_err().to_string();
            assert!(e.starts_with("invalid answer: "), "{v}: {e}");
            assert!(e.contains("{\"option\": n}"), "{e}");
        }
    }

    #[test]
    fn sanitising() {
        assert_eq!(
            clean_text(" a\u{0}b\r\nc\td\u{1b}[31m ").unwrap(),
            "ab\nc\td[31m"
        );
        assert_eq!(clean_line("  Luna \n the\tbot ").unwrap(), "Luna the bot");
        assert!(matches!(
            clean_text(" \u{7} "),
            Err(BuilderError::EmptyAnswer)
        ));
        let huge = "a".repeat(1 << 20);
        assert!(matches!(
            clean_text(&huge),
            Err(BuilderError::TooLong { .. })
        ));
        assert!(matches!(
            clean_line(&"b".repeat(300)),
            Err(BuilderError::TooLong { max: 200, .. })
        ));
        let clamped = clamp_text(&"é".repeat(10), 5);
        assert_eq!(clamped, "éé");
    }
}
