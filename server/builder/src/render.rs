//! Pure rendering of a finished config into file texts.
//!
//! SOUL.md and IDENTITY.md are read by Boternity with a line reader that keeps quotes literally (§2.1,
//! §3.1), so their values are written unquoted on one line. SKILL.md goes through a real YAML parser,
//! so its scalars are quoted safely (see `yaml`).

use super::defaults::{provider_for_model, suggest_capabilities, DEFAULT_BOUNDARIES};
use super::types::*;
use super::yaml;

/// The files of one bot, ready to be written into `bots/{slug}/`.
#[derive(Debug, Clone, PartialEq)]
pub struct BotFiles {
    pub identity_md: String,
    pub soul_md: String,
    pub user_md: String,
    /// `None` when the bot has no skills (Boternity: a missing file means none attached).
    pub skills_toml: Option<String>,
    /// `(skill name, SKILL.md)` for each skill to create under `skills/{name}/`.
    pub new_skills: Vec<(String, String)>,
}

/// Floats as a person writes them: at most 2 decimals, at least one (`1.0`, `0.7`, `0.35`).
pub fn format_float(v: f64) -> String {
    if !v.is_finite() {
        return "0.7".into();
    }
    let s = format!("{:.2}", (v * 100.0).round() / 100.0);
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

/// One line, no leading/trailing space: what the Boternity line readers can hold.
pub(crate) fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps any category string to the four Boternity bot categories (unknown → `assistant`).
pub fn bot_category(s: &str) -> &'static str {
    match s.trim().to_ascii_lowercase().as_str() {
        "creative" => "creative",
        "research" | "complex_analyst" => "research",
        "utility" | "simple_utility" | "coding" => "utility",
        _ => "assistant",
    }
}

pub fn render_identity(c: &BuilderConfig) -> String {
    let name = one_line(&c.name);
    let model = one_line(&c.model_config.model);
    format!(
        "---\ndisplay_name: {name}\ncategory: {}\nmodel: {model}\nprovider: {}\ntemperature: {}\nmax_tokens: {}\n---\n\n# {name} - Identity Configuration\n",
        bot_category(&c.category),
        provider_for_model(&model),
        format_float(c.model_config.temperature),
        c.model_config.max_tokens,
    )
}

/// `a` or `an` before `word`, by how English speakers say its first sound: "an adaptive", "a warm",
/// "a unique", "an honest".
pub fn article(word: &str) -> &'static str {
    let w = word.trim_start().to_lowercase();
    const AN_EXCEPT: &[&str] = &[
        "uni", "use", "usu", "ute", "eu", "one", "once", "ubiq", "uran",
    ];
    const SILENT_H: &[&str] = &["honest", "honour", "honor", "hour", "heir"];
    let vowel = w.starts_with(['a', 'e', 'i', 'o', 'u']);
    if (vowel && !AN_EXCEPT.iter().any(|p| w.starts_with(p)))
        || SILENT_H.iter().any(|p| w.starts_with(p))
    {
        "an"
    } else {
        "a"
    }
}

/// `a, b and c`.
fn joined(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|t| one_line(t)).collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

/// The generated `# Personality` paragraph (also used by reconfigure to tell generated text from
/// user-edited text).
pub fn personality_paragraph(tone: &str, traits: &[String]) -> String {
    let tone = one_line(tone);
    let a = article(&tone);
    if traits.is_empty() {
        format!("You embody {a} {tone} personality. You adapt to each conversation while staying true to who you are.")
    } else {
        format!(
            "You embody {a} {tone} personality with these core traits: {}. You adapt to each conversation while staying true to who you are.",
            traits.iter().map(|t| one_line(t)).collect::<Vec<_>>().join(", ")
        )
    }
}

/// The paragraph as earlier versions wrote it ("a" whatever the tone), still recognised as
/// generated so that reconfigure keeps it in step.
pub fn legacy_personality_paragraph(tone: &str, traits: &[String]) -> String {
    personality_paragraph(tone, traits).replacen("You embody an ", "You embody a ", 1)
}

pub fn traits_block(traits: &[String]) -> String {
    let mut out = String::from("traits:\n");
    for t in traits {
        out.push_str(&format!("  - {}\n", one_line(t)));
    }
    out
}

pub fn boundaries_text(b: &Option<String>) -> String {
    b.clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BOUNDARIES.to_string())
}

pub fn render_soul(c: &BuilderConfig) -> String {
    let p = &c.personality;
    format!(
        "---\nname: {}\n{}tone: {}\n---\n\n# Personality\n\n{}\n\n# Purpose\n\n{}\n\n# Boundaries\n\n{}\n",
        one_line(&c.name),
        traits_block(&p.traits),
        one_line(&p.tone),
        personality_paragraph(&p.tone, &p.traits),
        p.purpose.trim(),
        boundaries_text(&p.boundaries).trim(),
    )
}

/// The intro paragraph of USER.md: what the bot does, as one sentence (Boternity's builder
/// template states the config's description there).
pub fn user_intro(c: &BuilderConfig) -> String {
    // Verbatim (no full stop added): reconfigure reads the description back from this line.
    format!("{}{}", user_intro_prefix(&c.name), one_line(&c.description))
}

/// What [`user_intro`] puts before the description, and what earlier versions put there.
pub fn user_intro_prefix(name: &str) -> String {
    format!("About {}: ", one_line(name))
}
pub fn legacy_user_intro_prefix(name: &str) -> String {
    format!("{} is here to help you with: ", one_line(name))
}

/// The generated bullet lines of USER.md, each with the slot it fills
/// (`Preferences` first, then `Important Context`); reconfigure rewrites each
/// line that still reads as generated.
pub fn user_bullets(c: &BuilderConfig) -> Vec<(&'static str, String)> {
    let name = one_line(&c.name);
    let p = &c.personality;
    let tone = one_line(&p.tone);
    let mut out = vec![(
        "tone",
        format!("- Talk to me in {} {tone} tone.", article(&tone)),
    )];
    if !p.traits.is_empty() {
        out.push((
            "traits",
            format!("- I value {name} being {}.", joined(&p.traits)),
        ));
    }
    out.push((
        "tokens",
        format!(
            "- Keep replies within about {} tokens.",
            c.model_config.max_tokens
        ),
    ));
    // The intro already says what the bot does: the purpose only when it says more.
    if !one_line(&p.purpose).eq_ignore_ascii_case(&one_line(&c.description)) {
        out.push((
            "purpose",
            format!("- What I need from {name}: {}", one_line(&p.purpose)),
        ));
    }
    out.push((
        "boundaries",
        format!(
            "- Limits I agreed with {name}: {}",
            one_line(&boundaries_text(&p.boundaries))
        ),
    ));
    if !c.skills.is_empty() {
        out.push((
            "skills",
            format!(
                "- Skills {name} can use: {}",
                c.skills
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    out
}

/// The bullets as earlier versions wrote them, by slot, so reconfigure still recognises them as
/// generated (and rewrites them) rather than as the user's own lines.
pub fn legacy_user_bullets(c: &BuilderConfig) -> Vec<(&'static str, String)> {
    let name = one_line(&c.name);
    let p = &c.personality;
    let mut out = vec![(
        "tone",
        format!("- Talk to me in a {} tone.", one_line(&p.tone)),
    )];
    if !p.traits.is_empty() {
        let list: Vec<String> = p.traits.iter().map(|t| one_line(t)).collect();
        out.push((
            "traits",
            format!("- I value a {name} that is {}.", list.join(", ")),
        ));
    }
    out.push((
        "purpose",
        format!("- What I need from {name}: {}", one_line(&p.purpose)),
    ));
    out
}

pub fn render_user(c: &BuilderConfig) -> String {
    let name = one_line(&c.name);
    let (prefs, context): (Vec<_>, Vec<_>) = user_bullets(c)
        .into_iter()
        .partition(|(slot, _)| matches!(*slot, "tone" | "traits" | "tokens"));
    let prefs: Vec<String> = prefs.into_iter().map(|(_, l)| l).collect();
    let context: Vec<String> = context.into_iter().map(|(_, l)| l).collect();
    format!(
        "# User Context for {name}\n\n{}\n\n## Preferences\n\n{}\n\n## Important Context\n\n{}\n",
        user_intro(c),
        prefs.join("\n"),
        context.join("\n")
    )
}

/// A skills.toml table for one attached skill (§6.8). Builder-created skills carry
/// `overrides.origin = "builder-created"` as Boternity's assembler writes.
pub(crate) fn skill_table(name: &str, builder_created: bool) -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    t.insert("skill_name", toml_edit::value(name));
    t.insert("enabled", toml_edit::value(true));
    t.insert("trust_tier", toml_edit::value("local"));
    if builder_created {
        t.insert("version", toml_edit::value("0.1.0"));
        let mut o = toml_edit::Table::new();
        o.insert("origin", toml_edit::value("builder-created"));
        t.insert("overrides", toml_edit::Item::Table(o));
    }
    t
}

pub fn render_skills_toml(skills: &[SkillRequest], is_existing: &dyn Fn(&str) -> bool) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    let mut root = toml_edit::Table::new();
    root.set_implicit(true);
    for s in skills {
        root.insert(
            &s.name,
            toml_edit::Item::Table(skill_table(&s.name, !is_existing(&s.name))),
        );
    }
    doc.insert("skills", toml_edit::Item::Table(root));
    doc.to_string()
}

fn title_case(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A SKILL.md (§6.3, §6.11) with safely quoted scalars and a non-empty body.
pub fn render_skill(s: &SkillConfig) -> String {
    let caps = s
        .capabilities
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let description = if s.description.trim().is_empty() {
        format!("Skill {}", s.name)
    } else {
        s.description.trim().to_string()
    };
    let mut body = s.body.trim().to_string();
    if body.is_empty() {
        body = super::flow::default_skill_instructions(&description);
    }
    if !body.starts_with("# ") {
        body = format!("# {}\n\n{body}", title_case(&s.name));
    }
    format!(
        "---\nname: {}\ndescription: {}\nmetadata:\n  author: {}\n  version: \"0.1.0\"\n  skill-type: {}\n  capabilities: [{caps}]\n  trust-tier: {}\n---\n\n{body}\n",
        yaml::scalar(&s.name),
        yaml::scalar(&description),
        yaml::scalar(&s.author),
        s.skill_type.as_str(),
        s.trust_tier.as_str(),
    )
}

/// The SKILL.md of a skill requested by a bot config (Boternity `skill_request_to_build_result`, made
/// valid: skill-type `prompt|tool`, never `rust`).
pub fn skill_from_request(r: &SkillRequest) -> SkillConfig {
    let name = super::slug::skill_name(&r.name).unwrap_or_else(|_| "skill".into());
    let skill_type = SkillType::from_request(&r.skill_type);
    let capabilities = match skill_type {
        SkillType::Tool => suggest_capabilities(&r.description)
            .into_iter()
            .map(|(c, _)| c)
            .collect(),
        SkillType::Prompt => Vec::new(),
    };
    SkillConfig {
        name,
        description: r.description.clone(),
        skill_type,
        capabilities,
        trust_tier: TrustTier::Local,
        body: String::new(),
        author: "builder".into(),
    }
}

/// All files of a bot; a SKILL.md is generated for every requested skill.
pub fn render_bot(c: &BuilderConfig) -> BotFiles {
    render_bot_except(c, &|_| false)
}

/// Like [`render_bot`] but skills for which `is_existing` is true (already in the workspace or the
/// global library) are only attached in skills.toml, not generated.
pub fn render_bot_except(c: &BuilderConfig, is_existing: &dyn Fn(&str) -> bool) -> BotFiles {
    let mut config = c.clone();
    // Skill names become folder names and TOML keys: force the valid slug form.
    let mut seen = Vec::new();
    config.skills = c
        .skills
        .iter()
        .filter_map(|r| {
            let name = super::slug::skill_name(&r.name).ok()?;
            if seen.contains(&name) {
                return None;
            }
            seen.push(name.clone());
            Some(SkillRequest { name, ..r.clone() })
        })
        .collect();
    let new_skills = config
        .skills
        .iter()
        .filter(|r| !is_existing(&r.name))
        .map(|r| (r.name.clone(), render_skill(&skill_from_request(r))))
        .collect();
    BotFiles {
        identity_md: render_identity(&config),
        soul_md: render_soul(&config),
        user_md: render_user(&config),
        skills_toml: (!config.skills.is_empty())
            .then(|| render_skills_toml(&config.skills, is_existing)),
        new_skills,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn generated_text_reads_as_english() {
        for (w, a) in [
            ("adaptive", "an"),
            ("warm", "a"),
            ("unique", "a"),
            ("honest", "an"),
            ("upbeat", "an"),
            ("European", "a"),
            ("one-line", "a"),
        ] {
            assert_eq!(article(w), a, "{w}");
        }
        let mut c = sample();
        c.personality.tone = "adaptive".into();
        c.personality.traits = vec!["patient".into(), "precise".into(), "kind".into()];
        c.personality.purpose = c.description.clone();
        assert!(render_soul(&c).contains("You embody an adaptive personality"));
        let user = render_user(&c);
        assert!(
            user.contains("About Quill: Help students proofread essays\n"),
            "{user}"
        );
        assert!(user.contains("- Talk to me in an adaptive tone."), "{user}");
        assert!(
            user.contains("- I value Quill being patient, precise and kind."),
            "{user}"
        );
        // The intro says what the bot does; the purpose is not said again in the same words.
        assert_eq!(
            user.matches("Help students proofread essays").count(),
            1,
            "{user}"
        );
    }

    pub(crate) fn sample() -> BuilderConfig {
        BuilderConfig {
            name: "Quill".into(),
            description: "Help students proofread essays".into(),
            category: "creative".into(),
            tags: vec![],
            personality: PersonalityConfig {
                tone: "calm and encouraging".into(),
                traits: vec!["patient".into(), "precise".into()],
                purpose: "Help students proofread essays.".into(),
                boundaries: Some("Never write graded work for the student.".into()),
            },
            model_config: ModelConfig {
                model: "claude-sonnet-4-20250514".into(),
                temperature: 1.0,
                max_tokens: 2048,
            },
            skills: vec![SkillRequest {
                name: "essay-check".into(),
                description: "Check essays: grammar, *style* and # structure".into(),
                skill_type: "local".into(),
            }],
        }
    }

    /// Every model the builder offers renders an IDENTITY.md that forge-ls's
    /// own rules pass without an error or a warning (gpt-4o once got
    /// `provider: openai`, which `identity-provider-unknown` flags).
    #[test]
    fn identity_for_every_offered_model_passes_the_rules() {
        use forge_analysis::{analyze, FileKind};
        use forge_syntax::diagnostic::Severity;
        for model in forge_analysis::schema::BUILDER_MODELS {
            let mut c = sample();
            c.model_config.model = model.to_string();
            let text = render_bot(&c).identity_md;
            let a = analyze(
                FileKind::Identity,
                std::path::Path::new("/w/bots/quill/IDENTITY.md"),
                &text,
                forge_analysis::rules::Profile::Boternity,
            );
            let bad: Vec<_> = a
                .diagnostics
                .iter()
                .filter(|d| d.severity <= Severity::Warning)
                .collect();
            assert!(bad.is_empty(), "{model}: {bad:?}\n{text}");
        }
    }

    #[test]
    fn numbers_are_formatted_sensibly() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.7), "0.7");
        assert_eq!(format_float(0.1 + 0.2), "0.3");
        assert_eq!(format_float(0.35), "0.35");
        assert_eq!(format_float(f64::NAN), "0.7");
    }

    #[test]
    fn identity_always_has_display_name() {
        let f = render_bot(&sample());
        assert!(f.identity_md.starts_with("---\ndisplay_name: Quill\ncategory: creative\nmodel: claude-sonnet-4-20250514\nprovider: anthropic\ntemperature: 1.0\nmax_tokens: 2048\n---\n"), "{}", f.identity_md);
        let mut c = sample();
        c.category = "coding".into();
        c.model_config.model = "gpt-4o".into();
        let id = render_identity(&c);
        assert!(id.contains("category: utility\n") && id.contains("provider: openai_compatible\n"));
    }

    #[test]
    fn soul_matches_the_builder_template() {
        let soul = render_bot(&sample()).soul_md;
        let expected = "---\nname: Quill\ntraits:\n  - patient\n  - precise\ntone: calm and encouraging\n---\n\n# Personality\n\nYou embody a calm and encouraging personality with these core traits: patient, precise. You adapt to each conversation while staying true to who you are.\n\n# Purpose\n\nHelp students proofread essays.\n\n# Boundaries\n\nNever write graded work for the student.\n";
        assert_eq!(soul, expected);
        let mut c = sample();
        c.personality.boundaries = None;
        assert!(render_soul(&c).contains(DEFAULT_BOUNDARIES));
    }

    #[test]
    fn user_md_has_real_content() {
        let user = render_bot(&sample()).user_md;
        assert!(!user.starts_with("---"));
        let prefs = user.split("## Preferences").nth(1).unwrap();
        assert!(prefs.contains("- Talk to me in a calm and encouraging tone."));
        let ctx = user.split("## Important Context").nth(1).unwrap();
        assert!(ctx.contains("Never write graded work"));
        assert!(!user.contains("(") || !user.contains("placeholder"));
        assert!(!user.contains("<!--"));
    }

    #[test]
    fn skills_toml_parses_with_skill_name() {
        let toml_text = render_bot(&sample()).skills_toml.unwrap();
        let v: toml::Table = toml::from_str(&toml_text).unwrap();
        let e = &v["skills"]["essay-check"];
        assert_eq!(e["skill_name"].as_str(), Some("essay-check"));
        assert_eq!(e["enabled"].as_bool(), Some(true));
        assert_eq!(e["trust_tier"].as_str(), Some("local"));
        assert_eq!(e["overrides"]["origin"].as_str(), Some("builder-created"));
        let existing = render_bot_except(&sample(), &|n| n == "essay-check");
        assert!(existing.new_skills.is_empty());
        assert!(!existing.skills_toml.unwrap().contains("builder-created"));
        let mut none = sample();
        none.skills.clear();
        assert!(render_bot(&none).skills_toml.is_none());
    }

    /// Frontmatter of a SKILL.md parsed with a real YAML parser into (key path, value) pairs.
    pub(crate) fn skill_frontmatter(md: &str) -> Vec<(String, String)> {
        use saphyr_parser::{Event, Parser};
        let rest = md.strip_prefix("---\n").expect("starts with ---");
        let end = rest.find("\n---").expect("closing ---");
        let mut out = Vec::new();
        let mut stack: Vec<String> = Vec::new();
        let mut key: Option<String> = None;
        let mut in_seq = 0;
        for ev in Parser::new_from_str(&rest[..end]) {
            match ev.expect("valid YAML").0 {
                Event::MappingStart(..) => {
                    if let Some(k) = key.take() {
                        stack.push(k);
                    }
                }
                Event::MappingEnd => {
                    stack.pop();
                }
                Event::SequenceStart(..) => in_seq += 1,
                Event::SequenceEnd => {
                    in_seq -= 1;
                    key = None;
                }
                Event::Scalar(v, ..) => {
                    if in_seq > 0 {
                        let k = key.clone().unwrap_or_default();
                        out.push((format!("{}{k}[]", prefix(&stack)), v.to_string()));
                    } else if let Some(k) = key.take() {
                        out.push((format!("{}{k}", prefix(&stack)), v.to_string()));
                    } else {
                        key = Some(v.to_string());
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn prefix(stack: &[String]) -> String {
        stack.iter().map(|s| format!("{s}.")).collect()
    }

    fn get<'a>(fm: &'a [(String, String)], k: &str) -> Vec<&'a str> {
        fm.iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn generated_skill_md_is_valid_yaml_even_with_tricky_text() {
        let files = render_bot(&sample());
        let (name, md) = &files.new_skills[0];
        assert_eq!(name, "essay-check");
        let fm = skill_frontmatter(md);
        assert_eq!(get(&fm, "name"), ["essay-check"]);
        assert_eq!(
            get(&fm, "description"),
            ["Check essays: grammar, *style* and # structure"]
        );
        assert_eq!(get(&fm, "metadata.version"), ["0.1.0"]);
        assert_eq!(get(&fm, "metadata.skill-type"), ["prompt"]);
        assert_eq!(get(&fm, "metadata.author"), ["builder"]);
        let body = md.split("\n---\n").nth(1).unwrap();
        assert!(body.trim().starts_with("# Essay Check"));
        assert!(body.contains("## Instructions"));
    }

    #[test]
    fn skill_mode_rendering() {
        let s = SkillConfig {
            name: "page-summarizer".into(),
            description: "* fetch: a page".into(),
            skill_type: SkillType::Tool,
            capabilities: vec![Capability::HttpGet, Capability::RecallMemory],
            trust_tier: TrustTier::Untrusted,
            body: "Fetch, then summarize.".into(),
            author: "me: myself".into(),
        };
        let md = render_skill(&s);
        let fm = skill_frontmatter(&md);
        assert_eq!(get(&fm, "description"), ["* fetch: a page"]);
        assert_eq!(get(&fm, "metadata.author"), ["me: myself"]);
        assert_eq!(
            get(&fm, "metadata.capabilities[]"),
            ["http_get", "recall_memory"]
        );
        assert_eq!(get(&fm, "metadata.trust-tier"), ["untrusted"]);
        assert!(md.ends_with("# Page Summarizer\n\nFetch, then summarize.\n"));
        // wasm requests become tool skills, never `rust`
        let r = skill_from_request(&SkillRequest {
            name: "Web Fetch".into(),
            description: "fetch a url".into(),
            skill_type: "wasm".into(),
        });
        assert_eq!(
            (r.name.as_str(), r.skill_type),
            ("web-fetch", SkillType::Tool)
        );
        assert!(render_skill(&r).contains("\n  skill-type: tool\n"));
    }

    #[test]
    fn hostile_names_stay_on_one_line() {
        let mut c = sample();
        c.name = "Evil\n---\ninjected: true".into();
        c.skills[0].name = "../../etc".into();
        let f = render_bot(&c);
        assert!(f
            .identity_md
            .starts_with("---\ndisplay_name: Evil --- injected: true\n"));
        assert_eq!(f.new_skills[0].0, "etc");
    }
}
