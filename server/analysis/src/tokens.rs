//! Token counts of assembled prompts, offline. OpenAI-family models are counted exactly with
//! their BPE (`tiktoken-rs`, whose vocabularies are compiled into the crate, so nothing is
//! downloaded); every other model (Anthropic's among them, whose tokenizer is not published) gets
//! an `o200k_base` count that says it is an estimate. Exact Anthropic counts come from Anthropic's
//! token-counting endpoint, which is HTTP and lives in `forge-llm`.

use tiktoken_rs::tokenizer::{get_tokenizer, Tokenizer};
use tiktoken_rs::CoreBPE;

/// How a text was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    bpe: Tokenizer,
    /// The model's own tokenizer (exact), or a stand-in (estimate).
    pub exact: bool,
}

impl Counter {
    /// The counter for `model`. A provider prefix (`openai/gpt-4o`) is ignored.
    pub fn for_model(model: &str) -> Counter {
        let bare = model.rsplit('/').next().unwrap_or(model).trim();
        match get_tokenizer(bare) {
            Some(bpe) => Counter { bpe, exact: true },
            None => Counter {
                bpe: Tokenizer::O200kBase,
                exact: false,
            },
        }
    }

    /// The tokenizer's name, as the result and the lens name it.
    pub fn name(&self) -> &'static str {
        let base = match self.bpe {
            Tokenizer::O200kHarmony => "o200k_harmony",
            Tokenizer::O200kBase => "o200k_base",
            Tokenizer::Cl100kBase => "cl100k_base",
            Tokenizer::P50kBase => "p50k_base",
            Tokenizer::P50kEdit => "p50k_edit",
            Tokenizer::R50kBase | Tokenizer::Gpt2 => "r50k_base",
        };
        if self.exact {
            base
        } else {
            "o200k_base (estimate)"
        }
    }

    fn bpe(&self) -> &'static CoreBPE {
        match self.bpe {
            Tokenizer::O200kHarmony => tiktoken_rs::o200k_harmony_singleton(),
            Tokenizer::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Tokenizer::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
            Tokenizer::P50kBase => tiktoken_rs::p50k_base_singleton(),
            Tokenizer::P50kEdit => tiktoken_rs::p50k_edit_singleton(),
            Tokenizer::R50kBase | Tokenizer::Gpt2 => tiktoken_rs::r50k_base_singleton(),
        }
    }

    /// The token ids of `text`, read as ordinary text (a `<|endoftext|>` written in a file is
    /// not a special token to the API either).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.bpe().encode_ordinary(text)
    }

    pub fn count(&self, text: &str) -> usize {
        self.encode(text).len()
    }
}

/// Context windows in tokens, by model prefix, first match wins: the figures Boternity sizes its
/// own budget with (`TokenBudget::from_capabilities`), so "half the window" means what it means
/// to the runtime.
pub const CONTEXT_WINDOWS: &[(&str, usize, &str)] = &[
    (
        "claude",
        200_000,
        "mondalsuman/boternity@b9c08e1:crates/boternity-infra/src/llm/anthropic/client.rs (capabilities_for_model: every Claude model)",
    ),
    (
        "gpt-",
        128_000,
        "mondalsuman/boternity@b9c08e1:crates/boternity-api/src/cli/provider.rs (infer_capabilities, provider `openai`)",
    ),
    (
        "o1",
        128_000,
        "mondalsuman/boternity@b9c08e1:crates/boternity-api/src/cli/provider.rs (infer_capabilities, provider `openai`)",
    ),
    (
        "o3",
        128_000,
        "mondalsuman/boternity@b9c08e1:crates/boternity-api/src/cli/provider.rs (infer_capabilities, provider `openai`)",
    ),
];

/// What Boternity assumes for any other OpenAI-compatible model (`infer_capabilities`, fallback).
pub const DEFAULT_CONTEXT_WINDOW: usize = 128_000;

/// The context window of `model` and whether the table knew it.
pub fn context_window(model: &str) -> (usize, bool) {
    let bare = model.rsplit('/').next().unwrap_or(model).trim();
    CONTEXT_WINDOWS
        .iter()
        .find(|(p, _, _)| bare.starts_with(p))
        .map_or((DEFAULT_CONTEXT_WINDOW, false), |(_, n, _)| (*n, true))
}

/// Thousands separated by commas, as the lens and the preview headings show counts.
pub fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Token ids of "hello world" in OpenAI's tiktoken test suite (tests/test_encoding.py):
    // gpt2 [31373, 995], cl100k_base [15339, 1917], o200k_base [24912, 2375].
    #[test]
    fn known_token_ids() {
        let gpt4 = Counter::for_model("gpt-4");
        assert!(gpt4.exact);
        assert_eq!(gpt4.name(), "cl100k_base");
        assert_eq!(gpt4.encode("hello world"), [15339, 1917]);
        let gpt4o = Counter::for_model("gpt-4o");
        assert_eq!(gpt4o.name(), "o200k_base");
        assert_eq!(gpt4o.encode("hello world"), [24912, 2375]);
        assert_eq!(
            Counter::for_model("openai/gpt-4o-mini").name(),
            "o200k_base"
        );
        assert_eq!(
            Counter::for_model("gpt2").encode("hello world"),
            [31373, 995]
        );
    }

    #[test]
    fn claude_is_an_estimate() {
        let c = Counter::for_model("claude-sonnet-4-20250514");
        assert!(!c.exact);
        assert_eq!(c.name(), "o200k_base (estimate)");
        assert_eq!(c.count("hello world"), 2);
    }

    #[test]
    fn windows_and_grouping() {
        assert_eq!(context_window("claude-opus-4-20250514"), (200_000, true));
        assert_eq!(context_window("gpt-4o"), (128_000, true));
        assert_eq!(context_window("llama3"), (DEFAULT_CONTEXT_WINDOW, false));
        assert_eq!(grouped(1840), "1,840");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
