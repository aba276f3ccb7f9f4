//! The system prompt a runtime assembles from a bot's files, as the model receives it, with its
//! sections, so editors and `forge-ls preview` can show it and count its tokens.
//!
//! - **Boternity**: `SystemPromptBuilder::build_with_skills`
//!   (mondalsuman/boternity@b9c08e1d:crates/boternity-core/src/agent/prompt.rs and
//!   crates/boternity-core/src/skill/prompt_injector.rs): `<soul>`, `<identity>` (or the
//!   fallback built from the bot's name and model), `<active_skills>` right after `</identity>`,
//!   `<user_context>`, `<instructions>`, then `<available_skills>`. Memory sections depend on
//!   past conversations and are left out.
//! - **OpenClaw**: the workspace's bootstrap files as `buildBootstrapContextFiles` cuts them (the
//!   one implementation in `rules::openclaw_workspace`), under OpenClaw's `# Project Context`
//!   headings, and the `<available_skills>` catalog entries of the workspace's skills.
//! - **A SKILL.md**: its listing entry (always in the prompt) and what is loaded when it is used.
//!
//! Everything is read from the workspace index, whose entries hold the editor's unsaved text for
//! open files.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::dialect::{self, Dialect};
use crate::rules::lines;
use crate::rules::openclaw_workspace::{self, Bootstrap, Limits};
use crate::tokens::{self, Counter};
use crate::workspace::index::{FileEntry, Index};
use crate::FileKind;
use forge_syntax::codes;
use forge_syntax::diagnostic::Diagnostic;
use forge_syntax::frontmatter::{self, Framing};

/// The model Boternity chats with when IDENTITY.md names none or is ignored (spec §3.2).
pub const BOTERNITY_DEFAULT_MODEL: &str = "claude-sonnet-4-20250514";

/// Which runtime's prompt a preview shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Boternity,
    OpenClaw,
    Skill,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::Boternity => "boternity",
            Kind::OpenClaw => "openclaw",
            Kind::Skill => "skill",
        }
    }
}

/// One part of the prompt: a byte range of [`Prompt::text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub range: Range<usize>,
}

/// An assembled prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: Kind,
    pub text: String,
    pub sections: Vec<Section>,
    /// The model the runtime would use, when the files say.
    pub model: Option<String>,
    /// The files it was built from (what an editor watches to refresh it).
    pub files: Vec<PathBuf>,
    /// What the preview leaves out or could not resolve, in sentences.
    pub notes: Vec<String>,
}

/// The files a preview is about: a bot folder, an OpenClaw workspace or one skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Bot(PathBuf),
    Workspace(PathBuf),
    Skill(PathBuf),
}

/// What `path` (a file of a bot, workspace or skill, or its folder) previews.
pub fn target(path: &Path) -> Option<Target> {
    let (folder, name) = if path.is_dir() {
        (path.to_path_buf(), None)
    } else {
        (path.parent()?.to_path_buf(), path.file_name()?.to_str())
    };
    if name == Some("SKILL.md") || (name.is_none() && folder.join("SKILL.md").is_file()) {
        return Some(Target::Skill(folder.join("SKILL.md")));
    }
    if dialect::is_openclaw_workspace(&folder) {
        return Some(Target::Workspace(folder));
    }
    let bot_file = |n: &str| matches!(n, "IDENTITY.md" | "SOUL.md" | "USER.md" | "skills.toml");
    match name {
        Some(n) if bot_file(n) => Some(Target::Bot(folder)),
        Some(_) => None,
        None => ["IDENTITY.md", "SOUL.md", "USER.md", "skills.toml"]
            .iter()
            .any(|f| folder.join(f).is_file())
            .then_some(Target::Bot(folder)),
    }
}

/// Options of a preview.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Skills to show as active (Boternity's Level 2: their bodies in `<active_skills>`).
    pub active: Vec<String>,
    /// OpenClaw's bootstrap limits.
    pub limits: Limits,
    /// The bot's name in Boternity's database (`boternity.db` of its data directory), when known.
    pub name: Option<String>,
}

/// The prompt for `target` from what `index` holds.
pub fn assemble(index: &Index, target: &Target, req: &Request) -> Prompt {
    match target {
        Target::Bot(folder) => boternity(index, folder, &req.active, req.name.as_deref()),
        Target::Workspace(ws) => openclaw(index, ws, &req.limits),
        Target::Skill(path) => skill(index, path),
    }
}

fn text_of<'a>(index: &'a Index, path: &Path) -> Option<&'a str> {
    index.file(path).map(|f| &*f.text)
}

/// A prompt built section by section.
struct Builder {
    text: String,
    sections: Vec<Section>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            text: String::new(),
            sections: Vec::new(),
        }
    }

    fn push(&mut self, sep: &str, name: &str, body: &str) {
        if !self.text.is_empty() {
            self.text.push_str(sep);
        }
        let start = self.text.len();
        self.text.push_str(body);
        self.sections.push(Section {
            name: name.to_string(),
            range: start..self.text.len(),
        });
    }

    /// Insert `block` at byte `at`: the sections after it move, one around it grows.
    fn insert(&mut self, at: usize, name: &str, block: &str, lead: usize) {
        self.text.insert_str(at, block);
        let n = block.len();
        for s in &mut self.sections {
            if s.range.start >= at {
                s.range = s.range.start + n..s.range.end + n;
            } else if s.range.end > at {
                s.range.end += n;
            }
        }
        let section = Section {
            name: name.to_string(),
            range: at + lead..at + n,
        };
        let pos = self.sections.partition_point(|s| s.range.start <= at);
        self.sections.insert(pos, section);
    }
}

/// A skills.toml attachment resolved to its SKILL.md.
struct Skill<'a> {
    name: String,
    description: String,
    entry: &'a FileEntry,
}

/// What Boternity's manifest parser would read of a SKILL.md, or why not.
fn manifest(entry: &FileEntry) -> Result<(String, String), &'static str> {
    let info = entry.skill.as_ref().ok_or("not a skill")?;
    frontmatter::frame(&entry.text, Framing::Skill).map_err(|_| "no valid frontmatter")?;
    if info.name_range.is_none() {
        return Err("no `name`");
    }
    let description = info.description.clone().ok_or("no `description`")?;
    Ok((info.name.clone(), description))
}

/// The body Boternity injects: after the first `\n---` closing the frontmatter, trimmed.
fn skill_body(text: &str) -> &str {
    match frontmatter::frame(text, Framing::Skill) {
        Ok(fm) => text.get(fm.close.start + 3..).unwrap_or("").trim(),
        Err(_) => text.trim(),
    }
}

fn boternity(index: &Index, folder: &Path, active: &[String], db_name: Option<&str>) -> Prompt {
    let path = |f: &str| folder.join(f);
    let mut files = Vec::new();
    let mut read = |f: &str| -> String {
        let p = path(f);
        match text_of(index, &p) {
            Some(t) => {
                files.push(p);
                t.to_string()
            }
            None => String::new(),
        }
    };
    let soul = read("SOUL.md");
    let identity = read("IDENTITY.md");
    let user = read("USER.md");
    // skills.toml is read through its index entry below; reading it here lists it as an input.
    read("skills.toml");
    let mut notes = vec![
        "Memory sections (`<session_memory>`, `<long_term_memory>`) come from past conversations and are left out.".to_string(),
    ];

    // Boternity's chat reads the model from IDENTITY.md's frontmatter only when it has
    // `display_name`; the name is the bot's name in its database, which `display_name` mirrors.
    let fields = frontmatter::frame(&identity, Framing::Lenient)
        .map(|fm| lines::read(&identity, fm.yaml))
        .unwrap_or_default();
    let display = lines::get(&fields, "display_name")
        .map(|f| f.unquoted().trim().to_string())
        .filter(|n| !n.is_empty());
    let model = match &display {
        Some(_) => lines::get(&fields, "model")
            .map(|f| f.value.clone())
            .unwrap_or_else(|| BOTERNITY_DEFAULT_MODEL.to_string()),
        None => BOTERNITY_DEFAULT_MODEL.to_string(),
    };
    let soul_name = frontmatter::frame(&soul, Framing::Lenient)
        .ok()
        .and_then(|fm| {
            lines::get(&lines::read(&soul, fm.yaml), "name")
                .map(|f| f.unquoted().trim().to_string())
        })
        .filter(|n| !n.is_empty());
    let name = match (db_name, display, soul_name) {
        (Some(n), _, _) => n.to_string(),
        (None, Some(n), _) => n,
        (None, None, Some(n)) => {
            notes.push("IDENTITY.md has no `display_name`; SOUL.md's `name` stands in for the name Boternity keeps in its database.".to_string());
            n
        }
        (None, None, None) => {
            notes.push("Neither IDENTITY.md's `display_name` nor SOUL.md's `name` is set; the folder name stands in for the name Boternity keeps in its database.".to_string());
            folder
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("bot")
                .to_string()
        }
    };

    let mut b = Builder::new();
    if !soul.trim().is_empty() {
        b.push("\n\n", "soul", &format!("<soul>\n{}\n</soul>", soul.trim()));
    }
    if !identity.trim().is_empty() {
        b.push(
            "\n\n",
            "identity",
            &format!("<identity>\n{}\n</identity>", identity.trim()),
        );
    } else {
        // The chat paths pass no emoji at this commit (`bot_emoji: None`).
        b.push("\n\n", "identity", &fallback_identity(&name, None, &model));
    }
    if !user.trim().is_empty() {
        b.push(
            "\n\n",
            "user_context",
            &format!("<user_context>\n{}\n</user_context>", user.trim()),
        );
    }
    b.push("\n\n", "instructions", &instructions(&name));

    // Skills: every enabled attachment, in the file's order.
    let mut attached: Vec<Skill> = Vec::new();
    if let Some(t) = index.file(&path("skills.toml")) {
        for att in t.attachments.iter().filter(|a| a.enabled) {
            let Some((skill_name, _)) = &att.skill_name else {
                continue;
            };
            let Some((entry, _)) = index.resolve(skill_name) else {
                notes.push(format!(
                    "`{skill_name}` is attached but no such skill was found; it is left out."
                ));
                continue;
            };
            match manifest(entry) {
                Ok((name, description)) => {
                    files.push(entry.path.clone());
                    attached.push(Skill {
                        name,
                        description,
                        entry,
                    })
                }
                Err(why) => notes.push(format!(
                    "`{skill_name}` is left out: its SKILL.md has {why}, so Boternity cannot load it."
                )),
            }
        }
    }
    for a in active {
        if !attached.iter().any(|s| &s.name == a) {
            notes.push(format!(
                "`{a}` was asked to be active but is not an enabled, loadable skill of this bot."
            ));
        }
    }
    let active: Vec<&Skill> = attached
        .iter()
        .filter(|s| active.contains(&s.name))
        .collect();
    if !active.is_empty() {
        let mut block = String::from("\n<active_skills>\n");
        for s in &active {
            block.push_str(&format!(
                "<skill name=\"{}\">\n{}\n</skill>\n",
                s.name,
                skill_body(&s.entry.text)
            ));
        }
        block.push_str("</active_skills>");
        match b.text.find("</identity>") {
            Some(at) => b.insert(at + "</identity>".len(), "active_skills", &block, 1),
            None => b.push("", "active_skills", &block[1..]),
        }
    }
    if !attached.is_empty() {
        let mut xml = String::from("<available_skills>\n");
        for s in &attached {
            xml.push_str(&listing_boternity(&s.name, &s.description));
            xml.push('\n');
        }
        xml.push_str("</available_skills>");
        b.push("\n", "available_skills", &xml);
    }
    Prompt {
        kind: Kind::Boternity,
        text: b.text,
        sections: b.sections,
        model: Some(model),
        files,
        notes,
    }
}

/// The `<identity>` Boternity builds when IDENTITY.md is empty or missing.
pub fn fallback_identity(name: &str, emoji: Option<&str>, model: &str) -> String {
    let emoji_line = emoji.map(|e| format!("\nEmoji: {e}")).unwrap_or_default();
    format!("<identity>\nName: {name}{emoji_line}\nModel: {model}\n</identity>")
}

/// The fixed `<instructions>` section.
pub fn instructions(name: &str) -> String {
    format!(
        "<instructions>\nYou are {name}. Always stay in character as defined in your soul.\nExpress your personality strongly in every response.\nReference past conversations naturally without saying \"I remember\".\nWhen uncertain, acknowledge it honestly.\n</instructions>"
    )
}

/// One `<available_skills>` line (no escaping: Boternity applies none).
fn listing_boternity(name: &str, description: &str) -> String {
    format!("  <skill name=\"{name}\">{description}</skill>")
}

/// XML escaping as OpenClaw's catalog applies it.
fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// One catalog entry in the Agent Skills XML form OpenClaw uses (pi-coding-agent's
/// `formatSkillsForPrompt`, badlogic/pi-mono@277544fd:packages/coding-agent/src/core/skills.ts).
fn listing_xml(name: &str, description: &str, location: &Path) -> String {
    format!(
        "  <skill>\n    <name>{}</name>\n    <description>{}</description>\n    <location>{}</location>\n  </skill>",
        escape_xml(name),
        escape_xml(description),
        escape_xml(&location.display().to_string())
    )
}

/// The bootstrap files current OpenClaw releases inject into a main session, in load order, and
/// whether a missing one gets a `[MISSING]` marker (spec §1.3–§1.4).
const OPENCLAW_FILES: &[(&str, bool)] = &[
    ("AGENTS.md", true),
    ("SOUL.md", true),
    ("IDENTITY.md", true),
    ("USER.md", false),
    ("BOOTSTRAP.md", false),
    ("MEMORY.md", false),
];

fn disables_model_invocation(entry: &FileEntry) -> bool {
    let Ok(fm) = frontmatter::frame(&entry.text, Framing::Skill) else {
        return false;
    };
    let parsed = forge_syntax::yaml::parse(&entry.text[fm.yaml.clone()], fm.yaml.start);
    parsed
        .root
        .as_ref()
        .and_then(|r| r.get("disable-model-invocation"))
        .and_then(|e| e.value.as_str())
        == Some("true")
}

fn openclaw(index: &Index, ws: &Path, limits: &Limits) -> Prompt {
    let mut files = Vec::new();
    let boot: Vec<Bootstrap> = OPENCLAW_FILES
        .iter()
        .filter_map(|(name, required)| {
            let p = ws.join(name);
            let text = text_of(index, &p);
            if text.is_some() {
                files.push(p.clone());
            }
            (text.is_some() || *required).then(|| Bootstrap {
                name,
                path: p.display().to_string(),
                text,
            })
        })
        .collect();
    let (injected, _) = openclaw_workspace::inject(&boot, limits);
    let mut notes = vec!["OpenClaw's fixed sections (tooling, safety, skill instructions, messaging, runtime) depend on its configuration and are left out; shown are the workspace's catalog entries and files.".to_string()];
    for i in injected.iter().filter(|i| i.truncated) {
        notes.push(format!(
            "{} has {} characters; OpenClaw injects it cut to its limits.",
            i.name, i.chars
        ));
    }

    let mut b = Builder::new();
    // Eligible as far as the files tell: a description and model invocation allowed; `requires`
    // depends on the host and is not evaluated.
    let mut skills: Vec<(&FileEntry, String, String)> = index
        .skills()
        .filter(|(f, _)| {
            let p = &f.path;
            p.starts_with(ws.join("skills")) || p.starts_with(ws.join(".agents").join("skills"))
        })
        .filter(|(f, _)| !disables_model_invocation(f))
        .filter_map(|(f, s)| {
            let d = s.description.as_deref().filter(|d| !d.trim().is_empty())?;
            Some((&**f, s.name.clone(), d.to_string()))
        })
        .collect();
    skills.sort_by(|a, b| a.1.cmp(&b.1));
    if !skills.is_empty() {
        let mut xml = String::from("<available_skills>\n");
        for (f, name, description) in &skills {
            files.push(f.path.clone());
            xml.push_str(&listing_xml(name, description, &f.path));
            xml.push('\n');
        }
        xml.push_str("</available_skills>");
        b.push("\n", "available_skills", &xml);
    }
    if !injected.is_empty() {
        let soul = injected.iter().any(|i| i.name == "SOUL.md");
        let mut head = String::from(
            "# Project Context\nThe following project context files have been loaded:",
        );
        if soul {
            head.push_str("\nIf SOUL.md is present, embody its persona and tone. Avoid stiff, generic replies; follow its guidance unless higher-priority instructions override it.");
        }
        b.push("\n", "project_context", &head);
        for i in &injected {
            b.push("\n", &i.name, &format!("## {}\n{}", i.path, i.content));
        }
    }
    Prompt {
        kind: Kind::OpenClaw,
        text: b.text,
        sections: b.sections,
        model: None,
        files,
        notes,
    }
}

fn skill(index: &Index, path: &Path) -> Prompt {
    let mut notes = Vec::new();
    let Some(entry) = index.file(path) else {
        return Prompt {
            kind: Kind::Skill,
            text: String::new(),
            sections: Vec::new(),
            model: None,
            files: vec![path.to_path_buf()],
            notes: vec!["This SKILL.md is not in the workspace index.".to_string()],
        };
    };
    let info = entry.skill.clone().unwrap_or_default();
    let description = info.description.clone().unwrap_or_default();
    let mut b = Builder::new();
    let boternity = entry.dialect == Some(Dialect::Boternity);
    if boternity {
        b.push("", "listing", &listing_boternity(&info.name, &description));
        b.push(
            "\n",
            "body",
            &format!(
                "<skill name=\"{}\">\n{}\n</skill>",
                info.name,
                skill_body(&entry.text)
            ),
        );
        notes.push("Listed in the bot's `<available_skills>`; its body goes into `<active_skills>` when it is active.".to_string());
    } else {
        b.push("", "listing", &listing_xml(&info.name, &description, path));
        b.push("\n", "body", entry.text.trim_end());
        notes.push("The listing entry is the Agent Skills catalog form OpenClaw sends; when the skill is used, the agent reads the whole SKILL.md. Claude Code's own listing wording is not published, so its count is close, not exact.".to_string());
    }
    Prompt {
        kind: Kind::Skill,
        text: b.text,
        sections: b.sections,
        model: None,
        files: vec![path.to_path_buf()],
        notes,
    }
}

/// A prompt with its token counts.
#[derive(Clone, Debug)]
pub struct Counted {
    pub prompt: Prompt,
    pub tokens: usize,
    /// Per section, in [`Prompt::sections`] order.
    pub section_tokens: Vec<usize>,
    pub tokenizer: String,
    pub exact: bool,
    pub context_window: usize,
}

/// Count `prompt` offline: exact for OpenAI-family models, an estimate otherwise. `model`
/// overrides the prompt's own.
pub fn count(prompt: Prompt, model: Option<&str>) -> Counted {
    let model = model
        .map(str::to_string)
        .or_else(|| prompt.model.clone())
        .unwrap_or_default();
    let counter = Counter::for_model(&model);
    let tokens = counter.count(&prompt.text);
    let section_tokens = prompt
        .sections
        .iter()
        .map(|s| counter.count(&prompt.text[s.range.clone()]))
        .collect();
    Counted {
        tokens,
        section_tokens,
        tokenizer: counter.name().to_string(),
        exact: counter.exact,
        context_window: tokens::context_window(&model).0,
        prompt,
    }
}

/// Only what a lens shows: a skill's sections (listing and body), or a prompt's total, with no
/// per-section counts (`section_tokens` is empty).
pub fn count_for_lens(prompt: Prompt) -> Counted {
    let counter = Counter::for_model(prompt.model.as_deref().unwrap_or_default());
    let (tokens, section_tokens) = if prompt.kind == Kind::Skill {
        let per: Vec<usize> = prompt
            .sections
            .iter()
            .map(|s| counter.count(&prompt.text[s.range.clone()]))
            .collect();
        (per.iter().sum(), per)
    } else {
        (counter.count(&prompt.text), Vec::new())
    };
    Counted {
        tokens,
        section_tokens,
        tokenizer: counter.name().to_string(),
        exact: counter.exact,
        context_window: tokens::context_window(prompt.model.as_deref().unwrap_or_default()).0,
        prompt,
    }
}

impl Counted {
    /// "1,840" or "≈ 1,840".
    pub fn shown(&self, n: usize) -> String {
        if self.exact {
            tokens::grouped(n)
        } else {
            format!("≈ {}", tokens::grouped(n))
        }
    }

    /// Tokens of the section called `name`.
    pub fn section(&self, name: &str) -> Option<usize> {
        self.prompt
            .sections
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| self.section_tokens.get(i).copied())
    }

    /// The preview as Markdown: a title with the totals, then each section under a heading that
    /// gives its tokens, its text fenced verbatim. What `forge-ls preview` prints and editors show.
    pub fn markdown(&self) -> String {
        let p = &self.prompt;
        let mut out = format!(
            "# {} system prompt · {} tokens\n\n",
            match p.kind {
                Kind::Boternity => "Boternity",
                Kind::OpenClaw => "OpenClaw",
                Kind::Skill => "Skill",
            },
            self.shown(self.tokens)
        );
        out.push_str(&format!(
            "Tokenizer: {}{}.",
            self.tokenizer,
            p.model
                .as_deref()
                .map(|m| format!(" · model `{m}`"))
                .unwrap_or_default()
        ));
        if p.kind != Kind::Skill {
            out.push_str(&format!(
                " Context window: {} tokens.",
                tokens::grouped(self.context_window)
            ));
        }
        out.push('\n');
        for n in &p.notes {
            out.push_str(&format!("\n> {n}\n"));
        }
        for (s, t) in p.sections.iter().zip(&self.section_tokens) {
            let body = &p.text[s.range.clone()];
            let fence = "`".repeat(longest_backtick_run(body).max(2) + 1);
            out.push_str(&format!(
                "\n## {} · {} tokens\n\n{fence}text\n{body}\n{fence}\n",
                s.name,
                self.shown(*t)
            ));
        }
        out
    }
}

impl Counted {
    /// Replace the offline counts with exact ones (Anthropic's counter): the whole prompt first,
    /// then each section in order.
    pub fn set_exact(&mut self, tokenizer: String, counts: &[usize]) {
        if counts.len() != self.prompt.sections.len() + 1 {
            return;
        }
        self.tokens = counts[0];
        self.section_tokens = counts[1..].to_vec();
        self.tokenizer = tokenizer;
        self.exact = true;
    }

    /// The result of `forge.bot.preview` and `forge-ls preview --format json`: section offsets
    /// are UTF-8 byte offsets into `text`, lines 0-based; `file` names each input file.
    pub fn to_json(&self, file: &dyn Fn(&Path) -> String) -> serde_json::Value {
        let p = &self.prompt;
        let line_of = |at: usize| p.text[..at].matches('\n').count();
        let sections: Vec<serde_json::Value> = p
            .sections
            .iter()
            .zip(&self.section_tokens)
            .map(|(s, t)| {
                serde_json::json!({
                    "name": s.name,
                    "start": s.range.start,
                    "end": s.range.end,
                    "line": line_of(s.range.start),
                    "endLine": line_of(s.range.end),
                    "tokens": t,
                })
            })
            .collect();
        let mut v = serde_json::json!({
            "kind": p.kind.id(),
            "text": p.text,
            "sections": sections,
            "tokens": self.tokens,
            "tokenizer": self.tokenizer,
            "model": p.model,
            "exact": self.exact,
            "contextWindow": self.context_window,
            "files": p.files.iter().map(|f| file(f)).collect::<Vec<_>>(),
            "notes": p.notes,
            "markdown": self.markdown(),
        });
        if p.kind == Kind::Skill {
            let listing = self.section("listing").unwrap_or(0);
            v["alwaysLoaded"] = listing.into();
            v["whenActive"] = (listing + self.section("body").unwrap_or(0)).into();
        }
        v
    }
}

/// Token budgets (`budget.*` settings, `check --budget`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The most tokens a bot's assembled prompt should take; `None`: only half the context window.
    pub system_prompt_tokens: Option<usize>,
    /// The most tokens a skill's description should take in every listing.
    pub skill_listing_tokens: usize,
}

/// The Agent Skills specification caps a description at 1,024 characters (about 250 tokens);
/// OpenClaw's docs advise one line under 160 characters (about 40). A listing entry of 100
/// tokens sits between the two and is what every prompt carries for the skill.
pub const DEFAULT_SKILL_LISTING_TOKENS: usize = 100;

impl Default for Budget {
    fn default() -> Self {
        Budget {
            system_prompt_tokens: None,
            skill_listing_tokens: DEFAULT_SKILL_LISTING_TOKENS,
        }
    }
}

/// Whether the budgets of the file at `path` need a token count (cheap: assembles, never counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetCheck {
    /// No file to report on, or its text has fewer bytes than the limit has tokens: within budget.
    Clear,
    /// [`budget_diagnostics`] must count; the key names what it counts (text, limit and model).
    Count(u64),
}

/// What [`budget_diagnostics`] would have to count for `path`, without counting, so a caller can
/// count off its hot path and cache the result by key.
pub fn budget_check(index: &Index, path: &Path, budget: &Budget) -> BudgetCheck {
    use std::hash::{Hash, Hasher};
    let Some(entry) = index.file(path) else {
        return BudgetCheck::Clear;
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match entry.kind {
        FileKind::Identity => {
            let Some(Target::Bot(folder)) = target(&entry.path) else {
                return BudgetCheck::Clear;
            };
            let prompt = boternity(index, &folder, &[], None);
            let model = prompt.model.clone().unwrap_or_default();
            let limit = prompt_limit(&model, budget);
            if prompt.text.len() <= limit {
                return BudgetCheck::Clear;
            }
            (&prompt.text, limit, &model).hash(&mut h);
        }
        FileKind::Skill => {
            let Some(d) = description_of(entry) else {
                return BudgetCheck::Clear;
            };
            if d.1.len() <= budget.skill_listing_tokens {
                return BudgetCheck::Clear;
            }
            (&d.1, budget.skill_listing_tokens).hash(&mut h);
        }
        _ => return BudgetCheck::Clear,
    }
    BudgetCheck::Count(h.finish())
}

fn prompt_limit(model: &str, budget: &Budget) -> usize {
    let half = tokens::context_window(model).0 / 2;
    budget.system_prompt_tokens.map_or(half, |b| b.min(half))
}

/// A SKILL.md's `description`: the range of its value and the value.
fn description_of(entry: &FileEntry) -> Option<(Range<usize>, String)> {
    let fm = frontmatter::frame(&entry.text, Framing::Skill).ok()?;
    let parsed = forge_syntax::yaml::parse(&entry.text[fm.yaml.clone()], fm.yaml.start);
    let node = &parsed.root.as_ref()?.get("description")?.value;
    Some((
        crate::workspace::index::content_range(&entry.text, node),
        node.as_str()?.to_string(),
    ))
}

/// Budget diagnostics of the file at `path`: on a Boternity bot's IDENTITY.md when its assembled
/// prompt (no skill active) exceeds the budget or half the context window, naming the biggest
/// sections; on a SKILL.md whose description alone exceeds the listing budget. Texts come from
/// `index`. A text of fewer bytes than the limit is never counted: no token is shorter than a byte.
pub fn budget_diagnostics(index: &Index, path: &Path, budget: &Budget) -> Vec<Diagnostic> {
    let Some(entry) = index.file(path) else {
        return Vec::new();
    };
    match entry.kind {
        FileKind::Identity => prompt_budget(index, entry, budget).into_iter().collect(),
        FileKind::Skill => listing_budget(entry, budget).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn prompt_budget(index: &Index, entry: &FileEntry, budget: &Budget) -> Option<Diagnostic> {
    let Some(Target::Bot(folder)) = target(&entry.path) else {
        return None;
    };
    let prompt = boternity(index, &folder, &[], None);
    let model = prompt.model.clone().unwrap_or_default();
    let half = tokens::context_window(&model).0 / 2;
    let limit = prompt_limit(&model, budget);
    if prompt.text.len() <= limit {
        return None;
    }
    let c = count(prompt, None);
    if c.tokens <= limit {
        return None;
    }
    let why = match budget.system_prompt_tokens {
        Some(b) if b <= half => format!("over `budget.systemPromptTokens` ({})", tokens::grouped(b)),
        _ => format!(
            "over half of {}'s {}-token context window, which leaves little room for the conversation",
            model,
            tokens::grouped(c.context_window)
        ),
    };
    let mut biggest: Vec<(&str, usize)> = c
        .prompt
        .sections
        .iter()
        .zip(&c.section_tokens)
        .map(|(s, t)| (s.name.as_str(), *t))
        .collect();
    biggest.sort_by_key(|b| std::cmp::Reverse(b.1));
    let list: Vec<String> = biggest
        .iter()
        .take(3)
        .map(|(n, t)| format!("{n} {}", c.shown(*t)))
        .collect();
    Some(Diagnostic::new(
        &codes::PROMPT_OVER_BUDGET,
        frontmatter::first_line(&entry.text),
        format!(
            "The system prompt Boternity assembles for this bot is {} tokens ({}), {why}. The biggest sections: {}.",
            c.shown(c.tokens),
            c.tokenizer,
            list.join(", ")
        ),
    ))
}

fn listing_budget(entry: &FileEntry, budget: &Budget) -> Option<Diagnostic> {
    let (range, description) = description_of(entry)?;
    if description.len() <= budget.skill_listing_tokens {
        return None;
    }
    // The model is the agent's, unknown here: an o200k_base count, said to be an estimate.
    let counter = Counter::for_model("");
    let n = counter.count(&description);
    if n <= budget.skill_listing_tokens {
        return None;
    }
    Some(Diagnostic::new(
        &codes::SKILL_LISTING_OVER_BUDGET,
        range,
        format!(
            "This description is ≈ {} tokens ({}), over `budget.skillListingTokens` ({}); every prompt that lists the skill carries it. Say when to use the skill in a sentence or two and move the rest into the body.",
            tokens::grouped(n),
            counter.name(),
            tokens::grouped(budget.skill_listing_tokens)
        ),
    ))
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Whether `path` is a file a preview of `kind` could be built from (what gets a lens).
pub fn previewable(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Identity
            | FileKind::Soul
            | FileKind::User
            | FileKind::SkillsToml
            | FileKind::Skill
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_identity_and_instructions_are_boternitys_wording() {
        assert_eq!(
            fallback_identity("Luna", Some("🌙"), "claude-sonnet-4-20250514"),
            "<identity>\nName: Luna\nEmoji: 🌙\nModel: claude-sonnet-4-20250514\n</identity>"
        );
        assert_eq!(
            fallback_identity("Luna", None, "gpt-4o"),
            "<identity>\nName: Luna\nModel: gpt-4o\n</identity>"
        );
        assert!(instructions("Luna").starts_with(
            "<instructions>\nYou are Luna. Always stay in character as defined in your soul.\n"
        ));
    }

    #[test]
    fn insertion_moves_later_sections() {
        let mut b = Builder::new();
        b.push("\n\n", "a", "<identity>x</identity>");
        b.push("\n\n", "b", "tail");
        let at = b.text.find("</identity>").unwrap() + "</identity>".len();
        b.insert(at, "mid", "\nMID", 1);
        let got: Vec<(&str, &str)> = b
            .sections
            .iter()
            .map(|s| (s.name.as_str(), &b.text[s.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "<identity>x</identity>"),
                ("mid", "MID"),
                ("b", "tail")
            ]
        );
    }
}
