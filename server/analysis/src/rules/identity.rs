//! IDENTITY.md: read the way Boternity's line reader reads it (spec §3).

use super::lines::{self, LineField};
use super::{one_of, report_framing};
use crate::schema::{self, IDENTITY_FIELDS, IDENTITY_NOT_READ};
use forge_syntax::codes;
use forge_syntax::diagnostic::{Diagnostic, Severity};
use forge_syntax::frontmatter::{self, Framing};

pub fn check(text: &str, folder: Option<&str>, diags: &mut Vec<Diagnostic>) -> Vec<LineField> {
    let framed = frontmatter::frame(text, Framing::Lenient);
    let before = diags.len();
    let fm = report_framing(text, framed, "IDENTITY.md", diags);
    // Boternity drops a file it cannot frame (a BOM included) and uses its defaults.
    for d in &mut diags[before..] {
        d.message
            .push_str(" Until then Boternity ignores the file and uses its defaults.");
    }
    let Some(fm) = fm else {
        return Vec::new();
    };
    let fields = lines::read(text, fm.yaml.clone());
    for (i, f) in fields.iter().enumerate() {
        if fields[i + 1..].iter().any(|g| g.key == f.key) {
            diags.push(
                Diagnostic::new(
                    &codes::YAML_DUPLICATE_KEY,
                    f.key_range.clone(),
                    format!(
                        "`{}` appears again below; Boternity uses the last one. Remove this line.",
                        f.key
                    ),
                )
                .severity(Severity::Warning),
            );
        }
        if schema::find(IDENTITY_FIELDS, &f.key).is_none() {
            let msg = if IDENTITY_NOT_READ.contains(&f.key.as_str()) {
                format!(
                    "Boternity never reads `{}` from IDENTITY.md; it has no effect here.",
                    f.key
                )
            } else if let Some(right) =
                schema::suggest(IDENTITY_FIELDS.iter().map(|f| f.key), &f.key)
            {
                format!(
                    "Boternity does not know `{}`; did you mean `{right}`?",
                    f.key
                )
            } else {
                format!(
                    "Boternity never reads `{}` from IDENTITY.md; it has no effect.",
                    f.key
                )
            };
            let mut d = Diagnostic::new(&codes::UNKNOWN_KEY, f.key_range.clone(), msg);
            if let Some(right) = schema::suggest(IDENTITY_FIELDS.iter().map(|f| f.key), &f.key) {
                d = d.fix(format!("Rename to `{right}`"), f.key_range.clone(), right);
            }
            diags.push(d);
        } else if f.is_quoted() && !matches!(f.key.as_str(), "temperature" | "max_tokens") {
            // Quoted numbers get `identity-number-invalid` (with the same fix) below.
            diags.push(quoted(f));
        }
    }
    match lines::get(&fields, "display_name") {
        Some(f) if !f.unquoted().trim().is_empty() => {}
        found => {
            let name = folder.map(title_case).unwrap_or_else(|| "My Bot".into());
            let mut d = Diagnostic::new(&codes::IDENTITY_DISPLAY_NAME_MISSING, found.map_or(fm.open.clone(), |f| f.key_range.clone()),
                "IDENTITY.md has no `display_name`, so Boternity ignores the whole file and falls back to its defaults (model claude-sonnet-4-20250514, temperature 0.7, max_tokens 4096). Add `display_name: <name>`.");
            if found.is_none() {
                d = d.fix(
                    format!("Add `display_name: {name}`"),
                    fm.yaml.start..fm.yaml.start,
                    format!("display_name: {name}\n"),
                );
            }
            diags.push(d);
        }
    }
    if let Some(f) = lines::get(&fields, "category") {
        let v = f.unquoted();
        if !schema::CATEGORIES
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(v))
        {
            diags.push(Diagnostic::new(&codes::IDENTITY_CATEGORY_INVALID, f.value_range.clone(), format!(
                "`{v}` is not a bot category; Boternity treats it as `assistant`. Use one of {}.", one_of(schema::CATEGORIES)
            )));
        }
    }
    let provider = lines::get(&fields, "provider").map(|f| (f, f.unquoted().to_string()));
    if let Some((f, p)) = &provider {
        if !schema::PROVIDERS.iter().any(|c| c.name == p) {
            let mut d = Diagnostic::new(
                &codes::IDENTITY_PROVIDER_UNKNOWN,
                f.value_range.clone(),
                format!(
                    "`{p}` is not a provider Boternity knows; use one of {}.",
                    one_of(schema::PROVIDERS)
                ),
            );
            if p == "openai" {
                d.message = "`openai` is not a provider Boternity knows: it calls OpenAI-compatible endpoints `openai_compatible`.".into();
                d = d.fix(
                    "Change to `openai_compatible`",
                    f.value_range.clone(),
                    "openai_compatible",
                );
            }
            diags.push(d);
        }
    }
    let provider_name = provider.as_ref().map_or("anthropic", |(_, p)| p.as_str());
    let model = lines::get(&fields, "model").map(|f| f.unquoted().to_string());
    if let Some(f) = lines::get(&fields, "model") {
        diags.extend(model_unknown(f, provider_name, None));
    }
    if let Some(f) = lines::get(&fields, "temperature") {
        match f.value.parse::<f64>() {
            Err(_) => diags.push(number_invalid(f, "a number such as 0.7", "0.7")),
            Ok(t) if !schema::TEMPERATURE.contains(&t) => {
                let mut d = Diagnostic::new(&codes::IDENTITY_NUMBER_RANGE, f.value_range.clone(), format!(
                    "temperature {t} is outside 0–2, the range Boternity's web UI allows; providers reject it."
                ));
                // The nearest value the range allows keeps as much of the intent as there is.
                if !t.is_nan() {
                    let (lo, hi) = (*schema::TEMPERATURE.start(), *schema::TEMPERATURE.end());
                    let clamped = t.clamp(lo, hi);
                    d = d.fix(
                        format!("Clamp to {clamped} (the range is {lo}–{hi})"),
                        f.value_range.clone(),
                        clamped.to_string(),
                    );
                }
                diags.push(d);
            }
            Ok(_) => {}
        }
    }
    if let Some(f) = lines::get(&fields, "max_tokens") {
        match f.value.parse::<i64>() {
            Err(_) => diags.push(number_invalid(f, "a whole number such as 4096", "4096")),
            Ok(n) if !schema::MAX_TOKENS.contains(&n) => diags.push(
                Diagnostic::new(&codes::IDENTITY_NUMBER_RANGE, f.value_range.clone(), format!(
                    "max_tokens {n} is not a positive 32-bit number; Boternity would wrap it into a huge value. Use e.g. 4096."
                ))
                .severity(Severity::Error),
            ),
            Ok(n) => {
                let model = model.as_deref().unwrap_or("claude-sonnet-4-20250514");
                let limit = schema::max_output_tokens(model);
                // Boternity only knows Claude models' limits; for others its 4096 is a guess.
                let known_limit = model.contains("claude");
                if known_limit && n > i64::from(limit) {
                    diags.push(Diagnostic::new(&codes::IDENTITY_NUMBER_RANGE, f.value_range.clone(), format!(
                        "max_tokens {n} exceeds {model}'s output limit of {limit} tokens in Boternity's budget; replies cannot be that long."
                    )));
                }
            }
        }
    }
    fields
}

/// How many model ids a message names before it stops.
const NAMED_MODELS: usize = 8;

/// `identity-model-unknown` for the `model` line `f` of a bot whose provider is `provider`:
/// checked against the models the provider listed when forge-ls has a list for that provider,
/// else against the built-in table.
pub fn model_unknown(
    f: &LineField,
    provider: &str,
    listed: Option<&schema::ProviderModels>,
) -> Option<Diagnostic> {
    let m = f.unquoted();
    // Boternity sends a Bedrock model id with a dot as is (spec §3.4).
    let bedrock_id = m.contains('.');
    let (known, source): (Vec<&str>, String) = match listed.filter(|l| l.serves(provider)) {
        Some(l) if l.knows(m) || (bedrock_id && l.family == "anthropic") => return None,
        Some(l) => (
            l.models.iter().map(|m| m.id.as_str()).collect(),
            format!("{} lists for your key", l.source),
        ),
        None => {
            let known: Vec<&str> = schema::models_for(provider).map(|m| m.id).collect();
            if known.is_empty() || known.contains(&m) || bedrock_id {
                return None;
            }
            (known, format!("forge-ls knows for provider `{provider}`"))
        }
    };
    let mut named = known
        .iter()
        .take(NAMED_MODELS)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if known.len() > NAMED_MODELS {
        named.push_str(&format!(" and {} more", known.len() - NAMED_MODELS));
    }
    Some(Diagnostic::new(&codes::IDENTITY_MODEL_UNKNOWN, f.value_range.clone(), format!(
        "`{m}` is not a model {source} (known: {named}). Check the spelling; Boternity sends it unchanged."
    )))
}

/// `identity-model-unknown` for a whole IDENTITY.md `text`, checked against `listed`: what the
/// server puts in place of the per-file result once the provider's list is in.
pub fn model_diagnostic(text: &str, listed: Option<&schema::ProviderModels>) -> Option<Diagnostic> {
    let fm = frontmatter::frame(text, Framing::Lenient).ok()?;
    let fields = lines::read(text, fm.yaml.clone());
    let provider = lines::get(&fields, "provider").map_or("anthropic", |f| f.unquoted());
    model_unknown(lines::get(&fields, "model")?, provider, listed)
}

fn number_invalid(f: &LineField, want: &str, default: &str) -> Diagnostic {
    let mut d = Diagnostic::new(
        &codes::IDENTITY_NUMBER_INVALID,
        f.value_range.clone(),
        format!(
            "`{}` must be {want}; Boternity silently replaces `{}` with the default {default}.",
            f.key, f.value
        ),
    );
    if let Ok(n) = f.unquoted().parse::<f64>() {
        if f.is_quoted() {
            d = d.fix("Remove the quotes", f.value_range.clone(), n.to_string());
        }
    }
    d
}

pub(crate) fn quoted(f: &LineField) -> Diagnostic {
    Diagnostic::new(&codes::FRONTMATTER_QUOTED_VALUE, f.value_range.clone(), format!(
        "Boternity reads this line literally and keeps the quotes: `{}` becomes {}. Remove the quotes.", f.key, f.value
    ))
    .fix("Remove the quotes", f.value_range.clone(), f.unquoted())
}

fn title_case(folder: &str) -> String {
    folder
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> Vec<(String, String)> {
        let mut diags = Vec::new();
        check(text, Some("luna"), &mut diags);
        diags
            .iter()
            .filter(|d| d.code == codes::IDENTITY_NUMBER_RANGE.id)
            .flat_map(|d| d.fixes.iter().map(|f| (f.title.clone(), f.apply(text))))
            .collect()
    }

    #[test]
    fn a_temperature_out_of_range_is_clamped_to_it() {
        let text = "---\ndisplay_name: Luna\ntemperature: 5\n---\n";
        assert_eq!(
            fixed(text),
            [(
                "Clamp to 2 (the range is 0–2)".to_string(),
                text.replace("temperature: 5", "temperature: 2")
            )]
        );
        let text = "---\ndisplay_name: Luna\ntemperature: -0.5\n---\n";
        assert_eq!(fixed(text)[0].1, text.replace("-0.5", "0"));
    }

    #[test]
    fn the_listed_models_decide_once_they_are_in() {
        let listed = schema::ProviderModels {
            family: "anthropic",
            source: "Anthropic's API".into(),
            models: vec![schema::ListedModel {
                id: "claude-haiku-4-5-20251001".into(),
                display_name: Some("Claude Haiku 4.5".into()),
            }],
        };
        let bot = |model: &str| format!("---\ndisplay_name: Luna\nmodel: {model}\n---\n");
        // Boternity's web UI offers `claude-haiku-3-5-20241022`; only a list can say the API has it not.
        let text = bot("claude-haiku-3-5-20241022");
        assert_eq!(model_diagnostic(&text, None), None);
        let d = model_diagnostic(&text, Some(&listed)).expect("unknown to the provider");
        assert!(
            d.message
                .contains("Anthropic's API lists for your key (known: claude-haiku-4-5-20251001)"),
            "{}",
            d.message
        );
        assert_eq!(&text[d.range.clone()], "claude-haiku-3-5-20241022");
        // A listed id, its alias, and a Bedrock id pass.
        for ok in [
            "claude-haiku-4-5-20251001",
            "claude-haiku-4-5",
            "us.anthropic.claude-x-v1:0",
        ] {
            assert_eq!(model_diagnostic(&bot(ok), Some(&listed)), None, "{ok}");
        }
        // A list of another family leaves the table in charge.
        let other = schema::ProviderModels {
            family: "openai_compatible",
            ..listed
        };
        let text = "---\ndisplay_name: Luna\nmodel: claude-nope\n---\n";
        assert!(model_diagnostic(text, Some(&other)).is_some_and(|d| d
            .message
            .contains("forge-ls knows for provider `anthropic`")));
    }
}
