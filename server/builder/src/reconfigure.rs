//! Reconfigure: read a bot's files into builder state, and write back only what changed.
//!
//! Reading uses the same tolerant line rules as Boternity (§2.1, §3.1). Writing edits single lines,
//! single sections and single TOML tables; every other byte (comments, unknown keys, body text, line
//! endings) is kept.

use super::defaults::{classify_purpose, provider_for_model};
use super::flow::{
    complete_config, current_value, questions, FieldValue, FileTarget, QuestionSpec,
};
use super::render::{
    boundaries_text, format_float, legacy_personality_paragraph, legacy_user_bullets,
    legacy_user_intro_prefix, one_line, personality_paragraph, render_skill, skill_from_request,
    skill_table, user_bullets, user_intro, user_intro_prefix,
};
use super::types::*;
use super::{BuilderError, Mode};

/// The texts of a bot's files (`None` = file absent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BotTexts {
    pub identity: Option<String>,
    pub soul: Option<String>,
    pub user: Option<String>,
    pub skills_toml: Option<String>,
}

/// What changed: `Some(text)` for each file to (re)write, plus SKILL.md files for newly added skills.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BotChanges {
    pub identity: Option<String>,
    pub soul: Option<String>,
    pub user: Option<String>,
    pub skills_toml: Option<String>,
    pub new_skills: Vec<(String, String)>,
}

impl BotChanges {
    pub fn is_empty(&self) -> bool {
        self.identity.is_none()
            && self.soul.is_none()
            && self.user.is_none()
            && self.skills_toml.is_none()
            && self.new_skills.is_empty()
    }
}

/// A bot as read from its files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedBot {
    /// Only the fields actually present in the files are set.
    pub config: PartialBuilderConfig,
    pub provider: Option<String>,
    /// Problems worth telling the user (unparsable numbers, broken skills.toml …).
    pub warnings: Vec<String>,
}

impl LoadedBot {
    /// The complete config (smart defaults for what the files leave out), the reconfigure origin.
    pub fn to_config(&self) -> Result<BuilderConfig, BuilderError> {
        let about = self
            .config
            .description
            .clone()
            .or_else(|| self.config.purpose.clone())
            .unwrap_or_default();
        complete_config(&self.config, &about, &classify_purpose(&about))
    }

    /// The bot questions whose answer the files do not contain (§5: offered as code actions).
    pub fn unanswered(&self) -> Vec<&'static QuestionSpec> {
        questions(Mode::Bot)
            .filter(|q| q.required)
            .filter(|q| current_value(q, &self.config, None, None).is_none_or(|v| v.is_empty()))
            .collect()
    }
}

// ---------- line helpers ----------

/// Lines with their endings, so edits can keep `\r\n`.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn ending(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

fn content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

pub(crate) fn eol_of(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Line indices of the frontmatter delimiters: (opening, closing). Boternity skips leading blank
/// lines and closes at the first later line starting with `---`.
fn frontmatter_bounds(ls: &[&str]) -> Option<(usize, usize)> {
    let open = ls.iter().position(|l| !l.trim().is_empty())?;
    if content(ls[open]).trim() != "---" {
        return None;
    }
    let close = (open + 1..ls.len()).find(|&i| ls[i].starts_with("---"))?;
    Some((open, close))
}

/// The frontmatter fields as Boternity's line reader sees them (the validator's reader).
fn fm_fields(text: &str) -> Option<Vec<forge_analysis::rules::lines::LineField>> {
    let fm =
        forge_syntax::frontmatter::frame(text, forge_syntax::frontmatter::Framing::Lenient).ok()?;
    Some(forge_analysis::rules::lines::read(text, fm.yaml))
}

/// `key:` value on a trimmed frontmatter line (last occurrence wins, quotes kept, as Boternity).
fn fm_get(text: &str, key: &str) -> Option<String> {
    let fields = fm_fields(text)?;
    forge_analysis::rules::lines::get(&fields, key).map(|f| f.value.clone())
}

/// Sets `key: value` in the frontmatter: every line holding the key is rewritten (keeping its
/// indentation and line ending); a missing key is added before the closing `---`; a file without
/// frontmatter gets one.
fn fm_set(text: &str, key: &str, value: &str) -> String {
    let ls = lines(text);
    let eol = eol_of(text);
    let Some((o, c)) = frontmatter_bounds(&ls) else {
        return format!("---{eol}{key}: {value}{eol}---{eol}{eol}{text}");
    };
    let prefix = format!("{key}:");
    let mut out = String::with_capacity(text.len() + value.len());
    let mut found = false;
    for (i, l) in ls.iter().enumerate() {
        let trimmed = content(l).trim_start();
        if i > o && i < c && trimmed.starts_with(prefix.as_str()) {
            let indent = &content(l)[..content(l).len() - trimmed.len()];
            out.push_str(&format!("{indent}{key}: {value}{}", ending(l)));
            found = true;
            continue;
        }
        if i == c && !found {
            out.push_str(&format!("{key}: {value}{eol}"));
        }
        out.push_str(l);
    }
    out
}

/// Traits in either inline (`traits: [a, b]`) or block form.
fn fm_traits(text: &str) -> Option<Vec<String>> {
    let fields = fm_fields(text)?;
    let f = fields.iter().find(|f| f.key == "traits")?;
    if let Some(inner) = f.value.strip_prefix('[') {
        let inner = inner.trim_end_matches(']');
        return Some(
            inner
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        );
    }
    Some(
        f.items
            .iter()
            .map(|(item, _)| item.clone())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Replaces the traits entry, keeping its form (inline stays inline).
fn fm_set_traits(text: &str, traits: &[String]) -> String {
    let ls = lines(text);
    let eol = eol_of(text);
    let items: Vec<String> = traits.iter().map(|t| one_line(t)).collect();
    let block = |eol: &str| {
        let mut s = format!("traits:{eol}");
        for t in &items {
            s.push_str(&format!("  - {t}{eol}"));
        }
        s
    };
    let Some((o, c)) = frontmatter_bounds(&ls) else {
        return format!("---{eol}{}---{eol}{eol}{text}", block(eol));
    };
    let Some(i) = (o + 1..c).find(|&i| content(ls[i]).trim().starts_with("traits:")) else {
        let mut out: String = ls[..c].concat();
        out.push_str(&block(eol));
        out.push_str(&ls[c..].concat());
        return out;
    };
    let rest = content(ls[i]).trim()["traits:".len()..].trim();
    let mut end = i + 1;
    let replacement = if rest.starts_with('[') {
        format!("traits: [{}]{}", items.join(", "), ending(ls[i]))
    } else {
        while end < c && content(ls[end]).trim_start().starts_with('-') {
            end += 1;
        }
        block(if ending(ls[i]).is_empty() {
            eol
        } else {
            ending(ls[i])
        })
    };
    let mut out: String = ls[..i].concat();
    out.push_str(&replacement);
    out.push_str(&ls[end..].concat());
    out
}

/// A Markdown heading: (level, title).
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = content(line);
    let level = t.chars().take_while(|&c| c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// Body line range of a section: (heading line, first content line, end exclusive, level), skipping
/// frontmatter and fenced code.
fn section_bounds(ls: &[&str], title: &str) -> Option<(usize, usize, usize, usize)> {
    let start = frontmatter_bounds(ls).map(|(_, c)| c + 1).unwrap_or(0);
    let mut fence = false;
    let mut found: Option<(usize, usize)> = None;
    for (i, l) in ls.iter().enumerate().skip(start) {
        let t = content(l).trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        if let Some((level, name)) = heading(l) {
            // The section's own text ends at the next heading of any level: subsections the user
            // added are theirs and must survive a rewrite of the section.
            if let Some((h, lv)) = found {
                return Some((h, h + 1, i, lv));
            } else if name.eq_ignore_ascii_case(title) {
                found = Some((i, level));
            }
        }
    }
    found.map(|(h, lv)| (h, h + 1, ls.len(), lv))
}

fn section_get(text: &str, title: &str) -> Option<String> {
    let ls = lines(text);
    let (_, a, b, _) = section_bounds(&ls, title)?;
    let s = ls[a..b].concat();
    let s = s.trim();
    (!s.is_empty()).then(|| s.replace("\r\n", "\n"))
}

/// Level at which the builder sections sit in this file (H1 in builder souls, H2 in default souls).
fn section_level(ls: &[&str]) -> usize {
    for t in [
        "Personality",
        "Purpose",
        "Boundaries",
        "Preferences",
        "Important Context",
    ] {
        if let Some((_, _, _, lv)) = section_bounds(ls, t) {
            return lv;
        }
    }
    if ls.iter().any(|l| heading(l).is_some_and(|(lv, _)| lv == 2)) {
        2
    } else {
        1
    }
}

/// Replaces the content of a section (heading kept), or appends the section when missing.
pub(crate) fn section_set(text: &str, title: &str, body: &str) -> String {
    let ls = lines(text);
    let eol = eol_of(text);
    let body = body.trim().replace('\n', eol);
    match section_bounds(&ls, title) {
        Some((_, a, b, _)) => {
            let mut out: String = ls[..a].concat();
            if ending(ls[a - 1]).is_empty() {
                out.push_str(eol);
            }
            out.push_str(eol);
            out.push_str(&body);
            out.push_str(eol);
            if b < ls.len() {
                out.push_str(eol);
            }
            out.push_str(&ls[b..].concat());
            out
        }
        None => {
            let level = section_level(&ls);
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(eol);
            }
            if !out.is_empty() && !out.ends_with(&format!("{eol}{eol}")) {
                out.push_str(eol);
            }
            out.push_str(&format!(
                "{} {title}{eol}{eol}{body}{eol}",
                "#".repeat(level)
            ));
            out
        }
    }
}

/// Intro paragraph of USER.md: between the first H1 and the first H2 (HTML comments excluded).
fn user_intro_bounds(ls: &[&str]) -> Option<(usize, usize)> {
    let h1 = ls
        .iter()
        .position(|l| heading(l).is_some_and(|(lv, _)| lv == 1))?;
    let end = (h1 + 1..ls.len())
        .find(|&i| heading(ls[i]).is_some())
        .unwrap_or(ls.len());
    Some((h1 + 1, end))
}

fn user_intro_get(text: &str) -> Option<String> {
    let ls = lines(text);
    let (a, b) = user_intro_bounds(&ls)?;
    let s: Vec<&str> = ls[a..b]
        .iter()
        .map(|l| content(l).trim())
        .filter(|l| !l.is_empty() && !l.starts_with("<!--") && !l.ends_with("-->"))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

// ---------- load ----------

/// Reads a bot's files. Never fails: what cannot be read is left unset and reported in `warnings`.
pub fn load_bot(
    identity: Option<&str>,
    soul: Option<&str>,
    user: Option<&str>,
    skills_toml: Option<&str>,
) -> LoadedBot {
    let mut bot = LoadedBot::default();
    let c = &mut bot.config;
    if let Some(id) = identity {
        c.name = fm_get(id, "display_name").filter(|s| !s.is_empty());
        if c.name.is_none() {
            bot.warnings
                .push("IDENTITY.md has no display_name: Boternity ignores the whole file".into());
        }
        c.category = fm_get(id, "category").filter(|s| !s.is_empty());
        c.model = fm_get(id, "model").filter(|s| !s.is_empty());
        bot.provider = fm_get(id, "provider").filter(|s| !s.is_empty());
        if let Some(t) = fm_get(id, "temperature") {
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => c.temperature = Some(v),
                _ => bot
                    .warnings
                    .push(format!("IDENTITY.md temperature '{t}' is not a number")),
            }
        }
        if let Some(t) = fm_get(id, "max_tokens") {
            match t.parse::<u32>() {
                Ok(v) => c.max_tokens = Some(v),
                _ => bot.warnings.push(format!(
                    "IDENTITY.md max_tokens '{t}' is not a whole number"
                )),
            }
        }
    }
    if let Some(s) = soul {
        if c.name.is_none() {
            c.name = fm_get(s, "name").filter(|s| !s.is_empty());
        }
        c.tone = fm_get(s, "tone").filter(|s| !s.is_empty());
        c.traits = fm_traits(s);
        c.purpose = section_get(s, "Purpose");
        c.boundaries = section_get(s, "Boundaries");
    }
    if let Some(u) = user {
        if let Some(intro) = user_intro_get(u) {
            let name = c.name.clone().unwrap_or_default();
            let generated = [user_intro_prefix(&name), legacy_user_intro_prefix(&name)];
            let bare = generated
                .iter()
                .find_map(|p| intro.strip_prefix(p.as_str()));
            c.description = Some(bare.unwrap_or(&intro).to_string());
        }
    }
    if let Some(t) = skills_toml {
        match t.parse::<toml_edit::DocumentMut>() {
            Ok(doc) => {
                if let Some(table) = doc.get("skills").and_then(|s| s.as_table_like()) {
                    for (key, item) in table.iter() {
                        let name = item
                            .get("skill_name")
                            .and_then(|v| v.as_str())
                            .unwrap_or(key)
                            .to_string();
                        c.skills.push(SkillRequest {
                            description: format!("Skill {name}"),
                            name,
                            skill_type: "local".into(),
                        });
                    }
                }
            }
            Err(e) => bot.warnings.push(format!(
                "skills.toml is not valid TOML: {}",
                one_line(&e.to_string())
            )),
        }
    }
    bot
}

// ---------- update ----------

/// Rewrites only what differs between `original` and `new`. `is_existing` says which skill names
/// already exist (they are attached but not generated).
pub fn update_bot_files(
    existing: &BotTexts,
    original: &BuilderConfig,
    new: &BuilderConfig,
    is_existing: &dyn Fn(&str) -> bool,
) -> Result<BotChanges, BuilderError> {
    let mut changes = BotChanges::default();
    let name_changed = one_line(&original.name) != one_line(&new.name);
    let op = &original.personality;
    let np = &new.personality;

    // IDENTITY.md
    let mut id = existing.identity.clone().unwrap_or_default();
    let id_before = id.clone();
    if name_changed || fm_get(&id, "display_name").is_none() {
        id = fm_set(&id, "display_name", &one_line(&new.name));
        let old_title = format!("# {} - Identity Configuration", one_line(&original.name));
        let new_title = format!("# {} - Identity Configuration", one_line(&new.name));
        id = replace_line(&id, &old_title, &new_title);
    }
    if original.category != new.category {
        id = fm_set(&id, "category", super::render::bot_category(&new.category));
    }
    if original.model_config.model != new.model_config.model {
        let m = one_line(&new.model_config.model);
        id = fm_set(&id, "model", &m);
        id = fm_set(&id, "provider", provider_for_model(&m));
    }
    if format_float(original.model_config.temperature) != format_float(new.model_config.temperature)
    {
        id = fm_set(
            &id,
            "temperature",
            &format_float(new.model_config.temperature),
        );
    }
    if original.model_config.max_tokens != new.model_config.max_tokens {
        id = fm_set(&id, "max_tokens", &new.model_config.max_tokens.to_string());
    }
    if id != id_before {
        changes.identity = Some(id);
    }

    // SOUL.md
    let mut soul = existing.soul.clone().unwrap_or_default();
    let soul_before = soul.clone();
    if name_changed {
        soul = fm_set(&soul, "name", &one_line(&new.name));
    }
    if one_line(&op.tone) != one_line(&np.tone) {
        soul = fm_set(&soul, "tone", &one_line(&np.tone));
    }
    if op.traits != np.traits {
        soul = fm_set_traits(&soul, &np.traits);
    }
    if one_line(&op.tone) != one_line(&np.tone) || op.traits != np.traits {
        // Regenerate the personality paragraph only if it is still the generated one.
        let generated = [
            personality_paragraph(&op.tone, &op.traits),
            legacy_personality_paragraph(&op.tone, &op.traits),
        ];
        if section_get(&soul, "Personality").is_some_and(|p| generated.contains(&p)) {
            soul = section_set(
                &soul,
                "Personality",
                &personality_paragraph(&np.tone, &np.traits),
            );
        }
    }
    if op.purpose.trim() != np.purpose.trim() {
        soul = section_set(&soul, "Purpose", &np.purpose);
    }
    if boundaries_text(&op.boundaries).trim() != boundaries_text(&np.boundaries).trim() {
        soul = section_set(&soul, "Boundaries", &boundaries_text(&np.boundaries));
    }
    if soul != soul_before {
        changes.soul = Some(soul);
    }

    // USER.md: only generated text is touched; a user-written briefing stays theirs.
    if let Some(user) = &existing.user {
        let mut u = user.clone();
        if name_changed {
            u = replace_line(
                &u,
                &format!("# User Context for {}", one_line(&original.name)),
                &format!("# User Context for {}", one_line(&new.name)),
            );
        }
        if name_changed || one_line(&original.description) != one_line(&new.description) {
            let legacy = format!(
                "{}{}",
                legacy_user_intro_prefix(&original.name),
                one_line(&original.description)
            );
            for was in [user_intro(original), legacy] {
                u = replace_line(&u, &was, &user_intro(new));
            }
        }
        // Each generated bullet (tone, traits, tokens, purpose, …) that the user left as it was,
        // in today's wording or an earlier one.
        let now = user_bullets(new);
        let was_lines = user_bullets(original)
            .into_iter()
            .chain(legacy_user_bullets(original));
        for (slot, was) in was_lines {
            if let Some((_, line)) = now.iter().find(|(s, _)| *s == slot) {
                u = replace_line(&u, &was, line);
            }
        }
        if &u != user {
            changes.user = Some(u);
        }
    }

    // skills.toml and new SKILL.md files
    let old_names: Vec<&str> = original.skills.iter().map(|s| s.name.as_str()).collect();
    let new_names: Vec<&str> = new.skills.iter().map(|s| s.name.as_str()).collect();
    if old_names != new_names {
        let mut doc = skills_doc(existing)?;
        let table = skills_table(&mut doc)?;
        for old in &old_names {
            if !new_names.contains(old) {
                table.remove(old);
            }
        }
        for r in &new.skills {
            let name = super::slug::skill_name(&r.name)?;
            if table.get(&name).is_none() {
                let builder_created = !is_existing(&name);
                table.insert(
                    &name,
                    toml_edit::Item::Table(skill_table(&name, builder_created)),
                );
                if builder_created {
                    let mut req = r.clone();
                    req.name = name.clone();
                    changes
                        .new_skills
                        .push((name, render_skill(&skill_from_request(&req))));
                }
            }
        }
        changes.skills_toml = Some(doc.to_string());
    }
    Ok(changes)
}

/// Writes one answer into the bot's files (a §5 code action on an existing bot), whether or not the
/// file already holds a value for it: at every place the question's table entry names
/// ([`QuestionSpec::targets`]). `name` is the bot's name, used when USER.md needs a title.
pub fn write_answer(
    existing: &BotTexts,
    name: &str,
    spec: &QuestionSpec,
    value: &FieldValue,
    is_existing: &dyn Fn(&str) -> bool,
) -> Result<BotChanges, BuilderError> {
    // A value of another kind than the question's (only from a hand-edited draft) goes nowhere.
    let (mut c, mut sk, mut ws) = Default::default();
    super::flow::apply_value(spec, value, &mut c, &mut sk, &mut ws)?;
    let mut ch = BotChanges::default();
    for target in spec.targets {
        write_target(existing, &mut ch, name, target, value, is_existing).ok_or_else(|| {
            BuilderError::InvalidValue(format!(
                "{} cannot be written at {target:?}",
                value.display()
            ))
        })??;
    }
    // Report only files whose text really changed.
    if ch.identity.as_deref() == existing.identity.as_deref() {
        ch.identity = None;
    }
    if ch.soul.as_deref() == existing.soul.as_deref() {
        ch.soul = None;
    }
    if ch.skills_toml.as_deref() == existing.skills_toml.as_deref() {
        ch.skills_toml = None;
    }
    Ok(ch)
}

/// USER.md with its intro paragraph saying what the bot does (HTML comments of the default
/// template kept); a USER.md without one gets a title and the intro first.
fn user_intro_set(user: &str, name: &str, description: &str) -> String {
    let eol = eol_of(user);
    let intro = format!("{}{}", user_intro_prefix(name), one_line(description));
    let ls = lines(user);
    match user_intro_bounds(&ls) {
        Some((a, b)) => {
            let comments: String = ls[a..b]
                .iter()
                .filter(|l| {
                    let t = content(l).trim();
                    t.starts_with("<!--") || t.ends_with("-->")
                })
                .copied()
                .collect();
            let mut out: String = ls[..a].concat();
            if ending(ls[a - 1]).is_empty() {
                out.push_str(eol);
            }
            out.push_str(&format!("{eol}{intro}{eol}"));
            if !comments.is_empty() {
                out.push_str(eol);
                out.push_str(&comments);
            }
            if b < ls.len() {
                out.push_str(eol);
            }
            out.push_str(&ls[b..].concat());
            out
        }
        None => {
            format!(
                "# User Context for {}{eol}{eol}{intro}{eol}{eol}{user}",
                one_line(name)
            )
            .trim_end()
            .to_string()
                + eol
        }
    }
}

/// The bot's skills.toml as an editable document (empty when it has none).
fn skills_doc(existing: &BotTexts) -> Result<toml_edit::DocumentMut, BuilderError> {
    match &existing.skills_toml {
        Some(t) => t
            .parse()
            .map_err(|e: toml_edit::TomlError| BuilderError::Update {
                file: "skills.toml",
                message: one_line(&e.to_string()),
            }),
        None => Ok(toml_edit::DocumentMut::new()),
    }
}

/// skills.toml with each requested skill attached, and the SKILL.md of each one that does not
/// exist yet.
fn attach_requests(
    existing: &BotTexts,
    ch: &mut BotChanges,
    reqs: &[SkillRequest],
    is_existing: &dyn Fn(&str) -> bool,
) -> Result<(), BuilderError> {
    let mut doc = skills_doc(existing)?;
    for r in reqs {
        let skill = super::slug::skill_name(&r.name)?;
        let builder_created = !is_existing(&skill);
        let manifest = builder_created.then(|| {
            let mut req = r.clone();
            req.name = skill.clone();
            skill_from_request(&req)
        });
        let text = attach_to(&mut doc, &skill, manifest.as_ref())?;
        if let Some(m) = manifest.filter(|_| text) {
            ch.new_skills.push((skill.clone(), render_skill(&m)));
        }
    }
    ch.skills_toml = Some(doc.to_string());
    Ok(())
}

/// Writes `value` at one place of a Boternity bot's files; `None` when that kind of value does not
/// go there.
fn write_target(
    existing: &BotTexts,
    ch: &mut BotChanges,
    name: &str,
    target: &FileTarget,
    value: &FieldValue,
    is_existing: &dyn Fn(&str) -> bool,
) -> Option<Result<(), BuilderError>> {
    // Each file as already changed by an earlier target of the same answer.
    let identity = || {
        ch.identity
            .clone()
            .or_else(|| existing.identity.clone())
            .unwrap_or_default()
    };
    let soul = || {
        ch.soul
            .clone()
            .or_else(|| existing.soul.clone())
            .unwrap_or_default()
    };
    // A scalar as the file spells it.
    let scalar = |key: &str| -> Option<String> {
        Some(match (key, value) {
            ("category", FieldValue::Text(c)) => super::render::bot_category(c).to_string(),
            // The provider follows from the model (the same answer).
            ("provider", FieldValue::Text(m)) => provider_for_model(&one_line(m)).to_string(),
            (_, FieldValue::Text(t)) => one_line(t),
            (_, FieldValue::Number(n)) => format_float(*n),
            (_, FieldValue::Count(n)) => n.to_string(),
            _ => return None,
        })
    };
    match (target, value) {
        (FileTarget::Identity(key), _) => {
            ch.identity = Some(fm_set(&identity(), key, &scalar(key)?))
        }
        (FileTarget::SoulFrontmatter(_), FieldValue::List(items)) => {
            ch.soul = Some(fm_set_traits(&soul(), items))
        }
        (FileTarget::SoulFrontmatter(key), _) => {
            ch.soul = Some(fm_set(&soul(), key, &scalar(key)?))
        }
        (FileTarget::SoulSection(h), FieldValue::Text(t)) => {
            ch.soul = Some(section_set(&soul(), h, t))
        }
        (FileTarget::UserIntro, FieldValue::Text(d)) => {
            ch.user = Some(user_intro_set(
                existing.user.as_deref().unwrap_or(""),
                name,
                d,
            ))
        }
        (FileTarget::SkillsToml, FieldValue::Skills(reqs)) => {
            return Some(attach_requests(existing, ch, reqs, is_existing))
        }
        _ => return None,
    }
    Some(Ok(()))
}

/// Adds `[skills.<name>]` unless present; returns whether it was added. With a manifest the entry
/// copies its trust tier, version and capabilities (as `bnity skill attach` does).
/// The `[skills]` table of a skills.toml, created (implicit) when missing.
fn skills_table(
    doc: &mut toml_edit::DocumentMut,
) -> Result<&mut dyn toml_edit::TableLike, BuilderError> {
    if !doc.contains_key("skills") {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        doc.insert("skills", toml_edit::Item::Table(t));
    }
    doc.get_mut("skills")
        .and_then(|s| s.as_table_like_mut())
        .ok_or_else(|| BuilderError::Update {
            file: "skills.toml",
            message: "`skills` is not a table".into(),
        })
}

fn attach_to(
    doc: &mut toml_edit::DocumentMut,
    name: &str,
    manifest: Option<&SkillConfig>,
) -> Result<bool, BuilderError> {
    let table = skills_table(doc)?;
    if table.get(name).is_some() {
        return Ok(false);
    }
    let mut t = skill_table(name, manifest.is_some());
    if let Some(m) = manifest {
        t.insert("trust_tier", toml_edit::value(m.trust_tier.as_str()));
        if !m.capabilities.is_empty() {
            let caps: toml_edit::Array = m.capabilities.iter().map(|c| c.as_str()).collect();
            t.insert("capabilities", toml_edit::value(caps));
        }
    }
    table.insert(name, toml_edit::Item::Table(t));
    Ok(true)
}

/// Attaches a created skill to a bot's skills.toml (`forge.skill.create` with `bot`), keeping the
/// rest of the file. Returns `None` when the skill is already attached.
pub fn attach_skill(
    skills_toml: Option<&str>,
    skill: &SkillConfig,
) -> Result<Option<String>, BuilderError> {
    attach_in(skills_toml, &skill.name, Some(skill))
}

/// Attaches an installed skill to a bot's skills.toml by name (`forge.skill.install` with `bot`:
/// the skill's own manifest stays its source of truth). `None` when it is already attached.
pub fn attach_skill_named(
    skills_toml: Option<&str>,
    name: &str,
) -> Result<Option<String>, BuilderError> {
    attach_in(skills_toml, name, None)
}

fn attach_in(
    skills_toml: Option<&str>,
    name: &str,
    manifest: Option<&SkillConfig>,
) -> Result<Option<String>, BuilderError> {
    let mut doc = match skills_toml {
        Some(t) => t
            .parse::<toml_edit::DocumentMut>()
            .map_err(|e| BuilderError::Update {
                file: "skills.toml",
                message: one_line(&e.to_string()),
            })?,
        None => toml_edit::DocumentMut::new(),
    };
    let added = attach_to(&mut doc, name, manifest)?;
    Ok(added.then(|| doc.to_string()))
}

/// Replaces a whole line equal (after trimming) to `old`, keeping its line ending.
fn replace_line(text: &str, old: &str, new: &str) -> String {
    if old.trim() == new.trim() {
        return text.to_string();
    }
    lines(text)
        .iter()
        .map(|l| {
            if content(l).trim() == old.trim() {
                format!("{new}{}", ending(l))
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Field, QUESTIONS};

    fn q(field: Field) -> &'static QuestionSpec {
        QUESTIONS.iter().find(|q| q.field == field).unwrap()
    }
    use crate::render::{render_bot, tests::sample};

    fn texts(c: &BuilderConfig) -> BotTexts {
        let f = render_bot(c);
        BotTexts {
            identity: Some(f.identity_md),
            soul: Some(f.soul_md),
            user: Some(f.user_md),
            skills_toml: f.skills_toml,
        }
    }

    #[test]
    fn rendered_files_load_back_to_the_same_config() {
        let c = sample();
        let t = texts(&c);
        let b = load_bot(
            t.identity.as_deref(),
            t.soul.as_deref(),
            t.user.as_deref(),
            t.skills_toml.as_deref(),
        );
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
        let back = b.to_config().unwrap();
        assert_eq!(back.name, c.name);
        assert_eq!(back.description, c.description);
        assert_eq!(back.personality, c.personality);
        assert_eq!(back.model_config, c.model_config);
        assert_eq!(back.skills[0].name, "essay-check");
        assert!(b.unanswered().is_empty());
        // unchanged config → nothing to write
        assert!(update_bot_files(&t, &back, &back, &|_| false)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn default_identity_and_soul_are_read_tolerantly() {
        let identity = "---\ndisplay_name: Luna\ncategory: Creative\nmodel: claude-opus-4-20250514\nprovider: anthropic\ntemperature: warm\nmax_tokens: 4096\n---\n\n# Luna - Identity Configuration\n";
        let soul = "---\nname: Luna\ntraits: [curious, warm]\ntone: conversational and genuine\n---\n\n# Luna\n\nIntro.\n\n## Personality\n\nText.\n\n## Communication Style\n\n- x\n";
        let b = load_bot(Some(identity), Some(soul), None, None);
        assert_eq!(b.config.traits, Some(vec!["curious".into(), "warm".into()]));
        assert_eq!(b.config.temperature, None);
        assert_eq!(b.warnings.len(), 1);
        let missing: Vec<_> = b.unanswered().iter().map(|q| q.id).collect();
        assert_eq!(
            missing,
            ["description", "purpose", "boundaries", "temperature"]
        );
        let no_name = load_bot(Some("---\nmodel: x\n---\n"), None, None, None);
        assert!(no_name.warnings[0].contains("display_name"));
        let b = load_bot(None, None, None, Some("not [valid"));
        assert!(b.warnings[0].starts_with("skills.toml is not valid TOML"));
    }

    #[test]
    fn update_touches_only_changed_fields() {
        let orig = sample();
        let mut t = texts(&orig);
        // user edits that must survive
        let soul = t
            .soul
            .take()
            .unwrap()
            .replace("---\n\n# Personality", "# my comment\n---\n\n# Personality");
        let soul = format!("{soul}\n## Notes\n\nKeep this exactly.  \n");
        t.soul = Some(soul.clone());
        t.identity = Some(
            t.identity
                .take()
                .unwrap()
                .replace("max_tokens: 2048\n", "max_tokens: 2048\nemoji: 🦉\n"),
        );
        t.skills_toml = Some(format!(
            "# attached skills\n{}",
            t.skills_toml.take().unwrap()
        ));

        let mut new = orig.clone();
        new.personality.tone = "brisk".into();
        new.model_config.temperature = 0.4;
        let ch = update_bot_files(&t, &orig, &new, &|_| false).unwrap();
        let id = ch.identity.unwrap();
        assert_eq!(
            id,
            t.identity
                .as_deref()
                .unwrap()
                .replace("temperature: 1.0", "temperature: 0.4")
        );
        let s = ch.soul.unwrap();
        assert_eq!(
            s,
            soul.replace("tone: calm and encouraging", "tone: brisk")
                .replace("a calm and encouraging personality", "a brisk personality")
        );
        // USER.md: only its generated tone line follows the new tone.
        assert_eq!(
            ch.user.unwrap(),
            t.user.as_deref().unwrap().replace(
                "- Talk to me in a calm and encouraging tone.",
                "- Talk to me in a brisk tone."
            )
        );
        assert!(ch.skills_toml.is_none() && ch.new_skills.is_empty());
    }

    #[test]
    fn user_edited_personality_is_not_regenerated() {
        let orig = sample();
        let mut t = texts(&orig);
        let soul = t
            .soul
            .take()
            .unwrap()
            .replace("You embody", "I wrote this myself. You embody");
        t.soul = Some(soul.clone());
        let mut new = orig.clone();
        new.personality.traits = vec!["bold".into()];
        let s = update_bot_files(&t, &orig, &new, &|_| false)
            .unwrap()
            .soul
            .unwrap();
        assert!(s.contains("I wrote this myself. You embody a calm"));
        assert!(s.contains("traits:\n  - bold\ntone:"));
    }

    #[test]
    fn sections_are_replaced_or_added_and_crlf_kept() {
        let orig = sample();
        let soul = "---\r\nname: Quill\r\ntone: calm and encouraging\r\ntraits: [patient, precise]\r\n---\r\n\r\n# Quill\r\n\r\n## Personality\r\n\r\nMine.\r\n\r\n## Purpose\r\n\r\nOld purpose.\r\n\r\n## Extra\r\n\r\nStays.\r\n";
        let t = BotTexts {
            soul: Some(soul.into()),
            ..Default::default()
        };
        let mut new = orig.clone();
        new.personality.purpose = "New purpose.\nTwo lines.".into();
        new.personality.boundaries = Some("No homework.".into());
        new.personality.traits = vec!["kind".into()];
        let s = update_bot_files(&t, &orig, &new, &|_| false)
            .unwrap()
            .soul
            .unwrap();
        assert_eq!(
            s,
            "---\r\nname: Quill\r\ntone: calm and encouraging\r\ntraits: [kind]\r\n---\r\n\r\n# Quill\r\n\r\n## Personality\r\n\r\nMine.\r\n\r\n## Purpose\r\n\r\nNew purpose.\r\nTwo lines.\r\n\r\n## Extra\r\n\r\nStays.\r\n\r\n## Boundaries\r\n\r\nNo homework.\r\n"
        );
    }

    #[test]
    fn rename_updates_identity_soul_and_generated_user_text() {
        let orig = sample();
        let t = texts(&orig);
        let mut new = orig.clone();
        new.name = "Quill Two".into();
        new.description = "Proofread essays and cover letters".into();
        let ch = update_bot_files(&t, &orig, &new, &|_| false).unwrap();
        let id = ch.identity.unwrap();
        assert!(
            id.contains("display_name: Quill Two\n")
                && id.contains("# Quill Two - Identity Configuration")
        );
        assert!(ch.soul.unwrap().contains("name: Quill Two\n"));
        let u = ch.user.unwrap();
        assert!(u.starts_with(
            "# User Context for Quill Two\n\nAbout Quill Two: Proofread essays and cover letters\n"
        ));
        assert!(
            u.contains("## Preferences\n\n- Talk to me in a calm"),
            "rest kept"
        );
    }

    #[test]
    fn text_in_the_wording_of_earlier_versions_is_still_regenerated() {
        let mut orig = sample();
        orig.personality.tone = "adaptive".into();
        let mut t = texts(&orig);
        // As forge-ls wrote these files before: "a adaptive", "I value a Quill that is …".
        let legacy = legacy_personality_paragraph(&orig.personality.tone, &orig.personality.traits);
        let now = personality_paragraph(&orig.personality.tone, &orig.personality.traits);
        t.soul = t.soul.map(|s| s.replace(&now, &legacy));
        for ((_, old), (_, new)) in legacy_user_bullets(&orig).iter().zip(user_bullets(&orig)) {
            if let Some(u) = &t.user {
                t.user = Some(u.replace(&new, old));
            }
        }
        assert!(t
            .user
            .as_deref()
            .unwrap()
            .contains("- Talk to me in a adaptive tone."));
        let mut new = orig.clone();
        new.personality.tone = "warm".into();
        let ch = update_bot_files(&t, &orig, &new, &|_| false).unwrap();
        let soul = ch.soul.expect("SOUL.md changes");
        assert!(soul.contains("You embody a warm personality"), "{soul}");
        let u = ch.user.expect("USER.md changes");
        assert!(u.contains("- Talk to me in a warm tone.\n"), "{u}");
        assert!(!u.contains("adaptive"), "{u}");
    }

    #[test]
    fn changed_answers_update_the_generated_user_bullets_and_keep_edited_ones() {
        let orig = sample();
        let mut t = texts(&orig);
        // One generated bullet edited by the user: it must stay as written.
        let edited = user_bullets(&orig)
            .into_iter()
            .find(|(slot, _)| *slot == "boundaries")
            .unwrap()
            .1;
        t.user = t
            .user
            .map(|u| u.replace(&edited, "- Limits: whatever I say."));
        let mut new = orig.clone();
        new.personality.tone = "direct".into();
        new.model_config.max_tokens = 1024;
        new.personality.purpose = "Check grammar only.".into();
        new.personality.boundaries = Some("Never rewrite whole essays.".into());
        let u = update_bot_files(&t, &orig, &new, &|_| false)
            .unwrap()
            .user
            .expect("USER.md changes");
        assert!(u.contains("- Talk to me in a direct tone.\n"), "{u}");
        assert!(
            u.contains("- Keep replies within about 1024 tokens.\n"),
            "{u}"
        );
        assert!(
            u.contains("- What I need from Quill: Check grammar only.\n"),
            "{u}"
        );
        assert!(u.contains("- Limits: whatever I say.\n"), "{u}");
        assert!(!u.contains("Never rewrite"), "{u}");
        // Nothing else of the file changed: the same lines, in order.
        assert_eq!(u.lines().count(), t.user.unwrap().lines().count());
    }

    #[test]
    fn skills_toml_edits_keep_comments_and_unknown_keys() {
        let orig = sample();
        let toml_text = "# my skills\n[skills.essay-check]\nskill_name = \"essay-check\"\nenabled = false # paused\ncustom = 1\n\n[skills.old]\nskill_name = \"old\"\n";
        let t = BotTexts {
            skills_toml: Some(toml_text.into()),
            ..Default::default()
        };
        let mut original = orig.clone();
        original.skills.push(SkillRequest {
            name: "old".into(),
            description: "x".into(),
            skill_type: "local".into(),
        });
        let mut new = orig.clone();
        new.skills.push(SkillRequest {
            name: "web-search".into(),
            description: "Search the web: fast".into(),
            skill_type: "local".into(),
        });
        new.skills.push(SkillRequest {
            name: "summarize".into(),
            description: "existing".into(),
            skill_type: "local".into(),
        });
        let ch = update_bot_files(&t, &original, &new, &|n| n == "summarize").unwrap();
        let out = ch.skills_toml.unwrap();
        assert!(out.starts_with("# my skills\n[skills.essay-check]\nskill_name = \"essay-check\"\nenabled = false # paused\ncustom = 1\n"), "{out}");
        assert!(!out.contains("[skills.old]"));
        let v: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(
            v["skills"]["web-search"]["skill_name"].as_str(),
            Some("web-search")
        );
        assert!(v["skills"]["summarize"].get("overrides").is_none());
        assert_eq!(ch.new_skills.len(), 1);
        assert_eq!(ch.new_skills[0].0, "web-search");
        let bad = BotTexts {
            skills_toml: Some("[[broken".into()),
            ..Default::default()
        };
        assert!(update_bot_files(&bad, &original, &new, &|_| false).is_err());
    }

    #[test]
    fn files_without_frontmatter_get_one() {
        let orig = sample();
        let t = BotTexts {
            identity: Some("# Just a title\n".into()),
            ..Default::default()
        };
        let mut new = orig.clone();
        new.model_config.max_tokens = 100;
        let id = update_bot_files(&t, &orig, &new, &|_| false)
            .unwrap()
            .identity
            .unwrap();
        assert_eq!(
            id,
            "---\ndisplay_name: Quill\nmax_tokens: 100\n---\n\n# Just a title\n"
        );
        let b = load_bot(Some(&id), None, None, None);
        assert_eq!(b.config.max_tokens, Some(100));
    }

    #[test]
    fn write_answer_fills_missing_spots() {
        let identity = "---\ndisplay_name: Luna\nmodel: gpt-4o\n---\n\n# Luna\n";
        let soul = "---\nname: Luna\n---\n\n# Luna\n\nIntro.\n\n## Personality\n\nMine.\n";
        let user = "# Luna - User Briefing\n\n<!-- curated by you -->\n\n## Preferences\n\n- short answers\n";
        let t = BotTexts {
            identity: Some(identity.into()),
            soul: Some(soul.into()),
            user: Some(user.into()),
            skills_toml: None,
        };
        let b = load_bot(Some(identity), Some(soul), Some(user), None);
        let missing: Vec<_> = b.unanswered().iter().map(|q| q.id).collect();
        assert_eq!(
            missing,
            [
                "description",
                "category",
                "tone",
                "traits",
                "purpose",
                "boundaries",
                "temperature",
                "max_tokens"
            ]
        );
        let ch = write_answer(
            &t,
            "Luna",
            q(Field::Temperature),
            &FieldValue::Number(0.7),
            &|_| false,
        )
        .unwrap();
        assert_eq!(
            ch.identity.unwrap(),
            "---\ndisplay_name: Luna\nmodel: gpt-4o\ntemperature: 0.7\n---\n\n# Luna\n"
        );
        let ch = write_answer(
            &t,
            "Luna",
            q(Field::Boundaries),
            &FieldValue::Text("No spoilers.".into()),
            &|_| false,
        )
        .unwrap();
        assert_eq!(
            ch.soul.unwrap(),
            format!("{soul}\n## Boundaries\n\nNo spoilers.\n")
        );
        let ch = write_answer(
            &t,
            "Luna",
            q(Field::Traits),
            &FieldValue::List(vec!["wry".into()]),
            &|_| false,
        )
        .unwrap();
        assert_eq!(ch.soul.unwrap(), "---\nname: Luna\ntraits:\n  - wry\n---\n\n# Luna\n\nIntro.\n\n## Personality\n\nMine.\n");
        let ch = write_answer(
            &t,
            "Luna",
            q(Field::Description),
            &FieldValue::Text("Plans trips".into()),
            &|_| false,
        )
        .unwrap();
        assert_eq!(
            ch.user.unwrap(),
            "# Luna - User Briefing\n\nAbout Luna: Plans trips\n\n<!-- curated by you -->\n\n## Preferences\n\n- short answers\n"
        );
        let skills = FieldValue::Skills(vec![SkillRequest {
            name: "web-search".into(),
            description: "Search the web".into(),
            skill_type: "wasm".into(),
        }]);
        let ch = write_answer(&t, "Luna", q(Field::Skills), &skills, &|_| false).unwrap();
        let toml_text = ch.skills_toml.unwrap();
        let v: toml::Table = toml::from_str(&toml_text).unwrap();
        assert_eq!(
            v["skills"]["web-search"]["capabilities"]
                .as_array()
                .unwrap()[0]
                .as_str(),
            Some("http_get")
        );
        assert_eq!(ch.new_skills.len(), 1);
        assert!(write_answer(
            &t,
            "Luna",
            q(Field::Temperature),
            &FieldValue::Text("hot".into()),
            &|_| false
        )
        .is_err());
        // the same value twice: no change reported
        let again = BotTexts {
            identity: Some("---\ndisplay_name: Luna\ntemperature: 0.7\n---\n".into()),
            ..Default::default()
        };
        assert!(write_answer(
            &again,
            "Luna",
            q(Field::Temperature),
            &FieldValue::Number(0.7),
            &|_| false
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn attach_skill_keeps_the_file_and_is_idempotent() {
        let skill = SkillConfig {
            name: "page-summarizer".into(),
            description: "d".into(),
            skill_type: SkillType::Tool,
            capabilities: vec![Capability::HttpGet],
            trust_tier: TrustTier::Verified,
            body: "b".into(),
            author: "me".into(),
        };
        let before = "# keep me\n[skills.other]\nskill_name = \"other\"\n";
        let after = attach_skill(Some(before), &skill).unwrap().unwrap();
        assert!(after.starts_with(before), "{after}");
        let v: toml::Table = toml::from_str(&after).unwrap();
        assert_eq!(
            v["skills"]["page-summarizer"]["trust_tier"].as_str(),
            Some("verified")
        );
        assert!(attach_skill(Some(&after), &skill).unwrap().is_none());
        assert!(attach_skill(None, &skill)
            .unwrap()
            .unwrap()
            .contains("[skills.page-summarizer]"));
    }

    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec("[A-Za-z][A-Za-z ,.!?:'-]{0,30}", 1..4).prop_map(|v| v.join("\n"))
    }

    fn config() -> impl Strategy<Value = BuilderConfig> {
        (
            "[A-Za-z][A-Za-z0-9]{0,8}( [A-Za-z0-9]{1,8})?",
            "[a-z][a-z ]{0,20}[a-z]",
            proptest::collection::vec("[a-z]{1,10}", 0..4),
            text(),
            proptest::option::of(text()),
            (0u32..=200).prop_map(|t| f64::from(t) / 100.0),
            1u32..=200_000,
            proptest::sample::select(vec!["assistant", "creative", "research", "utility"]),
            proptest::sample::select(vec!["claude-sonnet-4-20250514", "gpt-4o"]),
        )
            .prop_map(
                |(name, tone, traits, purpose, boundaries, temperature, max_tokens, cat, model)| {
                    BuilderConfig {
                        name,
                        description: "Plans trips".into(),
                        category: cat.into(),
                        tags: vec![],
                        personality: PersonalityConfig {
                            tone: one_line(&tone),
                            traits,
                            purpose,
                            boundaries,
                        },
                        model_config: ModelConfig {
                            model: model.into(),
                            temperature,
                            max_tokens,
                        },
                        skills: vec![],
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Render a, update to b, load: the files now say b, and a user's extra section survives.
        #[test]
        fn update_then_load_yields_the_new_config(a in config(), b in config()) {
            let f = render_bot(&a);
            let extra = "\n## My Notes\n\nDo not touch.\n";
            let t = BotTexts {
                identity: Some(f.identity_md),
                soul: Some(format!("{}{extra}", f.soul_md)),
                user: Some(f.user_md),
                skills_toml: None,
            };
            let ch = update_bot_files(&t, &a, &b, &|_| false).unwrap();
            let id = ch.identity.or(t.identity).unwrap();
            let soul = ch.soul.or(t.soul).unwrap();
            let user = ch.user.or(t.user).unwrap();
            prop_assert!(soul.ends_with(extra), "{}", soul);
            let loaded = load_bot(Some(&id), Some(&soul), Some(&user), None);
            let c = loaded.config;
            let want_name = one_line(&b.name);
            prop_assert_eq!(c.name.as_deref(), Some(want_name.as_str()));
            prop_assert_eq!(c.tone.as_deref(), Some(b.personality.tone.as_str()));
            prop_assert_eq!(c.traits.unwrap_or_default(), b.personality.traits.clone());
            prop_assert_eq!(c.purpose.as_deref(), Some(b.personality.purpose.trim()));
            let want_b = boundaries_text(&b.personality.boundaries).trim().to_string();
            prop_assert_eq!(c.boundaries.unwrap_or_default(), want_b);
            prop_assert_eq!(c.temperature.map(format_float), Some(format_float(b.model_config.temperature)));
            prop_assert_eq!(c.max_tokens, Some(b.model_config.max_tokens));
            prop_assert_eq!(c.model.as_deref(), Some(b.model_config.model.as_str()));
            prop_assert_eq!(c.category.as_deref(), Some(b.category.as_str()));
            prop_assert_eq!(c.description.as_deref(), Some("Plans trips"));
        }
    }
}
